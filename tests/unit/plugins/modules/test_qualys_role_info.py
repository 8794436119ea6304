# -*- coding: utf-8 -*-
# Copyright (c) scanops.qualys contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""qualys_role_info with a fake role adapter."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.scanops.qualys.plugins.module_utils.qualys_errors import QualysError
from ansible_collections.scanops.qualys.plugins.module_utils.qualys_role_adapter import RoleApiUnavailable
from ansible_collections.scanops.qualys.plugins.modules import qualys_role_info

CONNECTION = {"url": "https://qualys.example.invalid", "username": "admin", "password": "Admin-Pass-1"}
ROLES = [
    {"id": 101, "name": "Manager", "description": "", "api_access": True, "ui_access": True, "permissions": {}},
    {"id": 104, "name": "svc-role", "description": "", "api_access": True, "ui_access": False,
     "permissions": {"VM": ["View"]}},
]


class FakeAdapter:
    def __init__(self, roles=None, error=None):
        self.roles = roles or []
        self.error = error
        self.searches = []

    def search(self, name=None, name_contains=None):
        self.searches.append((name, name_contains))
        if self.error:
            raise self.error
        return list(self.roles)


@pytest.fixture
def run(run_module):
    def runner(adapter, **args):
        return run_module(qualys_role_info, dict(CONNECTION, **args), check=True, client=adapter,
                          factory=(qualys_role_info, "RoleAdapter"))
    return runner


def test_lists_with_server_side_filters(run):
    adapter = FakeAdapter(ROLES)
    out = run(adapter, name_contains="svc")
    assert not out.failed and not out.result["changed"]
    assert out.result["roles"] == ROLES and out.result["role_api_available"] is True
    assert adapter.searches == [(None, "svc")]


def test_name_is_exact(run):
    adapter = FakeAdapter(ROLES)
    out = run(adapter, name="svc-role")
    assert [role["name"] for role in out.result["roles"]] == ["svc-role"]
    assert adapter.searches == [("svc-role", None)]


def test_role_api_not_offered_is_not_a_failure(run):
    error = RoleApiUnavailable(QualysError("Unexpected reply from Qualys: HTTP 404", status=404))
    out = run(FakeAdapter(error=error))
    assert not out.failed and out.result["roles"] == [] and out.result["role_api_available"] is False
    assert any("does not offer the role definition API" in w for w in out.warnings)


def test_other_errors_fail(run):
    out = run(FakeAdapter(error=QualysError("Qualys error INVALID_CREDENTIALS: Authentication failed", kind="auth")))
    assert out.failed and "INVALID_CREDENTIALS" in out.result["msg"] and out.result["error_kind"] == "auth"


@pytest.mark.parametrize("args, message", [
    ({"name": "a", "name_contains": "b"}, "mutually exclusive"),
    ({"name_contains": " "}, "name_contains must not be empty"),
])
def test_bad_filters_fail_before_any_call(run, args, message):
    adapter = FakeAdapter(ROLES)
    out = run(adapter, **args)
    assert out.failed and message in out.result["msg"] and adapter.searches == []
