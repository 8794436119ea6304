# -*- coding: utf-8 -*-
# Copyright (c) scanops.qualys contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The tenant self-check: verdicts from observations, and a whole run against a fake client."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json

import pytest

from ansible_collections.scanops.qualys.plugins.module_utils import qualys_formats as formats
from ansible_collections.scanops.qualys.plugins.module_utils import qualys_tenant_check as tc
from ansible_collections.scanops.qualys.plugins.module_utils.qualys_client import QualysClient, Response
from ansible_collections.scanops.qualys.plugins.module_utils.qualys_errors import QualysError

PASSWORD = "Admin-Pass-1!"
NEW_PASSWORD = "Fresh-Pass-9x"
TOKEN = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ0ZXN0In0.c2lnbmF0dXJl"
CLIENT_SECRET = "oidc-client-secret-1"
LIMITS = {"X-RateLimit-Limit": "300", "X-RateLimit-Window-Sec": "3600", "X-RateLimit-Remaining": "299",
          "X-RateLimit-ToWait-Sec": "0", "X-Concurrency-Limit-Limit": "2", "X-Concurrency-Limit-Running": "1",
          "X-Powered-By": "Qualys:USPOD2:sub:user"}
AG_ID, BU_ID = 9000001, 9000002


class FakeClient:
    """Answers the calls of the check from a small in-memory subscription.

    ``fail`` maps a call label (``fo:list``, ``fo:add``, ``fo:delete``, ``msp:user_list.php``,
    ``msp:password_change.php``, ``qps:search:am/tag``, ``qps:create:am/tag``, ``qps:delete:am/tag``,
    ``qps:search:am/user``, ``token``, ``role``) to the QualysError it raises.
    """

    def __init__(self, running="1", headers=None, carry_division=False, markers=True, role_api=False,
                 password_reply="password", fail=None, rule_tags=True, gateway_url="https://gateway.example.invalid"):
        self.running = running
        self.headers = dict(LIMITS if headers is None else headers)
        self.carry_division = carry_division
        self.markers = markers
        self.role_api = role_api
        self.password_reply = password_reply
        self.fail = dict(fail or {})
        self.api_url = "https://qualysapi.example.invalid"
        self.gateway_url = gateway_url
        self.params = {"username": "admin", "password": PASSWORD}
        self.calls = []
        self.last_response = None
        self.next_id = 5000
        self.groups = {2000000: {"title": "All", "business_impact": "High"},
                       2000001: {"title": "Lab", "comments": "lab hosts", "business_impact": "Low",
                                 "ips": ["10.0.0.1", "10.0.0.5-10.0.0.9"], "division": "Ops"}}
        self.tags = {AG_ID: {"id": AG_ID, "name": "Asset Groups", "ruleType": "STATIC"},
                     BU_ID: {"id": BU_ID, "name": "Business Units", "ruleType": "STATIC"},
                     9000003: {"id": 9000003, "name": "Unassigned Business Unit", "parentTagId": BU_ID,
                               "srcBusinessUnitId": 3000000},
                     9000004: {"id": 9000004, "name": "Lab", "parentTagId": AG_ID, "srcAssetGroupId": 2000001}}
        if rule_tags:
            self.tags[9000005] = {"id": 9000005, "name": "Lab range", "ruleType": "NETWORK_RANGE",
                                  "ruleText": "10.0.0.0-10.0.0.255"}
        if not markers:
            for tag in self.tags.values():
                tag.pop("srcAssetGroupId", None)
                tag.pop("srcBusinessUnitId", None)

    # -- helpers ----------------------------------------------------------------

    def _check(self, label):
        self.calls.append(label)
        if label in self.fail:
            raise self.fail[label]

    def writes(self):
        return [call for call in self.calls
                if (call.split(":") + [""])[1] in ("add", "delete", "create", "password_change.php")]

    def _reply(self, xml, status=200):
        self.last_response = Response(status, dict(self.headers, **{"X-Concurrency-Limit-Running": self.running})
                                      if "X-Concurrency-Limit-Running" in self.headers else dict(self.headers),
                                      xml, "text/xml")
        return formats.parse_xml(xml)

    def _new_id(self):
        self.next_id += 1
        return self.next_id

    # -- VM/PC ----------------------------------------------------------------------

    def fo(self, path, params, write=False, idempotent=None, credentials=None):
        action = params["action"]
        self._check("fo:%s" % action)
        if action == "list":
            if params.get("show_attributes") == "ID":
                return self._reply("<ASSET_GROUP_LIST_OUTPUT><RESPONSE><ID_SET><ID>2000000</ID></ID_SET></RESPONSE>"
                                   "</ASSET_GROUP_LIST_OUTPUT>")
            found = [(gid, group) for gid, group in sorted(self.groups.items())
                     if params.get("title") in (None, group["title"])]
            return self._reply("<ASSET_GROUP_LIST_OUTPUT><RESPONSE><ASSET_GROUP_LIST>%s</ASSET_GROUP_LIST></RESPONSE>"
                               "</ASSET_GROUP_LIST_OUTPUT>" % "".join(self._group_xml(gid, g) for gid, g in found))
        if action == "add":
            gid = self._new_id()
            self.groups[gid] = dict((key, params[key]) for key in params if key != "action")
            for key in ("ips", "dns_names", "netbios_names"):
                if key in params:
                    self.groups[gid][key] = params[key].split(",")
            tid = self._new_id()
            self.tags[tid] = {"id": tid, "name": params["title"], "parentTagId": AG_ID}
            if self.markers:
                self.tags[tid]["srcAssetGroupId"] = gid
            return self._reply("<SIMPLE_RETURN><RESPONSE><TEXT>Asset Group successfully added.</TEXT><ITEM_LIST><ITEM>"
                               "<KEY>ID</KEY><VALUE>%s</VALUE></ITEM></ITEM_LIST></RESPONSE></SIMPLE_RETURN>" % gid)
        if action == "delete":
            group = self.groups.pop(int(params["id"]))
            for tid in [tid for tid, tag in self.tags.items() if tag.get("parentTagId") == AG_ID
                        and tag["name"] == group["title"]]:
                del self.tags[tid]
            return self._reply("<SIMPLE_RETURN><RESPONSE><TEXT>Asset Group Deleted Successfully</TEXT></RESPONSE>"
                               "</SIMPLE_RETURN>")
        raise AssertionError(action)

    def _group_xml(self, gid, group):
        parts = ["<ID>%s</ID><TITLE><![CDATA[%s]]></TITLE>" % (gid, group["title"]),
                 "<BUSINESS_IMPACT>%s</BUSINESS_IMPACT>" % group.get("business_impact", "Medium")]
        if group.get("comments"):
            parts.append("<COMMENTS><![CDATA[%s]]></COMMENTS>" % group["comments"])
        if group.get("ips"):
            parts.append("<IP_SET>%s</IP_SET>" % "".join(
                "<IP_RANGE>%s</IP_RANGE>" % ip if "-" in ip else "<IP>%s</IP>" % ip for ip in group["ips"]))
        if group.get("dns_names"):
            parts.append("<DNS_LIST>%s</DNS_LIST>" % "".join("<DNS>%s</DNS>" % n for n in group["dns_names"]))
        if group.get("netbios_names"):
            parts.append("<NETBIOS_LIST>%s</NETBIOS_LIST>" % "".join(
                "<NETBIOS>%s</NETBIOS>" % n for n in group["netbios_names"]))
        if self.carry_division and group.get("division"):
            parts.append("<DIVISION>%s</DIVISION>" % group["division"])
        return "<ASSET_GROUP>%s</ASSET_GROUP>" % "".join(parts)

    # -- QPS ------------------------------------------------------------------------------

    qps_search = QualysClient.qps_search

    def qps(self, operation, object_type, object_id=None, body=None, write=False, idempotent=None, credentials=None,
            judge=None):
        if judge is not None:
            return judge(self._role_search())
        self._check("qps:%s:%s" % (operation, object_type))
        if object_type == "am/user":
            return {"count": 1, "has_more": False, "last_id": None, "data": [{"id": 1, "username": "admin"}]}
        if operation == "search":
            criteria = body["ServiceRequest"]["filters"]["Criteria"]
            found = [dict(tag) for tag in self.tags.values() if all(self._matches(tag, c) for c in criteria)]
            return {"count": len(found), "has_more": False, "last_id": None, "data": found}
        if operation == "create":
            data = body["ServiceRequest"]["data"]["Tag"]
            tid = self._new_id()
            self.tags[tid] = {"id": tid, "name": data["name"], "ruleType": data["ruleType"], "ruleText": data["ruleText"]}
            for child in data["children"]["set"]["TagSimple"]:
                cid = self._new_id()
                self.tags[cid] = {"id": cid, "name": child["name"], "parentTagId": tid}
            return {"count": 1, "has_more": False, "last_id": None, "data": [{"id": tid, "name": data["name"]}]}
        if operation == "delete":
            del self.tags[int(object_id)]
            return {"count": 1, "has_more": False, "last_id": None, "data": []}
        raise AssertionError(operation)

    @staticmethod
    def _matches(tag, criterion):
        field, value = criterion["field"], criterion["value"]
        if field == "parent":
            return str(tag.get("parentTagId")) == value
        return str(tag.get(field)) == value

    def _role_search(self):
        self._check("role")
        if self.role_api:
            self.last_response = Response(200, {}, json.dumps({"ServiceResponse": {"responseCode": "SUCCESS", "count": 0}}),
                                          "application/json")
        else:
            self.last_response = Response(404, {}, "<html><title>Not Found</title></html>", "text/html")
        return self.last_response

    # -- /msp -----------------------------------------------------------------------------

    def msp(self, script, params, write=False, idempotent=None, sensitive=False, credentials=None):
        self._check("msp:%s" % script)
        if script == "user_list.php":
            return formats.parse_xml("<USER_LIST_OUTPUT><USER_LIST/></USER_LIST_OUTPUT>")
        assert sensitive and params["email"] == "0" and not idempotent
        user = "<USER><USER_LOGIN>%s</USER_LOGIN>%s</USER>" % (
            params["user_logins"], "<PASSWORD><![CDATA[%s]]></PASSWORD>" % NEW_PASSWORD
            if self.password_reply == "password" else "")
        return formats.parse_xml('<PASSWORD_CHANGE_OUTPUT><RETURN status="SUCCESS"><MESSAGE>done</MESSAGE>'
                                 '<CHANGES count="1"><USER_LIST>%s</USER_LIST></CHANGES></RETURN>'
                                 '</PASSWORD_CHANGE_OUTPUT>' % user)

    # -- tokens (the fake is its own factory) -----------------------------------------------

    def issue_token(self):
        self._check("token")
        return TOKEN


def run_check(fake, check_mode=False, **params):
    settings = {"username": "admin", "password": PASSWORD, "writes": False, "throwaway_user": None}
    settings.update(params)
    kept = []
    result = tc.TenantCheck(fake, settings, check_mode=check_mode, keep_secret=kept.append,
                            client_factory=lambda overrides: fake, suffix="abcd1234").run()
    verdicts = dict((item["id"], item["verdict"]) for item in result["assumptions"])
    evidence = dict((item["id"], item["evidence"]) for item in result["assumptions"])
    return result, verdicts, evidence, kept


def leaks(result, *secrets):
    text = json.dumps(result)
    return [secret for secret in secrets if secret in text]


# -- whole runs --------------------------------------------------------------------------------

def test_read_only_run_makes_no_write_and_lists_every_assumption():
    fake = FakeClient()
    result, verdicts, evidence, kept = run_check(fake)
    assert [item["id"] for item in result["assumptions"]] == list(tc.ASSUMPTION_IDS)
    assert fake.writes() == [] and result["changed"] is False and result["writes"] is False
    assert verdicts == {
        "api_server_reachable": "confirmed", "gateway_token": "confirmed", "limit_headers": "confirmed",
        "concurrency_running_counts_self": "confirmed", "asset_group_list_fields": "confirmed",
        "tag_search_fields": "confirmed", "system_tag_markers": "confirmed", "role_api_not_offered": "confirmed",
        "classic_user_api": "confirmed", "oidc_client": "not_checked", "tag_write_cycle": "not_checked",
        "asset_group_write_cycle": "not_checked", "password_reset_returns_password": "not_checked",
    }
    assert result["summary"] == {"confirmed": 9, "contradicted": 0, "not_checked": 4, "total": 13}
    assert "pod USPOD2" in evidence["api_server_reachable"]
    assert "Writes are off" in evidence["tag_write_cycle"]
    assert kept == [TOKEN] and leaks(result, TOKEN, PASSWORD) == []
    for item in result["assumptions"]:
        assert set(item) == {"id", "title", "verdict", "evidence", "source", "why"} and item["evidence"]


def test_check_mode_makes_no_write_even_with_writes_on():
    fake = FakeClient()
    result, verdicts, evidence, _kept = run_check(fake, check_mode=True, writes=True, throwaway_user="svc_tmp")
    assert fake.writes() == [] and result["changed"] is False and result["writes"] is False
    for key in tc.WRITE_CHECKS:
        assert verdicts[key] == "not_checked" and evidence[key] == "Check mode: no write is made."


def test_write_run_creates_reads_back_and_deletes_everything():
    fake = FakeClient()
    before_groups, before_tags = dict(fake.groups), dict(fake.tags)
    result, verdicts, evidence, kept = run_check(fake, writes=True, throwaway_user="svc_tmp")
    assert result["changed"] is True and result["writes"] is True and result["leftovers"] == []
    assert verdicts["asset_group_write_cycle"] == verdicts["tag_write_cycle"] == "confirmed"
    assert verdicts["password_reset_returns_password"] == "confirmed"
    assert verdicts["asset_group_list_fields"] == verdicts["tag_search_fields"] == "confirmed"
    assert verdicts["system_tag_markers"] == "confirmed"
    assert "throwaway group's tag carries its id" in evidence["system_tag_markers"]
    # An IP of an existing group was borrowed, since Qualys takes only IPs the subscription holds.
    assert "ips" in evidence["asset_group_list_fields"] and "not tried" not in evidence["asset_group_list_fields"]
    assert fake.groups == before_groups and fake.tags == before_tags
    assert fake.writes() == ["fo:add", "fo:delete", "qps:create:am/tag", "qps:delete:am/tag", "qps:delete:am/tag",
                             "msp:password_change.php"]
    assert NEW_PASSWORD in kept and leaks(result, NEW_PASSWORD, TOKEN, PASSWORD) == []
    assert "scanops-tenant-check-tag-abcd1234" in evidence["tag_write_cycle"]


def test_throwaway_objects_are_deleted_when_a_step_fails():
    fake = FakeClient(fail={"qps:search:am/tag": QualysError("Qualys error 500: boom", code="999", kind="api")})
    result, verdicts, _evidence, _kept = run_check(fake, writes=True)
    # The group was created and deleted; no search worked, so the tag's fate is unknown: listed as left behind.
    assert "fo:delete" in fake.calls and verdicts["asset_group_write_cycle"] == "confirmed"
    assert verdicts["tag_write_cycle"] == "contradicted" and verdicts["system_tag_markers"] == "not_checked"
    assert result["leftovers"] == ["tag 'scanops-tenant-check-tag-abcd1234-child'", "tag 'scanops-tenant-check-tag-abcd1234'"]


def test_a_delete_that_fails_leaves_a_leftover_and_a_contradiction():
    fake = FakeClient(fail={"fo:delete": QualysError("Qualys error 2004: no permission", code="2004", kind="api")})
    result, verdicts, evidence, _kept = run_check(fake, writes=True)
    assert verdicts["asset_group_write_cycle"] == "contradicted"
    assert "LEFT BEHIND" in evidence["asset_group_write_cycle"]
    assert result["leftovers"] == ["asset group 'scanops-tenant-check-group-abcd1234'"]


def test_an_unexpected_failure_while_deleting_is_reported_not_raised():
    fake = FakeClient(fail={"qps:delete:am/tag": RuntimeError("socket gone")})
    result, verdicts, evidence, _kept = run_check(fake, writes=True)
    assert verdicts["tag_write_cycle"] == "contradicted" and "RuntimeError: socket gone" in evidence["tag_write_cycle"]
    assert len(result["leftovers"]) == 2 and verdicts["asset_group_write_cycle"] == "confirmed"


def test_unreachable_api_server_is_a_verdict_and_stops_the_api_checks():
    fake = FakeClient(fail={"fo:list": QualysError("Connection to qualysapi failed", kind="transport")})
    result, verdicts, evidence, _kept = run_check(fake, writes=True)
    assert verdicts["api_server_reachable"] == "contradicted" and "No reply from" in evidence["api_server_reachable"]
    for key in ("asset_group_list_fields", "tag_search_fields", "system_tag_markers", "role_api_not_offered",
                "classic_user_api", "limit_headers", "concurrency_running_counts_self") + tc.WRITE_CHECKS:
        assert verdicts[key] == "not_checked", key
    assert verdicts["gateway_token"] == "confirmed"
    assert fake.writes() == [] and result["changed"] is False


def test_refused_credentials_contradict_reachability():
    fake = FakeClient(fail={"fo:list": QualysError("Qualys error 2000: Bad Login/Password", code="2000", kind="auth")})
    _result, verdicts, evidence, _kept = run_check(fake)
    assert verdicts["api_server_reachable"] == "contradicted" and "refused the call" in evidence["api_server_reachable"]


def test_gateway_refusal_and_missing_gateway():
    fake = FakeClient(fail={"token": QualysError("Qualys gateway refused to issue a token (HTTP 401)", status=401,
                                                 kind="auth")})
    _result, verdicts, evidence, _kept = run_check(fake)
    assert verdicts["gateway_token"] == "contradicted" and "HTTP 401" in evidence["gateway_token"]
    fake = FakeClient(fail={"token": QualysError("set gateway_url", kind="config")})
    _result, verdicts, _evidence, _kept = run_check(fake)
    assert verdicts["gateway_token"] == "not_checked"


def test_role_api_offered_is_a_contradiction():
    _result, verdicts, evidence, _kept = run_check(FakeClient(role_api=True))
    assert verdicts["role_api_not_offered"] == "contradicted" and "clean QPS SUCCESS" in evidence["role_api_not_offered"]
    _result, verdicts, evidence, _kept = run_check(FakeClient(role_api=False))
    assert verdicts["role_api_not_offered"] == "confirmed" and "HTTP 404" in evidence["role_api_not_offered"]


def test_classic_user_api_refused_tries_am_user():
    fake = FakeClient(fail={"msp:user_list.php": QualysError("Qualys error 2004: not allowed", code="2004", kind="api")})
    _result, verdicts, evidence, _kept = run_check(fake)
    assert verdicts["classic_user_api"] == "contradicted"
    assert "looks like enhanced RBAC" in evidence["classic_user_api"] and "qps:search:am/user" in fake.calls
    fake = FakeClient(fail={"msp:user_list.php": QualysError("Qualys error 2004", code="2004", kind="api"),
                            "qps:search:am/user": QualysError("Qualys error UNAUTHORIZED", code="UNAUTHORIZED",
                                                              kind="auth")})
    _result, verdicts, evidence, _kept = run_check(fake)
    assert verdicts["classic_user_api"] == "contradicted" and "refused too" in evidence["classic_user_api"]


def test_oidc_client_only_when_given():
    fake = FakeClient()
    result, verdicts, evidence, kept = run_check(fake, client_id="cid", client_secret=CLIENT_SECRET)
    assert verdicts["oidc_client"] == "confirmed" and "issued a token (not shown)" in evidence["oidc_client"]
    assert leaks(result, CLIENT_SECRET, TOKEN) == []


def test_password_reset_outcomes():
    fake = FakeClient(password_reply="emailed")
    _result, verdicts, evidence, kept = run_check(fake, writes=True, throwaway_user="svc_tmp")
    assert verdicts["password_reset_returns_password"] == "contradicted"
    assert "e-mailed" in evidence["password_reset_returns_password"] and NEW_PASSWORD not in kept
    for code, verdict in (("1901", "contradicted"), ("1905", "not_checked")):
        fake = FakeClient(fail={"msp:password_change.php": QualysError("Qualys error %s: no" % code, code=code)})
        _result, verdicts, _evidence, _kept = run_check(fake, writes=True, throwaway_user="svc_tmp")
        assert verdicts["password_reset_returns_password"] == verdict
    _result, verdicts, evidence, _kept = run_check(FakeClient(), writes=True)
    assert verdicts["password_reset_returns_password"] == "not_checked"
    assert "No throwaway_user" in evidence["password_reset_returns_password"]


def test_contradictions_from_a_run():
    fake = FakeClient(running="0", carry_division=True, markers=False,
                      headers=dict((k, v) for k, v in LIMITS.items() if k != "X-RateLimit-ToWait-Sec"))
    _result, verdicts, evidence, _kept = run_check(fake, writes=True)
    assert verdicts["concurrency_running_counts_self"] == "contradicted"
    assert verdicts["limit_headers"] == "contradicted" and "X-RateLimit-ToWait-Sec" in evidence["limit_headers"]
    assert verdicts["asset_group_list_fields"] == "contradicted" and "DIVISION" in evidence["asset_group_list_fields"]
    assert verdicts["system_tag_markers"] == "contradicted"


def test_secrets_are_masked_in_evidence_and_an_unexpected_failure_is_a_verdict():
    fake = FakeClient(fail={"msp:user_list.php": QualysError("refused for password %s" % PASSWORD, kind="transport"),
                            "role": ValueError("odd reply")})
    result, verdicts, evidence, _kept = run_check(fake)
    assert leaks(result, PASSWORD) == [] and tc.MASK in evidence["classic_user_api"]
    assert verdicts["role_api_not_offered"] == "not_checked" and "ValueError" in evidence["role_api_not_offered"]


# -- verdicts from observations ------------------------------------------------------------------

@pytest.mark.parametrize("values, verdict", [
    (["0", "0"], "contradicted"), (["1", "1"], "confirmed"), (["2", "1"], "confirmed"), (["0", "1"], "contradicted"),
    (["2", "3"], "not_checked"), ([], "not_checked"),
])
def test_judge_running(values, verdict):
    assert tc.judge_running(values)[0] == verdict


def test_judge_limit_headers():
    assert tc.judge_limit_headers([])[0] == "not_checked"
    assert tc.judge_limit_headers([dict(LIMITS)])[0] == "confirmed"
    verdict, evidence = tc.judge_limit_headers([dict(LIMITS), {"X-RateLimit-Limit": "300"}])
    assert verdict == "contradicted" and "X-Concurrency-Limit-Running (1)" in evidence


def test_judge_asset_group_fields():
    core = dict((name, 1) for name in tc.CORE_ELEMENTS)
    assert tc.judge_asset_group_fields({"count": 2, "seen": core}, None)[0] == "confirmed"
    verdict, evidence = tc.judge_asset_group_fields({"count": 2, "seen": {"TITLE": 2}}, None)
    assert verdict == "not_checked" and "writes: true tells" in evidence
    assert tc.judge_asset_group_fields({"count": 0, "seen": {}}, None)[0] == "not_checked"
    assert tc.judge_asset_group_fields({"count": 2, "seen": dict(core, LOCATION=1)}, None)[0] == "contradicted"
    assert tc.judge_asset_group_fields({"error": "1905 bad value", "refused": True}, None)[0] == "contradicted"
    assert tc.judge_asset_group_fields({"error": "timed out", "refused": False}, None)[0] == "not_checked"
    sent = {"comments": "x", "division": "d", "business_impact": "low"}
    good = {"sent": sent, "back": {"comments": "x", "business_impact": "low"}, "carried": ["TITLE", "COMMENTS"]}
    assert tc.judge_asset_group_fields({"count": 1, "seen": {"TITLE": 1}}, good)[0] == "confirmed"
    bad = dict(good, back={"comments": "", "business_impact": "low"})
    verdict, evidence = tc.judge_asset_group_fields({"count": 1, "seen": {"TITLE": 1}}, bad)
    assert verdict == "contradicted" and "comments sent 'x', read ''" in evidence
    carried = dict(good, carried=["TITLE", "DIVISION"])
    assert tc.judge_asset_group_fields(None, carried)[0] == "contradicted"


def test_judge_tag_fields():
    rule = {"ruleType": "NETWORK_RANGE", "ruleText": "10.0.0.0/24"}
    child = {"parentTagId": 1}
    assert tc.judge_tag_fields({"rule_tags": [rule], "children": {"a": [child]}}, None)[0] == "confirmed"
    assert tc.judge_tag_fields({"rule_tags": [], "children": {"a": [child]}}, None)[0] == "not_checked"
    assert tc.judge_tag_fields({"rule_tags": [{"ruleType": "NETWORK_RANGE"}], "children": {}}, None)[0] == "contradicted"
    assert tc.judge_tag_fields({"rule_tags": [rule], "children": {"a": [{}]}}, None)[0] == "contradicted"
    # The throwaway tag proves it; a rule rewritten to the same addresses (a CIDR) still counts.
    probe = {"id": 7, "parent_raw": {"ruleType": "NETWORK_RANGE", "ruleText": "192.0.2.0/24"},
             "child_raw": {"parentTagId": "7"}}
    verdict, evidence = tc.judge_tag_fields({"rule_tags": [], "children": {}}, probe)
    assert verdict == "confirmed" and "rewritten as '192.0.2.0/24'" in evidence
    other = dict(probe, parent_raw={"ruleType": "NETWORK_RANGE", "ruleText": "192.0.2.0-192.0.2.10"})
    assert tc.judge_tag_fields(None, other)[0] == "contradicted"
    assert tc.judge_tag_fields(None, dict(probe, child_raw={"parentTagId": 8}))[0] == "contradicted"


def test_judge_system_markers():
    read = {"parents": {"Asset Groups": 1, "Business Units": 2},
            "children": {"Asset Groups": [{"srcAssetGroupId": 5}], "Business Units": [{"srcBusinessUnitId": "3"}]}}
    assert tc.judge_system_markers(read, None)[0] == "confirmed"
    read["children"]["Asset Groups"].append({"name": "Old group"})
    verdict, evidence = tc.judge_system_markers(read, None)
    assert verdict == "contradicted" and "'Old group'" in evidence
    empty = {"parents": {"Asset Groups": None, "Business Units": None}, "children": {}}
    verdict, evidence = tc.judge_system_markers(empty, None)
    assert verdict == "not_checked" and "no 'Asset Groups' tag at the root" in evidence
    assert tc.judge_system_markers(empty, {"id": 12, "tag": {"found": True, "src": "12"}})[0] == "confirmed"
    assert tc.judge_system_markers(empty, {"id": 12, "tag": {"found": True, "src": None}})[0] == "contradicted"
    assert tc.judge_system_markers(empty, {"id": 12, "tag": {"found": False}})[0] == "not_checked"


def test_judge_write_cycle():
    done = {"name": "x", "created": True, "found": True, "deleted": True, "gone": True}
    assert tc.judge_write_cycle(done, "tag")[0] == "confirmed"
    assert tc.judge_write_cycle(dict(done, created=False, found=False, deleted=False, error="INVALID_REQUEST"),
                                "tag")[0] == "contradicted"
    assert tc.judge_write_cycle(dict(done, created=False, no_answer=True, error="timed out"), "tag")[0] == "not_checked"


# -- input ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("login, message", [
    ("all", "'all' would reset"), ("ALL", "'all' would reset"), ("a,b", "one login"), ("a b", "one login"),
    ("  ", "empty"), ("Admin", "must not be the user"),
])
def test_validate_refuses_bad_throwaway_users(login, message):
    with pytest.raises(ValueError, match=message):
        tc.validate({"username": "admin", "throwaway_user": login})


def test_validate_accepts_one_login_or_none():
    tc.validate({"username": "admin", "throwaway_user": "acme_ts42"})
    tc.validate({"username": "admin", "throwaway_user": None})


def test_summary_counts_every_verdict():
    items = [{"verdict": "confirmed"}, {"verdict": "confirmed"}, {"verdict": "not_checked"}]
    assert tc.summary(items) == {"confirmed": 2, "contradicted": 0, "not_checked": 1, "total": 3}


def test_short_masks_longest_secret_first_and_truncates():
    assert tc.short("pw abc123 and abc", ["abc", "abc123"]) == "pw ******** and ********"
    assert len(tc.short("x" * 1000)) == tc.EVIDENCE_MAX


# -- which user back-end answers (issue 17) ----------------------------------------------------------

class Reply:
    def __init__(self, status, text, content_type="application/json"):
        self.status = status
        self.text = text
        self.headers = {"Content-Type": content_type}
        self.content_type = content_type


class AdminFakeClient(FakeClient):
    """FakeClient plus the Administration user list (``request``), answering ``reply``."""

    def __init__(self, reply, user_api="classic", **kwargs):
        super(AdminFakeClient, self).__init__(**kwargs)
        self.reply = reply
        self.user_api = user_api
        self.admin_url = None

    def request(self, method, path, family, json_body=None, write=False, extra_headers=None, base_url=None):
        self.calls.append("request:%s %s" % (method, path))
        assert not write and json_body["limit"] == 1
        return self.reply


ADMIN_LIST = Reply(200, '{"totalCount": 3, "users": [{"id": 1, "username": "admin"}]}')
NO_ADMINUI = Reply(404, "<html><body>Not Found</body></html>", "text/html")
CLASSIC_REFUSED = {"msp:user_list.php": QualysError("Qualys error 2004: not available", code="2004", kind="api")}


def test_user_backend_classic_answers():
    fake = AdminFakeClient(NO_ADMINUI)
    result = run_check(fake)[0]
    backend = result["user_backend"]
    assert backend["answers"] == "classic" and backend["classic"] is True and backend["rbac"] is False
    assert backend["configured"] == "classic" and "user_list.php answered" in backend["evidence"]
    assert "request:POST /adminui/user-management/v1/users" in fake.calls


def test_user_backend_rbac_answers_and_a_classic_setting_is_warned():
    warnings = []
    fake = AdminFakeClient(ADMIN_LIST, fail=CLASSIC_REFUSED)
    result = tc.TenantCheck(fake, dict(fake.params), client_factory=lambda overrides: fake, suffix="t1",
                            warn=warnings.append).run()
    backend = result["user_backend"]
    assert backend["answers"] == "rbac" and backend["classic"] is False and backend["rbac"] is True
    assert "totalCount 3" in backend["evidence"]
    assert any("user_api: rbac" in warning for warning in warnings), warnings


def test_user_backend_rbac_configured_is_not_warned():
    warnings = []
    fake = AdminFakeClient(ADMIN_LIST, user_api="rbac", fail=CLASSIC_REFUSED)
    result = tc.TenantCheck(fake, dict(fake.params), client_factory=lambda overrides: fake, suffix="t1",
                            warn=warnings.append).run()
    assert result["user_backend"]["configured"] == "rbac" and result["user_backend"]["answers"] == "rbac"
    assert not any("user_api" in warning for warning in warnings)


def test_user_backend_unknown_when_nothing_could_be_asked():
    fake = AdminFakeClient(ADMIN_LIST, fail={"msp:user_list.php": QualysError("timed out", kind="timeout")})
    fake.request = None  # not callable: the check itself fails, and says so
    result = run_check(fake)[0]
    assert result["user_backend"]["answers"] == "unknown" and result["user_backend"]["classic"] is None
