# -*- coding: utf-8 -*-
# Copyright (c) scanops.qualys contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""End-to-end test fixtures: real simulators in subprocesses, real ansible-playbook runs.

The harness itself (simulators, the playbook runner, the AWX environment) is the ``harness`` package in
tests/harness, which bench/run.py uses too: test files import it (``from harness import ...``), never this
file. The fixtures below are built on it.

Fixtures:
- ``qualys_sim``: a Qualys simulator for this test session (HTTPS, its own CA),
  emptied before each test that asks for it.
- ``run_play``: runs tasks on localhost with the collection and returns a PlayResult.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import subprocess
import sys

import pytest

# The tests directory: the harness and the simulators are imported from it.
TESTS = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if TESTS not in sys.path:
    sys.path.insert(0, TESTS)

from harness import BIN, QUALYS_ADMIN, REPO, OciSimulator, Simulator, link_collection, run_playbook  # noqa: E402  pylint: disable=wrong-import-position


@pytest.fixture(scope="session")
def run_play():
    link_collection()
    return run_playbook


@pytest.fixture(scope="session")
def _qualys_simulator(tmp_path_factory):
    state_dir = str(tmp_path_factory.mktemp("qualys-sim"))
    simulator = Simulator("qualys", state_dir)
    yield simulator
    simulator.stop()


@pytest.fixture
def qualys_sim(_qualys_simulator):
    """The session's Qualys simulator, emptied, with no faults and zeroed counters."""
    _qualys_simulator.reset()
    return _qualys_simulator


@pytest.fixture
def qualys_auth(qualys_sim):
    """Connection options for module_defaults: group/scanops.qualys.qualys."""
    return {"url": qualys_sim.url, "gateway_url": qualys_sim.url, "username": QUALYS_ADMIN[0], "password": QUALYS_ADMIN[1],
            "ca_path": qualys_sim.ca_path, "max_wait": 5}


# What a test with injected OCI faults runs under: no SDK default retries, no circuit breaker.
NO_SDK_RETRY_ENV = {
    "OCI_SDK_DEFAULT_RETRY_ENABLED": "false",
    "OCI_SDK_DEFAULT_CIRCUITBREAKER_ENABLED": "false",
}


@pytest.fixture(scope="session")
def oci_simulator_class():
    """OciSimulator, for tests that start a simulator of their own."""
    return OciSimulator


@pytest.fixture(scope="session")
def _oci_simulator(tmp_path_factory):
    simulator = OciSimulator(str(tmp_path_factory.mktemp("oci-sim") / "oci"))
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
    fixtures = oci_sim.fixtures
    return {"compartment_id": fixtures["compartment_id"], "vault_id": fixtures["vault_id"], "key_id": fixtures["key_id"]}


@pytest.fixture
def oci_env():
    return dict(NO_SDK_RETRY_ENV)


@pytest.fixture(scope="session")
def installed_collection(tmp_path_factory):
    """The collection as users get it: the built tarball installed into a collections path of its own.

    Returns that collections path (for ANSIBLE_COLLECTIONS_PATH); playbooks run from it see only
    what the tarball ships.
    """
    work = tmp_path_factory.mktemp("installed")
    galaxy = os.path.join(BIN, "ansible-galaxy")
    subprocess.run([galaxy, "collection", "build", "--force", "--output-path", str(work / "dist"), REPO],
                   check=True, capture_output=True, text=True, timeout=300)
    tarballs = sorted((work / "dist").glob("scanops-qualys-*.tar.gz"))
    assert len(tarballs) == 1, tarballs
    path = str(work / "collections")
    subprocess.run([galaxy, "collection", "install", "--force", "-p", path, str(tarballs[0])],
                   check=True, capture_output=True, text=True, timeout=300,
                   env=dict(os.environ, ANSIBLE_COLLECTIONS_PATH=path))
    return path
