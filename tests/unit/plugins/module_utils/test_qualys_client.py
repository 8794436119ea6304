# -*- coding: utf-8 -*-
# Copyright (c) scanops.qualys contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The Qualys client against a scripted HTTPS server: auth, error shapes, paging, limits, retries."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import base64
import json
import time

import pytest

from ansible_collections.scanops.qualys.plugins.module_utils import qualys_formats as formats
from ansible_collections.scanops.qualys.plugins.module_utils.qualys_client import QualysClient, is_limit_reply, resolve_endpoints
from ansible_collections.scanops.qualys.plugins.module_utils.qualys_errors import QualysError

from ansible_collections.scanops.qualys.tests.unit.plugins.module_utils.scripted_server import Reply, self_signed

SIMPLE = "<SIMPLE_RETURN><RESPONSE><DATETIME>2026-01-01T00:00:00Z</DATETIME><CODE>%s</CODE><TEXT>%s</TEXT></RESPONSE></SIMPLE_RETURN>"
OK_LIST = "<ASSET_GROUP_LIST_OUTPUT><RESPONSE><ASSET_GROUP_LIST/></RESPONSE></ASSET_GROUP_LIST_OUTPUT>"
LIMIT_HEADERS = {"X-RateLimit-Limit": "300", "X-RateLimit-Window-Sec": "3600", "X-RateLimit-Remaining": "0",
                 "X-Concurrency-Limit-Limit": "2", "X-Concurrency-Limit-Running": "2"}


def qps(code="SUCCESS", data=None, has_more=False, last_id=None, error=None):
    body = {"responseCode": code, "count": len(data or [])}
    if data:
        body["data"] = data
        body["hasMoreRecords"] = "true" if has_more else "false"
    if last_id is not None:
        body["lastId"] = last_id
    if error:
        body["responseErrorDetails"] = {"errorMessage": error, "errorResolution": "Fix the request"}
    return json.dumps({"ServiceResponse": body})


def make_client(server, warnings=None, **params):
    settings = {"url": server.url, "gateway_url": server.url, "username": "admin", "password": "s3cret-Pass", "ca_path": server.ca_path,
                "validate_certs": True, "timeout": 5, "max_retries": 3, "max_wait": 5, "auth_method": "auto"}
    settings.update(params)
    return QualysClient(settings, warn=(warnings.append if warnings is not None else None))


def test_platform_and_url_resolution():
    assert resolve_endpoints({"platform": "EU2"}) == ("https://qualysapi.qg2.apps.qualys.eu", "https://gateway.qg2.apps.qualys.eu")
    # A private platform's gateway is not guessed; a public platform's API host gives its gateway.
    assert resolve_endpoints({"url": "https://q.example.com/"}) == ("https://q.example.com", None)
    assert resolve_endpoints({"url": "https://q.example.com", "gateway_url": "https://gw.example.com/"}) == (
        "https://q.example.com", "https://gw.example.com")
    assert resolve_endpoints({"url": "https://QualysAPI.qg3.apps.qualys.com"}) == (
        "https://QualysAPI.qg3.apps.qualys.com", "https://gateway.qg3.apps.qualys.com")
    assert resolve_endpoints({"platform": "us2"})[0] == "https://qualysapi.qg2.apps.qualys.com"
    with pytest.raises(QualysError, match="https://"):
        resolve_endpoints({"url": "http://q.example.com"})
    with pytest.raises(QualysError, match="platform"):
        resolve_endpoints({})
    with pytest.raises(QualysError, match="US1"):
        resolve_endpoints({"platform": "MARS1"})


def test_auth_method_needs_matching_credentials(server):
    with pytest.raises(QualysError, match="client_id and client_secret"):
        make_client(server, auth_method="oidc")
    with pytest.raises(QualysError, match="username and password"):
        make_client(server, auth_method="jwt", username=None, password=None)


def test_basic_auth_and_headers_on_every_call(server):
    server.script(Reply(body=OK_LIST))
    root = make_client(server).fo("/api/2.0/fo/asset/group/", {"action": "list"})
    assert root.tag == "ASSET_GROUP_LIST_OUTPUT"
    sent = server.requests[0]
    assert sent["headers"]["Authorization"] == "Basic " + base64.b64encode(b"admin:s3cret-Pass").decode()
    assert sent["headers"]["X-Requested-With"].startswith("scanops.qualys")
    assert sent["headers"]["User-Agent"].startswith("scanops.qualys")
    assert "action=list" in sent["body"]


@pytest.mark.parametrize("code,status,kind", [
    ("2000", 401, "auth"),
    ("2001", 200, "expired"),
    ("1905", 400, "api"),
    ("2003", 200, "eula"),
])
def test_simple_return_error_shapes(server, code, status, kind):
    server.script(Reply(status, SIMPLE % (code, "something went wrong")))
    with pytest.raises(QualysError) as raised:
        make_client(server).fo("/api/2.0/fo/asset/group/", {"action": "list"})
    assert raised.value.code == code
    assert raised.value.kind == kind
    assert raised.value.status == status
    assert "something went wrong" in str(raised.value)
    assert len(server.requests) == 1


def test_msp_failed_return_and_list_error(server):
    failed = ('<USER_OUTPUT><API name="user.php" username="admin" at="now"/>'
              '<RETURN status="FAILED" number="999"><MESSAGE><![CDATA[Invalid country]]></MESSAGE></RETURN></USER_OUTPUT>')
    server.script(Reply(body=failed), Reply(body="<USER_LIST_OUTPUT><ERROR>Access denied</ERROR></USER_LIST_OUTPUT>"))
    client = make_client(server)
    with pytest.raises(QualysError, match="999: Invalid country"):
        client.msp("user.php", {"action": "add"}, write=True)
    with pytest.raises(QualysError, match="Access denied"):
        client.msp("user_list.php", {})


def test_qps_error_with_http_200_and_empty_search(server):
    server.script(Reply(body=qps("INVALID_REQUEST", error="Bad criteria"), content_type="application/json"),
                  Reply(body=qps(), content_type="application/json"))
    client = make_client(server)
    with pytest.raises(QualysError) as raised:
        client.qps("search", "am/tag", body=formats.qps_request(criteria=[("name", "EQUALS", "x")]))
    assert raised.value.code == "INVALID_REQUEST"
    assert "Bad criteria (Fix the request)" in str(raised.value)
    assert client.qps("search", "am/tag", body=formats.qps_request())["data"] == []


def test_qps_search_follows_has_more_records_and_last_id(server):
    server.script(
        Reply(body=qps(data=[{"Tag": {"id": 1, "name": "a"}}, {"Tag": {"id": 2, "name": "a"}}], has_more=True, last_id=2),
              content_type="application/json"),
        Reply(body=qps(data=[{"Tag": {"id": 7, "name": "a"}}], last_id=7), content_type="application/json"))
    found = make_client(server).qps_search("am/tag", [("name", "EQUALS", "a")], page_size=2)
    assert [tag["id"] for tag in found] == [1, 2, 7]
    second = json.loads(server.requests[1]["body"])["ServiceRequest"]
    assert {"field": "id", "operator": "GREATER", "value": "2"} in second["filters"]["Criteria"]
    assert second["preferences"] == {"limitResults": 2}


def test_truncation_warning_gives_next_page():
    root = formats.parse_xml(
        "<ASSET_GROUP_LIST_OUTPUT><RESPONSE><ASSET_GROUP_LIST/><WARNING><CODE>1980</CODE><TEXT>1000 record limit exceeded.</TEXT>"
        "<URL><![CDATA[https://q.example.com/api/2.0/fo/asset/group/?action=list&id_min=1001&truncation_limit=1000]]></URL>"
        "</WARNING></RESPONSE></ASSET_GROUP_LIST_OUTPUT>")
    assert formats.next_page_params(root) == {"action": "list", "id_min": "1001", "truncation_limit": "1000"}


def test_rate_limit_waits_for_to_wait_header_then_succeeds(server):
    warnings = []
    headers = dict(LIMIT_HEADERS, **{"X-RateLimit-ToWait-Sec": "1"})
    server.script(Reply(409, SIMPLE % ("1965", "This API cannot be run again for another 1 second."), headers), Reply(body=OK_LIST))
    started = time.time()
    make_client(server, warnings).fo("/api/2.0/fo/asset/group/", {"action": "add"}, write=True)
    assert time.time() - started >= 1.0
    assert len(server.requests) == 2
    assert len(warnings) == 1 and "409" in warnings[0] and "X-RateLimit-ToWait-Sec=1" in warnings[0]


def test_concurrency_limit_backs_off_even_for_a_create(server):
    warnings = []
    server.script(Reply(409, SIMPLE % ("1960", "This API cannot be run again until 2 currently running API instances have finished."),
                        LIMIT_HEADERS), Reply(body=OK_LIST))
    make_client(server, warnings).msp("user.php", {"action": "add"}, write=True)
    assert len(server.requests) == 2
    assert "limit reached" in warnings[0] and "X-Concurrency-Limit-Running=2" in warnings[0]


def test_conflict_that_is_not_a_limit_is_not_retried(server):
    headers = dict(LIMIT_HEADERS, **{"X-RateLimit-Remaining": "250", "X-Concurrency-Limit-Running": "1", "X-RateLimit-ToWait-Sec": "0"})
    server.script(Reply(409, SIMPLE % ("2003", "Registration must be completed before API requests will be served"), headers))
    with pytest.raises(QualysError) as raised:
        make_client(server).fo("/api/2.0/fo/asset/group/", {"action": "list"})
    assert raised.value.kind == "eula"
    assert len(server.requests) == 1


def test_qps_invalid_credentials_is_an_auth_error(server):
    server.script(Reply(body=qps("INVALID_CREDENTIALS", error="Authentication failed"), content_type="application/json"))
    with pytest.raises(QualysError) as raised:
        make_client(server).qps("search", "am/tag", body=formats.qps_request())
    assert raised.value.kind == "auth"


def test_wait_longer_than_max_wait_fails_at_once(server):
    headers = dict(LIMIT_HEADERS, **{"X-RateLimit-ToWait-Sec": "86000"})
    server.script(Reply(409, SIMPLE % ("1965", "This API cannot be run again for another 23 hours."), headers))
    with pytest.raises(QualysError) as raised:
        make_client(server).fo("/api/2.0/fo/asset/group/", {"action": "list"})
    assert raised.value.kind == "limit" and raised.value.code == "1965"
    assert "86000" in str(raised.value)
    assert len(server.requests) == 1


def test_limit_waits_are_bounded_by_max_wait_not_max_retries(server):
    # Concurrency refusals announce no wait; they are waited out (parallel runs are routine) within max_wait.
    headers = dict(LIMIT_HEADERS, **{"X-RateLimit-ToWait-Sec": "0"})
    server.script(*[Reply(409, SIMPLE % ("1960", "busy"), headers) for dummy in range(20)])
    started = time.monotonic()
    with pytest.raises(QualysError) as raised:
        make_client(server, max_retries=0, max_wait=2).fo("/api/2.0/fo/asset/group/", {"action": "list"})
    assert raised.value.kind == "limit" and raised.value.code == "1960"
    assert 2 <= len(server.requests) < 20
    assert time.monotonic() - started < 2 + 2  # waits capped at max_wait; the rest is the calls themselves


def test_concurrency_refusals_do_not_use_up_retries(server):
    busy = Reply(409, SIMPLE % ("1960", "busy"), LIMIT_HEADERS)
    server.script(busy, busy, busy, Reply(body=OK_LIST))
    make_client(server, max_retries=0, max_wait=30).msp("user.php", {"action": "add"}, write=True)
    assert len(server.requests) == 4


def test_announced_waits_do_not_use_up_retries_but_stay_within_max_wait(server):
    # Parallel runs sharing one rate limit queue for it: each announced wait is an appointment, not a failure.
    headers = dict(LIMIT_HEADERS, **{"X-RateLimit-ToWait-Sec": "1"})
    refused = Reply(409, SIMPLE % ("1965", "This API cannot be run again for another 1 second."), headers)
    server.script(refused, refused, Reply(body=OK_LIST))
    make_client(server, max_retries=1, max_wait=5).fo("/api/2.0/fo/asset/group/", {"action": "list"})
    assert len(server.requests) == 3
    server.script(refused, refused, Reply(body=OK_LIST))
    with pytest.raises(QualysError) as raised:
        make_client(server, max_retries=5, max_wait=1).fo("/api/2.0/fo/asset/group/", {"action": "list"})
    assert raised.value.code == "1965"


def test_gateway_429_honours_retry_after(server):
    server.script(Reply(429, "Too many requests", {"Retry-After": "1"}, content_type="text/plain"),
                  Reply(body=qps(), content_type="application/json"))
    make_client(server).qps("search", "am/tag", body=formats.qps_request())
    assert len(server.requests) == 2


def test_server_error_retried_for_reads_not_for_creates(server):
    server.script(Reply(503, "<html><title>Service Unavailable</title></html>", content_type="text/html"), Reply(body=OK_LIST))
    make_client(server).fo("/api/2.0/fo/asset/group/", {"action": "list"})
    assert len(server.requests) == 2
    server.script(Reply(503, "<html><title>Service Unavailable</title></html>", content_type="text/html"), Reply(body=OK_LIST))
    with pytest.raises(QualysError, match="Service Unavailable"):
        make_client(server).fo("/api/2.0/fo/asset/group/", {"action": "add"}, write=True)
    assert len(server.requests) == 1


def test_dropped_connection_on_a_write_is_reported_as_unknown_outcome(server):
    server.script(Reply(drop=True), Reply(body=OK_LIST))
    with pytest.raises(QualysError) as raised:
        make_client(server).msp("user.php", {"action": "add"}, write=True)
    assert raised.value.outcome_unknown
    assert "may or may not have been applied" in str(raised.value)
    assert len(server.requests) == 1


def test_dropped_connection_on_a_read_is_retried(server):
    server.script(Reply(drop=True), Reply(body=OK_LIST))
    make_client(server).fo("/api/2.0/fo/asset/group/", {"action": "list"})
    assert len(server.requests) == 2


def test_slow_reply_times_out(server):
    server.script(Reply(body=OK_LIST, delay=2), Reply(body=OK_LIST, delay=2))
    with pytest.raises(QualysError) as raised:
        make_client(server, timeout=1, max_retries=1).fo("/api/2.0/fo/asset/group/", {"action": "add"}, write=True)
    assert raised.value.kind == "timeout" and raised.value.outcome_unknown


def test_reply_that_trickles_in_is_cut_off_at_the_timeout(server):
    # Each byte arrives well within the read timeout, but the whole body never would: the timeout bounds it too.
    server.script(Reply(body=OK_LIST * 10, trickle=0.1))
    started = time.monotonic()
    with pytest.raises(QualysError, match="not complete after 1s; the change may or may not have been applied") as raised:
        make_client(server, timeout=1, max_retries=0).fo("/api/2.0/fo/asset/group/", {"action": "add"}, write=True)
    assert raised.value.kind == "timeout" and raised.value.outcome_unknown
    assert time.monotonic() - started < 4


def test_reply_cut_off_in_transit_is_a_transport_error(server):
    server.script(Reply(body=OK_LIST, short_by=100), Reply(body=OK_LIST, short_by=100))
    client = make_client(server, max_retries=0)
    with pytest.raises(QualysError, match="cut off") as raised:
        client.fo("/api/2.0/fo/asset/group/", {"action": "list"})
    assert raised.value.kind == "transport" and not raised.value.outcome_unknown
    with pytest.raises(QualysError, match="may or may not have been applied") as raised:
        client.fo("/api/2.0/fo/asset/group/", {"action": "add"}, write=True)
    assert raised.value.outcome_unknown


@pytest.mark.parametrize("name,value,accepted", [
    ("timeout", 0, "timeout must be 1 or more seconds, got 0"),
    ("max_retries", -1, "max_retries must be 0 or more, got -1"),
    ("max_wait", -5, "max_wait must be 0 or more seconds, got -5"),
])
def test_limits_out_of_range_are_refused_before_any_call(server, name, value, accepted):
    server.script()
    with pytest.raises(QualysError, match=accepted) as raised:
        make_client(server, **{name: value})
    assert raised.value.kind == "config"
    assert server.requests == []


def test_max_wait_zero_means_never_wait(server):
    headers = dict(LIMIT_HEADERS, **{"X-RateLimit-ToWait-Sec": "1"})
    server.script(Reply(409, SIMPLE % ("1965", "This API cannot be run again for another 1 second."), headers))
    with pytest.raises(QualysError) as raised:
        make_client(server, max_wait=0).fo("/api/2.0/fo/asset/group/", {"action": "list"})
    assert raised.value.code == "1965"
    assert len(server.requests) == 1


def test_deeply_nested_replies_are_refused(server):
    depth = 100000
    server.script(Reply(body='{"ServiceResponse": ' + "[" * depth + "]" * depth + "}", content_type="application/json"),
                  Reply(body="<ServiceResponse><responseCode>SUCCESS</responseCode><data>" + "<a>" * depth + "</a>" * depth
                        + "</data></ServiceResponse>"))
    client = make_client(server, max_retries=0)
    with pytest.raises(QualysError, match="JSON that cannot be parsed") as raised:
        client.qps("search", "am/tag", body=formats.qps_request())
    assert raised.value.kind == "format"
    with pytest.raises(QualysError, match="nested too deeply") as raised:
        client.qps("search", "am/tag", body=formats.qps_request())
    assert raised.value.kind == "format"


def test_binary_error_body_is_not_quoted(server):
    server.script(Reply(502, b"\x00\x01\xff\xfe binary \x02", content_type="application/octet-stream"))
    with pytest.raises(QualysError) as raised:
        make_client(server, max_retries=0).fo("/api/2.0/fo/asset/group/", {"action": "list"})
    assert "HTTP 502" in str(raised.value)
    assert "binary" not in str(raised.value) and "\ufffd" not in str(raised.value)


def test_html_error_page_and_malformed_bodies(server):
    server.script(Reply(502, "<!DOCTYPE html><html><head><title>Bad Gateway</title></head></html>", content_type="text/html"),
                  Reply(body="<SIMPLE_RETURN><RESPONSE><TEXT>cut off", content_type="text/xml"),
                  Reply(body='{"ServiceResponse": {"responseCode": "SUC', content_type="application/json"))
    client = make_client(server, max_retries=0)
    with pytest.raises(QualysError, match="HTTP 502, text/html: Bad Gateway"):
        client.fo("/api/2.0/fo/asset/group/", {"action": "list"})
    with pytest.raises(QualysError, match="cannot be parsed") as raised:
        client.fo("/api/2.0/fo/asset/group/", {"action": "list"})
    assert raised.value.kind == "format"
    with pytest.raises(QualysError, match="JSON that cannot be parsed"):
        client.qps("search", "am/tag", body=formats.qps_request())


def test_xml_bomb_and_external_entity_are_refused(server):
    bomb = ('<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;">'
            '<!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">]><SIMPLE_RETURN>&lol2;</SIMPLE_RETURN>')
    external = '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><SIMPLE_RETURN>&x;</SIMPLE_RETURN>'
    server.script(Reply(body=bomb), Reply(body=external))
    client = make_client(server)
    for dummy in range(2):
        with pytest.raises(QualysError, match="unsafe XML") as raised:
            client.fo("/api/2.0/fo/asset/group/", {"action": "list"})
        assert raised.value.kind == "format"


def test_sensitive_reply_is_never_quoted_in_errors(server):
    server.script(Reply(502, "<html><body>PASSWORD=hunter2-Secret</body></html>", content_type="text/html"))
    with pytest.raises(QualysError) as raised:
        make_client(server).msp("user.php", {"action": "add"}, write=True, sensitive=True)
    assert "hunter2" not in str(raised.value)


def test_wrong_ca_is_a_clear_tls_error(server, tmp_path):
    other_ca = tmp_path / "other.pem"
    other_ca.write_text(open(self_signed(str(tmp_path))[0]).read())
    with pytest.raises(QualysError) as raised:
        make_client(server, ca_path=str(other_ca)).fo("/api/2.0/fo/asset/group/", {"action": "list"})
    assert raised.value.kind == "tls"
    assert "ca_path" in str(raised.value)


def test_unresolvable_host_is_a_clear_error():
    client = QualysClient({"url": "https://qualys.invalid", "username": "u", "password": "p", "timeout": 5, "max_retries": 0})
    with pytest.raises(QualysError) as raised:
        client.fo("/api/2.0/fo/asset/group/", {"action": "list"})
    assert raised.value.kind in ("dns", "transport")
    assert "qualys.invalid" in str(raised.value)


def test_jwt_is_fetched_once_used_as_bearer_and_renewed_on_401(server):
    server.script(Reply(201, "token-one", content_type="text/plain"),
                  Reply(body=qps(), content_type="application/json"),
                  Reply(401, "expired", content_type="text/plain"),
                  Reply(201, "token-two", content_type="text/plain"),
                  Reply(body=qps(), content_type="application/json"))
    client = make_client(server, auth_method="jwt")
    client.qps("search", "am/tag", body=formats.qps_request())
    client.qps("search", "am/tag", body=formats.qps_request())
    paths = [r["path"] for r in server.requests]
    assert paths == ["/auth", "/qps/rest/2.0/search/am/tag", "/qps/rest/2.0/search/am/tag", "/auth", "/qps/rest/2.0/search/am/tag"]
    assert "username=admin" in server.requests[0]["body"] and "token=true" in server.requests[0]["body"]
    assert server.requests[1]["headers"]["Authorization"] == "Bearer token-one"
    assert server.requests[4]["headers"]["Authorization"] == "Bearer token-two"
    assert client.token == "token-two"


def test_oidc_client_credentials_go_in_headers_and_msp_stays_basic(server):
    server.script(Reply(201, "oidc-token", content_type="text/plain"), Reply(body=qps(), content_type="application/json"))
    client = make_client(server, username=None, password=None, client_id="cid", client_secret="csecret")
    client.qps("search", "am/tag", body=formats.qps_request())
    assert server.requests[0]["path"] == "/auth/oidc"
    assert server.requests[0]["headers"]["clientId"] == "cid"
    assert server.requests[0]["headers"]["clientSecret"] == "csecret"
    with pytest.raises(QualysError, match="only Basic authentication"):
        client.msp("user_list.php", {})


def test_bad_token_request_is_an_auth_error(server):
    server.script(Reply(401, "bad credentials", content_type="text/plain"))
    with pytest.raises(QualysError) as raised:
        make_client(server, auth_method="jwt").qps("search", "am/tag", body=formats.qps_request())
    assert raised.value.kind == "auth"


def test_limit_headers_are_read_as_integers(server):
    headers = dict(LIMIT_HEADERS, **{"X-RateLimit-ToWait-Sec": "0"})
    server.script(Reply(body=OK_LIST, headers=headers))
    client = make_client(server)
    client.fo("/api/2.0/fo/asset/group/", {"action": "list"})
    expected = {"rate_limit": 300, "rate_window_sec": 3600, "rate_remaining": 0,
                "rate_to_wait_sec": 0, "concurrency_limit": 2, "concurrency_running": 2}
    assert client.last_response.limits() == expected


def test_proxy_url_is_used(server):
    client = make_client(server, proxy_url="http://127.0.0.1:9")
    with pytest.raises(QualysError) as raised:
        client.fo("/api/2.0/fo/asset/group/", {"action": "list"})
    # The proxy's own failure, said as such: not just any transport error.
    assert raised.value.kind == "transport" and not raised.value.outcome_unknown
    assert str(raised.value).startswith("Cannot reach localhost:%d through the proxy (127.0.0.1:9): "
                                        % int(server.url.rsplit(":", 1)[1])), str(raised.value)
    assert server.requests == []


# -- is_limit_reply under both readings of X-Concurrency-Limit-Running --------------------------------------
# Qualys documents Running as including the current call; live recordings show Running 0 for a lone call.
# Header sets below: the two recorded replies (activity_log 200, detection 400 CODE 1905), then what each
# reading implies for a served call on the last slot and for a refused call.
RECORDED_200 = {"X-RateLimit-Limit": "300", "X-RateLimit-Window-Sec": "3600", "X-Concurrency-Limit-Limit": "2",
                "X-Concurrency-Limit-Running": "0", "X-RateLimit-ToWait-Sec": "0", "X-RateLimit-Remaining": "299"}
RECORDED_400 = dict(RECORDED_200, **{"X-RateLimit-Remaining": "295"})


def _limits(running, limit="2", remaining="250", to_wait="0"):
    return dict(RECORDED_200, **{"X-Concurrency-Limit-Running": running, "X-Concurrency-Limit-Limit": limit,
                                 "X-RateLimit-Remaining": remaining, "X-RateLimit-ToWait-Sec": to_wait})


@pytest.mark.parametrize("headers, status, code, expected", [
    # recorded replies: never a refusal
    (RECORDED_200, 200, None, False),
    (RECORDED_200, None, None, False),
    (RECORDED_400, 400, "1905", False),
    # served calls that took the last slot: Running == Limit (documented reading), Remaining 0 with a ToWait
    (_limits("2"), 200, None, False),
    (_limits("1", limit="1"), 200, None, False),
    (_limits("1", remaining="0", to_wait="3599"), 200, None, False),
    (_limits("2", remaining="0", to_wait="3599"), 400, "1905", False),
    # concurrency refusal: Limit + 1 when Running counts the refused call, Limit when it counts the others only
    (_limits("3"), 409, "1960", True),
    (_limits("2"), 409, "1960", True),
    (_limits("3"), None, None, True),
    (_limits("2"), None, None, True),
    (_limits("2", limit="1"), None, None, True),
    (_limits("1", limit="1"), None, None, True),
    # rate refusal
    (_limits("1", remaining="0", to_wait="3500"), 409, "1965", True),
    (_limits("0", remaining="0", to_wait="3500"), None, None, True),
    # a 409 whose code names another reason is not a limit, whatever Running says
    (_limits("1", limit="1"), 409, "2003", False),
    (_limits("2", remaining="0", to_wait="12"), 409, "2003", False),
    ({}, 409, None, False),
    ({}, 409, "1960", True),
    # a 409 with headers that show no exhausted limit, and a simulator without a concurrency limit (Limit 0)
    (_limits("1"), None, None, False),
    (_limits("1", limit="0"), None, None, False),
    # gateway 429: no concurrency headers, always a limit
    ({"X-RateLimit-Remaining": "0", "X-RateLimit-ToWait-Sec": "30"}, 429, None, True),
    ({}, 429, None, True),
])
def test_is_limit_reply_under_either_reading_of_running(headers, status, code, expected):
    assert is_limit_reply(headers, status=status, code=code) is expected


def test_is_limit_reply_with_headers_only_is_what_the_retry_policy_asks():
    # The retry policy sees a 409's headers before its body: Running at or above Limit is a refusal under both readings.
    assert is_limit_reply(_limits("2")) and is_limit_reply(_limits("3")) and not is_limit_reply(_limits("1"))
    assert not is_limit_reply(RECORDED_400)


# -- garbled replies to reads are asked for again (issue 16 item 15) ---------------------------------------------------
CUT_XML = "<ASSET_GROUP_LIST_OUTPUT><RESPONSE><ASSET_GR"
SIGN_IN = "<!DOCTYPE html><html><head><title>Sign in</title></head><body>Please sign in</body></html>"


@pytest.mark.parametrize("garbled, warned", [
    (Reply(body=CUT_XML), "a reply that breaks off"),
    (Reply(body=SIGN_IN, content_type="text/html"), "a page instead of an API reply"),
    (Reply(body="", content_type="text/plain"), "a page instead of an API reply"),
])
def test_a_garbled_reply_to_a_read_is_asked_for_again(server, garbled, warned):
    warnings = []
    server.script(garbled, Reply(body=OK_LIST))
    root = make_client(server, warnings).fo("/api/2.0/fo/asset/group/", {"action": "list"})
    assert root.tag == "ASSET_GROUP_LIST_OUTPUT" and len(server.requests) == 2
    assert len(warnings) == 1 and warned in warnings[0] and "POST /api/2.0/fo/asset/group/" in warnings[0]


def test_a_cut_off_qps_reply_is_asked_for_again(server):
    server.script(Reply(body='{"ServiceResponse": {"responseCode": "SUC', content_type="application/json"),
                  Reply(body=qps(data=[{"Tag": {"id": 1, "name": "a"}}]), content_type="application/json"))
    assert make_client(server).qps_search("am/tag", [("name", "EQUALS", "a")])[0]["id"] == 1
    assert len(server.requests) == 2


def test_garbled_replies_share_max_retries_with_server_errors(server):
    # One 503 (retried by the transport) and two garbled replies use up max_retries=3: the fourth answer stands.
    server.script(Reply(503, "busy", content_type="text/plain"), Reply(body=CUT_XML), Reply(body=CUT_XML),
                  Reply(body=CUT_XML), Reply(body=OK_LIST))
    started = time.monotonic()
    with pytest.raises(QualysError, match="XML that cannot be parsed") as raised:
        make_client(server, max_retries=3).fo("/api/2.0/fo/asset/group/", {"action": "list"})
    assert raised.value.kind == "format" and raised.value.garbled == "cut_off" and not raised.value.outcome_unknown
    assert len(server.requests) == 4
    # The same backoff as server errors: 0.2 s at least, then growing.
    assert time.monotonic() - started >= 0.2 + 1.0


def test_a_garbled_reply_to_a_write_is_never_repeated_and_its_outcome_is_unknown(server):
    server.script(Reply(body="<SIMPLE_RETURN><RESPONSE><TEXT>Asset Group successfully"), Reply(body=OK_LIST))
    with pytest.raises(QualysError, match="may or may not have been applied") as raised:
        make_client(server).fo("/api/2.0/fo/asset/group/", {"action": "add", "title": "x"}, write=True)
    assert raised.value.outcome_unknown and len(server.requests) == 1
    server.script(Reply(body=SIGN_IN, content_type="text/html"), Reply(body=OK_LIST))
    with pytest.raises(QualysError) as raised:
        make_client(server).fo("/api/2.0/fo/asset/group/", {"action": "edit", "id": "1"}, write=True, idempotent=True)
    assert raised.value.outcome_unknown and len(server.requests) == 1


def test_a_probe_takes_a_page_as_its_answer_but_asks_again_for_a_reply_that_breaks_off(server):
    def judge(response):
        return formats.parse_qps_reply(response)

    server.script(Reply(body=SIGN_IN, content_type="text/html"), Reply(body=qps(), content_type="application/json"))
    with pytest.raises(QualysError, match="Sign in"):
        make_client(server).qps("search", "am/role", body=formats.qps_request(), judge=judge)
    assert len(server.requests) == 1
    assert server.requests[0]["headers"]["Accept"] == "application/json"
    server.script(Reply(body='{"ServiceResponse": {"respo', content_type="application/json"),
                  Reply(body=qps(), content_type="application/json"))
    assert make_client(server).qps("search", "am/role", body=formats.qps_request(), judge=judge)["data"] == []
    assert len(server.requests) == 2


def test_a_complete_reply_of_another_shape_is_not_asked_for_again(server):
    server.script(Reply(body='{"error": "no such API"}', content_type="application/json"), Reply(body=qps()))
    with pytest.raises(QualysError, match="no ServiceResponse"):
        make_client(server).qps("search", "am/tag", body=formats.qps_request())
    assert len(server.requests) == 1


# -- credentials outside Latin-1 (issue 16 item 12) --------------------------------------------------------------
NON_LATIN_PASSWORD = u"P\u00e4ssw\u00f6rd-\u2713-1"


def _quotes_none_of(message, secret):
    """True when ``message`` holds neither ``secret`` nor any of its characters beyond ASCII."""
    return secret not in message and not any(char in message for char in secret if ord(char) > 127)


def test_basic_credentials_are_sent_as_utf8_and_never_quoted(server):
    server.script(Reply(401, SIMPLE % ("2000", "Bad Login/Password")), Reply(body=OK_LIST))
    client = make_client(server, password=NON_LATIN_PASSWORD)
    with pytest.raises(QualysError) as raised:
        client.fo("/api/2.0/fo/asset/group/", {"action": "list"})
    assert raised.value.kind == "auth" and _quotes_none_of(str(raised.value), NON_LATIN_PASSWORD)
    token = server.requests[0]["headers"]["Authorization"].split(" ", 1)[1]
    assert base64.b64decode(token).decode("utf-8") == u"admin:" + NON_LATIN_PASSWORD
    # Credentials given for one call (a service user's) travel the same way.
    client.fo("/api/2.0/fo/asset/group/", {"action": "list"}, credentials=(u"svc_\u00fc", NON_LATIN_PASSWORD))
    token = server.requests[1]["headers"]["Authorization"].split(" ", 1)[1]
    assert base64.b64decode(token).decode("utf-8") == u"svc_\u00fc:" + NON_LATIN_PASSWORD


def test_token_requests_with_credentials_outside_latin1(server):
    server.script(Reply(401, "bad credentials", content_type="text/plain"), Reply(401, "bad client", content_type="text/plain"))
    with pytest.raises(QualysError) as raised:
        make_client(server, auth_method="jwt", password=NON_LATIN_PASSWORD).issue_token()
    assert raised.value.kind == "auth" and _quotes_none_of(str(raised.value), NON_LATIN_PASSWORD)
    assert "password=P%C3%A4ssw%C3%B6rd-%E2%9C%93-1" in server.requests[0]["body"]
    with pytest.raises(QualysError) as raised:
        make_client(server, username=None, password=None, client_id="cid", client_secret=NON_LATIN_PASSWORD).issue_token()
    assert raised.value.kind == "auth" and _quotes_none_of(str(raised.value), NON_LATIN_PASSWORD)
    assert server.requests[1]["path"] == "/auth/oidc"


# -- max_wait from the environment, and a limit message that says how to raise it (issue 16 item 13) ---------------

def test_max_wait_falls_back_to_QUALYS_MAX_WAIT(monkeypatch):
    from ansible.module_utils.common.arg_spec import ArgumentSpecValidator
    from ansible_collections.scanops.qualys.plugins.module_utils.qualys_client import QUALYS_AUTH_ARGSPEC

    validator = ArgumentSpecValidator(QUALYS_AUTH_ARGSPEC)
    monkeypatch.delenv("QUALYS_MAX_WAIT", raising=False)
    assert validator.validate({}).validated_parameters["max_wait"] == 300
    monkeypatch.setenv("QUALYS_MAX_WAIT", "900")
    assert validator.validate({}).validated_parameters["max_wait"] == 900
    assert validator.validate({"max_wait": 30}).validated_parameters["max_wait"] == 30
    monkeypatch.setenv("QUALYS_MAX_WAIT", "")
    assert validator.validate({}).validated_parameters["max_wait"] == 300


def test_the_limit_message_says_how_to_wait_longer(server):
    headers = dict(LIMIT_HEADERS, **{"X-RateLimit-ToWait-Sec": "86000"})
    server.script(Reply(409, SIMPLE % ("1965", "This API cannot be run again for another 23 hours."), headers),
                  Reply(429, "Too many requests", {"Retry-After": "7200"}, content_type="text/plain"))
    client = make_client(server)
    for call in (lambda: client.fo("/api/2.0/fo/asset/group/", {"action": "list"}),
                 lambda: client.qps("search", "am/tag", body=formats.qps_request())):
        with pytest.raises(QualysError) as raised:
            call()
        message = str(raised.value)
        assert raised.value.kind == "limit"
        assert "max_wait" in message and "QUALYS_MAX_WAIT" in message and "restricted_api_user_max_wait" in message
        assert "Qualys asks to wait" in message


# -- ca_path that names nothing (issue 16 item 14) -----------------------------------------------------------------

@pytest.mark.filterwarnings("ignore::urllib3.exceptions.InsecureRequestWarning")
def test_a_missing_ca_path_is_a_config_error_before_any_call(server, tmp_path):
    server.script(Reply(body=OK_LIST))
    missing = str(tmp_path / "no-such-ca.pem")
    with pytest.raises(QualysError) as raised:
        make_client(server, ca_path=missing)
    assert raised.value.kind == "config"
    assert "ca_path" in str(raised.value) and "QUALYS_CA_PATH" in str(raised.value) and missing in str(raised.value)
    assert server.requests == []
    # Not verifying certificates, the file is not needed.
    make_client(server, ca_path=missing, validate_certs=False).fo("/api/2.0/fo/asset/group/", {"action": "list"})
    assert len(server.requests) == 1
