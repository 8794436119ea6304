# Copyright (c) scanops.qualys contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The Qualys simulator's enhanced-RBAC mode (``user_api: rbac``), run as a real HTTPS subprocess.

Documented: the classic user calls are refused, the ``adminui`` user calls are served (JSON, Bearer JWT),
password_change.php and QPS am/user keep working. Tests that depend on a shape no public source shows
say "ASSUMED" and name the setting (tests/simulators/README.md, "Enhanced RBAC mode").

PYTHONPATH=tests python -m pytest tests/integration/test_qualys_rbac_simulator.py
"""

import json
import sys

import pytest
import requests
from harness import link_collection
from defusedxml import ElementTree

from simulators.common import SimulatorProcess

ADMIN = ("scanops_admin", "scanops-demo-Admin1!")
XRW = {"X-Requested-With": "scanops-rbac-tests"}
JSON_HEADERS = {"Accept": "application/json", "Content-Type": "application/json"}
UI = "/adminui/user-management/v1"
DETAILS = {"firstName": "Sam", "lastName": "Service", "emailID": "svc@example.invalid", "title": "API user",
           "contactNumber": "+1 555 0100", "address": "1 Main St", "city": "Springfield", "country": "Germany",
           "language": "English", "externalId": "svc-rbac-1", "sendEmail": False}


class Api:
    """HTTP helper bound to one running simulator."""

    def __init__(self, sim):
        self.url = sim.url
        self.session = requests.Session()
        self.session.trust_env = False  # REQUESTS_CA_BUNDLE would override verify=
        self.session.verify = sim.ca_path

    def call(self, method, path, auth=ADMIN, headers=None, **kwargs):
        merged = dict(XRW)
        merged.update(headers or {})
        return self.session.request(method, self.url + path, auth=auth, headers=merged, timeout=15, **kwargs)

    def sim(self, method, path, body=None):
        response = self.session.request(method, self.url + "/_sim/" + path, json=body, timeout=60)
        assert response.status_code == 200, response.text
        return response.json()

    def token(self, login=ADMIN[0], password=ADMIN[1]):
        response = self.call("POST", "/auth", auth=None, data={"username": login, "password": password, "token": "true"})
        assert response.status_code == 201, response.text
        return response.text

    def ui(self, method, path, body=None, token=None, headers=None):
        """An adminui call with the admin's token (``token=""`` sends none)."""
        token = self.token() if token is None else token
        merged = dict(JSON_HEADERS)
        if token:
            merged["Authorization"] = "Bearer " + token
        merged.update(headers or {})
        return self.call(method, UI + path, auth=None, headers=merged, data=None if body is None else json.dumps(body))

    def qps(self, path, body, auth=ADMIN):
        response = self.call("POST", "/qps/rest/2.0/" + path, auth=auth, headers=JSON_HEADERS,
                             data=json.dumps({"ServiceRequest": body}))
        assert response.status_code == 200, response.text
        return response.json()["ServiceResponse"]

    def state_user(self, login):
        return self.sim("GET", "users/" + login)


def xml(response):
    return ElementTree.fromstring(response.content)


@pytest.fixture(scope="module")
def sim(tmp_path_factory):
    process = SimulatorProcess("qualys", str(tmp_path_factory.mktemp("sims") / "qualys"), ["--seed", "11"])
    process.start()
    yield process
    assert process.stop() == 0


@pytest.fixture(scope="module")
def defaults(sim):
    return Api(sim).sim("GET", "config")


@pytest.fixture
def api(sim, defaults):
    """The simulator in rbac mode, empty, no faults, counters at zero."""
    client = Api(sim)
    client.sim("DELETE", "faults")
    client.sim("POST", "config", dict(defaults, user_api="rbac"))
    client.sim("POST", "state/reset")
    client.sim("POST", "limits/reset")
    client.sim("POST", "stats/reset")
    return client


def create(api, **changes):
    details = dict(DETAILS, **changes)
    response = api.ui("POST", "/user", {"userDetails": details})
    assert response.status_code == 200, response.text
    return response.json()


# --- settings and modes ------------------------------------------------------------------
def test_settings_default_to_classic_and_are_validated(api, defaults):
    assert defaults["user_api"] == "classic"
    assert defaults["rbac_classic_refusal"] == "failed_200"
    assert defaults["adminui_create_reply"] == "id_login"
    assert defaults["adminui_error_body"] == "json"
    assert defaults["adminui_external_id"] is True
    for key, value in (("user_api", "enhanced"), ("rbac_classic_refusal", "http_500"), ("adminui_create_reply", "x"),
                       ("adminui_error_body", "xml"), ("adminui_external_id", "yes")):
        bad = api.session.post(api.url + "/_sim/config", json={key: value}, timeout=5)
        assert bad.status_code == 400 and key in bad.json()["error"], (key, bad.text)


def test_classic_mode_serves_no_adminui(api):
    """ASSUMED: a subscription without enhanced RBAC answers the adminui paths with the web tier's 404."""
    api.sim("POST", "config", {"user_api": "classic"})
    response = api.ui("POST", "/users", {"limit": 10, "offset": 0})
    assert response.status_code == 404 and "html" in response.headers["Content-Type"]
    listed = api.call("GET", "/msp/user_list.php")
    assert listed.status_code == 200 and xml(listed).tag == "USER_LIST_OUTPUT"


# --- the classic calls in rbac mode ------------------------------------------------------
def test_classic_user_calls_are_refused(api):
    """ASSUMED (setting rbac_classic_refusal=failed_200): HTTP 200 GENERIC_RETURN, RETURN FAILED, number 2004."""
    added = api.call("POST", "/msp/user.php", data={"action": "add", "user_role": "reader", "first_name": "A"})
    listed = api.call("GET", "/msp/user_list.php")
    for response, script in ((added, "user.php"), (listed, "user_list.php")):
        assert response.status_code == 200, response.text
        root = xml(response)
        assert root.tag == "GENERIC_RETURN" and root.find("API").get("name") == script
        assert root.find("RETURN").get("status") == "FAILED" and root.find("RETURN").get("number") == "2004"
        assert "enhanced RBAC" in root.findtext("RETURN")
        assert response.headers["X-RateLimit-Limit"] and response.headers["X-Concurrency-Limit-Limit"]
    assert [user["login"] for user in api.sim("GET", "state")["users"]] == [ADMIN[0]]
    stats = api.sim("GET", "stats")["by_endpoint"]
    assert stats["POST /msp/user.php?action=add"] == 1 and stats["GET /msp/user_list.php"] == 1
    # Authentication still comes first: a bad login is a bad login.
    bad = api.call("GET", "/msp/user_list.php", auth=("nobody", "x"))
    assert bad.status_code == 401 and xml(bad).find("RETURN").get("number") == "2000"


def test_classic_refusal_variants(api):
    """ASSUMED alternatives of rbac_classic_refusal: http_403 (same body, HTTP 403), html_404 (the script is gone)."""
    api.sim("POST", "config", {"rbac_classic_refusal": "http_403"})
    response = api.call("POST", "/msp/user.php", data={"action": "edit", "login": ADMIN[0], "title": "x"})
    assert response.status_code == 403 and xml(response).find("RETURN").get("status") == "FAILED"
    api.sim("POST", "config", {"rbac_classic_refusal": "html_404"})
    response = api.call("GET", "/msp/user_list.php", auth=("nobody", "x"))
    assert response.status_code == 404 and "html" in response.headers["Content-Type"]


def test_other_user_calls_keep_working(api):
    """password_change.php (the reference suggests it), acceptEULA.php, change_password and QPS am/user."""
    created = create(api)
    login = created["username"]
    changed = api.call("POST", "/msp/password_change.php", data={"user_logins": login, "email": "0"})
    root = xml(changed)
    assert root.find("RETURN").get("status") == "SUCCESS", changed.text
    password = root.findtext("RETURN/CHANGES/USER_LIST/USER/PASSWORD")
    assert password and api.state_user(login)["status"] == "Active"
    assert xml(api.call("POST", "/msp/acceptEULA.php", auth=(login, password))).find("RETURN").get("status") == "SUCCESS"
    own = api.call("POST", "/api/2.0/fo/user/change_password/", auth=(login, password),
                   headers={"Content-Type": "application/json"}, data=json.dumps({"newPassword": "Vault-Chosen-99"}))
    assert own.status_code == 200, own.text
    assert api.call("GET", "/msp/about.php", auth=(login, "Vault-Chosen-99")).status_code == 200
    found = api.qps("search/am/user", {"filters": {"Criteria": [{"field": "username", "operator": "EQUALS",
                                                                 "value": login}]}})
    assert found["count"] == 1 and found["data"][0]["User"]["id"] == created["userId"]
    updated = api.qps("update/am/user/%d" % created["userId"],
                      {"data": {"User": {"roleList": {"add": {"RoleData": [{"name": "Reader"}]}}}}})
    assert updated["responseCode"] == "SUCCESS"
    listed = api.ui("POST", "/users", {"limit": 10, "offset": 0, "filter": {"username": login}}).json()
    assert [role["name"] for role in listed["users"][0]["roles"]] == ["Reader"]


# --- adminui authentication ----------------------------------------------------------------
def test_adminui_needs_a_valid_token_of_a_manager(api):
    """Documented: Bearer JWT. ASSUMED: the statuses and the json error body (adminui_error_body=json)."""
    for headers, token in (({}, ""), ({"Authorization": "Basic c2Nhbm9wc19hZG1pbjp4"}, ""), ({}, "not.a.jwt")):
        response = api.ui("POST", "/users", {"limit": 1}, token=token, headers=headers)
        assert response.status_code == 401, response.text
        assert set(response.json()) == {"errorCode", "message"} and response.json()["errorCode"] == "401"
    expired = api.sim("POST", "tokens", {"login": ADMIN[0], "ttl_sec": -10})["token"]
    assert api.ui("GET", "/user/7000001", token=expired).status_code == 401
    created = create(api)
    login = created["username"]
    password = xml(api.call("POST", "/msp/password_change.php", data={"user_logins": login, "email": "0"})).findtext(
        "RETURN/CHANGES/USER_LIST/USER/PASSWORD")
    pending = api.token(login, password)  # the gateway issues tokens before the EULA
    response = api.ui("POST", "/users", {}, token=pending)
    assert response.status_code == 409 and response.json()["errorCode"] == "2003"
    api.call("POST", "/msp/acceptEULA.php", auth=(login, password))
    response = api.ui("POST", "/users", {}, token=api.token(login, password))
    assert response.status_code == 403 and "Manager" in response.json()["message"]
    api.sim("POST", "config", {"adminui_error_body": "text"})
    response = api.ui("POST", "/users", {}, token="")
    assert response.status_code == 401 and response.headers["Content-Type"].startswith("text/plain")
    stats = api.sim("GET", "stats")["by_endpoint"]
    assert stats["POST %s/users" % UI] == 6 and stats["GET %s/user/{id}" % UI] == 1


# --- adminui users -------------------------------------------------------------------------
def test_created_user_is_a_model_user_pending_until_eula(api):
    """ASSUMED: the create reply (adminui_create_reply=id_login) and externalId on listed users (adminui_external_id)."""
    created = create(api)
    assert set(created) == {"userId", "username", "status"} and created["status"] == "SUCCESS"
    login, user_id = created["username"], created["userId"]
    assert login == "scanops_ss1" and user_id > 7000001
    state = api.state_user(login)
    assert state["status"] == "Pending Activation" and not state["eula_accepted"]
    assert state["external_id"] == "svc-rbac-1" and state["created_via"] == "adminui"
    assert state["email"] == "svc@example.invalid" and state["phone"] == "+1 555 0100"
    assert state.get("activation_emails") is None  # sendEmail false
    details = api.ui("GET", "/user/%d" % user_id).json()
    assert isinstance(details, list) and len(details) == 1
    assert details[0]["userDetails"]["status"] == "ACTIVATION" and details[0]["userDetails"]["allowLogin"] is False
    assert details[0]["userDetails"]["emailId"] == "svc@example.invalid" and details[0]["qwebUserRole"] == "Reader"
    listed = api.ui("POST", "/users", {"limit": 10, "offset": 0, "filter": {"username": login}}).json()
    assert listed["totalCount"] == 1
    user = listed["users"][0]
    assert user["id"] == user_id and user["status"] == "PENDING_ACTIVATION" and user["externalId"] == "svc-rbac-1"
    assert {"uuid", "emailAddress", "roles", "tags", "qwebUserRole"} <= set(user)
    # The same user through the classic list (a classic view of the same subscription).
    api.sim("POST", "config", {"user_api": "classic"})
    classic = xml(api.call("GET", "/msp/user_list.php", params={"external_id_contains": "svc-rbac"}))
    assert [u.findtext("USER_LOGIN") for u in classic.iter("USER")] == [login]
    api.sim("POST", "config", {"user_api": "rbac"})
    # The e-mail on: counted, never sent; no password in any reply.
    second = create(api, externalId="svc-rbac-2", sendEmail=True)
    assert api.state_user(second["username"])["activation_emails"] == 1
    for value in api.sim("GET", "secrets")["secrets"]:
        assert value not in json.dumps(created) and value not in json.dumps(second) and value not in json.dumps(details)


def test_status_changes(api):
    """Documented request and reply; ASSUMED: the refusals (activate an active user, self, unknown login)."""
    created = create(api)
    login = created["username"]
    password = xml(api.call("POST", "/msp/password_change.php", data={"user_logins": login, "email": "0"})).findtext(
        "RETURN/CHANGES/USER_LIST/USER/PASSWORD")
    api.call("POST", "/msp/acceptEULA.php", auth=(login, password))
    token = api.token()
    response = api.ui("PUT", "/status", {"action": "DEACTIVATE", "editUser": login}, token=token)
    assert response.status_code == 404  # /user/status, not /status
    response = api.ui("PUT", "/user/status", {"action": "DEACTIVATE", "editUser": login}, token=token)
    assert response.status_code == 200
    assert response.json() == {"userId": created["userId"], "username": login, "status": "SUCCESS"}
    assert api.state_user(login)["status"] == "Inactive"
    assert api.call("GET", "/msp/about.php", auth=(login, password)).status_code == 401
    listed = api.ui("POST", "/users", {"filter": {"status": "INACTIVE"}}, token=token).json()
    assert [user["username"] for user in listed["users"]] == [login]
    assert api.ui("PUT", "/user/status", {"action": "ACTIVATE", "editUser": login}, token=token).status_code == 200
    assert api.state_user(login)["status"] == "Active"
    for body, status in (({"action": "ACTIVATE", "editUser": login}, 400), ({"action": "activate", "editUser": login}, 400),
                         ({"action": "DEACTIVATE", "editUser": ADMIN[0]}, 400), ({"action": "DEACTIVATE"}, 400),
                         ({"action": "DEACTIVATE", "editUser": "nobody"}, 404),
                         ({"action": "DEACTIVATE", "editUser": login, "extra": 1}, 400)):
        response = api.ui("PUT", "/user/status", body, token=token)
        assert response.status_code == status, (body, response.text)
    assert api.ui("POST", "/user/status", {"action": "ACTIVATE", "editUser": login}, token=token).status_code == 405
    stats = api.sim("GET", "stats")
    assert stats["by_endpoint"]["PUT %s/user/status" % UI] == 8
    assert all(call["kind"] == "write" for call in stats["calls"] if call["path"] == UI + "/user/status")


def test_list_paging_sorting_and_filters(api):
    """Documented: limit, offset, sortFilter, filter, totalCount. ASSUMED: contains-matching, 400 for unknown keys."""
    api.sim("POST", "seed", {"users": 25})
    token = api.token()
    seen = []
    for offset in (0, 10, 20, 30):
        page = api.ui("POST", "/users", {"limit": 10, "offset": offset, "sortFilter": {"username": "ASC"}},
                      token=token).json()
        assert page["totalCount"] == 26
        seen += [user["username"] for user in page["users"]]
    assert len(seen) == 26 and seen == sorted(seen)
    down = api.ui("POST", "/users", {"limit": 3, "sortFilter": {"id": "DESC"}}, token=token).json()["users"]
    assert [user["id"] for user in down] == sorted((user["id"] for user in down), reverse=True)
    api.sim("POST", "config", {"page_size": 4})
    assert len(api.ui("POST", "/users", {"limit": 10}, token=token).json()["users"]) == 4
    api.sim("POST", "config", {"page_size": None})
    found = api.ui("POST", "/users", {"filter": {"lastName": "user1"}}, token=token).json()
    assert found["totalCount"] == 11  # User1, User10..User19: contained, any case
    assert found["users"][0]["externalId"] == "seed-1"
    readers = api.ui("POST", "/users", {"filter": {"role": "Reader", "status": "ACTIVE"}}, token=token).json()
    assert readers["totalCount"] == 25
    for body in ({"filter": {"externalId": "seed-1"}}, {"filter": {"updatedDate": "01-JAN-25"}}, {"limit": 0},
                 {"offset": -1}, {"sortFilter": {"password": "ASC"}}, {"page": 1}, {"filter": {"status": "ENABLED"}}):
        response = api.ui("POST", "/users", body, token=token)
        assert response.status_code == 400 and response.json()["message"], (body, response.text)
    assert "externalId" in api.ui("POST", "/users", {"filter": {"externalId": "x"}}, token=token).json()["message"]
    api.sim("POST", "config", {"adminui_external_id": False})
    listed = api.ui("POST", "/users", {"limit": 2}, token=token).json()["users"]
    assert all("externalId" not in user for user in listed)


def test_create_validation_and_reply_settings(api):
    """Documented field limits; ASSUMED: required fields, refusal of unknown fields, the reply settings."""
    token = api.token()
    for changes, text in (({"lastName": "x" * 31}, "lastName"), ({"language": "english"}, "language"),
                          ({"state": "Bavaria"}, "state"), ({"country": "DE"}, "country"), ({"emailID": ""}, "emailID"),
                          ({"password": "Chosen-Passw0rd"}, "password"), ({"sendEmail": "no"}, "sendEmail")):
        response = api.ui("POST", "/user", {"userDetails": dict(DETAILS, **changes)}, token=token)
        assert response.status_code == 400 and text in response.json()["message"], (changes, response.text)
        assert "Chosen-Passw0rd" not in response.text
    saml = api.ui("POST", "/user", {"userDetails": dict(DETAILS, externalId=""), "security": {"samlEnabled": True}},
                  token=token)
    assert saml.status_code == 400 and "externalId" in saml.json()["message"]
    assert api.ui("POST", "/user", {"user": DETAILS}, token=token).status_code == 400
    assert [user["login"] for user in api.sim("GET", "state")["users"]] == [ADMIN[0]]
    api.sim("POST", "config", {"adminui_create_reply": "details"})
    details = api.ui("POST", "/user", {"userDetails": DETAILS}, token=token).json()
    assert details[0]["userDetails"]["username"] == "scanops_ss1" and details[0]["userDetails"]["status"] == "ACTIVATION"
    api.sim("POST", "config", {"adminui_create_reply": "status_only"})
    assert api.ui("POST", "/user", {"userDetails": DETAILS}, token=token).json() == {"status": "SUCCESS"}
    assert len(api.sim("GET", "state")["users"]) == 3


def test_faults_and_rate_limit_apply(api):
    """Faults and counting as for every call; ASSUMED: the gateway's rate limit and 429 for adminui."""
    token = api.token()
    api.sim("POST", "faults", {"rules": [{"path": UI + "/user", "method": "POST", "kind": "drop_after_write"}]})
    with pytest.raises(requests.exceptions.ConnectionError):
        api.ui("POST", "/user", {"userDetails": DETAILS}, token=token)
    assert api.state_user("scanops_ss1")["external_id"] == "svc-rbac-1"  # applied, reply lost
    api.sim("POST", "faults", {"rules": [{"path": UI + "/user/*", "kind": "500"}]})
    assert api.ui("GET", "/user/7000002", token=token).status_code == 500
    assert api.sim("GET", "faults")["fired"][0]["kind"] == "500"
    api.sim("DELETE", "faults")
    api.sim("POST", "config", {"rate_limit": 1})
    first = api.ui("POST", "/users", {}, token=token)
    assert first.status_code == 200 and first.headers["X-RateLimit-Remaining"] == "0"
    second = api.ui("POST", "/users", {}, token=token)
    assert second.status_code == 429 and int(second.headers["X-RateLimit-ToWait-Sec"]) > 0
    stats = api.sim("GET", "stats")
    assert stats["by_endpoint"]["POST %s/user" % UI] == 1 and stats["by_endpoint"]["POST %s/users" % UI] == 2
    assert [call["status"] for call in stats["calls"] if call["path"] == UI + "/user"] == [0]


# --- the collection's adminui client against the simulator ----------------------------------
def test_adminui_client_against_the_simulator(api, sim):
    """The module_utils client and the simulator, written apart, agree. ASSUMED: adminui_create_reply=id_login and
    externalId on listed users (adminui_external_id=true); with the field off, find by external id refuses."""
    sys.path.insert(0, link_collection())
    from ansible_collections.scanops.qualys.plugins.module_utils.qualys_adminui import AdminUi, summary
    from ansible_collections.scanops.qualys.plugins.module_utils.qualys_client import QualysClient
    from ansible_collections.scanops.qualys.plugins.module_utils.qualys_errors import QualysError

    api.sim("POST", "seed", {"users": 5})
    client = QualysClient({"url": sim.url, "gateway_url": sim.url, "username": ADMIN[0], "password": ADMIN[1],
                           "ca_path": sim.ca_path, "validate_certs": True, "timeout": 10, "max_retries": 2,
                           "max_wait": 5, "auth_method": "auto"})
    admin = AdminUi(client, page_size=2)
    created = admin.create_user(DETAILS)
    assert created == {"id": created["id"], "login": "scanops_ss1"}
    assert admin.find_by_external_id("svc-rbac-1")["id"] == created["id"]
    assert admin.find_by_external_id("nobody") is None
    assert summary(admin.find_by_login("scanops_ss1"))["status"] == "pending_activation"
    assert summary(admin.get_user(created["id"]))["email"] == "svc@example.invalid"
    assert len(admin.list_users()) == 7
    with pytest.raises(QualysError) as raised:
        admin.deactivate("scanops_ss1")  # pending, not active
    assert raised.value.status == 400 and "PENDING_ACTIVATION" in str(raised.value)
    api.call("POST", "/msp/password_change.php", data={"user_logins": "scanops_ss1", "email": "0"})
    assert admin.deactivate("scanops_ss1") == {"id": created["id"], "login": "scanops_ss1"}
    assert admin.activate("scanops_ss1")["id"] == created["id"]
    api.sim("POST", "config", {"adminui_external_id": False})
    with pytest.raises(QualysError) as raised:
        admin.find_by_external_id("svc-rbac-1")
    assert raised.value.kind == "unsupported"
    stats = api.sim("GET", "stats")["by_endpoint"]
    assert stats["POST /auth"] == 1 and stats["POST %s/user" % UI] == 1 and stats["PUT %s/user/status" % UI] == 3
    for value in api.sim("GET", "secrets")["secrets"]:
        assert value not in str(raised.value)
