# -*- coding: utf-8 -*-
# Copyright (c) scanops.qualys contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The Qualys client as a playbook sees it (issue 16 items 12-15): garbled reads asked for again,
max_wait from QUALYS_MAX_WAIT, a missing ca_path, and a password outside Latin-1."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

NON_LATIN_PASSWORD = u"P\u00e4ssw\u00f6rd-\u2713-1"
GROUP_LIST = "/api/2.0/fo/asset/group/"


@pytest.fixture
def auth(qualys_auth):
    """Connection options without max_wait, so that the environment may set it."""
    return dict((key, value) for key, value in qualys_auth.items() if key != "max_wait")


@pytest.fixture
def short_rate_waits(qualys_sim):
    """An injected 409 CODE 1965 announces a wait of about one second; the setting comes back afterwards."""
    saved = qualys_sim.control("GET", "config")["towait_scale"]
    qualys_sim.control("POST", "config", {"towait_scale": 0.00025})
    yield
    qualys_sim.control("POST", "config", {"towait_scale": saved})


def clean(result):
    return "Traceback" not in result.output and "MODULE FAILURE" not in result.output


def failed(result, name):
    return any(entry["task"] == name and "failed" in entry["status"] for entry in result.tasks)


def test_a_read_answered_with_a_cut_off_reply_is_asked_for_again(qualys_sim, run_play, auth):
    qualys_sim.control("POST", "faults", {"rules": [
        {"path": GROUP_LIST, "kind": "malformed", "times": 1},
        {"path": "/qps/rest/2.0/search/am/tag", "kind": "malformed", "times": 1}]})
    result = run_play([
        {"name": "groups", "scanops.qualys.qualys_asset_group_info": {}, "register": "groups"},
        {"name": "tags", "scanops.qualys.qualys_tag_info": {"name": "Asset Groups"}, "register": "tags"},
    ], module_defaults={"group/scanops.qualys.qualys": auth})
    assert result.rc == 0, result
    fired = qualys_sim.control("GET", "faults")["fired"]
    assert [fault["kind"] for fault in fired] == ["malformed", "malformed"]
    for task in ("groups", "tags"):
        warnings = " ".join(result.task(task).get("warnings", []))
        assert "a reply that breaks off" in warnings and "asking again" in warnings, result.task(task)
    assert clean(result)


def test_a_write_answered_with_a_cut_off_reply_is_not_sent_twice(qualys_sim, run_play, auth):
    qualys_sim.control("POST", "faults", {"rules": [{"path": GROUP_LIST, "action": "add", "kind": "malformed", "times": 1}]})
    result = run_play([{"name": "create", "scanops.qualys.qualys_asset_group": {"title": "Wire test", "ips": ["10.9.0.1"]}}],
                      module_defaults={"group/scanops.qualys.qualys": auth})
    # The group was made; the reply was lost, so the module looked it up instead of creating it again.
    assert result.rc == 0, result
    assert [group["title"] for group in qualys_sim.state()["asset_groups"]].count("Wire test") == 1
    adds = [call for call in qualys_sim.stats()["calls"] if call["action"] == "add"]
    assert len(adds) == 1 and adds[0]["fault"] == "malformed"
    assert clean(result)


def test_max_wait_comes_from_QUALYS_MAX_WAIT(qualys_sim, run_play, auth, short_rate_waits):
    rate_limited = {"rules": [{"path": GROUP_LIST, "kind": "409_1965", "times": 1}]}
    task = [{"name": "groups", "scanops.qualys.qualys_asset_group_info": {}, "ignore_errors": True}]
    defaults = {"group/scanops.qualys.qualys": auth}

    qualys_sim.control("POST", "faults", rate_limited)
    never = run_play(task, module_defaults=defaults, env={"QUALYS_MAX_WAIT": "0"})
    message = never.task("groups")["msg"]
    assert failed(never, "groups") and never.task("groups")["error_kind"] == "limit" and "Qualys error 1965" in message
    for way in ("max_wait", "QUALYS_MAX_WAIT", "restricted_api_user_max_wait"):
        assert way in message, message

    qualys_sim.control("POST", "faults", rate_limited)
    waited = run_play(task, module_defaults=defaults, env={"QUALYS_MAX_WAIT": "30"})
    assert not failed(waited, "groups"), waited
    assert "limit reached" in " ".join(waited.task("groups").get("warnings", []))

    # An option on the task wins over the environment.
    qualys_sim.control("POST", "faults", rate_limited)
    task[0]["scanops.qualys.qualys_asset_group_info"] = {"max_wait": 30}
    assert not failed(run_play(task, module_defaults=defaults, env={"QUALYS_MAX_WAIT": "0"}), "groups")
    assert clean(never) and clean(waited)


def test_a_missing_ca_path_names_the_option_and_the_path(qualys_sim, run_play, auth, tmp_path):
    missing = str(tmp_path / "no-such-ca.pem")
    without_ca = dict((key, value) for key, value in auth.items() if key != "ca_path")
    result = run_play([{"name": "groups", "scanops.qualys.qualys_asset_group_info": {}, "ignore_errors": True}],
                      module_defaults={"group/scanops.qualys.qualys": without_ca}, env={"QUALYS_CA_PATH": missing})
    outcome = result.task("groups")
    assert failed(result, "groups") and outcome["error_kind"] == "config", outcome
    assert "ca_path" in outcome["msg"] and "QUALYS_CA_PATH" in outcome["msg"] and missing in outcome["msg"]
    assert qualys_sim.stats()["calls"] == [] and clean(result)


def test_a_password_outside_latin1_is_sent_and_never_quoted(qualys_sim, run_play, auth):
    result = run_play([{"name": "groups", "scanops.qualys.qualys_asset_group_info": {}, "ignore_errors": True}],
                      module_defaults={"group/scanops.qualys.qualys": dict(auth, password=NON_LATIN_PASSWORD)})
    outcome = result.task("groups")
    # The simulator decoded the UTF-8 Basic credentials and refused them as a wrong password: no crash on the way.
    assert failed(result, "groups") and outcome["error_kind"] == "auth", outcome
    calls = qualys_sim.stats()["calls"]
    assert len(calls) == 1 and calls[0]["user"] == auth["username"]
    for char in set(NON_LATIN_PASSWORD):
        if ord(char) > 127:
            assert char not in result.output, char
    assert clean(result)
