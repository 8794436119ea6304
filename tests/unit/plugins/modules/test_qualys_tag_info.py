# -*- coding: utf-8 -*-
# Copyright (c) scanops.qualys contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""qualys_tag_info: filters become Qualys criteria, results, read-only."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.scanops.qualys.plugins.modules import qualys_tag_info
from ansible_collections.scanops.qualys.tests.unit.plugins.modules.test_qualys_tag import FakeQualys, run


@pytest.fixture
def fake():
    store = FakeQualys()
    env = store.add("Env", description="environments", criticalityScore=4)
    store.add("Prod", parent=env, ruleType="NETWORK_RANGE", ruleText="10.0.0.0/24", color="#ff0000")
    store.add("Stage", parent=env)
    store.add("Production db", ruleType="OS_REGEX", ruleText=".*Linux.*")
    return store


def info(fake, args, check=False):
    out = run(fake, args, module=qualys_tag_info, check=check)
    assert not out.failed, out
    assert out["changed"] is False
    assert fake.writes() == []
    return out["tags"]


def searches(fake):
    return [call["criteria"] for call in fake.calls if call["op"] == "search"]


def test_no_filter_lists_every_tag(fake):
    found = info(fake, {})
    assert [tag["name"] for tag in found][-4:] == ["Env", "Prod", "Stage", "Production db"]
    assert searches(fake) == [[]]


def test_tags_are_returned_normalised(fake):
    (env,) = info(fake, {"name": "Env"})
    assert env == {"id": 9000008, "name": "Env", "parent_id": None, "rule_type": "STATIC", "rule_text": None,
                   "provider": None, "color": "#FFFFFF", "criticality_score": 4, "description": "environments",
                   "children": ["Prod", "Stage"], "system": False, "asset_group_id": None, "business_unit_id": None}
    (prod,) = info(fake, {"name": "Prod"})
    assert prod["color"] == "#FF0000" and prod["parent_id"] == 9000008 and prod["rule_text"] == "10.0.0.0/24"


def test_filters_are_sent_to_qualys(fake):
    found = info(fake, {"name_contains": "prod", "rule_type": "NETWORK_RANGE", "parent_id": 9000008, "page_size": 7},
                 check=True)
    assert [tag["name"] for tag in found] == ["Prod"]
    call, parents = [c for c in fake.calls if c["op"] == "search"]
    assert call["criteria"] == [("name", "CONTAINS", "prod"), ("parent", "EQUALS", "9000008"),
                                ("ruleType", "EQUALS", "NETWORK_RANGE")]
    assert call["page_size"] == 7
    # Is the parent one of the tags whose children Qualys owns?
    assert parents["criteria"] == [("id", "IN", "9000008")]


def test_parent_by_name(fake):
    assert [tag["name"] for tag in info(fake, {"parent": "Env"})] == ["Prod", "Stage"]
    assert searches(fake) == [[("name", "EQUALS", "Env")], [("parent", "EQUALS", "9000008")]]


def test_parent_id_zero_lists_the_root(fake):
    found = info(fake, {"parent_id": 0, "name_contains": "Prod"})
    assert [tag["name"] for tag in found] == ["Production db"]
    assert searches(fake) == [[("name", "CONTAINS", "Prod")]]


def test_unknown_parent_gives_no_tags(fake):
    assert info(fake, {"parent": "Nope"}) == []
    assert len(searches(fake)) == 1


def test_ids(fake):
    assert [tag["name"] for tag in info(fake, {"ids": [9000010, 9000009, 9000009]})] == ["Prod", "Stage"]
    # Then their parent (Env), to tell whether it is "Asset Groups" or "Business Units".
    assert searches(fake) == [[("id", "IN", "9000009,9000010")], [("id", "IN", "9000008")]]


def test_empty_ids_make_no_call(fake):
    assert info(fake, {"ids": []}) == []
    assert fake.calls == []


def test_static_is_filtered_locally(fake):
    found = info(fake, {"rule_type": "STATIC", "name_contains": "e"})
    assert [tag["name"] for tag in found] == ["Asset Groups", "Business Units", "Cloud Agent", "Asset Search Tags",
                                              "Malware Domain Assets", "Internet Facing Assets", "Passive Sensor",
                                              "Env", "Stage"]
    assert searches(fake) == [[("name", "CONTAINS", "e")]]


def test_system_tags_are_marked(fake):
    (agent,) = info(fake, {"name": "Cloud Agent"})
    assert agent["system"] is True


def test_asset_group_and_business_unit_tags_are_marked(fake):
    ids = [fake.add("Lab group", parent=9000001, srcAssetGroupId=2000001, tagUuid="6f1c"),
           fake.add("Unassigned Business Unit", parent=9000002, srcBusinessUnitId=3),
           fake.add("Unmarked", parent=9000001), 9000011]
    found = info(fake, {"ids": ids})
    shown = dict((tag["name"], (tag["system"], tag["asset_group_id"], tag["business_unit_id"])) for tag in found)
    assert shown["Lab group"] == (True, 2000001, None)
    assert shown["Unassigned Business Unit"] == (True, None, 3)
    # No marker, but a child of "Asset Groups": one more read finds its parent.
    assert shown["Unmarked"] == (True, None, None)
    assert shown["Production db"] == (False, None, None)
    assert searches(fake) == [[("id", "IN", ",".join(str(tag_id) for tag_id in sorted(ids)))], [("id", "IN", "9000001")]]
    # Its parent in the same result: no extra read.
    fake.calls = []
    assert all(tag["system"] for tag in info(fake, {"name_contains": "group"}) if tag["name"] != "Production db")
    assert len(searches(fake)) == 1


@pytest.mark.parametrize("args, message", [
    ({"page_size": 0}, "page_size must be from 1 to 1000, got 0."),
    ({"page_size": 1001}, "page_size must be from 1 to 1000, got 1001."),
    ({"parent": "a", "parent_id": 1}, "mutually exclusive"),
    ({"rule_type": "nope"}, "rule_type must be one of"),
])
def test_bad_input(fake, args, message):
    out = run(fake, args, module=qualys_tag_info)
    assert out.failed and message in out["msg"]
    assert fake.calls == []


def test_ambiguous_parent_fails(fake):
    fake.add("Env")
    out = run(fake, {"parent": "Env"}, module=qualys_tag_info)
    assert out.failed and "Several tags are named 'Env'" in out["msg"]
