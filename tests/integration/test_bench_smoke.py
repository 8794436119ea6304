# -*- coding: utf-8 -*-
# Copyright (c) scanops.qualys contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The call budgets of `make bench` (its api_calls and scale experiments), without its timings.

The full role on the demo variables (two service users, the license secret and
the scan recipe), as AWX runs it: a no-op re-run makes no write and reads each
managed object no more often than its floor (bench/README.md); on a
subscription filled with a thousand users, asset groups and tags it makes
exactly the same calls (server-side filters, no listings).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import importlib.util
import os

from harness import REPO

BENCH = os.path.join(REPO, "bench", "run.py")


def load_bench():
    """bench/run.py as a module (bench/ is no package); it imports the same harness as these tests."""
    spec = importlib.util.spec_from_file_location("scanops_bench", BENCH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def calls(run):
    return dict((service, run["counts"][service]["by_endpoint"]) for service in ("qualys", "oci"))


def test_noop_rerun_stays_within_the_call_budget_at_any_subscription_size(qualys_sim, oci_sim):
    bench = load_bench()
    sims = bench.Sims(qualys=qualys_sim, oci=oci_sim)
    result = bench.measure_api_calls(sims)
    first, noop = result["first_run"], result["noop_run"]
    assert first["changed"] > 0 and first["counts"]["qualys"]["writes"] > 0
    budget = noop["budget"]
    assert noop["changed"] == 0
    assert budget["writes"] == 0, calls(noop)
    assert budget["unattributed_reads"] == {}, budget
    for kind, entry in budget["per_kind"].items():
        assert entry["reads"] <= entry["floor"], (kind, entry, calls(noop))
    assert budget["floor_pass"], budget
    # Issue 19's read budget: the per-kind floor plus one credential check per service user.
    users = budget["per_kind"]["service_user"]["objects"]
    assert budget["reads_floor"] == budget["floor_reads"] + bench.VERIFICATION_FLOOR_PER_USER * users, budget
    assert budget["reads"] == noop["counts"]["qualys"]["reads"] + noop["counts"]["oci"]["reads"]
    # The tasks that ran without being a module call of the collection are counted, by action.
    other = noop["other_tasks"]
    assert other["count"] == sum(len(names) for names in other["by_action"].values()) > 0, other
    assert not [action for action in other["by_action"] if action.startswith("scanops.qualys.")], other
    checked = dict((entry["name"], entry) for entry in bench.budgets({"api_calls": result}))
    assert checked["api_calls no-op reapply: writes"]["pass"], checked
    assert checked["api_calls no-op reapply: reads"]["limit"] == budget["reads_floor"], checked

    qualys_sim.control("POST", "seed", {"users": 1000, "asset_groups": 1000, "tags": 1000})
    seeded = bench.run_role(sims, bench.role_variables(sims), "no-op re-run on a seeded subscription")
    assert seeded["changed"] == 0
    assert calls(seeded) == calls(noop)
