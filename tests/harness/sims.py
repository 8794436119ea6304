# -*- coding: utf-8 -*-
# Copyright (c) scanops.qualys contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The simulators (tests/simulators) as subprocesses, with their /_sim/ control API."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import base64
import json
import os
import signal
import subprocess
import sys
import time

import requests

from .paths import TESTS


class Simulator:
    """A simulator subprocess and its /_sim/ control API."""

    def __init__(self, name, state_dir, args=()):
        self.name = name
        self.state_dir = state_dir
        ready = os.path.join(state_dir, "ready.json")
        if os.path.exists(ready):
            os.unlink(ready)
        env = dict(os.environ, PYTHONPATH=TESTS)
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

    def current_json(self, name):
        """The CURRENT version of secret ``name``, decoded as JSON (what a consumer of the secret reads)."""
        version = [v for v in self.secret(name)["versions"] if "CURRENT" in v["stages"]][0]
        return json.loads(base64.b64decode(version["content"]).decode("utf-8"))

    def drift(self, name, content):
        return self.control("POST", "drift", {"name": name, "content": content})
