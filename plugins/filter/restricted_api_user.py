# -*- coding: utf-8 -*-
# Copyright (c) scanops.qualys contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Filters of the restricted_api_user role: its settings and the problems of its input.

``restricted_api_user_settings`` applies the defaults of the role's
``meta/argument_specs.yml`` (the one place they are stated) and returns the
settings the role's tasks read. ``restricted_api_user_problems`` returns every
problem of the role's input, each naming the variable and what is accepted,
with the checks the modules themselves use (module_utils), so the role never
refuses what a module accepts nor lets through what a module refuses later,
after other objects were written. Both take the role variables by name (one
host) or ``hostvars`` with ``hosts`` (several hosts, checked together: one
Qualys subscription, so conflicts across hosts count).

Documentation: restricted_api_user_problems.yml and restricted_api_user_settings.yml.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import copy
import json
import os
import re

from collections.abc import Mapping

import yaml

from ansible.errors import AnsibleFilterError
from ansible.module_utils.common.arg_spec import ArgumentSpecValidator

from ansible_collections.scanops.qualys.plugins.module_utils import ip_sets
from ansible_collections.scanops.qualys.plugins.module_utils import oci_secret_content as sc
from ansible_collections.scanops.qualys.plugins.module_utils.oci_ids import ocid_problem, secret_name_problem
from ansible_collections.scanops.qualys.plugins.module_utils.qualys_role_adapter import normalise_permissions
from ansible_collections.scanops.qualys.plugins.module_utils.qualys_tags import os_regex as os_contains_regex
from ansible_collections.scanops.qualys.plugins.module_utils.qualys_users import (
    STATE_REQUIRED_COUNTRIES,
    canonical_country,
    parse_timestamp,
)

PREFIX = "restricted_api_user_"
USERS = PREFIX + "service_users"
SPEC_PATH = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))),
                         "roles", "restricted_api_user", "meta", "argument_specs.yml")

# Derived defaults, documented in argument_specs.yml with the options they fill.
EXTERNAL_ID_DEFAULT = "scanops-%s"
SECRET_NAME_DEFAULT = "qualys-api-%s"

# Texts Qualys requires for a new user (the argument spec says they are required; they must not be blank either).
REQUIRED_TEXTS = ("first_name", "last_name", "email", "phone", "address1", "city", "country")
LICENSE_FIELDS = ("cid", "aid", "pws_url", "pws_port")
LICENSE_KEYS = LICENSE_FIELDS + ("content", "content_format")
TAG_RULES = ("ip_ranges", "os_contains", "os_regex")

_spec_cache = {}


def role_spec():
    """The options of the role's main entry point, from meta/argument_specs.yml (read once)."""
    if "options" not in _spec_cache:
        with open(SPEC_PATH, encoding="utf-8") as handle:
            _spec_cache["options"] = yaml.safe_load(handle)["argument_specs"]["main"]["options"]
    return _spec_cache["options"]


# -- input ---------------------------------------------------------------------------------------

def _plain(value):
    """Plain dicts, lists, str, int, float, bool and None (templated values may be subclasses of these)."""
    if isinstance(value, Mapping):
        return dict((str(key), _plain(item)) for key, item in value.items())
    if isinstance(value, (list, tuple)):
        return [_plain(item) for item in value]
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, str):
        return str(value)
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return float(value)
    return value


def _given(variables):
    """The role's options set in ``variables`` (a mapping of variable names), None meaning not set."""
    if not isinstance(variables, Mapping):
        raise AnsibleFilterError("the role variables must be a mapping of variable names to values, got %s"
                                 % type(variables).__name__)
    given = {}
    for name in role_spec():
        if name in variables:
            value = variables[name]
            if value is not None:
                given[name] = _plain(value)
    return given


def _without_none(value):
    if isinstance(value, dict):
        return dict((key, _without_none(item)) for key, item in value.items() if item is not None)
    if isinstance(value, list):
        return [_without_none(item) for item in value]
    return value


def _validated(variables):
    """(settings, raw license, [argument spec errors]) of one host's variables."""
    given = _given(variables)
    # A fresh copy each time: the validator fills the dict defaults of the spec in place.
    result = ArgumentSpecValidator(copy.deepcopy(role_spec())).validate(given)
    params = _without_none(result.validated_parameters)
    settings = dict((name[len(PREFIX):], value) for name, value in params.items())
    license_option = settings.pop("license", None) or {}
    users = settings.get("service_users") or []
    for user in users if isinstance(users, list) else []:
        if not isinstance(user, dict):
            continue
        name = user.get("name")
        # An empty string means the default too, as it always has.
        if not user.get("external_id"):
            user["external_id"] = EXTERNAL_ID_DEFAULT % name
        if not user.get("credentials_secret_name"):
            user["credentials_secret_name"] = SECRET_NAME_DEFAULT % name
    settings["license_given"] = bool(license_option)
    settings["license_target"] = "%s %s" % (settings.get("oci_vault_id", ""), settings.get("license_secret_name", ""))
    recipe = settings.get("scan_recipe") or {}
    settings["recipe_target"] = "%s %s" % (settings.get("oci_compartment_id", ""), recipe.get("name", "")) if recipe else ""
    return settings, license_option, list(result.error_messages)


def _inputs(variables, hosts):
    """[(host or None, variables)]."""
    if hosts is None:
        return [(None, variables)]
    if not isinstance(hosts, (list, tuple)) or not all(isinstance(host, str) for host in hosts):
        raise AnsibleFilterError("hosts must be a list of inventory host names")
    if not isinstance(variables, Mapping):
        raise AnsibleFilterError("with hosts, the input must be hostvars (host name -> variables)")
    missing = [host for host in hosts if host not in variables]
    if missing:
        raise AnsibleFilterError("hosts not in the input (hostvars): %s" % ", ".join(missing))
    return [(str(host), variables[host]) for host in hosts]


# -- settings ------------------------------------------------------------------------------------

def restricted_api_user_settings(variables, hosts=None):
    """The role's settings with every default applied (see restricted_api_user_settings.yml)."""
    out = []
    for host, host_variables in _inputs(variables, hosts):
        settings, _license, errors = _validated(host_variables)
        if errors:
            raise AnsibleFilterError("%s%s" % (_where(host), "; ".join(errors)))
        if host is not None:
            settings["host"] = host
        out.append(settings)
    return out if hosts is not None else out[0]


# -- problems ------------------------------------------------------------------------------------

def _where(host):
    return "host %s: " % host if host is not None else ""


def _quoted(value):
    return "'%s'" % value


def _spaces_problem(value, path):
    """Leading or trailing spaces in a name Qualys compares as written."""
    if isinstance(value, str) and value.strip() and value != value.strip():
        return ("%s: %s has leading or trailing spaces; remove them (Qualys keeps the name without them, so the "
                "name would never match and every run would fail)." % (path, _quoted(value)))
    return None


class _Entry(object):
    """One service user of one host, for the checks across entries."""

    def __init__(self, host, index, user, settings):
        self.host = host
        self.index = index
        self.user = user
        self.settings = settings
        self.path = "%s[%d] (%s)" % (USERS, index, user.get("name"))
        self.scope_rule = None  # (kind, rule) once the scope checked out
        self.role_definition = None

    @property
    def label(self):
        name = self.user.get("name")
        return "%s (host %s)" % (name, self.host) if self.host is not None else str(name)


def _scope_problems(entry):
    problems = []
    scope = entry.user.get("scope") or {}
    path = entry.path + ".scope"
    name = scope.get("name", "")
    kind = scope.get("type")
    if not name.strip():
        problems.append("%s.name must not be empty." % path)
    elif name.strip().lower() == "all":
        problems.append("%s.name must not be All (a restricted user never sees everything): name the scope of "
                        "its own assets." % path)
    else:
        spaces = _spaces_problem(name, path + ".name")
        if spaces:
            problems.append(spaces)
        if kind == "asset_group" and "," in name:
            problems.append("%s.name %s holds a comma, which Qualys cannot carry in a user's asset group list; "
                            "rename the scope." % (path, _quoted(name)))
    if kind == "asset_group":
        wrong = [option for option in TAG_RULES if option in scope]
        if wrong:
            problems.append("%s: an asset_group scope takes ips, not %s (those are tag rules)." % (path, ", ".join(wrong)))
        ips = _ip_list(problems, scope, "ips", path)
        if ips == []:
            problems.append("%s: an asset_group scope needs ips (addresses, ranges or CIDR blocks)." % path)
        elif ips:
            entry.scope_rule = ("ips", ", ".join(ips))
    elif kind == "tag":
        rules = [option for option in TAG_RULES if option in scope]
        if "ips" in scope:
            problems.append("%s: a tag scope takes ip_ranges, os_contains or os_regex, not ips (ips are for an "
                            "asset_group scope)." % path)
        if len(rules) != 1:
            problems.append("%s: a tag scope needs exactly one of ip_ranges, os_contains or os_regex%s." % (
                path, ", got %s" % " and ".join(rules) if rules else ""))
        elif rules[0] == "ip_ranges":
            ranges = _ip_list(problems, scope, "ip_ranges", path)
            if ranges == []:
                problems.append("%s.ip_ranges must list at least one address, range or CIDR block." % path)
            elif ranges:
                entry.scope_rule = ("NETWORK_RANGE", ", ".join(ranges))
        elif rules[0] == "os_contains":
            text = scope["os_contains"]
            if not text.strip():
                problems.append("%s.os_contains must not be empty." % path)
            else:
                entry.scope_rule = ("OS_REGEX", os_contains_regex(text.strip()))
        else:
            pattern = scope["os_regex"]
            if not pattern.strip():
                problems.append("%s.os_regex must not be empty." % path)
            else:
                try:
                    re.compile(pattern)
                except re.error as exc:
                    problems.append("%s.os_regex: %s is not a valid regular expression (%s); write a regular "
                                    "expression for the whole OS name, for example .*Linux.*, or use os_contains."
                                    % (path, _quoted(pattern), exc))
                else:
                    entry.scope_rule = ("OS_REGEX", pattern)
    return problems


def _ip_list(problems, scope, option, path):
    """The normalised entries of scope[option]: None when bad (problem added), [] when empty."""
    if option not in scope:
        return []
    param = "%s.%s" % (path, option)
    try:
        normalised = ip_sets.normalize(scope[option], param)
        everything = ip_sets.covers_everything(scope[option], param)
    except ValueError as exc:
        problems.append(str(exc))
        return None
    if everything and not scope.get("allow_very_wide"):
        problems.append(
            "%s covers every %s address (%s), which is everything, like All: a restricted user must not see every "
            "asset. List the networks it needs, or set %s.allow_very_wide: true to allow so wide a scope on purpose."
            % (param, " and every ".join("IPv%d" % version for version in everything),
               ", ".join(normalised), path))
        return None
    return normalised


def _role_problems(entry):
    problems = []
    role = entry.user.get("role") or {}
    path = entry.path + ".role"
    name = role.get("name", "")
    if not name.strip():
        problems.append("%s.name must not be empty." % path)
        return problems
    spaces = _spaces_problem(name, path + ".name")
    if spaces:
        problems.append(spaces)
    try:
        permissions = normalise_permissions(role.get("permissions"), path + ".permissions")
    except ValueError as exc:
        problems.append(str(exc))
        return problems
    entry.role_definition = json.dumps({
        "description": role.get("description"), "permissions": permissions,
        "manage_definition": bool(role.get("manage_definition")),
    }, sort_keys=True)
    return problems


def _user_problems(entry):
    user = entry.user
    path = entry.path
    problems = []
    name = user.get("name", "")
    if not name.strip():
        problems.append("%s.name must not be empty." % path)
    for option in REQUIRED_TEXTS:
        if not str(user.get(option, "")).strip():
            problems.append("%s.%s must not be empty: Qualys requires it." % (path, option))
    country = user.get("country", "")
    if country.strip():
        try:
            canonical = canonical_country(country)
        except ValueError as exc:
            problems.append("%s.%s" % (path, exc))
        else:
            if canonical in STATE_REQUIRED_COUNTRIES and not str(user.get("address_state", "")).strip():
                problems.append("%s.address_state is required with country %s: Qualys requires a state or province "
                                "for %s." % (path, canonical, ", ".join(sorted(STATE_REQUIRED_COUNTRIES))))
    external_id = user.get("external_id", "")
    if not external_id.strip():
        problems.append("%s.external_id must not be empty (leave it out for the default scanops-<name>)." % path)
    else:
        spaces = _spaces_problem(external_id, path + ".external_id")
        if spaces:
            problems.append(spaces)
    secret = user.get("credentials_secret_name", "")
    bad_secret = secret_name_problem(secret, "the credentials secret name %s (credentials_secret_name, default "
                                             "qualys-api-<name>)" % _quoted(secret))
    if bad_secret:
        problems.append("%s: %s." % (path, bad_secret))
    problems.extend(_scope_problems(entry))
    problems.extend(_role_problems(entry))
    return problems


def _license_problems(license_option):
    """Problems of restricted_api_user_license (never quoting a value: the license is secret)."""
    name = PREFIX + "license"
    if not license_option:
        return []
    unknown = sorted(key for key in license_option if key not in LICENSE_KEYS)
    if unknown:
        return ["%s has unknown keys %s: it takes cid, aid, pws_url and pws_port, or content (with content_format "
                "auto, plain or base64)." % (name, ", ".join(unknown))]
    fields = [key for key in LICENSE_FIELDS if key in license_option]
    if "content" in license_option:
        if fields:
            return ["%s takes either cid, aid, pws_url and pws_port, or content, not both (it has content and %s)."
                    % (name, ", ".join(fields))]
        params = {"content": license_option["content"], "content_kind": "license",
                  "content_format": license_option.get("content_format") or "auto"}
        try:
            sc.desired_content(params)
        except sc.ContentError as exc:
            return ["%s: %s." % (name, str(exc).rstrip("."))]
        return []
    if "content_format" in license_option:
        return ["%s.content_format goes with content; cid, aid, pws_url and pws_port take none." % name]
    try:
        sc.license_bytes(dict((key, license_option.get(key)) for key in LICENSE_FIELDS))
    except sc.ContentError as exc:
        text = str(exc).rstrip(".")
        if text.startswith("license"):
            text = name + text[len("license"):]
        else:
            text = "%s: %s" % (name, text)
        return ["%s; or give the whole license as content (with content_format auto, plain or base64)." % text
                if "missing" in text else text + "."]
    return []


def _recipe_problems(settings):
    recipe = settings.get("scan_recipe") or {}
    if not recipe:
        return []
    name = PREFIX + "scan_recipe"
    problems = []
    if not str(recipe.get("name", "")).strip():
        problems.append("%s.name must be set: the recipe needs a name (or leave %s empty for no recipe)." % (name, name))
    schedule = recipe.get("schedule", "DAILY")
    if schedule == "WEEKLY" and not recipe.get("day_of_week"):
        problems.append("%s.day_of_week is required with schedule WEEKLY." % name)
    if schedule == "DAILY" and recipe.get("day_of_week"):
        problems.append("%s.day_of_week is only allowed with schedule WEEKLY." % name)
    if not settings.get("license_given"):
        problems.append("%s needs %slicense: the recipe runs the agent with the license secret." % (name, PREFIX))
    return problems


def _host_problems(settings, license_option, entries):
    problems = []
    for option, types in (("oci_compartment_id", ("compartment", "tenancy")), ("oci_vault_id", ("vault",)),
                          ("oci_key_id", ("key",))):
        problem = ocid_problem(settings.get(option, ""), PREFIX + option, types)
        if problem:
            problems.append(problem + ".")
    users = settings.get("service_users") or []
    if not users:
        problems.append("%s must list at least one service user, each with a unique name." % USERS)
    by_name = {}
    for entry in entries:
        by_name.setdefault(entry.user.get("name"), []).append(entry.index)
    for name, indexes in sorted(by_name.items(), key=lambda item: item[1]):
        if len(indexes) > 1:
            problems.append("%s: entries %s have the same name, %s; give each service user a unique name." % (
                USERS, _listed(str(index) for index in indexes), name))
    for entry in entries:
        problems.extend(_user_problems(entry))
    problems.extend(_license_problems(license_option))
    bad_name = secret_name_problem(settings.get("license_secret_name", ""), PREFIX + "license_secret_name")
    if bad_name:
        problems.append(bad_name + ".")
    problems.extend(_recipe_problems(settings))
    for option in ("rotation_days", "max_wait"):
        if settings.get(option) is not None and settings[option] < 0:
            problems.append("%s%s must be 0 or more, got %d." % (PREFIX, option, settings[option]))
    return problems


def _listed(labels):
    labels = list(labels)
    return labels[0] if len(labels) == 1 else "%s and %s" % (", ".join(labels[:-1]), labels[-1])


def _conflicts(entries, hosts):
    """One Qualys subscription and, per vault, one set of secret names: conflicting definitions across entries."""
    problems = []

    def grouped(key_of):
        groups = {}
        for item in entries:
            key = key_of(item)
            if key is not None:
                groups.setdefault(key, []).append(item)
        return [group for _key, group in sorted(groups.items(), key=lambda pair: (pair[1][0].host or "", pair[1][0].index))]

    for group in grouped(lambda e: e.user.get("external_id", "").strip() or None):
        if len(group) > 1:
            problems.append("external_id %s is given to %s: one Qualys user cannot be several service users; give each "
                            "its own external_id (default scanops-<name>)." % (
                                group[0].user["external_id"].strip(), _listed(e.label for e in group)))
    for group in grouped(lambda e: (e.settings.get("oci_vault_id"), e.user.get("credentials_secret_name"))):
        if len(group) > 1:
            problems.append("the credentials secret %s is named by %s: each service user needs its own secret; give "
                            "them different credentials_secret_name (default qualys-api-<name>)." % (
                                group[0].user["credentials_secret_name"], _listed(e.label for e in group)))
    license_names = {}
    for host, settings in hosts:
        key = (settings.get("oci_vault_id"), settings.get("license_secret_name"))
        license_names.setdefault(key, []).append(host)
    for entry in entries:
        key = (entry.settings.get("oci_vault_id"), entry.user.get("credentials_secret_name"))
        if key in license_names:
            owners = [host for host in license_names[key] if host is not None]
            problems.append("the credentials secret of %s and the license secret (%slicense_secret_name%s) are both "
                            "named %s: give the service user another credentials_secret_name." % (
                                entry.label, PREFIX, " of host %s" % _listed(owners) if owners else "", key[1]))
    for group in grouped(lambda e: (e.user["scope"]["type"], e.user["scope"]["name"]) if e.scope_rule else None):
        rules = sorted(set(e.scope_rule for e in group))
        if len(rules) > 1:
            scope = group[0].user["scope"]
            problems.append("scope %s %s is defined differently by %s: give every user of one scope the same %s, or "
                            "give the scopes different names." % (
                                scope["type"], _quoted(scope["name"]),
                                _listed("%s (%s %s)" % (e.label, e.scope_rule[0], e.scope_rule[1]) for e in group),
                                "ips" if scope["type"] == "asset_group" else "rule (ip_ranges, os_contains or os_regex)"))
    for group in grouped(lambda e: e.user["role"]["name"] if e.role_definition else None):
        if len(set(e.role_definition for e in group)) > 1:
            problems.append("role %s is defined differently by %s. Give every user of a role the same role definition "
                            "(the same description, permissions and manage_definition in each), or give the roles "
                            "different names." % (group[0].user["role"]["name"], _listed(e.label for e in group)))
    return problems


def _shared_conflicts(hosts):
    """Across hosts: one license secret or scan recipe, two definitions."""
    problems = []
    licenses = {}
    recipes = {}
    for host, settings, license_option in hosts:
        if settings.get("license_given"):
            try:
                content = sc.canonical(sc.desired_content(
                    {"content": license_option["content"], "content_format": license_option.get("content_format") or "auto"}
                    if "content" in license_option else {"license": license_option}))
            except (sc.ContentError, KeyError):
                content = None  # reported with the host
            definition = (settings.get("oci_compartment_id"), settings.get("oci_key_id"), content)
            licenses.setdefault(settings["license_target"], []).append((host, definition))
        if settings.get("recipe_target"):
            definition = json.dumps([settings["scan_recipe"], settings["license_target"]], sort_keys=True)
            recipes.setdefault(settings["recipe_target"], []).append((host, definition))
    for target, items in sorted(licenses.items()):
        if len(set(definition for _host, definition in items)) > 1:
            problems.append("the license secret %s of vault %s is defined differently by hosts %s (license, compartment "
                            "or key): give every host the same %slicense and OCI settings, or another %slicense_secret_name."
                            % (target.split(" ", 1)[1], target.split(" ", 1)[0], _listed(h for h, _d in items), PREFIX, PREFIX))
    for target, items in sorted(recipes.items()):
        if len(set(definition for _host, definition in items)) > 1:
            problems.append("the scan recipe %s is defined differently by hosts %s (recipe settings or license secret): "
                            "give every host the same %sscan_recipe, or another recipe name."
                            % (target.split(" ", 1)[1], _listed(h for h, _d in items), PREFIX))
    return problems


def restricted_api_user_problems(variables, hosts=None):
    """Every problem of the role's input, [] when there is none (see restricted_api_user_problems.yml)."""
    problems = []
    entries = []
    checked = []
    for host, host_variables in _inputs(variables, hosts):
        settings, license_option, errors = _validated(host_variables)
        where = _where(host)
        if errors:
            problems.extend("%s%s." % (where, error.rstrip(".")) for error in errors)
            continue
        host_entries = [_Entry(host, index, user, settings) for index, user in enumerate(settings.get("service_users") or [])]
        problems.extend(where + problem for problem in _host_problems(settings, license_option, host_entries))
        entries.extend(host_entries)
        checked.append((host, settings, license_option))
    problems.extend(_conflicts(entries, [(host, settings) for host, settings, _license in checked]))
    if hosts is not None:
        problems.extend(_shared_conflicts(checked))
    return problems


# Lifecycle states of a secret whose content is still being written; the lookup waited for them to settle.
STORED_READABLE_STATE = "ACTIVE"


def restricted_api_user_stored(secrets, secret_name, compartment_id):
    """What the credentials secret holds (see restricted_api_user_stored.yml); never raises on its content.

    A problem is returned, not raised, so that the role can fail with it from a task that shows its message
    (the task that reads the content hides its own output).
    """
    stored = dict(found=False, secret_id="", compartment_id="", version=0, state="", current={}, pending={},
                  problem="")
    entries = [entry for entry in secrets or [] if isinstance(entry, Mapping)]
    if not entries:
        return stored
    secret = entries[0]
    stored.update(found=True, secret_id=secret.get("id") or "", compartment_id=secret.get("compartment_id") or "",
                  version=secret.get("current_version_number") or 0, state=secret.get("lifecycle_state") or "")
    if stored["compartment_id"] and compartment_id and stored["compartment_id"] != compartment_id:
        stored["problem"] = (
            "The credentials secret %s exists in this vault, but in compartment %s, not in %soci_compartment_id (%s). "
            "Nothing was changed, no password was reset. Set %soci_compartment_id to the secret's compartment, or "
            "give the service user another credentials_secret_name." % (
                secret_name, stored["compartment_id"], PREFIX, compartment_id, PREFIX))
        return stored
    if stored["state"] != STORED_READABLE_STATE:
        stored["problem"] = (
            "The credentials secret %s is %s, so the credentials it holds cannot be read or replaced. Nothing was "
            "changed, no password was reset.%s" % (
                secret_name, stored["state"] or "in an unknown state",
                " Cancel its deletion (OCI console, or scanops.qualys.oci_qualys_secret with cancel_deletion=true) "
                "to keep using it, or give the service user another credentials_secret_name."
                if stored["state"] == "PENDING_DELETION" else " Run again when OCI has finished with it."))
        return stored
    for key, field in (("current", "content"), ("pending", "pending_content")):
        content = secret.get(field)
        if content is None:
            continue
        credentials, problem = _credentials_of(content)
        if problem:
            # Never quote the content: it may be a password.
            stored["problem"] = (
                "The %s version of the credentials secret %s does not hold service user credentials: %s. Nothing "
                "was changed, no password was reset. Put a JSON object with username and password into it (the shape "
                "the role stores), or delete the secret so that the role stores new credentials (the password is "
                "then reset once)." % ("CURRENT" if key == "current" else "PENDING", secret_name, problem))
            return stored
        stored[key] = credentials
    return stored


def _credentials_of(content):
    """(credentials dict, problem): the stored JSON as the modules take it, its timestamp checked."""
    try:
        value = json.loads(content)
    except ValueError:
        return {}, "it is not JSON"
    if not isinstance(value, dict):
        return {}, "it is JSON but not an object"
    login = value.get("username") or value.get("login")
    if not isinstance(login, str) or not login.strip():
        return {}, "it has no username"
    if not isinstance(value.get("password"), str) or not value["password"]:
        return {}, "it has no password"
    rotated = value.get("rotated_at")
    if rotated not in (None, ""):
        try:
            parse_timestamp(str(rotated))
        except ValueError:
            return {}, "its rotated_at is not an ISO-8601 date-time"
    credentials = dict((key, value[key]) for key in ("username", "login", "password", "api_url", "platform", "rotated_at")
                       if isinstance(value.get(key), str))
    return credentials, ""


def restricted_api_user_credentials(credentials, settings):
    """The stored shape of a module's RV(credentials), with the role's api_url/platform overrides (see .yml)."""
    credentials = credentials or {}
    settings = settings or {}
    return dict(username=credentials.get("username") or credentials.get("login"), password=credentials.get("password"),
                api_url=settings.get("api_url") or credentials.get("api_url"),
                platform=settings.get("platform") or credentials.get("platform"),
                rotated_at=credentials.get("rotated_at"))


class FilterModule(object):
    """The restricted_api_user role's filters."""

    def filters(self):
        return {
            "restricted_api_user_problems": restricted_api_user_problems,
            "restricted_api_user_settings": restricted_api_user_settings,
            "restricted_api_user_stored": restricted_api_user_stored,
            "restricted_api_user_credentials": restricted_api_user_credentials,
        }
