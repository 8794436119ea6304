# -*- coding: utf-8 -*-
# Copyright (c) scanops.qualys contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""qualys_role with a fake role adapter: planning, check mode, diff, the no-role-API paths."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import copy
import json

import pytest

from ansible_collections.scanops.qualys.plugins.module_utils.qualys_errors import QualysError
from ansible_collections.scanops.qualys.plugins.module_utils.qualys_role_adapter import RoleApiUnavailable
from ansible_collections.scanops.qualys.plugins.modules import qualys_role

CONNECTION = {"url": "https://qualys.example.invalid", "username": "admin", "password": "Admin-Pass-1"}
EXISTING = {"id": 104, "name": "svc-role", "description": "Scan pipeline", "api_access": True, "ui_access": False,
            "permissions": {"AM": ["Read Asset"], "VM": ["View"]}}
NOT_OFFERED = QualysError("Unexpected reply from Qualys: HTTP 404, text/html: 404 Not Found", status=404, kind="format")


class FakeAdapter:
    """Roles in a dict; every call recorded."""

    def __init__(self, roles=(), available=True, holders=()):
        self.roles = dict((role["name"], copy.deepcopy(role)) for role in roles)
        self.available = available
        self.holders = holders if isinstance(holders, Exception) else list(holders)
        self.calls = []

    def _check(self):
        if not self.available:
            raise RoleApiUnavailable(NOT_OFFERED)

    def find(self, name):
        self.calls.append(("find", name))
        self._check()
        return copy.deepcopy(self.roles.get(name))

    def create(self, role):
        self.calls.append(("create", copy.deepcopy(role)))
        self._check()
        stored = dict(role, id=200)
        self.roles[role["name"]] = stored
        return copy.deepcopy(stored)

    def update(self, role_id, changes):
        self.calls.append(("update", role_id, copy.deepcopy(changes)))

    def delete(self, role_id):
        self.calls.append(("delete", role_id))

    def find_holder(self, name):
        self.calls.append(("find_holder", name))
        if isinstance(self.holders, Exception):
            raise self.holders
        return {"id": 104, "name": name} if name in self.holders else None

    def writes(self):
        return [call for call in self.calls if call[0] in ("create", "update", "delete")]


@pytest.fixture
def run(run_module):
    def runner(adapter, check=False, diff=False, **args):
        """Runs the module; it defines the role (manage_definition=true) unless told otherwise (None: the default)."""
        args.setdefault("manage_definition", True)
        args = dict((key, value) for key, value in args.items() if value is not None)
        return run_module(qualys_role, dict(CONNECTION, **args), check=check, diff=diff, client=adapter,
                          factory=(qualys_role, "RoleAdapter"))
    return runner


def test_create_sends_the_whole_definition(run):
    adapter = FakeAdapter()
    out = run(adapter, name="svc-role", permissions={"VM": ["View"], "AM": "Read Asset"}, diff=True)
    assert not out.failed and out.result["changed"]
    assert adapter.writes() == [("create", {"name": "svc-role", "description": "", "api_access": True, "ui_access": False,
                                            "permissions": {"AM": ["Read Asset"], "VM": ["View"]}})]
    assert out.result["role"]["id"] == 200
    assert out.result["role_api_available"] and out.result["permissions_known"]
    assert out.result["diff"]["before"] == {}
    assert out.result["diff"]["after"]["permissions"] == {"AM": ["Read Asset"], "VM": ["View"]}


def test_check_mode_create_predicts_without_writing(run):
    adapter = FakeAdapter()
    out = run(adapter, check=True, name="svc-role", description="d", permissions={"VM": ["View"]})
    assert out.result["changed"] and adapter.writes() == []
    assert out.result["role"] == {"id": None, "name": "svc-role", "description": "d", "api_access": True,
                                  "ui_access": False, "permissions": {"VM": ["View"]}}


def test_unchanged_definition_makes_no_write(run):
    adapter = FakeAdapter([EXISTING])
    out = run(adapter, name="svc-role", description="Scan pipeline",
              permissions={"VM": ["View", "View"], "AM": ["Read Asset"], "PC": []})
    assert not out.result["changed"] and adapter.writes() == []
    assert out.result["role"] == EXISTING


def test_omitted_description_and_permissions_are_left_alone(run):
    adapter = FakeAdapter([EXISTING])
    out = run(adapter, name="svc-role")
    assert not out.result["changed"] and adapter.writes() == []


def test_permission_change_sends_only_permissions_and_diffs_them(run):
    adapter = FakeAdapter([EXISTING])
    out = run(adapter, name="svc-role", permissions={"VM": ["View", "Report"]}, diff=True)
    assert out.result["changed"]
    assert adapter.writes() == [("update", 104, {"permissions": {"VM": ["Report", "View"]}})]
    assert out.result["diff"]["before"]["permissions"] == {"AM": ["Read Asset"], "VM": ["View"]}
    assert out.result["diff"]["after"]["permissions"] == {"VM": ["Report", "View"]}
    assert out.result["role"]["permissions"] == {"VM": ["Report", "View"]}


def test_access_flags_default_to_api_only(run):
    adapter = FakeAdapter([dict(EXISTING, ui_access=True, api_access=False)])
    out = run(adapter, check=True, name="svc-role", diff=True)
    assert out.result["changed"] and adapter.writes() == []
    assert out.result["diff"]["after"]["api_access"] is True and out.result["diff"]["after"]["ui_access"] is False


def test_absent_deletes_once_then_nothing(run):
    adapter = FakeAdapter([EXISTING])
    out = run(adapter, name="svc-role", state="absent", diff=True)
    assert out.result["changed"] and adapter.writes() == [("delete", 104)]
    assert out.result["role"] == {} and out.result["diff"]["after"] == {}
    adapter = FakeAdapter()
    out = run(adapter, name="svc-role", state="absent")
    assert not out.result["changed"] and adapter.writes() == []


def test_check_mode_absent(run):
    adapter = FakeAdapter([EXISTING])
    out = run(adapter, check=True, name="svc-role", state="absent")
    assert out.result["changed"] and adapter.writes() == []


@pytest.mark.parametrize("args, message", [
    ({"name": " svc"}, "name must be a non-empty role name"),
    ({"name": "svc", "permissions": {"VM": [""]}}, "permissions.VM: permission names must be non-empty"),
    ({"name": "svc", "manage_definition": False, "state": "absent"}, "supports only state=present"),
    ({"name": "svc", "manage_definition": None, "state": "absent"},
     "state=absent deletes a role definition and needs manage_definition=true (experimental)"),
])
def test_bad_input_fails_before_any_call(run, args, message):
    adapter = FakeAdapter()
    out = run(adapter, **args)
    assert out.failed and message in out.result["msg"]
    assert adapter.calls == []


def test_manage_definition_defaults_to_false_in_spec_and_docs():
    import yaml
    docs = yaml.safe_load(qualys_role.DOCUMENTATION)
    option = docs["options"]["manage_definition"]
    assert option["default"] is False
    assert any("experimental" in line.lower() for line in option["description"])
    assert any("qualys_role_adapter.py" in line for line in docs["notes"])


def test_default_only_checks_and_never_writes(run):
    adapter = FakeAdapter()
    out = run(adapter, name="svc-role", manage_definition=None, permissions={"VM": ["View"]})
    assert out.failed and "No role called 'svc-role' exists" in out.result["msg"]
    assert "manage_definition=true" in out.result["msg"] and "New Role" in out.result["msg"]
    assert adapter.calls == [("find", "svc-role")]
    out = run(FakeAdapter([EXISTING]), name="svc-role", manage_definition=None)
    assert not out.failed and not out.result["changed"] and out.result["role_exists"] is True


def test_no_role_api_fails_with_what_to_create_by_hand(run):
    adapter = FakeAdapter(available=False)
    out = run(adapter, name="svc-role", permissions={"VM": ["View"], "AM": ["Read Asset"]})
    assert out.failed
    assert out.result["msg"] == (
        "This Qualys subscription does not offer the role definition API: POST /qps/rest/2.0/search/am/role gave no "
        "clean QPS SUCCESS (Unexpected reply from Qualys: HTTP 404, text/html: 404 Not Found). No user holds a role "
        "called 'svc-role'. Create the role by hand in the Qualys UI: Administration > Roles (Role Management), "
        "New Role; name 'svc-role'; under Access Permissions turn API Access on and UI Access off; permissions: "
        "AM: Read Asset; VM: View; save. Then run this task with manage_definition=false (the default), which only "
        "checks that the role exists.")
    assert out.result["role_api_available"] is False and out.result["error_kind"] == "unsupported"
    assert out.result["required_role"]["permissions"] == {"AM": ["Read Asset"], "VM": ["View"]}
    assert out.result["role_exists"] is None
    assert adapter.writes() == [] and adapter.calls == [("find", "svc-role"), ("find_holder", "svc-role")]


def test_no_role_api_with_a_held_role_says_what_to_check_by_hand(run):
    adapter = FakeAdapter(available=False, holders=["svc-role"])
    out = run(adapter, name="svc-role", permissions={"VM": ["View"]}, check=True)
    assert out.failed and out.result["role_exists"] is True and adapter.writes() == []
    assert ("A role called 'svc-role' exists (a user holds it), but its definition cannot be read or changed "
            "without that API: check by hand in the Qualys UI, Administration > Roles, that it has API Access on, "
            "UI Access off and the permissions VM: View.") in out.result["msg"]


def test_no_role_api_and_the_user_search_fails_says_why(run):
    """A wrong password also spoils the role search: the documented user search then names the real problem."""
    error = QualysError("Qualys error INVALID_CREDENTIALS: Authentication failed", code="INVALID_CREDENTIALS",
                        status=200, kind="auth")
    for manage in (True, False):
        out = run(FakeAdapter(available=False, holders=error), name="svc-role", manage_definition=manage)
        assert out.failed and out.result["msg"] == error.message and out.result["error_kind"] == "auth"


def test_no_role_api_absent_says_delete_by_hand(run):
    out = run(FakeAdapter(available=False, holders=["svc-role"]), name="svc-role", state="absent")
    assert out.failed and out.result["role_exists"] is True
    assert out.result["msg"].endswith(
        "Delete the role 'svc-role' by hand in the Qualys UI: Administration > Roles (Role Management).")


def test_check_only_with_role_api_reports_definition_and_drift(run):
    adapter = FakeAdapter([EXISTING])
    out = run(adapter, name="svc-role", manage_definition=False, permissions={"VM": ["Report"]})
    assert not out.failed and not out.result["changed"] and adapter.writes() == []
    assert out.result["role"] == EXISTING
    assert out.result["role_exists"] and out.result["permissions_known"] and out.result["role_api_available"]
    assert any("differs from this task in permissions" in w for w in out.warnings)


def test_check_only_with_role_api_and_no_role_fails(run):
    out = run(FakeAdapter(), name="svc-role", manage_definition=False)
    assert out.failed and "No role called 'svc-role' exists" in out.result["msg"]
    assert out.result["role_exists"] is False and out.result["role_api_available"] is True


def test_check_only_without_role_api_uses_user_roles(run):
    adapter = FakeAdapter(available=False, holders=["svc-role"])
    out = run(adapter, name="svc-role", manage_definition=False)
    assert not out.failed and not out.result["changed"]
    assert out.result["role_exists"] is True and out.result["permissions_known"] is False
    assert out.result["role_api_available"] is False
    assert out.result["role"] == {"id": 104, "name": "svc-role", "description": None, "api_access": None,
                                  "ui_access": None, "permissions": None}
    assert adapter.calls == [("find", "svc-role"), ("find_holder", "svc-role")]
    assert out.warnings == [
        "A role called 'svc-role' exists (a user holds it), but its definition cannot be read or changed without "
        "that API: check by hand in the Qualys UI, Administration > Roles, that it has API Access on and UI Access "
        "off."]


def test_check_only_without_role_api_and_no_holder_cannot_tell(run):
    out = run(FakeAdapter(available=False), name="svc-role", manage_definition=False)
    assert not out.failed and out.result["role_exists"] is None and out.result["permissions_known"] is False
    assert any("cannot be checked" in w and "Administration > Roles (Role Management), New Role" in w
               for w in out.warnings)


def test_password_never_in_result(run):
    out = run(FakeAdapter([EXISTING]), name="svc-role", diff=True)
    assert CONNECTION["password"] not in json.dumps(out.result)


class RacedAdapter(FakeAdapter):
    """Another run (a parallel fork) creates the role between this run's lookup and its create."""

    def create(self, role):
        self.calls.append(("create", copy.deepcopy(role)))
        self.roles[role["name"]] = dict(EXISTING, name=role["name"])
        raise QualysError("Qualys error INVALID_REQUEST: A role named %r already exists." % role["name"],
                          code="INVALID_REQUEST", kind="api")


def test_role_created_meanwhile_by_a_parallel_run_is_converged(run):
    adapter = RacedAdapter()
    done = run(adapter, name="svc-role", description="Scan pipeline", permissions={"VM": ["View"], "AM": ["Read Asset"]})
    assert not done.failed, done.result
    assert done.result["changed"] is False and done.result["role"]["id"] == 104
    assert [call[0] for call in adapter.calls] == ["find", "create", "find"]
    assert any("Another run created" in warning for warning in done.warnings)
    # A refused create with nothing found afterwards is still an error.
    lonely = FakeAdapter()

    def refuse(role):
        raise QualysError("Qualys error INVALID_REQUEST: refused", code="INVALID_REQUEST", kind="api")
    lonely.create = refuse
    refused = run(lonely, name="svc-role")
    assert refused.failed and "refused" in refused.result["msg"]


@pytest.mark.parametrize("check", [False, True])
def test_an_unknown_role_fails_the_existence_check_in_check_mode_too(run, check):
    """Issue 18 item 12: manage_definition=false makes the same read-only check in check mode, naming the role."""
    adapter = FakeAdapter()
    out = run(adapter, check=check, name="svc-role", manage_definition=False)
    assert out.failed and "No role called 'svc-role' exists" in out.result["msg"] and adapter.writes() == []


def test_a_role_to_define_is_predicted_in_check_mode_with_a_null_id(run):
    """What the restricted_api_user role reads to predict the assignment (qualys_service_user pending_roles)."""
    out = run(FakeAdapter(), check=True, name="svc-role", manage_definition=True, permissions={"VM": ["View"]})
    assert not out.failed and out.result["changed"] and out.result["role"]["id"] is None
