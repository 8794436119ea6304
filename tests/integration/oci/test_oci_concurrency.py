# -*- coding: utf-8 -*-
# Copyright (c) scanops.qualys contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Two ansible-playbook processes creating the same OCI objects at once (issue 16 item 3).

The simulator adds latency to every call. ``slow`` faults on chosen calls (the request is
processed, its reply held back) line the two runs up, so that each interleaving is hit every
time instead of by luck:

- license secret: both runs look before either creates; OCI refuses the second create (409),
  and that run continues with the secret the other one made;
- scan recipe, "both": both runs create before either looks again; both see two recipes;
- scan recipe, "after": one run creates and looks again (one recipe) before the other creates;
  the late one sees two.

The holds are longer than the start-up skew of two processes on a busy machine, so which
process goes first does not matter.

Every case ends with one object, and a third run that changes nothing and writes nothing.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

SECRET = "scanops.qualys.oci_qualys_secret"
RECIPE = "scanops.qualys.oci_qualys_scan_recipe"
OCI_MODULES = (SECRET, "scanops.qualys.oci_qualys_secret_info", RECIPE, "scanops.qualys.oci_qualys_scan_recipe_info")
LICENSE = {"cid": "cid-race-0001", "aid": "aid-race-0001", "pws_url": "https://qagpublic.qg2.apps.qualys.com",
           "pws_port": 443}
LATENCY_MS = 250
HOLD_SECONDS = 3.0
# A "*" makes the simulator match the path as a glob: these match the collection path only
# (list and create), not /secrets/{id} or /hostScanRecipes/{id}.
SECRETS = "/20180608/secret*s"
RECIPES = "/20210215/hostScanRecipe*s"


def defaults(auth):
    return dict((name, dict(auth)) for name in OCI_MODULES)


def secret_task(ids):
    return {"name": "license", SECRET: dict(ids, name="qualys-license", license=LICENSE), "register": "license"}


def recipe_task(ids, name, secret_id):
    return {"name": name, RECIPE: {"compartment_id": ids["compartment_id"], "name": name, "vault_secret_id": secret_id}}


def hold(method, path, times=2, skip=0):
    """Process the matching calls at once but hold their replies back for HOLD_SECONDS."""
    return {"method": method, "path": path, "kind": "slow", "times": times, "skip": skip}


def live_recipes(oci_sim, name):
    return [r for r in oci_sim.state()["recipes"].values()
            if r["displayName"] == name and r["lifecycleState"] not in ("DELETED", "DELETING")]


def recipe_calls(oci_sim):
    """Methods of the recipe list (GET) and create (POST) calls, in the order their replies were sent.

    The simulator records a call when it replies, so a held call shows up late: a run's next
    call is always recorded after the held one.
    """
    return [c["method"] for c in oci_sim.calls() if c["path"] == "/20210215/hostScanRecipes"]


def test_two_runs_at_once_end_with_one_secret_and_one_recipe(oci_sim, oci_auth, oci_ids, oci_latency, run_at_once,
                                                             run_play):
    md = defaults(oci_auth)
    oci_latency(LATENCY_MS, HOLD_SECONDS)

    # License secret: both lookups are held, so both runs find nothing and both create.
    oci_sim.faults([hold("GET", SECRETS)])
    first, second = run_at_once(([secret_task(oci_ids)], dict(module_defaults=md)),
                                ([secret_task(oci_ids)], dict(module_defaults=md)))
    assert first.rc == 0, first
    assert second.rc == 0, second
    creates = [c["status"] for c in oci_sim.calls() if c["method"] == "POST" and c["path"] == "/20180608/secrets"]
    assert sorted(creates) == [200, 409], creates
    outs = sorted((first.task("license"), second.task("license")), key=lambda out: not out["created"])
    assert [out["created"] for out in outs] == [True, False]
    assert outs[0]["secret"]["id"] == outs[1]["secret"]["id"]
    assert outs[1]["changed"] is False and outs[1]["version_created"] is False
    assert "Another run created this object" in (first.output + second.output)
    secrets = oci_sim.state()["secrets"]
    assert len(secrets) == 1 and [v["versionNumber"] for v in list(secrets.values())[0]["versions"]] == [1]
    secret_id = outs[0]["secret"]["id"]

    # Scan recipe, "both": the lookups and then the creates are held, so each run creates before either
    # looks again.
    oci_sim.reset_stats()
    oci_sim.faults([hold("GET", RECIPES), hold("POST", RECIPES)])
    runs = run_at_once(([recipe_task(oci_ids, "race-both", secret_id)], dict(module_defaults=md)),
                       ([recipe_task(oci_ids, "race-both", secret_id)], dict(module_defaults=md)))
    calls = recipe_calls(oci_sim)
    # Both creates replied (and so were made) before either run could look again.
    assert calls[:4] == ["GET", "GET", "POST", "POST"], calls
    check_converged(oci_sim, runs, "race-both")

    # Scan recipe, "after": the first lookup is held, so the other run looks, creates and looks again
    # before the held run goes on to create (whichever of the two processes started first).
    oci_sim.reset_stats()
    oci_sim.faults([hold("GET", RECIPES, times=1)])
    runs = run_at_once(([recipe_task(oci_ids, "race-after", secret_id)], dict(module_defaults=md)),
                       ([recipe_task(oci_ids, "race-after", secret_id)], dict(module_defaults=md)))
    calls = recipe_calls(oci_sim)
    # One run's lookup, create and second look, then the held lookup of the other run, then its create.
    # (Had the other run looked after the first create, it would not have created at all.)
    assert calls[:5] == ["GET", "POST", "GET", "GET", "POST"], calls
    check_converged(oci_sim, runs, "race-after")

    # A third run changes nothing and writes nothing.
    oci_sim.faults([])
    oci_sim.reset_stats()
    third = run_play([secret_task(oci_ids), recipe_task(oci_ids, "race-both", secret_id),
                      recipe_task(oci_ids, "race-after", secret_id)], module_defaults=md)
    assert third.rc == 0 and third.changed == 0 and oci_sim.writes() == 0, third


def check_converged(oci_sim, runs, name):
    """Both runs succeeded and report the same recipe, the only one left; exactly one duplicate was deleted."""
    for run in runs:
        assert run.rc == 0, run
    kept = [run.task(name)["recipe"]["id"] for run in runs]
    live = live_recipes(oci_sim, name)
    assert len(live) == 1 and kept == [live[0]["id"]] * 2, (kept, live)
    deleted = [c for c in oci_sim.calls() if c["method"] == "DELETE"]
    assert len(deleted) == 1 and deleted[0]["status"] == 202
    assert "keeping the older one" in (runs[0].output + runs[1].output)
    assert all(run.task(name)["recipe"]["vault_secret_id"] for run in runs)
