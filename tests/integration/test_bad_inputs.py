# -*- coding: utf-8 -*-
# Copyright (c) scanops.qualys contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Bad-input catalogue: every case fails before any call, with a message that names the parameter and what is accepted.

Cases run in a few plays (one task per case, ``ignore_errors``; role cases in
blocks whose rescue keeps the error), so the whole catalogue costs a few
ansible-playbook runs. After each play both simulators' counters must show
no write, and no call at all.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import base64
import json

import pytest

from harness import QUALYS_ADMIN, awx_env, run_playbook_file
from reliability import (
    SCOPES,
    find_leaks,
    light_role_vars,
    oci_ids_of,
    play_texts,
    secret_values,
    service_user,
)

GOOD_OCID = {
    "compartment_id": "ocid1.compartment.oc1..aaaaaaaaexample",
    "vault_id": "ocid1.vault.oc1.iad.aaaaaaaaexample",
    "key_id": "ocid1.key.oc1.iad.aaaaaaaaexample",
}
LICENSE = {"cid": "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0", "aid": "a1b2c3d4-e5f6-4789-9abc-def012345678",
           "pws_url": "https://qagpublic.qg2.apps.qualys.com/CloudAgent/", "pws_port": 443}
SECRET = dict(GOOD_OCID, name="qualys-agent-license")
LICENSE_B64 = base64.b64encode(json.dumps({"cid": LICENSE["cid"], "aid": LICENSE["aid"], "pwsUrl": LICENSE["pws_url"],
                                           "pwsPort": LICENSE["pws_port"]}).encode()).decode()
RECIPE = {"compartment_id": GOOD_OCID["compartment_id"], "name": "R", "vault_secret_id": "ocid1.vaultsecret.oc1.iad.aaaaaaaaexample"}
USER = {"external_id": "scanops-bad", "first_name": "Bad", "last_name": "Input", "email": "secops@example.com",
        "phone": "+1 555 0100", "address1": "1 Example Street", "city": "New York", "country": "United States of America",
        "address_state": "New York", "user_role": "reader"}

# (case id, module, options, [every fragment the message must contain])
MODULE_CASES = [
    # asset groups: IPs, ranges, CIDRs, names
    ("ag-ip-octet", "qualys_asset_group", {"title": "G", "ips": ["10.0.0.300"]}, ["ips", "'10.0.0.300'", "a range (10.0.0.1-10.0.0.9)"]),
    ("ag-ip-word", "qualys_asset_group", {"title": "G", "ips": ["not-an-ip"]}, ["ips", "not an IP address", "CIDR block"]),
    ("ag-range-reversed", "qualys_asset_group", {"title": "G", "ips": ["10.0.0.9-10.0.0.1"]}, ["ips", "ends before it starts"]),
    ("ag-range-open", "qualys_asset_group", {"title": "G", "ips": ["10.0.0.1-"]}, ["ips", "'10.0.0.1-'", "a range"]),
    ("ag-range-mixed", "qualys_asset_group", {"title": "G", "ips": ["10.0.0.1-::1"]}, ["ips", "mixes IPv4 and IPv6"]),
    ("ag-cidr-prefix", "qualys_asset_group", {"title": "G", "ips": ["10.0.0.0/33"]}, ["ips", "'10.0.0.0/33'", "CIDR block"]),
    ("ag-cidr-host-bits", "qualys_asset_group", {"title": "G", "ips": ["10.0.0.1/24"]}, ["ips", "host bits", "10.0.0.0/24"]),
    ("ag-all", "qualys_asset_group", {"title": "All", "ips": ["10.0.0.1"]}, ["All"]),
    ("ag-title-empty", "qualys_asset_group", {"title": "", "ips": ["10.0.0.1"]}, ["title", "empty"]),
    ("ag-id", "qualys_asset_group", {"id": 0, "ips": ["10.0.0.1"]}, ["id", "positive integer"]),
    ("ag-appliance", "qualys_asset_group", {"title": "G", "appliance_ids": [0]}, ["appliance_ids", "positive integers"]),
    ("ag-dns-comma", "qualys_asset_group", {"title": "G", "dns_names": ["a.example,b.example"]}, ["dns_names", "comma"]),
    ("ag-impact", "qualys_asset_group", {"title": "G", "business_impact": "huge"}, ["business_impact", "critical, high"]),
    ("ag-ips-type", "qualys_asset_group", {"title": "G", "ips": {"from": "10.0.0.1"}}, ["ips", "list"]),
    ("ag-info-ids", "qualys_asset_group_info", {"ids": ["abc"]}, ["ids", "int"]),
    # tags
    ("tag-ip", "qualys_tag", {"name": "T", "ip_ranges": ["300.1.1.1"]}, ["ip_ranges", "'300.1.1.1'", "CIDR block"]),
    ("tag-range-reversed", "qualys_tag", {"name": "T", "ip_ranges": ["10.0.0.9-10.0.0.1"]}, ["ip_ranges", "ends before it starts"]),
    ("tag-ranges-empty", "qualys_tag", {"name": "T", "ip_ranges": []}, ["ip_ranges", "at least one"]),
    ("tag-os-empty", "qualys_tag", {"name": "T", "os_contains": ""}, ["os_contains", "empty"]),
    ("tag-rules-conflict", "qualys_tag", {"name": "T", "ip_ranges": ["10.0.0.1"], "os_contains": "Linux"},
     ["mutually exclusive", "ip_ranges", "os_contains"]),
    ("tag-color", "qualys_tag", {"name": "T", "color": "red"}, ["color", "#RRGGBB"]),
    ("tag-criticality", "qualys_tag", {"name": "T", "criticality_score": 9}, ["criticality_score", "1 to 5"]),
    ("tag-static-rule", "qualys_tag", {"name": "T", "rule_type": "STATIC", "rule_text": "x"}, ["rule_type=STATIC", "rule_text"]),
    ("tag-rule-missing", "qualys_tag", {"name": "T", "rule_type": "OS_REGEX"}, ["rule_type=OS_REGEX", "rule_text"]),
    ("tag-provider", "qualys_tag", {"name": "T", "provider": "OCI"}, ["provider", "CLOUD_ASSET"]),
    ("tag-name-empty", "qualys_tag", {"name": ""}, ["name", "empty"]),
    ("tag-parent-id", "qualys_tag", {"name": "T", "parent_id": -5}, ["parent_id", "tag id"]),
    # roles
    ("role-name-spaces", "qualys_role", {"name": " API Read Only "}, ["name", "leading or trailing spaces"]),
    ("role-name-empty", "qualys_role", {"name": ""}, ["name", "non-empty"]),
    ("role-permissions-type", "qualys_role", {"name": "R", "permissions": "VM"}, ["permissions", "dict"]),
    ("role-manual-absent", "qualys_role", {"name": "R", "state": "absent"},
     ["state=absent", "manage_definition=true", "manage_definition=false", "state=present"]),
    # service users
    ("user-contact", "qualys_service_user", dict(USER, user_role="contact"), ["user_role=contact", "cannot log in"]),
    ("user-role-unknown", "qualys_service_user", dict(USER, user_role="superuser"), ["user_role", "reader"]),
    ("user-ag-all", "qualys_service_user", dict(USER, asset_groups=["All"]), ["asset_groups", "'All'"]),
    ("user-email-empty", "qualys_service_user", dict(USER, email=""), ["email", "empty"]),
    ("user-ag-comma", "qualys_service_user", dict(USER, asset_groups=["a,b"]), ["asset_groups", "comma"]),
    ("user-manager-groups", "qualys_service_user", dict(USER, user_role="manager", asset_groups=["G"]), ["asset_groups", "manager"]),
    ("user-age", "qualys_service_user", dict(USER, password_mode="reset_if_older_than", max_password_age_days=0),
     ["max_password_age_days", "1 or more"]),
    ("user-rotated-at", "qualys_service_user", dict(USER, password_mode="reset_if_older_than", max_password_age_days=90,
                                                    password_rotated_at="yesterday"), ["password_rotated_at", "ISO-8601"]),
    ("user-password-mode", "qualys_service_user", dict(USER, password_mode="sometimes"), ["password_mode", "reset_if_invalid"]),
    ("user-no-identity", "qualys_service_user", dict((k, v) for k, v in USER.items() if k != "external_id"),
     ["external_id", "login"]),
    ("user-info-conflict", "qualys_service_user_info", {"external_id": "a", "external_id_contains": "b"},
     ["mutually exclusive", "external_id"]),
    # OCI secrets: OCIDs, names, content, license
    ("oci-compartment", "oci_qualys_secret", dict(SECRET, compartment_id="not-an-ocid", license=LICENSE),
     ["compartment_id", "ocid1.<type>.<realm>"]),
    ("oci-vault-type", "oci_qualys_secret", dict(SECRET, vault_id=GOOD_OCID["key_id"], license=LICENSE), ["vault_id", "vault", "'key'"]),
    ("oci-name", "oci_qualys_secret", dict(SECRET, name="bad name!", license=LICENSE), ["name", "letters, digits"]),
    ("oci-name-long", "oci_qualys_secret", dict(SECRET, name="n" * 300, license=LICENSE), ["name", "1 to 255"]),
    ("oci-base64", "oci_qualys_secret", dict(SECRET, content="@@not base64@@", content_format="base64"), ["content", "base64"]),
    # A truncated base64 paste of a license, and a base64 license declared plain: refused, never stored over a live one.
    ("oci-license-truncated", "oci_qualys_secret", dict(SECRET, content=LICENSE_B64[:-7], content_format="auto"),
     ["content", "looks like base64", "truncated"]),
    ("oci-license-plain-b64", "oci_qualys_secret", dict(SECRET, content=LICENSE_B64, content_format="plain"),
     ["content_format=plain", "encoded twice"]),
    ("oci-license-kind", "oci_qualys_secret", dict(SECRET, content="qwerty-text-123", content_kind="license"),
     ["content_kind=license", "cid"]),
    ("oci-license-key", "oci_qualys_secret", dict(SECRET, license=dict((k, v) for k, v in LICENSE.items() if k != "aid")),
     ["aid", "license"]),
    ("oci-license-http", "oci_qualys_secret", dict(SECRET, license=dict(LICENSE, pws_url="http://qagpublic.example.com")),
     ["license.pws_url", "https://"]),
    ("oci-license-port", "oci_qualys_secret", dict(SECRET, license=dict(LICENSE, pws_port=70000)), ["license.pws_port", "between 1 and 65535"]),
    ("oci-license-port-text", "oci_qualys_secret", dict(SECRET, license=dict(LICENSE, pws_port="https")),
     ["license.pws_port", "port number"]),
    ("oci-content-license-json", "oci_qualys_secret", dict(SECRET, content='{"cid": "x", "aid": "y", "pwsUrl": "ftp://h", "pwsPort": 443}'),
     ["pwsUrl", "https://"]),
    ("oci-conflict", "oci_qualys_secret", dict(SECRET, license=LICENSE, content="some plain text"),
     ["mutually exclusive", "license", "content"]),
    ("oci-nothing", "oci_qualys_secret", dict(SECRET), ["state is present", "license, content, credentials"]),
    ("oci-deletion-days", "oci_qualys_secret", dict(SECRET, state="absent", deletion_days=45), ["deletion_days", "1 and 30"]),
    ("oci-too-big", "oci_qualys_secret", dict(SECRET, content="x" * 30000, content_format="plain"), ["content", "25"]),
    ("oci-endpoint", "oci_qualys_secret", dict(SECRET, license=LICENSE, service_endpoint="ftp://vault.example.com"),
     ["service_endpoint", "https://"]),
    ("oci-retries", "oci_qualys_secret", dict(SECRET, license=LICENSE, api_retries=99), ["api_retries", "0 and 10"]),
    ("oci-info-ocid", "oci_qualys_secret_info", {"compartment_id": "ocid1.compartment"}, ["compartment_id", "ocid1.<type>.<realm>"]),
    ("recipe-secret-ocid", "oci_qualys_scan_recipe", dict(RECIPE, vault_secret_id="not-an-ocid"), ["vault_secret_id", "ocid1."]),
    ("recipe-name-empty", "oci_qualys_scan_recipe", dict(RECIPE, name=" "), ["name", "empty"]),
    ("recipe-weekly", "oci_qualys_scan_recipe", dict(RECIPE, schedule="WEEKLY"), ["day_of_week", "schedule=WEEKLY"]),
    ("recipe-wait", "oci_qualys_scan_recipe", {"compartment_id": GOOD_OCID["compartment_id"], "name": "R", "state": "absent",
                                               "wait_timeout": -1}, ["wait_timeout", "0 or more"]),
]


def without(options, key):
    return dict((name, value) for name, value in options.items() if name != key)


# Connection options, shared by every Qualys module; run without QUALYS_* in the environment.
CONN = {"url": "{{ sim_url }}", "username": QUALYS_ADMIN[0], "password": QUALYS_ADMIN[1]}
CONNECTION_CASES = [
    ("conn-http", "qualys_asset_group_info", dict(CONN, url="http://qualysapi.example.com"), ["url", "https://"]),
    ("conn-url-malformed", "qualys_asset_group_info", dict(CONN, url="https://"), ["url", "https://"]),
    ("conn-url-userinfo", "qualys_tag_info", dict(CONN, url="https://user@qualysapi.example.com"), ["url", "host name"]),
    ("conn-gateway-http", "qualys_role_info", dict(CONN, gateway_url="http://gateway.example.com"), ["gateway_url", "https://"]),
    ("conn-platform", "qualys_service_user_info", dict(without(CONN, "url"), platform="XX9"), ["platform", "US1"]),
    ("conn-no-endpoint", "qualys_asset_group_info", without(CONN, "url"), ["platform", "url"]),
    ("conn-platform-and-url", "qualys_asset_group_info", dict(CONN, platform="US1"), ["mutually exclusive", "platform", "url"]),
    ("conn-timeout-type", "qualys_asset_group_info", dict(CONN, timeout="soon"), ["timeout", "int"]),
    ("conn-timeout-range", "qualys_asset_group", dict(CONN, title="G", timeout=0), ["timeout", "1 or more"]),
    ("conn-retries-range", "qualys_tag", dict(CONN, name="T", max_retries=-1), ["max_retries", "0 or more"]),
    ("conn-validate-certs", "qualys_asset_group_info", dict(CONN, validate_certs="perhaps"), ["validate_certs", "bool"]),
    ("conn-password-alone", "qualys_asset_group_info", without(CONN, "username"), ["username", "password"]),
    ("conn-oidc", "qualys_asset_group_info", dict(CONN, auth_method="oidc"), ["auth_method=oidc", "client_id"]),
]


def role_cases(oci_ids):
    """(case id, role variables, [fragments]) — each would otherwise write something before failing."""
    def variables(**overrides):
        return light_role_vars(oci_ids, **overrides)

    def users(second_scope):
        return [service_user(*SCOPES["tag"]), service_user("second", second_scope)]

    def second(**changes):
        """The tag user, then a second user: the second is refused, so a late check would have written the first."""
        return [service_user(*SCOPES["tag"]), dict(service_user("second", SCOPES["asset_group"][1]), **changes)]

    def second_scope(**changes):
        return second(scope=dict(SCOPES["asset_group"][1], **changes))

    def second_role(**changes):
        return second(role=dict(service_user("x", {})["role"], **changes))

    bad_ips = {"type": "asset_group", "name": "Second scope", "ips": ["10.0.0.1", "10.0.0.300"]}
    all_scope = {"type": "asset_group", "name": "All", "ips": ["10.0.0.1"]}
    no_email = dict(service_user(*SCOPES["asset_group"]), email="")
    tag_name = SCOPES["tag"][1]["name"]
    return [
        ("role-all", variables(restricted_api_user_service_users=[service_user("a", all_scope)]), ["scope", "must not be All"]),
        ("role-vault-ocid", variables(restricted_api_user_oci_vault_id="not-an-ocid"),
         ["restricted_api_user_oci_vault_id", "not a valid OCID", "ocid1.<type>.<realm>"]),
        ("role-key-ocid-type", variables(restricted_api_user_oci_key_id=oci_ids["vault_id"]),
         ["restricted_api_user_oci_key_id", "OCID of a key", "'vault'"]),
        ("role-license-key", variables(restricted_api_user_license=dict((k, v) for k, v in LICENSE.items() if k != "aid")),
         ["restricted_api_user_license", "cid, aid, pws_url and pws_port"]),
        ("role-license-http", variables(restricted_api_user_license=dict(LICENSE, pws_url="http://qagpublic.example.com")),
         ["restricted_api_user_license", "pws_url", "https://"]),
        ("role-license-port", variables(restricted_api_user_license=dict(LICENSE, pws_port=70000)),
         ["restricted_api_user_license", "pws_port", "between 1 and 65535"]),
        ("role-license-base64", variables(restricted_api_user_license={"content": "@@not base64@@", "content_format": "base64"}),
         ["restricted_api_user_license", "base64"]),
        ("role-second-user-bad-ip", variables(restricted_api_user_service_users=users(bad_ips)),
         ["second", "ips", "'10.0.0.300'"]),
        ("role-second-user-reversed", variables(restricted_api_user_service_users=users(dict(bad_ips, ips=["10.0.0.9-10.0.0.1"]))),
         ["second", "ips", "ends before it starts"]),
        ("role-second-tag-bad-range", variables(restricted_api_user_service_users=users(
            {"type": "tag", "name": "Second tag", "ip_ranges": ["10.0.0.0/40"]})), ["second", "ip_ranges", "'10.0.0.0/40'"]),
        ("role-scope-without-ips", variables(restricted_api_user_service_users=[service_user("a", {"type": "asset_group", "name": "G"})]),
         ["scope", "asset_group scope needs ips"]),
        ("role-duplicate-names", variables(restricted_api_user_service_users=[service_user(*SCOPES["tag"])] * 2),
         ["restricted_api_user_service_users", "unique name"]),
        ("role-contact", variables(restricted_api_user_service_users=[dict(service_user(*SCOPES["tag"]), user_role="contact")]),
         ["user_role", "reader, scanner"]),
        ("role-users-type", variables(restricted_api_user_service_users="servicenow"), ["restricted_api_user_service_users", "dict"]),
        ("role-name-long", variables(restricted_api_user_service_users=[service_user("n" * 300, SCOPES["tag"][1])]),
         ["credentials secret name", "1 to 255"]),
        ("role-name-space", variables(restricted_api_user_service_users=[service_user("service now", SCOPES["tag"][1])]),
         ["credentials secret name", "letters, digits"]),
        ("role-second-cidr-host-bits", variables(restricted_api_user_service_users=users(dict(bad_ips, ips=["10.0.0.1/24"]))),
         ["second", "ips", "host bits"]),
        ("role-rotation-type", variables(restricted_api_user_rotation_days="monthly"), ["restricted_api_user_rotation_days", "int"]),
        ("role-second-email-empty", variables(restricted_api_user_service_users=[service_user(*SCOPES["tag"]), no_email]),
         ["email", "empty"]),
        # Conflicting definitions (issue 16 item 4): each names both entries.
        ("role-same-external-id", variables(restricted_api_user_service_users=second(external_id="scanops-soaktag")),
         ["external_id scanops-soaktag is given to soaktag and second"]),
        ("role-same-secret-name", variables(restricted_api_user_service_users=second(credentials_secret_name="qualys-api-soaktag")),
         ["credentials secret qualys-api-soaktag is named by soaktag and second"]),
        ("role-secret-named-like-license", variables(restricted_api_user_service_users=second(
            credentials_secret_name="qualys-agent-license")),
         ["credentials secret of second and the license secret", "restricted_api_user_license_secret_name", "qualys-agent-license"]),
        ("role-scope-two-ip-lists", variables(restricted_api_user_service_users=[
            service_user(*SCOPES["asset_group"]), service_user("second", dict(SCOPES["asset_group"][1], ips=["10.99.0.0/24"]))]),
         ["scope asset_group 'Soak scope' is defined differently by soakgroup", "and second (ips 10.99.0.0-10.99.0.255)"]),
        ("role-tag-two-rules", variables(restricted_api_user_service_users=[
            service_user(*SCOPES["tag"]), service_user("second", {"type": "tag", "name": tag_name, "ip_ranges": ["10.0.0.0/8"]})]),
         ["scope tag '%s' is defined differently by soaktag (OS_REGEX" % tag_name, "second (NETWORK_RANGE 10.0.0.0-10.255.255.255)"]),
        ("role-role-two-permission-sets", variables(restricted_api_user_service_users=second_role(permissions={"VM": ["View", "Edit"]})),
         ["role API Read Only is defined differently by soaktag and second"]),
        # Everything is like All (issue 16 item 5).
        ("role-scope-ipv4-everything", variables(restricted_api_user_service_users=second_scope(ips=["0.0.0.0/0"])),
         ["second", "scope.ips covers every IPv4 address", "like All", "allow_very_wide: true"]),
        ("role-scope-ipv4-full-range", variables(restricted_api_user_service_users=second(scope={
            "type": "tag", "name": "Everything v4", "ip_ranges": ["0.0.0.0-255.255.255.255"]})),
         ["second", "scope.ip_ranges covers every IPv4 address"]),
        ("role-scope-ipv6-everything", variables(restricted_api_user_service_users=second_scope(ips=["10.0.0.1", "::/0"])),
         ["second", "covers every IPv6 address"]),
        # Names Qualys keeps without their spaces, rules that do not compile (issue 16 item 14).
        ("role-scope-name-trailing-space", variables(restricted_api_user_service_users=second_scope(name="Soak scope ")),
         ["second", "scope.name: 'Soak scope ' has leading or trailing spaces; remove them"]),
        ("role-tag-name-leading-space", variables(restricted_api_user_service_users=second(scope=dict(SCOPES["tag"][1], name=" Tag"))),
         ["second", "scope.name: ' Tag' has leading or trailing spaces"]),
        ("role-role-name-trailing-space", variables(restricted_api_user_service_users=second_role(name="API Read Only ")),
         ["second", "role.name: 'API Read Only ' has leading or trailing spaces"]),
        ("role-os-regex-invalid", variables(restricted_api_user_service_users=second(scope={
            "type": "tag", "name": "Regex servers", "os_regex": ".*(Linux.*"})),
         ["second", "scope.os_regex", "not a valid regular expression"]),
        # Checks the modules make only at their turn, after the first user was written.
        ("role-second-country-code", variables(restricted_api_user_service_users=second(country="US")),
         ["second", "country 'US'", "full country name", "United States of America"]),
        ("role-second-state-missing", variables(restricted_api_user_service_users=second(address_state="")),
         ["second", "address_state is required with country United States of America"]),
        ("role-second-permissions-type", variables(restricted_api_user_service_users=second_role(permissions={"VM": {"View": 1}})),
         ["second", "role.permissions.VM must be a list of permission names"]),
        ("role-license-secret-name", variables(restricted_api_user_license_secret_name="agent license"),
         ["restricted_api_user_license_secret_name", "1 to 255 letters"]),
        ("role-recipe-without-license", variables(restricted_api_user_license={}, restricted_api_user_scan_recipe={"name": "R"}),
         ["restricted_api_user_scan_recipe needs restricted_api_user_license"]),
        ("role-recipe-weekly", variables(restricted_api_user_scan_recipe={"name": "R", "schedule": "WEEKLY"}),
         ["restricted_api_user_scan_recipe.day_of_week is required with schedule WEEKLY"]),
        ("role-max-wait", variables(restricted_api_user_max_wait=-1), ["restricted_api_user_max_wait must be 0 or more"]),
    ]


def module_task(index, case):
    case_id, module, options, _expected = case
    return {"name": case_id, "scanops.qualys.%s" % module: options, "register": "case_%d" % index, "ignore_errors": True}


def role_block(case_id, variables):
    return {
        "name": case_id,
        "block": [
            {"name": "Run the role (%s)" % case_id, "ansible.builtin.include_role": {"name": "scanops.qualys.restricted_api_user"},
             "vars": variables},
            {"name": "Not refused (%s)" % case_id, "ansible.builtin.set_fact": {"refused": False}},
        ],
        "rescue": [
            # A failed loop item keeps its message in results.
            {"name": "Refused (%s)" % case_id, "ansible.builtin.debug": {"msg": (
                "{{ ansible_failed_result.msg | default('') }} {{ ansible_failed_result.results | default([])"
                " | selectattr('failed', 'defined') | selectattr('failed') | map(attribute='msg') | join(' ') }}")}},
        ],
    }


@pytest.fixture
def quiet_sims(qualys_sim, oci_sim):
    qualys_sim.reset_stats()
    oci_sim.reset_stats()
    return qualys_sim, oci_sim


def untouched_problems(qualys_sim, oci_sim):
    """What either simulator was asked: nothing is the pass."""
    problems = []
    for sim in (qualys_sim, oci_sim):
        stats = sim.stats()
        problems.extend("%s was called: %s %s (%s)" % (sim.name, call["method"], call["path"], call.get("action"))
                        for call in stats["calls"])
    return problems


def assert_untouched(qualys_sim, oci_sim):
    for sim in (qualys_sim, oci_sim):
        stats = sim.stats()
        assert stats["writes"] == 0, (sim.name, stats["by_endpoint"])
        assert stats["calls"] == [], (sim.name, stats["by_endpoint"])


def run_cases(run_play, cases, env, tmp_path, qualys_sim, oci_sim, **kwargs):
    """Run module cases in one play; return the problems (not refused, message lacking, simulator called)."""
    tasks = [module_task(index, case) for index, case in enumerate(cases)]
    log = str(tmp_path / "ansible.log")
    env = dict(env, ANSIBLE_LOG_PATH=log)
    result = run_play(tasks, env=env, **kwargs)
    problems = untouched_problems(qualys_sim, oci_sim)
    for case_id, module, _options, expected in cases:
        entries = [t for t in result.tasks if t["task"] == case_id]
        if not entries or entries[0]["status"] != "failed":
            problems.append("%s (%s): not refused" % (case_id, module))
            continue
        message = entries[0]["result"].get("msg", "")
        missing = [fragment for fragment in expected if fragment not in message]
        if missing:
            problems.append("%s (%s): %r lacks %s" % (case_id, module, message, missing))
        if "********" in message:
            problems.append("%s (%s): %r shows a masked value instead of saying what is wrong" % (case_id, module, message))
    leaks = find_leaks(play_texts(result, log), secret_values(qualys_sim, oci_sim))
    problems.extend("leak: %s in %s" % (form, where) for where, form in leaks)
    return problems


def test_bad_module_inputs_fail_before_any_call_and_say_what_is_accepted(run_play, quiet_sims, tmp_path):
    qualys_sim, oci_sim = quiet_sims
    problems = run_cases(run_play, MODULE_CASES, awx_env(qualys_sim, oci_sim), tmp_path, qualys_sim, oci_sim)
    assert problems == [], "\n".join(problems)


def test_bad_connection_options_fail_before_any_call(run_play, quiet_sims, tmp_path):
    qualys_sim, oci_sim = quiet_sims
    problems = run_cases(run_play, CONNECTION_CASES, {"QUALYS_CA_PATH": qualys_sim.ca_path}, tmp_path, qualys_sim, oci_sim,
                         extra_vars={"sim_url": qualys_sim.url})
    assert problems == [], "\n".join(problems)


def test_the_catalogue_has_at_least_40_cases(oci_sim):
    assert len(MODULE_CASES) + len(CONNECTION_CASES) + len(role_cases(oci_ids_of(oci_sim))) >= 40
    assert len(set(case[0] for case in MODULE_CASES + CONNECTION_CASES)) == len(MODULE_CASES) + len(CONNECTION_CASES)


def test_bad_role_inputs_are_refused_before_anything_is_written(run_play, quiet_sims, tmp_path):
    qualys_sim, oci_sim = quiet_sims
    cases = role_cases(oci_ids_of(oci_sim))
    log = str(tmp_path / "ansible.log")
    result = run_play([role_block(case_id, variables) for case_id, variables, _expected in cases],
                      env=awx_env(qualys_sim, oci_sim, {"ANSIBLE_LOG_PATH": log}))
    problems = []
    for case_id, _variables, expected in cases:
        refused = [t for t in result.tasks if t["task"] == "Refused (%s)" % case_id]
        if not refused:
            problems.append("%s: not refused" % case_id)
            continue
        message = str(refused[0]["result"].get("msg"))
        missing = [fragment for fragment in expected if fragment not in message]
        if missing:
            problems.append("%s: %r lacks %s" % (case_id, message, missing))
    touched = untouched_problems(qualys_sim, oci_sim)
    assert problems + touched == [], "\n".join(problems + touched)
    assert find_leaks(play_texts(result, log), secret_values(qualys_sim, oci_sim) + [QUALYS_ADMIN[1]]) == []


def test_per_host_conflicts_are_refused_before_any_call(quiet_sims, tmp_path):
    """playbooks/restricted_api_user_per_host.yml: one definition per host, checked across hosts."""
    qualys_sim, oci_sim = quiet_sims
    hosts = {
        "bu01": {"restricted_api_user_service_users": [service_user("bu01", SCOPES["asset_group"][1])]},
        "bu02": {"restricted_api_user_service_users": [dict(service_user("bu02", SCOPES["tag"][1]), external_id="scanops-bu01")]},
        "bu03": {"restricted_api_user_service_users": [dict(service_user("bu03", dict(SCOPES["asset_group"][1], ips=["10.3.0.0/24"])),
                                                            credentials_secret_name="qualys-api-bu01")]},
    }
    inventory = tmp_path / "inventory.yml"
    inventory.write_text(json.dumps({"qualys_service_users": {"hosts": hosts}}))
    variables = dict(light_role_vars(oci_ids_of(oci_sim)))
    del variables["restricted_api_user_service_users"]
    done, recap = run_playbook_file("restricted_api_user_per_host.yml", str(inventory), variables,
                                    awx_env(qualys_sim, oci_sim), ["-f", "3"], str(tmp_path))
    output = done.stdout + done.stderr
    assert done.returncode != 0, output[-3000:]
    for fragment in ["Nothing was called: 3 input problems",
                     "external_id scanops-bu01 is given to bu01 (host bu01) and bu02 (host bu02)",
                     "credentials secret qualys-api-bu01 is named by bu01 (host bu01) and bu03 (host bu03)",
                     "scope asset_group 'Soak scope' is defined differently by bu01 (host bu01) (ips"]:
        assert fragment in output, output[-3000:]
    # The check stopped every host before anything: the role never ran, and neither simulator saw a call.
    assert "One restricted Qualys API service user per host" not in output
    assert recap and all(host["changed"] == 0 for host in recap.values()) and any(host["failed"] for host in recap.values()), recap
    assert untouched_problems(qualys_sim, oci_sim) == []
    assert find_leaks({"stdout": done.stdout, "stderr": done.stderr}, secret_values(qualys_sim, oci_sim)) == []
