# -*- coding: utf-8 -*-
# Copyright (c) scanops.qualys contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The restricted_api_user role against the Qualys simulator in enhanced-RBAC mode (user_api: rbac, issue 17).

The simulator refuses user.php and user_list.php and serves the Administration (adminui) user calls. The role
runs with QUALYS_USER_API=rbac (as the AWX credential injects it), so every module takes the RBAC user back-end.

ASSUMED shapes this depends on (simulator settings, tests/simulators/README.md "Enhanced RBAC mode"): the create
reply (adminui_create_reply, default id_login), listed users carrying externalId (adminui_external_id, default
true), the error bodies (adminui_error_body) and how the classic calls are refused (rbac_classic_refusal).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import base64
import json

import pytest
import requests

from harness import role_vars, run_role

RBAC_ENV = {"QUALYS_USER_API": "rbac"}
CLASSIC_CALLS = ("/msp/user.php", "/msp/user_list.php")


@pytest.fixture
def rbac_sim(qualys_sim):
    """The session's simulator switched to enhanced-RBAC mode for one test, then back to its settings."""
    before = qualys_sim.control("GET", "config")
    qualys_sim.control("POST", "config", dict(before, user_api="rbac"))
    try:
        yield qualys_sim
    finally:
        qualys_sim.control("POST", "config", before)


def tag_scoped_vars(oci_ids, report_dir=None):
    """role_vars() with both users scoped by tags: an enhanced-RBAC user is scoped by tags, not asset groups."""
    variables = role_vars(oci_ids, report_dir)
    for user in variables["restricted_api_user_service_users"]:
        if user["scope"]["type"] == "asset_group":
            user["scope"] = {"type": "tag", "name": "Connector servers", "os_contains": "Windows"}
    return variables


def users_with(qualys_sim, external_id):
    return [user for user in qualys_sim.state()["users"] if user.get("external_id") == external_id]


def credentials_work(qualys_sim, login, password):
    reply = requests.post(qualys_sim.url + "/api/2.0/fo/asset/group/", data={"action": "list"}, auth=(login, password),
                          headers={"X-Requested-With": "test"}, verify=qualys_sim.ca_path, timeout=30)
    return reply.status_code == 200 and "<CODE>" not in reply.text


def current_credentials(oci_sim, name):
    secret = oci_sim.secret(name)
    version = [v for v in secret["versions"] if "CURRENT" in v["stages"]][0]
    return json.loads(base64.b64decode(version["content"]).decode("utf-8"))


def classic_calls(qualys_sim):
    return dict((key, count) for key, count in qualys_sim.stats()["by_endpoint"].items()
                if any(call in key for call in CLASSIC_CALLS))


def test_the_role_runs_green_in_rbac_mode_then_changes_nothing(run_play, rbac_sim, oci_sim, oci_ids, tmp_path):
    # Check mode first: everything predicted, nothing written.
    preview = run_role(run_play, rbac_sim, oci_sim, tag_scoped_vars(oci_ids), env=RBAC_ENV, check=True, diff=True)
    assert preview.rc == 0, preview
    assert preview.changed > 0 and rbac_sim.writes() == 0 and oci_sim.writes() == 0

    first = run_role(run_play, rbac_sim, oci_sim, tag_scoped_vars(oci_ids, tmp_path / "report"), env=RBAC_ENV)
    assert first.rc == 0, first
    assert first.changed > 0
    # Users through the Administration API only: the retired classic calls were never made.
    assert classic_calls(rbac_sim) == {}, rbac_sim.stats()["by_endpoint"]
    by_endpoint = rbac_sim.stats()["by_endpoint"]
    assert by_endpoint.get("POST /adminui/user-management/v1/user", 0) == 2, by_endpoint

    for external_id in ("scanops-servicenow", "scanops-vmplatform"):
        found = users_with(rbac_sim, external_id)
        assert len(found) == 1, external_id
        user = found[0]
        assert user["status"] == "Active" and user["eula_accepted"], user
        assert user["roles"] == ["API Read Only"], user
        assert len(user["scope_tags"]) == 1 and user["asset_groups"] == [], user

    # The stored credentials work: the role's rotation after create ran through the user's own password change.
    for name in ("servicenow", "vmplatform"):
        content = current_credentials(oci_sim, "qualys-api-%s" % name)
        assert set(content) == {"username", "password", "api_url", "platform", "rotated_at"}
        assert credentials_work(rbac_sim, content["username"], content["password"])
    report = json.loads((tmp_path / "report" / "drift_report.json").read_text())
    assert [user["name"] for user in report["service_users"]] == ["servicenow", "vmplatform"]
    assert all(user["login"] for user in report["service_users"])

    second = run_role(run_play, rbac_sim, oci_sim, tag_scoped_vars(oci_ids), env=RBAC_ENV)
    assert second.rc == 0, second
    assert second.changed == 0, second
    assert rbac_sim.writes() == 0, rbac_sim.stats()["by_endpoint"]
    assert oci_sim.writes() == 0, oci_sim.stats()["by_endpoint"]
    assert classic_calls(rbac_sim) == {}

    check = run_role(run_play, rbac_sim, oci_sim, tag_scoped_vars(oci_ids), env=RBAC_ENV, check=True, diff=True)
    assert check.rc == 0 and check.changed == 0, check
    assert rbac_sim.writes() == 0 and oci_sim.writes() == 0


def test_classic_back_end_on_an_rbac_subscription_suggests_user_api_rbac(run_play, rbac_sim, oci_sim, oci_ids):
    # ASSUMED: rbac_classic_refusal=failed_200 (the default), how user_list.php is refused under enhanced RBAC.
    failed = run_role(run_play, rbac_sim, oci_sim, tag_scoped_vars(oci_ids))
    assert failed.rc != 0
    assert "user_api: rbac" in failed.output, failed
    assert rbac_sim.stats()["by_endpoint"].get("POST /adminui/user-management/v1/user", 0) == 0


def test_asset_group_scope_is_refused_with_rbac_before_any_user_call(run_play, rbac_sim, oci_sim, oci_ids):
    refused = run_role(run_play, rbac_sim, oci_sim, role_vars(oci_ids), env=RBAC_ENV)
    assert refused.rc != 0
    assert "asset_groups is not supported with user_api=rbac" in refused.output, refused
    by_endpoint = rbac_sim.stats()["by_endpoint"]
    assert not any("/adminui/" in key for key in by_endpoint), by_endpoint
