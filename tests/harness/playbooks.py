# -*- coding: utf-8 -*-
# Copyright (c) scanops.qualys contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one playbook runner: ansible-playbook in a subprocess with the collection linked and a recording callback."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import collections
import json
import os
import re
import subprocess
import sys
import tempfile

from .paths import BIN, CALLBACKS, REPO, link_collection

# A callback plugin that writes what a run did to a JSON file: its directory, its name, and the environment
# variable that names the file.
Callback = collections.namedtuple("Callback", "directory name file_variable")

# The integration tests' callback: every task's result and the stats (PlayResult).
RECORD = Callback(CALLBACKS, "scanops_record", "SCANOPS_RECORD_FILE")


class PlayResult:
    """What ansible-playbook did: exit code, output, what the callback recorded and every task's result."""

    def __init__(self, rc, stdout, stderr, record):
        self.rc = rc
        self.stdout = stdout
        self.stderr = stderr
        self.record = record
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


def ansible_env(collections_path=None, env=None):
    """The environment of an ansible-playbook run: the collection, no colour, this Python, quiet warnings; ``env`` wins."""
    run_env = dict(os.environ)
    run_env.update({
        "ANSIBLE_COLLECTIONS_PATH": collections_path or link_collection(),
        "ANSIBLE_NOCOLOR": "1",
        "ANSIBLE_PYTHON_INTERPRETER": sys.executable,
        "ANSIBLE_LOCALHOST_WARNING": "0",
        "ANSIBLE_INVENTORY_UNPARSED_WARNING": "0",
        "ANSIBLE_DEPRECATION_WARNINGS": "0",
        "PATH": BIN + os.pathsep + os.environ.get("PATH", ""),
    })
    run_env.update(env or {})
    return run_env


def playbook_env(record, collections_path=None, env=None, callback=RECORD):
    """ansible_env() with ``callback`` enabled, writing to the file ``record``."""
    settings = {
        "ANSIBLE_CALLBACK_PLUGINS": callback.directory,
        "ANSIBLE_CALLBACKS_ENABLED": callback.name,
        callback.file_variable: record,
    }
    settings.update(env or {})
    return ansible_env(collections_path, settings)


def run_command(arguments, cwd, env=None, collections_path=None, timeout=600, callback=RECORD):
    """Run ``ansible-playbook <arguments>`` in ``cwd`` exactly as a user types it; return a PlayResult.

    ``callback`` records the run (by default the tasks' results; bench/run.py passes its timing callback).
    """
    with tempfile.TemporaryDirectory() as work:
        record = os.path.join(work, "record.json")
        command = [os.path.join(BIN, "ansible-playbook")] + list(arguments)
        done = subprocess.run(command, cwd=cwd, env=playbook_env(record, collections_path, env, callback),
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


RECAP = re.compile(r"^(\S+)\s+: ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)", re.M)


def run_playbook_file(playbook, inventory, extra_vars=None, env=None, extra_args=(), work_dir=None):
    """ansible-playbook on a playbook file of this collection with an inventory file; returns (CompletedProcess, recap).

    No recording callback (many forks, long output). ``recap`` maps each host to
    {"ok", "changed", "unreachable", "failed"} from the PLAY RECAP.
    """
    command = [os.path.join(BIN, "ansible-playbook"), "-i", inventory, os.path.join(REPO, "playbooks", playbook)]
    if extra_vars:
        vars_file = os.path.join(work_dir, "extra_vars.json")
        with open(vars_file, "w") as handle:
            json.dump(extra_vars, handle)
        command += ["-e", "@" + vars_file]
    command += list(extra_args)
    done = subprocess.run(command, cwd=work_dir, env=ansible_env(env=env), capture_output=True, text=True, timeout=900,
                          check=False)
    recap = dict((host, {"ok": int(ok), "changed": int(changed), "unreachable": int(unreachable), "failed": int(failed)})
                 for host, ok, changed, unreachable, failed in RECAP.findall(done.stdout))
    return done, recap
