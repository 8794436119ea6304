# -*- coding: utf-8 -*-
# Copyright (c) scanops.qualys contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The restricted_api_user role in check mode, and what its reports show (issue 18 items 3, 5, 6 and 12).

A preview of the first rollout, from empty simulators, as change approval asks for it; the unknown role that nothing
creates; the field-by-field report; and the one shape of stored credentials, also with module_defaults.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json

from harness import QUALYS_ADMIN, ROLE_TASK, role_vars, run_role

PARTS = ("scope", "role", "user", "credentials", "access")


def report_of(directory):
    with open(str(directory / "drift_report.json")) as handle:
        report = json.load(handle)
    with open(str(directory / "drift_report.md")) as handle:
        return report, handle.read()


def parts_of(report, name):
    user = [user for user in report["service_users"] if user["name"] == name][0]
    return dict((part["part"], part) for part in user["parts"])


def changes_of(part):
    return dict((change["field"], (change["before"], change["after"])) for change in part["changes"])


def status(result, name):
    return [entry["status"] for entry in result.tasks if entry["task"] == name][-1]


def test_first_run_preview_from_empty_state_predicts_everything_and_writes_nothing(run_play, qualys_sim, oci_sim, oci_ids,
                                                                                   tmp_path):
    """`make demo ARGS="--check --diff"` on a fresh clone: the scope, role, users and credentials are predicted."""
    # As the demo's variables: with a scan recipe, which needs the id of a license secret that does not exist yet.
    variables = role_vars(oci_ids, tmp_path / "report",
                          restricted_api_user_scan_recipe={"name": "qualys-agent-recipe", "schedule": "DAILY"})
    check = run_role(run_play, qualys_sim, oci_sim, variables, check=True, diff=True)
    assert check.rc == 0, check
    assert qualys_sim.writes() == 0, qualys_sim.stats()["by_endpoint"]
    assert oci_sim.writes() == 0, oci_sim.stats()["by_endpoint"]
    assert [user for user in qualys_sim.state()["users"] if (user.get("external_id") or "").startswith("scanops-")] == []
    # The user task says which scope object it assumed an earlier task creates.
    assert "no asset group is titled 'Connector scope' yet" in check.output
    assert "no tag is named 'Linux servers' yet" in check.output

    report, markdown = report_of(tmp_path / "report")
    assert report["check_mode"] is True and report["drift"] == ["servicenow", "vmplatform"]
    assert report["license"] == {"secret_id": "", "secret_changed": True, "scan_recipe_id": "", "scan_recipe_changed": False}
    for name, scope_field, scope_value in (("servicenow", "ips", ["10.20.0.0-10.20.0.255", "192.168.1.1-192.168.1.100"]),
                                           ("vmplatform", "rule_type", "OS_REGEX")):
        parts = parts_of(report, name)
        assert set(parts) == set(PARTS)
        assert [part for part in PARTS if parts[part]["changed"]] == ["scope", "role", "user", "credentials"], parts
        assert changes_of(parts["scope"])[scope_field] == (None, scope_value)
        assert changes_of(parts["role"])["permissions"] == (None, {"VM": ["View"]})
        user = changes_of(parts["user"])
        assert user["external_id"] == (None, "scanops-%s" % name) and user["status"] == (None, "active")
        assert user["roles"] == (None, ["API Read Only"]) and user["password"] == (None, "created")
        assert parts["user"]["password"] == "created"
        assert changes_of(parts["credentials"]) == {"secret qualys-api-%s" % name: ("absent", "created")}
        scope = {"asset_groups": ["Connector scope"]} if name == "servicenow" else {"scope_tags": ["Linux servers"]}
        assert parts["user"]["assumed"] == dict({"asset_groups": [], "scope_tags": [], "roles": ["API Read Only"]}, **scope)
    assert "## What differs, field by field" in markdown
    assert "| servicenow | scope | ips | (none) | 10.20.0.0-10.20.0.255, 192.168.1.1-192.168.1.100 |" in markdown
    assert "| vmplatform | user | password | (none) | created |" in markdown
    assert "| servicenow | credentials | secret qualys-api-servicenow | absent | created |" in markdown
    assert "servicenow: assumed to be created by an earlier task of this run (check mode): asset groups Connector scope." in markdown


def test_an_unknown_role_that_nothing_creates_fails_check_mode_naming_it(run_play, qualys_sim, oci_sim, oci_ids):
    variables = role_vars(oci_ids)
    for user in variables["restricted_api_user_service_users"]:
        user["role"] = {"name": "No Such Role", "permissions": {"VM": ["View"]}}
    check = run_role(run_play, qualys_sim, oci_sim, variables, check=True, diff=True)
    assert check.rc != 0
    assert "No role called 'No Such Role' exists" in check.output
    assert qualys_sim.writes() == 0 and oci_sim.writes() == 0


def test_the_user_task_refuses_an_unknown_role_in_check_mode_unless_an_earlier_task_creates_it(
        run_play, qualys_sim, qualys_auth):
    tasks = [{"name": name, "scanops.qualys.qualys_service_user": dict(
        external_id="svc-role-check", first_name="Scan", last_name="Pipeline", title="Automation",
        email="secops@example.invalid", phone="+1 555 0100", address1="1 Main Street", city="Springfield",
        country="United States of America", address_state="Illinois", roles=["Future Role"], **extra),
        "ignore_errors": True, "check_mode": True} for name, extra in (
            ("unknown", {}), ("pending", {"pending_roles": ["Future Role"]}))]
    result = run_play(tasks, module_defaults={"group/scanops.qualys.qualys": qualys_auth})
    unknown, pending = result.task("unknown"), result.task("pending")
    assert status(result, "unknown") == "failed" and "roles: no role is named 'Future Role'" in unknown["msg"]
    assert status(result, "pending") == "changed" and pending["assumed"]["roles"] == ["Future Role"]
    assert any("no role is named 'Future Role' yet" in warning for warning in pending["warnings"])
    assert qualys_sim.writes() == 0


def test_credentials_stored_with_module_defaults_carry_the_resolved_api_url(run_play, qualys_sim, oci_sim, oci_ids,
                                                                            oci_auth, tmp_path):
    """Issue 16 item 11: no QUALYS_* variable, the connection from module_defaults as the README shows it."""
    variables = role_vars(oci_ids, tmp_path / "report")
    variables["restricted_api_user_service_users"] = variables["restricted_api_user_service_users"][:1]
    auth = {"url": qualys_sim.url, "gateway_url": qualys_sim.url, "username": QUALYS_ADMIN[0],
            "password": QUALYS_ADMIN[1], "ca_path": qualys_sim.ca_path}
    qualys_sim.reset_stats()
    oci_sim.reset_stats()
    result = run_play(ROLE_TASK, extra_vars=variables,
                      module_defaults={"group/scanops.qualys.qualys": auth, "group/scanops.qualys.oci": oci_auth},
                      env={"QUALYS_URL": "", "QUALYS_PLATFORM": ""})
    assert result.rc == 0, result
    # The CURRENT version: a new user's generated password is replaced at once (rotate_after_create).
    content = oci_sim.current_json("qualys-api-servicenow")
    assert set(content) == {"username", "password", "api_url", "platform", "rotated_at"}
    assert content["api_url"] == qualys_sim.url and content["platform"] is None
    # The stored dict goes back to the module whole: the next run verifies it and changes nothing.
    again = run_play(ROLE_TASK, extra_vars=variables,
                     module_defaults={"group/scanops.qualys.qualys": auth, "group/scanops.qualys.oci": oci_auth})
    assert again.rc == 0 and again.changed == 0, again
    report, _markdown = report_of(tmp_path / "report")
    user = parts_of(report, "servicenow")["user"]
    assert user["changes"] == [] and user["password"] == "unchanged"
