# -*- coding: utf-8 -*-
# Copyright (c) scanops.qualys contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""qualys_asset_group_info with a scripted client: filters, paging, the returned fields, errors."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.scanops.qualys.plugins.modules import qualys_asset_group_info
from ansible_collections.scanops.qualys.tests.unit.plugins.modules.test_qualys_asset_group import (
    list_reply,
    run_scripted,
    simple_reply,
    xml_group,
)


def run_info(run_module, args, replies, **kwargs):
    return run_scripted(run_module, qualys_asset_group_info, args, replies, **kwargs)


def test_lists_every_group_with_all_fields(run_module):
    result, qualys = run_info(run_module, {}, [list_reply(
        xml_group(2000000, "All", business_impact="High"),
        xml_group(7, "DMZ", ips=["10.0.0.2-10.0.0.3", "10.0.0.1"], business_impact="None", comments="c", division="Ops",
                  function="Web", location="Paris", appliance_ids="9, 4", default_appliance_id="4",
                  cvss={"cdp": "Low-Medium", "td": "Not Defined"}, domains=[("example.com", "10.0.0.0-10.0.0.255")],
                  dns_names=["www.example"], netbios_names=["WEB1"]))])
    assert result["changed"] is False
    assert qualys.calls == [{"path": "/api/2.0/fo/asset/group/", "params": {"action": "list", "show_attributes": "ALL"},
                             "write": False, "idempotent": None}]
    groups = result["asset_groups"]
    assert [group["id"] for group in groups] == [7, 2000000]
    assert groups[0] == {
        "id": 7, "title": "DMZ", "ips": ["10.0.0.1-10.0.0.3"], "comments": "c", "division": "Ops", "function": "Web",
        "location": "Paris", "business_impact": "minor", "default_appliance_id": 4, "appliance_ids": [4, 9],
        "dns_names": ["www.example"], "netbios_names": ["WEB1"], "domains": ["example.com:[10.0.0.0-10.0.0.255]"],
        "cvss_enviro_cdp": "low-medium", "cvss_enviro_td": None, "cvss_enviro_cr": None, "cvss_enviro_ir": None,
        "cvss_enviro_ar": None,
    }
    assert groups[1]["ips"] == [] and groups[1]["comments"] == "" and groups[1]["business_impact"] == "high"
    # division, function and location only when the reply carries them (no documented reply does)
    assert not set(groups[1]) & {"division", "function", "location"}


def test_server_side_filters(run_module):
    result, qualys = run_info(run_module, {"ids": [9, 7, 9], "title": "DMZ"}, [list_reply(xml_group(7, "DMZ"))])
    assert qualys.calls[0]["params"] == {"action": "list", "ids": "7,9", "title": "DMZ", "show_attributes": "ALL"}
    assert [group["id"] for group in result["asset_groups"]] == [7]


def test_title_is_exact_and_title_contains_ignores_case(run_module):
    result, qualys = run_info(run_module, {"title": "DMZ"}, [list_reply(xml_group(7, "dmz"), xml_group(8, "DMZ"))])
    assert [group["id"] for group in result["asset_groups"]] == [8]
    result, qualys = run_info(run_module, {"title_contains": "dMz"}, [
        list_reply(xml_group(7, "Old DMZ"), xml_group(8, "Internal"), xml_group(9, "dmz-2"))])
    assert [group["title"] for group in result["asset_groups"]] == ["Old DMZ", "dmz-2"]
    assert "title" not in qualys.calls[0]["params"]


def test_follows_every_page(run_module):
    result, qualys = run_info(run_module, {"title_contains": "web"}, [
        list_reply(xml_group(1, "web 1"), xml_group(2, "db"), next_id_min=3),
        list_reply(xml_group(3, "web 3"), next_id_min=4),
        list_reply(xml_group(5, "web 5")),
    ])
    assert [call["params"].get("id_min") for call in qualys.calls] == [None, "3", "4"]
    assert [group["id"] for group in result["asset_groups"]] == [1, 3, 5]


def test_empty_ids_matches_nothing_without_a_call(run_module):
    result, qualys = run_info(run_module, {"ids": []}, [])
    assert result["asset_groups"] == [] and qualys.calls == []


def test_bad_ids_fail_before_any_call(run_module):
    result, qualys = run_info(run_module, {"ids": [3, -1]}, [], expect_failure=True)
    assert result["msg"] == "ids must hold positive integers, got [3, -1]."
    assert qualys.calls == []


def test_check_mode_reads(run_module):
    result, qualys = run_info(run_module, {}, [list_reply(xml_group(7, "DMZ"))], check=True)
    assert result["changed"] is False and len(result["asset_groups"]) == 1


@pytest.mark.parametrize("reply, message", [
    (simple_reply("parameter ids has invalid value: x", code=1905, status=400), "Qualys error 1905: parameter ids has invalid value"),
    (simple_reply("Bad Login/Password", code=2000, status=401), "Qualys error 2000: Bad Login/Password"),
    ((502, "<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head></html>"), "HTTP 502"),
])
def test_errors_are_surfaced(run_module, reply, message):
    result, qualys = run_info(run_module, {}, [reply], expect_failure=True)
    assert message in result["msg"]
