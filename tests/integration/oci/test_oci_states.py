# -*- coding: utf-8 -*-
# Copyright (c) scanops.qualys contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Secrets found in a transitional state or scheduled for deletion (issue 16 item 9).

Before: a secret being created or updated came back from oci_qualys_secret_info without
content, which the role read as "no stored credentials" (and reset a valid password), and
state=present cancelled a scheduled deletion without saying so. The simulator's
``/_sim/lifecycle`` route puts the secret in those states, as another run or the Console would.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import time

import pytest

SECRET = "scanops.qualys.oci_qualys_secret"
SECRET_INFO = "scanops.qualys.oci_qualys_secret_info"
CREDS = {"username": "scanops_state_probe", "password": "State-Probe-Passw0rd-3e1d!", "api_url": "https://qualysapi.qg2.apps.qualys.com"}


def defaults(auth):
    return dict((name, dict(auth)) for name in (SECRET, SECRET_INFO))


def store(ids, task_name="store", ignore_errors=False, **options):
    args = dict(ids, name="qualys-api-user", credentials=CREDS)
    args.update(options)
    task = {"name": task_name, SECRET: args}
    if ignore_errors:
        task["ignore_errors"] = True
    return task


def read(ids, task_name="read", **options):
    args = {"compartment_id": ids["compartment_id"], "vault_id": ids["vault_id"], "name": "qualys-api-user",
            "include_content": True}
    args.update(options)
    return {"name": task_name, SECRET_INFO: args, "no_log": False}


def status(result, task_name):
    return [entry["status"] for entry in result.tasks if entry["task"] == task_name][-1]


@pytest.mark.parametrize("state", ["UPDATING", "CREATING"])
def test_a_secret_in_transition_is_waited_for_then_read(oci_sim, oci_auth, oci_ids, run_play, state):
    md = defaults(oci_auth)
    assert run_play([store(oci_ids)], module_defaults=md).rc == 0
    # Another run is changing it: still shown as <state> by the next two GETs of the secret.
    oci_sim.control("POST", "lifecycle", {"name": "qualys-api-user", "state": state, "settle_to": "ACTIVE", "reads": 2})
    oci_sim.reset_stats()
    result = run_play([read(oci_ids)], module_defaults=md)
    assert result.rc == 0, result
    found = result.task("read")["secrets"]
    assert [s["lifecycle_state"] for s in found] == ["ACTIVE"]
    assert json.loads(found[0]["content"]) == CREDS  # before: no content, so the role reset the password

    oci_sim.control("POST", "lifecycle", {"name": "qualys-api-user", "state": state, "settle_to": "ACTIVE", "reads": 2})
    oci_sim.reset_stats()
    result = run_play([store(oci_ids)], module_defaults=md)
    out = result.task("store")
    assert result.rc == 0 and out["changed"] is False and out["secret"]["lifecycle_state"] == "ACTIVE", result
    assert oci_sim.writes() == 0


def test_a_secret_that_does_not_settle_fails_within_the_bounds(oci_sim, oci_auth, oci_ids, run_play):
    md = defaults(oci_auth)
    assert run_play([store(oci_ids)], module_defaults=md).rc == 0
    oci_sim.control("POST", "lifecycle", {"name": "qualys-api-user", "state": "UPDATING", "settle_to": "ACTIVE",
                                          "reads": 1000, "seconds": 1000})
    oci_sim.reset_stats()
    start = time.time()
    result = run_play([store(oci_ids, "no wait", ignore_errors=True, wait=False),
                       store(oci_ids, "short wait", ignore_errors=True, wait_timeout=2),
                       read(oci_ids, "info no wait", wait=False),
                       dict(read(oci_ids, "info short wait", wait_timeout=2), ignore_errors=True)],
                      module_defaults=md)
    assert status(result, "no wait") == "failed"
    assert "secret qualys-api-user is UPDATING" in result.task("no wait")["msg"]
    assert status(result, "short wait") == "failed"
    assert "still UPDATING after wait_timeout=2s" in result.task("short wait")["msg"]
    assert result.task("short wait")["error_kind"] == "state"
    info = result.task("info no wait")["secrets"]
    assert info[0]["lifecycle_state"] == "UPDATING" and "content" not in info[0] and info[0]["content_sha256"] is None
    assert status(result, "info short wait") == "failed"
    assert "still UPDATING after wait_timeout=2s" in result.task("info short wait")["msg"]
    assert oci_sim.writes() == 0 and time.time() - start < 60


def test_a_scheduled_deletion_is_reported_and_cancelled_only_on_request(oci_sim, oci_auth, oci_ids, run_play):
    md = defaults(oci_auth)
    assert run_play([store(oci_ids)], module_defaults=md).rc == 0
    # Someone scheduled the deletion in the Console.
    oci_sim.control("POST", "lifecycle", {"name": "qualys-api-user", "state": "PENDING_DELETION", "time_of_deletion_days": 7})
    oci_sim.reset_stats()
    result = run_play([read(oci_ids), store(oci_ids, ignore_errors=True),
                       dict(store(oci_ids, "store in check mode", ignore_errors=True), check_mode=True)],
                      module_defaults=md)
    found = result.task("read")["secrets"]
    assert found[0]["lifecycle_state"] == "PENDING_DELETION" and found[0]["time_of_deletion"]
    assert "content" not in found[0]
    for name in ("store", "store in check mode"):
        assert status(result, name) == "failed"
        msg = result.task(name)["msg"]
        assert "secret qualys-api-user" in msg and "scheduled for deletion" in msg and "cancel_deletion: true" in msg
    assert oci_sim.writes() == 0 and oci_sim.secret("qualys-api-user")["lifecycleState"] == "PENDING_DELETION"

    result = run_play([dict(store(oci_ids, "preview", cancel_deletion=True), check_mode=True),
                       store(oci_ids, "cancel", cancel_deletion=True),
                       store(oci_ids, "again", cancel_deletion=True)], module_defaults=md)
    assert result.rc == 0, result
    assert result.task("preview")["deletion_cancelled"] is True and result.task("preview")["changed"] is True
    out = result.task("cancel")
    assert out["changed"] is True and out["deletion_cancelled"] is True and out["version_created"] is False
    assert out["secret"]["lifecycle_state"] == "ACTIVE"
    assert "was cancelled (cancel_deletion=true)" in result.output
    assert result.task("again")["changed"] is False
    assert oci_sim.writes() == 1  # cancelDeletion only
