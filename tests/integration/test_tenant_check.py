# -*- coding: utf-8 -*-
# Copyright (c) scanops.qualys contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""playbooks/tenant_check.yml against the simulator, as a user types it, in the simulator's readings.

The classic reading (role API offered, Running counts the call itself) and the
alternative one (no role API, Running counts only the other calls) give each of
those assumptions both verdicts. Every run: every assumption in tenant_check.json
and tenant_check.md with its verdict, no secret anywhere, and either zero writes
(writes off, or check mode) or no throwaway object left afterwards (writes on).
In the simulator's classic mode the classic user API answers; its enhanced-RBAC mode
(user_api: rbac) is checked at the end: the report says the rbac back-end answers.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os

import requests

from harness import QUALYS_ADMIN, REPO, run_command
from reliability import find_leaks

PLAYBOOK = os.path.join(REPO, "playbooks", "tenant_check.yml")
PREFIX = "scanops-tenant-check-"
IDS = ("api_server_reachable", "gateway_token", "limit_headers", "concurrency_running_counts_self",
       "asset_group_list_fields", "tag_search_fields", "system_tag_markers", "role_api_not_offered",
       "classic_user_api", "oidc_client", "tag_write_cycle", "asset_group_write_cycle",
       "password_reset_returns_password")
WRITE_CHECKS = ("tag_write_cycle", "asset_group_write_cycle", "password_reset_returns_password")


def connection_env(sim, extra=None):
    """Connection settings as the AWX credential type injects them."""
    env = {"QUALYS_URL": sim.url, "QUALYS_GATEWAY_URL": sim.url, "QUALYS_USERNAME": QUALYS_ADMIN[0],
           "QUALYS_PASSWORD": QUALYS_ADMIN[1], "QUALYS_CA_PATH": sim.ca_path}
    env.update(extra or {})
    return env


def run_check(sim, cwd, args=(), env=None, report_dir=None):
    """Run the playbook from ``cwd``; return (PlayResult, report dict, markdown text)."""
    result = run_command([PLAYBOOK] + list(args), cwd=str(cwd), env=connection_env(sim, env), timeout=120)
    report_dir = str(report_dir or cwd)
    report, markdown = None, None
    if os.path.exists(os.path.join(report_dir, "tenant_check.json")):
        with open(os.path.join(report_dir, "tenant_check.json")) as handle:
            report = json.load(handle)
        with open(os.path.join(report_dir, "tenant_check.md")) as handle:
            markdown = handle.read()
    return result, report, markdown


def verdicts_of(report, markdown):
    """{id: verdict}, after checking that both files list every assumption once, with the same verdict."""
    verdicts = dict((item["id"], item["verdict"]) for item in report["assumptions"])
    assert [item["id"] for item in report["assumptions"]] == list(IDS)
    for item in report["assumptions"]:
        assert item["evidence"] and item["title"] and item["source"] and item["why"], item
        rows = [line for line in markdown.splitlines() if "(`%s`)" % item["id"] in line and line.startswith("| ")]
        assert len(rows) == 1 and "| %s |" % item["verdict"] in rows[0], (item["id"], rows)
    counts = dict((verdict, list(verdicts.values()).count(verdict))
                  for verdict in ("confirmed", "contradicted", "not_checked"))
    assert report["summary"] == dict(counts, total=len(IDS))
    return verdicts


def assert_no_secret(sim, result, report, markdown, extra=()):
    public = set(user["login"] for user in sim.state()["users"])
    secrets = set(sim.secrets()["secrets"]) | set([QUALYS_ADMIN[1]]) | set(extra)
    secrets = sorted(value for value in secrets if value and len(value) >= 6 and value not in public)
    texts = {"stdout": result.stdout, "stderr": result.stderr, "results": json.dumps(result.tasks),
             "json": json.dumps(report), "markdown": markdown}
    assert find_leaks(texts, secrets) == []
    return secrets


def api(sim, path, data=None, json_body=None):
    """One call to the simulator's Qualys API as the admin (test setup, outside the check)."""
    reply = requests.post(sim.url + path, data=data, json=json_body, auth=QUALYS_ADMIN, verify=sim.ca_path,
                          headers={"X-Requested-With": "test", "Accept": "application/json"}, timeout=30)
    reply.raise_for_status()
    return reply


def names(sim):
    state = sim.state()
    return sorted(tag["name"] for tag in state["tags"]), sorted(group["title"] for group in state["asset_groups"])


def test_classic_reading_read_only(qualys_sim, tmp_path):
    """Writes off: every read check, zero writes, the report in the current directory."""
    # A group and a tag with the values the read-only field checks look for.
    api(qualys_sim, "/api/2.0/fo/asset/group/",
        data={"action": "add", "title": "Lab servers", "comments": "lab", "ips": "10.20.0.1,10.20.0.5-10.20.0.9"})
    api(qualys_sim, "/qps/rest/2.0/create/am/tag", json_body={"ServiceRequest": {"data": {"Tag": {
        "name": "Lab range", "ruleType": "NETWORK_RANGE", "ruleText": "10.20.0.0-10.20.0.255"}}}})
    qualys_sim.reset_stats()

    result, report, markdown = run_check(qualys_sim, tmp_path)
    assert result.rc == 0 and report is not None, result
    assert qualys_sim.stats()["writes"] == 0
    assert verdicts_of(report, markdown) == {
        "api_server_reachable": "confirmed", "gateway_token": "confirmed", "limit_headers": "confirmed",
        "concurrency_running_counts_self": "confirmed", "asset_group_list_fields": "confirmed",
        "tag_search_fields": "confirmed", "system_tag_markers": "confirmed",
        # The simulator's default serves the guessed role API.
        "role_api_not_offered": "contradicted", "classic_user_api": "confirmed",
        "oidc_client": "not_checked", "tag_write_cycle": "not_checked", "asset_group_write_cycle": "not_checked",
        "password_reset_returns_password": "not_checked",
    }
    assert report["writes"] is False and report["leftovers"] == []
    assert result.task("Check the assumptions the collection makes about this subscription")["changed"] is False
    evidence = dict((item["id"], item["evidence"]) for item in report["assumptions"])
    assert "Running was 1" in evidence["concurrency_running_counts_self"]
    assert "srcAssetGroupId" in evidence["system_tag_markers"] and "srcBusinessUnitId" in evidence["system_tag_markers"]
    assert "Report: %s/tenant_check.md" % os.path.realpath(str(tmp_path)) in result.stdout
    assert_no_secret(qualys_sim, result, report, markdown)


def test_alternative_readings_in_check_mode_with_writes_asked(qualys_sim, tmp_path):
    """No role API (a QPS error), Running without the call itself, an OIDC client; --check: no write at all."""
    before = qualys_sim.control("GET", "config")
    client = qualys_sim.control("POST", "oidc_clients", {"login": QUALYS_ADMIN[0]})
    try:
        qualys_sim.control("POST", "config", {"role_api": "qps_error", "concurrency_running_counts_self": False})
        qualys_sim.reset_stats()
        result, report, markdown = run_check(
            qualys_sim, tmp_path, ["--check", "-e", "tenant_check_writes=true", "-e", "tenant_check_dir=reports",
                                   "-e", "tenant_check_throwaway_user=scanops_nobody"],
            env={"QUALYS_CLIENT_ID": client["client_id"], "QUALYS_CLIENT_SECRET": client["client_secret"]},
            report_dir=tmp_path / "reports")
    finally:
        qualys_sim.control("POST", "config", dict((key, before[key]) for key in
                                                  ("role_api", "concurrency_running_counts_self")))
    assert result.rc == 0 and report is not None, result
    stats = qualys_sim.stats()
    assert stats["writes"] == 0, stats["by_endpoint"]
    verdicts = verdicts_of(report, markdown)
    assert verdicts["role_api_not_offered"] == "confirmed"
    assert verdicts["concurrency_running_counts_self"] == "contradicted"
    assert verdicts["oidc_client"] == "confirmed" and stats["by_endpoint"].get("POST /auth/oidc") == 1
    assert verdicts["classic_user_api"] == "confirmed"
    # Nothing to look at in an empty subscription, and no throwaway object in check mode.
    assert verdicts["asset_group_list_fields"] == verdicts["tag_search_fields"] == "not_checked"
    evidence = dict((item["id"], item["evidence"]) for item in report["assumptions"])
    for key in WRITE_CHECKS:
        assert verdicts[key] == "not_checked" and evidence[key] == "Check mode: no write is made.", key
    assert "Running was 0" in evidence["concurrency_running_counts_self"]
    assert report["writes"] is False
    assert_no_secret(qualys_sim, result, report, markdown, extra=[client["client_secret"]])


def test_write_checks_confirm_and_leave_nothing_behind(qualys_sim, tmp_path):
    """Writes on, with a throwaway user: the tag and the group are gone afterwards, the new password shown nowhere."""
    qualys_sim.control("POST", "seed", {"users": 1})
    throwaway = [user for user in qualys_sim.state()["users"] if user["login"] != QUALYS_ADMIN[0]][0]
    tags_before, groups_before = names(qualys_sim)
    qualys_sim.reset_stats()

    result, report, markdown = run_check(
        qualys_sim, tmp_path, ["-e", "tenant_check_writes=true", "-e", "tenant_check_throwaway_user=%s" % throwaway["login"],
                               "-e", "tenant_check_dir=%s" % (tmp_path / "out")], report_dir=tmp_path / "out")
    assert result.rc == 0 and report is not None, result
    verdicts = verdicts_of(report, markdown)
    for key in WRITE_CHECKS + ("asset_group_list_fields", "tag_search_fields", "system_tag_markers"):
        assert verdicts[key] == "confirmed", (key, report)
    assert report["writes"] is True and report["leftovers"] == []
    assert result.task("Check the assumptions the collection makes about this subscription")["changed"] is True

    # Created, then deleted: the same tags and groups as before, none with the prefix.
    assert names(qualys_sim) == (tags_before, groups_before)
    endpoints = qualys_sim.stats()["by_endpoint"]
    assert endpoints["POST /api/2.0/fo/asset/group/?action=add"] == endpoints[
        "POST /api/2.0/fo/asset/group/?action=delete"] == 1
    assert endpoints["POST /qps/rest/2.0/create/am/tag"] == 1
    assert endpoints["POST /qps/rest/2.0/delete/am/tag/{id}"] == 2
    assert endpoints["POST /msp/password_change.php"] == 1
    # The password was reset and the new one is nowhere in what the run left.
    new_password = [user for user in qualys_sim.state()["users"] if user["login"] == throwaway["login"]][0]["password"]
    assert new_password != throwaway["password"]
    assert new_password in assert_no_secret(qualys_sim, result, report, markdown)


def test_bad_input_is_refused_before_any_call(qualys_sim, tmp_path):
    """throwaway_user=all would reset every password: refused, and the simulator sees no call."""
    qualys_sim.reset_stats()
    result, report, _markdown = run_check(
        qualys_sim, tmp_path, ["-e", "tenant_check_writes=true", "-e", "tenant_check_throwaway_user=all"])
    assert result.rc != 0 and report is None
    assert "'all' would reset every user's password" in result.task(
        "Check the assumptions the collection makes about this subscription")["msg"]
    assert qualys_sim.stats()["calls"] == []


def test_the_report_says_which_user_back_end_answers(qualys_sim, tmp_path):
    result, report, markdown = run_check(qualys_sim, tmp_path)
    assert result.rc == 0, result
    assert report["user_backend"]["answers"] == "classic" and report["user_backend"]["configured"] == "classic"
    assert "User back-end that answers: **classic**" in markdown

    config = qualys_sim.control("GET", "config")
    qualys_sim.control("POST", "config", dict(config, user_api="rbac"))
    try:
        result, report, markdown = run_check(qualys_sim, tmp_path, env={"QUALYS_USER_API": "rbac"})
    finally:
        qualys_sim.control("POST", "config", config)
    assert result.rc == 0, result
    backend = report["user_backend"]
    assert (backend["answers"], backend["classic"], backend["rbac"], backend["configured"]) == ("rbac", False, True, "rbac")
    assert "User back-end that answers: **rbac**" in markdown
