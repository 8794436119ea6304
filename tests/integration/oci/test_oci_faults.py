# -*- coding: utf-8 -*-
# Copyright (c) scanops.qualys contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Retries, lost replies and lifecycle waits of the OCI modules against injected faults."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import time

SECRET = "scanops.qualys.oci_qualys_secret"
LICENSE = {"cid": "cid-fault-test-0001", "aid": "aid-fault-test-0001",
           "pws_url": "https://qagpublic.qg1.apps.qualys.com", "pws_port": 443}
LIST_SECRETS = "/20180608/secrets"


def task(task_name, ids, auth, ignore_errors=False, **options):
    args = dict(auth)
    args.update(ids)
    args.update(name="qualys-license", license=LICENSE)
    args.update(options)
    entry = {"name": task_name, SECRET: args}
    if ignore_errors:
        entry["ignore_errors"] = True
    return entry


def status(result, task_name):
    return [entry["status"] for entry in result.tasks if entry["task"] == task_name][-1]


def test_server_error_without_retries_fails_clearly(oci_sim, oci_auth, oci_ids, oci_env, run_play):
    oci_sim.faults([{"path": LIST_SECRETS, "method": "GET", "kind": "500", "times": 1}])
    result = run_play([task("create", oci_ids, oci_auth, ignore_errors=True)], env=oci_env)
    assert status(result, "create") == "failed"
    out = result.task("create")
    assert "list secrets failed: HTTP 500 InternalServerError" in out["msg"] and out["status"] == 500
    stats = oci_sim.stats()
    assert stats["reads"] == 1 and stats["writes"] == 0


def test_bounded_retry_recovers_from_transient_errors(oci_sim, oci_auth, oci_ids, oci_env, run_play):
    oci_sim.faults([{"path": LIST_SECRETS, "method": "GET", "kind": "503", "times": 1}])
    result = run_play([task("create", oci_ids, oci_auth, api_retries=2)], env=oci_env)
    assert result.rc == 0, result
    assert result.task("create")["changed"] is True
    calls = [(c["method"], c["path"], c["status"]) for c in oci_sim.calls()]
    assert calls[0] == ("GET", LIST_SECRETS, 503) and calls[1] == ("GET", LIST_SECRETS, 200)


def test_lost_create_reply_is_retried_without_a_duplicate(oci_sim, oci_auth, oci_ids, oci_env, run_play):
    oci_sim.faults([{"path": LIST_SECRETS, "method": "POST", "kind": "drop_after_write", "times": 1}])
    result = run_play([task("create", oci_ids, oci_auth, api_retries=2)], env=oci_env)
    assert result.rc == 0, result
    assert result.task("create")["created"] is True
    creates = [c for c in oci_sim.calls() if c["method"] == "POST" and c["path"] == LIST_SECRETS]
    assert [c["status"] for c in creates] == [0, 200]
    secrets = oci_sim.state()["secrets"]
    assert len(secrets) == 1 and len(list(secrets.values())[0]["versions"]) == 1


def test_new_version_is_never_retried(oci_sim, oci_auth, oci_ids, oci_env, run_play):
    assert run_play([task("create", oci_ids, oci_auth)], env=oci_env).rc == 0
    secret_id = list(oci_sim.state()["secrets"])[0]
    oci_sim.reset_stats()
    oci_sim.faults([{"path": "%s/%s" % (LIST_SECRETS, secret_id), "method": "PUT", "kind": "503", "times": 1}])
    changed = dict(LICENSE, aid="aid-fault-test-0002")
    result = run_play([task("update", oci_ids, oci_auth, ignore_errors=True, api_retries=3, license=changed)],
                      env=oci_env)
    assert status(result, "update") == "failed"
    assert "update secret failed: HTTP 503" in result.task("update")["msg"]
    puts = [c for c in oci_sim.calls() if c["method"] == "PUT"]
    assert len(puts) == 1
    assert len(oci_sim.secret("qualys-license")["versions"]) == 1


def test_waits_for_active_and_bounds_the_wait(oci_sim, oci_auth, oci_ids, oci_env, run_play):
    # CREATING is still reported by the first GET after the create; the module polls until ACTIVE.
    oci_sim.control("POST", "config", {"lifecycle_reads": 1})
    result = run_play([task("create", oci_ids, oci_auth)], env=oci_env)
    assert result.rc == 0, result
    assert result.task("create")["secret"]["lifecycle_state"] == "ACTIVE"
    gets = [c for c in oci_sim.calls() if c["method"] == "GET" and c["path"].startswith(LIST_SECRETS + "/")]
    assert len(gets) == 2

    # A state that never settles fails after wait_timeout instead of hanging.
    oci_sim.control("POST", "config", {"lifecycle_reads": 1000, "settle_seconds": 1000})
    start = time.time()
    result = run_play([task("other", oci_ids, oci_auth, ignore_errors=True, name="other-secret", wait_timeout=2)],
                      env=oci_env)
    assert status(result, "other") == "failed"
    assert "still CREATING after wait_timeout=2s" in result.task("other")["msg"]
    assert time.time() - start < 30


def test_a_transport_error_keeps_its_cause(oci_sim, oci_auth, oci_ids, oci_env, run_play):
    # Issue 16 item 14: the message stopped after 300 characters, inside the URL, before "Caused by ...".
    auth = dict(oci_auth, cert_bundle="/etc/ssl/certs/ca-certificates.crt")  # a bundle without the simulator's CA
    result = run_play([task("create", oci_ids, auth, ignore_errors=True)], env=oci_env)
    out = result.task("create")
    assert status(result, "create") == "failed"
    assert out["msg"].startswith("list secrets: cannot reach OCI")
    assert "CERTIFICATE_VERIFY_FAILED" in out["msg"] and len(out["msg"]) <= 1100
    assert out["error_kind"] == "transport"
    assert oci_sim.stats()["calls"] == []  # refused in the TLS handshake
