# -*- coding: utf-8 -*-
# Copyright (c) scanops.qualys contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""`make tenant-check`: the tenant self-check, write checks included, against the local Qualys simulator.

Starts the simulator (state in .demo/tenant-check/, emptied first), adds one throwaway user for the password
check, runs playbooks/tenant_check.yml with -e tenant_check_writes=true, stops the simulator and says where the
verdict is. Extra arguments go to ansible-playbook. Against a real subscription, run the playbook itself.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os
import signal
import subprocess
import sys
import time

import requests

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
WORK = os.path.join(REPO, ".demo", "tenant-check")
BIN = os.path.dirname(sys.executable)
PLAYBOOK = os.path.join(REPO, "playbooks", "tenant_check.yml")
QUALYS_ADMIN = ("scanops_admin", "scanops-demo-Admin1!")


def start():
    state_dir = os.path.join(WORK, "qualys")
    os.makedirs(state_dir, exist_ok=True)
    ready = os.path.join(state_dir, "ready.json")
    if os.path.exists(ready):
        os.unlink(ready)
    log = open(os.path.join(state_dir, "simulator.log"), "ab")
    process = subprocess.Popen(
        [sys.executable, "-m", "simulators.qualys", "--host", "127.0.0.1", "--port", "0",
         "--state-dir", state_dir, "--ready-file", ready],
        env=dict(os.environ, PYTHONPATH=os.path.join(REPO, "tests")), stdout=log, stderr=subprocess.STDOUT)
    deadline = time.time() + 60
    while not os.path.exists(ready):
        if process.poll() is not None or time.time() > deadline:
            sys.exit("The qualys simulator did not start; see %s" % log.name)
        time.sleep(0.05)
    with open(ready) as handle:
        info = json.load(handle)
    info["process"] = process
    return info


def stop(info):
    process = info["process"]
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()


def control(info, method, path, body=None):
    reply = requests.request(method, info["url"] + "/_sim/" + path, json=body, verify=info["ca_path"] or False,
                             timeout=60)
    reply.raise_for_status()
    return reply.json() if reply.content else None


def throwaway_user(info):
    """A throwaway user of the empty simulator, for the password check."""
    control(info, "POST", "seed", {"users": 1})
    admin = QUALYS_ADMIN[0]
    logins = [user["login"] for user in control(info, "GET", "state")["users"] if user["login"] != admin]
    return logins[0]


def main(argv):
    qualys = start()
    try:
        control(qualys, "POST", "state/reset")
        login = throwaway_user(qualys)
        env = dict(os.environ)
        env.update({
            # Connection settings reach the module the way AWX injects them: as environment variables.
            "QUALYS_URL": qualys["url"],
            # A private URL has no known gateway: the simulator serves both.
            "QUALYS_GATEWAY_URL": qualys["url"],
            "QUALYS_USERNAME": QUALYS_ADMIN[0],
            "QUALYS_PASSWORD": QUALYS_ADMIN[1],
            "QUALYS_CA_PATH": qualys["ca_path"] or "",
            "ANSIBLE_COLLECTIONS_PATH": os.path.join(REPO, ".build", "collections"),
            "ANSIBLE_CONFIG": os.path.join(REPO, "ansible.cfg"),
            "PATH": BIN + os.pathsep + env.get("PATH", ""),
        })
        command = [os.path.join(BIN, "ansible-playbook"), PLAYBOOK, "-e", "tenant_check_writes=true",
                   "-e", "tenant_check_throwaway_user=%s" % login, "-e", "tenant_check_dir=%s" % WORK] + argv
        print("Qualys simulator at %s (state in .demo/tenant-check/); throwaway user %s" % (qualys["url"], login))
        code = subprocess.call(command, cwd=REPO, env=env)
    finally:
        stop(qualys)
    report = os.path.join(WORK, "tenant_check.md")
    if code == 0 and os.path.exists(report):
        print("Verdict: %s (and tenant_check.json beside it)" % os.path.relpath(report, os.getcwd()))
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
