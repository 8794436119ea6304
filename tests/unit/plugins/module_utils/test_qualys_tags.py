# -*- coding: utf-8 -*-
# Copyright (c) scanops.qualys contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""qualys_tags: Tag objects as dicts, finding a tag by name, rule helpers."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.scanops.qualys.plugins.module_utils import qualys_tags as tags
from ansible_collections.scanops.qualys.plugins.module_utils.qualys_errors import QualysError


class Client:
    """Answers qps_search from a list of raw tags; records criteria."""

    def __init__(self, raws, fail_ids=False):
        self.raws = raws
        self.searches = []
        self.fail_ids = fail_ids

    def qps_search(self, object_type, criteria, page_size=100):
        self.searches.append(list(criteria))
        if self.fail_ids and criteria and criteria[0][0] == "id":
            raise QualysError("boom")
        out = []
        for raw in self.raws:
            keep = True
            for field, _operator, value in criteria:
                if field == "name":
                    keep = keep and raw["name"] == value
                elif field == "parent":
                    keep = keep and str(raw.get("parentTagId", 0)) == value
                elif field == "id":
                    keep = keep and str(raw["id"]) in value.split(",")
            if keep:
                out.append(raw)
        return out


RAWS = [
    {"id": 1, "name": "Servers"},
    {"id": 2, "name": "Prod", "parentTagId": 1},
    {"id": 3, "name": "Prod", "parentTagId": 0},
    {"id": 4, "name": "Linux", "ruleType": "OS_REGEX", "ruleText": ".*Linux.*", "color": "#abcdef",
     "criticalityScore": "4", "children": {"list": [{"TagSimple": {"id": 6, "name": "b"}},
                                                    {"TagSimple": {"id": 5, "name": "a"}}]}},
    {"id": 7, "name": "Servers"},
]


@pytest.mark.parametrize("children", [
    {"list": [{"TagSimple": {"id": 6, "name": "b"}}, {"TagSimple": {"id": 5, "name": "a"}}]},
    {"list": {"TagSimple": [{"id": 6, "name": "b"}, {"id": 5, "name": "a"}]}},
    {"TagSimple": [{"id": 6, "name": "b"}, {"id": 5, "name": "a"}]},
])
def test_tag_from_api_reads_every_children_spelling(children):
    tag = tags.tag_from_api({"id": "4", "name": "Linux", "children": children})
    assert tag["children"] == ["a", "b"] and tag[tags.CHILD_IDS] == {"a": 5, "b": 6}


def test_tag_from_api_normalises():
    tag = tags.tag_from_api(RAWS[3])
    assert tags.public(tag) == {"id": 4, "name": "Linux", "parent_id": None, "rule_type": "OS_REGEX",
                                "rule_text": ".*Linux.*", "color": "#ABCDEF", "criticality_score": 4,
                                "description": None, "provider": None, "children": ["a", "b"], "system": False,
                                "asset_group_id": None, "business_unit_id": None}
    assert tags.tag_from_api({"id": 9, "name": "x", "parentTagId": "0"})["parent_id"] is None
    assert tags.tag_from_api({"id": 9, "name": "x", "ruleText": ""})["rule_text"] is None


@pytest.mark.parametrize("raw, system", [
    ({"name": "Cloud Agent"}, True),
    ({"name": "Cloud Agent", "parentTagId": 5}, False),
    ({"name": "x", "ruleType": "ASSET_GROUP", "parentTagId": 5}, True),
    ({"name": "x", "ruleType": "BUSINESS_INFORMATION", "parentTagId": 5}, True),
    ({"name": "x", "system": "true"}, True),
    ({"name": "x", "reservedType": "SYSTEM"}, True),
    ({"name": "x", "parentTagId": 5, "srcAssetGroupId": 2000001}, True),
    ({"name": "x", "parentTagId": 5, "srcAssetGroupId": "2000001"}, True),
    ({"name": "x", "parentTagId": 5, "srcBusinessUnitId": 3}, True),
    ({"name": "x", "srcAssetGroupId": ""}, False),
    ({"name": "x", "tagUuid": "0f0e", "reEvalStatus": "DONE", "parentTagUuid": "ab"}, False),
    ({"name": "x"}, False),
])
def test_system_tags(raw, system):
    assert tags.tag_from_api(dict(raw, id=1))["system"] is system


def test_system_tags_say_why():
    group = tags.tag_from_api({"id": 9, "name": "Lab", "parentTagId": 5, "srcAssetGroupId": "2000001",
                               "tagUuid": "0f0e"})
    assert (group["asset_group_id"], group["business_unit_id"]) == (2000001, None)
    assert group[tags.OWNER] == ("asset_group", "it stands for the asset group with id 2000001 (srcAssetGroupId)")
    unit = tags.tag_from_api({"id": 10, "name": "Unassigned Business Unit", "parentTagId": 6, "srcBusinessUnitId": 3})
    assert unit[tags.OWNER] == ("business_unit", "it stands for the business unit with id 3 (srcBusinessUnitId)")
    assert tags.tag_from_api({"id": 1, "name": "Cloud Agent"})[tags.OWNER][0] == "qualys"
    assert tags.tag_from_api({"id": 1, "name": "Mine"})[tags.OWNER] is None
    assert tags.OWNER not in tags.public(group) and tags.public(group)["asset_group_id"] == 2000001


ROOTS = [{"id": 1, "name": "Asset Groups"}, {"id": 2, "name": "Business Units"}, {"id": 3, "name": "Mine"},
         {"id": 4, "name": "Asset Groups", "parentTagId": 3}]


@pytest.mark.parametrize("parent, owner", [(1, "asset_group"), (2, "business_unit"), (3, None), (4, None)])
def test_children_of_the_asset_group_and_business_unit_tags_are_system(parent, owner):
    client = Client(ROOTS)
    child = tags.tag_from_api({"id": 20, "name": "Child", "parentTagId": parent})
    assert tags.mark_owned_children(client, [child]) == [child]
    assert client.searches == [[("id", "IN", str(parent))]]
    assert child["system"] is (owner is not None)
    if owner:
        assert child[tags.OWNER][0] == owner and "it is under the system tag %r" % ROOTS[parent - 1]["name"] \
            in child[tags.OWNER][1]


def test_owned_children_look_up_only_unknown_parents():
    client = Client(ROOTS)
    found = [tags.tag_from_api(raw) for raw in ROOTS] + [
        tags.tag_from_api({"id": 21, "name": "a", "parentTagId": 1}),
        tags.tag_from_api({"id": 22, "name": "b", "parentTagId": 2, "srcBusinessUnitId": 7}),
        tags.tag_from_api({"id": 23, "name": "c"})]
    tags.mark_owned_children(client, found)
    assert client.searches == []
    assert [tag["system"] for tag in found[-3:]] == [True, True, False]
    assert found[-2][tags.OWNER][0] == "business_unit"  # its own marker wins
    lone = tags.tag_from_api({"id": 24, "name": "d", "parentTagId": 3})
    tags.mark_owned_children(client, [lone], known=[tags.tag_from_api(ROOTS[2])])
    assert client.searches == [] and lone["system"] is False
    assert tags.owned_parent(tags.tag_from_api(ROOTS[0])) == "asset_group"
    assert tags.owned_parent(tags.tag_from_api(ROOTS[3])) is None and tags.owned_parent(None) is None


def test_find_tag_unique_name():
    client = Client(RAWS)
    assert tags.find_tag(client, "Linux")["id"] == 4
    assert tags.find_tag(client, "linux") is None
    assert client.searches == [[("name", "EQUALS", "Linux")], [("name", "EQUALS", "linux")]]


def test_find_tag_ambiguous_lists_the_candidates():
    client = Client(RAWS)
    with pytest.raises(QualysError) as error:
        tags.find_tag(client, "Prod")
    assert str(error.value) == ("Several tags are named 'Prod': id 2 under 'Servers' (id 1), id 3 at the root. "
                                "Give the parent tag (or the tag id) to choose one.")
    assert error.value.kind == "ambiguous"


def test_find_tag_ambiguous_without_parent_names():
    client = Client(RAWS, fail_ids=True)
    with pytest.raises(QualysError) as error:
        tags.find_tag(client, "Prod")
    assert "id 2 under parent id 1, id 3 at the root" in str(error.value)


def test_find_tag_under_a_parent():
    client = Client(RAWS[:4])
    assert tags.find_tag(client, "Prod", parent=1)["id"] == 2
    assert tags.find_tag(client, "Prod", parent="Servers")["id"] == 2
    assert client.searches[-1] == [("name", "EQUALS", "Prod"), ("parent", "EQUALS", "1")]
    assert tags.find_tag(client, "Prod", parent="Nope") is None
    assert tags.find_tag(client, "Prod", parent=0)["id"] == 3
    assert client.searches[-1] == [("name", "EQUALS", "Prod")]


def test_find_tag_ambiguous_parent():
    with pytest.raises(QualysError) as error:
        tags.find_tag(Client(RAWS), "Prod", parent="Servers")
    assert "Several tags are named 'Servers'" in str(error.value)


def test_get_tag():
    client = Client(RAWS)
    assert tags.get_tag(client, 4)["name"] == "Linux"
    assert tags.get_tag(client, 99) is None


@pytest.mark.parametrize("rule_type, current, desired, same", [
    ("NETWORK_RANGE", "10.0.0.0/30", "10.0.0.0-10.0.0.3", True),
    ("NETWORK_RANGE", "10.0.0.0,10.0.0.1,10.0.0.2,10.0.0.3", "10.0.0.0/30", True),
    ("NETWORK_RANGE", "10.0.0.0/30", "10.0.0.0/29", False),
    ("NETWORK_RANGE", "not an address", "10.0.0.0/29", False),
    ("NETWORK_RANGE", None, "10.0.0.1", False),
    ("OS_REGEX", ".*Linux.*", ".*Linux.*", True),
    ("OS_REGEX", ".*Linux.*", ".*linux.*", False),
    ("NAME_CONTAINS", "10.0.0.0/30", "10.0.0.0-10.0.0.3", False),
    ("STATIC", None, "", True),
])
def test_same_rule(rule_type, current, desired, same):
    assert tags.same_rule(rule_type, current, desired) is same


def test_network_rule_text():
    assert tags.network_rule_text(["192.168.1.1-192.168.1.100", "10.0.0.0/24"], "ip_ranges") == \
        "10.0.0.0-10.0.0.255,192.168.1.1-192.168.1.100"
    with pytest.raises(ValueError) as error:
        tags.network_rule_text(["nope"], "ip_ranges")
    assert str(error.value).startswith("ip_ranges: 'nope'")


def test_api_fields_and_children():
    assert tags.api_fields({"name": "a", "parent_id": 3, "criticality_score": 2, "children": ["x"]}) == {
        "name": "a", "parentTagId": 3, "criticalityScore": 2}
    assert tags.children_collection("add", [{"name": "x"}]) == {"add": {"TagSimple": [{"name": "x"}]}}
    assert tags.tag_request({"name": "a"}) == {"ServiceRequest": {"data": {"Tag": {"name": "a"}}}}
