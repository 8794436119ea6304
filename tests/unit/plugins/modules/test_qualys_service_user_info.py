# -*- coding: utf-8 -*-
# Copyright (c) scanops.qualys contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""qualys_service_user_info against the in-memory Qualys of test_qualys_service_user."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.scanops.qualys.plugins.module_utils.qualys_errors import QualysError
from ansible_collections.scanops.qualys.plugins.modules import qualys_service_user_info
from ansible_collections.scanops.qualys.tests.unit.plugins.modules.test_qualys_service_user import FakeQualys, make_runner


@pytest.fixture
def run(run_module):
    return make_runner(run_module, qualys_service_user_info)


@pytest.fixture
def fake():
    qualys = FakeQualys()
    qualys.add("quays_sp1", external_id="svc-scan", asset_groups=["Prod web"], roles={"Scan Reader": 101})
    qualys.add("quays_sp2", external_id="svc-scan-2", status="inactive", user_role="scanner")
    qualys.add("quays_ad1", user_role="manager")
    return qualys


def test_exact_external_id_uses_the_server_filter_and_one_am_user_search(run, fake):
    out = run(fake, external_id="svc-scan")
    assert not out["changed"] and [user["login"] for user in out["users"]] == ["quays_sp1"]
    user = out["users"][0]
    assert user["asset_groups"] == ["Prod web"] and user["roles"] == ["Scan Reader"] and user["scope_tags"] == []
    assert user["status"] == "active" and user["user_role"] == "reader"
    assert fake.calls[0] == ("user_list.php", {"external_id_contains": "svc-scan"}, False)
    assert [name for name, _params, _w in fake.calls] == ["user_list.php", "search am/user"]
    assert "Old-Pass-1!" not in out.text and "password" not in user


@pytest.mark.parametrize("args, logins", [
    (dict(external_id_contains="svc-"), ["quays_sp1", "quays_sp2"]),
    (dict(status="inactive"), ["quays_sp2"]),
    (dict(user_role="manager"), ["quays_ad1"]),
    (dict(login="quays_sp2"), ["quays_sp2"]),
    (dict(login="nobody"), []),
])
def test_filters(run, fake, args, logins):
    out = run(fake, include_admin=False, **args)
    assert [user["login"] for user in out["users"]] == logins
    assert all(user["roles"] is None for user in out["users"])
    assert all(name == "user_list.php" for name, _params, _w in fake.calls)


def test_several_users_read_am_user_once(run, fake):
    out = run(fake)
    assert len(out["users"]) == 3
    assert [name for name, _params, _w in fake.calls] == ["user_list.php", "search am/user"]
    # A real criterion: QPS refuses an am/user search without one.
    assert fake.calls[1][1] == [("id", "GREATER", "0")]


def test_no_admin_api_means_null_roles_and_a_warning(run, fake):
    fake.fail["search am/user"] = QualysError("Only Managers can use this API.", code="INSUFFICIENT_PERMISSION")
    out = run(fake, login="quays_sp1")
    assert out["users"][0]["roles"] is None and out["users"][0]["scope_tags"] is None
    assert any("were not read" in warning for warning in out.warnings)


def test_other_admin_api_errors_fail(run, fake):
    fake.fail["search am/user"] = QualysError("timed out", kind="timeout")
    out = run(fake, login="quays_sp1")
    assert out.failed and out["msg"] == "timed out"


def test_external_id_filters_exclude_each_other(run, fake):
    out = run(fake, external_id="a", external_id_contains="b")
    assert out.failed and "mutually exclusive" in out["msg"] and fake.calls == []
