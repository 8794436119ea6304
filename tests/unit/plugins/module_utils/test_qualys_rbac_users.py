# -*- coding: utf-8 -*-
# Copyright (c) scanops.qualys contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The user back-ends: RbacUsers on a fake Administration API, ClassicUsers' hint, the choice, am/user plans."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.scanops.qualys.plugins.module_utils import qualys_admin_users as admin_users
from ansible_collections.scanops.qualys.plugins.module_utils import qualys_rbac_users as rbac_users
from ansible_collections.scanops.qualys.plugins.module_utils import qualys_users as users
from ansible_collections.scanops.qualys.plugins.module_utils.qualys_errors import QualysError


def listed(user_id, login, external_id="svc-1", status="ACTIVE", role="READER", **extra):
    raw = {"id": user_id, "username": login, "firstName": "Sam", "lastName": "Service", "emailAddress": "s@example.invalid",
           "title": "API", "status": status, "qwebUserRole": role, "roles": [{"id": 5, "name": "API Read Only"}],
           "tags": [{"tagId": 9, "id": "uuid", "name": "Linux"}], "lastLoginDate": 1735689600, "externalId": external_id}
    raw.update(extra)
    return raw


class FakeAdmin:
    """The AdminUi calls RbacUsers makes, recorded."""

    def __init__(self, users_list=None, create_reply=None):
        self.users = list(users_list or [])
        self.create_reply = create_reply
        self.calls = []

    def list_users(self, filters=None, sort=None):
        self.calls.append(("list", filters))
        return list(self.users)

    def find_by_login(self, login):
        self.calls.append(("find_by_login", login))
        matches = [user for user in self.users if user["username"] == login]
        return matches[0] if matches else None

    def create_user(self, details, security=None, asset_group_tags=None):
        self.calls.append(("create", details))
        if isinstance(self.create_reply, Exception):
            self.users.append(listed(11, "acme_ss9", external_id=details.get("externalId")))
            raise self.create_reply
        return {"id": 11, "login": "acme_ss9"}

    def activate(self, login):
        self.calls.append(("activate", login))

    def deactivate(self, login):
        self.calls.append(("deactivate", login))


class Client:
    api_url = "https://qualysapi.example.invalid"
    gateway_url = "https://gateway.example.invalid"
    admin_url = None

    def __init__(self, user_api="classic"):
        self.user_api = user_api


def test_user_backend_follows_user_api():
    assert isinstance(users.user_backend(Client("rbac")), rbac_users.RbacUsers)
    assert isinstance(users.user_backend(Client("classic")), users.ClassicUsers)
    assert isinstance(users.user_backend(object()), users.ClassicUsers)


def test_both_back_ends_share_one_interface():
    for backend in (users.ClassicUsers(Client()), rbac_users.RbacUsers(Client("rbac"), FakeAdmin())):
        for name in ("list_users", "find_users", "find_user", "create", "edit", "set_status"):
            assert callable(getattr(backend, name)), (backend.name, name)
        for name in ("unreadable", "editable", "required_on_create", "calls"):
            assert getattr(backend, name) is not None
        assert hasattr(backend, "created_role")


def test_a_listed_user_in_the_collection_shape():
    user = rbac_users.user_from_adminui(listed(10, "acme_ss1", role="UNIT MANAGER"))
    assert user["id"] == 10 and user["login"] == "acme_ss1" and user["external_id"] == "svc-1"
    assert user["status"] == "active" and user["user_role"] == "unit_manager" and user["asset_groups"] == []
    assert user["first_name"] == "Sam" and user["email"] == "s@example.invalid" and user["phone"] is None
    assert user["business_unit"] is None and user["last_login_date"] == "2025-01-01T00:00:00Z"
    assert set(user) >= set(option for option, _param, _tag in users.PROFILE_FIELDS)


def test_find_users_by_external_id_matches_exactly():
    backend = rbac_users.RbacUsers(Client("rbac"), FakeAdmin([listed(10, "a", "svc-1"), listed(12, "b", "svc-10")]))
    assert [user["login"] for user in backend.find_users("svc-1")] == ["a"]
    assert [user["login"] for user in backend.list_users(external_id_contains="svc-1")] == ["a", "b"]
    assert backend.find_user(login="b")["id"] == 12 and backend.find_user(login="c") is None


def test_find_by_external_id_refuses_when_the_list_does_not_show_it():
    raw = listed(10, "a")
    del raw["externalId"]
    backend = rbac_users.RbacUsers(Client("rbac"), FakeAdmin([raw]))
    with pytest.raises(QualysError, match="does not show externalId") as raised:
        backend.find_users("svc-1")
    assert raised.value.kind == "unsupported"


def test_several_users_with_one_external_id_are_ambiguous():
    backend = rbac_users.RbacUsers(Client("rbac"), FakeAdmin([listed(10, "a"), listed(12, "b")]))
    with pytest.raises(QualysError) as raised:
        backend.find_user(external_id="svc-1")
    assert raised.value.kind == "ambiguous"


def test_create_sends_the_documented_fields_and_returns_no_password():
    admin = FakeAdmin()
    backend = rbac_users.RbacUsers(Client("rbac"), admin)
    login, password = backend.create({"first_name": "Sam", "last_name": "Service", "email": "s@example.invalid",
                                      "phone": "555", "address1": "1 Main St", "city": "Springfield",
                                      "country": "Germany", "external_id": "svc-1", "title": "", "user_role": "reader"})
    assert (login, password) == ("acme_ss9", None)
    details = admin.calls[0][1]
    assert details == {"sendEmail": False, "accessToAllAssetGroups": False, "firstName": "Sam", "lastName": "Service",
                       "emailID": "s@example.invalid", "contactNumber": "555", "address": "1 Main St",
                       "city": "Springfield", "country": "Germany", "externalId": "svc-1"}


def test_create_reply_without_id_finds_the_new_user_by_external_id():
    # ASSUMED shape: adminui_create_reply=status_only (no id, no login).
    admin = FakeAdmin(create_reply=QualysError("no userId", status=200, kind="api"))
    backend = rbac_users.RbacUsers(Client("rbac"), admin)
    assert backend.create({"first_name": "A", "last_name": "B", "email": "e", "external_id": "svc-7"}) == ("acme_ss9", None)


def test_create_failure_is_raised():
    admin = FakeAdmin(create_reply=QualysError("refused", status=400, kind="api"))
    with pytest.raises(QualysError, match="refused"):
        rbac_users.RbacUsers(Client("rbac"), admin).create({"first_name": "A", "external_id": "svc-7"})


def test_status_and_edit():
    admin = FakeAdmin()
    backend = rbac_users.RbacUsers(Client("rbac"), admin)
    backend.set_status("a", True)
    backend.set_status("a", False)
    backend.edit("a", {})
    assert admin.calls == [("activate", "a"), ("deactivate", "a")]
    with pytest.raises(QualysError, match="cannot be changed with user_api=rbac") as raised:
        backend.edit("a", {"title": "New"})
    assert raised.value.kind == "unsupported"


@pytest.mark.parametrize("params, says", [
    ({"user_api": "rbac", "asset_groups": ["Prod"]}, "asset_groups"),
    ({"user_api": "rbac", "address2": "x"}, "address2"),
    ({"user_api": "rbac", "business_unit": "EU"}, "business_unit"),
])
def test_unsupported_options_name_the_option_and_the_back_end(params, says):
    refused = users.unsupported_options(params)
    assert len(refused) == 1 and refused[0].startswith(says) and "user_api=rbac" in refused[0]


@pytest.mark.parametrize("params", [
    {"user_api": "classic", "asset_groups": ["Prod"], "address2": "x", "business_unit": "EU"},
    {"user_api": "rbac", "asset_groups": [], "address2": "", "business_unit": "Unassigned"},
    {"user_api": "rbac"},
])
def test_supported_options_are_not_refused(params):
    assert users.unsupported_options(params) == []


# -- the classic back-end's hint -------------------------------------------------------------------

class FailingClient:
    def __init__(self, exc):
        self.exc = exc

    def msp(self, script, params, **kwargs):
        raise self.exc


@pytest.mark.parametrize("exc, hinted", [
    (QualysError("Qualys error 2004: not available", code="2004", status=200, kind="api"), True),
    (QualysError("Unexpected reply from Qualys: HTTP 404, text/html", status=404, kind="format"), True),
    (QualysError("Qualys error 2004", code="2004", status=403, kind="api"), True),
    (QualysError("Qualys error 2000: Bad Login/Password", code="2000", status=401, kind="auth"), False),
    (QualysError("limit", code="1965", status=409, kind="limit"), False),
    (QualysError("timed out", kind="timeout"), False),
])
def test_classic_failures_that_fit_rbac_suggest_user_api_rbac(exc, hinted):
    backend = users.ClassicUsers(FailingClient(exc))
    for call in (lambda: backend.find_users("svc-1"), lambda: backend.find_user(login="a"),
                 lambda: backend.set_status("a", False), lambda: backend.edit("a", {"title": "x"})):
        with pytest.raises(QualysError) as raised:
            call()
        assert ("user_api: rbac" in str(raised.value)) is hinted, str(raised.value)
        assert str(raised.value).count("user_api: rbac") <= 1


def test_classic_edit_with_nothing_makes_no_call():
    users.ClassicUsers(FailingClient(AssertionError("no call expected"))).edit("a", {})


# -- am/user: only the difference ----------------------------------------------------------------

def test_plan_is_the_difference():
    assert admin_users.plan(["A", "B"], ["B", "C"]) == {"add": ["C"], "remove": ["A"]}
    assert admin_users.plan(["A"], ["A"]) == {"add": [], "remove": []}
    assert admin_users.plan(["A"], None) == {"add": [], "remove": []}
    assert admin_users.plan(None, ["A"]) == {"add": ["A"], "remove": []}


class QpsClient:
    def __init__(self):
        self.calls = []

    def qps(self, operation, object_type, object_id=None, body=None, **kwargs):
        self.calls.append((operation, object_type, object_id, body, kwargs))
        return {"data": [{"id": object_id}]}


def test_sync_sends_add_and_remove_lists_in_one_call():
    client = QpsClient()
    admin = {"id": 77, "roles": {"Old": 5}, "scope_tags": {"Lab": 9}}
    sent = admin_users.sync_admin_user(client, admin, admin_users.plan(["Old"], ["New"]),
                                       admin_users.plan(["Lab"], ["Prod"]), {"Prod": 10})
    assert sent is True and len(client.calls) == 1
    operation, object_type, object_id, body, kwargs = client.calls[0]
    assert (operation, object_type, object_id) == ("update", "am/user", 77) and kwargs["write"] is True
    user = body["ServiceRequest"]["data"]["User"]
    assert user["roleList"] == {"add": {"RoleData": [{"name": "New"}]}, "remove": {"RoleData": [{"id": 5}]}}
    assert user["scopeTags"] == {"add": {"TagData": [{"id": 10}]}, "remove": {"TagData": [{"id": 9}]}}


def test_sync_with_nothing_to_change_makes_no_call():
    client = QpsClient()
    admin = {"id": 77, "roles": {"A": 5}, "scope_tags": {}}
    assert admin_users.sync_admin_user(client, admin, admin_users.plan(["A"], ["A"]), admin_users.plan([], [])) is False
    assert client.calls == []
