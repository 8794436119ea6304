# -*- coding: utf-8 -*-
# Copyright (c) scanops.qualys contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The restricted_api_user role's filters: its settings and every problem of its input."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import copy
import os
import re

import pytest
import yaml

from ansible.errors import AnsibleFilterError

from ansible_collections.scanops.qualys.plugins.filter import restricted_api_user as fl
from ansible_collections.scanops.qualys.plugins.filter.restricted_api_user import (
    FilterModule,
    restricted_api_user_problems as problems,
    restricted_api_user_settings as settings,
)

ROLE = os.path.join(os.path.dirname(fl.SPEC_PATH), "..")
FILTER_DIR = os.path.dirname(fl.__file__)

COMPARTMENT = "ocid1.compartment.oc1..aaaaaaaaunit"
VAULT = "ocid1.vault.oc1.iad.aaaaaaaaunitvault"
KEY = "ocid1.key.oc1.iad.aaaaaaaaunitkey"
LICENSE = {"cid": "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0", "aid": "a1b2c3d4-e5f6-4789-9abc-def012345678",
           "pws_url": "https://qagpublic.qg2.apps.qualys.com/CloudAgent/", "pws_port": 443}
CONTACT = {"first_name": "Service", "last_name": "Now", "email": "secops@example.com", "phone": "+1 555 0100",
           "address1": "1 Example Street", "city": "New York", "country": "United States of America",
           "address_state": "New York"}
GROUP = {"type": "asset_group", "name": "ServiceNow scope", "ips": ["192.168.1.1-192.168.1.100", "10.20.0.0/24"]}
TAG = {"type": "tag", "name": "Linux servers", "os_contains": "Linux"}
ROLE_DEF = {"name": "API Read Only", "permissions": {"VM": ["View"]}}


def user(name, scope, **changes):
    entry = dict(CONTACT, name=name, scope=copy.deepcopy(scope), role=copy.deepcopy(ROLE_DEF))
    entry.update(changes)
    return entry


def variables(**changes):
    """Good variables of one host: two users, the license."""
    result = {
        "restricted_api_user_service_users": [user("servicenow", GROUP), user("vmplatform", TAG)],
        "restricted_api_user_oci_compartment_id": COMPARTMENT,
        "restricted_api_user_oci_vault_id": VAULT,
        "restricted_api_user_oci_key_id": KEY,
        "restricted_api_user_license": dict(LICENSE),
    }
    for name, value in changes.items():
        result["restricted_api_user_" + name] = value
    return result


def with_second(**changes):
    """The good variables, the second user changed."""
    result = variables()
    result["restricted_api_user_service_users"][1].update(changes)
    return result


def with_second_scope(**changes):
    result = variables()
    result["restricted_api_user_service_users"][1]["scope"].update(changes)
    return result


def only_problem(result):
    assert len(result) == 1, result
    return result[0]


# -- clean input ------------------------------------------------------------------------------------

def test_good_input_has_no_problem():
    assert problems(variables()) == []


def test_good_input_variants_have_no_problem():
    """Forms the modules accept, including ones the old Jinja checks refused."""
    good = variables(
        oci_compartment_id="ocid1.tenancy.oc1..AAAA_unit-Tenancy",  # a tenancy, upper case and "_" in the unique part
        oci_key_id="ocid1.key.oc1.iad.futureuse.aaaa",  # the future-use segment
        license={"content": "eyJjaWQiOiAiYSIsICJhaWQiOiAiYiIsICJwd3NVcmwiOiAiaHR0cHM6Ly94LmV4YW1wbGUuY29tIiwgInB3c1BvcnQiOiA0NDN9"},
        scan_recipe={"name": "qualys-agent-recipe", "schedule": "WEEKLY", "day_of_week": "MONDAY"},
        max_wait=0, rotation_days="30", report_dir="reports", api_url="https://qualysapi.qg2.apps.qualys.com")
    users = good["restricted_api_user_service_users"]
    users[0]["scope"]["ips"] = ["2001:db8::/64", "10.0.0.1", "10.0.0.2-10.0.0.9"]
    users[1]["scope"] = {"type": "tag", "name": "Linux servers", "os_regex": ".*(Linux|linux).*"}
    users.append(user("everything", dict(GROUP, name="Everything", ips=["0.0.0.0/0"], allow_very_wide=True)))
    users.append(user("canada", dict(GROUP, name="Canada"), country="canada", address_state="Ontario", external_id="svc-canada",
                      credentials_secret_name="qualys.canada_1"))
    assert problems(good) == []


def test_null_means_not_set():
    good = variables(license=None, report_dir=None)
    assert problems(good) == []
    assert settings(good)["license_given"] is False


def test_other_variables_are_ignored():
    good = variables()
    good.update(restricted_api_user_settings={"anything": 1}, other="x")
    assert problems(good) == []


# -- settings: the defaults of the argument spec ----------------------------------------------------

def test_settings_apply_the_defaults_of_the_argument_spec():
    result = settings(variables(rotation_days="30"))
    first, second = result["service_users"]
    assert first["title"] == "API service account" and first["user_role"] == "reader"
    assert first["external_id"] == "scanops-servicenow" and first["credentials_secret_name"] == "qualys-api-servicenow"
    assert first["role"] == {"name": "API Read Only", "permissions": {"VM": ["View"]}, "manage_definition": False,
                             "description": "Read-only API access for a service account (managed by scanops.qualys)"}
    assert first["scope"]["allow_very_wide"] is False
    # Unset options are left out (so that "| default(omit)" works), not set to None.
    assert "zip_code" not in first and "ip_ranges" not in first["scope"] and "os_contains" not in first["scope"]
    assert second["scope"] == {"type": "tag", "name": "Linux servers", "os_contains": "Linux", "allow_very_wide": False}
    assert result["rotation_days"] == 30
    assert result["license_secret_name"] == "qualys-agent-license" and result["report_dir"] == ""
    assert result["manage_license"] is True
    assert result["scan_recipe"] == {}
    assert "max_wait" not in result and "api_url" not in result and "platform" not in result
    assert result["license_target"] == VAULT + " qualys-agent-license" and result["recipe_target"] == ""


def test_settings_never_carry_the_license():
    result = settings(variables())
    assert result["license_given"] is True
    assert "license" not in result
    text = repr(result)
    assert LICENSE["cid"] not in text and LICENSE["aid"] not in text


def test_settings_keep_explicit_values_and_take_empty_names_as_the_default():
    good = variables(max_wait=600)
    good["restricted_api_user_service_users"][0].update(external_id="svc-now", credentials_secret_name="", title="T",
                                                        role=dict(ROLE_DEF, manage_definition=True, description="D"))
    result = settings(good)
    first = result["service_users"][0]
    assert first["external_id"] == "svc-now" and first["credentials_secret_name"] == "qualys-api-servicenow"
    assert first["title"] == "T" and first["role"]["manage_definition"] is True and first["role"]["description"] == "D"
    assert result["max_wait"] == 600


def test_settings_of_several_hosts():
    hostvars = {"a": variables(), "b": variables(service_users=[user("other", GROUP)]), "unused": {}}
    result = settings(hostvars, hosts=["b", "a"])
    assert [host["host"] for host in result] == ["b", "a"]
    assert [u["name"] for u in result[0]["service_users"]] == ["other"]


def test_settings_refuse_what_the_argument_spec_refuses():
    with pytest.raises(AnsibleFilterError, match="restricted_api_user_rotation_days"):
        settings(variables(rotation_days="monthly"))
    with pytest.raises(AnsibleFilterError, match="host b: .*restricted_api_user_oci_vault_id"):
        settings({"b": dict((k, v) for k, v in variables().items() if k != "restricted_api_user_oci_vault_id")}, hosts=["b"])


def test_the_input_must_be_a_mapping():
    with pytest.raises(AnsibleFilterError, match="mapping of variable names"):
        problems(["restricted_api_user_service_users"])
    with pytest.raises(AnsibleFilterError, match="hosts not in the input"):
        problems({"a": variables()}, hosts=["a", "b"])
    with pytest.raises(AnsibleFilterError, match="list of inventory host names"):
        problems({"a": variables()}, hosts="a")


def test_the_spec_is_not_changed_by_use():
    """The validator fills dict defaults in place; a second use must see the spec as written."""
    settings(variables())
    settings(variables())
    assert fl.role_spec()["restricted_api_user_scan_recipe"]["default"] == {}
    assert problems(variables(scan_recipe={})) == []


# -- every problem, with its message ----------------------------------------------------------------

USERS = "restricted_api_user_service_users"
SECOND = USERS + "[1] (vmplatform)"

CASES = [
    # argument spec
    ("spec-type", variables(rotation_days="monthly"), ["restricted_api_user_rotation_days", "int"]),
    ("spec-required", dict((k, v) for k, v in variables().items() if k != "restricted_api_user_oci_key_id"),
     ["missing required arguments: restricted_api_user_oci_key_id"]),
    ("spec-choice", with_second(user_role="contact"), ["user_role", "reader, scanner"]),
    ("spec-unknown-scope-key", with_second_scope(os_regexp="x"), ["os_regexp", "Supported parameters include"]),
    # OCI settings
    ("vault-ocid", variables(oci_vault_id="not-an-ocid"),
     ["restricted_api_user_oci_vault_id is not a valid OCID: expected ocid1.<type>.<realm>.[region].<unique>"]),
    ("vault-empty", variables(oci_vault_id=""), ["restricted_api_user_oci_vault_id is not a valid OCID"]),
    ("key-type", variables(oci_key_id=VAULT), ["restricted_api_user_oci_key_id must be the OCID of a key, got one of type 'vault'"]),
    ("compartment-type", variables(oci_compartment_id=VAULT),
     ["restricted_api_user_oci_compartment_id must be the OCID of a compartment or tenancy"]),
    # users
    ("no-users", variables(service_users=[]), [USERS + " must list at least one service user, each with a unique name"]),
    ("duplicate-names", variables(service_users=[user("a", GROUP), user("a", GROUP)]),
     [USERS + ": entries 0 and 1 have the same name, a; give each service user a unique name",
      # and so the same default external ID and credentials secret name
      "external_id scanops-a is given to a and a", "the credentials secret qualys-api-a is named by a and a"]),
    ("email-empty", with_second(email=" "), [SECOND + ".email must not be empty: Qualys requires it."]),
    ("country-code", with_second(country="UK"),
     [SECOND + ".country 'UK' is not a country name Qualys knows", "not a code (here 'United Kingdom')"]),
    ("country-typo", with_second(country="Germnay"), ["Did you mean 'Germany'?"]),
    ("state-missing", with_second(address_state=None),
     [SECOND + ".address_state is required with country United States of America",
      "Australia, Canada, India, United States of America"]),
    ("external-id-blank", with_second(external_id="  "), [SECOND + ".external_id must not be empty (leave it out for the default"]),
    ("external-id-spaces", with_second(external_id="svc-vm "), [SECOND + ".external_id: 'svc-vm ' has leading or trailing spaces"]),
    ("secret-name-space", with_second(credentials_secret_name="qualys api"),
     [SECOND + ": the credentials secret name 'qualys api' (credentials_secret_name, default qualys-api-<name>) must be "
      "1 to 255 letters, digits"]),
    ("secret-name-default-too-long", variables(service_users=[user("n" * 250, GROUP)]),
     ["the credentials secret name 'qualys-api-nnn", "must be 1 to 255 letters"]),
    # scopes
    ("scope-all", with_second_scope(name=" all "), [SECOND + ".scope.name must not be All (a restricted user never sees everything)"]),
    ("scope-empty-name", with_second_scope(name=" "), [SECOND + ".scope.name must not be empty."]),
    ("scope-trailing-space", with_second_scope(name="Linux servers "),
     [SECOND + ".scope.name: 'Linux servers ' has leading or trailing spaces; remove them"]),
    ("group-comma", variables(service_users=[user("a", dict(GROUP, name="A, B"))]),
     [USERS + "[0] (a).scope.name 'A, B' holds a comma"]),
    ("group-without-ips", variables(service_users=[user("a", {"type": "asset_group", "name": "G"})]),
     [USERS + "[0] (a).scope: an asset_group scope needs ips"]),
    ("group-blank-ips", variables(service_users=[user("a", dict(GROUP, ips=["", " "]))]), ["an asset_group scope needs ips"]),
    ("group-with-tag-rule", variables(service_users=[user("a", dict(GROUP, os_contains="Linux"))]),
     ["an asset_group scope takes ips, not os_contains"]),
    ("tag-two-rules", with_second_scope(ip_ranges=["10.0.0.0/8"]),
     [SECOND + ".scope: a tag scope needs exactly one of ip_ranges, os_contains or os_regex, got ip_ranges and os_contains"]),
    ("tag-no-rule", with_second(scope={"type": "tag", "name": "T"}), ["a tag scope needs exactly one of"]),
    ("tag-with-ips", with_second(scope={"type": "tag", "name": "T", "ips": ["10.0.0.1"], "os_contains": "L"}),
     ["a tag scope takes ip_ranges, os_contains or os_regex, not ips"]),
    ("tag-os-blank", with_second_scope(os_contains=" "), [SECOND + ".scope.os_contains must not be empty."]),
    ("tag-os-regex-invalid", with_second(scope={"type": "tag", "name": "T", "os_regex": "*Linux"}),
     [SECOND + ".scope.os_regex: '*Linux' is not a valid regular expression (nothing to repeat"]),
    ("tag-os-regex-blank", with_second(scope={"type": "tag", "name": "T", "os_regex": ""}), ["scope.os_regex must not be empty."]),
    ("ip-invalid", with_second(scope=dict(GROUP, name="G2", ips=["10.0.0.1", "10.0.0.300"])),
     [SECOND + ".scope.ips: '10.0.0.300' is invalid: not an IP address, range or CIDR block. Use a single address"]),
    ("ip-reversed", with_second(scope=dict(GROUP, name="G2", ips=["10.0.0.9-10.0.0.1"])), ["the range ends before it starts"]),
    ("ip-host-bits", with_second(scope=dict(GROUP, name="G2", ips=["10.0.0.1/24"])), ["host bits are set"]),
    ("ip-short-range", with_second(scope=dict(GROUP, name="G2", ips=["10.0.0.1-9"])), ["write the range in full"]),
    ("tag-range-invalid", with_second(scope={"type": "tag", "name": "T", "ip_ranges": ["10.0.0.0/40"]}),
     [SECOND + ".scope.ip_ranges: '10.0.0.0/40' is invalid"]),
    ("ipv4-everything", with_second(scope=dict(GROUP, name="G2", ips=["0.0.0.0/0"])),
     [SECOND + ".scope.ips covers every IPv4 address (0.0.0.0-255.255.255.255), which is everything, like All",
      "set " + SECOND + ".scope.allow_very_wide: true"]),
    ("ipv4-everything-range", with_second(scope={"type": "tag", "name": "T", "ip_ranges": ["0.0.0.0-255.255.255.255"]}),
     [SECOND + ".scope.ip_ranges covers every IPv4 address"]),
    ("ipv4-everything-halves", with_second(scope=dict(GROUP, name="G2", ips=["0.0.0.0/1", "128.0.0.0/1"])),
     ["covers every IPv4 address"]),
    ("ipv6-everything", with_second(scope=dict(GROUP, name="G2", ips=["::/0", "10.0.0.1"])),
     ["covers every IPv6 address (10.0.0.1, ::-ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff)"]),
    ("both-everything", with_second(scope=dict(GROUP, name="G2", ips=["0.0.0.0/0", "::/0"])),
     ["covers every IPv4 and every IPv6 address"]),
    # roles
    ("role-name-blank", with_second(role={"name": " "}), [SECOND + ".role.name must not be empty."]),
    ("role-name-spaces", with_second(role=dict(ROLE_DEF, name=" API Read Only")),
     [SECOND + ".role.name: ' API Read Only' has leading or trailing spaces; remove them"]),
    ("role-permissions", with_second(role=dict(ROLE_DEF, permissions={"VM": [""]})),
     [SECOND + ".role.permissions.VM: permission names must be non-empty strings"]),
    # license (no value is ever quoted)
    ("license-missing-key", variables(license=dict((k, v) for k, v in LICENSE.items() if k != "aid")),
     ["restricted_api_user_license is missing or has empty: aid (cid, aid, pws_url and pws_port are all required); "
      "or give the whole license as content"]),
    ("license-http", variables(license=dict(LICENSE, pws_url="http://qagpublic.example.com")),
     ["restricted_api_user_license.pws_url must be an https:// URL"]),
    ("license-port", variables(license=dict(LICENSE, pws_port=70000)),
     ["restricted_api_user_license.pws_port must be between 1 and 65535"]),
    ("license-unknown-key", variables(license=dict(LICENSE, pwsUrl="x")),
     ["restricted_api_user_license has unknown keys pwsUrl: it takes cid, aid, pws_url and pws_port, or content"]),
    ("license-both", variables(license=dict(LICENSE, content="{}")),
     ["restricted_api_user_license takes either cid, aid, pws_url and pws_port, or content, not both"]),
    ("license-base64", variables(license={"content": "@@not base64@@", "content_format": "base64"}),
     ["restricted_api_user_license: content_format=base64 but content is not valid base64"]),
    ("license-content-not-license", variables(license={"content": "just text"}),
     ["restricted_api_user_license: content_kind=license but content is not a license JSON object"]),
    ("license-format-alone", variables(license=dict(LICENSE, content_format="plain")),
     ["restricted_api_user_license.content_format goes with content"]),
    ("license-secret-name", variables(license_secret_name="agent license"),
     ["restricted_api_user_license_secret_name must be 1 to 255 letters, digits"]),
    # scan recipe
    ("recipe-without-name", variables(scan_recipe={"schedule": "DAILY"}), ["restricted_api_user_scan_recipe.name must be set"]),
    ("recipe-weekly", variables(scan_recipe={"name": "R", "schedule": "WEEKLY"}),
     ["restricted_api_user_scan_recipe.day_of_week is required with schedule WEEKLY."]),
    ("recipe-daily-day", variables(scan_recipe={"name": "R", "day_of_week": "MONDAY"}),
     ["restricted_api_user_scan_recipe.day_of_week is only allowed with schedule WEEKLY."]),
    ("recipe-without-license", variables(scan_recipe={"name": "R"}, license={}),
     ["restricted_api_user_scan_recipe needs restricted_api_user_license"]),
    ("recipe-bad-choice", variables(scan_recipe={"name": "R", "schedule": "HOURLY"}), ["schedule", "DAILY, WEEKLY"]),
    # numbers
    ("max-wait", variables(max_wait=-5), ["restricted_api_user_max_wait must be 0 or more, got -5."]),
    ("rotation-days", variables(rotation_days=-1), ["restricted_api_user_rotation_days must be 0 or more, got -1."]),
    # conflicts between the users of one host
    ("same-external-id", with_second(external_id="scanops-servicenow"),
     ["external_id scanops-servicenow is given to servicenow and vmplatform: one Qualys user cannot be several service users"]),
    ("same-secret", with_second(credentials_secret_name="qualys-api-servicenow"),
     ["the credentials secret qualys-api-servicenow is named by servicenow and vmplatform: each service user needs its own"]),
    ("secret-like-license", with_second(credentials_secret_name="qualys-agent-license"),
     ["the credentials secret of vmplatform and the license secret (restricted_api_user_license_secret_name) are both named "
      "qualys-agent-license"]),
    ("secret-like-custom-license-name", variables(license_secret_name="qualys-api-vmplatform"),
     ["the credentials secret of vmplatform and the license secret", "qualys-api-vmplatform"]),
    ("scope-two-ip-lists", with_second(scope=dict(GROUP, ips=["10.9.0.0/16"])),
     ["scope asset_group 'ServiceNow scope' is defined differently by servicenow (ips 10.20.0.0-10.20.0.255, "
      "192.168.1.1-192.168.1.100) and vmplatform (ips 10.9.0.0-10.9.255.255): give every user of one scope the same ips"]),
    ("tag-two-rules-one-name", variables(service_users=[user("a", TAG), user("b", dict(TAG, os_contains="Windows")),
                                                        user("c", {"type": "tag", "name": "Linux servers", "ip_ranges": ["10.0.0.1"]})]),
     ["scope tag 'Linux servers' is defined differently by a (OS_REGEX .*Linux.*), b (OS_REGEX .*Windows.*) and "
      "c (NETWORK_RANGE 10.0.0.1)", "same rule (ip_ranges, os_contains or os_regex)"]),
    ("role-two-definitions", with_second(role=dict(ROLE_DEF, permissions={"VM": ["View", "Edit"]})),
     ["role API Read Only is defined differently by servicenow and vmplatform. Give every user of a role the same role "
      "definition"]),
    ("role-description-differs", with_second(role=dict(ROLE_DEF, description="Read-only API access for connectors")),
     ["role API Read Only is defined differently by servicenow and vmplatform"]),
    ("role-manage-definition-differs", with_second(role=dict(ROLE_DEF, manage_definition=True)),
     ["role API Read Only is defined differently by servicenow and vmplatform"]),
]


@pytest.mark.parametrize("case_id, given, fragments", CASES, ids=[case[0] for case in CASES])
def test_each_problem_is_found_and_says_what_is_accepted(case_id, given, fragments):
    found = problems(given)
    assert found, case_id
    message = " | ".join(found)
    for fragment in fragments:
        assert fragment in message, (case_id, found)
    # One problem, one message: nothing unrelated is reported with it.
    assert len(found) == 1 or case_id in ("spec-unknown-scope-key", "duplicate-names"), found
    for value in (LICENSE["cid"], LICENSE["aid"]):
        assert value not in message


def test_case_ids_are_unique():
    assert len(set(case[0] for case in CASES)) == len(CASES)


def test_several_problems_are_all_reported():
    bad = variables(oci_vault_id="x", max_wait=-1)
    bad["restricted_api_user_service_users"][1].update(email="", external_id="scanops-servicenow")
    found = problems(bad)
    assert len(found) == 4, found


def test_a_spec_error_stops_the_other_checks_of_that_host_only():
    hostvars = {"a": variables(rotation_days="monthly"), "b": variables(oci_vault_id="x")}
    found = problems(hostvars, hosts=["a", "b"])
    assert len(found) == 2, found
    assert found[0].startswith("host a: ") and "restricted_api_user_rotation_days" in found[0]
    assert found[1].startswith("host b: restricted_api_user_oci_vault_id is not a valid OCID")


# -- what is not a conflict -------------------------------------------------------------------------

def test_the_same_definitions_written_differently_do_not_conflict():
    same = variables(service_users=[
        user("a", GROUP, role={"name": "R", "permissions": {"VM": ["View", "Edit"]}}),
        user("b", dict(GROUP, ips=["10.20.0.0-10.20.0.255", "192.168.1.1-192.168.1.50", "192.168.1.51/32", "192.168.1.52-192.168.1.100"]),
             role={"name": "R", "permissions": {"VM": ["Edit", "View", "View"]},
                   "description": "Read-only API access for a service account (managed by scanops.qualys)"}),
        user("c", TAG),
        user("d", {"type": "tag", "name": "Linux servers", "os_regex": ".*Linux.*"}),
        # A tag and an asset group of one name are two objects.
        user("e", {"type": "tag", "name": "ServiceNow scope", "os_contains": "Windows"}),
    ])
    assert problems(same) == []


def test_allow_very_wide_allows_everything():
    wide = variables(service_users=[user("a", dict(GROUP, ips=["0.0.0.0/0", "::/0"], allow_very_wide=True))])
    assert problems(wide) == []


# -- several hosts: one Qualys subscription ---------------------------------------------------------

def host(name, scope=None, **changes):
    return variables(service_users=[user(name, scope or GROUP, **changes)])


def test_hosts_without_conflicts_pass():
    hostvars = {"bu01": host("bu01"), "bu02": host("bu02", TAG), "other": {"unrelated": True}}
    assert problems(hostvars, hosts=["bu01", "bu02"]) == []


def test_conflicts_across_hosts_name_both_hosts():
    hostvars = {
        "bu01": host("bu01"),
        "bu02": host("bu02", TAG, external_id="scanops-bu01"),
        "bu03": host("bu03", dict(GROUP, ips=["10.3.0.0/24"]), credentials_secret_name="qualys-api-bu01"),
        "bu04": host("bu04", TAG, role=dict(ROLE_DEF, manage_definition=True)),
    }
    found = problems(hostvars, hosts=sorted(hostvars))
    assert found == [
        "external_id scanops-bu01 is given to bu01 (host bu01) and bu02 (host bu02): one Qualys user cannot be several "
        "service users; give each its own external_id (default scanops-<name>).",
        "the credentials secret qualys-api-bu01 is named by bu01 (host bu01) and bu03 (host bu03): each service user needs "
        "its own secret; give them different credentials_secret_name (default qualys-api-<name>).",
        "scope asset_group 'ServiceNow scope' is defined differently by bu01 (host bu01) (ips 10.20.0.0-10.20.0.255, "
        "192.168.1.1-192.168.1.100) and bu03 (host bu03) (ips 10.3.0.0-10.3.0.255): give every user of one scope the same "
        "ips, or give the scopes different names.",
        "role API Read Only is defined differently by bu01 (host bu01), bu02 (host bu02), bu03 (host bu03) and bu04 "
        "(host bu04). Give every user of a role the same role definition (the same description, permissions and "
        "manage_definition in each), or give the roles different names.",
    ]


def test_a_problem_of_one_host_names_the_host():
    found = problems({"bu01": host("bu01"), "bu02": host("bu02", dict(GROUP, name="All"))}, hosts=["bu01", "bu02"])
    assert found == ["host bu02: restricted_api_user_service_users[0] (bu02).scope.name must not be All (a restricted user "
                     "never sees everything): name the scope of its own assets."]


def test_secret_names_conflict_only_within_one_vault():
    other_vault = "ocid1.vault.oc1.iad.aaaaaaaaothervault"
    hostvars = {"bu01": host("bu01"),
                "bu02": dict(host("bu02", TAG, credentials_secret_name="qualys-api-bu01"), restricted_api_user_oci_vault_id=other_vault)}
    assert problems(hostvars, hosts=["bu01", "bu02"]) == []
    # The name of a license secret is taken in the vault of each host.
    hostvars["bu02"]["restricted_api_user_service_users"][0]["credentials_secret_name"] = "qualys-agent-license"
    assert problems(hostvars, hosts=["bu01", "bu02"]) == [
        "the credentials secret of bu02 (host bu02) and the license secret (restricted_api_user_license_secret_name of host "
        "bu02) are both named qualys-agent-license: give the service user another credentials_secret_name."]
    hostvars["bu02"]["restricted_api_user_license_secret_name"] = "qualys-agent-license-2"
    assert problems(hostvars, hosts=["bu01", "bu02"]) == []
    hostvars["bu02"]["restricted_api_user_oci_vault_id"] = VAULT
    assert problems(hostvars, hosts=["bu01", "bu02"]) == [
        "the credentials secret of bu02 (host bu02) and the license secret (restricted_api_user_license_secret_name of host "
        "bu01) are both named qualys-agent-license: give the service user another credentials_secret_name."]


def test_one_license_secret_defined_differently_by_two_hosts():
    hostvars = {"bu01": host("bu01"), "bu02": dict(host("bu02", TAG), restricted_api_user_license=dict(LICENSE, cid="other"))}
    found = problems(hostvars, hosts=["bu01", "bu02"])
    assert found == ["the license secret qualys-agent-license of vault %s is defined differently by hosts bu01 and bu02 "
                     "(license, compartment or key): give every host the same restricted_api_user_license and OCI settings, "
                     "or another restricted_api_user_license_secret_name." % VAULT]
    assert "other" not in found[0].replace("another", "")
    # The same license written as content is the same license.
    content = '{"cid": "%s", "aid": "%s", "pwsUrl": "%s", "pwsPort": "443"}' % (LICENSE["cid"], LICENSE["aid"], LICENSE["pws_url"])
    hostvars["bu02"]["restricted_api_user_license"] = {"content": content, "content_format": "plain"}
    assert problems(hostvars, hosts=["bu01", "bu02"]) == []
    # Another name, or a host without a license, is no conflict.
    hostvars["bu02"]["restricted_api_user_license"] = dict(LICENSE, cid="other")
    hostvars["bu02"]["restricted_api_user_license_secret_name"] = "qualys-agent-license-2"
    assert problems(hostvars, hosts=["bu01", "bu02"]) == []


def test_one_scan_recipe_defined_differently_by_two_hosts():
    recipe = {"name": "qualys-agent-recipe"}
    hostvars = {"bu01": dict(host("bu01"), restricted_api_user_scan_recipe=recipe),
                "bu02": dict(host("bu02", TAG), restricted_api_user_scan_recipe=dict(recipe, port_scan_level="LIGHT"))}
    assert problems(hostvars, hosts=["bu01", "bu02"]) == [
        "the scan recipe qualys-agent-recipe is defined differently by hosts bu01 and bu02 (recipe settings or license "
        "secret): give every host the same restricted_api_user_scan_recipe, or another recipe name."]
    hostvars["bu02"]["restricted_api_user_scan_recipe"] = recipe
    assert problems(hostvars, hosts=["bu01", "bu02"]) == []


# -- the role, the filters and their documentation agree -------------------------------------------

def test_the_role_takes_every_option_of_its_argument_spec():
    """validate.yml gathers the role's variables with a regular expression that must list every option."""
    with open(os.path.join(ROLE, "tasks", "validate.yml")) as handle:
        text = handle.read()
    # The pattern is written as Jinja string pieces joined by ``~``.
    call = re.search(r"varnames', ('\^restricted_api_user_\(.*?\)\$')\)", text, re.S)
    assert call, "the varnames pattern of validate.yml was not found"
    regex = re.compile("".join(re.findall(r"'([^']*)'", call.group(1))))
    options = set(fl.role_spec())
    assert all(regex.match(name) for name in options)
    assert not regex.match("restricted_api_user_settings") and not regex.match("restricted_api_user_given")


def test_the_role_has_no_second_set_of_defaults():
    assert not os.path.exists(os.path.join(ROLE, "defaults"))


def test_every_filter_is_documented():
    names = sorted(FilterModule().filters())
    assert names == ["restricted_api_user_credentials", "restricted_api_user_problems", "restricted_api_user_settings",
                     "restricted_api_user_stored"]
    for name in names:
        with open(os.path.join(FILTER_DIR, name + ".yml")) as handle:
            doc = yaml.safe_load(handle)
        assert doc["DOCUMENTATION"]["name"] == name
        assert doc["EXAMPLES"] and doc["RETURN"]["_value"]


def test_the_example_inventory_of_the_per_host_playbook_passes():
    path = os.path.join(os.path.dirname(fl.SPEC_PATH), "..", "..", "..", "playbooks", "inventory", "per_host.yml")
    with open(path) as handle:
        group = yaml.safe_load(handle)["qualys_service_users"]
    hostvars = dict((name, dict(group["vars"], **host)) for name, host in group["hosts"].items())
    assert problems(hostvars, hosts=sorted(hostvars)) == []
    assert [s["host"] for s in settings(hostvars, hosts=sorted(hostvars))] == sorted(hostvars)
