# -*- coding: utf-8 -*-
# Copyright (c) scanops.qualys contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Ten service users in one play, one per inventory host, forks 10, against a Qualys limit of 2 concurrent calls.

playbooks/restricted_api_user_per_host.yml runs the role on each host for its
own user. The simulator refuses a third concurrent call per endpoint (HTTP
409, CODE 1960) and holds every call 0.2 s, so the hosts collide: all must
succeed by waiting as the limit headers say (the waits show as warnings),
and nothing may exist twice. A second run changes nothing.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import collections
import re
import time

import yaml

from harness import awx_env, run_playbook_file
from reliability import (
    CONTACT,
    LICENSE,
    duplicates,
    find_leaks,
    normalised_state,
    oci_ids_of,
    record_figures,
    secret_values,
)

USERS = 10
WAIT_WARNING = re.compile(r"Qualys answered HTTP 409 \(limit reached\); waiting [\d.]+s before retrying \(.*X-Concurrency-Limit-Running=(\d+)")


def inventory(path):
    hosts = {}
    for number in range(1, USERS + 1):
        name = "bu%02d" % number
        scope = ({"type": "asset_group", "name": "BU %02d scope" % number, "ips": ["10.%d.0.0/24" % number]} if number % 2
                 else {"type": "tag", "name": "BU %02d servers" % number, "os_contains": "Linux BU%02d" % number})
        hosts[name] = {"restricted_api_user_service_users": [dict(
            CONTACT, name=name, first_name="Business", last_name="Unit %02d" % number, scope=scope,
            role={"name": "API Read Only", "permissions": {"VM": ["View"]}, "manage_definition": True})]}
    path.write_text(yaml.safe_dump({"qualys_service_users": {"hosts": hosts}}))
    return str(path)


def test_ten_users_in_parallel_within_a_concurrency_limit_of_two(qualys_sim, oci_sim, tmp_path):
    saved = qualys_sim.control("GET", "config")
    qualys_sim.control("POST", "config", {"concurrency_limit": 2, "latency_ms": 200})
    try:
        variables = {"restricted_api_user_oci_compartment_id": oci_ids_of(oci_sim)["compartment_id"],
                     "restricted_api_user_oci_vault_id": oci_ids_of(oci_sim)["vault_id"],
                     "restricted_api_user_oci_key_id": oci_ids_of(oci_sim)["key_id"],
                     "restricted_api_user_license": dict(LICENSE)}
        hosts = inventory(tmp_path / "inventory.yml")
        log = str(tmp_path / "ansible.log")
        # Default connection settings: limit refusals are waited out within max_wait, not counted as retries.
        env = awx_env(qualys_sim, oci_sim, {"ANSIBLE_LOG_PATH": log, "ANSIBLE_FORKS": "10"})
        started = time.time()
        first, first_recap = run_playbook_file("restricted_api_user_per_host.yml", hosts, variables, env, ["-f", "10"], str(tmp_path))
        first_seconds = time.time() - started
        output = first.stdout + first.stderr
        assert first.returncode == 0, output[-5000:]
        assert sorted(first_recap) == ["bu%02d" % n for n in range(1, USERS + 1)], first_recap
        assert all(host["failed"] == 0 and host["changed"] > 0 for host in first_recap.values()), first_recap

        refused = [call for call in qualys_sim.stats()["calls"] if call["status"] == 409]
        waits = WAIT_WARNING.findall(output)
        # The limit really bit and was waited out (every host succeeded); the waits show as warnings with the
        # headers that caused them, except in tasks with no_log, whose warnings Ansible does not show.
        assert refused and 0 < len(waits) <= len(refused), (len(refused), len(waits))
        assert all(int(running) > 2 for running in waits)

        state = normalised_state(qualys_sim, oci_sim)
        assert duplicates(state) == []
        assert len([key for key in state["users"] if key.startswith("scanops-bu")]) == USERS
        assert len(state["roles"]["API Read Only"]) == 1
        assert len([key for key in state["secrets"] if key.startswith("qualys-api-bu")]) == USERS
        # CURRENT holds each user's live password (normalised_state counts no versions of credentials).
        assert all(s[0]["content"].get("password_is_current", True) for s in state["secrets"].values())
        # A new user's generated password is replaced at once (rotate_after_create): two versions of its credentials.
        assert all(len(oci_sim.secret("qualys-api-bu%02d" % n)["versions"]) == 2 for n in range(1, USERS + 1))

        qualys_sim.reset_stats()
        oci_sim.reset_stats()
        second, recap = run_playbook_file("restricted_api_user_per_host.yml", hosts, variables, env, ["-f", "10"], str(tmp_path))
        assert second.returncode == 0, (second.stdout + second.stderr)[-5000:]
        assert all(host["changed"] == 0 for host in recap.values()), recap
        assert qualys_sim.writes() == 0 and oci_sim.writes() == 0

        texts = {"first stdout": first.stdout, "first stderr": first.stderr, "second": second.stdout + second.stderr}
        with open(log) as handle:
            texts["log file"] = handle.read()
        assert find_leaks(texts, secret_values(qualys_sim, oci_sim)) == []
        record_figures("parallel", {"users": USERS, "forks": 10, "concurrency_limit": 2, "refused_409": len(refused),
                                    "wait_warnings": len(waits), "first_run_seconds": round(first_seconds, 1),
                                    "refused_by_endpoint": dict(collections.Counter(c["path"] for c in refused)),
                                    "first_run_recap": first_recap})
    finally:
        qualys_sim.control("POST", "config", dict((key, saved[key]) for key in ("concurrency_limit", "latency_ms")))
