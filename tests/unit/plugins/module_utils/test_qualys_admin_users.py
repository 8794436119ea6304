# -*- coding: utf-8 -*-
# Copyright (c) scanops.qualys contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""qualys_admin_users: the one owner of am/user -- searches, the role holder lookup, updates (client mocked)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.scanops.qualys.plugins.module_utils import qualys_admin_users as admin_users
from ansible_collections.scanops.qualys.plugins.module_utils.qualys_errors import QualysError, api_not_offered


class FakeClient:
    """Replies by (operation, object type); records every call."""

    def __init__(self, replies=None, **params):
        self.replies = replies or {}
        self.calls = []
        self.params = params

    def qps(self, operation, object_type, object_id=None, body=None, **kwargs):
        self.calls.append(("qps", operation, object_type, object_id, body, kwargs))
        return self.replies.get((operation, object_type), {"count": 0, "has_more": False, "last_id": None, "data": []})

    def qps_search(self, object_type, criteria, page_size=100):
        self.calls.append(("qps_search", object_type, list(criteria)))
        return self.replies.get(("search", object_type), {"data": []})["data"]


def criteria(body):
    return [(c["field"], c["operator"], c["value"]) for c in body["ServiceRequest"]["filters"]["Criteria"]]


def test_admin_users_lists_with_a_real_criterion():
    raw = {"id": 7000002, "username": "quays_sp1", "roleList": {"list": []}, "scopeTags": {"list": []}}
    client = FakeClient({("search", "am/user"): {"data": [raw]}})
    assert admin_users.admin_users(client) == {"quays_sp1": {"id": 7000002, "roles": {}, "scope_tags": {}}}
    (_kind, object_type, found_by), = client.calls
    # QPS refuses a search without criteria; id GREATER 0 matches every user.
    assert object_type == "am/user" and found_by == [("id", "GREATER", "0")]


def test_admin_user_reads_roles_and_tags_in_any_list_spelling():
    raw = {"id": "7000002", "username": "quays_sp1",
           "roleList": {"list": [{"RoleData": {"id": 101, "name": "Scan Reader"}}]},
           "scopeTags": {"list": {"TagData": [{"id": "9000010", "name": "Prod"}, {"id": 9000011, "name": "Lab"}]}}}
    client = FakeClient({("search", "am/user"): {"data": [raw]}})
    assert admin_users.admin_user(client, "quays_sp1") == {
        "id": 7000002, "roles": {"Scan Reader": 101}, "scope_tags": {"Prod": 9000010, "Lab": 9000011}}
    body = client.calls[0][4]["ServiceRequest"]
    assert body["filters"]["Criteria"] == [{"field": "username", "operator": "EQUALS", "value": "quays_sp1"}]
    assert admin_users.admin_user(client, "someone_else") is None


def test_role_holder_searches_by_role_name_with_basic_auth():
    user = {"id": 7000002, "username": "svc", "roleList": {"list": [
        {"RoleData": {"id": 3, "name": "Reader"}}, {"RoleData": {"id": "104", "name": "scanops-api-readonly"}}]}}
    client = FakeClient({("search", "am/user"): {"count": 1, "has_more": False, "last_id": None, "data": [user]}},
                        username="admin", password="Admin-Pass-1")
    assert admin_users.role_holder(client, "scanops-api-readonly") == {"id": 104, "name": "scanops-api-readonly"}
    assert admin_users.role_holder(client, "nobody-has-it") is None
    _kind, operation, object_type, _id, body, options = client.calls[0]
    assert (operation, object_type) == ("search", "am/user")
    assert criteria(body) == [("roleName", "EQUALS", "scanops-api-readonly")]
    assert body["ServiceRequest"]["preferences"] == {"limitResults": 1}
    assert options == {"credentials": ("admin", "Admin-Pass-1")}
    # Without a login and password (an OIDC client), the client's own authentication is used.
    client = FakeClient()
    assert admin_users.role_holder(client, "r") is None and client.calls[0][5] == {"credentials": None}


def test_one_page_search_for_the_tenant_check():
    client = FakeClient({("search", "am/user"): {"count": 1, "has_more": True, "last_id": 1, "data": [{"id": 1}]}})
    reply = admin_users.search(client, [("id", "GREATER", "0")], 1, credentials=("admin", "pw"))
    assert reply["count"] == 1 and len(client.calls) == 1
    _kind, _operation, _type, _id, body, options = client.calls[0]
    assert criteria(body) == [("id", "GREATER", "0")] and options == {"credentials": ("admin", "pw")}


def test_update_admin_user_sends_one_call_with_only_the_non_empty_parts():
    client = FakeClient()
    admin_users.update_admin_user(client, 7000002, roles={"add": [{"name": "A"}], "remove": []},
                                  scope_tags={"add": [], "remove": [{"id": 9}]})
    _kind, operation, object_type, object_id, body, options = client.calls[0]
    assert (operation, object_type, object_id) == ("update", "am/user", 7000002)
    assert body == {"ServiceRequest": {"data": {"User": {
        "roleList": {"add": {"RoleData": [{"name": "A"}]}},
        "scopeTags": {"remove": {"TagData": [{"id": 9}]}}}}}}
    assert options == {"write": True, "idempotent": True}
    admin_users.update_admin_user(client, 7000002, roles={"add": [], "remove": []})
    assert len(client.calls) == 1


def test_admin_api_unavailable_tells_missing_api_from_real_errors():
    assert admin_users.admin_api_unavailable(QualysError("404", status=404, kind="format"))
    assert admin_users.admin_api_unavailable(QualysError("no", code="INSUFFICIENT_PERMISSION", status=200))
    assert admin_users.admin_api_unavailable(QualysError("no", code="API_NOT_ENABLED", status=200))
    assert not admin_users.admin_api_unavailable(QualysError("gone", code="OBJECT_NOT_FOUND", status=404, kind="not_found"))
    assert not admin_users.admin_api_unavailable(QualysError("slow", kind="timeout"))


@pytest.mark.parametrize("error, expected", [
    (QualysError("Unexpected reply from Qualys: HTTP 404", status=404, kind="format"), True),
    (QualysError("x", code="OPERATION_NOT_SUPPORTED", status=200), True),
    (QualysError("x", code="UNSUPPORTED_OPERATION", status=400), True),
    (QualysError("x", code="OBJECT_NOT_FOUND", status=404, kind="not_found"), False),
    (QualysError("x", code="OBJECT_NOT_FOUND", status=404), False),
    (QualysError("x", code="INVALID_CREDENTIALS", status=200, kind="auth"), False),
    (QualysError("x", code="INSUFFICIENT_PERMISSION", status=200, kind="auth"), False),
    (QualysError("x", status=500), False),
])
def test_one_predicate_says_an_api_is_not_offered(error, expected):
    assert api_not_offered(error) is expected
