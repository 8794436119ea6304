# Copyright (c) scanops.qualys contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Tests of the Qualys simulator itself, run as a real HTTPS subprocess.

PYTHONPATH=tests python -m pytest tests/integration/test_qualys_simulator.py
"""

import concurrent.futures
import json
import os
import time

import pytest
import requests
from defusedxml import ElementTree

from simulators.common import SimulatorProcess

ADMIN = ("scanops_admin", "scanops-demo-Admin1!")
XRW = {"X-Requested-With": "scanops-simulator-tests"}
JSON_HEADERS = {"Accept": "application/json", "Content-Type": "application/json"}
AG = "/api/2.0/fo/asset/group/"
LIMIT_HEADERS = ("X-RateLimit-Limit", "X-RateLimit-Window-Sec", "X-RateLimit-Remaining", "X-RateLimit-ToWait-Sec",
                 "X-Concurrency-Limit-Limit", "X-Concurrency-Limit-Running")


class Api:
    """Small HTTP helper bound to one running simulator."""

    def __init__(self, sim):
        self.url = sim.url
        self.ca_path = sim.ca_path
        self.session = requests.Session()
        self.session.trust_env = False  # REQUESTS_CA_BUNDLE would override verify=
        self.session.verify = sim.ca_path

    def call(self, method, path, auth=ADMIN, headers=None, timeout=15, **kwargs):
        merged = dict(XRW)
        merged.update(headers or {})
        return self.session.request(method, self.url + path, auth=auth, headers=merged, timeout=timeout, **kwargs)

    def sim(self, method, path, body=None):
        response = self.session.request(method, self.url + "/_sim/" + path, json=body, timeout=60)
        assert response.status_code == 200, response.text
        return response.json()

    def qps(self, path, body=None, auth=ADMIN, method="POST"):
        response = self.call(method, "/qps/rest/2.0/" + path, auth=auth, headers=JSON_HEADERS,
                             data=None if body is None else json.dumps({"ServiceRequest": body}))
        assert response.status_code == 200, response.text
        assert response.headers["Content-Type"].startswith("application/json")
        return response.json()["ServiceResponse"]


def xml(response):
    return ElementTree.fromstring(response.content)


def code_of(response):
    return xml(response).findtext("RESPONSE/CODE")


@pytest.fixture(scope="module")
def sim(tmp_path_factory):
    process = SimulatorProcess("qualys", str(tmp_path_factory.mktemp("sims") / "qualys"), ["--seed", "7"])
    process.start()
    yield process
    assert process.stop() == 0


@pytest.fixture(scope="module")
def defaults(sim):
    return Api(sim).sim("GET", "config")


@pytest.fixture
def api(sim, defaults):
    client = Api(sim)
    client.sim("DELETE", "faults")
    client.sim("POST", "config", defaults)
    client.sim("POST", "state/reset")
    client.sim("POST", "limits/reset")
    client.sim("POST", "stats/reset")
    return client


USER_FIELDS = {
    "business_unit": "Unassigned", "first_name": "Sam", "last_name": "Service", "title": "API user",
    "phone": "+1 555 0100", "email": "svc@example.invalid", "address1": "1 Main St", "city": "Springfield",
    "country": "Germany",
}


def add_user(api, role="reader", send_email="0", accept=True, **extra):
    data = dict(USER_FIELDS, action="add", user_role=role, send_email=send_email)
    data.update(extra)
    response = api.call("POST", "/msp/user.php", data=data)
    assert response.status_code == 200, response.text
    root = xml(response)
    assert root.find("RETURN").get("status") == "SUCCESS", response.text
    login, password = root.findtext("USER/USER_LOGIN"), root.findtext("USER/PASSWORD")
    if accept and login:
        assert api.call("POST", "/msp/acceptEULA.php", auth=(login, password)).status_code == 200
    return login, password


def add_group(api, title, **extra):
    response = api.call("POST", AG, data={"action": "add", "title": title, **extra})
    assert response.status_code == 200, response.text
    return int(xml(response).findtext("RESPONSE/ITEM_LIST/ITEM/VALUE"))


def list_groups(api, auth=ADMIN, **params):
    response = api.call("GET", AG, auth=auth, params={"action": "list", **params})
    assert response.status_code == 200, response.text
    return xml(response)


# --- process, TLS, control API -----------------------------------------------
def test_ready_file_tls_and_health(sim, api):
    assert sim.url.startswith("https://127.0.0.1:")
    assert os.path.basename(sim.ca_path) == "ca.pem"
    assert os.path.dirname(os.path.dirname(sim.ca_path)) == os.path.dirname(sim.state_dir)
    with pytest.raises(requests.exceptions.SSLError):
        untrusted = requests.Session()
        untrusted.trust_env = False
        untrusted.get(sim.url + "/_sim/health", timeout=5)
    assert api.sim("GET", "health") == {"ok": True, "service": "qualys"}


def test_config_validation_and_state_reset(api):
    bad = api.session.post(api.url + "/_sim/config", json={"no_such_setting": 1}, timeout=5)
    assert bad.status_code == 400 and "unknown setting" in bad.json()["error"]
    assert api.session.post(api.url + "/_sim/config", json={"rate_limit": -1}, timeout=5).status_code == 400
    assert api.sim("POST", "config", {"page_size": 5})["page_size"] == 5
    add_user(api)
    add_group(api, "Temp")
    api.sim("POST", "state/reset")
    state = api.sim("GET", "state")
    assert [user["login"] for user in state["users"]] == ["scanops_admin"]
    assert [group["title"] for group in state["asset_groups"]] == ["All"]
    assert {role["name"] for role in state["roles"]} >= {"Manager"}
    assert "Asset Groups" in {tag["name"] for tag in state["tags"]}


# --- authentication and account states ------------------------------------------
def test_bad_login_shapes(api):
    response = api.call("GET", AG, auth=("scanops_admin", "wrong"), params={"action": "list"})
    assert response.status_code == 401 and code_of(response) == "2000"
    assert xml(response).findtext("RESPONSE/TEXT") == "Bad Login/Password"
    assert "X-RateLimit-Limit" not in response.headers
    msp = api.call("GET", "/msp/user_list.php", auth=("nobody", "x"))
    assert msp.status_code == 401 and xml(msp).find("RETURN").get("number") == "2000"
    qps = api.call("GET", "/qps/rest/portal/version", auth=("nobody", "x"))
    assert qps.status_code == 200 and xml(qps).findtext("responseCode") == "INVALID_CREDENTIALS"


def test_x_requested_with_is_required_on_api_v2(api):
    response = api.session.get(api.url + AG, params={"action": "list"}, auth=ADMIN, timeout=5)
    assert response.status_code == 400 and code_of(response) == "1903"
    assert "X-Requested-With" in xml(response).findtext("RESPONSE/TEXT")


def test_expired_and_inactive_accounts(api):
    login, password = add_user(api)
    api.sim("POST", "users/" + login, {"expired": True})
    response = api.call("GET", AG, auth=(login, password), params={"action": "list"})
    assert response.status_code == 200 and code_of(response) == "2001"
    assert xml(response).findtext("RESPONSE/TEXT") == "This account has expired."
    api.sim("POST", "users/" + login, {"expired": False})
    assert api.call("POST", "/msp/user.php", data={"action": "deactivate", "login": login}).status_code == 200
    response = api.call("GET", AG, auth=(login, password), params={"action": "list"})
    assert response.status_code == 401 and code_of(response) == "2002"


def test_new_user_is_gated_until_eula_accepted(api):
    login, password = add_user(api, accept=False)
    assert login.startswith("scanops_ss")
    state = {user["login"]: user for user in api.sim("GET", "state")["users"]}
    assert state[login]["status"] == "Pending Activation" and not state[login]["eula_accepted"]
    msp = api.call("GET", "/msp/user_list.php", auth=(login, password))
    assert msp.status_code == 409 and xml(msp).find("RETURN").get("number") == "2003"
    v2 = api.call("GET", AG, auth=(login, password), params={"action": "list"})
    assert v2.status_code == 409 and code_of(v2) == "2003"
    qps = api.call("POST", "/qps/rest/2.0/search/am/tag", auth=(login, password), headers=JSON_HEADERS, data="{}")
    assert qps.json()["ServiceResponse"]["responseCode"] == "UNAUTHORIZED"
    eula = api.call("POST", "/msp/acceptEULA.php", auth=(login, password))
    root = xml(eula)
    assert root.tag == "GENERIC_RETURN" and root.find("RETURN").get("status") == "SUCCESS"
    assert root.findtext("RETURN") == "TNC accepted within MSP"
    listed = xml(api.call("GET", "/msp/user_list.php", auth=(login, password)))
    assert [u.findtext("USER_LOGIN") for u in listed.iter("USER")] == [login]
    assert listed.findtext("USER_LIST/USER/USER_STATUS") == "Active"


# --- /msp users ----------------------------------------------------------------------
def test_user_add_generates_login_and_password(api):
    add_group(api, "Scoped")
    login, password = add_user(api, external_id="svc-001", asset_groups="Scoped", first_name="Jane", last_name="Doe")
    assert login == "scanops_jd1" and len(password) >= 12
    second, _pw = add_user(api, first_name="John", last_name="Dunn")
    assert second == "scanops_jd2"
    quiet = api.call("POST", "/msp/user.php", data=dict(USER_FIELDS, action="add", user_role="reader"))
    assert xml(quiet).find("USER") is None  # send_email defaults to 1: nothing returned
    listed = xml(api.call("GET", "/msp/user_list.php", params={"external_id_contains": "svc-"}))
    users = listed.findall("USER_LIST/USER")
    assert len(users) == 1
    user = users[0]
    assert user.findtext("USER_LOGIN") == login and user.findtext("EXTERNAL_ID") == "svc-001"
    assert user.findtext("USER_ROLE") == "Reader" and user.findtext("CONTACT_INFO/COUNTRY") == "Germany"
    assert [t.text for t in user.findall("ASSIGNED_ASSET_GROUPS/ASSET_GROUP_TITLE")] == ["Scoped"]
    assert password in api.sim("GET", "secrets")["secrets"]


@pytest.mark.parametrize("changes,number", [
    ({"user_role": None}, "1903"),
    ({"user_role": "contact", "send_email": "0"}, "1907"),
    ({"user_role": "wizard"}, "1905"),
    ({"country": "US"}, "1905"),
    ({"nickname": "x"}, "1901"),
    ({"asset_groups": "No Such Group"}, "1905"),
    ({"country": "United States of America"}, "1903"),  # state is required there
])
def test_user_add_failures(api, changes, number):
    data = dict(USER_FIELDS, action="add", user_role="reader", send_email="0")
    for key, value in changes.items():
        if value is None:
            data.pop(key)
        else:
            data[key] = value
    root = xml(api.call("POST", "/msp/user.php", data=data))
    assert root.tag == "USER_OUTPUT"
    assert root.find("RETURN").get("status") == "FAILED" and root.find("RETURN").get("number") == number
    assert root.findtext("RETURN/MESSAGE")


def test_user_edit_replaces_values_and_status_rules(api):
    for title in ("A", "B", "C"):
        add_group(api, title)
    login, _password = add_user(api, asset_groups="A,B")
    changes = {"action": "edit", "login": login, "asset_groups": "C", "title": "Robot"}
    edit = xml(api.call("POST", "/msp/user.php", data=changes))
    assert edit.find("RETURN").get("status") == "SUCCESS"
    assert edit.findtext("RETURN/MESSAGE") == "%s user has been successfully updated." % login
    user = xml(api.call("GET", "/msp/user_list.php")).find("USER_LIST/USER[USER_LOGIN='%s']" % login)
    assert [t.text for t in user.findall("ASSIGNED_ASSET_GROUPS/ASSET_GROUP_TITLE")] == ["C"]
    assert user.findtext("CONTACT_INFO/TITLE") == "Robot"
    for data, number in (({"action": "edit", "login": "ghost"}, "1905"), ({"action": "edit"}, "1903"),
                         ({"action": "edit", "login": login, "user_role": "manager"}, "1901"),
                         ({"action": "activate", "login": login}, "1907")):
        root = xml(api.call("POST", "/msp/user.php", data=data))
        assert (root.find("RETURN").get("status"), root.find("RETURN").get("number")) == ("FAILED", number)
    assert xml(api.call("POST", "/msp/user.php", data={"action": "deactivate", "login": login})).findtext(
        "RETURN/MESSAGE").endswith("deactivated.")
    again = xml(api.call("POST", "/msp/user.php", data={"action": "deactivate", "login": login}))
    assert again.find("RETURN").get("status") == "FAILED"
    assert xml(api.call("POST", "/msp/user.php", data={"action": "activate", "login": login})).find(
        "RETURN").get("status") == "SUCCESS"


def test_reader_cannot_manage_users(api):
    login, password = add_user(api)
    data = dict(USER_FIELDS, action="add", user_role="reader")
    root = xml(api.call("POST", "/msp/user.php", auth=(login, password), data=data))
    assert root.find("RETURN").get("status") == "FAILED" and root.find("RETURN").get("number") == "2004"


def test_user_list_filters(api):
    add_user(api, external_id="team-a-1")
    add_user(api)

    def logins(**params):
        root = xml(api.call("GET", "/msp/user_list.php", params=params))
        return [user.findtext("EXTERNAL_ID") for user in root.iter("USER")]
    assert logins(external_id_contains="team-a") == ["team-a-1"]
    assert logins(external_id_assigned="1") == ["team-a-1"]
    assert len(logins(external_id_assigned="0")) == 2  # admin + the user without external id
    both = xml(api.call("GET", "/msp/user_list.php", params={"external_id_contains": "x", "external_id_assigned": "1"}))
    assert both.find("ERROR").get("number") == "1904"


PASSWORD_CHANGE = "/msp/password_change.php"


def sim_user(api, login):
    return [user for user in api.sim("GET", "state")["users"] if user["login"] == login][0]


def test_password_change_with_email_0_returns_the_new_password(api):
    login, password = add_user(api)
    response = api.call("POST", PASSWORD_CHANGE, data={"user_logins": login, "email": "0"})
    root = xml(response)
    # The shape of the recorded public reply (qualys-qsc, qg4).
    assert root.tag == "PASSWORD_CHANGE_OUTPUT"
    assert root.find("API").get("name") == "password_change.php" and root.find("API").get("username") == ADMIN[0]
    assert root.find("API").get("at")
    returned = root.find("RETURN")
    assert returned.get("status") == "SUCCESS" and returned.findtext("MESSAGE")
    assert returned.find("CHANGES").get("count") == "1"
    assert [user.findtext("USER_LOGIN") for user in returned.findall("CHANGES/USER_LIST/USER")] == [login]
    new_password = returned.findtext("CHANGES/USER_LIST/USER/PASSWORD")
    assert new_password and new_password != password
    assert b"<PASSWORD><![CDATA[" in response.content
    assert new_password == sim_user(api, login)["password"]
    assert api.call("GET", "/msp/user_list.php", auth=(login, password)).status_code == 401
    assert api.call("GET", "/msp/user_list.php", auth=(login, new_password)).status_code == 200


@pytest.mark.parametrize("switch", [{}, {"send_email": "0"}, {"email": "1"}, {"email": "1", "send_email": "0"}])
def test_password_change_without_email_0_mails_the_password(api, switch):
    login, password = add_user(api, accept=False)
    response = api.call("POST", PASSWORD_CHANGE, data=dict(switch, user_logins=login))
    root = xml(response)
    returned = root.find("RETURN")
    assert returned.get("status") == "SUCCESS" and returned.find("CHANGES").get("count") == "1"
    assert returned.findtext("CHANGES/USER_LIST/USER/USER_LOGIN") == login
    after = sim_user(api, login)
    # Changed and "e-mailed": the report holds no password, and the account stays pending.
    assert after["password"] != password and after["password"].encode() not in response.content
    assert list(root.iter("PASSWORD")) == [] and after["status"] == "Pending Activation"
    assert api.call("POST", "/msp/acceptEULA.php", auth=(login, password)).status_code == 401


def test_password_change_with_email_0_activates_a_pending_user(api):
    login, _password = add_user(api, accept=False)
    root = xml(api.call("POST", PASSWORD_CHANGE, data={"user_logins": login, "email": "0"}))
    assert root.findtext("RETURN/CHANGES/USER_LIST/USER/PASSWORD")
    assert sim_user(api, login)["status"] == "Active"


def test_password_change_partial_and_failed_replies(api):
    login, _password = add_user(api)
    partial = xml(api.call("POST", PASSWORD_CHANGE, data={"user_logins": login + ",ghost", "email": "0"}))
    assert partial.find("RETURN").get("status") == "WARNING" and "ghost" in partial.findtext("RETURN/MESSAGE")
    assert [user.findtext("USER_LOGIN") for user in partial.findall("RETURN/CHANGES/USER_LIST/USER")] == [login]
    failed = xml(api.call("POST", PASSWORD_CHANGE, data={"user_logins": "ghost", "email": "0"}))
    returned = failed.find("RETURN")
    assert returned.get("status") == "FAILED" and returned.get("number") and "ghost" in returned.findtext("MESSAGE")
    assert failed.find("RETURN/CHANGES") is None and list(failed.iter("PASSWORD")) == []
    unknown = xml(api.call("POST", PASSWORD_CHANGE, data={"user_logins": login, "emial": "0"}))
    assert unknown.find("RETURN").get("number") == "1901"


def test_change_own_password(api):
    login, password = add_user(api)
    path = "/api/2.0/fo/user/change_password/"
    weak = api.call("POST", path, auth=(login, password), json={"newPassword": "short"})
    assert weak.status_code == 400 and code_of(weak) == "1905"
    done = api.call("POST", path, auth=(login, password), json={"newPassword": "N3w-Passw0rd!x"})
    assert done.status_code == 200 and xml(done).findtext("RESPONSE/TEXT") == "Password changed successfully"
    assert api.call("GET", "/msp/about.php", auth=(login, "N3w-Passw0rd!x")).status_code == 200
    token = api.call("POST", "/auth", auth=None, data={"username": login, "password": "N3w-Passw0rd!x",
                                                       "token": "true"}).text
    bearer = api.call("POST", path, auth=None, headers={"Authorization": "Bearer " + token},
                      json={"newPassword": "Other-Passw0rd!"})
    assert bearer.status_code == 400 and code_of(bearer) == "2010"


# --- asset groups --------------------------------------------------------------------
def test_asset_group_add_edit_delete(api):
    group_id = add_group(api, "Web", ips="10.0.0.1, 10.0.0.3-10.0.0.5,192.168.1.0/30", comments="dmz",
                         business_impact="high")
    group = list_groups(api, show_attributes="ALL", ids=str(group_id)).find("RESPONSE/ASSET_GROUP_LIST/ASSET_GROUP")
    assert group.findtext("TITLE") == "Web" and group.findtext("BUSINESS_IMPACT") == "High"
    assert [ip.text for ip in group.findall("IP_SET/IP")] == ["10.0.0.1"]
    assert [ip.text for ip in group.findall("IP_SET/IP_RANGE")] == ["10.0.0.3-10.0.0.5", "192.168.1.0-192.168.1.3"]
    edit = api.call("POST", AG, data={"action": "edit", "id": group_id, "add_ips": "10.0.0.2",
                                      "remove_ips": "192.168.1.0/30", "set_title": "Web servers",
                                      "set_comments": "DMZ"})
    assert edit.status_code == 200 and xml(edit).findtext("RESPONSE/TEXT") == "Asset Group Updated Successfully"
    group = list_groups(api, show_attributes="ALL", title="Web servers").find("RESPONSE/ASSET_GROUP_LIST/ASSET_GROUP")
    assert [ip.text for ip in group.find("IP_SET")] == ["10.0.0.1-10.0.0.5"]
    assert group.findtext("COMMENTS") == "DMZ"
    tags = api.qps("search/am/tag", {"filters": {"Criteria": [{"field": "name", "operator": "EQUALS",
                                                               "value": "Web servers"}]}})
    assert tags["count"] == 1 and tags["data"][0]["Tag"]["srcAssetGroupId"] == group_id
    bare = api.call("POST", AG, data={"action": "edit", "id": group_id, "title": "x", "ips": "10.1.1.1"})
    assert bare.status_code == 400 and code_of(bare) == "1901"
    assert "ips" in xml(bare).findtext("RESPONSE/TEXT")
    deleted = api.call("POST", AG, data={"action": "delete", "id": group_id})
    assert xml(deleted).findtext("RESPONSE/TEXT") == "Asset Group Deleted Successfully"
    assert list_groups(api, title="Web servers").find("RESPONSE/ASSET_GROUP_LIST/ASSET_GROUP") is None


@pytest.mark.parametrize("method,data,code", [
    ("POST", {"action": "add", "title": "Dup"}, "1905"),
    ("POST", {"action": "add"}, "1903"),
    ("POST", {"action": "add", "title": "Bad IP", "ips": "10.0.0.300"}, "1905"),
    ("POST", {"action": "add", "title": "Edit names", "set_comments": "x"}, "1901"),
    ("GET", {"action": "add", "title": "By GET"}, "1908"),
    ("POST", {"action": "edit", "id": "2000000", "set_comments": "x"}, "1905"),
    ("POST", {"action": "delete", "id": "2000000"}, "1905"),
    ("POST", {"action": "delete", "id": "999"}, "1905"),
])
def test_asset_group_errors(api, method, data, code):
    add_group(api, "Dup")
    kwargs = {"params": data} if method == "GET" else {"data": data}
    response = api.call(method, AG, **kwargs)
    assert response.status_code == 400 and code_of(response) == code
    assert all(name in response.headers for name in LIMIT_HEADERS)


def test_asset_group_truncation_warning_1980(api):
    api.sim("POST", "config", {"page_size": 2})
    created = [add_group(api, "Page %d" % index) for index in range(5)]
    seen, url, pages = [], AG + "?action=list", 0
    while url:
        root = xml(api.call("GET", url.replace(api.url, "")))
        seen += [int(g.findtext("ID")) for g in root.findall("RESPONSE/ASSET_GROUP_LIST/ASSET_GROUP")]
        warning = root.find("RESPONSE/WARNING")
        pages += 1
        if warning is None:
            url = None
        else:
            assert warning.findtext("CODE") == "1980"
            assert warning.findtext("TEXT") == "2 record limit exceeded. Use URL to get next batch of results."
            url = warning.findtext("URL")
            assert "id_min=" in url and url.startswith(api.url + AG)
    assert seen == [2000000] + created and pages == 3


def test_reader_sees_only_its_asset_groups(api):
    add_group(api, "Mine")
    add_group(api, "Theirs")
    login, password = add_user(api, asset_groups="Mine")
    titles = [g.findtext("TITLE") for g in list_groups(api, auth=(login, password)).iter("ASSET_GROUP")]
    assert titles == ["Mine"]
    assert len(list(list_groups(api).iter("ASSET_GROUP"))) == 3  # Manager: All, Mine, Theirs
    refused = api.call("POST", AG, auth=(login, password), data={"action": "add", "title": "Nope"})
    assert refused.status_code == 403 and code_of(refused) == "2004"


def test_asset_group_division_function_location_are_stored_but_never_listed(api):
    # No documented list reply carries them (qualysdk's AssetGroup has no such fields): write-only.
    group_id = add_group(api, "Located", division="Ops", function="Web", location="Paris", comments="c")
    group = list_groups(api, show_attributes="ALL", ids=str(group_id)).find("RESPONSE/ASSET_GROUP_LIST/ASSET_GROUP")
    assert group.findtext("COMMENTS") == "c"
    assert [group.find(name) for name in ("DIVISION", "FUNCTION", "LOCATION")] == [None, None, None]
    edit = api.call("POST", AG, data={"action": "edit", "id": group_id, "set_division": "Sec", "set_location": ""})
    assert edit.status_code == 200
    stored = [g for g in api.sim("GET", "state")["asset_groups"] if g["id"] == group_id][0]
    assert (stored["division"], stored["function"], stored["location"]) == ("Sec", "Web", "")
    refused = api.call("GET", AG, params={"action": "list", "show_attributes": "TITLE,DIVISION"})
    assert refused.status_code == 400 and code_of(refused) == "1905"


# --- tags ------------------------------------------------------------------------------
def name_is(name):
    return {"filters": {"Criteria": [{"field": "name", "operator": "EQUALS", "value": name}]}}


def test_tag_lifecycle(api):
    created = api.qps("create/am/tag", {"data": {"Tag": {
        "name": "Scanops", "color": "#00ff00", "ruleType": "STATIC", "criticalityScore": 3,
        "children": {"set": {"TagSimple": [{"name": "Child 1"}, {"name": "Child 2"}]}}}}})
    assert created["responseCode"] == "SUCCESS" and created["count"] == 1
    tag = created["data"][0]["Tag"]
    assert tag["color"] == "#00FF00"
    assert {c["TagSimple"]["name"] for c in tag["children"]["list"]} == {"Child 1", "Child 2"}
    assert api.qps("search/am/tag", name_is("scanops"))["count"] == 0  # EQUALS is case-sensitive
    found = api.qps("search/am/tag", name_is("Scanops"))
    assert found["count"] == 1 and found["data"][0]["Tag"]["id"] == tag["id"] and "lastId" not in found
    got = api.qps("get/am/tag/%d" % tag["id"], method="GET")
    assert got["data"][0]["Tag"]["name"] == "Scanops"
    child_1 = [c["TagSimple"]["id"] for c in tag["children"]["list"] if c["TagSimple"]["name"] == "Child 1"][0]
    updated = api.qps("update/am/tag/%d" % tag["id"], {"data": {"Tag": {
        "name": "Scanops v2", "children": {"add": {"TagSimple": {"name": "Child 3"}},
                                           "remove": {"TagSimple": {"id": child_1}}}}}})
    names = {c["TagSimple"]["name"] for c in updated["data"][0]["Tag"]["children"]["list"]}
    assert updated["data"][0]["Tag"]["name"] == "Scanops v2" and names == {"Child 2", "Child 3"}
    deleted = api.qps("delete/am/tag/%d" % tag["id"])
    assert deleted["count"] == 1 and deleted["data"][0]["Tag"]["id"] == tag["id"]
    assert api.qps("get/am/tag/%d" % tag["id"], method="GET")["responseCode"] == "OBJECT_NOT_FOUND"
    assert api.qps("search/am/tag", name_is("Child 2"))["count"] == 0  # children went with the parent


def test_tag_errors_and_system_tags(api):
    system = api.qps("search/am/tag", name_is("Cloud Agent"))["data"][0]["Tag"]
    for path, body in (("update/am/tag/%d" % system["id"], {"data": {"Tag": {"name": "x"}}}),
                       ("delete/am/tag/%d" % system["id"], None),
                       ("create/am/tag", {"data": {"Tag": {"color": "#FFFFFF"}}}),
                       ("create/am/tag", {"data": {"Tag": {"name": "x", "color": "green"}}}),
                       ("create/am/tag", {"data": {"Tag": {"name": "x", "bogus": 1}}}),
                       ("search/am/tag", {"filters": {"Criteria": [{"field": "id", "operator": "EQUALS",
                                                                    "value": "abc"}]}})):
        reply = api.qps(path, body)
        assert reply["responseCode"] == "INVALID_REQUEST", (path, reply)
        assert reply["responseErrorDetails"]["errorMessage"]
    api.qps("create/am/tag", {"data": {"Tag": {"name": "Twice"}}})
    assert api.qps("create/am/tag", {"data": {"Tag": {"name": "Twice"}}})["responseCode"] == "INVALID_REQUEST"
    login, password = add_user(api)
    denied = api.qps("create/am/tag", {"data": {"Tag": {"name": "By reader"}}}, auth=(login, password))
    assert denied["responseCode"] == "INSUFFICIENT_PERMISSION"


def test_system_tags_for_asset_groups_and_business_units(api):
    group_id = add_group(api, "Tagged group")
    roots = dict((name, api.qps("search/am/tag", name_is(name))["data"][0]["Tag"])
                 for name in ("Asset Groups", "Business Units"))
    under_groups = api.qps("search/am/tag", {"filters": {"Criteria": [
        {"field": "parent", "operator": "EQUALS", "value": str(roots["Asset Groups"]["id"])}]}})
    (child,) = [item["Tag"] for item in under_groups["data"]]
    assert child["name"] == "Tagged group" and child["srcAssetGroupId"] == group_id
    assert child["parentTagId"] == roots["Asset Groups"]["id"] and child["tagUuid"]
    assert "srcBusinessUnitId" not in child
    under_units = api.qps("search/am/tag", {"filters": {"Criteria": [
        {"field": "parent", "operator": "EQUALS", "value": str(roots["Business Units"]["id"])}]}})
    units = [item["Tag"] for item in under_units["data"]]
    assert [unit["name"] for unit in units] == ["Unassigned Business Unit"]
    assert all(isinstance(unit["srcBusinessUnitId"], int) and unit["tagUuid"] for unit in units)
    assert all("srcAssetGroupId" not in unit for unit in units)
    assert all("srcAssetGroupId" not in root and "srcBusinessUnitId" not in root for root in roots.values())
    for tag in (child, units[0]):
        for path, body in (("update/am/tag/%d" % tag["id"], {"data": {"Tag": {"color": "#000000"}}}),
                           ("delete/am/tag/%d" % tag["id"], None)):
            assert api.qps(path, body)["responseCode"] == "INVALID_REQUEST", (path, tag["name"])


def test_tag_paging_has_more_records_and_last_id(api):
    parent = api.qps("create/am/tag", {"data": {"Tag": {"name": "Pages", "children": {"set": {"TagSimple": [
        {"name": "P-%02d" % index} for index in range(25)]}}}}})["data"][0]["Tag"]["id"]
    criteria = [{"field": "parent", "operator": "EQUALS", "value": str(parent)}]
    ids, last_id, pages = [], None, []
    while True:
        extra = [] if last_id is None else [{"field": "id", "operator": "GREATER", "value": str(last_id)}]
        page = api.qps("search/am/tag", {"preferences": {"limitResults": 10},
                                         "filters": {"Criteria": criteria + extra}})
        pages.append((page["count"], page["hasMoreRecords"]))
        ids += [item["Tag"]["id"] for item in page["data"]]
        if page["hasMoreRecords"] != "true":
            assert "lastId" not in page
            break
        assert page["lastId"] == page["data"][-1]["Tag"]["id"]
        last_id = page["lastId"]
    assert pages == [(10, "true"), (10, "true"), (5, "false")] and ids == sorted(ids) and len(set(ids)) == 25
    api.sim("POST", "config", {"page_size": 7})
    capped = api.qps("search/am/tag", {"preferences": {"limitResults": 100, "startFromId": ids[3]},
                                       "filters": {"Criteria": criteria}})
    assert capped["count"] == 7 and capped["data"][0]["Tag"]["id"] == ids[3]


def test_tag_xml_bodies(api):
    body = ("<ServiceRequest><data><Tag><name>From XML</name><color>#123456</color>"
            "<children><set><TagSimple><name>X1</name></TagSimple><TagSimple><name>X2</name></TagSimple>"
            "</set></children></Tag></data></ServiceRequest>")
    response = api.call("POST", "/qps/rest/2.0/create/am/tag", headers={"Content-Type": "text/xml"}, data=body)
    assert response.status_code == 200 and response.headers["Content-Type"].startswith("application/xml")
    root = xml(response)
    assert root.tag == "ServiceResponse" and root.findtext("responseCode") == "SUCCESS"
    assert root.findtext("data/Tag/name") == "From XML"
    assert sorted(item.text for item in root.findall("data/Tag/children/list/TagSimple/name")) == ["X1", "X2"]
    bomb = ('<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;">]>'
            "<ServiceRequest><data><Tag><name>&b;</name></Tag></data></ServiceRequest>")
    refused = api.call("POST", "/qps/rest/2.0/create/am/tag", headers={"Content-Type": "text/xml"}, data=bomb)
    assert xml(refused).findtext("responseCode") == "INVALID_REQUEST"


# --- am/user and roles ---------------------------------------------------------------
def test_am_user_roles_and_scope_tags(api):
    login, password = add_user(api)
    api.qps("create/am/tag", {"data": {"Tag": {"name": "Scope A"}}})
    found = api.qps("search/am/user", {"filters": {"Criteria": [{"field": "username", "operator": "EQUALS",
                                                                 "value": login}]}})
    assert found["count"] == 1
    user_id = found["data"][0]["User"]["id"]
    update = api.qps("update/am/user/%d" % user_id, {"data": {"User": {
        "roleList": {"add": {"RoleData": [{"name": "Reader"}]}},
        "scopeTags": {"add": {"TagData": [{"name": "Scope A"}]}}}}})
    assert update == {"responseCode": "SUCCESS", "count": 1, "data": [{"User": {"id": user_id}}]}
    user = api.qps("get/am/user/%d" % user_id, method="GET")["data"][0]["User"]
    assert [r["RoleData"]["name"] for r in user["roleList"]["list"]] == ["Reader"]
    assert [t["TagData"]["name"] for t in user["scopeTags"]["list"]] == ["Scope A"]
    by_role = api.qps("search/am/user", {"filters": {"Criteria": [{"field": "roleName", "operator": "EQUALS",
                                                                   "value": "Reader"}]}})
    assert [item["User"]["username"] for item in by_role["data"]] == [login]
    role_id = user["roleList"]["list"][0]["RoleData"]["id"]
    api.qps("update/am/user/%d" % user_id, {"data": {"User": {"roleList": {"remove": {"RoleData": {"id": role_id}}}}}})
    assert api.qps("get/am/user/%d" % user_id, method="GET")["data"][0]["User"]["roleList"]["list"] == []
    unknown = api.qps("update/am/user/%d" % user_id, {"data": {"User": {"roleList": {"add": {"RoleData": {
        "name": "No Such Role"}}}}}})
    assert unknown["responseCode"] == "INVALID_REQUEST"
    admin_id = [u["id"] for u in api.sim("GET", "state")["users"] if u["login"] == ADMIN[0]][0]
    assert api.qps("search/am/user", {"filters": {"Criteria": [
        {"field": "id", "operator": "EQUALS", "value": str(admin_id)}]}})["count"] == 1  # self is visible
    denied = api.qps("search/am/user", {}, auth=(login, password))
    assert denied["responseCode"] == "INSUFFICIENT_PERMISSION"


@pytest.mark.parametrize("body", [{}, {"filters": {}}, {"filters": {"Criteria": []}},
                                  {"preferences": {"limitResults": 10}}])
def test_am_user_search_without_criteria_is_refused(api, body):
    add_user(api)
    refused = api.qps("search/am/user", body)
    assert refused["responseCode"] == "INVALID_REQUEST" and "data" not in refused
    assert refused["responseErrorDetails"]["errorMessage"]
    every = api.qps("search/am/user", {"filters": {"Criteria": [{"field": "id", "operator": "GREATER", "value": "0"}]}})
    assert every["responseCode"] == "SUCCESS" and every["count"] == 2


def role_body(name, api_access, ui_access, perms):
    return {"data": {"Role": {"name": name, "description": "test role", "apiAccess": api_access,
                              "uiAccess": ui_access, "permissions": {"set": {"Permission": [
                                  {"module": module, "name": perm} for module, perm in perms]}}}}}


def test_role_definition_api(api):
    created = api.qps("create/am/role", role_body("Scanops API Reader", True, False, [("VM", "View")]))
    role = created["data"][0]["Role"]
    assert role["apiAccess"] is True and role["uiAccess"] is False
    assert role["permissions"] == {"list": [{"Permission": {"module": "VM", "name": "View"}}]}
    assert api.qps("create/am/role", role_body("Scanops API Reader", True, False, []))["responseCode"] == \
        "INVALID_REQUEST"
    for operator, value, count in (("EQUALS", "Scanops API Reader", 1), ("EQUALS", "scanops api reader", 0),
                                   ("CONTAINS", "api reader", 1)):
        found = api.qps("search/am/role", {"filters": {"Criteria": [{"field": "name", "operator": operator,
                                                                     "value": value}]}})
        assert found["count"] == count
    updated = api.qps("update/am/role/%d" % role["id"], {"data": {"Role": {"permissions": {"set": {"Permission": [
        {"module": "VM", "name": "View"}, {"module": "PC", "name": "View"}]}}}}})
    assert len(updated["data"][0]["Role"]["permissions"]["list"]) == 2
    assert api.qps("get/am/role/%d" % role["id"], method="GET")["data"][0]["Role"]["name"] == "Scanops API Reader"
    manager = api.qps("search/am/role", {"filters": {"Criteria": [{"field": "name", "operator": "EQUALS",
                                                                   "value": "Manager"}]}})["data"][0]["Role"]
    assert manager["apiAccess"] and manager["uiAccess"] and len(manager["permissions"]["list"]) > 5
    assert api.qps("delete/am/role/%d" % manager["id"])["responseCode"] == "INVALID_REQUEST"
    assert api.qps("delete/am/role/%d" % role["id"])["count"] == 1
    assert api.qps("get/am/role/%d" % role["id"], method="GET")["responseCode"] == "OBJECT_NOT_FOUND"


def test_role_api_switched_off_answers_404(api):
    api.sim("POST", "config", {"role_api": False})
    response = api.call("POST", "/qps/rest/2.0/search/am/role", headers=JSON_HEADERS, data="{}")
    assert response.status_code == 404 and response.headers["Content-Type"].startswith("text/html")
    assert api.qps("search/am/tag", {})["responseCode"] == "SUCCESS"


def test_api_and_ui_access_are_enforced_from_roles(api):
    api.qps("create/am/role", role_body("UI only", False, True, [("VM", "View")]))
    api.qps("create/am/role", role_body("API only", True, False, [("VM", "View")]))
    login, password = add_user(api)
    user_id = [u["id"] for u in api.sim("GET", "state")["users"] if u["login"] == login][0]

    def assign(name):
        api.qps("update/am/user/%d" % user_id, {"data": {"User": {"roleList": {"set": {"RoleData": {"name": name}}}}}})

    auth = (login, password)
    assert api.call("GET", "/fo/login.php", auth=auth).status_code == 200  # no roles: classic GUI+API access
    assign("UI only")
    v2 = api.call("GET", AG, auth=auth, params={"action": "list"})
    assert v2.status_code == 401 and code_of(v2) == "2000"
    msp = api.call("GET", "/msp/user_list.php", auth=auth)
    assert msp.status_code == 401 and xml(msp).find("RETURN").get("number") == "2000"
    qps = api.call("GET", "/qps/rest/portal/version", auth=auth)
    assert qps.status_code == 200 and xml(qps).findtext("responseCode") == "INVALID_CREDENTIALS"
    assert api.call("POST", "/auth", auth=None, data={"username": login, "password": password,
                                                      "token": "true"}).status_code == 401
    assert api.call("GET", "/fo/login.php", auth=auth).status_code == 200
    assign("API only")
    assert api.call("GET", AG, auth=auth, params={"action": "list"}).status_code == 200
    ui = api.call("GET", "/fo/login.php", auth=auth)
    assert ui.status_code == 403 and ui.headers["Content-Type"].startswith("text/html")


# --- gateway auth ------------------------------------------------------------------------
def test_gateway_jwt_and_oidc(api):
    response = api.call("POST", "/auth", auth=None, data={"username": ADMIN[0], "password": ADMIN[1], "token": "true"})
    assert response.status_code == 201 and response.text.count(".") == 2
    bearer = {"Authorization": "Bearer " + response.text}
    assert api.call("GET", AG, auth=None, headers=bearer, params={"action": "list"}).status_code == 200
    qps = api.call("POST", "/qps/rest/2.0/search/am/tag", auth=None, headers=dict(bearer, **JSON_HEADERS), data="{}")
    assert qps.json()["ServiceResponse"]["responseCode"] == "SUCCESS"
    assert api.call("GET", "/msp/user_list.php", auth=None, headers=bearer).status_code == 401  # Basic only
    assert api.call("POST", "/auth", auth=None, data={"username": ADMIN[0], "password": "bad",
                                                      "token": "true"}).status_code == 401
    expired = api.sim("POST", "tokens", {"login": ADMIN[0], "ttl_sec": -5})["token"]
    for token in (expired, response.text[:-3] + "abc", "not-a-jwt"):
        refused = api.call("GET", AG, auth=None, headers={"Authorization": "Bearer " + token}, params={"action": "list"})
        assert refused.status_code == 401
        refused_qps = api.call("POST", "/qps/rest/2.0/search/am/tag", auth=None,
                               headers=dict(JSON_HEADERS, Authorization="Bearer " + token), data="{}")
        assert refused_qps.status_code == 401
    client = api.sim("POST", "oidc_clients", {"login": ADMIN[0]})
    oidc = api.call("POST", "/auth/oidc", auth=None, headers={"clientId": client["client_id"],
                                                              "clientSecret": client["client_secret"]})
    assert oidc.status_code == 201
    assert api.call("GET", AG, auth=None, headers={"Authorization": "Bearer " + oidc.text},
                    params={"action": "list"}).status_code == 200
    assert api.call("POST", "/auth/oidc", auth=None, headers={"clientId": client["client_id"],
                                                              "clientSecret": "wrong"}).status_code == 401
    secrets = api.sim("GET", "secrets")["secrets"]
    assert {ADMIN[1], response.text, oidc.text, client["client_secret"]} <= set(secrets)


def test_cheap_reads(api):
    about = api.call("GET", "/msp/about.php")
    assert about.status_code == 200 and xml(about).tag == "ABOUT"
    assert all(name in about.headers for name in LIMIT_HEADERS)
    version = api.call("GET", "/qps/rest/portal/version", headers={"Accept": "application/json"})
    data = version.json()["ServiceResponse"]
    assert data["responseCode"] == "SUCCESS" and "Portal-Version" in data["data"][0]
    api.sim("POST", "config", {"modules": ["VM"]})
    portal = xml(api.call("GET", "/qps/rest/portal/version")).find("data/Portal-Version")
    assert portal.find("VM-VERSION") is not None and portal.find("FIM-VERSION") is None


# --- limits -----------------------------------------------------------------------------
def test_concurrency_limit_1960(api):
    api.sim("POST", "config", {"concurrency_limit": 1, "latency_ms": 600})

    def one_call(_index):
        session = requests.Session()
        session.trust_env = False
        return session.get(api.url + "/msp/user_list.php", auth=ADMIN, headers=XRW, verify=api.ca_path, timeout=10)

    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        results = list(pool.map(one_call, range(2)))
    statuses = sorted(result.status_code for result in results)
    assert statuses == [200, 409]
    blocked = [result for result in results if result.status_code == 409][0]
    assert code_of(blocked) == "1960"
    assert blocked.headers["X-Concurrency-Limit-Limit"] == "1" and blocked.headers["X-Concurrency-Limit-Running"] == "2"
    assert xml(blocked).findtext("RESPONSE/ITEM_LIST/ITEM/KEY") == "CALLS_TO_FINISH"


def test_rate_limit_1965_and_headers(api):
    api.sim("POST", "config", {"rate_limit": 2, "rate_window_sec": 1})
    first = api.call("GET", "/msp/about.php")
    assert [first.headers[name] for name in LIMIT_HEADERS] == ["2", "1", "1", "0", "2", "1"]
    second = api.call("GET", "/msp/about.php")
    assert second.headers["X-RateLimit-Remaining"] == "0" and second.headers["X-RateLimit-ToWait-Sec"] == "1"
    blocked = api.call("GET", "/msp/about.php")
    assert blocked.status_code == 409 and code_of(blocked) == "1965"
    assert blocked.headers["X-RateLimit-ToWait-Sec"] == "1"
    assert xml(blocked).findtext("RESPONSE/ITEM_LIST/ITEM/KEY") == "SECONDS_TO_WAIT"
    assert "cannot be run again for another 1 second." in xml(blocked).findtext("RESPONSE/TEXT")
    assert api.call("GET", "/msp/user_list.php").status_code == 200  # limits are per endpoint
    time.sleep(1.1)
    assert api.call("GET", "/msp/about.php").status_code == 200
    assert "X-RateLimit-Limit" not in api.call("POST", "/qps/rest/2.0/search/am/tag", headers=JSON_HEADERS,
                                               data="{}").headers  # QPS carries no limit headers


@pytest.mark.parametrize("counts_self", [True, False])
def test_concurrency_running_under_either_reading(api, counts_self):
    """concurrency_running_counts_self: Running counts the answered call too (documented) or only the others (recorded)."""
    own = 1 if counts_self else 0
    api.sim("POST", "config", {"concurrency_limit": 1, "latency_ms": 500, "concurrency_running_counts_self": counts_self})
    lone = api.call("GET", "/msp/about.php")
    assert lone.status_code == 200 and lone.headers["X-Concurrency-Limit-Running"] == str(own)

    def one_call(_index):
        session = requests.Session()
        session.trust_env = False
        return session.get(api.url + "/msp/user_list.php", auth=ADMIN, headers=XRW, verify=api.ca_path, timeout=10)

    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        served, refused = sorted(pool.map(one_call, range(2)), key=lambda reply: reply.status_code)
    assert (served.status_code, refused.status_code, code_of(refused)) == (200, 409, "1960")
    assert served.headers["X-Concurrency-Limit-Running"] == str(own)  # == Limit when the call counts itself
    assert refused.headers["X-Concurrency-Limit-Running"] == str(1 + own)
    assert xml(refused).findtext("RESPONSE/ITEM_LIST/ITEM/VALUE") == "1"  # CALLS_TO_FINISH
    fault(api, "409_1960", path="/msp/about.php", action=None)
    injected = api.call("GET", "/msp/about.php")
    assert injected.status_code == 409 and injected.headers["X-Concurrency-Limit-Running"] == str(1 + own)
    response = api.session.post(api.url + "/_sim/config", json={"concurrency_running_counts_self": "yes"}, timeout=10)
    assert response.status_code == 400 and "true or false" in response.json()["error"]


def test_gateway_application_requests_are_checked(api):
    """PM and ETM reads answer only the request shapes public sources show; anything else is HTTP 400."""
    token = api.call("POST", "/auth", auth=None, data={"username": ADMIN[0], "password": ADMIN[1], "token": "true"}).text
    bearer = {"Authorization": "Bearer " + token}
    pm = "/pm/v1/deploymentjobs/summary"
    good = api.call("GET", pm, auth=None, headers=bearer, params={"platform": "Windows", "pageNumber": "0", "pageSize": "1"})
    assert good.status_code == 200 and good.json() == [] and good.headers["X-RateLimit-Remaining"] == "299"
    assert api.call("GET", pm, auth=None, headers=bearer, params={"platform": "Linux"}).status_code == 200
    for params in ({}, {"pageSize": "1"}, {"platform": "windows"}, {"platform": "Windows", "pageSize": "0"},
                   {"platform": "Windows", "pageNumber": "-1"}, {"platform": "Windows", "limit": "1"}):
        refused = api.call("GET", pm, auth=None, headers=bearer, params=params)
        assert refused.status_code == 400, params
        assert refused.json()["_error"]["errorCode"] == "400" and refused.json()["_error"]["message"]
        assert "X-RateLimit-Remaining" in refused.headers
    assert api.call("GET", "/pm/v1/deploymentjobs", auth=None, headers=bearer, params={"pageSize": "1"}).status_code == 404
    etm = "/etm/api/rest/v1/reports/list"
    ok = api.call("POST", etm, auth=None, headers=bearer, json={"offset": 0, "limit": 1})
    assert ok.status_code == 200 and ok.json()["data"] == [] and ok.json()["limit"] == 1
    for body in ({"pageSize": 1}, {"offset": 0}, {"offset": "0", "limit": "1"}, {"offset": 0, "limit": 0},
                 {"offset": 0, "limit": True}, [], {"offset": 0, "limit": 1, "pageSize": 1}):
        refused = api.call("POST", etm, auth=None, headers=bearer, json=body)
        assert refused.status_code == 400 and refused.json()["errorCode"] == "400", body
    assert api.call("POST", etm, auth=None, headers=bearer, data="not json").status_code == 400
    fim = "/fim/v2/events/count"
    assert api.call("POST", fim, auth=None, headers=bearer, json={}).json() == {"count": 0}
    assert api.call("POST", fim, auth=None, headers=bearer, json=[]).status_code == 400
    # The token is checked before the request: without one, even a wrong request is a 401.
    assert api.call("GET", pm, auth=None, params={}).status_code == 401


# --- faults ----------------------------------------------------------------------------
def fault(api, kind, path=AG, action="list", method=None, **rule):
    rule.update({"path": path, "action": action, "kind": kind})
    if method:
        rule["method"] = method
    api.sim("POST", "faults", {"rules": [rule]})


def test_fault_409s_with_scaled_towait(api):
    api.sim("POST", "config", {"towait_scale": 0.001})
    fault(api, "409_1965")
    response = api.call("GET", AG, params={"action": "list"})
    assert response.status_code == 409 and code_of(response) == "1965"
    assert response.headers["X-RateLimit-ToWait-Sec"] == "4"  # 3600 s window x 0.001, rounded up
    fault(api, "409_1960")
    response = api.call("GET", AG, params={"action": "list"})
    assert response.status_code == 409 and code_of(response) == "1960"
    assert all(name in response.headers for name in LIMIT_HEADERS)
    assert api.call("GET", AG, params={"action": "list"}).status_code == 200  # times: 1


@pytest.mark.parametrize("kind,status", [("429", 429), ("500", 500), ("503", 503), ("html_error", 502)])
def test_fault_status_kinds_do_not_apply_writes(api, kind, status):
    fault(api, kind, action="add")
    response = api.call("POST", AG, data={"action": "add", "title": "Faulted"})
    assert response.status_code == status
    if kind == "429":
        assert response.headers["X-RateLimit-Remaining"] == "0" and int(response.headers["X-RateLimit-ToWait-Sec"]) > 0
    if kind == "html_error":
        assert response.headers["Content-Type"].startswith("text/html") and "<html>" in response.text
    if kind in ("500", "503"):
        assert code_of(response) in ("999", "1999")
    assert list_groups(api, title="Faulted").find("RESPONSE/ASSET_GROUP_LIST/ASSET_GROUP") is None


def test_fault_reset_before_reply_and_drop_after_write(api):
    fault(api, "reset_before_reply", path="/msp/user.php", action="add", method="POST")
    with pytest.raises(requests.exceptions.ConnectionError):
        api.call("POST", "/msp/user.php", data=dict(USER_FIELDS, action="add", user_role="reader", external_id="reset-1"))
    fault(api, "drop_after_write", path="/msp/user.php", action="add", method="POST")
    with pytest.raises(requests.exceptions.ConnectionError):
        api.call("POST", "/msp/user.php", data=dict(USER_FIELDS, action="add", user_role="reader", external_id="drop-1"))
    externals = {user["external_id"] for user in api.sim("GET", "state")["users"]}
    assert "reset-1" not in externals and "drop-1" in externals  # the dropped write was applied
    calls = api.sim("GET", "stats")["calls"]
    assert [(call["status"], call.get("fault")) for call in calls] == [(0, "reset_before_reply"),
                                                                       (0, "drop_after_write")]


def test_fault_slow_and_malformed(api):
    api.sim("POST", "config", {"slow_seconds": 1})
    fault(api, "slow")
    with pytest.raises(requests.exceptions.ReadTimeout):
        api.call("GET", AG, params={"action": "list"}, timeout=0.4)
    fault(api, "slow")
    started = time.monotonic()
    assert api.call("GET", AG, params={"action": "list"}).status_code == 200
    assert time.monotonic() - started >= 1.0
    fault(api, "malformed", path="/qps/rest/2.0/search/am/tag", action=None)
    response = api.call("POST", "/qps/rest/2.0/search/am/tag", headers=JSON_HEADERS, data="{}")
    assert response.status_code == 200
    with pytest.raises(ValueError):
        json.loads(response.text)


def test_random_faults_are_deterministic_with_seed(api):
    def run():
        api.sim("POST", "faults", {"seed": 3, "rate": 0.5, "kinds": ["500", "503"]})
        return [api.call("GET", "/msp/about.php").status_code for _index in range(12)]
    first = run()
    assert first == run()
    assert set(first) <= {200, 500, 503} and 200 in first and len(set(first)) > 1


# --- counters, persistence, scale ---------------------------------------------------------
def test_stats_count_every_call(api):
    add_group(api, "Counted")
    api.call("GET", AG, params={"action": "list"})
    api.call("POST", "/auth", auth=None, data={"username": ADMIN[0], "password": ADMIN[1], "token": "true"})
    tag = api.qps("create/am/tag", {"data": {"Tag": {"name": "Counted"}}})["data"][0]["Tag"]["id"]
    api.qps("update/am/tag/%d" % tag, {"data": {"Tag": {"color": "#000000"}}})
    fault(api, "500", action="list")
    api.call("GET", AG, params={"action": "list"})
    stats = api.sim("GET", "stats")
    assert (stats["reads"], stats["writes"], stats["auth"]) == (2, 3, 1)
    assert stats["by_endpoint"] == {
        "POST /api/2.0/fo/asset/group/?action=add": 1,
        "GET /api/2.0/fo/asset/group/?action=list": 2,
        "POST /auth": 1,
        "POST /qps/rest/2.0/create/am/tag": 1,
        "POST /qps/rest/2.0/update/am/tag/{id}": 1,
    }
    assert stats["calls"][0] == {"method": "POST", "path": AG, "action": "add", "kind": "write", "status": 200,
                                 "user": ADMIN[0], "params": ["action", "title"]}
    assert stats["calls"][-1]["status"] == 500 and stats["calls"][-1]["fault"] == "500"
    assert stats["calls"][4]["path"] == "/qps/rest/2.0/update/am/tag/%d" % tag
    assert api.sim("POST", "stats/reset")["calls"] == []


def test_state_survives_restart_and_http_mode(sim, tmp_path):
    state_dir = os.path.join(os.path.dirname(sim.state_dir), "restart-%s" % tmp_path.name)
    process = SimulatorProcess("qualys", state_dir, ["--seed", "11"]).start()
    try:
        assert process.ca_path == sim.ca_path  # one CA for every simulator under the same parent
        client = Api(process)
        login, _password = add_user(client, external_id="persist-1")
        add_group(client, "Persisted", ips="10.9.9.9")
        client.qps("create/am/tag", {"data": {"Tag": {"name": "Persisted"}}})
    finally:
        assert process.stop() == 0
    assert not os.path.exists(process.ready_file)
    with open(os.path.join(state_dir, "state.json"), encoding="utf-8") as handle:
        assert login in handle.read()
    again = SimulatorProcess("qualys", state_dir, ["--http"]).start()
    try:
        assert again.url.startswith("http://") and again.ca_path is None
        session = requests.Session()
        session.trust_env = False
        state = session.get(again.url + "/_sim/state", timeout=5).json()
        assert login in {user["login"] for user in state["users"]}
        assert "Persisted" in {group["title"] for group in state["asset_groups"]}
        assert "Persisted" in {tag["name"] for tag in state["tags"]}
        listed = session.get(again.url + "/msp/user_list.php", auth=ADMIN, headers=XRW,
                             params={"external_id_contains": "persist-1"}, timeout=5)
        assert login in listed.text
    finally:
        assert again.stop() == 0


def test_seed_10000_objects_stays_fast(api):
    started = time.monotonic()
    summary = api.sim("POST", "seed", {"users": 10000, "asset_groups": 10000, "tags": 10000})
    assert time.monotonic() - started < 10
    assert summary["users"] == 10001 and summary["asset_groups"] == 10001 and summary["tags"] >= 20000
    started = time.monotonic()
    listed = xml(api.call("GET", "/msp/user_list.php", params={"external_id_contains": "seed-9999"}))
    assert [u.findtext("EXTERNAL_ID") for u in listed.iter("USER")] == ["seed-9999"]
    state_titles = list_groups(api, title="Seed AG %d" % (2000001 + 9999))
    assert len(state_titles.findall("RESPONSE/ASSET_GROUP_LIST/ASSET_GROUP")) == 1
    first_page = list_groups(api)
    assert first_page.findtext("RESPONSE/WARNING/CODE") == "1980"
    name = api.qps("search/am/tag", name_is("Seed Tag %d" % (9000009 + 10000 + 5000)))
    assert name["count"] == 1
    page = api.qps("search/am/tag", {"preferences": {"limitResults": 1000}})
    assert page["count"] == 1000 and page["hasMoreRecords"] == "true"
    assert time.monotonic() - started < 10
