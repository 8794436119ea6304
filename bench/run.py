# -*- coding: utf-8 -*-
# Copyright (c) scanops.qualys contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""`make bench`: API calls, scale, per-task overhead, fan-out and latency of the collection.

Runs the real playbooks against the local simulators (the same harness as the
integration tests: the ``harness`` package in tests/, imported with the tests
directory added to sys.path once, below), writes bench/results.json and prints
a table. The method is described in bench/README.md.

    python bench/run.py [--items api_calls,scale,task_overhead,fanout,latency] [--output bench/results.json]
                        [--rounds 9] [--process-rounds 5] [--fanout-users 50] [--forks 10] [--enforce-budgets]

The experiments are named for what they measure (EXPERIMENTS); the numbers 1 to 5
they had before are still accepted by --items.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import argparse
import collections
import json
import math
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time

import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
# The one addition to sys.path: the tests directory, which holds the harness (tests/harness) and the
# simulators it starts (tests/simulators).
TESTS = os.path.join(REPO, "tests")
if TESTS not in sys.path:
    sys.path.insert(0, TESTS)

from harness import (  # noqa: E402  pylint: disable=wrong-import-position
    QUALYS_ADMIN,
    Callback,
    OciSimulator,
    Simulator,
    awx_env,
    link_collection,
    run_command,
)

OUTPUT = os.path.join(HERE, "output")
PLAYBOOK = os.path.join(REPO, "playbooks", "restricted_api_user.yml")
DEMO_VARS = os.path.join(REPO, "playbooks", "vars", "demo.yml")
# The bench's own callback: every task's start and end, CPU and call counters at each task start.
TIMING = Callback(os.path.join(HERE, "callback_plugins"), "bench_timing", "BENCH_TIMING_FILE")

# The experiments, by the name they have in results.json, in --items and in bench/README.md, in the order
# they run; --items also takes their former numbers (1 to 5, the position here).
EXPERIMENTS = ("api_calls", "scale", "task_overhead", "fanout", "latency")

# The budgets of issue 9.
OVERHEAD_BUDGET = {"qualys": 1.5, "oci": 2.5}
SCALE_WALL_BUDGET = 1.5
FANOUT_BUDGET = 1.5

# The Qualys subscription size of the scale experiment.
SEED = {"users": 10000, "asset_groups": 10000, "tags": 10000}

# fanout: 50 users, forks 10, the simulator's default concurrency limit (2
# calls per endpoint) and a rate limit scaled down so that it binds within a
# short run: 30 calls per endpoint per "hour", the hour scaled to 10 s by
# towait_scale. Every reply takes 250 ms, so calls overlap as they would on
# a real subscription.
FANOUT = {"users": 50, "forks": 10, "latency_ms": 250,
          "limits": {"concurrency_limit": 2, "rate_limit": 30, "rate_window_sec": 3600, "towait_scale": 10.0 / 3600}}
# latency: the delay added to every reply of the runs paired with runs at zero latency.
LATENCY_MS = 150

# The budgets of issue 19, checked by `make bench` (a failed one fails it only with --enforce-budgets).
# Whole-process ratio, one-task playbook / one-ping-task playbook, at zero latency.
PROCESS_BUDGET = {"qualys": 1.25, "oci": 1.5}
# Reads made as a service user that the floor of a no-op reapply allows: one credential check per user (the list of
# its asset groups, which also shows its scope).
VERIFICATION_FLOOR_PER_USER = 1
# Role no-op wall time against a baseline checkout (--baseline): at most this ratio.
BASELINE_WALL_BUDGET = 0.8
# Paired rounds of the whole-process measure and of latency when --process-rounds is not given: --rounds, at most this.
PROCESS_ROUNDS = 5
# Actions of the collection: a task running one of them is a module call of a managed object (or of its API).
COLLECTION_PREFIX = "scanops.qualys."

# What a read at an endpoint is a read of (managed object kind), for the
# per-object read budget. Calls made as a service user are verification calls.
READ_KINDS = (
    ("qualys", "POST /api/2.0/fo/asset/group/?action=list", "asset_group"),
    ("qualys", "POST /qps/rest/2.0/search/am/tag", "tag"),
    ("qualys", "POST /qps/rest/2.0/search/am/role", "role"),
    ("qualys", "POST /msp/user_list.php", "service_user"),
    ("qualys", "POST /qps/rest/2.0/search/am/user", "service_user"),
    ("oci", "GET /{n}/secrets", "secret"),
    ("oci", "GET /{n}/secretbundles/{id}", "secret"),
    # A secret found by name in its vault: the CURRENT bundle by name, then its metadata by id.
    ("oci", "POST /{n}/secretbundles/actions/getByName", "secret"),
    ("oci", "GET /{n}/secrets/{id}", "secret"),
    ("oci", "GET /{n}/hostScanRecipes", "scan_recipe"),
    ("oci", "GET /{n}/hostScanRecipes/{id}", "scan_recipe"),
)
# The least number of reads that can tell each kind of object unchanged, and why.
READ_FLOOR = {
    "asset_group": (1, "one asset group list filtered by title"),
    "tag": (1, "one am/tag search by name"),
    "role": (1, "one am/role search by name"),
    "service_user": (2, "two APIs hold one user: user_list.php (profile, VM role, asset groups, status; "
                        "the only lookup by external_id) and am/user (Administration roles, scope tags)"),
    "secret": (2, "OCI keeps metadata (list by name) and content (secret bundle) apart; the content must be "
                  "read to compare it"),
    "scan_recipe": (2, "the recipe list by name lacks the agent settings and schedule; one GET by id has them"),
}


# -- running things ----------------------------------------------------------------------------

class Sims:
    """Both simulators, with their state under bench/output/sim."""

    def __init__(self, root=None, qualys=None, oci=None):
        """Start both simulators under ``root``, or use running ones (``qualys``, ``oci``: conftest simulators)."""
        if qualys is None or oci is None:
            os.makedirs(root, exist_ok=True)
            qualys = Simulator("qualys", os.path.join(root, "qualys"))
            oci = OciSimulator(os.path.join(root, "oci"))
        self.qualys = qualys
        self.oci = oci

    def stop(self):
        self.qualys.stop()
        self.oci.stop()

    def reset(self, qualys_config=None, oci_config=None):
        """Empty services, no faults, counters at zero, the simulators' default settings updated with the given ones."""
        self.qualys.reset()
        self.oci.reset()
        self.qualys.control("POST", "config", dict({"latency_ms": 0, "concurrency_limit": 2, "rate_limit": 300,
                                                    "rate_window_sec": 3600, "towait_scale": 1.0},
                                                   **(qualys_config or {})))
        self.oci.control("POST", "config", dict({"latency_ms": 0}, **(oci_config or {})))

    def configure(self, qualys=None, oci=None):
        if qualys:
            self.qualys.control("POST", "config", qualys)
        if oci:
            self.oci.control("POST", "config", oci)

    def zero(self):
        """Zero the counters and the rate windows before a measured run."""
        for sim in (self.qualys, self.oci):
            sim.reset_stats()
        self.qualys.control("POST", "limits/reset")

    def env(self):
        """Connection settings as AWX injects them: environment variables (the harness's awx_env)."""
        return awx_env(self.qualys, self.oci, {"OCI_CONFIG_PROFILE": self.oci.fixtures.get("profile", "DEFAULT")})

    def cpu(self):
        """CPU seconds both simulators have used so far."""
        return _process_cpu(self.qualys.process.pid) + _process_cpu(self.oci.process.pid)

    def ids(self):
        fixtures = self.oci.fixtures
        return {"demo_compartment_id": fixtures["compartment_id"], "demo_vault_id": fixtures["vault_id"],
                "demo_key_id": fixtures["key_id"]}

    def counts(self):
        return {"qualys": summarize_stats(self.qualys.stats(), "qualys"), "oci": summarize_stats(self.oci.stats(), "oci")}


class Run:
    """One ansible-playbook run: exit code, wall time, per-task timings and the recap."""

    def __init__(self, rc, wall, stdout, stderr, timing, cpu=0.0):
        self.rc = rc
        self.wall = wall
        self.cpu = cpu
        self.stdout = stdout
        self.stderr = stderr
        self.tasks = timing.get("tasks", [])
        self.recap = timing.get("recap", {})
        self.snapshots = timing.get("snapshots", [])
        self.started = timing.get("started")

    def total(self, key):
        return sum(host.get(key, 0) for host in self.recap.values())

    @property
    def ok(self):
        return self.rc == 0 and self.total("failures") == 0 and self.total("unreachable") == 0

    def failure_summary(self):
        return "rc=%s recap=%s\n%s\n%s" % (self.rc, self.recap, self.stdout[-3000:], self.stderr[-1500:])


def ansible_playbook(playbook, env, variables=(), inventory=None, forks=None, extra_args=()):
    """Run ``playbook`` with the variable files/dicts ``variables`` (later ones win); return a Run.

    Through the harness's playbook runner, with the timing callback, from the repository (its ansible.cfg).
    """
    # Scratch space for one run; the system temp dir, so a fresh clone (no bench/output yet) works too.
    with tempfile.TemporaryDirectory(prefix="scanops-bench-run-", ignore_cleanup_errors=True) as work:
        arguments = [playbook]
        if inventory:
            arguments += ["-i", inventory]
        if forks:
            arguments += ["--forks", str(forks)]
        for index, item in enumerate(variables):
            if isinstance(item, dict):
                path = os.path.join(work, "vars-%d.json" % index)
                with open(path, "w") as handle:
                    json.dump(item, handle)
                item = path
            arguments += ["-e", "@" + item]
        arguments += list(extra_args)
        run_env = dict(env, ANSIBLE_CONFIG=os.path.join(REPO, "ansible.cfg"))
        # BENCH_COLLECTIONS_PATH benchmarks another copy of the collection (e.g. a candidate change).
        collections_path = os.environ.get("BENCH_COLLECTIONS_PATH") or link_collection()
        cpu_before = _children_cpu()
        started = time.monotonic()
        done = run_command(arguments, cwd=REPO, env=run_env, collections_path=collections_path, timeout=1200,
                           callback=TIMING)
        wall = time.monotonic() - started
        cpu = _children_cpu() - cpu_before
        return Run(done.rc, wall, done.stdout, done.stderr, done.record, cpu)


def _children_cpu():
    """CPU seconds of every finished child process (ansible-playbook, its forks and the modules they ran)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _process_cpu(pid):
    """CPU seconds a running process has used so far (Linux /proc; 0 elsewhere)."""
    try:
        with open("/proc/%d/stat" % pid) as handle:
            fields = handle.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / float(os.sysconf("SC_CLK_TCK"))
    except (OSError, ValueError, IndexError):
        return 0.0


def summarize_stats(stats, stats_service):
    """Simulator counters as {reads, writes, auth, calls, by_endpoint: {endpoint: {read, write, auth}}, ...}."""
    by_endpoint = collections.defaultdict(collections.Counter)
    by_user = collections.Counter()
    refused = collections.Counter()
    for call in stats["calls"]:
        by_endpoint[endpoint_key(call)][call["kind"]] += 1
        if stats_service == "qualys" and call.get("user") and call["user"] != QUALYS_ADMIN[0]:
            by_user[call["kind"] + "_as_service_user"] += 1
        if call.get("status") == 409:
            refused[endpoint_key(call)] += 1
    return {
        "reads": stats["reads"],
        "writes": stats["writes"],
        "auth": stats.get("auth", 0),
        "calls": len(stats["calls"]),
        "calls_dropped": stats.get("calls_dropped", 0),
        "by_endpoint": dict((key, dict(value)) for key, value in sorted(by_endpoint.items())),
        "as_service_user": dict(by_user),
        "refused_409": dict(refused),
        "_calls": stats["calls"],
    }


def endpoint_key(call):
    """The simulators' by_endpoint spelling of one call."""
    path = call["path"]
    parts = []
    for segment in path.split("/"):
        if segment.isdigit():
            segment = "{n}" if not parts or len(parts) == 1 else "{id}"
        elif segment.startswith("ocid1."):
            segment = "{id}"
        parts.append(segment)
    key = "%s %s" % (call["method"].upper(), "/".join(parts))
    if call.get("action"):
        key += "?action=%s" % call["action"]
    return key


def public(counts):
    """Counters without the raw call list."""
    return dict((service, dict((k, v) for k, v in data.items() if not k.startswith("_"))) for service, data in counts.items())


def spread(values, digits=3):
    """min, median and max of a series, rounded."""
    return {"min": round(min(values), digits), "median": round(statistics.median(values), digits),
            "max": round(max(values), digits)}


def short_action(action):
    """A task's action without the ansible.builtin / ansible.legacy prefix (set_fact, include_tasks, ...)."""
    for prefix in ("ansible.builtin.", "ansible.legacy."):
        if action.startswith(prefix):
            return action[len(prefix):]
    return action


def other_tasks(tasks):
    """The tasks of a run that ran (not skipped) without being a module call of the collection.

    set_fact, include_tasks, include_role, debug, assert, set_stats and any other module (file, copy, ...): what a
    run spends beyond reading and writing managed objects. Returns the count and the task names by action.
    """
    by_action = collections.defaultdict(list)
    for task in tasks:
        if task["status"] == "skipped" or task["action"].startswith(COLLECTION_PREFIX):
            continue
        # Without the "role : " prefix, as the fan-out phases name them.
        by_action[short_action(task["action"])].append(task["task"].split(" : ")[-1])
    return {"count": sum(len(names) for names in by_action.values()),
            "by_action": dict((action, names) for action, names in sorted(by_action.items()))}


# -- api_calls and scale: API calls per run ----------------------------------------------------

def role_variables(sims):
    """The demo variables (playbooks/vars/demo.yml) with the simulator's OCIDs and no report files."""
    return [DEMO_VARS, dict(sims.ids(), restricted_api_user_report_dir="")]


def managed_objects(variables_file):
    """Managed objects of one role run, by kind (what a task compares)."""
    with open(variables_file) as handle:
        demo = yaml.safe_load(handle)
    kinds = collections.Counter()
    # Users that share a role share its task: one role object per name.
    kinds["role"] = len(set(user["role"]["name"] for user in demo["restricted_api_user_service_users"]))
    for user in demo["restricted_api_user_service_users"]:
        kinds[user["scope"]["type"]] += 1
        kinds["service_user"] += 1
        kinds["secret"] += 1  # the stored credentials
    if demo.get("restricted_api_user_license"):
        kinds["secret"] += 1
        if demo.get("restricted_api_user_scan_recipe"):
            kinds["scan_recipe"] += 1
    return kinds


def call_budget(counts, objects):
    """Reads per managed object (strict: 1 each; floor: READ_FLOOR) plus verification calls."""
    kind_of = dict(((service, endpoint), kind) for service, endpoint, kind in READ_KINDS)
    reads = collections.Counter()
    other = collections.Counter()
    verification = 0
    for service in ("qualys", "oci"):
        for call in counts[service]["_calls"]:
            if call["kind"] != "read":
                continue
            if service == "qualys" and call.get("user") and call["user"] != QUALYS_ADMIN[0]:
                verification += 1
                continue
            kind = kind_of.get((service, endpoint_key(call)))
            if kind:
                reads[kind] += 1
            else:
                other["%s %s" % (service, endpoint_key(call))] += 1
    per_kind = {}
    for kind, number in sorted(objects.items()):
        floor = READ_FLOOR[kind][0]
        per_kind[kind] = {"objects": number, "reads": reads.get(kind, 0), "floor": floor * number,
                          "why": READ_FLOOR[kind][1]}
    object_reads = sum(reads.values()) + sum(other.values())
    writes = counts["qualys"]["writes"] + counts["oci"]["writes"]
    total_objects = sum(objects.values())
    floor = sum(entry["floor"] for entry in per_kind.values())
    # Every read of the run against the per-kind floor plus one credential check per user.
    all_reads = counts["qualys"]["reads"] + counts["oci"]["reads"]
    reads_floor = floor + VERIFICATION_FLOOR_PER_USER * objects.get("service_user", 0)
    return {
        "reads": all_reads,
        "reads_floor": reads_floor,
        "reads_pass": all_reads <= reads_floor,
        "writes": writes,
        "managed_objects": total_objects,
        "object_reads": object_reads,
        "unattributed_reads": dict(other),
        "verification_calls": verification,
        "per_kind": per_kind,
        "strict_pass": writes == 0 and object_reads <= total_objects,
        "floor_reads": floor,
        "floor_pass": writes == 0 and object_reads <= floor and not other,
    }


def run_role(sims, variables, label):
    """One run of playbooks/restricted_api_user.yml with zeroed counters; its wall time, changes and calls."""
    sims.zero()
    run = ansible_playbook(PLAYBOOK, sims.env(), variables)
    if not run.ok:
        raise SystemExit("%s failed:\n%s" % (label, run.failure_summary()))
    counts = sims.counts()
    return {"wall_s": round(run.wall, 2), "changed": run.total("changed"), "counts": counts,
            "other_tasks": other_tasks(run.tasks)}


def measure_api_calls(sims, seed=None):
    """First run and no-op re-run of the full role (api_calls; scale with ``seed``)."""
    sims.reset()
    if seed:
        started = time.monotonic()
        sims.qualys.control("POST", "seed", seed)
        seeded_in = time.monotonic() - started
    variables = role_variables(sims)
    first = run_role(sims, variables, "first run")
    noop = run_role(sims, variables, "no-op re-run")
    objects = managed_objects(DEMO_VARS)
    result = {
        "first_run": dict(first, counts=public(first["counts"])),
        "noop_run": dict(noop, counts=public(noop["counts"]), budget=call_budget(noop["counts"], objects)),
    }
    if seed:
        result["seed"] = dict(seed, seconds=round(seeded_in, 2))
    return result


# -- task_overhead: per-task overhead -----------------------------------------------------------

def overhead_modules(sims, secret_id="{{ bench_secret.secret.id }}"):
    """Each module with the arguments of its no-op task, and the setup tasks that make the objects first.

    ``secret_id`` is the license secret the scan recipe names: the setup task's registered result within one play,
    the OCID itself in a playbook of its own.
    """
    ids = sims.oci.fixtures
    oci_common = {"compartment_id": ids["compartment_id"]}
    secret = dict(oci_common, vault_id=ids["vault_id"], key_id=ids["key_id"], name="scanops-bench-license",
                  license={"cid": "bench-cid", "aid": "bench-aid", "pws_url": "https://qagpublic.example/", "pws_port": 443})
    user = {"external_id": "scanops-bench-user", "first_name": "Bench", "last_name": "User", "title": "Benchmark",
            "email": "bench@example.com", "phone": "+1 555 0199", "address1": "1 Example Street", "city": "Paris",
            "country": "France", "user_role": "reader", "asset_groups": ["Bench scope"], "roles": ["Bench role"],
            "scope_tags": [], "state": "active"}
    # Each module's task in the no-op state: the setup tasks below made the objects.
    modules = [
        ("qualys_asset_group", {"title": "Bench scope", "ips": ["10.99.0.0/24"], "comments": "bench"}),
        ("qualys_asset_group_info", {"title": "Bench scope"}),
        ("qualys_tag", {"name": "Bench tag", "os_contains": "Linux", "description": "bench"}),
        ("qualys_tag_info", {"name": "Bench tag"}),
        ("qualys_role", {"name": "Bench role", "description": "bench", "api_access": True, "ui_access": False,
                         "permissions": {"VM": ["View"]}, "manage_definition": True}),
        ("qualys_role_info", {"name": "Bench role"}),
        ("qualys_service_user", user),
        ("qualys_service_user_info", {"external_id": "scanops-bench-user"}),
        ("qualys_connection_info", {"applications": ["vmdr"]}),
        ("oci_qualys_secret", secret),
        ("oci_qualys_secret_info", dict(oci_common, vault_id=ids["vault_id"], name="scanops-bench-license")),
        ("oci_qualys_scan_recipe", dict(oci_common, name="scanops-bench-recipe", vault_secret_id=secret_id)),
        ("oci_qualys_scan_recipe_info", dict(oci_common, name="scanops-bench-recipe")),
    ]
    setup = []
    for name, args in modules:
        if name.endswith("_info"):
            continue
        task = {"name": "setup %s" % name, "scanops.qualys.%s" % name: args, "no_log": name == "qualys_service_user"}
        if name == "oci_qualys_secret":
            task["register"] = "bench_secret"
        setup.append(task)
    return modules, setup


def overhead_play(sims, rounds):
    """The task_overhead play: a setup task per resource module, then ``rounds`` of (ping, no-op task) per module."""
    modules, setup = overhead_modules(sims)
    measured = []
    for index in range(rounds):
        for position, (name, args) in enumerate(modules):
            # A ping right before every module task: each pair sees the same machine load.
            measured.append({"name": "bench ping %d.%d" % (index, position), "ansible.builtin.ping": {}})
            measured.append({"name": "bench %s %d" % (name, index), "scanops.qualys.%s" % name: args,
                             "no_log": name == "qualys_service_user"})
    play = {"name": "per-task overhead", "hosts": "localhost", "gather_facts": False, "tasks": setup + measured}
    return play, [name for name, dummy in modules]


def measure_task_overhead(sims, rounds, process_rounds=0):
    sims.reset()
    play, modules = overhead_play(sims, rounds)
    path = os.path.join(OUTPUT, "overhead.yml")
    with open(path, "w") as handle:
        yaml.safe_dump([play], handle, sort_keys=False)
    sims.zero()
    run = ansible_playbook(path, sims.env())
    if not run.ok:
        raise SystemExit("overhead play failed:\n%s" % run.failure_summary())
    durations = collections.defaultdict(list)
    pair_ratios = collections.defaultdict(list)
    changed = []
    last_ping = None
    for task in run.tasks:
        if not task["task"].startswith("bench "):
            continue
        name = task["task"].split(" ")[1]
        seconds = task["end"] - task["task_start"]
        durations[name].append(seconds)
        if name == "ping":
            last_ping = seconds
        elif last_ping:
            pair_ratios[name].append(seconds / last_ping)
        if task["status"] != "ok":
            changed.append(task["task"])
    if changed:
        raise SystemExit("overhead play: measured tasks were not no-ops: %s" % changed)
    ping = statistics.median(durations["ping"])
    per_module = {}
    for name in modules:
        median = statistics.median(durations[name])
        family = "oci" if name.startswith("oci_") else "qualys"
        # The median of (module task / the ping task just before it): load that drifts during the run
        # slows both tasks of a pair alike. The ratio of the medians is kept for comparison.
        ratio = statistics.median(pair_ratios[name])
        per_module[name] = {"median_s": round(median, 3), "ratio": round(ratio, 2),
                            "ratio_of_medians": round(median / ping, 2), "budget": OVERHEAD_BUDGET[family],
                            "pass": ratio <= OVERHEAD_BUDGET[family], "samples": len(durations[name])}
    counts = sims.counts()
    shipped = sorted(name[:-3] for name in os.listdir(os.path.join(REPO, "plugins", "modules")) if name.endswith(".py"))
    result = {"rounds": rounds, "ping_median_s": round(ping, 3), "modules": per_module,
              "not_measured": [name for name in shipped if name not in per_module],
              # The setup tasks' creations; the measured tasks are checked above to be no-ops.
              "setup_writes": counts["qualys"]["writes"] + counts["oci"]["writes"],
              "wall_s": round(run.wall, 2)}
    if process_rounds:
        # The objects the play made are still there: the whole-process runs find them in the no-op state.
        result["whole_process"] = measure_whole_process(sims, process_rounds)
    return result


def one_task_playbook(path, name, task):
    with open(path, "w") as handle:
        yaml.safe_dump([{"name": name, "hosts": "localhost", "gather_facts": False, "tasks": [task]}], handle,
                       sort_keys=False)
    return path


def measure_whole_process(sims, rounds, names=None):
    """Paired, interleaved ansible-playbook runs: one no-op module task against one ping task, per module.

    Each round runs, for every module, its one-task playbook and the one-ping-task playbook back to back, the ping
    first in even rounds and second in odd ones, so that both runs of a pair see the same machine load. Assumes the
    objects of overhead_modules' setup tasks exist (measure_task_overhead's play made them).
    """
    secret = sims.oci.secret("scanops-bench-license")
    if secret is None:
        raise SystemExit("whole-process measure: the license secret of the setup tasks is missing")
    modules, dummy = overhead_modules(sims, secret_id=secret["id"])
    if names:
        modules = [(name, args) for name, args in modules if name in names]
    env = sims.env()
    ping = one_task_playbook(os.path.join(OUTPUT, "process-ping.yml"), "one ping task",
                             {"name": "bench ping", "ansible.builtin.ping": {}})
    playbooks = dict((name, one_task_playbook(os.path.join(OUTPUT, "process-%s.yml" % name), "one %s task" % name,
                                              {"name": "bench %s" % name, "scanops.qualys.%s" % name: args,
                                               "no_log": name == "qualys_service_user"}))
                     for name, args in modules)
    pings = collections.defaultdict(list)
    walls = collections.defaultdict(list)
    ratios = collections.defaultdict(list)
    sims.zero()
    for index in range(rounds):
        for name, dummy in modules:
            order = [(None, ping), (name, playbooks[name])]
            if index % 2:
                order.reverse()
            pair = {}
            for which, path in order:
                run = ansible_playbook(path, env)
                if not run.ok or run.total("changed"):
                    raise SystemExit("whole-process run of %s was not a no-op:\n%s" % (path, run.failure_summary()))
                pair[which] = run.wall
            pings[name].append(pair[None])
            walls[name].append(pair[name])
            ratios[name].append(pair[name] / pair[None])
    counts = sims.counts()
    per_module = {}
    for name, dummy in modules:
        family = "oci" if name.startswith("oci_") else "qualys"
        ratio = spread(ratios[name], 2)
        per_module[name] = {"ratio": ratio, "wall_s": spread(walls[name]), "ping_wall_s": spread(pings[name]),
                            "budget": PROCESS_BUDGET[family], "pass": ratio["median"] <= PROCESS_BUDGET[family],
                            "samples": len(ratios[name])}
    every_ping = [wall for name in pings for wall in pings[name]]
    return {"rounds": rounds, "latency_ms": 0, "ping_wall_s": spread(every_ping), "modules": per_module,
            "writes": counts["qualys"]["writes"] + counts["oci"]["writes"]}


# -- fanout: one service user per inventory host ----------------------------------------------

def fanout_inventory(users):
    hosts = {}
    for index in range(users):
        name = "svc%02d" % index
        hosts[name] = {"ansible_connection": "local", "ansible_python_interpreter": sys.executable,
                       "bench_user": {
                           "name": name, "first_name": "Service", "last_name": "User %02d" % index,
                           "email": "secops@example.com", "phone": "+1 555 0100", "address1": "1 Example Street",
                           "city": "New York", "country": "United States of America", "address_state": "New York",
                           "scope": {"type": "asset_group", "name": "Fan-out scope %02d" % index,
                                     "ips": ["10.%d.%d.0/24" % (100 + index // 250, index % 250)]},
                           "role": {"name": "API Read Only", "permissions": {"VM": ["View"]},
                                    "manage_definition": True}}}
    return {"all": {"hosts": hosts}}


FANOUT_PLAYBOOK = [{
    "name": "One service user per inventory host",
    "hosts": "all",
    "gather_facts": False,
    # Default connection settings: limit refusals are waited out within max_wait, whatever max_retries says.
    "roles": [{"role": "scanops.qualys.restricted_api_user",
               "vars": {"restricted_api_user_service_users": ["{{ bench_user }}"]}}],
}]


def endpoint_bound(calls, limits, latency):
    """The least time the limits allow for ``calls`` (executed /api/2.0 and /msp calls), endpoint by endpoint."""
    concurrency = limits["concurrency_limit"]
    rate = limits["rate_limit"]
    window = limits["rate_window_sec"] * limits["towait_scale"]
    executed = collections.Counter()
    for call in calls:
        path = call["path"]
        if (path.startswith("/api/2.0/") or path.startswith("/msp/")) and call.get("status") != 409:
            executed[path.rstrip("/")] += 1
    bounds = {}
    for endpoint, number in executed.items():
        by_concurrency = math.ceil(number / float(concurrency)) * latency if concurrency else 0
        by_rate = ((number - 1) // rate) * window if rate else 0
        bounds[endpoint] = max(by_concurrency, by_rate)
    return bounds


def phase_minimum(run, counts, limits, latency, forks, cores, machine=False):
    """A lower bound on the run's wall time, task phase by task phase.

    The linear strategy starts a task only when every host has finished the
    previous one, so each phase needs at least the largest of: its CPU time
    spread over every core; what the limits allow for its calls (per endpoint);
    its calls' latency spread over the forks (a fork makes one call at a time).
    With ``machine``, the CPU term counts every busy CPU second of the machine
    (other work on a shared machine), not only the run's own.
    """
    qualys = counts["qualys"]["_calls"]
    oci = counts["oci"]["_calls"]
    phases = []
    for first, second in zip(run.snapshots, run.snapshots[1:]):
        q_calls = qualys[first["calls"]["qualys"]:second["calls"]["qualys"]]
        o_calls = oci[first["calls"]["oci"]:second["calls"]["oci"]]
        if machine and first.get("machine_busy") is not None and second.get("machine_busy") is not None:
            # Every busy CPU second of the machine: other work on a shared machine counts as unavailable.
            by_cpu = (second["machine_busy"] - first["machine_busy"]) / float(cores)
        else:
            by_cpu = (second["cpu"] - first["cpu"]) / float(cores)
        by_limits = max(list(endpoint_bound(q_calls, limits, latency).values()) or [0])
        by_latency = (len(q_calls) + len(o_calls)) * latency / float(forks)
        bound = min(max(by_cpu, by_limits, by_latency), second["time"] - first["time"])
        phases.append({"task": first["task"].split(" : ")[-1], "wall_s": round(second["time"] - first["time"], 2),
                       "bound_s": round(bound, 2),
                       "bound_by": "cpu" if bound == by_cpu else ("limits" if bound == by_limits else "latency"),
                       "qualys_calls": len(q_calls), "refused_409": sum(1 for c in q_calls if c.get("status") == 409)})
    # Ansible's own start (reading the inventory and the role) happens before the first task.
    startup = run.snapshots[0]["time"] - run.started if run.snapshots and run.started else 0.0
    return startup + sum(phase["bound_s"] for phase in phases), startup, phases


def measure_fanout(sims, users, forks):
    """One play, one service user per inventory host, under the simulator's limits."""
    limits = FANOUT["limits"]
    latency = FANOUT["latency_ms"] / 1000.0
    sims.reset(qualys_config=dict(limits, latency_ms=FANOUT["latency_ms"]), oci_config={"latency_ms": FANOUT["latency_ms"]})
    inventory = os.path.join(OUTPUT, "fanout-inventory.yml")
    with open(inventory, "w") as handle:
        yaml.safe_dump(fanout_inventory(users), handle)
    playbook = os.path.join(OUTPUT, "fanout.yml")
    with open(playbook, "w") as handle:
        yaml.safe_dump(FANOUT_PLAYBOOK, handle, sort_keys=False)
    fixtures = sims.oci.fixtures
    variables = {"restricted_api_user_oci_compartment_id": fixtures["compartment_id"],
                 "restricted_api_user_oci_vault_id": fixtures["vault_id"],
                 "restricted_api_user_oci_key_id": fixtures["key_id"]}
    sims.zero()
    env = sims.env()
    env["BENCH_SNAPSHOT"] = json.dumps({"urls": {"qualys": sims.qualys.url, "oci": sims.oci.url}, "ca": sims.qualys.ca_path})
    run = ansible_playbook(playbook, env, [variables], inventory=inventory, forks=forks)
    counts = sims.counts()
    cores = os.cpu_count() or 1
    own_minimum, startup, dummy = phase_minimum(run, counts, limits, latency, forks, cores)
    minimum, startup, phases = phase_minimum(run, counts, limits, latency, forks, cores, machine=True)
    ratio = run.wall / minimum if minimum else float("inf")
    failures = run.total("failures") + run.total("unreachable")
    users_made = len([user for user in sims.qualys.state()["users"]
                      if (user.get("external_id") or "").startswith("scanops-svc")])
    # Where the run lost most time against its phase bounds.
    slowest = sorted(phases, key=lambda phase: phase["bound_s"] - phase["wall_s"])[:6]
    with open(os.path.join(OUTPUT, "fanout-detail.json"), "w") as handle:
        json.dump({"phases": phases, "tasks": run.tasks, "stdout": run.stdout}, handle)
    return {
        "users": users, "forks": forks, "latency_ms": FANOUT["latency_ms"], "limits": limits,
        "wall_s": round(run.wall, 2),
        "minimum_s": round(minimum, 2),
        "ratio": round(ratio, 2),
        # The same with only the run's own CPU time: what an otherwise idle machine would allow.
        "minimum_idle_machine_s": round(own_minimum, 2),
        "ratio_idle_machine": round(run.wall / own_minimum, 2) if own_minimum else None,
        "startup_s": round(startup, 2),
        "phase_bounds_by": dict(collections.Counter(phase["bound_by"] for phase in phases)),
        "limit_bound_whole_run_s": round(max(list(endpoint_bound(counts["qualys"]["_calls"], limits, latency).values())
                                             or [0]), 2),
        "cpu_s": round(run.cpu, 1),
        "most_time_over_bound": slowest,
        "failures": failures,
        "users_created": users_made,
        "rc": run.rc,
        "refused_409": counts["qualys"]["refused_409"],
        "calls": {"qualys": counts["qualys"]["calls"], "oci": counts["oci"]["calls"],
                  "writes": counts["qualys"]["writes"] + counts["oci"]["writes"]},
        "budget": FANOUT_BUDGET,
        "pass": failures == 0 and run.rc == 0 and users_made == users and ratio <= FANOUT_BUDGET,
        "failure_output": None if run.ok else run.failure_summary()[-4000:],
    }


# -- latency: a no-op run with added latency ---------------------------------------------------

def measure_latency(sims, noop_calls, rounds):
    """Paired no-op runs at 0 ms and at LATENCY_MS added to every reply of both simulators; assumes api_calls' state.

    The two runs of a round are back to back, the one at 0 ms first in even rounds and second in odd ones, so
    that both see the same machine load; the figures are min/median/max over the rounds.
    """
    variables = role_variables(sims)
    walls = {0: [], LATENCY_MS: []}
    added = []
    trips = []
    writes = 0
    try:
        for index in range(rounds):
            order = [0, LATENCY_MS] if index % 2 == 0 else [LATENCY_MS, 0]
            pair = {}
            for latency in order:
                sims.configure(qualys={"latency_ms": latency}, oci={"latency_ms": latency})
                run = run_role(sims, variables, "no-op run at %d ms" % latency)
                pair[latency] = run["wall_s"]
                walls[latency].append(run["wall_s"])
                calls = run["counts"]["qualys"]["calls"] + run["counts"]["oci"]["calls"]
                writes += run["counts"]["qualys"]["writes"] + run["counts"]["oci"]["writes"]
                if latency:
                    trips.append(calls)
            added.append(pair[LATENCY_MS] - pair[0])
    finally:
        sims.configure(qualys={"latency_ms": 0}, oci={"latency_ms": 0})
    round_trips = max(trips)
    return {
        "latency_ms": LATENCY_MS,
        "rounds": rounds,
        "wall_s": spread(walls[LATENCY_MS], 2),
        "wall_zero_latency_s": spread(walls[0], 2),
        "added_wall_s": spread(added, 2),
        "round_trips": round_trips,
        "round_trips_api_calls": noop_calls,
        "writes": writes,
        # What the latency alone explains: every round trip of the run waits LATENCY_MS, one at a time.
        "latency_share_s": round(round_trips * LATENCY_MS / 1000.0, 2),
        "pass": round_trips <= noop_calls and writes == 0,
    }


# -- baseline: the role's no-op wall time against another checkout -------------------------------

def measure_baseline(baseline, rounds):
    """Paired, interleaved runs of the api_calls experiment in this checkout and in ``baseline``.

    Each run is this script (or the baseline's own bench/run.py) with ``--items api_calls`` in a subprocess, with
    its own simulators and its own checkout as the collection, so both commits are measured the same way on the same
    machine; the order alternates by round. The figure is the median of the no-op re-run's wall time per checkout.
    """
    trees = {"this": REPO, "baseline": os.path.abspath(baseline)}
    link = os.path.join(trees["baseline"], ".build", "collections", "ansible_collections", "scanops")
    os.makedirs(link, exist_ok=True)
    if not os.path.exists(os.path.join(link, "qualys")):
        os.symlink(trees["baseline"], os.path.join(link, "qualys"))
    walls = collections.defaultdict(list)
    reads = {}
    for index in range(rounds):
        order = ["baseline", "this"] if index % 2 else ["this", "baseline"]
        for which in order:
            tree = trees[which]
            with tempfile.TemporaryDirectory() as work:
                output = os.path.join(work, "results.json")
                env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=os.path.join(tree, ".build", "collections"))
                done = subprocess.run([sys.executable, os.path.join(tree, "bench", "run.py"), "--items", "api_calls",
                                       "--output", output], cwd=tree, env=env, capture_output=True, text=True,
                                      check=False)
                if done.returncode != 0 or not os.path.exists(output):
                    raise SystemExit("baseline: api_calls in %s failed:\n%s" % (tree, done.stdout[-3000:] + done.stderr[-3000:]))
                with open(output) as handle:
                    noop = json.load(handle)["api_calls"]["noop_run"]
            walls[which].append(noop["wall_s"])
            reads[which] = noop["counts"]["qualys"]["reads"] + noop["counts"]["oci"]["reads"]
    ratio = round(statistics.median(walls["this"]) / statistics.median(walls["baseline"]), 2)
    pairs = [round(this / base, 2) for this, base in zip(walls["this"], walls["baseline"])]
    return {"baseline": trees["baseline"], "rounds": rounds, "noop_wall_s": {k: spread(v) for k, v in walls.items()},
            "noop_reads": reads, "ratio_of_medians": ratio, "pair_ratios": pairs, "budget": BASELINE_WALL_BUDGET,
            "pass": ratio <= BASELINE_WALL_BUDGET}


# -- budgets -----------------------------------------------------------------------------------

def budgets(results):
    """The budgets of issue 19 the run's experiments can check: [{name, figure, limit, pass}]."""
    checked = []
    calls = results.get("api_calls")
    if calls:
        budget = calls["noop_run"]["budget"]
        checked.append({"name": "api_calls no-op reapply: writes", "figure": budget["writes"], "limit": 0,
                        "pass": budget["writes"] == 0})
        checked.append({"name": "api_calls no-op reapply: reads", "figure": budget["reads"],
                        "limit": budget["reads_floor"], "pass": budget["reads_pass"]})
    process = (results.get("task_overhead") or {}).get("whole_process")
    if process:
        for name, entry in process["modules"].items():
            checked.append({"name": "whole process %s / ping (median)" % name, "figure": entry["ratio"]["median"],
                            "limit": entry["budget"], "pass": entry["pass"]})
    baseline = results.get("baseline")
    if baseline:
        checked.append({"name": "role no-op wall time / baseline's (median)", "figure": baseline["ratio_of_medians"],
                        "limit": baseline["budget"], "pass": baseline["pass"]})
    return checked


# -- report ------------------------------------------------------------------------------------

def table(results):
    rows = []

    def add(item, what, figure, budget, verdict):
        rows.append((item, what, figure, budget, verdict))

    def mark(flag):
        return "PASS" if flag else "FAIL"

    calls = results.get("api_calls")
    if calls:
        first, noop = calls["first_run"], calls["noop_run"]
        budget = noop["budget"]
        add("api_calls", "first run: calls (Qualys r/w, OCI r/w)", "%d/%d, %d/%d in %.1fs" % (
            first["counts"]["qualys"]["reads"], first["counts"]["qualys"]["writes"],
            first["counts"]["oci"]["reads"], first["counts"]["oci"]["writes"], first["wall_s"]), "-", "-")
        add("api_calls", "no-op: writes", str(budget["writes"]), "0", mark(budget["writes"] == 0))
        add("api_calls", "no-op: object reads / managed objects", "%d / %d (+%d verification)" % (
            budget["object_reads"], budget["managed_objects"], budget["verification_calls"]),
            "<= 1 per object", mark(budget["strict_pass"]))
        add("api_calls", "no-op: object reads / per-object floor", "%d / %d" % (budget["object_reads"], budget["floor_reads"]),
            "<= floor", mark(budget["floor_pass"]))
        other = noop.get("other_tasks")
        if other:
            add("api_calls", "no-op: tasks run that are no module call", "%d: %s" % (other["count"], ", ".join(
                "%s %d" % (action, len(names)) for action, names in other["by_action"].items())), "-", "-")
    scale = results.get("scale")
    if scale and calls:
        empty = calls["noop_run"]
        seeded = scale["noop_run"]
        same = (seeded["counts"]["qualys"]["calls"] + seeded["counts"]["oci"]["calls"]
                <= empty["counts"]["qualys"]["calls"] + empty["counts"]["oci"]["calls"])
        add("scale", "no-op calls: seeded vs empty", "%d vs %d" % (
            seeded["counts"]["qualys"]["calls"] + seeded["counts"]["oci"]["calls"],
            empty["counts"]["qualys"]["calls"] + empty["counts"]["oci"]["calls"]), "no growth", mark(same))
        add("scale", "no-op wall: seeded / empty", "%.2fx (%.1fs / %.1fs)" % (
            scale["wall_ratio"], seeded["wall_s"], empty["wall_s"]), "<= %.1fx" % SCALE_WALL_BUDGET,
            mark(scale["wall_ratio"] <= SCALE_WALL_BUDGET))
    overhead = results.get("task_overhead")
    if overhead:
        for name, entry in overhead["modules"].items():
            add("task_overhead", "%s / ping, in one playbook" % name, "%.2fx (%.2fs)" % (entry["ratio"], entry["median_s"]),
                "<= %.1fx" % entry["budget"], mark(entry["pass"]))
        process = overhead.get("whole_process")
        if process:
            add("task_overhead", "ping playbook, whole process (min/median/max)", "%(min).2f/%(median).2f/%(max).2fs"
                % process["ping_wall_s"], "-", "-")
            for name, entry in process["modules"].items():
                add("task_overhead", "%s / ping, whole process" % name, "%.2fx (%.2f-%.2fx; %.2fs)" % (
                    entry["ratio"]["median"], entry["ratio"]["min"], entry["ratio"]["max"], entry["wall_s"]["median"]),
                    "<= %.2fx" % entry["budget"], mark(entry["pass"]))
    fanout = results.get("fanout")
    if fanout:
        add("fanout", "fan-out %d users, forks %d: wall / minimum" % (fanout["users"], fanout["forks"]),
            "%.2fx (%.1fs / %.1fs; idle-machine bound %.2fx), %d failures, %d/%d users" % (
                fanout["ratio"], fanout["wall_s"], fanout["minimum_s"], fanout["ratio_idle_machine"] or 0,
                fanout["failures"], fanout["users_created"], fanout["users"]),
            "<= %.1fx, 0 failures" % fanout["budget"], mark(fanout["pass"]))
    latency = results.get("latency")
    if latency:
        add("latency", "no-op with %d ms latency: round trips" % latency["latency_ms"],
            "%d (api_calls: %d), %d writes" % (latency["round_trips"], latency["round_trips_api_calls"], latency["writes"]),
            "<= api_calls, 0 writes", mark(latency["pass"]))
        add("latency", "no-op wall at 0 / %d ms, %d pairs (medians)" % (latency["latency_ms"], latency["rounds"]),
            "%.1fs / %.1fs, added %.1fs (%.1f-%.1fs; round trips x latency %.1fs)" % (
                latency["wall_zero_latency_s"]["median"], latency["wall_s"]["median"], latency["added_wall_s"]["median"],
                latency["added_wall_s"]["min"], latency["added_wall_s"]["max"], latency["latency_share_s"]), "-", "-")
    for entry in results.get("budgets", []):
        add("budget", entry["name"], str(entry["figure"]), "<= %s" % entry["limit"], mark(entry["pass"]))
    header = ("experiment", "measure", "figure", "budget", "verdict")
    widths = [max(len(str(row[i])) for row in rows + [header]) for i in range(5)]
    lines = []
    for row in [header] + rows:
        lines.append("  ".join(str(cell).ljust(widths[i]) for i, cell in enumerate(row)))
    lines.insert(1, "  ".join("-" * width for width in widths))
    return "\n".join(lines)


def experiments(items):
    """The experiment names ``--items`` selects: names from EXPERIMENTS or their numbers 1 to 5."""
    chosen = set()
    for item in items.split(","):
        item = item.strip()
        if item.isdigit() and 1 <= int(item) <= len(EXPERIMENTS):
            item = EXPERIMENTS[int(item) - 1]
        if item not in EXPERIMENTS:
            raise ValueError("unknown experiment %r: choose from %s (or 1 to %d)"
                             % (item, ", ".join(EXPERIMENTS), len(EXPERIMENTS)))
        chosen.add(item)
    return chosen


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", default=",".join(EXPERIMENTS),
                        help="comma-separated experiments to run, by name or number: %s (default: all)"
                        % ", ".join("%d=%s" % (number, name) for number, name in enumerate(EXPERIMENTS, 1)))
    parser.add_argument("--output", default=os.path.join(HERE, "results.json"))
    parser.add_argument("--rounds", type=int, default=9, help="repetitions of each no-op task in task_overhead")
    parser.add_argument("--fanout-users", type=int, default=FANOUT["users"])
    parser.add_argument("--forks", type=int, default=FANOUT["forks"])
    parser.add_argument("--process-rounds", type=int, default=None,
                        help="paired rounds of the whole-process measure (task_overhead) and of latency "
                        "(default: --rounds, at most %d)" % PROCESS_ROUNDS)
    parser.add_argument("--baseline", metavar="DIR",
                        help="another checkout (e.g. `git worktree add DIR <commit>`): compare the role's no-op wall "
                        "time with its, in --process-rounds paired runs (the baseline experiment)")
    parser.add_argument("--enforce-budgets", action="store_true",
                        help="exit 1 when a budget fails (timings on a shared machine are noisy: off by default)")
    args = parser.parse_args(argv)
    process_rounds = args.process_rounds if args.process_rounds is not None else min(args.rounds, PROCESS_ROUNDS)
    try:
        items = experiments(args.items)
    except ValueError as exc:
        parser.error(str(exc))
    os.makedirs(OUTPUT, exist_ok=True)
    link_collection()
    started = time.monotonic()
    results = {
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform(),
                    "loadavg_1m_start": round(os.getloadavg()[0], 2)},
    }
    sims = Sims(os.path.join(OUTPUT, "sim"))

    def record(name, what, func, *func_args):
        print("%s: %s ..." % (name, what), flush=True)
        load_before = os.getloadavg()[0]
        results[name] = func(*func_args)
        # Other work on the machine skews timings: the 1-minute load average before and after each experiment.
        results[name]["loadavg_1m"] = [round(load_before, 2), round(os.getloadavg()[0], 2)]

    try:
        # latency starts from the state api_calls leaves, and compares with its no-op re-run.
        if items & {"api_calls", "latency"}:
            record("api_calls", "first run and no-op re-run of the role", measure_api_calls, sims)
            if "latency" in items:
                noop = results["api_calls"]["noop_run"]
                record("latency", "%d pairs of no-op runs at 0 and %d ms latency" % (process_rounds, LATENCY_MS),
                       measure_latency, sims, noop["counts"]["qualys"]["calls"] + noop["counts"]["oci"]["calls"],
                       process_rounds)
        if "scale" in items:
            record("scale", "the same on a subscription seeded with %s" % SEED, measure_api_calls, sims, SEED)
            if "api_calls" in results:
                results["scale"]["wall_ratio"] = round(
                    results["scale"]["noop_run"]["wall_s"] / results["api_calls"]["noop_run"]["wall_s"], 2)
        if "task_overhead" in items:
            record("task_overhead", "per-task overhead, %d rounds in one playbook, %d rounds of whole processes"
                   % (args.rounds, process_rounds), measure_task_overhead, sims, args.rounds, process_rounds)
        if args.baseline:
            record("baseline", "%d pairs of api_calls runs, this checkout and %s" % (process_rounds, args.baseline),
                   measure_baseline, args.baseline, process_rounds)
        if "fanout" in items:
            record("fanout", "fan-out of %d users, forks %d" % (args.fanout_users, args.forks), measure_fanout,
                   sims, args.fanout_users, args.forks)
    finally:
        sims.stop()
    results["budgets"] = budgets(results)
    results["bench_wall_s"] = round(time.monotonic() - started, 1)
    with open(args.output, "w") as handle:
        json.dump(results, handle, indent=2, sort_keys=True)
        handle.write("\n")
    print()
    print(table(results))
    print("\nbench wall time %.0fs; results in %s" % (results["bench_wall_s"], os.path.relpath(args.output, REPO)))
    failed = [entry["name"] for entry in results["budgets"] if not entry["pass"]]
    if failed:
        print("%d budget(s) failed: %s%s" % (len(failed), "; ".join(failed),
                                             "" if args.enforce_budgets else " (not enforced: see --enforce-budgets)"))
        if args.enforce_budgets:
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
