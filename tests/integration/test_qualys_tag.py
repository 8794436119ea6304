# -*- coding: utf-8 -*-
# Copyright (c) scanops.qualys contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""qualys_tag and qualys_tag_info against the Qualys simulator, through ansible-playbook."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

SEARCH = "POST /qps/rest/2.0/search/am/tag"
CREATE = "POST /qps/rest/2.0/create/am/tag"
UPDATE = "POST /qps/rest/2.0/update/am/tag/{id}"
DELETE = "POST /qps/rest/2.0/delete/am/tag/{id}"
TAG_WRITES = (CREATE, UPDATE, DELETE)

LAB = {
    "name": "Lab networks",
    "ip_ranges": ["192.168.1.1-192.168.1.100", "10.0.0.0/24"],
    "color": "#1e90ff",
    "criticality_score": 3,
    "description": "Assets the API user may see",
}
LAB_RULE = "10.0.0.0-10.0.0.255,192.168.1.1-192.168.1.100"


def lab(**changes):
    """The options of the lab tag with some of them changed."""
    options = dict(LAB)
    options.update(changes)
    return options


def tag_task(title, check=False, **args):
    task = {"name": title, "scanops.qualys.qualys_tag": args, "register": title.replace(" ", "_")}
    if check:
        task["check_mode"] = True
    return task


def info_task(title, **args):
    return {"name": title, "scanops.qualys.qualys_tag_info": args, "register": title.replace(" ", "_")}


def tag_writes(sim):
    """(total writes, {endpoint: count}) since the last stats reset."""
    stats = sim.stats()
    return stats["writes"], dict((key, stats["by_endpoint"][key]) for key in TAG_WRITES if stats["by_endpoint"].get(key))


def status(res, title):
    """ok, changed or failed: how ansible-playbook saw the task."""
    return [entry["status"] for entry in res.tasks if entry["task"] == title][-1]


def sim_tags(sim, name):
    return [tag for tag in sim.state()["tags"] if tag["name"] == name]


@pytest.fixture
def play(run_play, qualys_auth):
    def runner(tasks, **kwargs):
        return run_play(tasks, module_defaults={"group/scanops.qualys.qualys": qualys_auth}, **kwargs)
    return runner


def test_lifecycle(qualys_sim, play):
    # Check mode first: the prediction, and nothing written.
    res = play([tag_task("predict", check=True, **LAB)], diff=True)
    assert res.rc == 0, res
    predicted = res.task("predict")
    assert predicted["changed"] is True and predicted["diff"]["before"] == {}
    assert qualys_sim.writes() == 0 and sim_tags(qualys_sim, "Lab networks") == []

    # Create: one write, and the result is what check mode said.
    res = play([tag_task("create", **LAB)], diff=True)
    assert res.rc == 0, res
    created = res.task("create")["tag"]
    assert res.task("create")["changed"] is True
    assert tag_writes(qualys_sim) == (1, {CREATE: 1})
    assert created == dict(predicted["tag"], id=created["id"])
    assert created["rule_type"] == "NETWORK_RANGE" and created["rule_text"] == LAB_RULE
    assert created["color"] == "#1E90FF" and created["criticality_score"] == 3 and created["system"] is False
    (stored,) = sim_tags(qualys_sim, "Lab networks")
    assert stored["ruleText"] == LAB_RULE and stored["color"] == "#1E90FF" and stored["criticalityScore"] == 3

    # Second run, and the same addresses written another way: unchanged, zero writes.
    qualys_sim.reset_stats()
    same_addresses = lab(ip_ranges=["10.0.0.0-10.0.0.255", "192.168.1.1-192.168.1.100"], color="#1E90FF")
    res = play([tag_task("again", **LAB), tag_task("cidr vs range", **same_addresses),
                tag_task("check unchanged", check=True, **LAB)])
    assert res.rc == 0, res
    assert res.changed == 0
    assert res.task("again")["tag"] == created
    assert qualys_sim.writes() == 0

    # One changed field: check mode predicts it without writing, then one update carrying that change.
    qualys_sim.reset_stats()
    changed = lab(description="Lab and office")
    res = play([tag_task("check change", check=True, **changed)], diff=True)
    assert res.rc == 0, res
    assert res.task("check change")["changed"] is True and res.task("check change")["tag"]["description"] == "Lab and office"
    assert qualys_sim.writes() == 0
    res = play([tag_task("change", **changed)], diff=True)
    assert res.rc == 0, res
    diff = res.task("change")["diff"]
    assert [key for key in diff["before"] if diff["before"][key] != diff["after"][key]] == ["description"]
    assert res.task("change")["tag"] == dict(created, description="Lab and office")
    assert tag_writes(qualys_sim) == (1, {UPDATE: 1})
    (stored,) = sim_tags(qualys_sim, "Lab networks")
    assert stored["description"] == "Lab and office" and stored["ruleText"] == LAB_RULE

    # Delete, in check mode first, then for real, then again.
    qualys_sim.reset_stats()
    res = play([tag_task("check delete", check=True, name="Lab networks", state="absent"),
                tag_task("delete", name="Lab networks", state="absent"),
                tag_task("delete again", name="Lab networks", state="absent")], diff=True)
    assert res.rc == 0, res.tasks
    assert res.task("check delete")["changed"] is True
    assert res.task("delete")["changed"] is True and res.task("delete")["tag"] == {}
    assert res.task("delete")["diff"]["before"]["name"] == "Lab networks"
    assert res.task("delete again")["changed"] is False
    assert tag_writes(qualys_sim) == (1, {DELETE: 1})
    assert sim_tags(qualys_sim, "Lab networks") == []


def test_os_contains_and_rule_changes(qualys_sim, play):
    res = play([tag_task("linux", name="Linux servers", os_contains="Linux"),
                tag_task("linux again", name="Linux servers", os_contains="Linux"),
                tag_task("by rule", name="Linux servers", rule_type="OS_REGEX", rule_text=".*Linux.*")])
    assert res.rc == 0, res
    tag = res.task("linux")["tag"]
    assert res.task("linux")["changed"] is True
    assert (tag["rule_type"], tag["rule_text"]) == ("OS_REGEX", ".*Linux.*")
    assert not res.task("linux again")["changed"] and not res.task("by rule")["changed"]
    assert tag_writes(qualys_sim) == (1, {CREATE: 1})

    qualys_sim.reset_stats()
    res = play([tag_task("windows", name="Linux servers", os_contains="Windows Server (2019)"),
                tag_task("to network", name="Linux servers", ip_ranges=["10.1.0.0/16"]),
                tag_task("to static", name="Linux servers", rule_type="STATIC")])
    assert res.rc == 0, res
    assert res.task("windows")["tag"]["rule_text"] == r".*Windows Server \(2019\).*"
    assert res.task("to network")["tag"]["rule_text"] == "10.1.0.0-10.1.255.255"
    assert res.task("to static")["tag"]["rule_type"] == "STATIC" and res.task("to static")["tag"]["rule_text"] is None
    assert tag_writes(qualys_sim) == (3, {UPDATE: 3})
    (stored,) = sim_tags(qualys_sim, "Linux servers")
    assert stored["ruleType"] == "STATIC" and "ruleText" not in stored


def test_bad_input_fails_before_any_call(qualys_sim, play):
    res = play([dict(tag_task("mixed", name="x", ip_ranges=["10.0.0.1"], rule_type="NETWORK_RANGE",
                              rule_text="10.0.0.1"), ignore_errors=True),
                dict(tag_task("bad range", name="x", ip_ranges=["10.0.0.1/24"]), ignore_errors=True),
                dict(tag_task("bad color", name="x", color="blue"), ignore_errors=True)])
    assert "parameters are mutually exclusive: ip_ranges|os_contains|rule_type" in res.task("mixed")["msg"]
    assert res.task("bad range")["msg"].startswith("ip_ranges: '10.0.0.1/24'")
    assert res.task("bad color")["msg"] == "color must be #RRGGBB (six hex digits, for example #FF0000), got 'blue'."
    assert qualys_sim.stats()["calls"] == []


def test_children(qualys_sim, play):
    res = play([tag_task("env", name="Environments", children=["Production", "Staging"]),
                tag_task("env again", name="Environments", children=["Staging", "Production"]),
                tag_task("legacy", name="Legacy", parent="Environments"),
                tag_task("env keeps legacy", name="Environments", children=["Production"]),
                info_task("children", parent="Environments")], diff=True)
    assert res.rc == 0, res
    assert res.task("env")["tag"]["children"] == ["Production", "Staging"]
    assert [res.task(name)["changed"] for name in ("env", "env again", "legacy", "env keeps legacy")] == \
        [True, False, True, False]
    env_id = res.task("env")["tag"]["id"]
    assert res.task("legacy")["tag"]["parent_id"] == env_id
    assert [(tag["name"], tag["parent_id"]) for tag in res.task("children")["tags"]] == \
        [("Production", env_id), ("Staging", env_id), ("Legacy", env_id)]
    assert tag_writes(qualys_sim) == (2, {CREATE: 2})

    qualys_sim.reset_stats()
    res = play([tag_task("add one", name="Environments", children=["Development"]),
                tag_task("purge", name="Environments", children=["Production", "Development"], purge_children=True),
                tag_task("purge again", name="Environments", children=["Production", "Development"], purge_children=True)],
               diff=True)
    assert res.rc == 0, res
    assert res.task("add one")["tag"]["children"] == ["Development", "Legacy", "Production", "Staging"]
    assert res.task("purge")["diff"]["before"]["children"] == ["Development", "Legacy", "Production", "Staging"]
    assert res.task("purge")["tag"]["children"] == ["Development", "Production"]
    assert res.task("purge again")["changed"] is False
    assert tag_writes(qualys_sim) == (2, {UPDATE: 2})
    assert sim_tags(qualys_sim, "Legacy") == [] and sim_tags(qualys_sim, "Staging") == []


def test_same_name_under_two_parents(qualys_sim, play):
    res = play([tag_task("servers", name="Servers"),
                tag_task("prod under servers", name="Prod", parent="Servers"),
                tag_task("prod at root", name="Prod", parent_id=0, criticality_score=5),
                tag_task("root prod again", name="Prod", parent_id=0, criticality_score=5)])
    assert res.rc == 0, res
    assert res.task("prod at root")["changed"] is True and res.task("prod at root")["tag"]["parent_id"] is None
    assert res.task("root prod again")["changed"] is False
    servers = res.task("servers")["tag"]["id"]
    nested = res.task("prod under servers")["tag"]["id"]
    root = res.task("prod at root")["tag"]["id"]

    qualys_sim.reset_stats()
    res = play([dict(tag_task("which prod", name="Prod", color="#000000"), ignore_errors=True),
                tag_task("nested prod", name="Prod", parent="Servers", color="#000000"),
                tag_task("by id", id=root, name="Production")])
    msg = res.task("which prod")["msg"]
    assert msg == ("Several tags are named 'Prod': id %s under 'Servers' (id %s), id %s at the root. "
                   "Give the parent tag (or the tag id) to choose one." % (nested, servers, root))
    assert res.task("nested prod")["tag"]["id"] == nested and res.task("nested prod")["changed"] is True
    assert res.task("by id")["tag"]["name"] == "Production"
    assert tag_writes(qualys_sim) == (2, {UPDATE: 2})


def test_system_tags_are_refused(qualys_sim, play):
    res = play([dict(tag_task("delete system", name="Cloud Agent", state="absent"), ignore_errors=True),
                dict(tag_task("recolor system", name="Business Units", color="#FF0000"), ignore_errors=True),
                dict(tag_task("check recolor", check=True, name="Asset Groups", color="#FF0000"), ignore_errors=True),
                tag_task("as it is", name="Passive Sensor")])
    assert status(res, "delete system") == "failed"
    assert res.task("delete system")["msg"] == ("The tag 'Cloud Agent' (id %s) is owned by Qualys: it is one of the tags "
                                                "Qualys creates in every subscription. qualys_tag never deletes a "
                                                "Qualys-owned tag. Use a tag of your own instead."
                                                % sim_tags(qualys_sim, "Cloud Agent")[0]["id"])
    assert "'Business Units'" in res.task("recolor system")["msg"] and "never changes" in res.task("recolor system")["msg"]
    assert status(res, "check recolor") == "failed" and "never changes" in res.task("check recolor")["msg"]
    assert res.task("as it is")["changed"] is False and res.task("as it is")["tag"]["system"] is True
    assert qualys_sim.writes() == 0
    assert len(sim_tags(qualys_sim, "Cloud Agent")) == 1


def test_asset_group_and_business_unit_tags_are_refused(qualys_sim, play):
    group = {"name": "lab group", "scanops.qualys.qualys_asset_group": {"title": "Lab group", "ips": ["10.3.0.1"]},
             "register": "lab_group"}
    res = play([group,
                dict(tag_task("recolor group tag", name="Lab group", parent="Asset Groups", color="#FF0000"),
                     ignore_errors=True),
                dict(tag_task("delete group tag", name="Lab group", state="absent"), ignore_errors=True),
                dict(tag_task("describe unit tag", name="Unassigned Business Unit", description="x"),
                     ignore_errors=True),
                dict(tag_task("tag under asset groups", name="Not a group", parent="Asset Groups"), ignore_errors=True),
                tag_task("group tag as it is", name="Lab group"),
                info_task("group tags", parent="Asset Groups"),
                info_task("unit tags", parent="Business Units")])
    group_id = res.task("lab group")["asset_group"]["id"]
    (tag,) = sim_tags(qualys_sim, "Lab group")
    for title, verb in (("recolor group tag", "changes"), ("delete group tag", "deletes")):
        assert status(res, title) == "failed"
        msg = res.task(title)["msg"]
        assert msg.startswith("The tag 'Lab group' (id %s) is owned by Qualys: it stands for the asset group with id %s"
                              % (tag["id"], group_id)), msg
        assert "never %s" % verb in msg and "scanops.qualys.qualys_asset_group" in msg and "tag of your own" in msg
    msg = res.task("describe unit tag")["msg"]
    assert status(res, "describe unit tag") == "failed" and "'Unassigned Business Unit'" in msg
    assert "business unit" in msg and "never changes" in msg and "tag of your own" in msg
    msg = res.task("tag under asset groups")["msg"]
    assert status(res, "tag under asset groups") == "failed" and "'Asset Groups'" in msg
    assert "scanops.qualys.qualys_asset_group" in msg
    as_it_is = res.task("group tag as it is")
    assert as_it_is["changed"] is False and as_it_is["tag"]["system"] is True
    assert as_it_is["tag"]["asset_group_id"] == group_id
    (listed,) = res.task("group tags")["tags"]
    assert listed["system"] is True and listed["asset_group_id"] == group_id and listed["business_unit_id"] is None
    (unit,) = res.task("unit tags")["tags"]
    assert unit["system"] is True and isinstance(unit["business_unit_id"], int) and unit["asset_group_id"] is None
    assert tag_writes(qualys_sim) == (1, {})  # the asset group's add, no tag write
    assert (tag["color"], sim_tags(qualys_sim, "Not a group")) == ("#FFFFFF", [])


@pytest.fixture
def small_pages(qualys_sim):
    qualys_sim.control("POST", "config", {"page_size": 10})
    yield
    qualys_sim.control("POST", "config", {"page_size": None})


def test_info_reads_every_page(qualys_sim, play, small_pages):
    qualys_sim.control("POST", "seed", {"tags": 25})
    qualys_sim.reset_stats()
    res = play([info_task("seeded", name_contains="Seed Tag"),
                info_task("all"),
                info_task("static seeded", name_contains="seed tag", rule_type="STATIC", page_size=1000),
                info_task("no match", name="No such tag"),
                info_task("by ids", ids=[9000001, 9000003])], check=True)
    assert res.rc == 0, res
    seeded = res.task("seeded")["tags"]
    assert len(seeded) == 25 and len(set(tag["id"] for tag in seeded)) == 25
    assert [tag["id"] for tag in seeded] == sorted(tag["id"] for tag in seeded)
    assert len(res.task("all")["tags"]) == len(qualys_sim.state()["tags"])
    assert len(res.task("static seeded")["tags"]) == 25
    assert res.task("no match")["tags"] == []
    assert [tag["name"] for tag in res.task("by ids")["tags"]] == ["Asset Groups", "Cloud Agent"]
    assert all(tag["system"] for tag in res.task("by ids")["tags"])
    stats = qualys_sim.stats()
    assert stats["writes"] == 0
    # 25 seeded tags in pages of 10 take three searches; so do the 33 tags of "all" four.
    searches = [call for call in stats["calls"] if call["path"] == "/qps/rest/2.0/search/am/tag"]
    assert len(searches) == stats["by_endpoint"][SEARCH] == 3 + 4 + 3 + 1 + 1
