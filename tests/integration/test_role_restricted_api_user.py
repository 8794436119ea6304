# -*- coding: utf-8 -*-
# Copyright (c) scanops.qualys contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The restricted_api_user role end to end, against both simulators, configured as AWX would (environment)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import base64
import json
import os
import re

import requests

from harness import QUALYS_ADMIN, SCOPE_TITLE, role_vars, run_role


def qualys_users(qualys_sim, external_id):
    return [user for user in qualys_sim.state()["users"] if user.get("external_id") == external_id]


def stored_credentials(oci_sim, name):
    secret = oci_sim.secret(name)
    assert secret is not None, "no secret %s" % name
    return secret


def credentials_work(qualys_sim, login, password):
    reply = requests.post(qualys_sim.url + "/api/2.0/fo/asset/group/", data={"action": "list"}, auth=(login, password),
                          headers={"X-Requested-With": "test"}, verify=qualys_sim.ca_path, timeout=30)
    return reply.status_code == 200 and "<CODE>" not in reply.text, reply.text


def decoded_secret_values(oci_sim):
    """Every stored secret content (decoded JSON text), newest last."""
    return [value for value in oci_sim.secret_values() if value.strip().startswith("{")]


def test_first_run_creates_everything_and_the_second_changes_nothing(run_play, qualys_sim, oci_sim, oci_ids, tmp_path):
    first = run_role(run_play, qualys_sim, oci_sim, role_vars(oci_ids, tmp_path / "report"))
    assert first.rc == 0, first
    assert first.changed > 0

    # Scope, role and users exist once each, bound as asked.
    state = qualys_sim.state()
    assert [g["title"] for g in state["asset_groups"] if g["title"] == SCOPE_TITLE] == [SCOPE_TITLE]
    servicenow = qualys_users(qualys_sim, "scanops-servicenow")
    vmplatform = qualys_users(qualys_sim, "scanops-vmplatform")
    assert len(servicenow) == 1 and len(vmplatform) == 1

    # The stored credentials are JSON with the documented keys, and they work.
    summary = first.task("Show the summary")["msg"]
    for name in ("servicenow", "vmplatform"):
        assert oci_sim.secret("qualys-api-%s" % name) is not None
    # CURRENT holds the password the role chose (rotate_after_create), not the one Qualys generated: two versions each.
    contents = [oci_sim.current_json("qualys-api-%s" % name) for name in ("servicenow", "vmplatform")]
    assert [len(oci_sim.secret("qualys-api-%s" % name)["versions"]) for name in ("servicenow", "vmplatform")] == [2, 2]
    for content in contents:
        assert set(content) == {"username", "password", "api_url", "platform", "rotated_at"}
        works, body = credentials_work(qualys_sim, content["username"], content["password"])
        assert works, body
        assert content["password"] not in summary
    assert oci_sim.secret("qualys-agent-license") is not None

    # The AWX artifacts (set_stats) carry the summary without secrets.
    report = json.loads((tmp_path / "report" / "drift_report.json").read_text())
    assert [user["name"] for user in report["service_users"]] == ["servicenow", "vmplatform"]
    assert all(user["login"] for user in report["service_users"])

    second = run_role(run_play, qualys_sim, oci_sim, role_vars(oci_ids))
    assert second.rc == 0, second
    assert second.changed == 0, second
    assert qualys_sim.writes() == 0, qualys_sim.stats()["by_endpoint"]
    assert oci_sim.writes() == 0, oci_sim.stats()["by_endpoint"]


def test_check_mode_reports_a_hand_made_change_and_a_real_run_fixes_it(run_play, qualys_sim, oci_sim, oci_ids, tmp_path):
    assert run_role(run_play, qualys_sim, oci_sim, role_vars(oci_ids)).rc == 0
    group = [g for g in qualys_sim.state()["asset_groups"] if g["title"] == SCOPE_TITLE][0]
    edited = requests.post(qualys_sim.url + "/api/2.0/fo/asset/group/",
                           data={"action": "edit", "id": str(group["id"]), "set_ips": "172.16.0.1-172.16.0.9"},
                           auth=QUALYS_ADMIN, headers={"X-Requested-With": "test"}, verify=qualys_sim.ca_path, timeout=30)
    assert edited.status_code == 200, edited.text

    check = run_role(run_play, qualys_sim, oci_sim, role_vars(oci_ids, tmp_path / "report"), check=True, diff=True)
    assert check.rc == 0, check
    assert qualys_sim.writes() == 0 and oci_sim.writes() == 0
    changed_tasks = [t["task"].split(" : ")[-1] for t in check.tasks if t["status"] == "changed"]
    assert changed_tasks == ["Asset group %s" % SCOPE_TITLE], changed_tasks
    assert "172.16.0.1-172.16.0.9" in check.stdout and "192.168.1.1-192.168.1.100" in check.stdout
    report = json.loads((tmp_path / "report" / "drift_report.json").read_text())
    assert report["check_mode"] is True and report["drift"] == ["servicenow"]
    parts = dict((p["part"], p["changed"]) for p in report["service_users"][0]["parts"])
    assert parts == {"scope": True, "role": False, "user": False, "credentials": False, "access": False}
    # What differs, field by field (issue 18 item 5).
    scope = report["service_users"][0]["parts"][0]
    assert scope["changes"] == [{"field": "ips", "before": ["172.16.0.1-172.16.0.9"],
                                 "after": ["10.20.0.0-10.20.0.255", "192.168.1.1-192.168.1.100"]}], scope
    assert "| servicenow | scope | ips | 172.16.0.1-172.16.0.9 | 10.20.0.0-10.20.0.255, 192.168.1.1-192.168.1.100 |" in (
        tmp_path / "report" / "drift_report.md").read_text()
    assert "Differs from the definition: servicenow" in (tmp_path / "report" / "drift_report.md").read_text()

    fix = run_role(run_play, qualys_sim, oci_sim, role_vars(oci_ids))
    assert fix.rc == 0 and fix.changed == 1, fix
    assert qualys_sim.writes() == 1 and oci_sim.writes() == 0
    again = run_role(run_play, qualys_sim, oci_sim, role_vars(oci_ids))
    assert again.changed == 0 and qualys_sim.writes() == 0


def test_a_run_that_fails_right_after_creating_the_user_recovers(run_play, qualys_sim, oci_sim, oci_ids, oci_env):
    one_user = role_vars(oci_ids)
    one_user["restricted_api_user_service_users"] = one_user["restricted_api_user_service_users"][:1]
    # The credentials secret cannot be stored: the new password is lost with this run.
    oci_sim.faults([{"method": "POST", "path": "/20180608/secrets", "kind": "500", "times": 1}])
    broken = run_role(run_play, qualys_sim, oci_sim, one_user, env=oci_env)
    assert broken.rc != 0
    assert len(qualys_users(qualys_sim, "scanops-servicenow")) == 1
    assert oci_sim.secret("qualys-api-servicenow") is None

    recovered = run_role(run_play, qualys_sim, oci_sim, one_user, env=oci_env)
    assert recovered.rc == 0, recovered
    assert len(qualys_users(qualys_sim, "scanops-servicenow")) == 1
    by_endpoint = qualys_sim.stats()["by_endpoint"]
    assert by_endpoint.get("POST /msp/password_change.php", 0) == 1, by_endpoint
    assert by_endpoint.get("POST /msp/user.php?action=add", 0) == 0
    content = [json.loads(v) for v in decoded_secret_values(oci_sim) if "username" in v]
    assert len(content) == 1
    assert credentials_work(qualys_sim, content[0]["username"], content[0]["password"])[0]

    settled = run_role(run_play, qualys_sim, oci_sim, one_user, env=oci_env)
    assert settled.changed == 0 and qualys_sim.writes() == 0 and oci_sim.writes() == 0


def test_bad_input_is_refused_before_any_call(run_play, qualys_sim, oci_sim, oci_ids):
    variables = role_vars(oci_ids)
    variables["restricted_api_user_service_users"][0]["scope"]["name"] = "All"
    refused = run_role(run_play, qualys_sim, oci_sim, variables)
    assert refused.rc != 0
    assert "must not be All" in refused.output
    assert qualys_sim.stats()["calls"] == [] and oci_sim.stats()["calls"] == []

    # The README's old full example: one role name, two descriptions, which flipped on every run.
    variables = role_vars(oci_ids)
    variables["restricted_api_user_service_users"][0]["role"]["description"] = "Read-only API access for connectors"
    refused = run_role(run_play, qualys_sim, oci_sim, variables)
    assert refused.rc != 0
    assert "role API Read Only is defined differently by servicenow and vmplatform" in refused.output
    assert qualys_sim.stats()["calls"] == [] and oci_sim.stats()["calls"] == []

    variables = role_vars(oci_ids, restricted_api_user_oci_vault_id="not-an-ocid")
    refused = run_role(run_play, qualys_sim, oci_sim, variables)
    assert refused.rc != 0 and "restricted_api_user_oci_vault_id" in refused.output
    assert qualys_sim.stats()["calls"] == [] and oci_sim.stats()["calls"] == []


def test_no_secret_reaches_the_output_even_at_vvvv(run_play, qualys_sim, oci_sim, oci_ids):
    result = run_role(run_play, qualys_sim, oci_sim, role_vars(oci_ids), verbosity=4, diff=True)
    assert result.rc == 0, result
    secrets = set(qualys_sim.secrets()["secrets"]) | set(oci_sim.secret_values())
    secrets.add(QUALYS_ADMIN[1])
    # Logins and rotation times are stored with the passwords but are not secret: the summary shows logins.
    public = set(user["login"] for user in qualys_sim.state()["users"])
    secrets = set(value for value in secrets if value not in public and not re.match(r"^\d{4}-\d\d-\d\dT", value))
    output = result.output + json.dumps(result.tasks)
    leaked = []
    for value in secrets:
        if not value or len(value) < 6:
            continue
        forms = {value, base64.b64encode(value.encode("utf-8")).decode("ascii")}
        leaked.extend(form for form in forms if form in output)
    assert leaked == [], "secret values found in the output"
    assert os.path.exists(oci_sim.fixtures["config_file"])


def test_the_report_shows_each_field_that_differs_and_never_a_password(run_play, qualys_sim, oci_sim, oci_ids, tmp_path):
    """Issue 18 item 5: the user task runs with no_log, yet the report says what differs, field by field."""
    one_user = role_vars(oci_ids, tmp_path / "report")
    one_user["restricted_api_user_service_users"] = one_user["restricted_api_user_service_users"][:1]
    assert run_role(run_play, qualys_sim, oci_sim, one_user).rc == 0
    (user,) = qualys_users(qualys_sim, "scanops-servicenow")
    # By hand, in Qualys: another title, and a password reset the vault does not know.
    for script, data in (("user.php", {"action": "edit", "login": user["login"], "title": "Edited by hand"}),
                         ("password_change.php", {"user_logins": user["login"], "email": "0"})):
        reply = requests.post(qualys_sim.url + "/msp/" + script, data=data, auth=QUALYS_ADMIN,
                              headers={"X-Requested-With": "test"}, verify=qualys_sim.ca_path, timeout=30)
        assert reply.status_code == 200 and "SUCCESS" in reply.text, reply.text

    for check, after in ((True, "new version"), (False, "version 3")):
        result = run_role(run_play, qualys_sim, oci_sim, one_user, check=check)
        assert result.rc == 0, result
        report = json.loads((tmp_path / "report" / "drift_report.json").read_text())
        markdown = (tmp_path / "report" / "drift_report.md").read_text()
        parts = dict((part["part"], part) for part in report["service_users"][0]["parts"])
        assert parts["user"]["changes"] == [
            {"field": "title", "before": "Edited by hand", "after": "API service account"},
            {"field": "password", "before": "does not log in", "after": "reset"},
        ], parts["user"]
        assert parts["user"]["password"] == "reset"
        assert parts["credentials"]["changes"] == [
            {"field": "secret qualys-api-servicenow", "before": "version 2", "after": after}]
        assert parts["scope"]["changes"] == [] and parts["role"]["changes"] == []
        assert "| servicenow | user | title | Edited by hand | API service account |" in markdown
        assert "| servicenow | user | password | does not log in | reset |" in markdown
        secrets = set(value for value in set(qualys_sim.secrets()["secrets"]) | set(oci_sim.secret_values()) if len(value) > 5)
        secrets = set(value for value in secrets if not value.startswith("{") and not re.match(r"^\d{4}-\d\d-\d\dT", value))
        secrets.discard(user["login"])
        written = json.dumps(report) + markdown + result.output
        assert [value for value in secrets if value in written] == []
    assert run_role(run_play, qualys_sim, oci_sim, one_user).changed == 0
