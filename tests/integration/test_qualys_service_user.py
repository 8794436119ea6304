# -*- coding: utf-8 -*-
# Copyright (c) scanops.qualys contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""qualys_service_user and qualys_service_user_info against the Qualys simulator, through ansible-playbook."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime
import re
import xml.etree.ElementTree as ET

import pytest
import requests

EXTERNAL_ID = "svc-scanner-test"
MODULE = "scanops.qualys.qualys_service_user"
INFO = "scanops.qualys.qualys_service_user_info"
PROFILE = {
    "external_id": EXTERNAL_ID,
    "first_name": "Scan",
    "last_name": "Pipeline",
    "title": "Scan automation",
    "email": "secops@example.invalid",
    "phone": "+1 555 0100",
    "address1": "1 Main Street",
    "city": "Springfield",
    "country": "United States of America",
    "address_state": "Illinois",
}
ADD = "POST /msp/user.php?action=add"
EDIT = "POST /msp/user.php?action=edit"
ACTIVATE = "POST /msp/user.php?action=activate"
DEACTIVATE = "POST /msp/user.php?action=deactivate"
RESET = "POST /msp/password_change.php"
EULA = "POST /msp/acceptEULA.php"
AM_UPDATE = "POST /qps/rest/2.0/update/am/user/{id}"


def task(name, register=None, check=False, no_log=False, ignore=False, module=MODULE, **args):
    entry = {"name": name, module: args}
    if ignore:
        entry["ignore_errors"] = True
    if register:
        entry["register"] = register
    if check:
        entry["check_mode"] = True
    if no_log:
        entry["no_log"] = True
    return entry


def user_task(name, register=None, check=False, no_log=False, ignore=False, **args):
    return task(name, register, check, no_log, ignore, **dict(PROFILE, **args))


def reveal(register):
    """A debug task that hands a no_log task's registered result to the test."""
    return {"name": "reveal " + register, "ansible.builtin.debug": {"var": register}}


def revealed(res, register):
    return res.task("reveal " + register)[register]


def status(res, name):
    return [entry["status"] for entry in res.tasks if entry["task"] == name][-1]


def writes(sim):
    """{endpoint: count} of the write calls since the last stats reset."""
    stats = sim.stats()
    found = {}
    for call in stats["calls"]:
        if call["kind"] == "write":
            key = "%s %s" % (call["method"], _endpoint(call))
            found[key] = found.get(key, 0) + 1
    return found


def _endpoint(call):
    path = re.sub(r"/\d+$", "/{id}", call["path"])
    return path + ("?action=%s" % call["action"] if call.get("action") else "")


def sim_users(sim):
    return [user for user in sim.state()["users"] if user.get("external_id", "").startswith("svc-")]


class Api:
    """Direct calls to the simulator, as a user of the API would make them."""

    def __init__(self, sim, auth):
        self.sim = sim
        self.admin = (auth["username"], auth["password"])

    def call(self, method, path, auth, **kwargs):
        headers = {"X-Requested-With": "scanops-tests", "Accept": "application/json"}
        return requests.request(method, self.sim.url + path, auth=auth, headers=headers, verify=self.sim.ca_path,
                                timeout=30, **kwargs)

    def add_group(self, title, ips="10.0.0.1"):
        reply = self.call("POST", "/api/2.0/fo/asset/group/", self.admin, data={"action": "add", "title": title, "ips": ips})
        assert reply.status_code == 200, reply.text

    def add_tag(self, name):
        body = {"ServiceRequest": {"data": {"Tag": {"name": name}}}}
        reply = self.call("POST", "/qps/rest/2.0/create/am/tag", self.admin, json=body)
        assert reply.status_code == 200 and "SUCCESS" in reply.text, reply.text

    def add_role(self, name):
        body = {"ServiceRequest": {"data": {"Role": {"name": name, "apiAccess": True, "uiAccess": False,
                                                     "permissions": {"set": {"Permission": [{"module": "VM", "name": "View"}]}}}}}}
        reply = self.call("POST", "/qps/rest/2.0/create/am/role", self.admin, json=body)
        assert reply.status_code == 200 and "SUCCESS" in reply.text, reply.text

    def group_titles(self, credentials):
        """Asset group titles the given user sees (raises on an API error)."""
        reply = self.call("POST", "/api/2.0/fo/asset/group/", credentials, data={"action": "list"})
        root = ET.fromstring(reply.content)
        assert reply.status_code == 200 and root.find("RESPONSE/CODE") is None, reply.text
        return sorted(el.text for el in root.iter("TITLE"))

    def works(self, credentials):
        reply = self.call("POST", "/api/2.0/fo/asset/group/", credentials, data={"action": "list"})
        return reply.status_code == 200 and b"<CODE>" not in reply.content


@pytest.fixture
def api(qualys_sim, qualys_auth):
    return Api(qualys_sim, qualys_auth)


@pytest.fixture
def play(run_play, qualys_auth):
    defaults = dict(qualys_auth, max_retries=1)

    def runner(tasks, **kwargs):
        return run_play(tasks, module_defaults={"group/scanops.qualys.qualys": defaults}, **kwargs)
    return runner


def test_create_then_idempotent_then_change_groups(qualys_sim, api, play):
    api.add_group("Prod web")
    api.add_group("Prod db")
    api.add_group("Other")
    qualys_sim.reset_stats()

    res = play([
        user_task("preview", "preview", check=True, asset_groups=["Prod web"]),
        user_task("create", "created", no_log=True, asset_groups=["Prod web"]),
        reveal("created"),
    ], diff=True)
    assert res.rc == 0, res
    preview, created = res.task("preview"), revealed(res, "created")
    assert preview["changed"] and preview["created"] and "credentials" not in preview
    assert preview["diff"]["before"] == {}
    creds = created["credentials"]
    assert creds["login"] and creds["password"] and creds["api_url"] == qualys_sim.url
    assert created["rotated_at"] and created["eula_accepted"] and created["password_changed"]
    user = created["user"]
    assert user["login"] == creds["login"] and user["status"] == "active" and user["asset_groups"] == ["Prod web"]
    # Check mode predicted exactly what the run did (but the generated login and id).
    predicted = dict(preview["user"], login=user["login"], id=user["id"])
    assert predicted == user
    assert writes(qualys_sim) == {ADD: 1, EULA: 1}
    # The new credentials work at once and see only the scoped group.
    assert api.group_titles((creds["login"], creds["password"])) == ["Prod web"]

    qualys_sim.reset_stats()
    res = play([
        user_task("again", "again", asset_groups=["Prod web"]),
        user_task("again check", "again_check", check=True, asset_groups=["Prod web"]),
        task("info", "info", module=INFO, external_id=EXTERNAL_ID),
        # Several users: one am/user listing, which must name a criterion (the simulator refuses none).
        task("info all", "info_all", module=INFO),
    ], diff=True)
    assert res.rc == 0, res
    listed = dict((u["login"], u) for u in res.task("info all")["users"])
    assert listed[user["login"]]["roles"] == [] and not res.task("info all").get("warnings")
    assert len(listed) == 2
    again = res.task("again")
    assert not again["changed"] and not res.task("again check")["changed"]
    assert "credentials" not in again and again["diff"]["before"] == again["diff"]["after"]
    assert qualys_sim.stats()["writes"] == 0
    info = res.task("info")["users"]
    assert [u["login"] for u in info] == [user["login"]] and info[0]["asset_groups"] == ["Prod web"]
    assert "password" not in str(info)

    qualys_sim.reset_stats()
    res = play([user_task("groups", "groups", asset_groups=["Prod db", "Prod web"], title="Scanner")], diff=True)
    assert res.rc == 0, res
    groups = res.task("groups")
    assert groups["changed"] and "credentials" not in groups and not groups["password_changed"]
    assert groups["diff"]["after"]["asset_groups"] == ["Prod db", "Prod web"]
    assert writes(qualys_sim) == {EDIT: 1}
    edit = [call for call in qualys_sim.stats()["calls"] if call.get("action") == "edit"]
    assert len(edit) == 1
    assert api.group_titles((creds["login"], creds["password"])) == ["Prod db", "Prod web"]
    assert len(sim_users(qualys_sim)) == 1


def test_roles_and_scope_tags_assign_and_remove(qualys_sim, api, play):
    api.add_role("Scan Reader")
    api.add_role("Report Reader")
    api.add_tag("Prod servers")
    api.add_tag("Lab servers")
    qualys_sim.reset_stats()
    res = play([
        user_task("create", "created", roles=["Scan Reader"], scope_tags=["Prod servers"]),
        user_task("swap preview", "preview", check=True, roles=["Report Reader"], scope_tags=["Lab servers"]),
    ], diff=True)
    assert res.rc == 0, res
    created = res.task("create")
    assert created["user"]["roles"] == ["Scan Reader"] and created["user"]["scope_tags"] == ["Prod servers"]
    assert writes(qualys_sim) == {ADD: 1, EULA: 1, AM_UPDATE: 1}
    preview = res.task("swap preview")
    assert preview["changed"] and preview["diff"]["before"]["roles"] == ["Scan Reader"]
    assert preview["user"]["roles"] == ["Report Reader"] and preview["user"]["scope_tags"] == ["Lab servers"]

    qualys_sim.reset_stats()
    res = play([
        user_task("swap", "swap", roles=["Report Reader"], scope_tags=["Lab servers"]),
        user_task("swap again", "again", roles=["Report Reader"], scope_tags=["Lab servers"]),
    ], diff=True)
    assert res.rc == 0, res
    swap = res.task("swap")
    assert swap["changed"] and swap["user"] == preview["user"]
    assert not res.task("swap again")["changed"]
    # One call added and removed both roles and tags.
    assert writes(qualys_sim) == {AM_UPDATE: 1}
    user = sim_users(qualys_sim)[0]
    assert user["roles"] == ["Report Reader"] and user["scope_tags"] == ["Lab servers"]

    qualys_sim.reset_stats()
    res = play([
        user_task("clear", "clear", roles=[], scope_tags=[]),
        user_task("unknown tag", "unknown", scope_tags=["No such tag"], ignore=True),
    ])
    assert res.task("clear")["changed"] and res.task("clear")["user"]["scope_tags"] == []
    assert status(res, "unknown tag") == "failed" and "no tag is named 'No such tag'" in res.task("unknown tag")["msg"]
    assert writes(qualys_sim) == {AM_UPDATE: 1}
    user = sim_users(qualys_sim)[0]
    assert user["roles"] == [] and user["scope_tags"] == []


def _iso(moment):
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def test_password_reset_rotation_and_verification(qualys_sim, api, play):
    res = play([user_task("create", "created")])
    assert res.rc == 0, res
    first = res.task("create")["credentials"]
    first_pair = (first["login"], first["password"])
    now = datetime.datetime.now(datetime.timezone.utc)
    qualys_sim.reset_stats()
    res = play([
        task("reset preview", "preview", check=True, external_id=EXTERNAL_ID, password_mode="reset"),
        task("reset", "reset", external_id=EXTERNAL_ID, password_mode="reset"),
        task("fresh", "fresh", external_id=EXTERNAL_ID, password_mode="reset_if_older_than", max_password_age_days=30,
             password_rotated_at="{{ reset.rotated_at }}"),
        task("old", "old", external_id=EXTERNAL_ID, password_mode="reset_if_older_than", max_password_age_days=30,
             password_rotated_at=_iso(now - datetime.timedelta(days=31))),
        task("good", "good", external_id=EXTERNAL_ID, password_mode="reset_if_invalid",
             verify_credentials={"login": "{{ old.credentials.login }}", "password": "{{ old.credentials.password }}"}),
        task("bad", "bad", external_id=EXTERNAL_ID, verify_credentials={"password": first["password"]}),
        task("repair", "repair", external_id=EXTERNAL_ID, password_mode="reset_if_invalid",
             verify_credentials={"password": first["password"]}),
    ], diff=True)
    assert res.rc == 0, res
    preview = res.task("reset preview")
    assert preview["changed"] and preview["password_changed"] and "credentials" not in preview
    assert preview["diff"]["before"] == preview["diff"]["after"]
    reset = res.task("reset")
    assert reset["changed"] and reset["password_changed"] and reset["credentials"]["login"] == first["login"]
    assert reset["credentials"]["password"] != first["password"]
    assert "password" not in str(reset["diff"]) and reset["credentials"]["password"] not in str(reset["diff"])
    fresh = res.task("fresh")
    assert not fresh["changed"] and not fresh["password_changed"] and "credentials" not in fresh
    old = res.task("old")
    assert old["changed"] and old["password_changed"] and old["rotated_at"] >= _iso(now)
    good = res.task("good")
    assert not good["changed"] and good["credentials_valid"] is True and "credentials" not in good
    bad = res.task("bad")
    assert not bad["changed"] and bad["credentials_valid"] is False and bad["credentials_error"]["kind"] == "auth"
    assert bad["credentials_error"]["code"] == "2000"
    repair = res.task("repair")
    assert repair["changed"] and repair["credentials_valid"] is False and repair["credentials"]["password"]
    # Only the three real resets wrote; the checks were reads made as the service user.
    assert writes(qualys_sim) == {RESET: 3}
    # Each reset asked for the password in the report (email=0): Qualys e-mailed none.
    assert "passwords_emailed" not in sim_users(qualys_sim)[0]
    assert not api.works(first_pair)
    latest = repair["credentials"]
    assert api.works((latest["login"], latest["password"]))


def test_deactivate_reactivate_and_refused_changes(qualys_sim, api, play):
    res = play([user_task("create", "created")])
    creds = res.task("create")["credentials"]
    pair = (creds["login"], creds["password"])
    qualys_sim.reset_stats()
    res = play([
        task("absent preview", "preview", check=True, external_id=EXTERNAL_ID, state="absent"),
        task("absent", "absent", external_id=EXTERNAL_ID, state="absent"),
        task("absent again", "absent_again", external_id=EXTERNAL_ID, state="absent"),
        task("present keeps status", "present", external_id=EXTERNAL_ID),
        task("inactive check", "inactive_check", external_id=EXTERNAL_ID, state="inactive",
             verify_credentials={"password": creds["password"]}),
    ], diff=True)
    assert res.rc == 0, res
    assert res.task("absent preview")["changed"] and res.task("absent preview")["user"]["status"] == "inactive"
    absent = res.task("absent")
    assert absent["changed"] and absent["diff"]["before"]["status"] == "active" and absent["user"]["status"] == "inactive"
    assert not res.task("absent again")["changed"] and not res.task("present keeps status")["changed"]
    inactive_check = res.task("inactive check")
    assert not inactive_check["changed"] and inactive_check["credentials_error"]["kind"] == "inactive"
    assert writes(qualys_sim) == {DEACTIVATE: 1}
    assert not api.works(pair)

    qualys_sim.reset_stats()
    res = play([
        task("active", "active", external_id=EXTERNAL_ID, state="active", verify_credentials={"password": creds["password"]}),
        task("active again", "active_again", external_id=EXTERNAL_ID, state="active"),
        task("role change", "role", external_id=EXTERNAL_ID, user_role="scanner", ignore=True),
        task("unit change", "unit", external_id=EXTERNAL_ID, business_unit="Finance", ignore=True),
        task("by login", "by_login", login=creds["login"], title="Scan automation"),
        task("wrong login", "wrong_login", external_id=EXTERNAL_ID, login="nobody_x1", ignore=True),
        task("new by login", "new_by_login", login="nobody_x1", first_name="A", ignore=True),
    ])
    active = res.task("active")
    assert active["changed"] and active["user"]["status"] == "active" and active["credentials_valid"] is True
    assert "credentials" not in active and not active["password_changed"]
    assert not res.task("active again")["changed"]
    assert status(res, "role change") == "failed"
    assert "cannot change the role of an existing user" in res.task("role change")["msg"]
    assert status(res, "unit change") == "failed" and "business unit" in res.task("unit change")["msg"]
    by_login = res.task("by login")
    assert not by_login["changed"] and by_login["user"]["external_id"] == EXTERNAL_ID
    assert status(res, "wrong login") == "failed" and "belongs to user %s" % creds["login"] in res.task("wrong login")["msg"]
    assert status(res, "new by login") == "failed" and "generates the login" in res.task("new by login")["msg"]
    assert writes(qualys_sim) == {ACTIVATE: 1}
    assert api.works(pair)


def test_bad_input_is_refused_before_any_call(qualys_sim, play):
    res = play([
        user_task("contact", "contact", user_role="contact", ignore=True),
        user_task("all", "all", asset_groups=["Prod", "All"], ignore=True),
        user_task("country", "country", country="USA", ignore=True),
        user_task("timestamp", "timestamp", password_mode="reset_if_older_than", max_password_age_days=30,
                  password_rotated_at="last tuesday", ignore=True),
        user_task("age missing", "age", password_mode="reset_if_older_than", ignore=True),
    ])
    messages = dict((name, res.task(name)["msg"]) for name in ("contact", "all", "country", "timestamp", "age missing"))
    assert all(status(res, name) == "failed" for name in messages), messages
    assert "Contact cannot log in" in messages["contact"]
    assert "must not contain 'All'" in messages["all"]
    assert "not a country name Qualys knows" in messages["country"] and "full country name" in messages["country"]
    assert "ISO-8601" in messages["timestamp"]
    assert "max_password_age_days" in messages["age missing"]
    assert qualys_sim.stats()["calls"] == []


def test_lost_create_reply_never_makes_a_second_user(qualys_sim, api, play):
    qualys_sim.control("POST", "faults", {"rules": [
        {"path": "/msp/user.php", "action": "add", "method": "POST", "kind": "drop_after_write", "times": 1}]})
    res = play([user_task("create", "created")])
    assert res.rc == 0, res
    created = res.task("create")
    assert created["changed"] and created["created"] and created["password_changed"]
    assert any("reply to the user creation was lost" in warning for warning in created["warnings"])
    creds = created["credentials"]
    # The password from the lost reply is gone; the reset one works (EULA accepted too).
    assert api.works((creds["login"], creds["password"]))
    assert writes(qualys_sim) == {ADD: 1, RESET: 1, EULA: 1}

    qualys_sim.reset_stats()
    res = play([user_task("again", "again")])
    assert res.rc == 0 and not res.task("again")["changed"]
    assert qualys_sim.stats()["writes"] == 0
    assert [user["login"] for user in sim_users(qualys_sim)] == [creds["login"]]


def test_password_appears_only_in_the_registered_credentials(qualys_sim, play):
    before = set(qualys_sim.secrets()["secrets"])
    res = play([user_task("create quietly", "created", no_log=True)], verbosity=4, diff=True)
    assert res.rc == 0, res
    new = set(qualys_sim.secrets()["secrets"]) - before
    assert len(new) == 1
    password = new.pop()
    assert password not in res.output

    before = set(qualys_sim.secrets()["secrets"])
    res = play([task("reset loudly", "reset", external_id=EXTERNAL_ID, password_mode="reset")], verbosity=4, diff=True)
    assert res.rc == 0, res
    new = set(qualys_sim.secrets()["secrets"]) - before
    assert len(new) == 1
    password = new.pop()
    assert res.task("reset loudly")["credentials"]["password"] == password
    shown = '"password": "%s"' % password
    # Printed once, as the result of the task, inside "credentials", and nowhere else.
    assert res.output.count(password) == res.output.count(shown) == 1
    position = res.output.index(shown)
    block = res.output[res.output.rindex('"credentials": {', 0, position):position]
    assert "}" not in block


def test_eula_left_to_the_user_is_accepted_later_with_the_stored_credentials(qualys_sim, api, play):
    res = play([
        user_task("create", "created", accept_eula=False),
        task("verify", "verify", external_id=EXTERNAL_ID, password_mode="reset_if_invalid",
             verify_credentials={"password": "{{ created.credentials.password }}"}),
    ])
    assert res.rc == 0, res
    created, verify = res.task("create"), res.task("verify")
    assert created["user"]["status"] == "pending_activation" and not created["eula_accepted"]
    # Only the EULA was missing: accepted with the stored password, no reset.
    assert verify["changed"] and verify["eula_accepted"] and verify["credentials_valid"] is True
    assert not verify["password_changed"] and verify["user"]["status"] == "active"
    assert writes(qualys_sim) == {ADD: 1, EULA: 1}
    creds = created["credentials"]
    assert api.works((creds["login"], creds["password"]))


def test_check_mode_predicts_a_user_whose_scope_and_role_earlier_tasks_only_would_create(qualys_sim, play):
    """Issue 18 items 3 and 12: a preview before the first rollout, the way a playbook of one's own is written."""
    tasks = [
        task("group", "group", module="scanops.qualys.qualys_asset_group", title="New scope", ips=["10.1.0.0/24"]),
        {"name": "tag", "register": "tag", "scanops.qualys.qualys_tag": {"name": "New tag", "ip_ranges": ["10.2.0.0/24"]}},
        {"name": "role", "register": "role", "scanops.qualys.qualys_role": {"name": "New role", "manage_definition": True,
                                                                            "permissions": {"VM": ["View"]}}},
        user_task("user", "user", asset_groups=["New scope"], scope_tags=["New tag"], roles=["New role"],
                  pending_roles="{{ [role.role.name] if role.changed and role.role.id is none else [] }}"),
    ]
    preview = play(tasks, check=True, diff=True)
    assert preview.rc == 0, preview
    assert qualys_sim.stats()["writes"] == 0
    user = preview.task("user")
    assert user["changed"] and user["created"] and user["user"]["asset_groups"] == ["New scope"]
    assert user["assumed"] == {"asset_groups": ["New scope"], "scope_tags": ["New tag"], "roles": ["New role"]}
    assert len([warning for warning in user["warnings"] if "earlier task" in warning]) == 3
    assert dict((change["field"], change["after"]) for change in user["changes"])["roles"] == ["New role"]

    real = play(tasks)
    assert real.rc == 0, real
    created = real.task("user")
    assert "assumed" not in created and created["user"]["roles"] == ["New role"]
    assert created["user"]["scope_tags"] == ["New tag"] and created["user"]["asset_groups"] == ["New scope"]


def test_credentials_have_one_shape_that_verify_credentials_takes_back_whole(qualys_sim, api, play):
    """Issue 18 item 6: username, password, api_url, platform, rotated_at (and login, deprecated)."""
    res = play([
        user_task("create", "created"),
        task("verify", "verify", external_id=EXTERNAL_ID, password_mode="reset_if_invalid",
             verify_credentials="{{ created.credentials }}"),
        task("verify stored", "stored", external_id=EXTERNAL_ID, password_mode="reset_if_invalid",
             verify_credentials="{{ created.credentials | ansible.builtin.dict2items | rejectattr('key', 'eq', 'login')"
                                " | ansible.builtin.items2dict }}"),
    ])
    assert res.rc == 0, res
    credentials = res.task("create")["credentials"]
    assert set(credentials) == {"username", "password", "api_url", "platform", "rotated_at", "login"}
    assert credentials["login"] == credentials["username"] and credentials["api_url"] == qualys_sim.url
    assert credentials["platform"] is None and credentials["rotated_at"] == res.task("create")["rotated_at"]
    for name in ("verify", "verify stored"):
        verified = res.task(name)
        assert verified["credentials_valid"] is True and not verified["changed"] and not verified.get("warnings")
    assert api.works((credentials["username"], credentials["password"]))
