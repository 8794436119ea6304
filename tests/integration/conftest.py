# -*- coding: utf-8 -*-
# Copyright (c) scanops.qualys contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""End-to-end test harness: real simulators in subprocesses, real ansible-playbook runs.

Fixtures:
- ``qualys_sim``: a Qualys simulator for this test session (HTTPS, its own CA),
  emptied before each test that asks for it.
- ``run_play``: runs tasks on localhost with the collection and returns a PlayResult.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os
import signal
import subprocess
import sys
import tempfile
import time

import pytest
import requests

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
COLLECTIONS = os.path.join(REPO, ".build", "collections")
CALLBACKS = os.path.join(REPO, "tests", "integration", "callback_plugins")
BIN = os.path.dirname(sys.executable)

QUALYS_ADMIN = ("scanops_admin", "scanops-demo-Admin1!")

# The simulators' own tests import them directly.
sys.path.insert(0, os.path.join(REPO, "tests"))


def link_collection():
    """Make this checkout importable as scanops.qualys for ansible-playbook."""
    namespace = os.path.join(COLLECTIONS, "ansible_collections", "scanops")
    link = os.path.join(namespace, "qualys")
    os.makedirs(namespace, exist_ok=True)
    if not os.path.islink(link):
        os.symlink(REPO, link)
    return COLLECTIONS


class Simulator:
    """A simulator subprocess and its /_sim/ control API."""

    def __init__(self, name, state_dir, args=()):
        self.name = name
        self.state_dir = state_dir
        ready = os.path.join(state_dir, "ready.json")
        if os.path.exists(ready):
            os.unlink(ready)
        env = dict(os.environ, PYTHONPATH=os.path.join(REPO, "tests"))
        os.makedirs(state_dir, exist_ok=True)
        self.log = open(os.path.join(state_dir, "simulator.log"), "ab")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "simulators.%s" % name, "--host", "127.0.0.1", "--port", "0",
             "--state-dir", state_dir, "--ready-file", ready] + list(args),
            env=env, stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.time() + 60
        while not os.path.exists(ready):
            if self.process.poll() is not None or time.time() > deadline:
                raise RuntimeError("simulator %s did not start; see %s" % (name, self.log.name))
            time.sleep(0.05)
        with open(ready) as handle:
            info = json.load(handle)
        self.url = info["url"]
        self.ca_path = info.get("ca_path")
        self.info = info

    def control(self, method, path, body=None):
        reply = requests.request(method, self.url + "/_sim/" + path, json=body,
                                 verify=self.ca_path or False, timeout=60)
        reply.raise_for_status()
        return reply.json() if reply.content else None

    def stats(self):
        return self.control("GET", "stats")

    def writes(self):
        return self.stats()["writes"]

    def reset_stats(self):
        self.control("POST", "stats/reset")

    def state(self):
        return self.control("GET", "state")

    def reset(self):
        self.control("DELETE", "faults")
        self.control("POST", "state/reset")
        self.control("POST", "stats/reset")

    def secrets(self):
        return self.control("GET", "secrets")

    def stop(self):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
        self.log.close()


class OciSimulator(Simulator):
    """The OCI simulator: also its fixtures (config file, OCIDs) and drift injection."""

    def __init__(self, state_dir, args=()):
        super(OciSimulator, self).__init__("oci", state_dir, args)
        with open(os.path.join(state_dir, "fixtures.json")) as handle:
            self.fixtures = json.load(handle)

    def reset(self):
        self.control("DELETE", "faults")
        self.control("POST", "config", {"lifecycle_reads": 0, "settle_seconds": 5.0, "page_size": 50})
        self.control("POST", "state/reset")
        self.control("POST", "stats/reset")

    def calls(self):
        return self.stats()["calls"]

    def faults(self, rules):
        self.control("POST", "faults", {"rules": rules})

    def secret_values(self):
        return self.control("GET", "secrets")["secrets"]

    def secret(self, name):
        for secret in self.state()["secrets"].values():
            if secret["secretName"] == name:
                return secret
        return None

    def drift(self, name, content):
        return self.control("POST", "drift", {"name": name, "content": content})


class PlayResult:
    """What ansible-playbook did: exit code, output and every task's result."""

    def __init__(self, rc, stdout, stderr, record):
        self.rc = rc
        self.stdout = stdout
        self.stderr = stderr
        self.tasks = record.get("tasks", [])
        self.stats = record.get("stats", {})

    @property
    def output(self):
        return self.stdout + self.stderr

    def task(self, name):
        """The result of the last task called ``name`` (a role task's "role : " prefix may be left out)."""
        for entry in reversed(self.tasks):
            if entry["task"] == name or entry["task"].endswith(" : " + name):
                return entry["result"]
        raise KeyError("no task named %r; tasks: %s" % (name, [t["task"] for t in self.tasks]))

    @property
    def changed(self):
        return self.stats.get("changed", 0)

    @property
    def failed(self):
        return self.stats.get("failures", 0)

    def __repr__(self):
        failures = ["%s: %s" % (t["task"], t["result"].get("msg")) for t in self.tasks if "failed" in t["status"]]
        return "PlayResult(rc=%s, stats=%s, failures=%s)\n%s\n%s" % (
            self.rc, self.stats, failures, self.stdout[-4000:], self.stderr[-2000:])


def playbook_env(record, collections_path=None, env=None):
    """The environment of a test's ansible-playbook run: the collection, the recording callback, quiet warnings."""
    run_env = dict(os.environ)
    run_env.update({
        "ANSIBLE_COLLECTIONS_PATH": collections_path or link_collection(),
        "ANSIBLE_CALLBACK_PLUGINS": CALLBACKS,
        "ANSIBLE_CALLBACKS_ENABLED": "scanops_record",
        "SCANOPS_RECORD_FILE": record,
        "ANSIBLE_NOCOLOR": "1",
        "ANSIBLE_PYTHON_INTERPRETER": sys.executable,
        "ANSIBLE_LOCALHOST_WARNING": "0",
        "ANSIBLE_INVENTORY_UNPARSED_WARNING": "0",
        "ANSIBLE_DEPRECATION_WARNINGS": "0",
        "PATH": BIN + os.pathsep + os.environ.get("PATH", ""),
    })
    run_env.update(env or {})
    return run_env


def run_command(arguments, cwd, env=None, collections_path=None, timeout=600):
    """Run ``ansible-playbook <arguments>`` in ``cwd`` exactly as a user types it; return a PlayResult."""
    with tempfile.TemporaryDirectory() as work:
        record = os.path.join(work, "record.json")
        command = [os.path.join(BIN, "ansible-playbook")] + list(arguments)
        done = subprocess.run(command, cwd=cwd, env=playbook_env(record, collections_path, env),
                              capture_output=True, text=True, timeout=timeout, check=False)
        data = {}
        if os.path.exists(record):
            with open(record) as handle:
                data = json.load(handle)
        return PlayResult(done.returncode, done.stdout, done.stderr, data)


def run_playbook(tasks, check=False, diff=False, verbosity=0, extra_vars=None, env=None,
                 module_defaults=None, play_vars=None, extra_args=()):
    """Run ``tasks`` in one play on localhost; return a PlayResult."""
    play = {"name": "test", "hosts": "localhost", "gather_facts": False, "tasks": tasks}
    if module_defaults:
        play["module_defaults"] = module_defaults
    if play_vars:
        play["vars"] = play_vars
    with tempfile.TemporaryDirectory() as work:
        playbook = os.path.join(work, "play.yml")
        with open(playbook, "w") as handle:
            json.dump([play], handle)
        arguments = ["-i", "localhost,", "-c", "local", playbook]
        if check:
            arguments.append("--check")
        if diff:
            arguments.append("--diff")
        if verbosity:
            arguments.append("-" + "v" * verbosity)
        if extra_vars:
            # From a file, as users pass secrets: -vvvv echoes command-line extra vars.
            vars_file = os.path.join(work, "extra_vars.json")
            with open(vars_file, "w") as handle:
                json.dump(extra_vars, handle)
            arguments += ["-e", "@" + vars_file]
        arguments += list(extra_args)
        return run_command(arguments, cwd=work, env=env)


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
