# -*- coding: utf-8 -*-
# Copyright (c) scanops.qualys contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""qualys_tag against an in-memory QPS tag store: rule building, comparison, writes, check mode, errors."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import copy

import pytest

from ansible_collections.scanops.qualys.plugins.module_utils.qualys_errors import QualysError
from ansible_collections.scanops.qualys.plugins.modules import qualys_tag
from ansible_collections.scanops.qualys.tests.unit.plugins.modules.utils import run_module

CONNECTION = {"url": "https://qualys.example.invalid", "username": "admin", "password": "Admin-Pass-1"}
SYSTEM_NAMES = ("Asset Groups", "Business Units", "Cloud Agent", "Asset Search Tags", "Malware Domain Assets",
                "Internet Facing Assets", "Passive Sensor")


def _not_found(tag_id):
    return QualysError("Qualys error OBJECT_NOT_FOUND: Tag with id %s does not exist" % tag_id,
                       code="OBJECT_NOT_FOUND", status=200, kind="not_found")


class FakeQualys:
    """QPS am/tag in a dict, with the client's qps()/qps_search() signatures; every call recorded."""

    token = None

    def __init__(self):
        self.tags = {}
        self.calls = []
        self.next_id = 9000001
        for name in SYSTEM_NAMES:
            self.add(name, ruleType="STATIC")

    # -- the store ---------------------------------------------------------------

    def add(self, name, parent=None, **fields):
        raw = {"id": self.next_id, "name": name, "color": "#FFFFFF", "created": "2026-01-01T00:00:00.000Z"}
        self.next_id += 1
        if parent is not None:
            raw["parentTagId"] = parent
        raw.update(fields)
        self.tags[raw["id"]] = raw
        return raw["id"]

    def children_of(self, tag_id):
        return [tag for tag in sorted(self.tags.values(), key=lambda t: t["id"]) if tag.get("parentTagId") == tag_id]

    def view(self, raw):
        out = copy.deepcopy(raw)
        children = self.children_of(raw["id"])
        if children:
            out["children"] = {"list": [{"TagSimple": {"id": c["id"], "name": c["name"]}} for c in children]}
        return out

    def by_name(self, name):
        return [tag for tag in self.tags.values() if tag["name"] == name]

    def remove(self, tag_id):
        for child in self.children_of(tag_id):
            self.remove(child["id"])
        self.tags.pop(tag_id, None)

    # -- the client ----------------------------------------------------------------

    def writes(self):
        return [call for call in self.calls if call["write"]]

    def qps(self, operation, object_type, object_id=None, body=None, write=False, idempotent=None, credentials=None):
        assert object_type == "am/tag"
        self.calls.append({"op": operation, "id": object_id, "body": copy.deepcopy(body), "write": write,
                           "idempotent": idempotent})
        fields = dict((body or {}).get("ServiceRequest", {}).get("data", {}).get("Tag", {}))
        children = fields.pop("children", {})
        if operation == "create":
            tag_id = self.add(**dict((k, v) for k, v in fields.items() if k not in ("parentTagId", "name")),
                              name=fields["name"], parent=fields.get("parentTagId"))
            for child in children.get("set", {}).get("TagSimple", []):
                self.add(child["name"], parent=tag_id)
            return self._reply([{"id": tag_id, "name": fields["name"]}])
        if operation == "update":
            raw = self.tags[object_id]
            for key, value in fields.items():
                if value in ("", None) or (key == "parentTagId" and value == 0):
                    raw.pop(key, None)
                else:
                    raw[key] = value
            for child in children.get("add", {}).get("TagSimple", []):
                self.add(child["name"], parent=object_id)
            for child in children.get("remove", {}).get("TagSimple", []):
                self.remove(child["id"])
            return self._reply([{"id": object_id}])
        if operation == "delete":
            if object_id not in self.tags:
                raise _not_found(object_id)
            self.remove(object_id)
            return self._reply([{"id": object_id}])
        raise AssertionError("unexpected operation %s" % operation)

    def qps_search(self, object_type, criteria, page_size=100, credentials=None):
        assert object_type == "am/tag"
        self.calls.append({"op": "search", "criteria": list(criteria), "page_size": page_size, "write": False})
        found = []
        for raw in sorted(self.tags.values(), key=lambda t: t["id"]):
            if all(self._match(raw, field, operator, value) for field, operator, value in criteria):
                found.append(self.view(raw))
        return found

    @staticmethod
    def _match(raw, field, operator, value):
        if field == "id":
            wanted = [int(part) for part in value.split(",")]
            return raw["id"] in wanted if operator == "IN" else raw["id"] == wanted[0]
        if field == "parent":
            return raw.get("parentTagId", 0) == int(value)
        actual = raw.get(field, "")
        if operator == "CONTAINS":
            return value.lower() in actual.lower()
        return actual == value

    @staticmethod
    def _reply(data):
        return {"count": len(data), "has_more": False, "last_id": None, "data": data}


def run(fake, args, module=qualys_tag, check=False, diff=False):
    """Run ``module`` (qualys_tag by default) against ``fake``; a ModuleResult."""
    return run_module(module, dict(CONNECTION, **args), check=check, diff=diff, client=fake)


def ok(fake, args, **kwargs):
    out = run(fake, args, **kwargs)
    assert not out.failed, out
    return out.result


def failed(fake, args, **kwargs):
    out = run(fake, args, **kwargs)
    assert out.failed, out
    return out.result


@pytest.fixture
def fake():
    return FakeQualys()


# -- rule building --------------------------------------------------------------------


def test_create_with_ip_ranges_builds_a_canonical_network_rule(fake):
    result = ok(fake, {"name": "Lab", "ip_ranges": ["192.168.1.1-192.168.1.100", "10.0.0.0/24", "10.0.1.0/24"]})
    assert result["changed"] is True
    creates = [call for call in fake.writes() if call["op"] == "create"]
    assert len(fake.writes()) == 1 and len(creates) == 1
    assert creates[0]["body"] == {"ServiceRequest": {"data": {"Tag": {
        "name": "Lab", "ruleType": "NETWORK_RANGE", "ruleText": "10.0.0.0-10.0.1.255,192.168.1.1-192.168.1.100",
        "color": "#FFFFFF"}}}}
    assert creates[0]["idempotent"] is None
    tag = result["tag"]
    assert tag["rule_type"] == "NETWORK_RANGE" and tag["rule_text"] == "10.0.0.0-10.0.1.255,192.168.1.1-192.168.1.100"
    assert tag["id"] == 9000008 and tag["parent_id"] is None and tag["children"] == [] and tag["system"] is False


def test_ip_ranges_written_differently_are_unchanged(fake):
    fake.add("Lab", ruleType="NETWORK_RANGE", ruleText="10.0.0.0/24, 192.168.1.1-192.168.1.100")
    result = ok(fake, {"name": "Lab", "ip_ranges": ["192.168.1.1-192.168.1.100", "10.0.0.0-10.0.0.255"]})
    assert result["changed"] is False and fake.writes() == []
    # The text Qualys holds is returned as it is.
    assert result["tag"]["rule_text"] == "10.0.0.0/24, 192.168.1.1-192.168.1.100"


def test_network_range_rule_text_compares_by_addresses(fake):
    fake.add("Lab", ruleType="NETWORK_RANGE", ruleText="10.0.0.0-10.0.0.3")
    assert ok(fake, {"name": "Lab", "rule_type": "NETWORK_RANGE", "rule_text": "10.0.0.0/30"})["changed"] is False
    result = ok(fake, {"name": "Lab", "rule_type": "NETWORK_RANGE", "rule_text": "10.0.0.0/29"})
    assert result["changed"] is True
    assert fake.writes()[0]["body"]["ServiceRequest"]["data"]["Tag"] == {"ruleText": "10.0.0.0-10.0.0.7"}


def test_os_contains_builds_an_escaped_os_regex(fake):
    ok(fake, {"name": "Win", "os_contains": "Windows Server (x64) 2019+"})
    sent = fake.writes()[0]["body"]["ServiceRequest"]["data"]["Tag"]
    assert sent["ruleType"] == "OS_REGEX"
    assert sent["ruleText"] == r".*Windows Server \(x64\) 2019\+.*"
    assert ok(fake, {"name": "Win", "os_contains": "Windows Server (x64) 2019+"})["changed"] is False


@pytest.mark.parametrize("text, regex", [
    ("Linux", ".*Linux.*"),
    ("a.b*c?", r".*a\.b\*c\?.*"),
    ("[x]{1}|^$\\", r".*\[x\]\{1\}\|\^\$\\.*"),
])
def test_os_regex(text, regex):
    assert qualys_tag.tags.os_regex(text) == regex


def test_os_contains_on_a_network_tag_changes_type_and_text(fake):
    fake.add("Scope", ruleType="NETWORK_RANGE", ruleText="10.0.0.1")
    ok(fake, {"name": "Scope", "os_contains": "Linux"})
    assert fake.writes()[0]["body"]["ServiceRequest"]["data"]["Tag"] == {"ruleType": "OS_REGEX", "ruleText": ".*Linux.*"}


def test_static_clears_the_rule_text(fake):
    fake.add("Scope", ruleType="NAME_CONTAINS", ruleText="web")
    result = ok(fake, {"name": "Scope", "rule_type": "STATIC"}, diff=True)
    assert fake.writes()[0]["body"]["ServiceRequest"]["data"]["Tag"] == {"ruleType": "STATIC", "ruleText": ""}
    assert result["tag"]["rule_type"] == "STATIC" and result["tag"]["rule_text"] is None
    assert result["diff"]["before"]["rule_text"] == "web" and result["diff"]["after"]["rule_text"] is None


def test_a_tag_without_rule_type_is_static(fake):
    fake.add("Plain")
    assert ok(fake, {"name": "Plain", "rule_type": "STATIC"})["changed"] is False


# -- comparison and minimal updates ----------------------------------------------------------


def test_unchanged_makes_no_write(fake):
    fake.add("Web", color="#00FF00", criticalityScore=3, description="web servers", ruleType="NAME_CONTAINS",
             ruleText="web")
    result = ok(fake, {"name": "Web", "color": "#00ff00", "criticality_score": 3, "description": "web servers",
                       "rule_type": "NAME_CONTAINS", "rule_text": "web"}, diff=True)
    assert result["changed"] is False and fake.writes() == []
    assert result["diff"]["before"] == result["diff"]["after"]


def test_one_changed_field_is_the_only_field_sent(fake):
    tag_id = fake.add("Web", color="#00FF00", criticalityScore=3, description="web servers")
    result = ok(fake, {"name": "Web", "color": "#0000ff", "criticality_score": 3, "description": "web servers"}, diff=True)
    assert result["changed"] is True
    (write,) = fake.writes()
    assert write["op"] == "update" and write["id"] == tag_id and write["idempotent"] is True
    assert write["body"] == {"ServiceRequest": {"data": {"Tag": {"color": "#0000FF"}}}}
    assert result["diff"]["before"]["color"] == "#00FF00" and result["diff"]["after"]["color"] == "#0000FF"
    assert result["tag"]["color"] == "#0000FF"


def test_options_not_given_are_left_alone(fake):
    fake.add("Web", color="#00FF00", criticalityScore=3, description="keep", ruleType="NAME_CONTAINS", ruleText="web")
    assert ok(fake, {"name": "Web"})["changed"] is False
    assert fake.writes() == []


def test_empty_description_removes_it(fake):
    fake.add("Web", description="old")
    ok(fake, {"name": "Web", "description": ""})
    assert fake.writes()[0]["body"]["ServiceRequest"]["data"]["Tag"] == {"description": ""}
    assert ok(fake, {"name": "Web", "description": ""})["changed"] is False


def test_check_mode_predicts_the_update_without_writing(fake):
    fake.add("Web", criticalityScore=2)
    result = ok(fake, {"name": "Web", "criticality_score": 5, "description": "d"}, check=True, diff=True)
    assert result["changed"] is True and fake.writes() == []
    assert result["tag"]["criticality_score"] == 5 and result["tag"]["description"] == "d"
    assert result["diff"]["before"]["criticality_score"] == 2


def test_check_mode_predicts_the_create(fake):
    result = ok(fake, {"name": "New", "os_contains": "Linux", "children": ["b", "a"]}, check=True, diff=True)
    assert result["changed"] is True and fake.writes() == []
    assert result["tag"] == {"id": None, "name": "New", "parent_id": None, "rule_type": "OS_REGEX",
                             "rule_text": ".*Linux.*", "provider": None, "color": "#FFFFFF",
                             "criticality_score": None, "description": None, "children": ["a", "b"], "system": False,
                             "asset_group_id": None, "business_unit_id": None}
    assert result["diff"]["before"] == {}
    real = ok(fake, {"name": "New", "os_contains": "Linux", "children": ["b", "a"]})
    predicted = dict(result["tag"], id=real["tag"]["id"])
    assert real["tag"] == predicted


# -- identity -------------------------------------------------------------------------


def test_name_search_is_exact_and_server_side(fake):
    fake.add("web")
    ok(fake, {"name": "Web", "state": "absent"})
    assert fake.calls == [{"op": "search", "criteria": [("name", "EQUALS", "Web")], "page_size": 100, "write": False}]


def test_same_name_under_several_parents_needs_a_parent(fake):
    servers = fake.add("Servers")
    fake.add("Prod", parent=servers)
    fake.add("Prod")
    result = failed(fake, {"name": "Prod", "color": "#000000"})
    assert "Several tags are named 'Prod'" in result["msg"]
    assert "id 9000009 under 'Servers' (id 9000008)" in result["msg"] and "id 9000010 at the root" in result["msg"]
    assert result["error_kind"] == "ambiguous" and fake.writes() == []


def test_parent_narrows_the_search_and_is_used_on_create(fake):
    servers = fake.add("Servers")
    fake.add("Prod")
    result = ok(fake, {"name": "Prod", "parent": "Servers"})
    assert result["changed"] is True and result["tag"]["parent_id"] == servers
    assert fake.calls[1]["criteria"] == [("name", "EQUALS", "Prod"), ("parent", "EQUALS", str(servers))]
    assert fake.writes()[0]["body"]["ServiceRequest"]["data"]["Tag"]["parentTagId"] == servers
    assert ok(fake, {"name": "Prod", "parent": "Servers"})["changed"] is False
    assert ok(fake, {"name": "Prod", "parent_id": servers})["changed"] is False


def test_parent_id_zero_is_the_root(fake):
    servers = fake.add("Servers")
    fake.add("Prod", parent=servers)
    result = ok(fake, {"name": "Prod", "parent_id": 0}, check=True, diff=True)
    assert result["changed"] is True and result["tag"]["parent_id"] is None and fake.writes() == []
    result = ok(fake, {"name": "Prod", "parent_id": 0})
    assert fake.writes()[0]["body"]["ServiceRequest"]["data"]["Tag"] == {"name": "Prod", "color": "#FFFFFF"}
    assert result["tag"]["parent_id"] is None
    assert ok(fake, {"name": "Prod", "parent_id": 0})["changed"] is False
    # The root has no Qualys filter: the search is by name, the parent checked on the results.
    assert all(call["criteria"] == [("name", "EQUALS", "Prod")] for call in fake.calls
               if call["op"] == "search" and call["criteria"][0][0] == "name")


def test_moving_to_the_root_sends_parent_zero(fake):
    servers = fake.add("Servers")
    tag_id = fake.add("Prod", parent=servers)
    result = ok(fake, {"id": tag_id, "parent_id": 0})
    assert fake.writes()[0]["body"]["ServiceRequest"]["data"]["Tag"] == {"parentTagId": 0}
    assert result["tag"]["parent_id"] is None


def test_missing_parent(fake):
    result = failed(fake, {"name": "Prod", "parent": "Nope"})
    assert result["msg"] == "The parent tag 'Nope' does not exist; create it first."
    assert ok(fake, {"name": "Prod", "parent": "Nope", "state": "absent"})["changed"] is False
    assert fake.writes() == []


def test_id_identity_renames_and_moves(fake):
    servers = fake.add("Servers")
    tag_id = fake.add("Old")
    result = ok(fake, {"id": tag_id, "name": "New", "parent": "Servers"})
    assert fake.writes()[0]["body"]["ServiceRequest"]["data"]["Tag"] == {"name": "New", "parentTagId": servers}
    assert result["tag"]["name"] == "New" and result["tag"]["parent_id"] == servers


def test_delete_by_id_ignores_a_missing_parent(fake):
    tag_id = fake.add("Old")
    assert ok(fake, {"id": tag_id, "parent": "Nope", "state": "absent"})["changed"] is True
    assert [write["op"] for write in fake.writes()] == ["delete"]


def test_unknown_id(fake):
    result = failed(fake, {"id": 123, "color": "#000000"})
    assert "No tag with id 123" in result["msg"] and "cannot be created with a given id" in result["msg"]
    assert ok(fake, {"id": 123, "state": "absent"})["changed"] is False


# -- system tags ------------------------------------------------------------------------------


@pytest.mark.parametrize("name", SYSTEM_NAMES)
def test_system_tags_are_never_deleted(fake, name):
    result = failed(fake, {"name": name, "state": "absent"})
    assert result["msg"] == ("The tag %r (id %s) is owned by Qualys: it is one of the tags Qualys creates in every "
                             "subscription. qualys_tag never deletes a Qualys-owned tag. Use a tag of your own instead."
                             % (name, fake.by_name(name)[0]["id"]))
    assert fake.writes() == []


def test_system_tags_are_never_changed(fake):
    result = failed(fake, {"name": "Cloud Agent", "color": "#FF0000"}, check=True)
    assert "'Cloud Agent'" in result["msg"] and "never changes" in result["msg"]
    # Asking for what it already is, is fine.
    assert ok(fake, {"name": "Cloud Agent", "color": "#ffffff"})["changed"] is False


def test_asset_group_and_business_unit_tags_are_system(fake):
    group_tag = fake.add("Lab group", parent=9000001, srcAssetGroupId=2000001, tagUuid="6f1c")
    unit_tag = fake.add("Unassigned Business Unit", parent=9000002, srcBusinessUnitId=3)
    assert failed(fake, {"name": "Lab group", "state": "absent"})["msg"] == (
        "The tag 'Lab group' (id %s) is owned by Qualys: it stands for the asset group with id 2000001 "
        "(srcAssetGroupId). qualys_tag never deletes a Qualys-owned tag. To change or remove it, manage the asset "
        "group itself with scanops.qualys.qualys_asset_group; to tag assets your own way, use a tag of your own."
        % group_tag)
    assert failed(fake, {"name": "Unassigned Business Unit", "description": "x"})["msg"] == (
        "The tag 'Unassigned Business Unit' (id %s) is owned by Qualys: it stands for the business unit with id 3 "
        "(srcBusinessUnitId). qualys_tag never changes a Qualys-owned tag. It follows its business unit, which is "
        "managed in Qualys user administration; to tag assets your own way, use a tag of your own." % unit_tag)
    assert failed(fake, {"id": group_tag, "color": "#000000"}, check=True)["msg"].startswith("The tag 'Lab group'")
    result = ok(fake, {"name": "Lab group"})
    assert result["changed"] is False and result["tag"]["system"] is True
    assert (result["tag"]["asset_group_id"], result["tag"]["business_unit_id"]) == (2000001, None)
    assert fake.writes() == []


@pytest.mark.parametrize("parent, kind", [(9000001, "asset group"), (9000002, "business unit")])
def test_any_child_of_the_asset_group_or_business_unit_tag_is_system(fake, parent, kind):
    # Without a src*Id marker, the parent alone says Qualys made the tag.
    tag_id = fake.add("Made by Qualys", parent=parent)
    parent_name = fake.tags[parent]["name"]
    for args, verb in (({"name": "Made by Qualys", "state": "absent"}, "deletes"),
                       ({"id": tag_id, "description": "x"}, "changes"),
                       ({"name": "Made by Qualys", "parent_id": parent, "color": "#000000"}, "changes")):
        msg = failed(fake, args)["msg"]
        assert msg.startswith("The tag 'Made by Qualys' (id %s) is owned by Qualys: it is under the system tag %r, "
                              "where Qualys keeps one tag per %s." % (tag_id, parent_name, kind)), msg
        assert "never %s" % verb in msg
    result = ok(fake, {"name": "Made by Qualys", "parent": parent_name})
    assert result["tag"]["system"] is True and fake.writes() == []


@pytest.mark.parametrize("args", [{"parent": "Asset Groups"}, {"parent_id": 9000001}, {"parent": "Business Units"}])
def test_no_tag_is_created_under_the_asset_group_or_business_unit_tag(fake, args):
    result = failed(fake, dict(args, name="Mine"))
    parent = "Business Units" if args.get("parent") == "Business Units" else "Asset Groups"
    assert result["msg"].startswith("The tag 'Mine' is not created under the system tag %r: Qualys keeps one tag "
                                    "there per " % parent), result["msg"]
    advice = ("create the business unit in Qualys" if parent == "Business Units"
              else "create the asset group with scanops.qualys.qualys_asset_group")
    assert advice in result["msg"] and "choose another parent" in result["msg"]
    assert fake.writes() == [] and fake.by_name("Mine") == []


def test_no_tag_is_moved_under_the_asset_group_tag(fake):
    tag_id = fake.add("Mine")
    result = failed(fake, {"id": tag_id, "parent": "Asset Groups"}, check=True)
    assert result["msg"].startswith("The tag 'Mine' is not moved under the system tag 'Asset Groups'")
    assert fake.writes() == []


def test_a_user_tag_named_asset_groups_below_the_root_is_a_plain_parent(fake):
    mine = fake.add("Mine")
    fake.add("Asset Groups", parent=mine)
    result = ok(fake, {"name": "Child", "parent_id": fake.by_name("Asset Groups")[1]["id"]})
    assert result["changed"] is True and result["tag"]["system"] is False
    assert ok(fake, {"name": "Child", "state": "absent"})["changed"] is True


def test_unknown_fields_in_replies_are_ignored(fake):
    fake.add("Web", tagUuid="1b2c", reEvalStatus="DONE", parentTagUuid="x", isSubUserScopedTag="false")
    result = ok(fake, {"name": "Web", "color": "#FFFFFF"})
    assert result["changed"] is False and "tagUuid" not in result["tag"]


def test_a_user_tag_named_like_a_system_tag_below_the_root_is_not_system(fake):
    parent = fake.add("Mine")
    fake.add("Cloud Agent", parent=parent)
    assert ok(fake, {"name": "Cloud Agent", "parent": "Mine", "state": "absent"})["changed"] is True


# -- children -----------------------------------------------------------------------------------


def test_children_are_added_and_others_kept(fake):
    env = fake.add("Env")
    fake.add("Legacy", parent=env)
    result = ok(fake, {"name": "Env", "children": ["Prod", "Stage", "Prod"]}, diff=True)
    (write,) = fake.writes()
    assert write["body"]["ServiceRequest"]["data"]["Tag"] == {
        "children": {"add": {"TagSimple": [{"name": "Prod"}, {"name": "Stage"}]}}}
    # Adding by name creates tags, so the call is not repeated blindly.
    assert write["idempotent"] is False
    assert result["tag"]["children"] == ["Legacy", "Prod", "Stage"]
    assert ok(fake, {"name": "Env", "children": ["Stage"]})["changed"] is False


def test_purge_children_removes_the_others_by_id(fake):
    env = fake.add("Env")
    legacy = fake.add("Legacy", parent=env)
    fake.add("Prod", parent=env)
    result = ok(fake, {"name": "Env", "children": ["Prod"], "purge_children": True})
    (write,) = fake.writes()
    assert write["body"]["ServiceRequest"]["data"]["Tag"] == {"children": {"remove": {"TagSimple": [{"id": legacy}]}}}
    assert write["idempotent"] is True
    assert result["tag"]["children"] == ["Prod"]


def test_adding_and_removing_children_takes_two_calls(fake):
    env = fake.add("Env")
    legacy = fake.add("Legacy", parent=env)
    result = ok(fake, {"name": "Env", "children": ["Prod"], "purge_children": True, "color": "#123456"})
    bodies = [write["body"]["ServiceRequest"]["data"]["Tag"] for write in fake.writes()]
    assert bodies == [
        {"color": "#123456", "children": {"add": {"TagSimple": [{"name": "Prod"}]}}},
        {"children": {"remove": {"TagSimple": [{"id": legacy}]}}},
    ]
    assert result["tag"]["children"] == ["Prod"]


def test_empty_children_with_purge_removes_all(fake):
    env = fake.add("Env")
    fake.add("A", parent=env)
    fake.add("B", parent=env)
    assert ok(fake, {"name": "Env", "children": [], "purge_children": True})["tag"]["children"] == []
    assert ok(fake, {"name": "Env", "children": [], "purge_children": True})["changed"] is False


def test_children_on_create_use_set(fake):
    ok(fake, {"name": "Env", "children": ["B", "A"]})
    assert fake.writes()[0]["body"]["ServiceRequest"]["data"]["Tag"]["children"] == {
        "set": {"TagSimple": [{"name": "A"}, {"name": "B"}]}}


# -- delete -------------------------------------------------------------------------------------


def test_delete_and_delete_again(fake):
    tag_id = fake.add("Gone")
    result = ok(fake, {"name": "Gone", "state": "absent"}, diff=True)
    assert result["changed"] is True and result["tag"] == {}
    (write,) = fake.writes()
    assert write["op"] == "delete" and write["id"] == tag_id and write["idempotent"] is True
    assert write["body"] == {"ServiceRequest": {}}
    assert result["diff"]["before"]["name"] == "Gone" and result["diff"]["after"] == {}
    assert ok(fake, {"name": "Gone", "state": "absent"})["changed"] is False


def test_delete_in_check_mode(fake):
    fake.add("Gone")
    assert ok(fake, {"name": "Gone", "state": "absent"}, check=True)["changed"] is True
    assert fake.writes() == [] and fake.by_name("Gone")


def test_delete_that_finds_the_tag_already_gone_succeeds(fake):
    fake.add("Gone")
    original = fake.qps

    def vanish_first(operation, object_type, object_id=None, **kwargs):
        if operation == "delete":
            fake.tags.pop(object_id, None)
        return original(operation, object_type, object_id=object_id, **kwargs)

    fake.qps = vanish_first
    assert ok(fake, {"name": "Gone", "state": "absent"})["changed"] is True


# -- input errors: before any call -----------------------------------------------------------------


@pytest.mark.parametrize("args, message", [
    ({"name": "x", "ip_ranges": ["10.0.0.1"], "rule_type": "OS_REGEX", "rule_text": "x"}, "mutually exclusive"),
    ({"name": "x", "os_contains": "Linux", "rule_text": "x", "rule_type": "OS_REGEX"}, "mutually exclusive"),
    ({"name": "x", "ip_ranges": ["10.0.0.1"], "os_contains": "Linux"}, "mutually exclusive"),
    ({"name": "x", "parent": "a", "parent_id": 1}, "mutually exclusive"),
    ({"name": "x", "rule_text": "x"}, "missing parameter(s) required by 'rule_text': rule_type"),
    ({"color": "#000000"}, "one of the following is required: name, id"),
    ({"name": "x", "rule_type": "NAME_CONTAINS"}, "rule_type=NAME_CONTAINS needs rule_text."),
    ({"name": "x", "rule_type": "STATIC", "rule_text": "x"}, "rule_type=STATIC takes no rule_text"),
    ({"name": "x", "rule_type": "network_range", "rule_text": "x"}, "rule_type must be one of"),
    ({"name": "x", "color": "red"}, "color must be #RRGGBB"),
    ({"name": "x", "color": "#12345"}, "color must be #RRGGBB"),
    ({"name": "x", "criticality_score": 6}, "criticality_score must be from 1 to 5, got 6."),
    ({"name": "x", "criticality_score": 0}, "criticality_score must be from 1 to 5, got 0."),
    ({"name": "x", "provider": "EC2"}, "provider is only used with rule_type=CLOUD_ASSET."),
    ({"name": "x", "purge_children": True}, "purge_children needs children"),
    ({"name": "x", "children": ["a", " "]}, "children must not contain empty names."),
    ({"name": "  "}, "name must not be empty."),
    ({"name": "x", "parent_id": -1}, "parent_id must be a tag id, or 0 for the root, got -1."),
    ({"name": "x", "os_contains": " "}, "os_contains must not be empty."),
    ({"name": "x", "ip_ranges": []}, "ip_ranges must list at least one"),
    ({"name": "x", "ip_ranges": ["10.0.0.0/33"]}, "ip_ranges: '10.0.0.0/33'"),
    ({"name": "x", "ip_ranges": ["10.0.0.9-10.0.0.1"]}, "ip_ranges: '10.0.0.9-10.0.0.1'"),
    ({"name": "x", "ip_ranges": ["10.0.0.1/24"]}, "ip_ranges: '10.0.0.1/24'"),
    ({"name": "x", "rule_type": "NETWORK_RANGE", "rule_text": "10.0.0.300"}, "rule_text: '10.0.0.300'"),
])
def test_bad_input_fails_before_any_call(fake, args, message):
    result = failed(fake, args)
    assert message in result["msg"]
    assert fake.calls == []


def test_cloud_asset_with_provider(fake):
    ok(fake, {"name": "AWS", "rule_type": "CLOUD_ASSET", "rule_text": "x", "provider": "EC2"})
    assert fake.writes()[0]["body"]["ServiceRequest"]["data"]["Tag"]["provider"] == "EC2"


# -- Qualys errors ------------------------------------------------------------------------------------


def test_a_qualys_error_fails_with_its_code(fake):
    fake.add("Web")

    def refuse(*args, **kwargs):
        raise QualysError("Qualys error INSUFFICIENT_PERMISSION: User does not have the permission 'Edit User Tag'.",
                          code="INSUFFICIENT_PERMISSION", status=200, kind="auth")

    fake.qps = refuse
    result = failed(fake, {"name": "Web", "color": "#000000"})
    assert result["msg"].startswith("Qualys error INSUFFICIENT_PERMISSION")
    assert result["error_code"] == "INSUFFICIENT_PERMISSION" and result["error_kind"] == "auth"


def test_a_failed_update_fails_the_task(fake):
    fake.add("Web")
    original = fake.qps

    def refuse_update(operation, *args, **kwargs):
        if operation == "update":
            raise QualysError("Qualys error INVALID_REQUEST: Invalid color", code="INVALID_REQUEST", status=200)
        return original(operation, *args, **kwargs)

    fake.qps = refuse_update
    result = failed(fake, {"name": "Web", "color": "#000000"})
    assert result["msg"] == "Qualys error INVALID_REQUEST: Invalid color" and result["error_kind"] == "api"


def test_a_lost_create_reply_is_checked_before_failing(fake):
    original = fake.qps

    def lose_reply(operation, *args, **kwargs):
        reply = original(operation, *args, **kwargs)
        if operation == "create":
            raise QualysError("POST /qps/rest/2.0/create/am/tag timed out", kind="timeout", outcome_unknown=True)
        return reply

    fake.qps = lose_reply
    result = ok(fake, {"name": "Lost"})
    assert result["changed"] is True and result["tag"]["name"] == "Lost"
    assert len(fake.by_name("Lost")) == 1
