# -*- coding: utf-8 -*-
# Copyright (c) scanops.qualys contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Connection checks with the real client against a scripted HTTPS server: each reply -> a result that says what to fix."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json

import pytest

from ansible_collections.scanops.qualys.plugins.module_utils import qualys_connection as conn
from ansible_collections.scanops.qualys.plugins.module_utils.qualys_client import QualysClient

from ansible_collections.scanops.qualys.tests.unit.plugins.module_utils.scripted_server import Reply, ScriptedServer

SIMPLE = "<SIMPLE_RETURN><RESPONSE><DATETIME>2026-01-01T00:00:00Z</DATETIME><CODE>%s</CODE><TEXT>%s</TEXT></RESPONSE></SIMPLE_RETURN>"
DETECTION = ("<HOST_LIST_VM_DETECTION_OUTPUT><RESPONSE><DATETIME>2026-01-01T00:00:00Z</DATETIME></RESPONSE>"
             "</HOST_LIST_VM_DETECTION_OUTPUT>")
VM_HEADERS = {"X-RateLimit-Limit": "300", "X-RateLimit-Window-Sec": "3600", "X-RateLimit-Remaining": "297",
              "X-RateLimit-ToWait-Sec": "0", "X-Concurrency-Limit-Limit": "2", "X-Concurrency-Limit-Running": "1",
              "X-Powered-By": "Qualys:USPOD3:1111-2222:3333-4444"}
GW_HEADERS = {"X-RateLimit-Limit": "1000", "X-RateLimit-Window-Sec": "3600", "X-RateLimit-Remaining": "999",
              "X-RateLimit-ToWait-Sec": "0"}
TOKEN = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln"


@pytest.fixture(scope="module")
def server(_tls_files):
    """One scripted server for the whole file (each test scripts it afresh); stopping one costs half a second."""
    scripted = ScriptedServer(*_tls_files)
    yield scripted
    scripted.stop()


def make_check(server, **params):
    settings = {"url": server.url, "gateway_url": server.url, "username": "svc_user", "password": "Svc-Pass-1",
                "ca_path": server.ca_path, "validate_certs": True, "timeout": 5, "max_retries": 0, "max_wait": 5,
                "auth_method": "auto"}
    settings.update(params)
    client = QualysClient(settings)
    return conn.ConnectionCheck(client, settings), client


def token():
    return Reply(201, TOKEN, content_type="text/plain")


def jreply(status, body, headers=None):
    return Reply(status, json.dumps(body), headers, content_type="application/json")


def paths(server):
    return ["%s %s" % (request["method"], request["path"].split("?")[0]) for request in server.requests]


def test_all_healthy_one_call_each_plus_one_token(server):
    server.script(Reply(body=DETECTION, headers=VM_HEADERS), token(), jreply(200, {"count": 0}, GW_HEADERS),
                  jreply(200, [], GW_HEADERS), jreply(200, {"data": []}, GW_HEADERS))
    check, _client = make_check(server)
    out = check.run(set(conn.APPLICATIONS))
    assert out["healthy"] is True and out["summary"] == "healthy: vmdr, fim, pm, etm"
    assert out["eula_accepted"] is True and out["account_expired"] is False
    assert out["limits"] == {"rate_limit": 300, "rate_window_sec": 3600, "rate_remaining": 297, "rate_to_wait_sec": 0,
                             "concurrency_limit": 2, "concurrency_running": 1}
    assert out["platform"] == {"name": None, "source": None, "api_url": server.url, "gateway_url": server.url,
                               "pod": "USPOD3"}
    assert out["applications"]["pm"]["limits"] == {"rate_limit": 1000, "rate_window_sec": 3600, "rate_remaining": 999,
                                                   "rate_to_wait_sec": 0}
    assert paths(server) == ["POST /api/2.0/fo/asset/host/vm/detection/", "POST /auth", "POST /fim/v2/events/count",
                             "GET /pm/v1/deploymentjobs/summary", "POST /etm/api/rest/v1/reports/list"]
    detection, _auth, fim, pm, etm = server.requests
    assert "truncation_limit=1" in detection["body"] and "action=list" in detection["body"]
    assert detection["headers"]["Authorization"].startswith("Basic ")
    assert fim["headers"]["Authorization"] == "Bearer " + TOKEN and fim["headers"]["Accept"] == "application/json"
    # ETM: the body of the documentation's sample; PM: the query qualysdk sends for its job list.
    assert json.loads(fim["body"]) == {} and json.loads(etm["body"]) == {"offset": 0, "limit": 1}
    assert pm["path"] == "/pm/v1/deploymentjobs/summary?platform=Windows&pageNumber=0&pageSize=1"
    assert all(result["note"] is None for result in out["applications"].values())


@pytest.mark.parametrize("status, code, text, reason", [
    (401, "2000", "Bad Login/Password", "bad_login_or_no_api_access"),
    (200, "2001", "This account has expired.", "account_expired"),
    (401, "2002", "User account is inactive", "account_inactive"),
    (409, "2003", "Registration must be completed before API requests will be served for this account",
     "eula_not_accepted"),
    (403, "2004", "Vulnerability Management (VM) is not enabled for this subscription.", "not_subscribed_or_no_permission"),
    (400, "1905", "parameter truncation_limit has invalid value", "error"),
    (500, "999", "Internal error. Please contact customer support.", "server_error"),
])
def test_vmdr_refusals_keep_the_qualys_code_and_text(server, status, code, text, reason):
    server.script(Reply(status, SIMPLE % (code, text)))
    check, _client = make_check(server)
    out = check.run({"vmdr"})
    vmdr = out["applications"]["vmdr"]
    assert (vmdr["healthy"], vmdr["reason"], vmdr["error_code"], vmdr["error_text"], vmdr["http_status"]) == (
        False, reason, code, text, status)
    assert vmdr["fix"] == conn.FIXES[reason].format(label="VMDR", endpoint=vmdr["endpoint"])
    assert out["healthy"] is False and out["limits"] == {} and len(server.requests) == 1
    assert out["account_expired"] is (True if reason == "account_expired" else None)
    assert out["eula_accepted"] is (False if reason == "eula_not_accepted" else None)


def test_vmdr_rate_limit_is_reported_with_its_headers(server):
    headers = dict(VM_HEADERS, **{"X-RateLimit-Remaining": "0", "X-RateLimit-ToWait-Sec": "3500"})
    server.script(Reply(409, SIMPLE % ("1965", "This API cannot be run again for another 58 minutes."), headers))
    check, _client = make_check(server)
    out = check.run({"vmdr"})
    vmdr = out["applications"]["vmdr"]
    assert vmdr["reason"] == "limit" and vmdr["error_code"] == "1965" and out["limits"]["rate_to_wait_sec"] == 3500
    assert out["platform"]["pod"] == "USPOD3"


def test_html_page_instead_of_the_api(server):
    server.script(Reply(404, "<!DOCTYPE html><html><head><title>404 Not Found</title></head><body/></html>",
                        content_type="text/html"))
    check, _client = make_check(server)
    vmdr = check.run({"vmdr"})["applications"]["vmdr"]
    assert vmdr["reason"] == "not_available" and vmdr["http_status"] == 404 and "404 Not Found" in vmdr["error_text"]


def test_refused_token_is_asked_for_once_and_marks_every_gateway_application(server):
    server.script(Reply(401, "Authentication failed", content_type="text/plain"))
    check, _client = make_check(server)
    out = check.run({"fim", "pm", "etm"})
    assert paths(server) == ["POST /auth"]
    for name in ("fim", "pm", "etm"):
        app = out["applications"][name]
        assert (app["healthy"], app["called"], app["reason"], app["http_status"]) == (False, False, "token_refused", None)
        assert "refused to issue a token" in app["error_text"]
    assert out["eula_accepted"] is None and out["account_expired"] is None and out["limits"] == {}


def test_oidc_token_refused_before_the_vmdr_read(server):
    server.script(Reply(401, "Invalid client credentials", content_type="text/plain"))
    check, _client = make_check(server, username=None, password=None, client_id="cid", client_secret="csecret",
                                auth_method="oidc")
    out = check.run({"vmdr", "pm"})
    assert paths(server) == ["POST /auth/oidc"]
    assert server.requests[0]["headers"]["clientId"] == "cid"
    assert out["applications"]["vmdr"]["reason"] == "token_refused" and not out["applications"]["vmdr"]["called"]
    assert out["applications"]["pm"]["reason"] == "token_refused"


@pytest.mark.parametrize("reply, reason, code, text", [
    (jreply(403, {"errorCode": "403", "message": "Patch Management (PM) is not enabled for this subscription."}),
     "not_subscribed_or_no_permission", "403", "Patch Management (PM) is not enabled for this subscription."),
    (jreply(409, {"errorCode": "2003", "message": "Registration must be completed"}), "eula_not_accepted", "2003",
     "Registration must be completed"),
    (Reply(404, "<html><head><title>Not Found</title></head></html>", content_type="text/html"), "not_available", None,
     "Not Found"),
    (Reply(429, "Too Many Requests", dict(GW_HEADERS, **{"X-RateLimit-Remaining": "0", "X-RateLimit-ToWait-Sec": "900"}),
           content_type="text/plain"), "limit", None, "Too Many Requests"),
    (jreply(502, {"code": 502, "error": "Bad Gateway"}), "server_error", "502", "Bad Gateway"),
    (jreply(200, {"ServiceResponse": {"responseCode": "SUCCESS"}}), None, None, None),
    (jreply(409, {"errorCode": "409", "message": "Conflict"}), "error", "409", "Conflict"),
    (jreply(400, {"_error": {"errorCode": "401", "message": "Invalid token"}}), "token_rejected", "401", "Invalid token"),
    (jreply(400, {"errorCode": "2003", "message": "Registration must be completed"}), "eula_not_accepted", "2003",
     "Registration must be completed"),
    (jreply(400, {"message": "Patch Management is not enabled for this subscription"}),
     "not_subscribed_or_no_permission", None, "Patch Management is not enabled for this subscription"),
])
def test_gateway_replies(server, reply, reason, code, text):
    server.script(token(), reply)
    check, _client = make_check(server, max_wait=1)
    pm = check.run({"pm"})["applications"]["pm"]
    assert (pm["reason"], pm["error_code"], pm["error_text"], pm["healthy"]) == (reason, code, text, reason is None)
    assert pm["http_status"] == reply.status and pm["endpoint"] == "GET /pm/v1/deploymentjobs/summary"
    assert pm["note"] is None


@pytest.mark.parametrize("body", [
    {"_error": {"errorCode": "400", "message": "platform is required"}},
    {"ServiceResponse": {"responseCode": "INVALID_REQUEST", "responseErrorDetails": {"errorMessage": "Bad filter"}}},
    {"errorCode": "1001", "message": "Invalid pageSize"},
])
def test_pm_400_that_is_no_auth_refusal_means_reachable_and_authorised(server, body):
    """The gateway took the token and PM answered about the request: PM is usable even if its query shape is not."""
    server.script(token(), jreply(400, body, GW_HEADERS))
    check, _client = make_check(server)
    out = check.run({"pm"})
    pm = out["applications"]["pm"]
    assert (pm["healthy"], pm["reason"], pm["http_status"], pm["error_code"], pm["fix"]) == (True, None, 400, None, None)
    assert "reachable and authorised" in pm["note"] and "HTTP 400" in pm["note"]
    detail = body.get("_error") or body.get("ServiceResponse", {}).get("responseErrorDetails") or body
    assert (detail.get("message") or detail.get("errorMessage")) in pm["note"]
    assert pm["limits"]["rate_remaining"] == 999
    assert out["healthy"] is True and out["eula_accepted"] is True and out["summary"] == "healthy: pm"


def test_a_400_is_a_refusal_for_the_other_applications(server):
    refused = jreply(400, {"errorCode": "400", "message": "Unrecognized field(s): pageSize"})
    server.script(token(), refused, refused)
    check, _client = make_check(server)
    out = check.run({"fim", "etm"})
    for name in ("fim", "etm"):
        app = out["applications"][name]
        assert (app["healthy"], app["reason"], app["error_code"], app["note"]) == (False, "error", "400", None)
        assert app["error_text"] == "Unrecognized field(s): pageSize"


def test_gateway_401_after_a_fresh_token_is_a_rejected_token(server):
    refused = jreply(401, {"errorCode": "401", "message": "Unauthorized"})
    server.script(token(), refused, token(), refused, jreply(200, {}))
    check, _client = make_check(server)
    out = check.run({"fim", "etm"})
    # The client renews the token once on a 401 and keeps the new one; the next application is still tried.
    assert paths(server) == ["POST /auth", "POST /fim/v2/events/count", "POST /auth", "POST /fim/v2/events/count",
                             "POST /etm/api/rest/v1/reports/list"]
    assert out["applications"]["etm"]["healthy"] is True
    assert out["applications"]["fim"]["reason"] == "token_rejected" and out["applications"]["fim"]["called"]
    assert "FIM" in out["applications"]["fim"]["fix"]


def test_unreachable_gateway_is_not_asked_twice(server):
    server.script()
    check, client = make_check(server, gateway_url="https://localhost:1")
    out = check.run({"fim", "pm"})
    fim, pm = out["applications"]["fim"], out["applications"]["pm"]
    assert fim["reason"] == "unreachable" and "proxy_url" in fim["fix"] and fim["called"]
    assert pm["reason"] == "unreachable" and pm["error_text"] == fim["error_text"]
    assert client.last_response is None and server.requests == []


@pytest.mark.parametrize("params, name, source", [
    ({"platform": "US3"}, "US3", "platform"),
    ({"url": "https://qualysapi.qg2.apps.qualys.eu"}, "EU2", "url"),
    ({"url": "https://gateway.qg1.apps.qualys.ca/"}, "CA1", "url"),
    ({"url": "https://qualys.example.com"}, None, None),
])
def test_platform_detection(params, name, source):
    settings = dict({"username": "u", "password": "p", "auth_method": "auto"}, **params)
    check = conn.ConnectionCheck(QualysClient(settings), settings)
    platform = check.platform()
    assert (platform["name"], platform["source"], platform["pod"]) == (name, source, None)


def test_summary_and_flags():
    ok = {"healthy": True, "reason": None, "error_text": None}
    expired = {"healthy": False, "reason": "account_expired", "error_text": "This account has expired."}
    assert conn.summary({}) == "no application checked"
    assert conn.summary({"vmdr": expired, "fim": ok}) == "not healthy: vmdr: account_expired (This account has expired.)"
    assert conn.account_flag({"vmdr": expired}, "eula_not_accepted") is None
    assert conn.account_flag({"vmdr": expired, "fim": ok}, "eula_not_accepted") is True
