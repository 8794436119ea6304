# -*- coding: utf-8 -*-
# Copyright (c) scanops.qualys contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""OCI-only fixtures: one OCI simulator subprocess (HTTPS) per test session.

``oci_sim`` is emptied before each test; ``oci_auth`` holds the options that
point the modules at it (module_defaults for group/scanops.qualys.oci) and
``oci_env`` the environment a fault-injecting test runs the playbook with.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os
import signal
import subprocess
import sys
import time

import pytest
import requests

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))

# What a test with injected faults runs under: no SDK default retries, no circuit breaker.
NO_SDK_RETRY_ENV = {
    "OCI_SDK_DEFAULT_RETRY_ENABLED": "false",
    "OCI_SDK_DEFAULT_CIRCUITBREAKER_ENABLED": "false",
}


class OciSimulator(object):
    """``python -m simulators.oci`` in a subprocess, plus its /_sim/ control API."""

    def __init__(self, state_dir, args=()):
        self.state_dir = state_dir
        ready = os.path.join(state_dir, "ready.json")
        env = dict(os.environ, PYTHONPATH=os.path.join(REPO, "tests"))
        self.log = open(os.path.join(os.path.dirname(state_dir), "oci-simulator.log"), "ab")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "simulators.oci", "--host", "127.0.0.1", "--port", "0",
             "--state-dir", state_dir, "--ready-file", ready] + list(args),
            env=env, stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.time() + 60
        while not os.path.exists(ready):
            if self.process.poll() is not None or time.time() > deadline:
                raise RuntimeError("OCI simulator did not start; see %s" % self.log.name)
            time.sleep(0.05)
        with open(ready) as handle:
            info = json.load(handle)
        self.url = info["url"]
        self.ca_path = info.get("ca_path")
        with open(os.path.join(state_dir, "fixtures.json")) as handle:
            self.fixtures = json.load(handle)

    def control(self, method, path, body=None):
        reply = requests.request(method, self.url + "/_sim/" + path, json=body,
                                 verify=self.ca_path or False, timeout=30)
        reply.raise_for_status()
        return reply.json() if reply.content else None

    def stats(self):
        return self.control("GET", "stats")

    def writes(self):
        return self.stats()["writes"]

    def calls(self):
        return self.stats()["calls"]

    def reset_stats(self):
        self.control("POST", "stats/reset")

    def reset(self):
        self.control("DELETE", "faults")
        self.control("POST", "config", {"lifecycle_reads": 0, "settle_seconds": 5.0, "page_size": 50})
        self.control("POST", "state/reset")
        self.control("POST", "stats/reset")

    def faults(self, rules):
        self.control("POST", "faults", {"rules": rules})

    def state(self):
        return self.control("GET", "state")

    def secret_values(self):
        return self.control("GET", "secrets")["secrets"]

    def secret(self, name):
        for secret in self.state()["secrets"].values():
            if secret["secretName"] == name:
                return secret
        return None

    def drift(self, name, content):
        return self.control("POST", "drift", {"name": name, "content": content})

    def stop(self):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
        self.log.close()


@pytest.fixture(scope="session")
def oci_simulator_class():
    """OciSimulator, for tests that start a simulator of their own."""
    return OciSimulator


@pytest.fixture(scope="session")
def _oci_simulator(tmp_path_factory):
    base = tmp_path_factory.mktemp("oci-sim")
    simulator = OciSimulator(str(base / "oci"))
    yield simulator
    simulator.stop()


@pytest.fixture
def oci_sim(_oci_simulator):
    """The session's OCI simulator: fixtures only, no faults, counters at zero."""
    _oci_simulator.reset()
    return _oci_simulator


@pytest.fixture
def oci_auth(oci_sim):
    """module_defaults for group/scanops.qualys.oci that reach the simulator."""
    return {
        "config_file": oci_sim.fixtures["config_file"],
        "config_profile": "DEFAULT",
        "service_endpoint": oci_sim.url,
        "cert_bundle": oci_sim.ca_path,
    }


@pytest.fixture
def oci_ids(oci_sim):
    """compartment_id, vault_id and key_id of the simulator's fixtures."""
    f = oci_sim.fixtures
    return {"compartment_id": f["compartment_id"], "vault_id": f["vault_id"], "key_id": f["key_id"]}


@pytest.fixture
def oci_env():
    return dict(NO_SDK_RETRY_ENV)
