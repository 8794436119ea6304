# -*- coding: utf-8 -*-
# Copyright (c) scanops.qualys contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""qualys_asset_group and qualys_asset_group_info against the Qualys simulator, through ansible-playbook."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

ENDPOINT = "/api/2.0/fo/asset/group/"
DMZ = {"title": "DMZ web", "ips": ["10.0.0.0/30", "10.0.1.5"], "comments": "first", "business_impact": "high",
       "dns_names": ["www.example.com"], "cvss_enviro_cdp": "low-medium"}


def dmz(**changes):
    """The DMZ group's options with some changed."""
    args = dict(DMZ)
    args.update(changes)
    return args


def ag_task(name, check=False, ignore_errors=False, **args):
    task = {"name": name, "scanops.qualys.qualys_asset_group": args, "register": name.replace(" ", "_")}
    if check:
        task["check_mode"] = True
    if ignore_errors:
        task["ignore_errors"] = True
    return task


def info_task(name, **args):
    return {"name": name, "scanops.qualys.qualys_asset_group_info": args, "register": name.replace(" ", "_")}


def group_calls(sim):
    """The asset group API calls since the last stats reset, as their action names."""
    return [call["action"] for call in sim.stats()["calls"] if call["path"].rstrip("/") == ENDPOINT.rstrip("/")]


def status(res, name):
    """How the task called ``name`` ended: ok, changed or failed."""
    return [entry["status"] for entry in res.tasks if entry["task"] == name][-1]


def sim_group(sim, title):
    found = [group for group in sim.state()["asset_groups"] if group["title"] == title]
    assert len(found) <= 1
    return found[0] if found else None


@pytest.fixture
def play(run_play, qualys_auth):
    def runner(tasks, **kwargs):
        return run_play(tasks, module_defaults={"group/scanops.qualys.qualys": qualys_auth}, **kwargs)
    return runner


def test_create_unchanged_equivalent_ips_and_one_field_change(qualys_sim, play):
    res = play([
        ag_task("create", **DMZ),
        ag_task("again", **DMZ),
        ag_task("as range", **dmz(ips=["10.0.1.5", "10.0.0.0-10.0.0.3"])),
        ag_task("as singles", **dmz(ips=["10.0.0.0", "10.0.0.1", "10.0.0.2", "10.0.0.3", "10.0.1.5"])),
    ], diff=True)
    assert res.rc == 0, res
    # One write in all: the add. Every later run only reads.
    assert group_calls(qualys_sim) == ["list", "add", "list", "list", "list"]
    assert qualys_sim.stats()["writes"] == 1

    created = res.task("create")
    assert created["changed"] is True
    group = created["asset_group"]
    assert group["id"] > 0
    assert group["ips"] == ["10.0.0.0-10.0.0.3", "10.0.1.5"]
    assert created["diff"]["before"] == {}
    for name in ("again", "as range", "as singles"):
        result = res.task(name)
        assert result["changed"] is False, (name, result)
        assert result["asset_group"] == group

    stored = sim_group(qualys_sim, "DMZ web")
    assert stored["id"] == group["id"]
    assert stored["ips"] == ["10.0.0.0-10.0.0.3", "10.0.1.5"]
    assert stored["business_impact"] == "High"

    # Change one field: exactly one write, and only that field moves.
    before = dict(stored)
    qualys_sim.reset_stats()
    res = play([ag_task("comment", **dmz(comments="second"))], diff=True)
    assert res.rc == 0, res
    assert group_calls(qualys_sim) == ["list", "edit"]
    edit = [call for call in qualys_sim.stats()["calls"] if call["action"] == "edit"][0]
    if "params" in edit:  # the simulator records parameter names when it can
        assert sorted(edit["params"]) == ["action", "id", "set_comments"]
    after = sim_group(qualys_sim, "DMZ web")
    changed_keys = sorted(key for key in after if after[key] != before.get(key))
    assert changed_keys == ["comments", "last_update"]
    result = res.task("comment")
    assert result["changed"] is True
    diff = result["diff"]
    assert diff["before"]["comments"] == "first" and diff["after"]["comments"] == "second"
    assert [key for key in diff["before"] if diff["before"][key] != diff["after"][key]] == ["comments"]


def test_ips_modes_and_check_mode(qualys_sim, play):
    res = play([
        ag_task("create", title="Scope", ips=["192.168.1.1-192.168.1.100"]),
        # check mode: predictions, and nothing written
        ag_task("predict add", check=True, title="Scope", ips=["192.168.1.101"], ips_mode="add"),
        ag_task("predict new", check=True, title="Not yet", ips=["10.9.0.0/29"]),
        ag_task("predict delete", check=True, title="Scope", state="absent"),
        ag_task("predict same", check=True, title="Scope", ips=["192.168.1.50"], ips_mode="add"),
        # real runs
        ag_task("add", title="Scope", ips=["192.168.1.101", "192.168.1.200/30"], ips_mode="add"),
        ag_task("add again", title="Scope", ips=["192.168.1.101"], ips_mode="add"),
        ag_task("remove", title="Scope", ips=["192.168.1.50-192.168.1.60", "172.16.0.1"], ips_mode="remove"),
        ag_task("remove again", title="Scope", ips=["192.168.1.55"], ips_mode="remove"),
        ag_task("set", title="Scope", ips=["192.168.1.0/24"]),
    ], diff=True)
    assert res.rc == 0, res
    assert group_calls(qualys_sim) == ["list", "add",
                                       "list", "list", "list", "list",
                                       "list", "edit", "list", "list", "edit", "list", "list", "edit"]

    assert res.task("predict add")["changed"] is True
    assert res.task("predict add")["diff"]["after"]["ips"] == ["192.168.1.1-192.168.1.101"]
    assert res.task("predict new")["changed"] is True
    assert res.task("predict new")["asset_group"] == {"title": "Not yet", "ips": ["10.9.0.0-10.9.0.7"]}
    assert res.task("predict delete")["changed"] is True
    assert res.task("predict same")["changed"] is False

    added = res.task("add")
    assert added["changed"] is True
    assert added["asset_group"]["ips"] == ["192.168.1.1-192.168.1.101", "192.168.1.200-192.168.1.203"]
    assert res.task("add again")["changed"] is False
    removed = res.task("remove")
    assert removed["changed"] is True
    assert removed["asset_group"]["ips"] == ["192.168.1.1-192.168.1.49", "192.168.1.61-192.168.1.101",
                                             "192.168.1.200-192.168.1.203"]
    assert res.task("remove again")["changed"] is False
    assert res.task("set")["asset_group"]["ips"] == ["192.168.1.0-192.168.1.255"]
    # what the module predicted is what the server holds
    assert sim_group(qualys_sim, "Scope")["ips"] == ["192.168.1.0-192.168.1.255"]
    assert sim_group(qualys_sim, "Not yet") is None


def test_delete_and_refusals(qualys_sim, play):
    res = play([
        ag_task("create", title="Temp", ips=["10.1.0.1"], division="Ops"),
        ag_task("All by title", ignore_errors=True, title="All", comments="mine now"),
        ag_task("All by id", ignore_errors=True, id=2000000, state="absent"),
        ag_task("bad ips", ignore_errors=True, title="Temp", ips=["10.1.0.300"]),
        ag_task("unknown id", ignore_errors=True, id=2999999, comments="x"),
        ag_task("delete", title="Temp", state="absent"),
        ag_task("delete again", title="Temp", state="absent"),
    ], diff=True)
    assert res.rc == 0, res
    # the refused tasks wrote nothing; the All lookup by id is the only read among them besides "unknown id"
    assert group_calls(qualys_sim) == ["list", "add", "list", "list", "list", "delete", "list"]
    assert qualys_sim.stats()["writes"] == 2

    for name in ("All by title", "All by id"):
        assert status(res, name) == "failed"
        assert "'All' is built into Qualys" in res.task(name)["msg"]
    assert status(res, "bad ips") == status(res, "unknown id") == "failed"
    assert res.task("bad ips")["msg"].startswith("ips: '10.1.0.300' is invalid")
    assert res.task("unknown id")["msg"].startswith("No asset group has id 2999999.")

    deleted = res.task("delete")
    assert deleted["changed"] is True
    assert deleted["asset_group"] == {}
    assert deleted["diff"]["before"]["title"] == "Temp"
    assert res.task("delete again")["changed"] is False
    assert sim_group(qualys_sim, "Temp") is None
    assert sim_group(qualys_sim, "All") is not None


def test_write_only_fields_are_sent_but_never_compared(qualys_sim, play):
    # division, function and location: sent on create and along with another change; no list reply carries them.
    located = {"title": "Located", "ips": ["10.2.0.1"], "division": "Ops", "function": "Web", "location": "Paris"}
    moved = {**located, "ips": ["10.2.0.2"], "division": "Sec"}
    only_division = {**located, "division": "Sec"}
    res = play([
        ag_task("create", **located),
        ag_task("again", **located),
        ag_task("only division", **only_division),
        ag_task("with another change", **moved),
        ag_task("converged", **moved),
    ], diff=True)
    assert res.rc == 0, res
    assert group_calls(qualys_sim) == ["list", "add", "list", "list", "list", "edit", "list"]
    assert qualys_sim.stats()["writes"] == 2
    assert [res.task(name)["changed"] for name in ("create", "again", "only division", "with another change",
                                                   "converged")] == [True, False, False, True, False]
    stored = sim_group(qualys_sim, "Located")
    expected = ("Sec", "Web", "Paris", ["10.2.0.2"])
    assert (stored["division"], stored["function"], stored["location"], stored["ips"]) == expected
    # What Qualys does not report is not returned as if it were known.
    assert "division" not in res.task("again")["asset_group"]
    diff = res.task("with another change")["diff"]
    assert "division" not in diff["before"]
    assert (diff["after"]["division"], diff["after"]["function"], diff["after"]["location"]) == ("Sec", "Web", "Paris")


def test_server_errors_are_reported(qualys_sim, play):
    res = play([
        ag_task("one", title="One"),
        ag_task("two", title="Two"),
        ag_task("rename onto one", ignore_errors=True, id="{{ two.asset_group.id }}", title="One"),
    ])
    assert res.rc == 0, res
    result = res.task("rename onto one")
    assert status(res, "rename onto one") == "failed"
    assert result["msg"].startswith("Qualys error 1905: parameter set_title has invalid value: One")
    assert result["error_code"] == "1905"


def test_info_filters_and_paging(qualys_sim, play):
    qualys_sim.control("POST", "seed", {"asset_groups": 7})
    qualys_sim.control("POST", "config", {"page_size": 3})
    try:
        groups = sorted(qualys_sim.state()["asset_groups"], key=lambda group: group["id"])
        some = [groups[1]["id"], groups[4]["id"]]
        qualys_sim.reset_stats()
        res = play([
            info_task("everything"),
            info_task("seeded", title_contains="seed ag"),
            info_task("by ids", ids=some),
            info_task("by title", title=groups[3]["title"]),
            info_task("no match", title="No such group"),
        ], check=True)
    finally:
        qualys_sim.control("POST", "config", {"page_size": None})
    assert res.rc == 0, res
    assert qualys_sim.stats()["writes"] == 0

    everything = res.task("everything")
    assert everything["changed"] is False
    assert [group["id"] for group in everything["asset_groups"]] == [group["id"] for group in groups]
    assert len(everything["asset_groups"]) == 8  # All + 7 seeded
    assert everything["asset_groups"][1]["ips"] == groups[1]["ips"]
    # 8 groups, 3 per page: three list calls, twice (everything, seeded); one each for the filtered reads
    assert group_calls(qualys_sim) == ["list"] * 9
    assert len(res.task("seeded")["asset_groups"]) == 7
    assert [group["id"] for group in res.task("by ids")["asset_groups"]] == some
    assert [group["title"] for group in res.task("by title")["asset_groups"]] == [groups[3]["title"]]
    assert res.task("no match")["asset_groups"] == []
