# -*- coding: utf-8 -*-
# Copyright (c) scanops.qualys contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Administration role definitions -- THE PART TO CONFIRM.

Qualys does not publish the role definition API of enhanced-RBAC
subscriptions (see docs/role-definitions.md). Everything in ``RoleAdapter``
is OUR GUESS, modelled on the documented ``am/user`` QPS API
(ServiceRequest/ServiceResponse JSON, ``RoleData{id,name}``, Criteria
filters, ``add``/``remove``/``set`` collections):

    POST /qps/rest/2.0/search/am/role          Criteria name EQUALS|CONTAINS
    POST /qps/rest/2.0/create/am/role          data/Role
    POST /qps/rest/2.0/update/am/role/{id}     data/Role (only changed fields)
    POST /qps/rest/2.0/delete/am/role/{id}

    Role: {id, name, description, apiAccess, uiAccess,
           permissions: {list: [{Permission: {module, name}}]}}        (reply)
           permissions: {set: {Permission: [{module, name}]}}          (request)

Confirm these paths, field names and permission identifiers against the
Administration API guide of your subscription before relying on them; if they
differ, this file is the only one to change.

"Not offered": nothing public says what a subscription without this API
answers. So the FIRST role search must get a clean answer -- HTTP 200, a JSON
ServiceResponse with responseCode SUCCESS and Role objects as data -- and
anything else it gets back (any other HTTP status, any other responseCode, an
HTML, XML, empty or broken body) raises ``RoleApiUnavailable``, quoting the
answer; the modules then fall back to what is documented. Only a call that got
no answer at all (transport, TLS, timeout) keeps its own error, and a reply
that breaks off is asked for again by the client first. Once the API has
answered cleanly, later calls fail with their own errors, except those that
``qualys_errors.api_not_offered`` reads as "not offered" (HTTP 404, a
not-supported code).

``find_holder()`` is NOT a guess: it uses the documented ``search/am/user``
filter ``roleName`` (``qualys_admin_users.role_holder``) to see whether any
user holds a role of a given name.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json

from ansible_collections.scanops.qualys.plugins.module_utils import qualys_admin_users as admin_users
from ansible_collections.scanops.qualys.plugins.module_utils import qualys_formats as formats
from ansible_collections.scanops.qualys.plugins.module_utils.qualys_errors import QualysError, api_not_offered

ROLE_OBJECT = "am/role"

# The plain dict fields and their names on the wire.
WIRE_NAMES = (
    ("name", "name"),
    ("description", "description"),
    ("api_access", "apiAccess"),
    ("ui_access", "uiAccess"),
)


class RoleApiUnavailable(QualysError):
    """The subscription does not offer the role definition API; ``cause`` is the QualysError of its answer."""

    def __init__(self, cause, operation="search"):
        super(RoleApiUnavailable, self).__init__(
            "This Qualys subscription does not offer the role definition API: POST /qps/rest/2.0/%s/%s gave no clean "
            "QPS SUCCESS (%s)" % (operation, ROLE_OBJECT, cause.message), code=cause.code, status=cause.status,
            kind="unsupported", qualys_text=cause.qualys_text, garbled=cause.garbled)


def judge_first_search(response):
    """The decoded reply of the first role search when it is clean, else RoleApiUnavailable (see first_search_problem).

    A reply that broke off stays marked ``garbled``, so the client asks for it again before this verdict stands.
    """
    problem = first_search_problem(response)
    if problem is not None:
        raise RoleApiUnavailable(problem, "search")
    return formats.parse_qps_reply(response)


def first_search_problem(response):
    """None when ``response`` is a clean role search answer, else a QualysError that says what it was.

    Clean: HTTP 200, a JSON ServiceResponse, responseCode SUCCESS, data (if any) ``{"Role": {...}}`` objects.
    """
    try:
        formats.parse_qps_reply(response)
    except QualysError as exc:
        return exc
    # parse_qps_reply accepted it: a SUCCESS, but maybe in XML or with an error status.
    body = (response.text or "").strip()
    if response.status != 200 or not body.startswith("{"):
        return QualysError("Unexpected reply from Qualys: HTTP %s, %s with responseCode SUCCESS"
                           % (response.status, response.content_type or "no content type"),
                           status=response.status, kind="format")
    data = json.loads(body)["ServiceResponse"].get("data")
    items = data if isinstance(data, list) else [data] if data else []
    if any(not isinstance(item, dict) or not isinstance(item.get("Role"), dict) for item in items):
        return QualysError("Unexpected reply from Qualys: HTTP 200, a QPS SUCCESS whose data are not Role objects",
                           status=response.status, kind="format")
    return None


# -- permissions: {MODULE: [Name, ...]} -------------------------------------------------

def normalise_permissions(value, option="permissions"):
    """User input -> ``{module: sorted unique names}``; modules without names are dropped.

    Accepts a mapping of module to a list of permission names (or one name).
    Raises ValueError naming ``option`` for anything else.
    """
    if value is None:
        return None
    if not isinstance(value, dict):
        raise ValueError("%s must be a mapping of module to permission names, for example "
                         "{VM: [View], AM: [Read Asset]}; got %s" % (option, type(value).__name__))
    result = {}
    for module, names in value.items():
        module_name = module.strip() if isinstance(module, str) else ""
        if not module_name:
            raise ValueError("%s: module names must be non-empty strings, got %r" % (option, module))
        if isinstance(names, str):
            names = [names]
        if names is None:
            names = []
        if not isinstance(names, (list, tuple)):
            raise ValueError("%s.%s must be a list of permission names, got %s" % (option, module_name, type(names).__name__))
        cleaned = set()
        for name in names:
            if not isinstance(name, str) or not name.strip():
                raise ValueError("%s.%s: permission names must be non-empty strings, got %r" % (option, module_name, name))
            cleaned.add(name.strip())
        if cleaned:
            result.setdefault(module_name, set()).update(cleaned)
    return dict((module, sorted(names)) for module, names in sorted(result.items()))


def permissions_from_api(value):
    """``{list: [{Permission: {module, name}}]}`` (any QPS spelling) -> normalised mapping."""
    grouped = {}
    for item in formats.qps_list(value):
        if not isinstance(item, dict):
            continue
        module, name = item.get("module"), item.get("name")
        if module and name:
            grouped.setdefault(str(module), []).append(str(name))
    return normalise_permissions(grouped)


def permissions_to_api(permissions):
    """Normalised mapping -> the ``set`` collection that replaces the whole list."""
    items = [{"module": module, "name": name} for module, names in sorted(permissions.items()) for name in names]
    return {"set": {"Permission": items}}


def permissions_text(permissions):
    """``VM: Report, View; AM: Read Asset`` for messages."""
    if not permissions:
        return "none"
    return "; ".join("%s: %s" % (module, ", ".join(names)) for module, names in sorted(permissions.items()))


# -- role objects -------------------------------------------------------------------------

def role_from_api(obj):
    """A QPS Role -> ``{id, name, description, api_access, ui_access, permissions}``."""
    role = {"id": _int_id(obj.get("id"))}
    for field, wire in WIRE_NAMES:
        value = obj.get(wire)
        if field in ("api_access", "ui_access"):
            value = _bool(value)
        elif field == "description":
            value = value or ""
        role[field] = value
    role["permissions"] = permissions_from_api(obj.get("permissions"))
    return role


def role_to_api(fields):
    """The Role payload for the fields given (None values are left out)."""
    payload = {}
    for field, wire in WIRE_NAMES:
        if fields.get(field) is not None:
            payload[wire] = fields[field]
    if fields.get("permissions") is not None:
        payload["permissions"] = permissions_to_api(fields["permissions"])
    return {"Role": payload}


def manual_instructions(role, action="create", exists=False):
    """What to do by hand in the Qualys UI when the role API is not offered.

    ``exists``: a user holds a role of that name, so only its definition is left to check.
    """
    if action == "delete":
        return "Delete the role '%s' by hand in the Qualys UI: Administration > Roles (Role Management)." % role["name"]
    api = "on" if role.get("api_access") else "off"
    ui = "on" if role.get("ui_access") else "off"
    permissions = permissions_text(role.get("permissions"))
    if exists:
        # Permissions None: the task did not say which, so there are none to check.
        return ("A role called '%s' exists (a user holds it), but its definition cannot be read or changed without "
                "that API: check by hand in the Qualys UI, Administration > Roles, that it has API Access %s%s." % (
                    role["name"], api, " and UI Access %s" % ui if role.get("permissions") is None
                    else ", UI Access %s and the permissions %s" % (ui, permissions)))
    return ("Create the role by hand in the Qualys UI: Administration > Roles (Role Management), New Role; name '%s'%s; "
            "under Access Permissions turn API Access %s and UI Access %s; permissions: %s; save." % (
                role["name"], ", description '%s'" % role["description"] if role.get("description") else "",
                api, ui, permissions))


class RoleAdapter:
    """Role definition calls (the guessed API) and the documented holder lookup."""

    def __init__(self, client):
        self.client = client
        # Unknown until the first role search has answered cleanly (see first_search_problem).
        self.offered = None

    def _search_page(self, body):
        """One page of a role search. The first search of all: anything but a clean answer means the API is not offered."""
        if self.offered is not None:
            return self._call("search", body=body)
        reply = self.client.qps("search", ROLE_OBJECT, body=body, judge=judge_first_search)
        self.offered = True
        return reply

    def _call(self, operation, object_id=None, body=None, write=False, idempotent=None):
        try:
            return self.client.qps(operation, ROLE_OBJECT, object_id=object_id, body=body, write=write,
                                   idempotent=idempotent)
        except QualysError as exc:
            if api_not_offered(exc):
                raise RoleApiUnavailable(exc, operation)
            raise

    def search(self, name=None, name_contains=None, page_size=100):
        """Roles by exact name and/or name substring (all roles when neither is given), sorted by name."""
        criteria = []
        if name is not None:
            criteria.append(("name", "EQUALS", name))
        if name_contains is not None:
            criteria.append(("name", "CONTAINS", name_contains))
        found = [role_from_api(obj) for obj in self.client.qps_search(ROLE_OBJECT, criteria, page_size=page_size,
                                                                      search=self._search_page)]
        return sorted(found, key=lambda role: (role["name"] or "", role["id"] or 0))

    def find(self, name):
        """The role called exactly ``name``, or None."""
        matches = [role for role in self.search(name=name) if role["name"] == name]
        if len(matches) > 1:
            raise QualysError("%d roles are called %r (ids %s); rename all but one in the Administration utility." % (
                len(matches), name, ", ".join(str(role["id"]) for role in matches)), kind="api")
        return matches[0] if matches else None

    def create(self, role):
        """Create ``role`` (plain dict); returns the role as Qualys stored it."""
        fields = dict((key, value) for key, value in role.items() if key != "id")
        reply = self._call("create", body=formats.qps_request(data=role_to_api(fields)), write=True)
        stored = dict(fields)
        if reply["data"]:
            answered = role_from_api(reply["data"][0])
            stored["id"] = answered["id"]
            if answered.get("name"):
                # A full object came back: trust it over what was sent.
                stored.update(answered)
        return stored

    def update(self, role_id, changes):
        """Send only the changed fields; ``permissions`` replaces the whole list."""
        body = formats.qps_request(data=role_to_api(changes))
        self._call("update", object_id=role_id, body=body, write=True, idempotent=True)

    def delete(self, role_id):
        """Delete a role; one already gone counts as deleted."""
        try:
            # An empty ServiceRequest keeps the exchange in JSON.
            self._call("delete", object_id=role_id, body=formats.qps_request(), write=True, idempotent=True)
        except RoleApiUnavailable:
            raise
        except QualysError as exc:
            if exc.kind != "not_found":
                raise

    def find_holder(self, name):
        """Documented fallback: ``{id, name}`` of a role called ``name`` held by some user, or None."""
        return admin_users.role_holder(self.client, name)


def _bool(value):
    if isinstance(value, bool):
        return value
    return str(value).strip().lower() == "true" if value is not None else False


def _int_id(value):
    if value is None or value == "":
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return value
