# -*- coding: utf-8 -*-
# Copyright (c) scanops.qualys contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The role killed (SIGKILL, every process of the run) at each step of a rotation and of a creation (issue 15).

A simulator rule holds the call of the step (``hold``: it waits unprocessed; ``slow``: it is processed and its reply
waits); the test kills ansible-playbook while it waits. After every kill the vault's CURRENT or PENDING version holds
the live password; the next run converges without an admin reset (a creation that lost its only password aside),
with CURRENT working; the run after it changes nothing and writes nothing.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import base64
import json
import os
import signal
import time

import pytest
import requests

from harness import role_vars, run_role, start_role

SECRET = "qualys-api-servicenow"
SELF_SERVICE_CHANGE = "/api/2.0/fo/user/change_password/"
ADMIN_RESET = "/msp/password_change.php"
SECRETS = "/20180608/secrets"
# How long a held call waits: long enough to kill the run in it, short enough not to slow the next run much.
HOLD_SECONDS = 4.0


@pytest.fixture
def sims(qualys_sim, oci_sim):
    """Both simulators with held calls of HOLD_SECONDS; their previous setting comes back afterwards."""
    before = [(sim, sim.control("GET", "config")["slow_seconds"]) for sim in (qualys_sim, oci_sim)]
    for sim in (qualys_sim, oci_sim):
        sim.control("POST", "config", {"slow_seconds": HOLD_SECONDS})
    yield qualys_sim, oci_sim
    for sim, seconds in before:
        sim.control("DELETE", "faults")
        sim.control("POST", "config", {"slow_seconds": seconds})


def one_user(oci_ids, tmp_path, **overrides):
    variables = role_vars(oci_ids, tmp_path / "report", **overrides)
    variables["restricted_api_user_service_users"] = variables["restricted_api_user_service_users"][:1]
    return variables


def versions(oci_sim):
    """{stage: credentials} of the credentials secret (CURRENT, PENDING), decoded."""
    secret = oci_sim.secret(SECRET)
    found = {}
    for version in (secret or {}).get("versions", []):
        for stage in ("CURRENT", "PENDING"):
            if stage in version["stages"]:
                found[stage] = json.loads(base64.b64decode(version["content"]).decode("utf-8"))
    return found


def logs_in(qualys_sim, credentials):
    reply = requests.post(qualys_sim.url + "/api/2.0/fo/asset/group/", data={"action": "list"},
                          auth=(credentials["username"], credentials["password"]), headers={"X-Requested-With": "test"},
                          verify=qualys_sim.ca_path, timeout=30)
    return reply.status_code == 200 and "<CODE>" not in reply.text


def live_stages(qualys_sim, oci_sim):
    return sorted(stage for stage, credentials in versions(oci_sim).items() if logs_in(qualys_sim, credentials))


def qualys_calls_to(qualys_sim, path):
    """How many calls the Qualys simulator got on ``path`` since its counters were zeroed."""
    return len([call for call in qualys_sim.stats()["calls"] if call["path"].rstrip("/") == path.rstrip("/")])


def process_tree(pid):
    """``pid`` and all its descendants: Ansible's workers start sessions of their own, out of the run's group."""
    children = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open("/proc/%s/stat" % entry) as handle:
                    fields = handle.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            children.setdefault(int(fields[1]), []).append(int(entry))
    tree, queue = [], [pid]
    while queue:
        current = queue.pop()
        tree.append(current)
        queue.extend(children.get(current, []))
    return tree


def signal_all(pids, number):
    for pid in pids:
        try:
            os.kill(pid, number)
        except OSError:
            pass


def kill_the_role_at(sim, rule, qualys_sim, oci_sim, variables, work, whole=True):
    """Start the role, wait until ``rule`` fires on ``sim``, then SIGKILL it.

    ``whole``: every process of the run at once, as when its container or machine goes. Otherwise only
    ansible-playbook itself: the worker of the running task lives on and finishes that task (returned: its pids).
    """
    sim.control("POST", "faults", {"rules": [rule]})
    run = start_role(qualys_sim, oci_sim, variables, work)
    deadline = time.time() + 240
    while not sim.control("GET", "faults")["fired"]:
        if run.poll() is not None or time.time() > deadline:
            run.kill()
            with open(os.path.join(work, "output.txt")) as handle:
                raise AssertionError("the run ended before the held call (rc %s):\n%s" % (run.returncode, handle.read()[-3000:]))
        time.sleep(0.1)
    tree = process_tree(run.pid)
    if whole:
        signal_all(tree, signal.SIGSTOP)  # none of them acts on the others' deaths
        signal_all(tree, signal.SIGKILL)
    else:
        os.kill(run.pid, signal.SIGKILL)
    run.wait(30)
    sim.control("DELETE", "faults")
    return [pid for pid in tree if pid != run.pid and os.path.exists("/proc/%d" % pid)]


def wait_for(pids, seconds=120):
    deadline = time.time() + seconds
    while any(os.path.exists("/proc/%d" % pid) for pid in pids) and time.time() < deadline:
        time.sleep(0.2)


def converges(run_play, qualys_sim, oci_sim, variables, admin_reset_allowed=False, then_settled=True):
    """The run after a kill: green, CURRENT logs in; then (``then_settled``) a run that changes and writes nothing."""
    result = run_role(run_play, qualys_sim, oci_sim, variables)
    assert result.rc == 0, result
    if not admin_reset_allowed:
        assert qualys_calls_to(qualys_sim, ADMIN_RESET) == 0, "the next run reset the password as the admin"
    assert "CURRENT" in live_stages(qualys_sim, oci_sim), sorted(versions(oci_sim))
    if not then_settled:
        return result
    again = run_role(run_play, qualys_sim, oci_sim, variables)
    assert again.rc == 0 and again.changed == 0, again
    assert qualys_sim.writes() == 0 and oci_sim.writes() == 0, (qualys_sim.stats()["by_endpoint"], oci_sim.calls())
    assert "CURRENT" in live_stages(qualys_sim, oci_sim)
    return result


def make_rotation_due(oci_sim):
    """The stored password as old as a rotation asks for: a new CURRENT version, same credentials, older rotated_at."""
    current = dict(versions(oci_sim)["CURRENT"], rotated_at="2020-01-01T00:00:00+00:00")
    oci_sim.drift(SECRET, json.dumps(current))


def test_a_rotation_killed_at_each_step_never_loses_the_live_password(run_play, sims, oci_ids, tmp_path):
    qualys_sim, oci_sim = sims
    variables = one_user(oci_ids, tmp_path, restricted_api_user_rotation_days=30)
    assert run_role(run_play, qualys_sim, oci_sim, variables).rc == 0
    steps = (
        # After the PENDING store: the self-service change never reaches Qualys.
        ("after the PENDING store", qualys_sim, {"path": SELF_SERVICE_CHANGE, "kind": "hold"}, ["CURRENT"]),
        # After the change: Qualys changed the password, the run never learnt it.
        ("after the password change", qualys_sim, {"path": SELF_SERVICE_CHANGE, "kind": "slow"}, ["PENDING"]),
        # Before the promotion: the second secret update of the rotation (the first stored PENDING) is held.
        ("before the promotion", oci_sim, {"path": SECRETS + "/*", "method": "PUT", "skip": 1, "kind": "hold"},
         ["PENDING"]),
    )
    for number, (name, sim, rule, live) in enumerate(steps, 1):
        make_rotation_due(oci_sim)
        qualys_sim.reset_stats()
        oci_sim.reset_stats()
        kill_the_role_at(sim, rule, qualys_sim, oci_sim, variables, str(tmp_path / name.replace(" ", "-")))
        time.sleep(HOLD_SECONDS if rule["kind"] == "slow" else 0)  # the processed call's reply is let go
        assert live_stages(qualys_sim, oci_sim) == live, (name, sorted(versions(oci_sim)))
        # The next step starts from a converged state; that nothing is left to do is checked after the last one.
        result = converges(run_play, qualys_sim, oci_sim, variables, then_settled=number == len(steps))
        summary = json.dumps(result.tasks)
        assert versions(oci_sim)["CURRENT"]["password"] not in summary, name


def test_a_creation_killed_at_each_step_converges(run_play, sims, oci_ids, tmp_path):
    qualys_sim, oci_sim = sims
    variables = one_user(oci_ids, tmp_path)
    steps = (
        # Qualys created the user; its generated password is only in the killed run: an admin reset recovers it.
        ("before the first store", oci_sim, {"path": SECRETS, "method": "POST", "kind": "hold"}, [], True),
        # Stored, then the rotation after the creation never changed the password.
        ("before the change after create", qualys_sim, {"path": SELF_SERVICE_CHANGE, "kind": "hold"}, ["CURRENT"],
         False),
        # The rotation after the creation changed the password and was killed before promoting it.
        ("before the promotion after create", oci_sim,
         {"path": SECRETS + "/*", "method": "PUT", "skip": 1, "kind": "hold"}, ["PENDING"], False),
    )
    for number, (name, sim, rule, live, admin_reset_allowed) in enumerate(steps, 1):
        qualys_sim.reset()
        oci_sim.reset()
        kill_the_role_at(sim, rule, qualys_sim, oci_sim, variables, str(tmp_path / name.replace(" ", "-")))
        assert live_stages(qualys_sim, oci_sim) == live, (name, sorted(versions(oci_sim)))
        converges(run_play, qualys_sim, oci_sim, variables, admin_reset_allowed=admin_reset_allowed,
                  then_settled=number in (1, len(steps)))
        users = [user for user in qualys_sim.state()["users"] if user.get("external_id") == "scanops-servicenow"]
        assert len(users) == 1, (name, users)


def test_a_store_that_outlives_its_killed_playbook_never_leaves_a_dead_password_behind_a_green_run(
        run_play, sims, oci_ids, tmp_path):
    """Only ansible-playbook killed: its worker finishes the held store of the generated password meanwhile.

    The next run resets the password (the generated one was never stored when it looked) and stores it only if
    the secret is still as it read it: whichever store comes second fails rather than replacing the other's
    password. A green run always leaves CURRENT working; a failed one is finished by the run after it.
    """
    qualys_sim, oci_sim = sims
    variables = one_user(oci_ids, tmp_path)
    survivors = kill_the_role_at(oci_sim, {"path": SECRETS, "method": "POST", "kind": "hold"}, qualys_sim, oci_sim,
                                 variables, str(tmp_path / "killed"), whole=False)
    assert survivors, "the worker of the held store should outlive ansible-playbook"
    racing = run_role(run_play, qualys_sim, oci_sim, variables)
    wait_for(survivors)
    if racing.rc == 0:
        assert "CURRENT" in live_stages(qualys_sim, oci_sim), "a green run left a dead password in the vault"
    else:
        assert "changed since" in racing.output, racing
    converges(run_play, qualys_sim, oci_sim, variables, admin_reset_allowed=True)


def test_a_credentials_secret_in_another_compartment_fails_before_any_reset(
        run_play, qualys_sim, oci_sim, oci_ids, tmp_path):
    variables = one_user(oci_ids, tmp_path)
    assert run_role(run_play, qualys_sim, oci_sim, variables).rc == 0
    live = versions(oci_sim)["CURRENT"]
    another = "ocid1.compartment.oc1..aaaaaaaaanotherone" + "0" * 40
    elsewhere = dict(variables, restricted_api_user_oci_compartment_id=another)
    result = run_role(run_play, qualys_sim, oci_sim, elsewhere)
    assert result.rc != 0
    assert "in compartment %s" % oci_ids["compartment_id"] in result.output, result
    assert qualys_calls_to(qualys_sim, ADMIN_RESET) == 0 and qualys_calls_to(qualys_sim, SELF_SERVICE_CHANGE) == 0
    assert oci_sim.writes() == 0, oci_sim.calls()
    assert logs_in(qualys_sim, live) and versions(oci_sim)["CURRENT"] == live
    assert live["password"] not in result.output
