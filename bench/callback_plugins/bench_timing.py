# -*- coding: utf-8 -*-
# Copyright (c) scanops.qualys contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Benchmark-only callback: the wall time of every task on every host, as JSON."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os
import resource
import ssl
import time

try:
    from urllib.request import urlopen
except ImportError:  # Python 2 is not supported by the benchmark
    urlopen = None

from ansible.plugins.callback import CallbackBase

DOCUMENTATION = r"""
name: bench_timing
type: aggregate
short_description: Time every task for the scanops.qualys benchmark
description:
  - Writes one record per task and host (name, action, start, end, status) and the play recap to the file
    named by E(BENCH_TIMING_FILE).
  - With E(BENCH_SNAPSHOT) (JSON with C(urls), simulator name to URL, and C(ca), the CA file), also notes at
    each task start the controller's CPU time, the whole machine's busy CPU time and how many calls each
    simulator has counted, so that the benchmark can tell what each task phase cost.
"""


def _machine_busy():
    """CPU seconds the whole machine has been busy (every process, every core; Linux /proc/stat, else None)."""
    try:
        with open("/proc/stat") as handle:
            fields = [int(value) for value in handle.readline().split()[1:]]
    except (OSError, ValueError):
        return None
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)
    return (sum(fields[:8]) - idle) / float(os.sysconf("SC_CLK_TCK"))


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "aggregate"
    CALLBACK_NAME = "bench_timing"
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self, *args, **kwargs):
        super(CallbackModule, self).__init__(*args, **kwargs)
        self.started = time.time()
        self.task_started = {}
        self.host_started = {}
        self.records = []
        self.snapshots = []
        self.snapshot_config = json.loads(os.environ.get("BENCH_SNAPSHOT") or "null")

    def _snapshot(self, name):
        if not self.snapshot_config:
            return
        usage = [resource.getrusage(who) for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)]
        entry = {"task": name, "time": time.time(), "cpu": sum(u.ru_utime + u.ru_stime for u in usage),
                 "machine_busy": _machine_busy(), "calls": {}}
        context = ssl.create_default_context(cafile=self.snapshot_config.get("ca"))
        for service, url in self.snapshot_config["urls"].items():
            with urlopen(url + "/_sim/stats", context=context, timeout=30) as reply:
                stats = json.loads(reply.read().decode("utf-8"))
            entry["calls"][service] = len(stats["calls"]) + stats.get("calls_dropped", 0)
        self.snapshots.append(entry)

    def v2_playbook_on_task_start(self, task, is_conditional):
        self._snapshot(task.get_name())
        self.task_started[task._uuid] = time.time()

    def v2_runner_on_start(self, host, task):
        self.host_started[(host.get_name(), task._uuid)] = time.time()

    def _record(self, result, status):
        now = time.time()
        task = result._task
        host = result._host.get_name()
        self.records.append({
            "task": task.get_name(),
            "action": task.action,
            "host": host,
            "status": status,
            # From the start of the task (what a user waits for on one host) and from the worker's start.
            "task_start": self.task_started.get(task._uuid, now),
            "host_start": self.host_started.get((host, task._uuid), now),
            "end": now,
        })

    def v2_runner_on_ok(self, result):
        self._record(result, "changed" if result._result.get("changed") else "ok")

    def v2_runner_on_failed(self, result, ignore_errors=False):
        self._record(result, "ignored" if ignore_errors else "failed")

    def v2_runner_on_skipped(self, result):
        self._record(result, "skipped")

    def v2_runner_on_unreachable(self, result):
        self._record(result, "unreachable")

    def v2_playbook_on_stats(self, stats):
        self._snapshot("end")
        path = os.environ.get("BENCH_TIMING_FILE")
        if not path:
            return
        hosts = sorted(stats.processed.keys())
        recap = dict((host, stats.summarize(host)) for host in hosts)
        with open(path, "w") as handle:
            json.dump({"started": self.started, "ended": time.time(), "tasks": self.records, "recap": recap,
                       "snapshots": self.snapshots}, handle)
