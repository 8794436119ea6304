# -*- coding: utf-8 -*-
# Copyright (c) scanops.qualys contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The adminui user client against a scripted HTTPS server: paging, finds, create, status, failures, no secrets."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json

import pytest

from ansible_collections.scanops.qualys.plugins.module_utils import qualys_adminui as adminui
from ansible_collections.scanops.qualys.plugins.module_utils.qualys_adminui import AdminUi
from ansible_collections.scanops.qualys.plugins.module_utils.qualys_client import QualysClient
from ansible_collections.scanops.qualys.plugins.module_utils.qualys_errors import QualysError

from ansible_collections.scanops.qualys.tests.unit.plugins.module_utils.scripted_server import Reply, ScriptedServer

PASSWORD = "s3cret-Pass"
LEAKED = "Gen3rated-Secret!"
UI = "/adminui/user-management/v1"
TOKEN = Reply(201, "jwt-one", content_type="text/plain")


def make_client(server, **params):
    settings = {"url": server.url, "gateway_url": server.url, "username": "admin", "password": PASSWORD,
                "ca_path": server.ca_path, "validate_certs": True, "timeout": 5, "max_retries": 2, "max_wait": 5,
                "auth_method": "auto"}
    settings.update(params)
    return QualysClient(settings)


def ok(payload, status=200, headers=None):
    return Reply(status, json.dumps(payload), headers, content_type="application/json")


def user(user_id, login, **extra):
    raw = {"id": user_id, "uuid": "u-%d" % user_id, "username": login, "firstName": "Sam", "lastName": "Service",
           "emailAddress": "svc@example.invalid", "title": "API", "status": "ACTIVE", "roles": [], "tags": []}
    raw.update(extra)
    return raw


def sent(server, index):
    request = server.requests[index]
    return request["method"], request["path"], (json.loads(request["body"]) if request["body"] else None)


def no_secret(exc):
    text = str(exc)
    assert PASSWORD not in text and LEAKED not in text and "jwt-one" not in text, text


# --- reads ----------------------------------------------------------------------------
def test_list_follows_offset_until_total_count(server):
    server.script(TOKEN, ok({"totalCount": 5, "users": [user(1, "a"), user(2, "b")]}),
                  ok({"totalCount": 5, "users": [user(3, "c"), user(4, "d")]}),
                  ok({"totalCount": 5, "users": [user(5, "e")]}))
    users = AdminUi(make_client(server), page_size=2).list_users({"status": "ACTIVE"})
    assert [raw["username"] for raw in users] == ["a", "b", "c", "d", "e"]
    assert server.requests[0]["path"] == "/auth" and len(server.requests) == 4
    for index, offset in ((1, 0), (2, 2), (3, 4)):
        method, path, body = sent(server, index)
        assert (method, path) == ("POST", UI + "/users")
        assert body == {"limit": 2, "offset": offset, "sortFilter": {"username": "ASC"}, "filter": {"status": "ACTIVE"}}
        headers = server.requests[index]["headers"]
        assert headers["Authorization"] == "Bearer jwt-one" and headers["Accept"] == "application/json"
        assert headers["Content-Type"] == "application/json"


def test_list_stops_on_an_empty_page_and_keeps_each_user_once(server):
    # A server that caps the page below the limit, repeats a user across pages, then runs dry before totalCount.
    server.script(TOKEN, ok({"totalCount": 9, "users": [user(1, "a"), user(2, "b")]}),
                  ok({"totalCount": 9, "users": [user(2, "b"), user(3, "c")]}), ok({"totalCount": 9, "users": []}))
    users = AdminUi(make_client(server), page_size=100).list_users()
    assert [raw["id"] for raw in users] == [1, 2, 3]
    assert [sent(server, index)[2]["offset"] for index in (1, 2, 3)] == [0, 2, 4]


def test_list_reply_without_the_documented_keys_fails_clearly(server):
    server.script(TOKEN, ok({"users": [user(1, "a")]}))
    with pytest.raises(QualysError) as raised:
        AdminUi(make_client(server)).list_users()
    assert raised.value.kind == "api" and "totalCount" in str(raised.value) and "'{" in str(raised.value)


def test_find_by_login_matches_exactly(server):
    # The filter may match more than the login (contains): only the exact login counts.
    page = ok({"totalCount": 2, "users": [user(7, "scanops_ss10"), user(8, "scanops_ss1")]})
    server.script(TOKEN, page, ok({"totalCount": 1, "users": [user(7, "scanops_ss10")]}))
    admin = AdminUi(make_client(server))
    assert admin.find_by_login("scanops_ss1")["id"] == 8
    assert sent(server, 1)[2]["filter"] == {"username": "scanops_ss1"}
    assert admin.find_by_login("scanops_ss") is None


def test_find_by_external_id_reads_every_page(server):
    server.script(TOKEN, ok({"totalCount": 3, "users": [user(1, "a", externalId=None), user(2, "b", externalId="x-1")]}),
                  ok({"totalCount": 3, "users": [user(3, "c", externalId="svc-1")]}))
    admin = AdminUi(make_client(server), page_size=2)
    assert admin.find_by_external_id("svc-1")["username"] == "c"
    assert all(sent(server, index)[2]["filter"] == {} for index in (1, 2))
    server.script(ok({"totalCount": 1, "users": [user(1, "a", externalId="x-1")]}))
    assert admin.find_by_external_id("svc-1") is None


def test_find_by_external_id_refuses_when_the_list_does_not_show_it(server):
    server.script(TOKEN, ok({"totalCount": 2, "users": [user(1, "a"), user(2, "b")]}))
    admin = AdminUi(make_client(server))
    with pytest.raises(QualysError) as raised:
        admin.find_by_external_id("svc-1")
    assert raised.value.kind == "unsupported" and "externalId" in str(raised.value)
    server.script(ok({"totalCount": 2, "users": [user(1, "a", externalId="svc-1"), user(2, "b", externalId="svc-1")]}))
    with pytest.raises(QualysError) as raised:
        admin.find_by_external_id("svc-1")
    assert raised.value.kind == "ambiguous"


def test_get_user_details(server):
    entry = {"userDetails": {"id": 9, "username": "scanops_ss1", "status": "ACTIVATION", "allowLogin": False,
                             "emailId": "svc@example.invalid"}, "qwebUserRole": "Reader",
             "additionalRoles": [{"id": 101, "name": "API Read Only", "description": ""}]}
    server.script(TOKEN, ok([entry]), ok({"errorCode": "404", "message": "User with id 10 does not exist."}, 404),
                  ok({"id": 11}))
    admin = AdminUi(make_client(server))
    assert admin.get_user(9) == entry
    assert sent(server, 1)[:2] == ("GET", UI + "/user/9")
    assert adminui.summary(entry) == {
        "id": 9, "login": "scanops_ss1", "status": "pending_activation", "external_id": None, "first_name": None,
        "last_name": None, "email": "svc@example.invalid", "title": None, "roles": ["API Read Only"], "scope_tags": []}
    with pytest.raises(QualysError) as raised:
        admin.get_user(10)
    assert raised.value.kind == "not_found" and raised.value.status == 404 and raised.value.code == "404"
    with pytest.raises(QualysError, match="userDetails"):
        admin.get_user(11)


def test_summary_of_a_listed_user():
    raw = user(5, "svc", status="PENDING_ACTIVATION", externalId="e-5", roles=[{"id": 2, "name": "B"}, {"id": 1, "name": "A"}],
               tags=[{"tagId": 9000001, "id": "uuid", "name": "Scope"}])
    assert adminui.summary(raw)["status"] == "pending_activation"
    assert adminui.summary(raw)["roles"] == ["A", "B"] and adminui.summary(raw)["scope_tags"] == ["Scope"]
    assert adminui.summary(raw)["external_id"] == "e-5" and adminui.summary(raw)["email"] == "svc@example.invalid"


# --- create -----------------------------------------------------------------------------
DETAILS = {"firstName": "Sam", "lastName": "Service", "emailID": "svc@example.invalid", "title": "API user",
           "externalId": "svc-1", "sendEmail": False}


def test_create_returns_id_and_login(server):
    """ASSUMED create reply: {userId, username, status}; the details array is read too."""
    server.script(TOKEN, ok({"userId": 7000002, "username": "scanops_ss1", "status": "SUCCESS"}),
                  ok([{"userDetails": {"id": "7000003", "username": "scanops_ss2", "status": "ACTIVATION"}}]))
    admin = AdminUi(make_client(server))
    assert admin.create_user(DETAILS) == {"id": 7000002, "login": "scanops_ss1"}
    method, path, body = sent(server, 1)
    assert (method, path, body) == ("POST", UI + "/user", {"userDetails": DETAILS})
    assert "password" not in server.requests[1]["body"].lower()
    assert admin.create_user(DETAILS, security={"samlEnabled": False}, asset_group_tags=[9000001]) == {
        "id": 7000003, "login": "scanops_ss2"}
    assert sent(server, 2)[2] == {"userDetails": DETAILS, "security": {"samlEnabled": False}, "assetGroupTags": [9000001]}


@pytest.mark.parametrize("reply, kind, says", [
    (ok({"errorCode": "400", "message": "Missing required field(s): userDetails.emailID."}, 400), "api",
     "HTTP 400 to create user: 400: Missing required field(s): userDetails.emailID."),
    (Reply(400, "userDetails.lastName must be at most 30 characters.", content_type="text/plain"), "api",
     "userDetails.lastName must be at most 30 characters."),
    (ok({"status": "SUCCESS"}), "api", "without userId and username"),
    (ok({"userId": 5, "username": "x", "status": "FAILED"}), "api", "without userId and username"),
    (ok([]), "api", "without userId"),
    (Reply(200, "<html><title>Sign in</title></html>", content_type="text/html"), "api", "without a JSON body"),
    (Reply(200, "", content_type="application/json"), "api", "(empty)"),
    (ok({"errorCode": "403", "message": "Only a Super User or a Manager can manage users."}, 403), "auth", "Manager"),
    (ok({"errorCode": "2003", "message": "Registration must be completed"}, 409), "eula", "2003"),
    (Reply(429, "Too Many Requests", {"Retry-After": "3600"}, content_type="text/plain"), "limit", "HTTP 429"),
])
def test_create_failures_are_clear(server, reply, kind, says):
    server.script(TOKEN, reply)
    with pytest.raises(QualysError) as raised:
        AdminUi(make_client(server)).create_user(DETAILS)
    assert raised.value.kind == kind and says in str(raised.value), str(raised.value)
    assert "(reply: " in str(raised.value)
    assert len(server.requests) == 2  # never repeated
    no_secret(raised.value)


def test_create_server_error_and_lost_reply_are_not_repeated(server):
    server.script(TOKEN, Reply(500, "Internal Server Error", content_type="text/plain"), ok({"userId": 1, "username": "x"}))
    with pytest.raises(QualysError) as raised:
        AdminUi(make_client(server)).create_user(DETAILS)
    assert raised.value.status == 500 and len(server.requests) == 2
    server.script(TOKEN, Reply(drop=True), ok({"userId": 1, "username": "x"}))
    with pytest.raises(QualysError) as raised:
        AdminUi(make_client(server)).create_user(DETAILS)
    assert raised.value.outcome_unknown and len(server.requests) == 2


def test_replies_are_quoted_bounded_and_without_secrets(server):
    echoed = {"userId": "x", "username": "scanops_ss1", "password": LEAKED, "nested": [{"newPassword": LEAKED}],
              "note": "temporary password: %s" % LEAKED, "padding": "z" * 5000}
    server.script(TOKEN, ok(echoed), Reply(500, "error: password=%s; %s" % (LEAKED, "y" * 5000), content_type="text/plain"))
    admin = AdminUi(make_client(server))
    with pytest.raises(QualysError) as raised:
        admin.create_user(DETAILS)
    no_secret(raised.value)
    assert "********" in str(raised.value) and len(str(raised.value)) < 600
    with pytest.raises(QualysError) as raised:
        admin.create_user(DETAILS)
    no_secret(raised.value)
    assert "password=********" in str(raised.value) and str(raised.value).endswith("...')")


# --- status -------------------------------------------------------------------------------
def test_activate_and_deactivate(server):
    server.script(TOKEN, ok({"userId": 7000002, "username": "scanops_ss1", "status": "SUCCESS"}),
                  ok({"userId": 7000002, "username": "scanops_ss1", "status": "SUCCESS"}),
                  ok({"errorCode": "400", "message": "User scanops_ss1 cannot be activated: current status is ACTIVE."}, 400),
                  ok({"status": "FAILED"}))
    admin = AdminUi(make_client(server))
    assert admin.deactivate("scanops_ss1") == {"id": 7000002, "login": "scanops_ss1"}
    assert sent(server, 1) == ("PUT", UI + "/user/status", {"action": "DEACTIVATE", "editUser": "scanops_ss1"})
    assert admin.activate("scanops_ss1") == {"id": 7000002, "login": "scanops_ss1"}
    assert sent(server, 2)[2] == {"action": "ACTIVATE", "editUser": "scanops_ss1"}
    with pytest.raises(QualysError, match="current status is ACTIVE") as raised:
        admin.activate("scanops_ss1")
    assert raised.value.kind == "api" and raised.value.status == 400
    with pytest.raises(QualysError, match="without status SUCCESS"):
        admin.activate("scanops_ss1")
    assert len(server.requests) == 5


# --- transport ----------------------------------------------------------------------------
def test_token_renewed_once_then_an_auth_error(server):
    server.script(TOKEN, ok({"errorCode": "401", "message": "Unauthorized"}, 401), Reply(201, "jwt-two", content_type="text/plain"),
                  ok({"errorCode": "401", "message": "Unauthorized"}, 401))
    with pytest.raises(QualysError) as raised:
        AdminUi(make_client(server)).get_user(1)
    assert raised.value.kind == "auth" and raised.value.status == 401
    assert [request["path"] for request in server.requests] == ["/auth", UI + "/user/1", "/auth", UI + "/user/1"]
    assert server.requests[3]["headers"]["Authorization"] == "Bearer jwt-two"


def test_base_url_defaults_to_the_api_server(server, _tls_files):
    client = make_client(server)
    assert AdminUi(client).base_url == client.api_url
    other = ScriptedServer(*_tls_files)
    try:
        admin = AdminUi(client, base_url=other.url + "/")
        assert admin.base_url == other.url
        server.script(TOKEN)
        other.script(ok([{"userDetails": {"id": 1, "username": "a"}}]))
        if adminui._takes_base_url(client):  # pylint: disable=protected-access
            assert admin.get_user(1)["userDetails"]["id"] == 1
            assert [request["path"] for request in server.requests] == ["/auth"]
            assert other.requests[0]["headers"]["Authorization"] == "Bearer jwt-one"
        else:
            # Until QualysClient.request takes base_url, an admin_url other than the gateway is refused before any call.
            with pytest.raises(QualysError) as raised:
                admin.get_user(1)
            assert raised.value.kind == "unsupported" and not server.requests and not other.requests
    finally:
        other.stop()


def test_private_url_without_gateway_names_gateway_url(server):
    client = make_client(server, gateway_url=None)
    with pytest.raises(QualysError, match="gateway_url") as raised:
        AdminUi(client).list_users()
    assert raised.value.kind == "config" and not server.requests
