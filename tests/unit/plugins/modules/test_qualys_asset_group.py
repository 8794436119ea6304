# -*- coding: utf-8 -*-
# Copyright (c) scanops.qualys contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""qualys_asset_group with a scripted client: reads, the minimal write, check mode, diff, every error shape."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.scanops.qualys.plugins.module_utils import qualys_formats as formats
from ansible_collections.scanops.qualys.plugins.module_utils.qualys_client import Response
from ansible_collections.scanops.qualys.plugins.module_utils.qualys_errors import QualysError
from ansible_collections.scanops.qualys.plugins.modules import qualys_asset_group
from ansible_collections.scanops.qualys.tests.unit.plugins.modules.utils import Call

AUTH = {"url": "https://qualysapi.example.com", "username": "admin", "password": "s3cret-Pass"}
PATH = "/api/2.0/fo/asset/group/"


# -- scripted Qualys ------------------------------------------------------------

class ScriptedQualys:
    """Stands in for the QualysClient: records each fo() call, answers the next scripted reply.

    A reply is ``(status, xml_text)`` (parsed by the real reply parser, so error
    shapes go through the same code as in production), a QualysError to raise,
    or a ``Call`` that also says which call it answers (hrobot style).
    """

    token = None

    def __init__(self, replies):
        self.replies = list(replies)
        self.calls = []

    def fo(self, path, params, write=False, idempotent=None, credentials=None):
        self.calls.append({"path": path, "params": dict(params), "write": write, "idempotent": idempotent})
        if not self.replies:
            raise AssertionError("unexpected call %s" % params)
        reply = self.replies.pop(0)
        if isinstance(reply, Call):
            reply = reply.check(dict(params), write)
        if isinstance(reply, Exception):
            raise reply
        status, text = reply
        content_type = "text/html" if text.lstrip().lower().startswith("<!doctype html") else "text/xml"
        return formats.parse_xml_reply(Response(status, {}, text, content_type))

    @property
    def writes(self):
        return [call for call in self.calls if call["write"]]


def xml_group(group_id, title, ips=None, **fields):
    parts = ["<ID>%s</ID>" % group_id, "<TITLE><![CDATA[%s]]></TITLE>" % title]
    for name in ("comments", "division", "function", "location"):
        if fields.get(name):
            parts.append("<%s><![CDATA[%s]]></%s>" % (name.upper(), fields[name], name.upper()))
    if "business_impact" in fields:
        parts.append("<BUSINESS_IMPACT>%s</BUSINESS_IMPACT>" % fields["business_impact"])
    if fields.get("default_appliance_id"):
        parts.append("<DEFAULT_APPLIANCE_ID>%s</DEFAULT_APPLIANCE_ID>" % fields["default_appliance_id"])
    if fields.get("appliance_ids"):
        parts.append("<APPLIANCE_IDS>%s</APPLIANCE_IDS>" % fields["appliance_ids"])
    for name, value in sorted(fields.get("cvss", {}).items()):
        parts.append("<CVSS_ENVIRO_%s>%s</CVSS_ENVIRO_%s>" % (name.upper(), value, name.upper()))
    if ips:
        parts.append("<IP_SET>%s</IP_SET>" % "".join(
            "<IP_RANGE>%s</IP_RANGE>" % entry if "-" in entry else "<IP>%s</IP>" % entry for entry in ips))
    if fields.get("domains"):
        parts.append("<DOMAIN_LIST>%s</DOMAIN_LIST>" % "".join(
            '<DOMAIN netblock="%s">%s</DOMAIN>' % (netblock, name) if netblock else "<DOMAIN>%s</DOMAIN>" % name
            for name, netblock in fields["domains"]))
    if fields.get("dns_names"):
        parts.append("<DNS_LIST>%s</DNS_LIST>" % "".join("<DNS><![CDATA[%s]]></DNS>" % n for n in fields["dns_names"]))
    if fields.get("netbios_names"):
        parts.append("<NETBIOS_LIST>%s</NETBIOS_LIST>" % "".join(
            "<NETBIOS><![CDATA[%s]]></NETBIOS>" % n for n in fields["netbios_names"]))
    return "<ASSET_GROUP>%s</ASSET_GROUP>" % "".join(parts)


def list_reply(*groups, **kwargs):
    warning = ""
    if kwargs.get("next_id_min"):
        warning = ("<WARNING><CODE>1980</CODE><TEXT>1 record limit exceeded. Use URL to get next batch of results.</TEXT>"
                   "<URL><![CDATA[https://qualysapi.example.com/api/2.0/fo/asset/group/?action=list&id_min=%s]]></URL>"
                   "</WARNING>" % kwargs["next_id_min"])
    return (200, "<?xml version='1.0' encoding='UTF-8'?><ASSET_GROUP_LIST_OUTPUT><RESPONSE><DATETIME>2026-01-01T00:00:00Z"
                 "</DATETIME><ASSET_GROUP_LIST>%s</ASSET_GROUP_LIST>%s</RESPONSE></ASSET_GROUP_LIST_OUTPUT>"
            % ("".join(groups), warning))


def simple_reply(text, code=None, group_id=None, status=200):
    code_xml = "<CODE>%s</CODE>" % code if code is not None else ""
    items = "<ITEM_LIST><ITEM><KEY>ID</KEY><VALUE>%s</VALUE></ITEM></ITEM_LIST>" % group_id if group_id else ""
    return (status, "<SIMPLE_RETURN><RESPONSE><DATETIME>2026-01-01T00:00:00Z</DATETIME>%s<TEXT>%s</TEXT>%s</RESPONSE>"
                    "</SIMPLE_RETURN>" % (code_xml, text, items))


def run_scripted(run_module, module, args, replies, check=False, diff=False, expect_failure=False):
    """Run ``module`` against the scripted ``replies`` (every one must be used); (ModuleResult, ScriptedQualys)."""
    scripted = ScriptedQualys(replies)
    out = run_module(module, dict(AUTH, **args), check=check, diff=diff, client=scripted)
    assert out.failed == expect_failure, out
    assert not scripted.replies, "scripted replies left over: %s" % scripted.replies
    return out, scripted


def run_group(run_module, args, replies, **kwargs):
    return run_scripted(run_module, qualys_asset_group, args, replies, **kwargs)


# -- create -----------------------------------------------------------------------

def test_create_sends_bare_names_once_and_returns_the_new_id(run_module):
    args = {"title": "DMZ", "ips": ["10.0.0.0/30", "10.0.1.5"], "business_impact": "minor", "comments": "web",
            "appliance_ids": [7, 3, 7], "dns_names": ["b.example", "a.example"], "cvss_enviro_cdp": "medium-high",
            "domains": ["example.com: [10.0.0.0-10.0.0.255]", "plain.example"], "default_appliance_id": 3}
    result, qualys = run_group(run_module, args, [list_reply(), simple_reply("Asset Group successfully added.", group_id=2000005)],
                               diff=True)
    assert result["changed"] is True
    lookup, add = qualys.calls
    assert lookup["params"] == {"action": "list", "title": "DMZ", "show_attributes": "APPLIANCE_LIST,BUSINESS_IMPACT,COMMENTS,"
                                "CVSS,DNS_LIST,DOMAIN_LIST,IP_SET,TITLE"}
    assert not lookup["write"]
    assert add["write"] is True and not add["idempotent"]
    assert add["params"] == {
        "action": "add", "title": "DMZ", "ips": "10.0.0.0-10.0.0.3,10.0.1.5", "business_impact": "none", "comments": "web",
        "appliance_ids": "3,7", "dns_names": "a.example,b.example", "cvss_enviro_cdp": "medium-high",
        "domains": "example.com:[10.0.0.0-10.0.0.255],plain.example", "default_appliance_id": "3",
    }
    group = result["asset_group"]
    assert group["id"] == 2000005
    assert group["ips"] == ["10.0.0.0-10.0.0.3", "10.0.1.5"]
    assert group["business_impact"] == "minor"
    assert result["diff"]["before"] == {}
    assert result["diff"]["after"]["ips"] == ["10.0.0.0-10.0.0.3", "10.0.1.5"]


def test_create_without_id_in_reply_reads_it_back_by_title(run_module):
    lookup = {"action": "list", "title": "DMZ", "show_attributes": "TITLE"}
    result, qualys = run_group(run_module, {"title": "DMZ"}, [
        Call(list_reply(), params=lookup, write=False),
        Call(simple_reply("Asset Group successfully added."), params={"action": "add", "title": "DMZ"}, write=True),
        Call(list_reply(xml_group(2000009, "DMZ")), params=lookup, write=False)])
    assert result["asset_group"] == {"id": 2000009, "title": "DMZ"}


def test_create_skips_empty_values(run_module):
    result, qualys = run_group(run_module, {"title": "Empty", "ips": [], "dns_names": [], "comments": ""},
                               [list_reply(), simple_reply("Asset Group successfully added.", group_id=11)])
    assert qualys.writes[0]["params"] == {"action": "add", "title": "Empty"}
    assert result["asset_group"] == {"id": 11, "title": "Empty", "ips": [], "dns_names": [], "comments": ""}


def test_create_with_remove_mode_creates_an_empty_group(run_module):
    result, qualys = run_group(run_module, {"title": "G", "ips": ["10.0.0.1"], "ips_mode": "remove"},
                               [list_reply(), simple_reply("Asset Group successfully added.", group_id=11)])
    assert qualys.writes[0]["params"] == {"action": "add", "title": "G"}
    assert result["asset_group"]["ips"] == []


def test_create_in_check_mode_writes_nothing(run_module):
    result, qualys = run_group(run_module, {"title": "DMZ", "ips": ["10.0.0.1"]}, [list_reply()], check=True, diff=True)
    assert result["changed"] is True
    assert qualys.writes == []
    assert result["asset_group"] == {"title": "DMZ", "ips": ["10.0.0.1"]}
    assert result["diff"] == {"before": {}, "after": {"title": "DMZ", "ips": ["10.0.0.1"]}}


def test_lost_create_reply_continues_with_the_group_that_exists(run_module):
    lost = QualysError("Connection reset; the change may or may not have been applied", kind="transport", outcome_unknown=True)
    result, qualys = run_group(run_module, {"title": "DMZ", "ips": ["10.0.0.1"]},
                               [list_reply(), lost, list_reply(xml_group(12, "DMZ", ips=["10.0.0.1"]))])
    assert result["changed"] is True
    assert result["asset_group"]["id"] == 12
    assert len(qualys.writes) == 1
    assert any("lost" in warning for warning in result.warnings)


def test_lost_create_reply_without_the_group_fails(run_module):
    lost = QualysError("Connection reset; the change may or may not have been applied", kind="transport", outcome_unknown=True)
    result, qualys = run_group(run_module, {"title": "DMZ"}, [list_reply(), lost, list_reply()], expect_failure=True)
    assert "may or may not" in result["msg"]
    assert result["error_kind"] == "transport"
    assert len(qualys.writes) == 1


def test_group_created_meanwhile_by_a_parallel_run_is_converged(run_module):
    # Another fork sharing the scope created the group between this run's lookup and its add.
    taken = simple_reply("parameter title has invalid value: DMZ (an asset group with this title already exists)", code=1905,
                         status=400)
    lookup = {"action": "list", "title": "DMZ", "show_attributes": "IP_SET,TITLE"}
    result, qualys = run_group(run_module, {"title": "DMZ", "ips": ["10.0.0.1"]}, [
        Call(list_reply(), params=lookup),
        Call(taken, params={"action": "add", "title": "DMZ", "ips": "10.0.0.1"}, write=True),
        Call(list_reply(xml_group(12, "DMZ", ips=["10.0.0.1"])), params=lookup)])
    assert result["changed"] is False and result["asset_group"]["id"] == 12
    assert any("Another run created" in warning for warning in result.warnings)


def test_refused_create_with_no_group_found_afterwards_fails(run_module):
    refused = simple_reply("parameter ips has invalid value", code=1905, status=400)
    result, qualys = run_group(run_module, {"title": "DMZ"}, [list_reply(), refused, list_reply()], expect_failure=True)
    assert "ips has invalid value" in result["msg"]
    assert len(qualys.writes) == 1


# -- unchanged and update ---------------------------------------------------------

def test_equivalent_ips_make_no_write(run_module):
    server = list_reply(xml_group(5, "DMZ", ips=["10.0.0.0-10.0.0.3", "10.0.1.5"]))
    for ips in (["10.0.0.0/30", "10.0.1.5"], ["10.0.0.0", "10.0.0.1", "10.0.0.2", "10.0.0.3", "10.0.1.5"],
                ["10.0.1.5,10.0.0.0-10.0.0.3"]):
        result, qualys = run_group(run_module, {"title": "DMZ", "ips": ips}, [server], diff=True)
        assert result["changed"] is False
        assert qualys.writes == []
        assert result["asset_group"] == {"id": 5, "title": "DMZ", "ips": ["10.0.0.0-10.0.0.3", "10.0.1.5"]}
        assert result["diff"]["before"] == result["diff"]["after"]


def test_server_ips_are_normalised_before_comparing(run_module):
    # a server that reports unmerged, unsorted entries still matches
    server = list_reply(xml_group(5, "DMZ", ips=["10.0.0.2-10.0.0.3", "10.0.0.0", "10.0.0.1"]))
    result, qualys = run_group(run_module, {"title": "DMZ", "ips": ["10.0.0.0/30"]}, [server])
    assert result["changed"] is False and qualys.writes == []


def test_server_spellings_compare_equal(run_module):
    server = list_reply(xml_group(
        5, "DMZ", business_impact="None", appliance_ids="7, 3", default_appliance_id="3",
        cvss={"cdp": "Medium-High", "td": "None", "cr": "High", "ir": "Low", "ar": "Medium"},
        domains=[("example.com", "10.0.0.0-10.0.0.255"), ("plain.example", "")],
        dns_names=["b.example", "a.example"], netbios_names=["WEB1"], comments="x"))
    args = {"title": "DMZ", "business_impact": "minor", "appliance_ids": [3, 7], "default_appliance_id": 3,
            "cvss_enviro_cdp": "medium-high", "cvss_enviro_td": "none", "cvss_enviro_cr": "high",
            "cvss_enviro_ir": "low", "cvss_enviro_ar": "medium", "domains": ["plain.example", "example.com:[10.0.0.0-10.0.0.255]"],
            "dns_names": ["a.example", "b.example", "a.example"], "netbios_names": ["WEB1"], "comments": "x"}
    result, qualys = run_group(run_module, args, [server])
    assert result["changed"] is False, result
    assert qualys.writes == []
    # "Minor" as the UI spells it reads the same
    server = list_reply(xml_group(5, "DMZ", business_impact="Minor"))
    result, qualys = run_group(run_module, {"title": "DMZ", "business_impact": "minor"}, [server])
    assert result["changed"] is False


def test_one_changed_field_is_one_edit_with_only_that_field(run_module):
    server = list_reply(xml_group(5, "DMZ", ips=["10.0.0.1"], comments="old", business_impact="High"))
    result, qualys = run_group(run_module, {"title": "DMZ", "ips": ["10.0.0.1"], "comments": "new", "business_impact": "high"},
                               [server, simple_reply("Asset Group Updated Successfully", group_id=5)], diff=True)
    assert result["changed"] is True
    assert len(qualys.writes) == 1
    edit = qualys.writes[0]
    assert edit["params"] == {"action": "edit", "id": "5", "set_comments": "new"}
    assert edit["idempotent"] is True
    assert result["diff"]["before"]["comments"] == "old"
    assert result["diff"]["after"]["comments"] == "new"
    assert result["asset_group"] == {"id": 5, "title": "DMZ", "ips": ["10.0.0.1"], "comments": "new", "business_impact": "high"}


# -- division, function, location: write-only --------------------------------------

LOCATED = {"title": "DMZ", "division": "Ops", "function": "Web", "location": "Paris"}


def test_write_only_fields_are_sent_on_create(run_module):
    result, qualys = run_group(run_module, LOCATED, [list_reply(), simple_reply("Asset Group successfully added.", group_id=8)])
    assert qualys.writes[0]["params"] == {"action": "add", "title": "DMZ", "division": "Ops", "function": "Web",
                                          "location": "Paris"}
    assert result["asset_group"] == dict(LOCATED, id=8)


@pytest.mark.parametrize("check", [False, True])
def test_write_only_fields_missing_from_the_reply_are_not_compared(run_module, check):
    # No documented list reply carries them: a group that lacks them is not "different".
    result, qualys = run_group(run_module, dict(LOCATED, comments="c"), [list_reply(xml_group(5, "DMZ", comments="c"))],
                               check=check, diff=True)
    assert result["changed"] is False and qualys.writes == []
    assert result["asset_group"] == {"id": 5, "title": "DMZ", "comments": "c"}
    assert result["diff"]["before"] == result["diff"]["after"]


def test_write_only_fields_go_along_with_another_change(run_module):
    result, qualys = run_group(run_module, dict(LOCATED, comments="new"),
                               [list_reply(xml_group(5, "DMZ", comments="old")),
                                simple_reply("Asset Group Updated Successfully", group_id=5)], diff=True)
    assert qualys.writes[0]["params"] == {"action": "edit", "id": "5", "set_comments": "new", "set_division": "Ops",
                                          "set_function": "Web", "set_location": "Paris"}
    assert result["diff"]["before"] == {"id": 5, "title": "DMZ", "comments": "old"}
    assert result["diff"]["after"] == dict(LOCATED, id=5, comments="new")


def test_write_only_fields_in_the_reply_are_compared(run_module):
    # Should a tenant report them after all, they are compared like any other field.
    server = ("<ASSET_GROUP><ID>5</ID><TITLE>DMZ</TITLE><DIVISION><![CDATA[Ops]]></DIVISION><FUNCTION/>"
              "<LOCATION>Paris</LOCATION></ASSET_GROUP>")
    result, qualys = run_group(run_module, dict(LOCATED, function=""), [list_reply(server)])
    assert result["changed"] is False and qualys.writes == []
    result, qualys = run_group(run_module, LOCATED, [list_reply(server),
                                                     simple_reply("Asset Group Updated Successfully", group_id=5)])
    assert qualys.writes[0]["params"] == {"action": "edit", "id": "5", "set_function": "Web"}


@pytest.mark.parametrize("args, server_fields, expected", [
    ({"business_impact": "minor"}, {"business_impact": "High"}, {"set_business_impact": "none"}),
    ({"cvss_enviro_cdp": "none"}, {"cvss": {"cdp": "Not Defined"}}, {"set_cvss_enviro_cdp": "none"}),
    ({"appliance_ids": []}, {"appliance_ids": "3"}, {"set_appliance_ids": ""}),
    ({"default_appliance_id": 9}, {}, {"set_default_appliance_id": "9"}),
    ({"dns_names": ["a.example"]}, {"dns_names": ["b.example"]}, {"set_dns_names": "a.example"}),
    ({"netbios_names": ["WEB2", "WEB1"]}, {"netbios_names": ["WEB1"]}, {"set_netbios_names": "WEB1,WEB2"}),
    ({"domains": ["x.example"]}, {"domains": [("x.example", "10.0.0.0-10.0.0.9")]}, {"set_domains": "x.example"}),
    ({"division": "Ops"}, {"division": "Old"}, {"set_division": "Ops"}),
    ({"location": ""}, {"location": "Paris"}, {"set_location": ""}),
    ({"ips": []}, {"ips": ["10.0.0.1"]}, {"set_ips": ""}),
    ({"ips": ["10.0.0.0/31"]}, {"ips": ["10.0.0.1"]}, {"set_ips": "10.0.0.0-10.0.0.1"}),
])
def test_each_field_is_sent_with_its_set_name(run_module, args, server_fields, expected):
    ips = server_fields.pop("ips", None)
    server = list_reply(xml_group(5, "DMZ", ips=ips, **server_fields))
    args = dict(args, title="DMZ")
    result, qualys = run_group(run_module, args, [server, simple_reply("Asset Group Updated Successfully", group_id=5)])
    assert result["changed"] is True
    expected = dict(expected, action="edit", id="5")
    assert qualys.writes[0]["params"] == expected


def test_rename_by_id(run_module):
    server = list_reply(xml_group(5, "Old"))
    result, qualys = run_group(run_module, {"id": 5, "title": "New"},
                               [server, simple_reply("Asset Group Updated Successfully", group_id=5)], diff=True)
    assert qualys.calls[0]["params"] == {"action": "list", "ids": "5", "show_attributes": "TITLE"}
    assert qualys.writes[0]["params"] == {"action": "edit", "id": "5", "set_title": "New"}
    assert result["diff"] == {"before": {"id": 5, "title": "Old"}, "after": {"id": 5, "title": "New"}}


def test_id_alone_keeps_the_title(run_module):
    server = list_reply(xml_group(5, "Old", comments="a"))
    result, qualys = run_group(run_module, {"id": 5, "comments": "a"}, [server])
    assert result["changed"] is False and qualys.writes == []


def test_update_in_check_mode_predicts_without_writing(run_module):
    server = list_reply(xml_group(5, "DMZ", ips=["10.0.0.1"]))
    result, qualys = run_group(run_module, {"title": "DMZ", "ips": ["10.0.0.2"], "ips_mode": "add"}, [server],
                               check=True, diff=True)
    assert result["changed"] is True
    assert qualys.writes == []
    assert result["diff"]["after"]["ips"] == ["10.0.0.1-10.0.0.2"]


# -- ips_mode ---------------------------------------------------------------------

def test_add_mode_sends_only_the_missing_addresses(run_module):
    server = list_reply(xml_group(5, "DMZ", ips=["10.0.0.1-10.0.0.3"]))
    result, qualys = run_group(run_module, {"title": "DMZ", "ips": ["10.0.0.2-10.0.0.5"], "ips_mode": "add"},
                               [server, simple_reply("Asset Group Updated Successfully", group_id=5)])
    assert qualys.writes[0]["params"] == {"action": "edit", "id": "5", "add_ips": "10.0.0.4-10.0.0.5"}
    assert result["asset_group"]["ips"] == ["10.0.0.1-10.0.0.5"]


def test_add_mode_with_addresses_present_is_unchanged(run_module):
    server = list_reply(xml_group(5, "DMZ", ips=["10.0.0.0-10.0.0.255"]))
    result, qualys = run_group(run_module, {"title": "DMZ", "ips": ["10.0.0.7", "10.0.0.8/29"], "ips_mode": "add"}, [server])
    assert result["changed"] is False and qualys.writes == []


def test_remove_mode_sends_only_the_present_addresses(run_module):
    server = list_reply(xml_group(5, "DMZ", ips=["10.0.0.1-10.0.0.9"]))
    result, qualys = run_group(run_module, {"title": "DMZ", "ips": ["10.0.0.8-10.0.0.20", "10.0.0.1"], "ips_mode": "remove"},
                               [server, simple_reply("Asset Group Updated Successfully", group_id=5)])
    assert qualys.writes[0]["params"] == {"action": "edit", "id": "5", "remove_ips": "10.0.0.1,10.0.0.8-10.0.0.9"}
    assert result["asset_group"]["ips"] == ["10.0.0.2-10.0.0.7"]


def test_remove_mode_with_addresses_absent_is_unchanged(run_module):
    server = list_reply(xml_group(5, "DMZ", ips=["10.0.0.1"]))
    result, qualys = run_group(run_module, {"title": "DMZ", "ips": ["10.0.0.2"], "ips_mode": "remove"}, [server])
    assert result["changed"] is False and qualys.writes == []


# -- reads ----------------------------------------------------------------------

@pytest.mark.parametrize("args, attributes", [
    ({"state": "absent"}, "TITLE"),
    ({"state": "absent", "ips": ["10.0.0.1"]}, "TITLE"),
    ({}, "TITLE"),
    ({"ips": ["10.0.0.1"]}, "IP_SET,TITLE"),
    ({"comments": "x", "cvss_enviro_ar": "low"}, "COMMENTS,CVSS,TITLE"),
    ({"default_appliance_id": 4}, "APPLIANCE_LIST,TITLE"),
    ({"netbios_names": ["A"], "business_impact": "low"}, "BUSINESS_IMPACT,NETBIOS_LIST,TITLE"),
    ({"division": "x"}, "ALL"),
    ({"function": "x", "ips": ["10.0.0.1"]}, "ALL"),
])
def test_reads_ask_only_for_the_managed_attributes(run_module, args, attributes):
    args = dict(args, title="Nothing here")
    state_absent = args.get("state") == "absent"
    replies = [list_reply()] if state_absent else [list_reply(), simple_reply("Asset Group successfully added.", group_id=8)]
    result, qualys = run_group(run_module, args, replies)
    assert qualys.calls[0]["params"] == {"action": "list", "title": "Nothing here", "show_attributes": attributes}


def test_lookup_follows_truncation_warnings(run_module):
    lookup = {"action": "list", "title": "DMZ", "show_attributes": "TITLE"}
    result, qualys = run_group(run_module, {"title": "DMZ", "state": "absent"}, [
        Call(list_reply(xml_group(3, "Other"), next_id_min=4), params=lookup),
        Call(list_reply(xml_group(5, "DMZ"), next_id_min=6), params=dict(lookup, id_min="4")),
        Call(list_reply(), params=dict(lookup, id_min="6")),
        Call(simple_reply("Asset Group Deleted Successfully", group_id=5), params={"action": "delete", "id": "5"}, write=True)])
    assert result["changed"] is True


def test_paging_that_does_not_advance_stops_with_an_error(run_module):
    result, qualys = run_group(run_module, {"title": "DMZ"}, [
        list_reply(next_id_min=4), list_reply(next_id_min=4)], expect_failure=True)
    assert "same page" in result["msg"]
    assert qualys.writes == []


def test_title_match_is_exact_and_case_sensitive(run_module):
    # the server filter is trusted only as far as an exact comparison agrees
    result, qualys = run_group(run_module, {"title": "dmz"}, [
        list_reply(xml_group(5, "DMZ")), simple_reply("Asset Group successfully added.", group_id=6)])
    assert qualys.writes[0]["params"] == {"action": "add", "title": "dmz"}


def test_duplicate_titles_fail_and_ask_for_an_id(run_module):
    result, qualys = run_group(run_module, {"title": "DMZ", "comments": "x"},
                               [list_reply(xml_group(5, "DMZ"), xml_group(9, "DMZ"))], expect_failure=True)
    assert result["msg"] == "2 asset groups are titled 'DMZ' (ids 5, 9); set id to choose one."
    assert qualys.writes == []


def test_unknown_id_fails_for_present_and_is_unchanged_for_absent(run_module):
    result, qualys = run_group(run_module, {"id": 77, "comments": "x"}, [list_reply()], expect_failure=True)
    assert result["msg"].startswith("No asset group has id 77.")
    result, qualys = run_group(run_module, {"id": 77, "state": "absent"}, [list_reply()])
    assert result["changed"] is False and qualys.writes == []


# -- delete ---------------------------------------------------------------------

def test_delete_by_title(run_module):
    result, qualys = run_group(run_module, {"title": "DMZ", "state": "absent"},
                               [list_reply(xml_group(5, "DMZ")), simple_reply("Asset Group Deleted Successfully", group_id=5)],
                               diff=True)
    assert result["changed"] is True
    assert qualys.writes[0]["params"] == {"action": "delete", "id": "5"}
    assert result["asset_group"] == {}
    assert result["diff"] == {"before": {"id": 5, "title": "DMZ"}, "after": {}}


def test_delete_missing_group_is_unchanged(run_module):
    result, qualys = run_group(run_module, {"title": "DMZ", "state": "absent"}, [list_reply()])
    assert result["changed"] is False and qualys.writes == []


def test_delete_in_check_mode(run_module):
    result, qualys = run_group(run_module, {"title": "DMZ", "state": "absent"}, [list_reply(xml_group(5, "DMZ"))], check=True)
    assert result["changed"] is True and qualys.writes == []


def test_lost_delete_reply_is_checked(run_module):
    lost = QualysError("Connection reset; the change may or may not have been applied", kind="transport", outcome_unknown=True)
    result, qualys = run_group(run_module, {"title": "DMZ", "state": "absent"},
                               [list_reply(xml_group(5, "DMZ")), lost, list_reply()])
    assert result["changed"] is True
    assert qualys.calls[2]["params"] == {"action": "list", "title": "DMZ", "show_attributes": "TITLE"}
    assert any("gone" in warning for warning in result.warnings)
    result, qualys = run_group(run_module, {"title": "DMZ", "state": "absent"},
                               [list_reply(xml_group(5, "DMZ")), lost, list_reply(xml_group(5, "DMZ"))], expect_failure=True)
    assert "may or may not" in result["msg"]


# -- the All group and bad input: refused before any write --------------------

@pytest.mark.parametrize("args", [
    {"title": "All"},
    {"title": " all "},
    {"title": "ALL", "state": "absent"},
    {"id": 5, "title": "All"},
])
def test_all_is_refused_before_any_call(run_module, args):
    result, qualys = run_group(run_module, args, [], expect_failure=True)
    assert "'All' is built into Qualys" in result["msg"]
    assert qualys.calls == []


@pytest.mark.parametrize("state", ["present", "absent"])
def test_all_found_by_id_is_refused_before_any_write(run_module, state):
    result, qualys = run_group(run_module, {"id": 2000000, "state": state, "comments": "x"},
                               [list_reply(xml_group(2000000, "All"))], expect_failure=True)
    assert "'All' is built into Qualys" in result["msg"]
    assert qualys.writes == []


@pytest.mark.parametrize("args, message", [
    ({"title": "DMZ", "ips": ["10.0.0.1", "10.0.0.300"]}, "ips: '10.0.0.300' is invalid: not an IP address, range or CIDR block."),
    ({"title": "DMZ", "ips": ["10.0.0.9-10.0.0.1"]}, "ips: '10.0.0.9-10.0.0.1' is invalid: the range ends before it starts."),
    ({"title": "DMZ", "ips": ["10.0.0.1/24"]}, "ips: '10.0.0.1/24' is invalid: host bits are set, the block is 10.0.0.0/24."),
    ({"title": "   "}, "title must not be empty."),
    ({"id": 0}, "id must be a positive integer, got 0."),
    ({"title": "DMZ", "default_appliance_id": -1}, "default_appliance_id must be a positive integer, got -1."),
    ({"title": "DMZ", "appliance_ids": [1, 0]}, "appliance_ids must hold positive integers, got [1, 0]."),
    ({"title": "DMZ", "dns_names": ["a.example,b.example"]}, "dns_names: 'a.example,b.example' holds a comma"),
    ({"title": "DMZ", "business_impact": "none"}, "value of business_impact must be one of: critical, high, medium, low, minor"),
    ({"title": "DMZ", "cvss_enviro_cr": "none"}, "value of cvss_enviro_cr must be one of: high, medium, low"),
    ({"comments": "x"}, "one of the following is required: id, title"),
])
def test_bad_input_fails_before_any_call(run_module, args, message):
    result, qualys = run_group(run_module, args, [], expect_failure=True)
    assert message in result["msg"]
    assert qualys.calls == []


# -- Qualys error shapes ----------------------------------------------------------

@pytest.mark.parametrize("reply, message, extra", [
    (simple_reply("parameter ips has invalid value: x", code=1905, status=400),
     "Qualys error 1905: parameter ips has invalid value: x", {"error_code": "1905", "http_status": 400, "error_kind": "api"}),
    (simple_reply("Unrecognized parameter(s): foo", code=1901, status=400),
     "Qualys error 1901: Unrecognized parameter(s): foo", {"error_code": "1901", "error_kind": "api"}),
    (simple_reply("Bad Login/Password", code=2000, status=401),
     "Qualys error 2000: Bad Login/Password -- check the username", {"error_kind": "auth", "http_status": 401}),
    (simple_reply("This account has expired.", code=2001), "Qualys error 2001", {"error_kind": "expired"}),
    (simple_reply("You do not have permission to add asset groups.", code=2004, status=403),
     "Qualys error 2004: You do not have permission", {"error_code": "2004", "error_kind": "api"}),
    (simple_reply("This API cannot be run again for another 23 hours", code=1965, status=409),
     "Qualys error 1965", {"error_kind": "limit", "http_status": 409}),
    ((502, "<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head><body></body></html>"),
     "Unexpected reply from Qualys: HTTP 502, text/html: 502 Bad Gateway", {"error_kind": "format"}),
    ((200, "<ASSET_GROUP_LIST_OUTPUT><RESPONSE>"), "Qualys sent XML that cannot be parsed", {"error_kind": "format"}),
    ((200, "not xml at all"), "Unexpected reply from Qualys: HTTP 200", {"error_kind": "format"}),
])
def test_error_shapes_on_read_and_write_are_surfaced(run_module, reply, message, extra):
    # on the lookup
    result, qualys = run_group(run_module, {"title": "DMZ"}, [reply], expect_failure=True)
    assert message in result["msg"]
    for key, value in extra.items():
        assert result[key] == value
    assert qualys.writes == []
    # on the write; a refused request (kind api) may mean a parallel run made the group: one more lookup
    recheck = [list_reply()] if extra.get("error_kind") == "api" else []
    result, qualys = run_group(run_module, {"title": "DMZ"}, [list_reply(), reply] + recheck, expect_failure=True)
    assert message in result["msg"]
    assert len(qualys.writes) == 1


def test_error_on_edit_and_delete_is_surfaced(run_module):
    refused = simple_reply("parameter id has invalid value: 5 (asset group not found)", code=1905, status=400)
    result, qualys = run_group(run_module, {"title": "DMZ", "comments": "x"},
                               [list_reply(xml_group(5, "DMZ")), refused], expect_failure=True)
    assert result["msg"] == "Qualys error 1905: parameter id has invalid value: 5 (asset group not found)"
    result, qualys = run_group(run_module, {"title": "DMZ", "state": "absent"},
                               [list_reply(xml_group(5, "DMZ")), refused], expect_failure=True)
    assert result["error_code"] == "1905"
    assert len(qualys.writes) == 1


def test_connection_errors_are_surfaced(run_module):
    failure = QualysError("Cannot resolve the Qualys host qualysapi.example.com: check platform or url", kind="dns")
    result, qualys = run_group(run_module, {"title": "DMZ"}, [failure], expect_failure=True)
    assert result["msg"].startswith("Cannot resolve the Qualys host")
    assert result["error_kind"] == "dns"


def test_password_never_appears_in_results(run_module):
    result, qualys = run_group(run_module, {"title": "DMZ", "comments": "x"},
                               [list_reply(xml_group(5, "DMZ")), simple_reply("Asset Group Updated Successfully", group_id=5)],
                               diff=True)
    assert AUTH["password"] not in repr(result)
