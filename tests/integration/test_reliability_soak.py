# -*- coding: utf-8 -*-
# Copyright (c) scanops.qualys contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Fault soak: the whole role, from empty state, while both simulators fail 20% of the calls at random.

A run converges one service user (an asset-group user for even seeds, a tag
user for odd ones) and the agent license. Each run is followed by fault-free re-runs until one reports changed=0 with
zero writes (at most two). Every failure must be one of the known clear
messages; every final state must equal the fault-free run's; nothing may
exist twice; no secret may appear in anything the runs printed or logged.
A run that succeeds under faults and whose first re-run has nothing left to do
is a single-pass success (``single_pass_successes``; the aim is 24 of 30).

The 30 seeded runs are split into independent chunks so pytest-xdist can
spread them over its workers. Figures go to .build/reliability/soak-<n>.json.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import collections
import re
import time

import pytest

from harness import ROLE_TASK, awx_env
from reliability import (
    duplicates,
    final_failure,
    find_leaks,
    light_role_vars,
    normalised_state,
    oci_ids_of,
    play_texts,
    record_figures,
    secret_values,
    state_difference,
    unclear_failures,
)

RUNS = 30
CHUNKS = 6
FAULT_RATE = 0.2
MAX_RERUNS = 2
FIRST_SEED = 8001

# What a user would set to fail fast in a test: a 3 s HTTP timeout, waits of at most 5 s.
MODULE_DEFAULTS = {"group/scanops.qualys.qualys": {"timeout": 3, "max_wait": 5}}
# 409 CODE 1965 announces a full rate window (3600 s) x towait_scale: about one second here.
QUALYS_SETTINGS = {"towait_scale": 0.00025, "slow_seconds": 4.5}
OCI_SETTINGS = {"slow_seconds": 0.5}

SCOPES = ("asset_group", "tag")

_reference = {}


@pytest.fixture
def soak_sims(qualys_sim, oci_sim):
    """Both simulators with the soak settings; the previous settings come back afterwards."""
    saved = (qualys_sim.control("GET", "config"), oci_sim.control("GET", "config"))
    qualys_sim.control("POST", "config", QUALYS_SETTINGS)
    oci_sim.control("POST", "config", OCI_SETTINGS)
    yield qualys_sim, oci_sim
    for sim in (qualys_sim, oci_sim):
        sim.control("DELETE", "faults")
    qualys_sim.control("POST", "config", dict((k, saved[0][k]) for k in QUALYS_SETTINGS))
    oci_sim.control("POST", "config", dict((k, saved[1][k]) for k in OCI_SETTINGS))


def empty(qualys_sim, oci_sim):
    qualys_sim.reset()
    oci_sim.reset()
    qualys_sim.control("POST", "limits/reset")


class Soak:
    """Runs the role and collects what each run left behind."""

    def __init__(self, run_play, qualys_sim, oci_sim, tmp_path):
        self.run_play = run_play
        self.qualys = qualys_sim
        self.oci = oci_sim
        self.tmp_path = tmp_path
        self.variables = None
        self.texts = {}
        self.secrets = set()
        self.count = 0

    def use(self, scope):
        self.variables = light_role_vars(oci_ids_of(self.oci), scopes=(scope,))

    def run(self, label, diff=False):
        self.count += 1
        log = str(self.tmp_path / ("ansible-%d.log" % self.count))
        self.qualys.reset_stats()
        self.oci.reset_stats()
        result = self.run_play(ROLE_TASK, extra_vars=self.variables, diff=diff, module_defaults=MODULE_DEFAULTS,
                               env=awx_env(self.qualys, self.oci, {"ANSIBLE_LOG_PATH": log}))
        self.texts.update(play_texts(result, log, "%s #%d" % (label, self.count)))
        # Collected after every run: a password replaced later must not have leaked either.
        self.secrets.update(secret_values(self.qualys, self.oci))
        return result

    def writes(self):
        return self.qualys.writes() + self.oci.writes()

    def leaks(self):
        return find_leaks(self.texts, sorted(self.secrets))


def reference_state(soak, scope):
    """The state a fault-free run leaves (once per simulator pair, i.e. per xdist worker)."""
    key = (soak.qualys.url, soak.oci.url, scope)
    if key not in _reference:
        empty(soak.qualys, soak.oci)
        soak.use(scope)
        result = soak.run("reference %s" % scope)
        assert result.rc == 0, result
        _reference[key] = normalised_state(soak.qualys, soak.oci)
        assert duplicates(_reference[key]) == []
    return _reference[key]


@pytest.mark.parametrize("chunk", range(CHUNKS))
def test_the_role_survives_random_faults(chunk, run_play, soak_sims, tmp_path):
    qualys_sim, oci_sim = soak_sims
    started = time.time()
    soak = Soak(run_play, qualys_sim, oci_sim, tmp_path)
    seeds = [FIRST_SEED + index for index in range(RUNS) if index % CHUNKS == chunk]

    problems = []
    figures = {"runs": 0, "succeeded_under_faults": 0, "single_pass_successes": 0, "failed_clearly": 0, "reruns": 0,
               "converged_after": collections.Counter(), "qualys_faults": collections.Counter(),
               "oci_faults": collections.Counter(), "failures": collections.Counter()}
    for seed in seeds:
        problems_before = len(problems)
        scope = SCOPES[seed % 2]
        expected = reference_state(soak, scope)
        soak.use(scope)
        empty(qualys_sim, oci_sim)
        qualys_sim.control("POST", "faults", {"seed": seed, "rate": FAULT_RATE})
        oci_sim.control("POST", "faults", {"seed": seed * 7, "rate": FAULT_RATE})
        faulted = soak.run("seed %d faulted" % seed, diff=True)
        figures["runs"] += 1
        for sim, key in ((qualys_sim, "qualys_faults"), (oci_sim, "oci_faults")):
            figures[key].update(fault["kind"] for fault in sim.control("GET", "faults")["fired"])
            sim.control("DELETE", "faults")
        if faulted.rc == 0:
            figures["succeeded_under_faults"] += 1
        else:
            message = final_failure(faulted)
            figures["failed_clearly"] += 1
            figures["failures"][_shape(message)] += 1
        unclear = unclear_failures(faulted)
        if unclear:
            problems.append("seed %d: unclear failure %s" % (seed, unclear))

        converged = False
        for attempt in range(1, MAX_RERUNS + 1):
            rerun = soak.run("seed %d re-run" % seed)
            figures["reruns"] += 1
            if rerun.rc != 0:
                problems.append("seed %d: fault-free re-run %d failed: %s" % (seed, attempt, final_failure(rerun)))
                continue
            if rerun.changed == 0 and soak.writes() == 0:
                converged = attempt
                figures["converged_after"][attempt] += 1
                break
        if not converged:
            problems.append("seed %d: not converged after %d fault-free re-runs" % (seed, MAX_RERUNS))

        actual = normalised_state(qualys_sim, oci_sim)
        problems.extend("seed %d: twice: %s" % (seed, dup) for dup in duplicates(actual))
        problems.extend("seed %d: %s" % (seed, line) for line in state_difference(expected, actual))
        # One pass: no failure, and nothing left for the first fault-free re-run to do, lost or duplicated.
        if faulted.rc == 0 and converged == 1 and len(problems) == problems_before:
            figures["single_pass_successes"] += 1

    leaks = soak.leaks()
    figures["leak_hits"] = len(leaks)
    figures["scanned_runs"] = soak.count
    figures["wall_seconds"] = round(time.time() - started, 1)
    figures["seeds"] = seeds
    record_figures("soak-%d" % chunk, figures)

    assert leaks == [], leaks
    assert problems == [], "\n".join(problems)
    assert figures["runs"] == len(seeds)


def _shape(message):
    """A failure message without its variable parts, to count failure kinds."""
    text = re.sub(r"127\.0\.0\.1:\d+", "<host>", (message or "").split(" failed: ", 1)[-1])
    for marker in (" (", ": "):
        text = text.split(marker, 1)[0]
    return text[:80]
