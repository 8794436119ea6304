# -*- coding: utf-8 -*-
# Copyright (c) scanops.qualys contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""qualys_service_user and _info with user_api: rbac, against the simulator in enhanced-RBAC mode (issue 17).

The same options and results as the classic back-end (test_qualys_service_user.py), through the Administration
(adminui) user calls. ASSUMED shapes, as simulator settings (tests/simulators/README.md "Enhanced RBAC mode"):
the create reply (adminui_create_reply), listed users carrying externalId (adminui_external_id), the error body
(adminui_error_body); each test that varies one says so.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from test_qualys_service_user import INFO, PROFILE, Api, reveal, revealed, status, task, user_task, writes

UI = "/adminui/user-management/v1"
CREATE = "POST %s/user" % UI
STATUS = "PUT %s/user/status" % UI
RESET = "POST /msp/password_change.php"
EULA = "POST /msp/acceptEULA.php"
AM_UPDATE = "POST /qps/rest/2.0/update/am/user/{id}"


@pytest.fixture
def rbac_sim(qualys_sim):
    before = qualys_sim.control("GET", "config")
    qualys_sim.control("POST", "config", dict(before, user_api="rbac"))
    try:
        yield qualys_sim
    finally:
        qualys_sim.control("POST", "config", before)


@pytest.fixture
def api(rbac_sim, qualys_auth):
    return Api(rbac_sim, qualys_auth)


@pytest.fixture
def play(run_play, qualys_auth):
    defaults = dict(qualys_auth, max_retries=1, user_api="rbac")

    def runner(tasks, **kwargs):
        return run_play(tasks, module_defaults={"group/scanops.qualys.qualys": defaults}, **kwargs)
    return runner


def classic_user_calls(sim):
    return [key for key in sim.stats()["by_endpoint"] if "/msp/user.php" in key or "/msp/user_list.php" in key]


def test_create_check_mode_idempotency_and_info(rbac_sim, api, play):
    api.add_tag("Linux servers")
    api.add_role("API Read Only")
    rbac_sim.reset_stats()
    args = dict(scope_tags=["Linux servers"], roles=["API Read Only"], asset_groups=[])
    res = play([
        user_task("preview", "preview", check=True, **args),
        user_task("create", "created", no_log=True, **args),
        reveal("created"),
    ], diff=True)
    assert res.rc == 0, res
    preview, created = res.task("preview"), revealed(res, "created")
    assert preview["changed"] and preview["created"] and "credentials" not in preview
    creds = created["credentials"]
    assert creds["username"] and creds["password"] and created["eula_accepted"] and created["password_changed"]
    user = created["user"]
    assert user["status"] == "active" and user["roles"] == ["API Read Only"] and user["scope_tags"] == ["Linux servers"]
    assert user["external_id"] == PROFILE["external_id"] and user["asset_groups"] == []
    # Check mode predicted exactly what the run did (but the generated login and id), as with the classic back-end;
    # the fields the Administration list does not show are null in both.
    assert dict(preview["user"], login=user["login"], id=user["id"]) == user
    assert user["phone"] is None and user["business_unit"] is None and user["first_name"] == PROFILE["first_name"]
    # The Administration create (no password back), one reset with email=0 for the password, the EULA, am/user.
    assert writes(rbac_sim) == {CREATE: 1, RESET: 1, EULA: 1, AM_UPDATE: 1}
    assert classic_user_calls(rbac_sim) == []
    assert api.works((creds["username"], creds["password"]))

    rbac_sim.reset_stats()
    res = play([
        user_task("again", "again", **args),
        user_task("again check", "again_check", check=True, **args),
        task("info", "info", module=INFO, external_id=PROFILE["external_id"], user_api="rbac"),
    ], diff=True)
    assert res.rc == 0, res
    assert not res.task("again")["changed"] and not res.task("again check")["changed"]
    assert rbac_sim.writes() == 0 and classic_user_calls(rbac_sim) == []
    info = res.task("info")["users"]
    assert [u["login"] for u in info] == [user["login"]]
    assert info[0]["roles"] == ["API Read Only"] and info[0]["scope_tags"] == ["Linux servers"]
    assert info[0]["status"] == "active" and info[0]["user_role"] == "reader"


def test_deactivate_reactivate_and_reset(rbac_sim, play):
    res = play([user_task("create", "created", no_log=True)])
    assert res.rc == 0, res
    rbac_sim.reset_stats()
    res = play([
        user_task("absent", "absent", state="absent"),
        user_task("absent again", "absent_again", state="absent"),
        user_task("active", "active", state="active"),
        user_task("reset", "reset", no_log=True, password_mode="reset"),
        reveal("reset"),
    ])
    assert res.rc == 0, res
    assert res.task("absent")["changed"] and res.task("absent")["user"]["status"] == "inactive"
    assert not res.task("absent again")["changed"]
    assert res.task("active")["changed"] and res.task("active")["user"]["status"] == "active"
    reset = revealed(res, "reset")
    assert reset["changed"] and reset["password_status"] == "rotated" and reset["credentials"]["password"]
    assert writes(rbac_sim) == {STATUS: 2, RESET: 1}
    assert classic_user_calls(rbac_sim) == []


def test_a_profile_change_is_refused_naming_the_back_end(rbac_sim, play):
    assert play([user_task("create", "created", no_log=True)]).rc == 0
    rbac_sim.reset_stats()
    res = play([user_task("retitle", "retitle", ignore=True, title="Another title")])
    result = res.task("retitle")
    assert status(res, "retitle") == "failed" and "title" in result["msg"] and "user_api=rbac" in result["msg"], result
    assert rbac_sim.writes() == 0


def test_the_user_role_of_a_new_user_is_refused_when_not_reader(rbac_sim, play):
    res = play([user_task("create", "created", ignore=True, user_role="scanner")])
    result = res.task("create")
    assert status(res, "create") == "failed" and "user_role=scanner" in result["msg"] and "user_api=rbac" in result["msg"], result
    assert rbac_sim.writes() == 0


def test_create_reply_without_id_and_login(rbac_sim, play):
    # ASSUMED shape varied: adminui_create_reply=status_only, a create reply that names no user.
    config = rbac_sim.control("GET", "config")
    rbac_sim.control("POST", "config", dict(config, adminui_create_reply="status_only"))
    res = play([user_task("create", "created", no_log=True), reveal("created")])
    assert res.rc == 0, res
    created = revealed(res, "created")
    assert created["created"] and created["credentials"]["username"] == created["user"]["login"]
    again = play([user_task("again", "again")])
    assert again.rc == 0 and not again.task("again")["changed"]


def test_a_list_without_external_ids_is_an_error_not_a_second_user(rbac_sim, play):
    # ASSUMED shape varied: adminui_external_id=false, listed users without externalId.
    assert play([user_task("create", "created", no_log=True)]).rc == 0
    config = rbac_sim.control("GET", "config")
    rbac_sim.control("POST", "config", dict(config, adminui_external_id=False))
    rbac_sim.reset_stats()
    res = play([user_task("again", "again", ignore=True)])
    result = res.task("again")
    assert status(res, "again") == "failed" and "externalId" in result["msg"], result
    assert rbac_sim.writes() == 0
