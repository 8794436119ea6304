# -*- coding: utf-8 -*-
# Copyright (c) scanops.qualys contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The role adapter: wire mapping, permission normalisation, and what it sends."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json

import pytest

from ansible_collections.scanops.qualys.plugins.module_utils import qualys_admin_users as admin_users
from ansible_collections.scanops.qualys.plugins.module_utils import qualys_formats as formats
from ansible_collections.scanops.qualys.plugins.module_utils.qualys_client import QualysClient, Response
from ansible_collections.scanops.qualys.plugins.module_utils.qualys_errors import QualysError, api_not_offered
from ansible_collections.scanops.qualys.plugins.module_utils.qualys_role_adapter import (
    RoleAdapter,
    RoleApiUnavailable,
    manual_instructions,
    normalise_permissions,
    permissions_text,
    permissions_to_api,
    role_from_api,
    role_to_api,
)

WIRE_ROLE = {
    "id": "104",
    "name": "scanops-api-readonly",
    "description": "Read only",
    "apiAccess": True,
    "uiAccess": "false",
    "permissions": {"list": [
        {"Permission": {"module": "VM", "name": "View"}},
        {"Permission": {"module": "AM", "name": "Read Asset"}},
        {"Permission": {"module": "VM", "name": "Report"}},
    ]},
}


class FakeClient:
    """Records qps() calls and answers from one script of replies or exceptions.

    A scripted reply is a parsed QPS reply (``reply()``), a raw ``Response`` or an exception.
    A qps() call with a ``judge`` (the adapter's first role search) hands the judge the raw
    Response, a parsed reply turned into its JSON Response. Paging is the real client's.
    """

    qps_search = QualysClient.qps_search

    def __init__(self, *replies, **params):
        self.replies = list(replies)
        self.calls = []
        self.params = params

    def _next(self):
        reply = self.replies.pop(0)
        if isinstance(reply, Exception):
            raise reply
        return reply

    def qps(self, operation, object_type, object_id=None, body=None, write=False, idempotent=None, credentials=None,
            judge=None):
        self.calls.append(dict(operation=operation, object_type=object_type, object_id=object_id, body=body,
                               write=write, idempotent=idempotent, credentials=credentials, judged=judge is not None))
        reply = self._next()
        if judge is not None:
            return judge(reply if isinstance(reply, Response) else json_response(reply))
        return formats.parse_qps_reply(reply) if isinstance(reply, Response) else reply


def reply(*objects, has_more=False, last_id=None):
    return {"count": len(objects), "has_more": has_more, "last_id": last_id, "data": list(objects)}


def json_response(parsed, wrapper="Role", status=200):
    """The JSON ServiceResponse a parsed ``reply()`` came from."""
    service = {"responseCode": "SUCCESS", "count": parsed["count"]}
    if parsed["data"]:
        service.update(hasMoreRecords="true" if parsed["has_more"] else "false",
                       data=[{wrapper: obj} for obj in parsed["data"]])
    if parsed["last_id"] is not None:
        service["lastId"] = parsed["last_id"]
    return Response(status, {}, json.dumps({"ServiceResponse": service}), "application/json")


def raw(status, text, content_type="application/json"):
    return Response(status, {}, text, content_type)


def qps_error(code, message, status=200):
    return raw(status, json.dumps({"ServiceResponse": {"responseCode": code,
                                                       "responseErrorDetails": {"errorMessage": message}}}))


def criteria(call):
    return [(c["field"], c["operator"], c["value"]) for c in call["body"]["ServiceRequest"].get("filters", {}).get("Criteria", [])]


# -- normalisation -----------------------------------------------------------------------

def test_normalise_is_order_and_duplicate_insensitive():
    one = normalise_permissions({"VM": ["View", "Report", "View"], "AM": "Read Asset"})
    two = normalise_permissions({"AM": [" Read Asset"], "VM": ["Report", "View"], "PC": []})
    assert one == two == {"AM": ["Read Asset"], "VM": ["Report", "View"]}
    assert list(one) == ["AM", "VM"]


def test_normalise_keeps_none_and_empty_distinct():
    assert normalise_permissions(None) is None
    assert normalise_permissions({}) == {}
    assert normalise_permissions({"VM": None}) == {}


@pytest.mark.parametrize("value, message", [
    (["VM: View"], "mapping of module to permission names"),
    ({"": ["View"]}, "module names must be non-empty"),
    ({"VM": {"View": True}}, "permissions.VM must be a list"),
    ({"VM": ["View", 3]}, "permission names must be non-empty strings"),
    ({"VM": [" "]}, "permission names must be non-empty strings"),
])
def test_normalise_rejects_bad_input_naming_the_option(value, message):
    with pytest.raises(ValueError, match=message):
        normalise_permissions(value)


def test_permissions_text():
    assert permissions_text({"VM": ["Report", "View"], "AM": ["Read Asset"]}) == "AM: Read Asset; VM: Report, View"
    assert permissions_text({}) == "none"


# -- wire mapping -------------------------------------------------------------------------

def test_role_from_api_maps_and_normalises():
    assert role_from_api(WIRE_ROLE) == {
        "id": 104,
        "name": "scanops-api-readonly",
        "description": "Read only",
        "api_access": True,
        "ui_access": False,
        "permissions": {"AM": ["Read Asset"], "VM": ["Report", "View"]},
    }


def test_role_from_api_accepts_other_qps_list_spellings_and_missing_fields():
    role = role_from_api({"id": 7, "name": "r", "permissions": {"list": {"Permission": [
        {"module": "VM", "name": "View"}]}}})
    assert role["permissions"] == {"VM": ["View"]}
    assert role["description"] == "" and role["api_access"] is False and role["ui_access"] is False
    assert role_from_api({"id": 8, "name": "empty"})["permissions"] == {}


def test_role_to_api_sends_only_given_fields_and_set_replaces_the_list():
    assert role_to_api({"permissions": {"VM": ["View"], "AM": ["Read Asset"]}}) == {"Role": {"permissions": {"set": {
        "Permission": [{"module": "AM", "name": "Read Asset"}, {"module": "VM", "name": "View"}]}}}}
    assert role_to_api({"name": "r", "description": "", "api_access": True, "ui_access": False, "permissions": None}) == {
        "Role": {"name": "r", "description": "", "apiAccess": True, "uiAccess": False}}
    assert permissions_to_api({}) == {"set": {"Permission": []}}


def test_round_trip():
    role = role_from_api(WIRE_ROLE)
    wire = role_to_api(role)["Role"]
    wire["permissions"] = {"list": [{"Permission": p} for p in wire["permissions"]["set"]["Permission"]]}
    wire["id"] = 104
    assert role_from_api(wire) == role


def test_manual_instructions_say_what_to_do_in_the_ui():
    role = {"name": "svc", "description": "d", "api_access": True, "ui_access": False, "permissions": {"VM": ["View"]}}
    assert manual_instructions(role) == (
        "Create the role by hand in the Qualys UI: Administration > Roles (Role Management), New Role; "
        "name 'svc', description 'd'; under Access Permissions turn API Access on and UI Access off; "
        "permissions: VM: View; save.")
    assert manual_instructions(role, exists=True) == (
        "A role called 'svc' exists (a user holds it), but its definition cannot be read or changed without that "
        "API: check by hand in the Qualys UI, Administration > Roles, that it has API Access on, UI Access off and "
        "the permissions VM: View.")
    assert manual_instructions(dict(role, permissions=None), exists=True).endswith(
        "that it has API Access on and UI Access off.")
    assert manual_instructions(dict(role, description="", api_access=False, ui_access=True, permissions={})) == (
        "Create the role by hand in the Qualys UI: Administration > Roles (Role Management), New Role; "
        "name 'svc'; under Access Permissions turn API Access off and UI Access on; permissions: none; save.")
    assert manual_instructions({"name": "svc"}, "delete") == (
        "Delete the role 'svc' by hand in the Qualys UI: Administration > Roles (Role Management).")


# -- availability -------------------------------------------------------------------------

@pytest.mark.parametrize("error, expected", [
    (QualysError("Unexpected reply from Qualys: HTTP 404", status=404, kind="format"), True),
    (QualysError("x", code="OPERATION_NOT_SUPPORTED", status=200), True),
    (QualysError("x", code="OBJECT_NOT_FOUND", status=404, kind="not_found"), False),
    (QualysError("x", code="INVALID_CREDENTIALS", status=200, kind="auth"), False),
    (QualysError("x", status=500), False),
])
def test_not_offered_after_the_first_search(error, expected):
    assert api_not_offered(error) is expected


HTML = "<!DOCTYPE html>\n<html><head><title>%s</title></head><body></body></html>"
USER = {"id": 7, "username": "svc", "roleList": {"list": []}}


@pytest.mark.parametrize("answer, quoted", [
    (raw(404, HTML % "404 Not Found", "text/html"), "Unexpected reply from Qualys: HTTP 404, text/html: 404 Not Found"),
    (raw(200, HTML % "Qualys Enterprise", "text/html"), "Unexpected reply from Qualys: HTTP 200, text/html: Qualys Enterprise"),
    (qps_error("INVALID_REQUEST", "Unsupported object type"), "Qualys error INVALID_REQUEST: Unsupported object type"),
    (qps_error("NOT_SUPPORTED", "no"), "Qualys error NOT_SUPPORTED: no"),
    (qps_error("INVALID_CREDENTIALS", "Authentication failed"), "Qualys error INVALID_CREDENTIALS: Authentication failed"),
    (qps_error("INSUFFICIENT_PERMISSION", "Managers only"), "Qualys error INSUFFICIENT_PERMISSION: Managers only"),
    (raw(403, "Forbidden", "text/plain"), "Unexpected reply from Qualys: HTTP 403, text/plain: Forbidden"),
    (raw(500, "Internal error", "text/plain"), "Unexpected reply from Qualys: HTTP 500, text/plain: Internal error"),
    (raw(503, json.dumps({"ServiceResponse": {"responseCode": "SUCCESS", "count": 0}})),
     "Unexpected reply from Qualys: HTTP 503, application/json with responseCode SUCCESS"),
    (raw(200, "<ServiceResponse><responseCode>SUCCESS</responseCode><count>0</count></ServiceResponse>",
         "application/xml"), "Unexpected reply from Qualys: HTTP 200, application/xml with responseCode SUCCESS"),
    (raw(200, '{"ServiceResponse": {"responseCode": "SUC'), "Qualys sent JSON that cannot be parsed"),
    (raw(200, '{"error": "no such API"}'), "Qualys reply has no ServiceResponse (HTTP 200)"),
    (raw(200, "", "text/plain"), "Unexpected reply from Qualys: HTTP 200, text/plain"),
    (json_response(reply(USER), wrapper="User"), "a QPS SUCCESS whose data are not Role objects"),
    (raw(200, json.dumps({"ServiceResponse": {"responseCode": "SUCCESS", "count": 1, "data": ["Role"]}})),
     "a QPS SUCCESS whose data are not Role objects"),
])
def test_any_unclean_answer_to_the_first_search_means_not_offered(answer, quoted):
    client = FakeClient(answer)
    with pytest.raises(RoleApiUnavailable) as info:
        RoleAdapter(client).find("r")
    assert info.value.kind == "unsupported" and info.value.status == answer.status
    assert info.value.message.startswith("This Qualys subscription does not offer the role definition API: "
                                         "POST /qps/rest/2.0/search/am/role gave no clean QPS SUCCESS (")
    assert quoted in info.value.message
    call = client.calls[0]
    assert (call["operation"], call["object_type"], call["write"], call["judged"]) == ("search", "am/role", False, True)


def test_info_search_is_classified_the_same_way():
    with pytest.raises(RoleApiUnavailable):
        RoleAdapter(FakeClient(qps_error("INVALID_REQUEST", "x"))).search(name_contains="x")


def test_no_reply_at_all_is_not_a_verdict_on_the_api():
    """Transport, TLS and timeout errors carry no answer from the role API: they pass through."""
    for error in (QualysError("Connection to h failed during POST /qps/rest/2.0/search/am/role", kind="transport"),
                  QualysError("POST /qps/rest/2.0/search/am/role timed out after 3s", kind="timeout"),
                  QualysError("TLS verification of h failed", kind="tls")):
        with pytest.raises(QualysError) as info:
            RoleAdapter(FakeClient(error)).find("r")
        assert info.value is error


def test_after_a_clean_first_search_errors_are_errors():
    refused = QualysError("Qualys error INVALID_REQUEST: bad page", code="INVALID_REQUEST", status=200)
    client = FakeClient(reply({"id": 3, "name": "b"}, has_more=True, last_id=3), refused)
    with pytest.raises(QualysError) as info:
        RoleAdapter(client).search(name_contains="b")
    assert info.value is refused
    server = QualysError("Unexpected reply from Qualys: HTTP 500, text/plain: boom", status=500, kind="format")
    with pytest.raises(QualysError) as info:
        adapter = RoleAdapter(FakeClient(reply(), server))
        assert adapter.find("r") is None
        adapter.create({"name": "r"})
    assert info.value is server
    # A write path that is not there at all still says so.
    adapter = RoleAdapter(FakeClient(reply(), QualysError("Qualys error OPERATION_NOT_SUPPORTED: no",
                                                          code="OPERATION_NOT_SUPPORTED", status=200)))
    assert adapter.find("r") is None
    with pytest.raises(RoleApiUnavailable) as info:
        adapter.create({"name": "r"})
    assert info.value.message == ("This Qualys subscription does not offer the role definition API: "
                                  "POST /qps/rest/2.0/create/am/role gave no clean QPS SUCCESS "
                                  "(Qualys error OPERATION_NOT_SUPPORTED: no)")


# -- calls ----------------------------------------------------------------------------------

def test_find_searches_by_exact_name():
    client = FakeClient(reply(WIRE_ROLE, {"id": 105, "name": "SCANOPS-API-READONLY"}))
    role = RoleAdapter(client).find("scanops-api-readonly")
    assert role["id"] == 104
    call = client.calls[0]
    assert call["operation"] == "search" and call["object_type"] == "am/role" and not call["write"]
    assert criteria(call) == [("name", "EQUALS", "scanops-api-readonly")]


def test_find_none_and_ambiguous():
    assert RoleAdapter(FakeClient(reply())).find("r") is None
    with pytest.raises(QualysError, match="2 roles are called 'r'"):
        RoleAdapter(FakeClient(reply({"id": 1, "name": "r"}, {"id": 2, "name": "r"}))).find("r")


def test_search_follows_paging_and_sorts():
    client = FakeClient(reply({"id": 3, "name": "b"}, {"id": 4, "name": "a"}, has_more=True, last_id=4),
                        reply({"id": 9, "name": "c"}))
    roles = RoleAdapter(client).search(name_contains="x", page_size=2)
    assert [r["name"] for r in roles] == ["a", "b", "c"]
    assert criteria(client.calls[0]) == [("name", "CONTAINS", "x")]
    assert criteria(client.calls[1]) == [("name", "CONTAINS", "x"), ("id", "GREATER", "4")]
    assert client.calls[0]["body"]["ServiceRequest"]["preferences"] == {"limitResults": 2}


def test_search_without_filters_lists_all():
    client = FakeClient(reply())
    assert RoleAdapter(client).search() == []
    assert "filters" not in client.calls[0]["body"]["ServiceRequest"]


def test_create_sends_the_whole_role_once_and_returns_what_was_stored():
    desired = {"name": "r", "description": "", "api_access": True, "ui_access": False, "permissions": {"VM": ["View"]}}
    client = FakeClient(reply({"id": 111}))
    stored = RoleAdapter(client).create(desired)
    assert stored == dict(desired, id=111)
    call = client.calls[0]
    assert call["operation"] == "create" and call["write"] and not call["idempotent"]
    assert call["body"]["ServiceRequest"]["data"] == {"Role": {
        "name": "r", "description": "", "apiAccess": True, "uiAccess": False,
        "permissions": {"set": {"Permission": [{"module": "VM", "name": "View"}]}}}}


def test_create_trusts_a_full_reply():
    desired = {"name": "scanops-api-readonly", "description": "", "api_access": True, "ui_access": False,
               "permissions": {}}
    stored = RoleAdapter(FakeClient(reply(WIRE_ROLE))).create(desired)
    assert stored == role_from_api(WIRE_ROLE)


def test_update_sends_only_changes():
    client = FakeClient(reply({"id": 104}))
    RoleAdapter(client).update(104, {"permissions": {"VM": ["View"]}})
    call = client.calls[0]
    assert (call["operation"], call["object_id"], call["write"], call["idempotent"]) == ("update", 104, True, True)
    assert call["body"]["ServiceRequest"]["data"] == {"Role": {"permissions": {"set": {"Permission": [
        {"module": "VM", "name": "View"}]}}}}


def test_delete_sends_an_empty_request_and_tolerates_gone():
    client = FakeClient(reply({"id": 104}), QualysError("gone", code="OBJECT_NOT_FOUND", kind="not_found"))
    adapter = RoleAdapter(client)
    adapter.delete(104)
    adapter.delete(104)
    assert client.calls[0]["body"] == {"ServiceRequest": {}}
    assert client.calls[0]["object_id"] == 104 and client.calls[0]["write"]
    with pytest.raises(QualysError, match="boom"):
        RoleAdapter(FakeClient(QualysError("boom", code="INVALID_REQUEST"))).delete(1)


def test_find_holder_uses_the_documented_user_search_with_basic_auth():
    user = {"id": 7000002, "username": "svc", "roleList": {"list": [
        {"RoleData": {"id": 3, "name": "Reader"}}, {"RoleData": {"id": "104", "name": "scanops-api-readonly"}}]}}
    client = FakeClient(reply(user), reply(), username="admin", password="Admin-Pass-1")
    adapter = RoleAdapter(client)
    assert adapter.find_holder("scanops-api-readonly") == {"id": 104, "name": "scanops-api-readonly"}
    assert adapter.find_holder("nobody-has-it") is None
    call = client.calls[0]
    assert call["object_type"] == admin_users.USER_OBJECT and call["operation"] == "search"
    assert criteria(call) == [("roleName", "EQUALS", "scanops-api-readonly")]
    assert call["body"]["ServiceRequest"]["preferences"] == {"limitResults": 1}
    assert call["credentials"] == ("admin", "Admin-Pass-1") and not call["write"]
    # Without a login and password (an OIDC client), the client's own authentication is used.
    client = FakeClient(reply())
    assert RoleAdapter(client).find_holder("r") is None and client.calls[0]["credentials"] is None


def test_find_holder_errors_pass_through():
    error = QualysError("Qualys error INVALID_CREDENTIALS: Authentication failed", code="INVALID_CREDENTIALS", kind="auth")
    with pytest.raises(QualysError) as info:
        RoleAdapter(FakeClient(error)).find_holder("r")
    assert info.value is error
