# -*- coding: utf-8 -*-
# Copyright (c) scanops.qualys contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""qualys_connection_info against the Qualys simulator, through ansible-playbook.

One play checks six sets of credentials side by side (healthy Basic, healthy
OIDC client, bad password, expired account, EULA pending, no API access); the
simulator's call log, which names the user of every call, shows each check
made exactly the calls it should and nothing was written.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import re

import pytest
import requests

MODULE = "scanops.qualys.qualys_connection_info"
DETECTION = "POST /api/2.0/fo/asset/host/vm/detection/"
TOKEN = "POST /auth"
OIDC_TOKEN = "POST /auth/oidc"
APP_READS = {"fim": "POST /fim/v2/events/count", "pm": "GET /pm/v1/deploymentjobs/summary",
             "etm": "POST /etm/api/rest/v1/reports/list"}
ALL = ["vmdr", "fim", "pm", "etm"]
PASSWORD = "Conn-Check-Pass1"


class Admin:
    """Direct calls to the simulator as its Manager (for setup only)."""

    def __init__(self, sim, admin):
        self.sim = sim
        self.session = requests.Session()
        self.session.trust_env = False  # no environment proxy, no REQUESTS_CA_BUNDLE
        self.session.verify = sim.ca_path
        self.session.auth = admin
        self.session.headers["X-Requested-With"] = "scanops-tests"

    def qps(self, path, body):
        reply = self.session.post(self.sim.url + "/qps/rest/2.0/" + path, data=json.dumps({"ServiceRequest": body}),
                                  headers={"Accept": "application/json", "Content-Type": "application/json"}, timeout=30)
        reply.raise_for_status()
        service = reply.json()["ServiceResponse"]
        assert service["responseCode"] == "SUCCESS", service
        return service


@pytest.fixture
def sim_config(qualys_sim):
    """Change simulator settings for one test; the old values come back afterwards."""
    saved = qualys_sim.control("GET", "config")

    def change(**settings):
        qualys_sim.control("POST", "config", settings)

    yield change
    qualys_sim.control("POST", "config", saved)


def seed_users(sim, count):
    """``count`` Active readers (EULA accepted) with PASSWORD, by login."""
    sim.control("POST", "seed", {"users": count})
    logins = sorted(user["login"] for user in sim.state()["users"] if (user.get("external_id") or "").startswith("seed-"))
    for login in logins:
        sim.control("POST", "users/" + login, {"password": PASSWORD})
    return logins


def check(register, check_mode=False, **args):
    entry = {"name": register, MODULE: args, "register": register}
    if check_mode:
        entry["check_mode"] = True
    return entry


def calls_by_user(sim):
    """{login: sorted ["METHOD path" ...]} of every counted call."""
    found = {}
    for call in sim.stats()["calls"]:
        found.setdefault(call.get("user") or "", []).append("%s %s" % (call["method"], call["path"]))
    return dict((user, sorted(calls)) for user, calls in found.items())


def result(res, register):
    return res.task(register)


def failed(res, name):
    return "failed" in [entry["status"] for entry in res.tasks if entry["task"] == name][-1]


def test_each_credential_problem_is_named(qualys_sim, qualys_auth, run_play, sim_config):
    sim_config(pod="USPOD3")
    ok, oidc_user, bad, expired, eula, no_api = seed_users(qualys_sim, 6)
    qualys_sim.control("POST", "users/" + expired, {"expired": True})
    qualys_sim.control("POST", "users/" + eula, {"eula_accepted": False})
    admin = Admin(qualys_sim, (qualys_auth["username"], qualys_auth["password"]))
    admin.qps("create/am/role", {"data": {"Role": {"name": "UI only", "apiAccess": False, "uiAccess": True}}})
    no_api_id = [u["id"] for u in qualys_sim.state()["users"] if u["login"] == no_api][0]
    admin.qps("update/am/user/%d" % no_api_id, {"data": {"User": {"roleList": {"set": {"RoleData": {"name": "UI only"}}}}}})
    client = qualys_sim.control("POST", "oidc_clients", {"login": oidc_user})
    qualys_sim.reset_stats()

    res = run_play([
        check("healthy"),
        check("healthy_check", check_mode=True, username=ok, password=PASSWORD),
        check("oidc", auth_method="oidc", client_id=client["client_id"], client_secret=client["client_secret"]),
        check("bad", username=bad, password="Wrong-Pass-99"),
        check("expired", username=expired, password=PASSWORD),
        check("eula", username=eula, password=PASSWORD),
        check("no_api", username=no_api, password=PASSWORD),
    ], module_defaults={"group/scanops.qualys.qualys": qualys_auth})
    assert res.rc == 0 and res.failed == 0 and res.changed == 0, res

    healthy = result(res, "healthy")
    assert healthy["healthy"] is True and sorted(healthy["applications"]) == sorted(ALL)
    assert healthy["eula_accepted"] is True and healthy["account_expired"] is False
    assert healthy["summary"] == "healthy: vmdr, fim, pm, etm"
    assert healthy["limits"] == {"rate_limit": 300, "rate_window_sec": 3600, "rate_remaining": 299, "rate_to_wait_sec": 0,
                                 "concurrency_limit": 2, "concurrency_running": 1}
    assert healthy["platform"] == {"name": None, "source": None, "api_url": qualys_sim.url,
                                   "gateway_url": qualys_sim.url, "pod": "USPOD3"}
    vmdr = healthy["applications"]["vmdr"]
    assert vmdr["http_status"] == 200 and vmdr["error_code"] is None and vmdr["fix"] is None and vmdr["called"]
    assert vmdr["endpoint"] == DETECTION + "?action=list"
    fim = healthy["applications"]["fim"]
    assert fim["healthy"] and fim["endpoint"] == APP_READS["fim"]
    assert fim["limits"] == {"rate_limit": 300, "rate_window_sec": 3600, "rate_remaining": 299, "rate_to_wait_sec": 0}

    for register in ("healthy_check", "oidc"):
        out = result(res, register)
        assert out["healthy"] is True and all(app["healthy"] for app in out["applications"].values()), out

    bad_out = result(res, "bad")
    assert bad_out["healthy"] is False and bad_out["eula_accepted"] is None and bad_out["account_expired"] is None
    vmdr = bad_out["applications"]["vmdr"]
    assert (vmdr["reason"], vmdr["error_code"], vmdr["error_text"], vmdr["http_status"]) == (
        "bad_login_or_no_api_access", "2000", "Bad Login/Password", 401)
    assert "API access" in vmdr["fix"] and vmdr["limits"] == {}
    for name in ("fim", "pm", "etm"):
        app = bad_out["applications"][name]
        assert app["reason"] == "token_refused" and app["called"] is False and not app["healthy"]
        assert "refused to issue a token" in app["error_text"] and "expired" in app["fix"]
    assert bad_out["summary"].startswith("not healthy: vmdr: bad_login_or_no_api_access (Bad Login/Password)")

    expired_out = result(res, "expired")
    vmdr = expired_out["applications"]["vmdr"]
    assert (vmdr["reason"], vmdr["error_code"], vmdr["error_text"], vmdr["http_status"]) == (
        "account_expired", "2001", "This account has expired.", 200)
    assert expired_out["account_expired"] is True and expired_out["eula_accepted"] is None
    assert all(expired_out["applications"][name]["reason"] == "token_refused" for name in ("fim", "pm", "etm"))

    eula_out = result(res, "eula")
    assert eula_out["eula_accepted"] is False and eula_out["account_expired"] is None
    for name in ALL:
        app = eula_out["applications"][name]
        assert app["reason"] == "eula_not_accepted" and app["error_code"] == "2003" and app["http_status"] == 409
        assert app["error_text"].startswith("Registration must be completed") and "acceptEULA" in app["fix"]

    no_api_out = result(res, "no_api")
    vmdr = no_api_out["applications"]["vmdr"]
    assert (vmdr["reason"], vmdr["error_code"]) == ("bad_login_or_no_api_access", "2000")
    assert all(no_api_out["applications"][name]["reason"] == "token_refused" for name in ("fim", "pm", "etm"))

    # One call per application plus one token; a refused token is asked for once; nothing is written.
    apps = sorted([DETECTION] + list(APP_READS.values()))
    by_user = calls_by_user(qualys_sim)
    assert by_user[qualys_auth["username"]] == sorted(apps + [TOKEN])
    assert by_user[ok] == sorted(apps + [TOKEN])
    assert by_user[oidc_user] == sorted(apps + [OIDC_TOKEN])
    assert by_user[bad] == sorted([DETECTION, TOKEN])
    assert by_user[expired] == sorted([DETECTION, TOKEN])
    assert by_user[eula] == sorted(apps + [TOKEN])
    assert sorted(by_user.get("", []) + by_user.get(no_api, [])) == sorted([DETECTION, TOKEN])
    assert qualys_sim.writes() == 0
    assert PASSWORD not in res.output and "Wrong-Pass-99" not in res.output and client["client_secret"] not in res.output


def test_applications_the_subscription_lacks(qualys_sim, qualys_auth, run_play, sim_config):
    sim_config(modules=["PC", "ETM"])
    res = run_play([
        check("all"),
        check("etm_only", applications=["etm"]),
        dict(check("empty", applications=[]), ignore_errors=True),
        dict(check("unknown", applications=["vmdr", "was"]), ignore_errors=True),
    ], module_defaults={"group/scanops.qualys.qualys": qualys_auth})

    out = result(res, "all")
    assert out["healthy"] is False and out["eula_accepted"] is True and out["account_expired"] is False
    vmdr = out["applications"]["vmdr"]
    assert (vmdr["reason"], vmdr["error_code"], vmdr["http_status"]) == ("not_subscribed_or_no_permission", "2004", 403)
    assert "not enabled for this subscription" in vmdr["error_text"] and "VMDR" in vmdr["fix"]
    for name, title in (("fim", "File Integrity Monitoring"), ("pm", "Patch Management")):
        app = out["applications"][name]
        assert (app["reason"], app["http_status"], app["called"]) == ("not_subscribed_or_no_permission", 403, True)
        assert title in app["error_text"] and "not enabled" in app["error_text"] and title in app["fix"]
    assert out["applications"]["etm"]["healthy"] is True

    etm_only = result(res, "etm_only")
    assert etm_only["healthy"] is True and list(etm_only["applications"]) == ["etm"] and etm_only["limits"] == {}

    assert failed(res, "empty") and "applications must name at least one of vmdr" in result(res, "empty")["msg"]
    assert failed(res, "unknown") and "was" in result(res, "unknown")["msg"]
    # "all" made 5 calls, "etm only" 2, the refused inputs none.
    by_endpoint = qualys_sim.stats()["by_endpoint"]
    assert by_endpoint == {DETECTION + "?action=list": 1, TOKEN: 2, APP_READS["fim"]: 1, APP_READS["pm"]: 1, APP_READS["etm"]: 2}
    assert qualys_sim.writes() == 0


def test_gateway_reads_of_the_simulator(qualys_sim, qualys_auth):
    """The modelled application reads: Bearer only, method checked, limit headers."""
    session = requests.Session()
    session.trust_env = False
    session.verify = qualys_sim.ca_path
    url = qualys_sim.url
    token = session.post(url + "/auth", data={"username": qualys_auth["username"], "password": qualys_auth["password"],
                                              "token": "true"}, timeout=30).text
    bearer = {"Authorization": "Bearer " + token}
    assert session.post(url + "/fim/v2/events/count", json={}, headers=bearer, timeout=30).json() == {"count": 0}
    pm = session.get(url + "/pm/v1/deploymentjobs/summary", params={"platform": "Windows"}, headers=bearer, timeout=30)
    assert pm.status_code == 200 and pm.json() == [] and pm.headers["X-RateLimit-Remaining"] == "299"
    assert "X-Concurrency-Limit-Limit" not in pm.headers
    wrong_method = session.get(url + "/etm/api/rest/v1/reports/list", headers=bearer, timeout=30)
    assert wrong_method.status_code == 405
    basic = session.post(url + "/fim/v2/events/count", json={}, auth=(qualys_auth["username"], qualys_auth["password"]),
                         timeout=30)
    assert basic.status_code == 401 and basic.json()["errorCode"] == "401"
    qualys_sim.control("POST", "config", {"rate_limit": 1})
    try:
        limited = session.post(url + "/fim/v2/events/count", json={}, headers=bearer, timeout=30)
        assert limited.status_code == 429 and limited.headers["X-RateLimit-Remaining"] == "0"
        assert int(limited.headers["X-RateLimit-ToWait-Sec"]) > 0
    finally:
        qualys_sim.control("POST", "config", {"rate_limit": 300})


LIMIT_WAIT = re.compile(r"HTTP 409 \(limit reached\).*?X-Concurrency-Limit-Running=(\d+)")


@pytest.mark.parametrize("counts_self", [True, False], ids=["running-counts-the-call", "running-counts-others"])
def test_parallel_checks_within_a_concurrency_limit_of_one(qualys_sim, qualys_auth, run_play, sim_config, counts_self):
    """Three checks at once against one slot, under either reading of X-Concurrency-Limit-Running.

    Documented: Running includes the current call (a served reply shows Running == Limit, a refusal Limit + 1).
    Recorded: a lone call shows 0 (only the others: a served reply shows at most Limit - 1, a refusal Limit).
    Either way the served replies are healthy and every refusal is waited out as a limit; one refusal is
    injected as well (CODE 1960 with the Running value of the reading), so one is seen whatever the timing.
    """
    own = 1 if counts_self else 0
    sim_config(concurrency_limit=1, latency_ms=600, concurrency_running_counts_self=counts_self)
    qualys_sim.control("POST", "faults", {"rules": [{"path": DETECTION.split(" ")[1], "kind": "409_1960", "times": 1}]})
    res = run_play([
        dict(check("launch", applications=["vmdr"]), loop=[1, 2, 3], **{"async": 60, "poll": 0}),
        {"name": "wait", "ansible.builtin.async_status": {"jid": "{{ item.ansible_job_id }}"}, "loop": "{{ launch.results }}",
         "register": "wait", "until": "wait.finished", "retries": 60, "delay": 1},
    ], module_defaults={"group/scanops.qualys.qualys": dict(qualys_auth, max_wait=30)})
    assert res.rc == 0 and res.failed == 0, res
    outcomes = result(res, "wait")["results"]
    assert len(outcomes) == 3
    for out in outcomes:
        vmdr = out["applications"]["vmdr"]
        assert out["healthy"] is True and vmdr["http_status"] == 200 and vmdr["reason"] is None, out
        # A served reply never reads as a refusal, even with Running == Limit.
        assert out["limits"]["concurrency_limit"] == 1 and out["limits"]["concurrency_running"] == own
    refused = [call for call in qualys_sim.stats()["calls"] if call["status"] == 409]
    assert len(refused) >= 1 and qualys_sim.stats()["by_endpoint"][DETECTION + "?action=list"] == 3 + len(refused)
    # Each refusal was waited out as a limit; the warnings name the Running value the reading gives a refusal.
    waits = [int(running) for running in LIMIT_WAIT.findall(res.output)]
    assert waits and set(waits) == {1 + own}, (waits, res.output[-3000:])
