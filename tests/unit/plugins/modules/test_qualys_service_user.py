# -*- coding: utf-8 -*-
# Copyright (c) scanops.qualys contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""qualys_service_user against an in-memory Qualys (the client replaced): plans, check mode, passwords, secrets.

The fake and the runner are also used by test_qualys_service_user_info.py.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
from xml.sax.saxutils import escape

import pytest

from ansible_collections.scanops.qualys.plugins.module_utils import qualys_formats as formats
from ansible_collections.scanops.qualys.plugins.module_utils.qualys_errors import QualysError
from ansible_collections.scanops.qualys.plugins.module_utils.qualys_role_adapter import RoleApiUnavailable
from ansible_collections.scanops.qualys.plugins.modules import qualys_service_user

CONNECTION = {"url": "https://qualysapi.example.invalid", "username": "admin", "password": "Admin-Pass-1"}
ROLE_NAMES = {"reader": "Reader", "scanner": "Scanner", "manager": "Manager", "unit_manager": "Unit Manager"}
STATUS_NAMES = {"active": "Active", "inactive": "Inactive", "pending_activation": "Pending Activation"}
PROFILE = (("first_name", "FIRSTNAME"), ("last_name", "LASTNAME"), ("title", "TITLE"), ("email", "EMAIL"),
           ("phone", "PHONE"), ("address1", "ADDRESS1"), ("address2", "ADDRESS2"), ("city", "CITY"),
           ("zip_code", "ZIP_CODE"), ("country", "COUNTRY"), ("state", "STATE"))


class FakeQualys:
    """Users, asset groups, tags and roles in dicts; every call recorded as (name, params, write)."""

    api_url = CONNECTION["url"]
    token = None

    def __init__(self):
        self.users = {}
        self.groups = {"Prod web", "Prod db", "Lab"}
        self.tags = {"Prod": 9000010, "Lab": 9000011}
        self.roles = {"Scan Reader": 101, "Report Reader": 102}
        self.calls = []
        self.generated = 0
        self.drop_add = False
        self.fail = {}
        # True: Qualys e-mails reset passwords whatever the switch says.
        self.email_passwords = False
        # False: the subscription does not offer the (guessed) role definition API.
        self.role_api = True

    # -- test helpers ------------------------------------------------------------------
    def add(self, login, **fields):
        user = {"id": 7000000 + len(self.users) + 2, "login": login, "external_id": "", "user_role": "reader",
                "business_unit": "Unassigned", "asset_groups": [], "status": "active", "password": "Old-Pass-1!",
                "eula": True, "roles": {}, "tags": {}}
        for key, _tag in PROFILE:
            user[key] = ""
        user.update(fields)
        self.users[login] = user
        return user

    def writes(self):
        return [(name, params) for name, params, write in self.calls if write]

    def names(self):
        return [name for name, _params, _write in self.calls]

    def _password(self):
        self.generated += 1
        return "Gen-%d-Pa$$word!" % self.generated

    def _maybe_fail(self, name):
        if name in self.fail:
            raise self.fail.pop(name)

    # -- client API ----------------------------------------------------------------------
    def msp(self, script, params, write=False, idempotent=None, sensitive=False, credentials=None):
        name = script + ("?" + params["action"] if params.get("action") else "")
        self.calls.append((name, dict(params), write))
        self._maybe_fail(name)
        if script == "user_list.php":
            return formats.parse_xml(self._user_list(params.get("external_id_contains")))
        if script == "acceptEULA.php":
            user = self.users.get(credentials[0])
            if user is None or user["password"] != credentials[1]:
                raise QualysError("Qualys error 2000: Bad Login/Password", code="2000", status=401, kind="auth")
            user["eula"] = True
            if user["status"] == "pending_activation":
                user["status"] = "active"
            return formats.parse_xml("<GENERIC_RETURN><RETURN status=\"SUCCESS\">TNC accepted</RETURN></GENERIC_RETURN>")
        if script == "password_change.php":
            user = self.users[params["user_logins"]]
            user["password"] = self._password()
            # As documented: only email=0 puts the password in the report; anything else e-mails it.
            in_report = params.get("email") == "0" and not self.email_passwords
            if in_report and user["status"] == "pending_activation":
                user["status"] = "active"
            password = "<PASSWORD><![CDATA[%s]]></PASSWORD>" % user["password"] if in_report else ""
            return formats.parse_xml(
                "<PASSWORD_CHANGE_OUTPUT><RETURN status=\"SUCCESS\"><MESSAGE>ok</MESSAGE><CHANGES count=\"1\"><USER_LIST>"
                "<USER><USER_LOGIN>%s</USER_LOGIN>%s</USER></USER_LIST></CHANGES>"
                "</RETURN></PASSWORD_CHANGE_OUTPUT>" % (user["login"], password))
        action = params["action"]
        if action == "add":
            return self._add_user(params)
        user = self.users[params["login"]]
        if action == "edit":
            for key, value in params.items():
                if key == "asset_groups":
                    user["asset_groups"] = [title for title in value.split(",") if title]
                elif key not in ("action", "login"):
                    user[key] = value
        else:
            user["status"] = "active" if action == "activate" else "inactive"
        return formats.parse_xml("<USER_OUTPUT><RETURN status=\"SUCCESS\"><MESSAGE>ok</MESSAGE></RETURN></USER_OUTPUT>")

    def _add_user(self, params):
        login = "quays_%s%s%d" % (params["first_name"][0].lower(), params["last_name"][0].lower(), len(self.users) + 1)
        fields = dict((key, value) for key, value in params.items() if key not in ("action", "send_email", "asset_groups"))
        user = self.add(login, status="pending_activation", eula=False, password=self._password(), **fields)
        user["asset_groups"] = [title for title in params.get("asset_groups", "").split(",") if title]
        if self.drop_add:
            raise QualysError("Connection to qualysapi failed during POST /msp/user.php; the change may or may not have "
                              "been applied", kind="transport", outcome_unknown=True)
        return formats.parse_xml("<USER_OUTPUT><RETURN status=\"SUCCESS\"><MESSAGE>created</MESSAGE></RETURN><USER>"
                                 "<USER_LOGIN>%s</USER_LOGIN><PASSWORD>%s</PASSWORD></USER></USER_OUTPUT>"
                                 % (login, user["password"]))

    def _user_list(self, contains):
        parts = []
        for user in self.users.values():
            if contains is not None and contains not in user["external_id"]:
                continue
            contact = "".join("<%s><![CDATA[%s]]></%s>" % (tag, user[key], tag) for key, tag in PROFILE)
            groups = "".join("<ASSET_GROUP_TITLE><![CDATA[%s]]></ASSET_GROUP_TITLE>" % title for title in user["asset_groups"])
            parts.append(
                "<USER><USER_LOGIN>%s</USER_LOGIN><USER_ID>%d</USER_ID>%s<CONTACT_INFO>%s</CONTACT_INFO>"
                "<ASSIGNED_ASSET_GROUPS>%s</ASSIGNED_ASSET_GROUPS><USER_STATUS>%s</USER_STATUS>"
                "<LAST_LOGIN_DATE>N/A</LAST_LOGIN_DATE><USER_ROLE>%s</USER_ROLE>"
                "<BUSINESS_UNIT><![CDATA[%s]]></BUSINESS_UNIT></USER>" % (
                    user["login"], user["id"],
                    "<EXTERNAL_ID><![CDATA[%s]]></EXTERNAL_ID>" % user["external_id"] if user["external_id"] else "",
                    contact, groups, STATUS_NAMES[user["status"]], ROLE_NAMES[user["user_role"]], user["business_unit"]))
        return "<USER_LIST_OUTPUT><USER_LIST>%s</USER_LIST></USER_LIST_OUTPUT>" % "".join(parts)

    def _login(self, credentials):
        user = self.users.get(credentials[0])
        if user is None or user["password"] != credentials[1]:
            raise QualysError("Qualys error 2000: Bad Login/Password", code="2000", status=401, kind="auth")
        if user["status"] == "inactive":
            raise QualysError("Qualys error 2002: User account is inactive", code="2002", status=401, kind="auth")
        if not user["eula"]:
            raise QualysError("Qualys error 2003: Registration must be completed", code="2003", status=409, kind="eula")
        return user

    def fo(self, path, params, write=False, idempotent=None, credentials=None):
        self.calls.append(("asset_group_list" if credentials is None else "asset_group_list_as_user", dict(params), write))
        if credentials is not None:
            self._login(credentials)
            return formats.parse_xml("<ASSET_GROUP_LIST_OUTPUT><RESPONSE><ID_SET/></RESPONSE></ASSET_GROUP_LIST_OUTPUT>")
        title = params["title"]
        group = "<ASSET_GROUP><TITLE>%s</TITLE></ASSET_GROUP>" % escape(title) if title in self.groups else ""
        return formats.parse_xml("<ASSET_GROUP_LIST_OUTPUT><RESPONSE><ASSET_GROUP_LIST>%s</ASSET_GROUP_LIST></RESPONSE>"
                                 "</ASSET_GROUP_LIST_OUTPUT>" % group)

    def qps(self, operation, object_type, object_id=None, body=None, write=False, idempotent=None, credentials=None,
            judge=None):
        self.calls.append(("%s %s" % (operation, object_type), body, write))
        self._maybe_fail("%s %s" % (operation, object_type))
        if object_type == "am/role":
            if not self.role_api:
                raise RoleApiUnavailable(QualysError("HTTP 404", status=404, kind="not_found"))
            name = body["ServiceRequest"]["filters"]["Criteria"][0]["value"]
            found = [{"id": self.roles[name], "name": name}] if name in self.roles else []
            return {"count": len(found), "has_more": False, "last_id": None, "data": found}
        if operation == "search":
            criterion = body["ServiceRequest"]["filters"]["Criteria"][0]
            field, value = criterion["field"], criterion["value"]
            found = [self._admin_view(user) for user in self.users.values()
                     if (user["login"] == value if field == "username" else value in user["roles"])]
            return {"count": len(found), "has_more": False, "last_id": None, "data": found}
        user = [user for user in self.users.values() if user["id"] == object_id][0]
        data = body["ServiceRequest"]["data"]["User"]
        for key, wrapper, held, known in (("roleList", "RoleData", user["roles"], self.roles),
                                          ("scopeTags", "TagData", user["tags"], self.tags)):
            for ref in data.get(key, {}).get("add", {}).get(wrapper, []):
                name = ref.get("name") or [n for n, i in known.items() if i == ref["id"]][0]
                if name not in known:
                    raise QualysError("Qualys error INVALID_REQUEST: %s does not exist" % name, code="INVALID_REQUEST")
                held[name] = known[name]
            for ref in data.get(key, {}).get("remove", {}).get(wrapper, []):
                for name, held_id in list(held.items()):
                    if ref.get("id") == held_id or ref.get("name") == name:
                        del held[name]
        return {"count": 1, "has_more": False, "last_id": None, "data": [{"id": user["id"]}]}

    def qps_search(self, object_type, criteria, page_size=100, search=None):
        if search is not None:
            return search(formats.qps_request(criteria=criteria, preferences={"limitResults": page_size}))["data"]
        self.calls.append(("search %s" % object_type, list(criteria), False))
        if object_type == "am/user":
            return [self._admin_view(user) for user in self.users.values()]
        name = criteria[0][2]
        return [{"id": self.tags[name], "name": name, "ruleType": "STATIC"}] if name in self.tags else []

    @staticmethod
    def _admin_view(user):
        return {"id": user["id"], "username": user["login"],
                "roleList": {"list": [{"RoleData": {"id": i, "name": n}} for n, i in user["roles"].items()]},
                "scopeTags": {"list": [{"TagData": {"id": i, "name": n}} for n, i in user["tags"].items()]}}


def make_runner(run_module, module):
    """runner(fake, check=False, diff=False, **args): ``module`` run by ``run_module`` with CONNECTION and ``fake``."""
    def runner(fake, check=False, diff=False, **args):
        return run_module(module, dict(CONNECTION, **args), check=check, diff=diff, client=fake)
    return runner


# -- the tests ----------------------------------------------------------------------------------

PROFILE_ARGS = {
    "external_id": "svc-scan", "first_name": "Scan", "last_name": "Pipeline", "title": "Automation",
    "email": "secops@example.invalid", "phone": "555-0100", "address1": "1 Main St", "city": "Springfield",
    "country": "united states of america", "address_state": "Illinois",
}
EXISTING = {
    "external_id": "svc-scan", "first_name": "Scan", "last_name": "Pipeline", "title": "Automation",
    "email": "secops@example.invalid", "phone": "555-0100", "address1": "1 Main St", "city": "Springfield",
    "country": "United States of America", "state": "Illinois", "asset_groups": ["Prod web"],
}


@pytest.fixture
def run(run_module):
    return make_runner(run_module, qualys_service_user)


@pytest.fixture
def fake():
    return FakeQualys()


@pytest.fixture
def existing(fake):
    return fake.add("quays_sp1", **EXISTING)


def test_create_returns_credentials_once_and_accepts_the_eula(run, fake):
    out = run(fake, diff=True, asset_groups=["Prod web"], **PROFILE_ARGS)
    assert not out.failed and out["changed"] and out["created"] and out["password_changed"] and out["eula_accepted"]
    user = fake.users["quays_sp1"]
    assert out["credentials"] == {"username": "quays_sp1", "password": user["password"], "api_url": CONNECTION["url"],
                                  "platform": None, "rotated_at": out["rotated_at"], "login": "quays_sp1"}
    assert out["rotated_at"].endswith("Z")
    assert fake.names() == ["user_list.php", "asset_group_list", "user.php?add", "acceptEULA.php", "user_list.php"]
    add = fake.writes()[0][1]
    assert add["send_email"] == "0" and add["user_role"] == "reader" and add["business_unit"] == "Unassigned"
    assert add["country"] == "United States of America" and add["state"] == "Illinois" and add["asset_groups"] == "Prod web"
    assert out["user"]["status"] == "active" and out["user"]["login"] == "quays_sp1"
    assert out["diff"]["before"] == {} and "password" not in json.dumps(out["diff"])
    # The password is printed exactly once: in credentials.
    assert out.text.count(user["password"]) == 1


def test_create_in_check_mode_writes_nothing_and_predicts(run, fake):
    out = run(fake, check=True, diff=True, asset_groups=["Prod web"], **PROFILE_ARGS)
    assert out["changed"] and out["password_changed"] and "credentials" not in out and "rotated_at" not in out
    assert fake.writes() == [] and fake.users == {}
    assert out["user"]["login"] is None and out["user"]["status"] == "active"
    assert out["user"]["asset_groups"] == ["Prod web"] and out["user"]["address2"] == ""


def test_create_needs_the_required_profile_and_writes_nothing(run, fake):
    out = run(fake, external_id="svc-scan", first_name="Scan", country="Canada")
    assert out.failed and "needs last_name, title, email, phone, address1, city, address_state" in out["msg"]
    assert fake.writes() == []


def test_unknown_asset_group_fails_before_the_create(run, fake):
    out = run(fake, asset_groups=["Prod web", "Nope"], **PROFILE_ARGS)
    assert out.failed and "no asset group is titled 'Nope'" in out["msg"] and fake.writes() == []


def test_same_options_again_make_no_write(run, fake, existing):
    out = run(fake, diff=True, asset_groups=["Prod web"], verify_credentials=None, **PROFILE_ARGS)
    assert not out["changed"] and fake.writes() == [] and "credentials" not in out
    assert out["diff"]["before"] == out["diff"]["after"]
    assert fake.names() == ["user_list.php"]


def test_edit_sends_only_what_changed_and_groups_as_the_whole_list(run, fake, existing):
    out = run(fake, diff=True, asset_groups=["Prod db", "Prod web", "Prod db"], **dict(PROFILE_ARGS, title="Scanner"))
    assert out["changed"] and not out["password_changed"]
    assert fake.writes() == [("user.php?edit", {"title": "Scanner", "asset_groups": "Prod db,Prod web",
                                                "action": "edit", "login": "quays_sp1"})]
    # Only the new group's title had to be checked.
    assert [params["title"] for name, params, _w in fake.calls if name == "asset_group_list"] == ["Prod db"]
    assert out["diff"]["after"]["asset_groups"] == ["Prod db", "Prod web"] and out["diff"]["after"]["title"] == "Scanner"


def test_edit_in_check_mode_predicts_the_same_result(run, fake, existing):
    preview = run(fake, check=True, diff=True, asset_groups=[], **dict(PROFILE_ARGS, zip_code="62701"))
    assert fake.writes() == []
    real = run(fake, diff=True, asset_groups=[], **dict(PROFILE_ARGS, zip_code="62701"))
    assert preview["user"] == real["user"] and preview["diff"] == real["diff"] and preview["changed"] == real["changed"]
    assert fake.writes()[0][1] == {"zip_code": "62701", "asset_groups": "", "action": "edit", "login": "quays_sp1"}


@pytest.mark.parametrize("option, value, text", [
    ("user_role", "scanner", "cannot change the role"),
    ("business_unit", "Finance", "cannot change the business unit"),
])
def test_role_and_business_unit_of_an_existing_user_cannot_change(run, fake, existing, option, value, text):
    out = run(fake, external_id="svc-scan", **{option: value})
    assert out.failed and text in out["msg"] and fake.writes() == []


def test_login_only_user_gets_the_external_id(run, fake):
    fake.add("quays_old1", title="Old")
    out = run(fake, login="quays_old1", external_id="svc-old")
    assert out["changed"] and fake.writes() == [("user.php?edit", {"external_id": "svc-old", "action": "edit",
                                                                   "login": "quays_old1"})]
    assert [params for name, params, _w in fake.calls if name == "user_list.php"] == [
        {"external_id_contains": "svc-old"}, {}]


def test_external_id_and_login_must_agree(run, fake, existing):
    out = run(fake, external_id="svc-scan", login="quays_other9")
    assert out.failed and "belongs to user quays_sp1" in out["msg"]


def test_roles_and_tags_in_one_update_call(run, fake, existing):
    existing["roles"] = {"Scan Reader": 101}
    existing["tags"] = {"Lab": 9000011}
    out = run(fake, diff=True, external_id="svc-scan", roles=["Report Reader"], scope_tags=["Prod"])
    assert out["changed"]
    (name, body), = fake.writes()
    assert name == "update am/user"
    assert body["ServiceRequest"]["data"]["User"] == {
        "roleList": {"add": {"RoleData": [{"name": "Report Reader"}]}, "remove": {"RoleData": [{"id": 101}]}},
        "scopeTags": {"add": {"TagData": [{"id": 9000010}]}, "remove": {"TagData": [{"id": 9000011}]}},
    }
    assert out["diff"]["before"]["roles"] == ["Scan Reader"] and out["user"]["scope_tags"] == ["Prod"]
    again = run(fake, external_id="svc-scan", roles=["Report Reader"], scope_tags=["Prod"])
    assert not again["changed"] and len(fake.writes()) == 1


def test_unknown_scope_tag_fails_before_any_write(run, fake, existing):
    out = run(fake, external_id="svc-scan", scope_tags=["Nope"])
    assert out.failed and "no tag is named 'Nope'" in out["msg"] and fake.writes() == []


def test_reset_always_changes_and_returns_new_credentials(run, fake, existing):
    out = run(fake, external_id="svc-scan", password_mode="reset")
    password = existing["password"]
    assert out["changed"] and out["password_changed"] and out["credentials"]["password"] == password
    assert fake.writes() == [("password_change.php", {"user_logins": "quays_sp1", "email": "0"})]
    preview = run(fake, check=True, external_id="svc-scan", password_mode="reset")
    assert preview["changed"] and preview["password_changed"] and "credentials" not in preview
    assert len(fake.writes()) == 1


def test_reset_reply_without_a_password_fails_clearly_and_leaks_nothing(run, fake, existing):
    fake.email_passwords = True
    out = run(fake, external_id="svc-scan", password_mode="reset_if_invalid",
              verify_credentials={"password": "Stored-Secret-9"})
    emailed = existing["password"]
    assert out.failed and "credentials" not in out and "rotated_at" not in out
    assert out["msg"].startswith("Qualys did not return a new password for quays_sp1")
    assert "e-mailed" in out["msg"] and "no longer work" in out["msg"] and "reset_if_invalid" in out["msg"]
    assert [name for name, _params in fake.writes()] == ["password_change.php"]
    for secret in (emailed, "Stored-Secret-9", "Old-Pass-1!", CONNECTION["password"]):
        assert secret not in out.text


@pytest.mark.parametrize("rotated, expected", [
    ("2000-01-01T00:00:00Z", True),
    (None, True),
    ("2999-01-01T00:00:00Z", False),
])
def test_reset_if_older_than(run, fake, existing, rotated, expected):
    args = dict(external_id="svc-scan", password_mode="reset_if_older_than", max_password_age_days=90)
    if rotated:
        args["password_rotated_at"] = rotated
    out = run(fake, **args)
    assert out["changed"] is expected and out["password_changed"] is expected and ("credentials" in out) is expected


@pytest.mark.parametrize("stored, expected_reset, valid", [
    ("Old-Pass-1!", False, True),
    ("wrong", True, False),
    ("", True, False),
    (None, True, None),
])
def test_reset_if_invalid(run, fake, existing, stored, expected_reset, valid):
    args = dict(external_id="svc-scan", password_mode="reset_if_invalid")
    if stored is not None:
        args["verify_credentials"] = {"password": stored}
    out = run(fake, **args)
    assert out["password_changed"] is expected_reset and out["changed"] is expected_reset
    assert out.result.get("credentials_valid") is valid
    if valid is False:
        assert out["credentials_error"]["kind"] == ("auth" if stored else "missing")
    # The stored password is masked in the output, whatever happens.
    if stored:
        assert stored not in out.text


def test_verify_only_reports_and_never_changes(run, fake, existing):
    out = run(fake, external_id="svc-scan", verify_credentials={"login": "quays_sp1", "password": "wrong"})
    assert not out["changed"] and out["credentials_valid"] is False
    assert out["credentials_error"] == {"kind": "auth", "code": "2000", "message": "Qualys error 2000: Bad Login/Password"}
    assert fake.writes() == []
    other = run(fake, external_id="svc-scan", verify_credentials={"login": "quays_zz1", "password": "Old-Pass-1!"})
    assert other["credentials_error"]["kind"] == "login_mismatch"
    # A login of another user is not even tried.
    assert fake.names().count("asset_group_list_as_user") == 1


def test_missing_eula_is_accepted_with_the_stored_credentials_instead_of_a_reset(run, fake, existing):
    existing.update(eula=False, status="pending_activation")
    preview = run(fake, check=True, external_id="svc-scan", password_mode="reset_if_invalid",
                  verify_credentials={"password": "Old-Pass-1!"})
    assert preview["changed"] and preview["eula_accepted"] and not preview["password_changed"]
    assert preview["credentials_error"]["kind"] == "eula" and fake.writes() == []
    out = run(fake, external_id="svc-scan", password_mode="reset_if_invalid", verify_credentials={"password": "Old-Pass-1!"})
    assert out["changed"] and out["eula_accepted"] and out["credentials_valid"] is True and not out["password_changed"]
    assert [name for name, _params in fake.writes()] == ["acceptEULA.php"] and existing["eula"]
    assert preview["user"] == out["user"]


def test_reset_of_a_pending_user_accepts_the_eula_with_the_new_password(run, fake, existing):
    existing.update(eula=False, status="pending_activation")
    out = run(fake, external_id="svc-scan", password_mode="reset")
    assert [name for name, _params in fake.writes()] == ["password_change.php", "acceptEULA.php"]
    assert out["eula_accepted"] and out["user"]["status"] == "active" and existing["eula"]


def test_an_inactive_user_is_not_reset_for_failing_credentials(run, fake, existing):
    existing["status"] = "inactive"
    out = run(fake, external_id="svc-scan", password_mode="reset_if_invalid", verify_credentials={"password": "Old-Pass-1!"})
    assert not out["changed"] and out["credentials_error"]["kind"] == "inactive" and fake.writes() == []


def test_activation_comes_before_the_credential_check(run, fake, existing):
    existing["status"] = "inactive"
    preview = run(fake, check=True, external_id="svc-scan", state="active", password_mode="reset_if_invalid",
                  verify_credentials={"password": "Old-Pass-1!"})
    assert preview["changed"] and not preview["password_changed"] and "credentials_valid" not in preview
    assert any("not checked" in warning for warning in preview.warnings)
    out = run(fake, external_id="svc-scan", state="active", password_mode="reset_if_invalid",
              verify_credentials={"password": "Old-Pass-1!"})
    assert out["changed"] and out["credentials_valid"] is True and not out["password_changed"]
    assert [name for name, _params in fake.writes()] == ["user.php?activate"]


def test_absent_deactivates_and_is_then_unchanged(run, fake, existing):
    out = run(fake, external_id="svc-scan", state="absent", diff=True)
    assert out["changed"] and out["user"]["status"] == "inactive" and out["diff"]["before"]["status"] == "active"
    again = run(fake, external_id="svc-scan", state="absent")
    assert not again["changed"] and [name for name, _p in fake.writes()] == ["user.php?deactivate"]
    missing = run(fake, external_id="svc-none", state="absent")
    assert not missing["changed"] and missing["user"] == {}


def test_a_pending_user_cannot_be_deactivated(run, fake, existing):
    existing["status"] = "pending_activation"
    out = run(fake, external_id="svc-scan", state="inactive")
    assert out.failed and "Pending Activation" in out["msg"] and fake.writes() == []


def test_lost_create_reply_finds_the_user_and_resets_its_password(run, fake):
    fake.drop_add = True
    out = run(fake, **PROFILE_ARGS)
    assert not out.failed and out["created"] and len(fake.users) == 1
    user = fake.users["quays_sp1"]
    assert out["credentials"]["password"] == user["password"] and user["eula"]
    assert [name for name, _params in fake.writes()] == ["user.php?add", "password_change.php", "acceptEULA.php"]
    assert any("reply to the user creation was lost" in warning for warning in out.warnings)


def test_lost_create_reply_without_a_user_is_an_error(run, fake):
    fake.fail["user.php?add"] = QualysError("timed out; the change may or may not have been applied", kind="timeout",
                                            outcome_unknown=True)
    out = run(fake, **PROFILE_ARGS)
    assert out.failed and "may or may not" in out["msg"] and out["error_kind"] == "timeout"
    assert [name for name, _params, _w in fake.calls] == ["user_list.php", "user.php?add", "user_list.php"]


def test_a_generated_password_never_leaks_into_a_failure(run, fake):
    # A (contrived) error that quotes the password, raised after the module learned it.
    original = fake.msp

    def msp(script, params, **kwargs):
        if script == "acceptEULA.php":
            raise QualysError("EULA refused for %s" % fake.users["quays_sp1"]["password"])
        return original(script, params, **kwargs)
    fake.msp = msp
    out = run(fake, **PROFILE_ARGS)
    password = fake.users["quays_sp1"]["password"]
    assert out.failed and password not in out.text and "EULA refused for ********" in out["msg"]


@pytest.mark.parametrize("args, text", [
    (dict(user_role="contact"), "Contact cannot log in"),
    (dict(user_role="auditor"), "user_role must be one of"),
    (dict(asset_groups=["Prod", "all"]), "must not contain 'All'"),
    (dict(asset_groups=["A,B"]), "contains a comma"),
    (dict(asset_groups=["A"], user_role="manager"), "Manager sees every asset group"),
    (dict(roles=[" "]), "roles must not contain an empty name"),
    (dict(country="Atlantis"), "not a country name Qualys knows"),
    (dict(first_name=" "), "first_name must not be empty"),
    (dict(password_mode="reset_if_older_than", max_password_age_days=0), "max_password_age_days must be 1 or more"),
    (dict(password_mode="reset_if_older_than", max_password_age_days=5, password_rotated_at="soon"), "ISO-8601"),
    (dict(password_mode="reset_if_older_than"), "max_password_age_days"),
])
def test_bad_input_fails_before_any_call(run, fake, args, text):
    out = run(fake, external_id="svc-scan", **args)
    assert out.failed and text in out["msg"] and fake.calls == []


def test_inactive_new_user_needs_the_eula(run, fake):
    out = run(fake, state="inactive", accept_eula=False, **PROFILE_ARGS)
    assert out.failed and "needs accept_eula=true" in out["msg"] and fake.writes() == []


def test_inactive_new_user_is_created_then_deactivated(run, fake):
    out = run(fake, state="inactive", **PROFILE_ARGS)
    assert out["user"]["status"] == "inactive"
    assert [name for name, _params in fake.writes()] == ["user.php?add", "acceptEULA.php", "user.php?deactivate"]


def test_a_pending_user_asked_to_be_active_is_explained(run, fake, existing):
    existing.update(eula=False, status="pending_activation")
    out = run(fake, external_id="svc-scan", state="active")
    assert not out["changed"] and fake.writes() == []
    assert any("Pending Activation" in warning for warning in out.warnings)
    fixed = run(fake, external_id="svc-scan", state="active", verify_credentials={"password": "Old-Pass-1!"})
    assert fixed["changed"] and fixed["user"]["status"] == "active" and not fixed.warnings


def test_a_manager_gets_no_asset_groups(run, fake):
    fake.add("quays_mg1", external_id="svc-mgr", user_role="manager")
    out = run(fake, external_id="svc-mgr", asset_groups=["Prod web"])
    assert out.failed and "Manager sees every asset group" in out["msg"] and fake.writes() == []


def test_user_state_is_an_alias_of_address_state(run, fake, existing):
    out = run(fake, external_id="svc-scan", user_state="Ohio")
    assert out["changed"] and fake.writes()[0][1]["state"] == "Ohio"


# -- check mode: scope objects and roles an earlier task would create (issue 18 items 3 and 12) ---------------------

def test_check_mode_assumes_a_missing_asset_group_and_tag_that_an_earlier_task_creates(run, fake):
    args = dict(PROFILE_ARGS, asset_groups=["New scope"], scope_tags=["New tag"])
    preview = run(fake, check=True, diff=True, **args)
    assert not preview.failed and preview["changed"] and preview["created"] and fake.writes() == []
    assert preview["assumed"] == {"asset_groups": ["New scope"], "scope_tags": ["New tag"], "roles": []}
    assert preview["user"]["asset_groups"] == ["New scope"] and preview["user"]["scope_tags"] == ["New tag"]
    warnings = " ".join(preview.warnings)
    assert "no asset group is titled 'New scope' yet" in warnings and "no tag is named 'New tag' yet" in warnings
    assert "earlier task" in warnings
    # A real run still fails before any write.
    real = run(fake, **args)
    assert real.failed and "no asset group is titled 'New scope'" in real["msg"] and fake.writes() == []
    fake.groups.add("New scope")
    real = run(fake, **args)
    assert real.failed and real["msg"] == "scope_tags: no tag is named 'New tag'." and fake.writes() == []


def test_check_mode_assumes_a_missing_tag_for_an_existing_user(run, fake, existing):
    preview = run(fake, check=True, external_id="svc-scan", scope_tags=["New tag", "Prod"])
    assert not preview.failed and preview["changed"] and preview["assumed"]["scope_tags"] == ["New tag"]
    assert preview["user"]["scope_tags"] == ["New tag", "Prod"] and fake.writes() == []
    found = run(fake, check=True, external_id="svc-scan", scope_tags=["Prod"])
    assert "assumed" not in found and not found.warnings


def test_an_unknown_role_fails_in_check_mode_too_naming_it(run, fake, existing):
    out = run(fake, check=True, external_id="svc-scan", roles=["Scan Reader", "No Such Role"])
    assert out.failed and "roles: no role is named 'No Such Role'" in out["msg"] and "pending_roles" in out["msg"]
    assert "Scan Reader" not in out["msg"] and fake.writes() == []


def test_an_unknown_role_fails_a_new_user_before_any_write(run, fake):
    out = run(fake, roles=["No Such Role"], **PROFILE_ARGS)
    assert out.failed and out["msg"].startswith("roles: no role is named 'No Such Role'.") and fake.writes() == []
    assert fake.users == {}


def test_a_role_an_earlier_task_creates_is_predicted_in_check_mode_only(run, fake):
    args = dict(PROFILE_ARGS, roles=["New Role"], pending_roles=["New Role"])
    preview = run(fake, check=True, **args)
    assert not preview.failed and preview["changed"] and preview["assumed"]["roles"] == ["New Role"]
    assert preview["user"]["roles"] == ["New Role"] and fake.writes() == []
    assert any("no role is named 'New Role' yet" in warning and "pending_roles" in warning for warning in preview.warnings)
    real = run(fake, **args)
    assert real.failed and "no role is named 'New Role'" in real["msg"] and fake.writes() == []


def test_a_role_some_user_holds_is_found_without_the_role_api(run, fake, existing):
    fake.add("quays_xx9", roles={"Report Reader": 102})
    fake.role_api = False
    out = run(fake, check=True, external_id="svc-scan", roles=["Report Reader"])
    assert not out.failed and out["changed"] and not out.warnings
    assert "search am/role" not in fake.names()


def test_without_the_role_api_an_unheld_role_cannot_be_checked_and_check_mode_says_so(run, fake, existing):
    fake.role_api = False
    out = run(fake, check=True, external_id="svc-scan", roles=["Scan Reader", "Report Reader"])
    assert not out.failed and out["changed"] and "assumed" not in out
    (warning,) = out.warnings
    assert "whether the roles 'Report Reader', 'Scan Reader' exist cannot be checked" in warning
    # The role API was asked once, not once per role.
    assert fake.names().count("search am/role") == 1


# -- before/after for auditors, without a secret (issue 18 item 5) ---------------------------------------------------

def test_changes_list_every_field_that_differs_before_and_after_without_diff_mode(run, fake, existing):
    existing["roles"] = {"Scan Reader": 101}
    out = run(fake, asset_groups=["Prod db"], roles=["Report Reader"], **dict(PROFILE_ARGS, title="Scanner"))
    assert out["changed"] and "diff" not in out and out["password_status"] == "unchanged"
    assert out["changes"] == [
        {"field": "asset_groups", "before": ["Prod web"], "after": ["Prod db"]},
        {"field": "roles", "before": ["Scan Reader"], "after": ["Report Reader"]},
        {"field": "title", "before": "Automation", "after": "Scanner"},
    ]
    again = run(fake, asset_groups=["Prod db"], roles=["Report Reader"], **dict(PROFILE_ARGS, title="Scanner"))
    assert not again["changed"] and again["changes"] == [] and again["password_status"] == "unchanged"


def test_changes_of_a_preview_equal_those_of_the_real_run(run, fake, existing):
    args = dict(external_id="svc-scan", state="inactive", zip_code="62701")
    preview = run(fake, check=True, **args)
    real = run(fake, **args)
    assert preview["changes"] == real["changes"] == [
        {"field": "status", "before": "active", "after": "inactive"},
        {"field": "zip_code", "before": "", "after": "62701"},
    ]


def test_changes_of_a_new_user_and_its_password_hold_no_secret(run, fake):
    out = run(fake, asset_groups=["Prod web"], **PROFILE_ARGS)
    password = fake.users["quays_sp1"]["password"]
    changes = dict((change["field"], change) for change in out["changes"])
    assert changes["login"] == {"field": "login", "before": None, "after": "quays_sp1"}
    assert changes["asset_groups"]["after"] == ["Prod web"] and "address2" not in changes
    assert changes["password"] == {"field": "password", "before": None, "after": "created"}
    assert out["password_status"] == "created" and password not in json.dumps(out["changes"])


@pytest.mark.parametrize("args, status, before", [
    (dict(password_mode="reset_if_invalid", verify_credentials={"password": "wrong"}), "reset", "does not log in"),
    (dict(password_mode="reset_if_invalid"), "reset", "not checked"),
    (dict(password_mode="reset", verify_credentials={"password": "Old-Pass-1!"}), "rotated", "logs in"),
    (dict(password_mode="reset_if_older_than", max_password_age_days=30, password_rotated_at="2000-01-01T00:00:00Z"),
     "rotated", "not checked"),
])
def test_a_password_change_is_reported_by_whether_the_stored_one_logged_in(run, fake, existing, args, status, before):
    preview = run(fake, check=True, external_id="svc-scan", **args)
    out = run(fake, external_id="svc-scan", **args)
    for result in (preview, out):
        assert result["password_status"] == status
        assert result["changes"] == [{"field": "password", "before": before, "after": status}]
    assert existing["password"] not in out.text.replace(json.dumps(out["credentials"]), "")


# -- one shape of credentials (issue 18 item 6, issue 16 item 11) ------------------------------------------------------

def test_credentials_carry_the_platform_given_or_recognised_from_the_url(run, fake, monkeypatch):
    fake.api_url = "https://qualysapi.qg2.apps.qualys.com"
    with monkeypatch.context() as patched:
        patched.delitem(CONNECTION, "url")
        out = run(fake, platform="us2", **PROFILE_ARGS)
    assert out["credentials"]["platform"] == "US2" and out["credentials"]["api_url"] == fake.api_url
    fake.users.clear()
    out = run(fake, url=fake.api_url, **PROFILE_ARGS)
    assert out["credentials"]["platform"] == "US2"
    assert set(out["credentials"]) == {"username", "password", "api_url", "platform", "rotated_at", "login"}
    assert out["credentials"]["rotated_at"] == out["rotated_at"]


def test_verify_credentials_takes_the_stored_credentials_whole(run, fake, existing):
    stored = {"username": "quays_sp1", "password": "Old-Pass-1!", "api_url": CONNECTION["url"], "platform": None,
              "rotated_at": "2025-01-31T12:00:00Z"}
    out = run(fake, external_id="svc-scan", password_mode="reset_if_invalid", verify_credentials=stored)
    assert not out.failed and out["credentials_valid"] is True and not out["changed"]
    other = run(fake, external_id="svc-scan", verify_credentials=dict(stored, username="quays_zz1"))
    assert other["credentials_error"]["kind"] == "login_mismatch"
    # login: the older name of username, from credentials a module returned before.
    legacy = run(fake, external_id="svc-scan", verify_credentials={"login": "quays_sp1", "password": "Old-Pass-1!"})
    assert legacy["credentials_valid"] is True
    both = run(fake, external_id="svc-scan",
               verify_credentials={"login": "quays_sp1", "username": "quays_sp1", "password": "Old-Pass-1!"})
    assert both["credentials_valid"] is True and not both.warnings


def test_verify_credentials_with_two_different_logins_fails_before_any_call(run, fake, existing):
    calls = len(fake.calls)
    out = run(fake, external_id="svc-scan",
              verify_credentials={"login": "quays_old1", "username": "quays_sp1", "password": "Old-Pass-1!"})
    assert out.failed and "username quays_sp1 and login quays_old1" in out["msg"] and len(fake.calls) == calls


# -- the user back-end: bad input refused before any call ------------------------------------------

@pytest.mark.parametrize("args, says", [
    ({"asset_groups": ["Prod web"]}, "asset_groups is not supported with user_api=rbac"),
    ({"address2": "Floor 2"}, "address2 is not supported with user_api=rbac"),
    ({"business_unit": "Europe"}, "business_unit is not supported with user_api=rbac"),
])
def test_options_the_rbac_back_end_cannot_honour_are_refused_before_any_call(run, fake, args, says):
    out = run(fake, user_api="rbac", **dict(PROFILE_ARGS, **args))
    assert out.failed and says in out["msg"], out["msg"]
    assert fake.calls == []


def test_empty_asset_groups_are_accepted_with_rbac(run, fake):
    out = run(fake, check=True, user_api="rbac", asset_groups=[], external_id="svc-scan", login="x", first_name="A")
    # Refused later for another reason (no such login), not for asset_groups.
    assert "asset_groups" not in out.result.get("msg", "")


def test_admin_url_in_classic_mode_is_refused_before_any_call(run, fake):
    out = run(fake, admin_url="https://gateway.example.invalid", **PROFILE_ARGS)
    assert out.failed and "admin_url (or QUALYS_ADMIN_URL)" in out["msg"] and "user_api=rbac" in out["msg"]
    assert fake.calls == []


def test_unknown_user_api_is_refused_before_any_call(run, fake):
    out = run(fake, user_api="enhanced", **PROFILE_ARGS)
    assert out.failed and "user_api" in out["msg"] and "classic, rbac" in out["msg"]
    assert fake.calls == []


def test_unknown_user_api_from_the_environment_is_refused(run, fake, monkeypatch):
    monkeypatch.setenv("QUALYS_USER_API", "RBAC-2")
    out = run(fake, **PROFILE_ARGS)
    assert out.failed and "user_api" in out["msg"] and fake.calls == []


def test_a_classic_refusal_that_fits_rbac_suggests_user_api_rbac(run, fake):
    fake.fail["user_list.php"] = QualysError("Qualys error 2004: This API is not available", code="2004", status=200,
                                             kind="api")
    out = run(fake, **PROFILE_ARGS)
    assert out.failed and "user_api: rbac" in out["msg"], out["msg"]


def test_a_bad_password_does_not_suggest_rbac(run, fake):
    fake.fail["user_list.php"] = QualysError("Qualys error 2000: Bad Login/Password", code="2000", status=401,
                                             kind="auth")
    out = run(fake, **PROFILE_ARGS)
    assert out.failed and "user_api" not in out["msg"], out["msg"]
