# -*- coding: utf-8 -*-
# Copyright (c) scanops.qualys contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Fixtures of the OCI tests, on top of tests/integration/conftest.py: latency that is always taken back,
and playbooks run at once."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from concurrent.futures import ThreadPoolExecutor

import pytest


@pytest.fixture
def oci_latency(oci_sim):
    """``set(latency_ms, slow_seconds)`` on the OCI simulator; back to none after the test."""
    def setter(latency_ms, slow_seconds=5.0):
        oci_sim.control("POST", "config", {"latency_ms": latency_ms, "slow_seconds": slow_seconds})
    yield setter
    oci_sim.control("POST", "config", {"latency_ms": 0, "slow_seconds": 5.0})


@pytest.fixture
def run_at_once(run_play):
    """Run several plays as separate ansible-playbook processes started together; their PlayResults in order."""
    def runner(*plays):
        with ThreadPoolExecutor(len(plays)) as pool:
            futures = [pool.submit(run_play, tasks, **kwargs) for tasks, kwargs in plays]
            return [future.result() for future in futures]
    return runner
