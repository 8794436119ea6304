# -*- coding: utf-8 -*-
# Copyright (c) scanops.qualys contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Connection options on the task against settings injected by AWX: the task decides what is checked and where."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from harness import QUALYS_ADMIN

MODULE = "scanops.qualys.qualys_connection_info"


def injected(qualys_sim):
    """The environment an AWX "Qualys API" credential with a username and password gives a job."""
    return {"QUALYS_URL": qualys_sim.url, "QUALYS_GATEWAY_URL": qualys_sim.url, "QUALYS_CA_PATH": qualys_sim.ca_path,
            "QUALYS_USERNAME": QUALYS_ADMIN[0], "QUALYS_PASSWORD": QUALYS_ADMIN[1]}


def test_a_wrong_oidc_secret_on_the_task_is_not_healthy_whatever_the_environment_holds(run_play, qualys_sim):
    client = qualys_sim.control("POST", "oidc_clients", {"login": QUALYS_ADMIN[0]})
    wrong = "Wrong-client-secret-42"
    result = run_play([
        {"name": "wrong", MODULE: {"client_id": client["client_id"], "client_secret": wrong, "applications": ["vmdr"]},
         "register": "wrong"},
        {"name": "right", MODULE: {"client_id": client["client_id"], "client_secret": client["client_secret"],
                                   "applications": ["vmdr", "pm"]}, "register": "right"},
        {"name": "injected", MODULE: {"applications": ["vmdr"]}, "register": "injected"},
    ], env=injected(qualys_sim))
    assert result.rc == 0, result
    wrong_result = result.task("wrong")
    assert wrong_result["healthy"] is False, wrong_result
    assert wrong_result["applications"]["vmdr"]["reason"] == "token_refused"
    assert wrong_result["auth"] == {"method": "oidc", "identity": client["client_id"], "identity_type": "client_id",
                                    "source": "task"}
    right = result.task("right")
    assert right["healthy"] is True, right
    assert right["auth"]["method"] == "oidc" and right["auth"]["identity"] == client["client_id"]
    from_env = result.task("injected")
    assert from_env["healthy"] is True
    assert from_env["auth"] == {"method": "basic", "identity": QUALYS_ADMIN[0], "identity_type": "username",
                                "source": "environment"}
    # The wrong secret's task asked for a token, was refused, and never fell back to the injected password.
    calls = ["%s %s" % (call["method"], call["path"]) for call in qualys_sim.stats()["calls"]]
    refused = [call for call in qualys_sim.stats()["calls"] if call.get("user") is None]
    assert ["%s %s" % (call["method"], call["path"]) for call in refused] == ["POST /auth/oidc"], calls
    assert calls.count("POST /api/2.0/fo/asset/host/vm/detection/") == 2, calls
    assert wrong not in result.output and client["client_secret"] not in result.output


def test_platform_or_url_on_the_task_wins_over_the_environment(run_play, qualys_sim):
    env = injected(qualys_sim)
    env["QUALYS_PLATFORM"] = "us2"
    del env["QUALYS_URL"]
    result = run_play([
        # url on the task, QUALYS_PLATFORM injected: the task's url is used.
        {"name": "url_on_task", MODULE: {"url": qualys_sim.url, "gateway_url": qualys_sim.url, "applications": ["vmdr"]},
         "register": "url_on_task"},
        # platform on the task, QUALYS_URL injected: no "mutually exclusive", the platform's hosts are used.
        {"name": "platform_on_task", MODULE: {"platform": "US2", "applications": ["vmdr"], "max_retries": 0, "timeout": 5},
         "register": "platform_on_task", "environment": {"QUALYS_URL": qualys_sim.url, "QUALYS_PLATFORM": ""}},
    ], env=env)
    assert result.rc == 0, result
    assert "mutually exclusive" not in result.output
    assert result.task("url_on_task")["healthy"] is True
    platform = result.task("platform_on_task")["platform"]
    assert platform["name"] == "US2" and platform["api_url"] == "https://qualysapi.qg2.apps.qualys.com"
    assert platform["gateway_url"] == "https://gateway.qg2.apps.qualys.com"


def test_private_url_without_a_gateway_names_gateway_url(run_play, qualys_sim):
    env = injected(qualys_sim)
    del env["QUALYS_GATEWAY_URL"]
    result = run_play([
        {"name": "jwt", "scanops.qualys.qualys_asset_group_info": {"auth_method": "jwt"}, "ignore_errors": True},
        {"name": "basic", "scanops.qualys.qualys_asset_group_info": {}},
    ], env=env)
    assert "gateway_url" in result.task("jwt")["msg"] and "QUALYS_GATEWAY_URL" in result.task("jwt")["msg"]
    assert result.task("basic").get("failed") is not True
    assert qualys_sim.writes() == 0
