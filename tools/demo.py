# -*- coding: utf-8 -*-
# Copyright (c) scanops.qualys contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""`make demo`: start the simulators (state kept in .demo/), run the main playbook against them, stop them.

Extra arguments go to ansible-playbook, e.g. `make demo ARGS="--check --diff"`.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os
import signal
import subprocess
import sys
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEMO = os.path.join(REPO, ".demo")
BIN = os.path.dirname(sys.executable)
PLAYBOOK = os.path.join(REPO, "playbooks", "restricted_api_user.yml")
DEMO_VARS = os.path.join(REPO, "playbooks", "vars", "demo.yml")
QUALYS_ADMIN = ("scanops_admin", "scanops-demo-Admin1!")


def start(name):
    state_dir = os.path.join(DEMO, name)
    os.makedirs(state_dir, exist_ok=True)
    ready = os.path.join(state_dir, "ready.json")
    if os.path.exists(ready):
        os.unlink(ready)
    log = open(os.path.join(state_dir, "simulator.log"), "ab")
    process = subprocess.Popen(
        [sys.executable, "-m", "simulators.%s" % name, "--host", "127.0.0.1", "--port", "0",
         "--state-dir", state_dir, "--ready-file", ready],
        env=dict(os.environ, PYTHONPATH=os.path.join(REPO, "tests")), stdout=log, stderr=subprocess.STDOUT)
    deadline = time.time() + 60
    while not os.path.exists(ready):
        if process.poll() is not None or time.time() > deadline:
            sys.exit("The %s simulator did not start; see %s" % (name, log.name))
        time.sleep(0.05)
    with open(ready) as handle:
        info = json.load(handle)
    info["process"] = process
    info["state_dir"] = state_dir
    return info


def stop(info):
    process = info["process"]
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()


def main(argv):
    qualys = start("qualys")
    oci = start("oci")
    try:
        with open(os.path.join(oci["state_dir"], "fixtures.json")) as handle:
            fixtures = json.load(handle)
        env = dict(os.environ)
        env.update({
            # Connection settings reach the modules the way AWX injects them: as environment variables.
            "QUALYS_URL": qualys["url"],
            # A private URL has no known gateway: the simulator serves both.
            "QUALYS_GATEWAY_URL": qualys["url"],
            "QUALYS_USERNAME": QUALYS_ADMIN[0],
            "QUALYS_PASSWORD": QUALYS_ADMIN[1],
            "QUALYS_CA_PATH": qualys["ca_path"] or "",
            "OCI_CONFIG_FILE": fixtures["config_file"],
            "OCI_CONFIG_PROFILE": fixtures.get("profile", "DEFAULT"),
            "OCI_SERVICE_ENDPOINT": oci["url"],
            "OCI_ANSIBLE_CERT_BUNDLE": oci["ca_path"] or "",
            "ANSIBLE_COLLECTIONS_PATH": os.path.join(REPO, ".build", "collections"),
            "ANSIBLE_CONFIG": os.path.join(REPO, "ansible.cfg"),
            "PATH": BIN + os.pathsep + env.get("PATH", ""),
        })
        demo_env = {
            "demo_compartment_id": fixtures["compartment_id"],
            "demo_vault_id": fixtures["vault_id"],
            "demo_key_id": fixtures["key_id"],
        }
        command = [os.path.join(BIN, "ansible-playbook"), PLAYBOOK, "-e", "@" + DEMO_VARS, "-e", json.dumps(demo_env)] + argv
        print("Simulators: Qualys %s, OCI %s (state in .demo/)" % (qualys["url"], oci["url"]))
        return subprocess.call(command, cwd=REPO, env=env)
    finally:
        stop(oci)
        stop(qualys)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
