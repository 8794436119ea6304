# -*- coding: utf-8 -*-
# Copyright (c) scanops.qualys contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""qualys_role and qualys_role_info against the Qualys simulator, through ansible-playbook."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import xml.etree.ElementTree as ET

import pytest
import requests

ROLE = "scanops-api-readonly"
CREATE = "POST /qps/rest/2.0/create/am/role"
UPDATE = "POST /qps/rest/2.0/update/am/role/{id}"
DELETE = "POST /qps/rest/2.0/delete/am/role/{id}"
ROLE_WRITES = (CREATE, UPDATE, DELETE)


def role_task(name, register, check=False, **args):
    """A qualys_role task that defines the role (manage_definition=true) unless told otherwise (None: the default)."""
    args.setdefault("manage_definition", True)
    args = dict((key, value) for key, value in args.items() if value is not None)
    task = {"name": name, "scanops.qualys.qualys_role": dict({"name": ROLE}, **args), "register": register}
    if check:
        task["check_mode"] = True
    return task


def writes_by_endpoint(sim):
    stats = sim.stats()
    return stats["writes"], dict((key, stats["by_endpoint"].get(key, 0)) for key in ROLE_WRITES if stats["by_endpoint"].get(key))


def status(res, name):
    return [entry["status"] for entry in res.tasks if entry["task"] == name][-1]


def sim_roles(sim):
    return dict((role["name"], role) for role in sim.state()["roles"])


@pytest.fixture
def play(run_play, qualys_auth):
    def runner(tasks, **kwargs):
        result = run_play(tasks, module_defaults={"group/scanops.qualys.qualys": qualys_auth}, **kwargs)
        return result
    return runner


@pytest.fixture
def role_api(qualys_sim):
    """Set how the simulator answers the guessed role API (``role_api``); always offered again afterwards."""
    def switch(setting):
        qualys_sim.control("POST", "config", {"role_api": setting})
    yield switch
    switch(True)


# How a subscription without the role API may answer the first role search (simulator setting
# role_api), and what of that answer the module quotes.
NOT_OFFERED = {
    "http_404": "Unexpected reply from Qualys: HTTP 404, text/html; charset=UTF-8: 404 Not Found",
    "qps_error": "Qualys error INVALID_REQUEST: Unsupported object type 'am/role' for this subscription.",
    "html_200": "Unexpected reply from Qualys: HTTP 200, text/html; charset=UTF-8: Qualys Enterprise",
}


def set_role_api_task(sim, setting):
    """A task that switches the simulator's role API in the middle of a play (one play for every setting)."""
    return {"name": "role_api %s" % setting, "ansible.builtin.uri": {
        "url": sim.url + "/_sim/config", "method": "POST", "body_format": "json", "body": {"role_api": setting},
        "ca_path": sim.ca_path}}


class Api:
    """Direct calls to the simulator, as a user of the API would make them."""

    def __init__(self, sim, auth):
        self.sim = sim
        self.admin = (auth["username"], auth["password"])

    def call(self, method, path, auth, **kwargs):
        headers = {"X-Requested-With": "scanops-tests", "Accept": "application/json"}
        return requests.request(method, self.sim.url + path, auth=auth, headers=headers, verify=self.sim.ca_path,
                                timeout=30, **kwargs)

    def qps(self, operation, obj, auth, body=None, object_id=None):
        path = "/qps/rest/2.0/%s/%s" % (operation, obj) + ("/%s" % object_id if object_id else "")
        return self.call("POST", path, auth, json=body or {"ServiceRequest": {}})

    def add_user(self, first, last):
        """A reader created by the admin, EULA accepted; returns (login, password)."""
        reply = self.call("POST", "/msp/user.php", self.admin, data={
            "action": "add", "user_role": "reader", "business_unit": "Unassigned", "send_email": "0",
            "first_name": first, "last_name": last, "title": "Service", "phone": "555-0100",
            "email": "%s@example.invalid" % first.lower(), "address1": "1 Main St", "city": "New York",
            "country": "United States of America", "state": "New York"})
        root = ET.fromstring(reply.text)
        assert root.find("RETURN").get("status") == "SUCCESS", reply.text
        credentials = (root.findtext("USER/USER_LOGIN"), root.findtext("USER/PASSWORD"))
        eula = self.call("POST", "/msp/acceptEULA.php", credentials)
        assert eula.status_code == 200 and "SUCCESS" in eula.text, eula.text
        return credentials

    def assign_role(self, login, role_name):
        found = self.qps("search", "am/user", self.admin, {"ServiceRequest": {"filters": {"Criteria": [
            {"field": "username", "operator": "EQUALS", "value": login}]}}}).json()["ServiceResponse"]
        user_id = found["data"][0]["User"]["id"]
        reply = self.qps("update", "am/user", self.admin, {"ServiceRequest": {"data": {"User": {
            "roleList": {"add": {"RoleData": [{"name": role_name}]}}}}}}, object_id=user_id).json()
        assert reply["ServiceResponse"]["responseCode"] == "SUCCESS", reply


def test_lifecycle_idempotence_check_mode_and_diff(qualys_sim, play):
    wanted = {"description": "Read-only API access", "permissions": {"VM": ["View"], "AM": ["Read Asset"]}}

    # The default only checks (the role API is a guess): no role yet, so it fails and writes nothing.
    # Then check mode, create, and the same task again.
    res = play([
        dict(role_task("default checks only", "default", manage_definition=None, **wanted), ignore_errors=True),
        role_task("predict", "predicted", check=True, **wanted),
        role_task("create", "created", **wanted),
        role_task("again", "again", permissions={"AM": ["Read Asset", "Read Asset"], "VM": ["View"]},
                  description="Read-only API access"),
        {"name": "list", "scanops.qualys.qualys_role_info": {"name_contains": "api-read"}, "register": "listed"},
    ], diff=True)
    assert res.rc == 0, res
    default = res.task("default checks only")
    assert status(res, "default checks only") == "failed" and default["role_exists"] is False
    assert "No role called 'scanops-api-readonly' exists" in default["msg"]
    predicted, created, again = res.task("predict"), res.task("create"), res.task("again")
    expected = {"name": ROLE, "description": "Read-only API access", "api_access": True, "ui_access": False,
                "permissions": {"AM": ["Read Asset"], "VM": ["View"]}}
    assert predicted["changed"] and dict(predicted["role"], id=None) == dict(expected, id=None)
    assert predicted["role"]["id"] is None and predicted["diff"]["before"] == {}
    assert created["changed"] and created["role"] == dict(expected, id=created["role"]["id"])
    assert created["diff"]["after"]["permissions"] == expected["permissions"]
    assert created["role_api_available"] and created["permissions_known"]
    assert not again["changed"] and again["role"] == created["role"]
    assert res.task("list")["roles"] == [created["role"]] and res.task("list")["role_api_available"]
    # One create in all: check mode and the second run wrote nothing.
    assert writes_by_endpoint(qualys_sim) == (1, {CREATE: 1})
    stored = sim_roles(qualys_sim)[ROLE]
    assert stored["apiAccess"] is True and stored["uiAccess"] is False

    # Change only the permissions: check mode predicts, the real run makes one update, then nothing.
    qualys_sim.reset_stats()
    changed = {"description": "Read-only API access", "permissions": {"VM": ["View", "Report"]}}
    res = play([
        role_task("predict change", "p", check=True, **changed),
        role_task("change", "c", **changed),
        role_task("change again", "c2", **changed),
    ], diff=True)
    assert res.rc == 0, res
    predicted, change, again = res.task("predict change"), res.task("change"), res.task("change again")
    assert predicted["changed"] and predicted["diff"] == change["diff"]
    assert change["diff"]["before"]["permissions"] == {"AM": ["Read Asset"], "VM": ["View"]}
    assert change["diff"]["after"]["permissions"] == {"VM": ["Report", "View"]}
    assert change["role"]["permissions"] == {"VM": ["Report", "View"]} and not again["changed"]
    assert writes_by_endpoint(qualys_sim) == (1, {UPDATE: 1})
    stored = sim_roles(qualys_sim)[ROLE]
    assert sorted((p["module"], p["name"]) for p in stored["permissions"]) == [("VM", "Report"), ("VM", "View")]
    assert stored["description"] == "Read-only API access" and stored["uiAccess"] is False

    # Absent: check mode, delete, and absent again.
    qualys_sim.reset_stats()
    res = play([
        role_task("predict delete", "pd", check=True, state="absent"),
        role_task("delete", "d", state="absent"),
        role_task("delete again", "d2", state="absent"),
        {"name": "list after", "scanops.qualys.qualys_role_info": {"name": ROLE}, "register": "after"},
    ], diff=True)
    assert res.rc == 0, res
    assert res.task("predict delete")["changed"] and res.task("delete")["changed"]
    assert res.task("delete")["diff"]["before"]["name"] == ROLE and res.task("delete")["diff"]["after"] == {}
    assert not res.task("delete again")["changed"] and res.task("list after")["roles"] == []
    assert writes_by_endpoint(qualys_sim) == (1, {DELETE: 1})
    assert ROLE not in sim_roles(qualys_sim)


def test_bad_permissions_fail_before_any_call(qualys_sim, play):
    res = play([role_task("bad", "bad", permissions={"VM": "View", "AM": [""]})])
    assert res.rc != 0 and status(res, "bad") == "failed"
    assert "permissions.AM: permission names must be non-empty strings" in res.task("bad")["msg"]
    assert qualys_sim.stats()["calls"] == []


def test_role_grants_api_not_ui_and_a_role_without_api_access_is_refused(qualys_sim, qualys_auth, play):
    res = play([
        role_task("api role", "api", permissions={"AM": ["Read Asset"], "VM": ["View"]}),
        {"name": "no api role", "register": "ui_only", "scanops.qualys.qualys_role": {
            "name": "scanops-ui-only", "api_access": False, "ui_access": True, "permissions": {"VM": ["View"]},
            "manage_definition": True}},
    ])
    assert res.rc == 0, res
    api = Api(qualys_sim, qualys_auth)
    with_api = api.add_user("Svc", "Api")
    without_api = api.add_user("Svc", "Ui")
    api.assign_role(with_api[0], ROLE)
    api.assign_role(without_api[0], "scanops-ui-only")

    # The API role's holder uses the API (its AM Read Asset covers a tag search) but not the UI.
    reply = api.qps("search", "am/tag", with_api)
    assert reply.status_code == 200 and reply.json()["ServiceResponse"]["responseCode"] == "SUCCESS"
    reply = api.call("POST", "/api/2.0/fo/asset/group/", with_api, data={"action": "list"})
    assert reply.status_code == 200 and "ASSET_GROUP_LIST_OUTPUT" in reply.text
    assert api.call("GET", "/fo/login.php", with_api).status_code == 403

    # A user whose only role lacks API Access looks like a bad login to every API family.
    reply = api.call("POST", "/api/2.0/fo/asset/group/", without_api, data={"action": "list"})
    assert reply.status_code == 401
    root = ET.fromstring(reply.text)
    assert (root.findtext("RESPONSE/CODE"), root.findtext("RESPONSE/TEXT")) == ("2000", "Bad Login/Password")
    reply = api.qps("search", "am/tag", without_api)
    service = reply.json()["ServiceResponse"]
    assert reply.status_code == 200 and service["responseCode"] == "INVALID_CREDENTIALS"
    assert service["responseErrorDetails"]["errorMessage"] == "Authentication failed"
    assert api.call("GET", "/fo/login.php", without_api).status_code == 200


def test_subscription_without_role_api(qualys_sim, qualys_auth, play, role_api):
    # A role held by a user, made while the API was on (as if created by hand).
    res = play([role_task("made by hand", "hand", permissions={"VM": ["View"]})])
    assert res.rc == 0, res
    api = Api(qualys_sim, qualys_auth)
    holder = api.add_user("Svc", "Holder")
    api.assign_role(holder[0], ROLE)
    role_id = sim_roles(qualys_sim)[ROLE]["id"]

    # Every way of "not offered" the simulator knows, in one play: each with the default (check only) and the
    # info module; every task for the first one.
    qualys_sim.reset_stats()
    tasks = []
    for setting in NOT_OFFERED:
        tasks += [
            set_role_api_task(qualys_sim, setting),
            role_task("check held " + setting, "held", manage_definition=None, permissions={"VM": ["View"]}),
            {"name": "info " + setting, "scanops.qualys.qualys_role_info": {"name": ROLE}, "register": "info"},
        ]
        if setting == "http_404":
            tasks += [
                dict(role_task("managed", "managed", permissions={"VM": ["View"], "AM": ["Read Asset"]}),
                     ignore_errors=True),
                {"name": "check unheld", "register": "unheld",
                 "scanops.qualys.qualys_role": {"name": "scanops-nobody-holds-it"}},
            ]
    # Not offered, with a wrong password: the documented user search says what is really wrong.
    tasks.append({"name": "wrong password", "ignore_errors": True, "scanops.qualys.qualys_role": {
        "name": ROLE, "password": "Wrong-Pass-1"}})
    res = play(tasks)
    managed, unheld = res.task("managed"), res.task("check unheld")
    assert status(res, "managed") == "failed" and managed["role_api_available"] is False
    assert managed["msg"] == (
        "This Qualys subscription does not offer the role definition API: POST /qps/rest/2.0/search/am/role "
        "gave no clean QPS SUCCESS (%s). A role called 'scanops-api-readonly' exists (a user holds it), but its "
        "definition cannot be read or changed without that API: check by hand in the Qualys UI, "
        "Administration > Roles, that it has API Access on, UI Access off and the permissions AM: Read Asset; "
        "VM: View. Then run this task with manage_definition=false (the default), which only checks that the "
        "role exists." % NOT_OFFERED["http_404"])
    assert managed["role_exists"] is True and managed["required_role"]["permissions"] == {
        "AM": ["Read Asset"], "VM": ["View"]}
    assert not unheld["changed"] and unheld["role_exists"] is None and unheld["permissions_known"] is False
    assert any("cannot be checked" in warning and "New Role" in warning for warning in unheld["warnings"])
    for setting, answer in NOT_OFFERED.items():
        held, info = res.task("check held " + setting), res.task("info " + setting)
        assert not held["changed"] and held["role_exists"] is True and held["permissions_known"] is False
        assert held["role"]["name"] == ROLE and held["role"]["id"] == role_id
        assert held["role"]["permissions"] is None and held["role_api_available"] is False
        assert any("cannot be read" in warning and "Administration > Roles" in warning for warning in held["warnings"])
        assert info["roles"] == [] and info["role_api_available"] is False
        assert any(answer in warning for warning in info["warnings"])
    wrong = res.task("wrong password")
    assert status(res, "wrong password") == "failed" and "INVALID_CREDENTIALS" in wrong["msg"], wrong
    by_endpoint = qualys_sim.stats()["by_endpoint"]
    # One role search per task; each qualys_role task then makes one documented user search.
    assert by_endpoint["POST /qps/rest/2.0/search/am/role"] == 2 * len(NOT_OFFERED) + 3
    assert by_endpoint["POST /qps/rest/2.0/search/am/user"] == len(NOT_OFFERED) + 3
    assert qualys_sim.writes() == 0
