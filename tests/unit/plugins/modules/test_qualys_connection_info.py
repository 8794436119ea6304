# -*- coding: utf-8 -*-
# Copyright (c) scanops.qualys contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""qualys_connection_info with the client replaced: inputs, result mapping, check mode, secrets."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json

import pytest

from ansible_collections.scanops.qualys.plugins.module_utils import qualys_formats as formats
from ansible_collections.scanops.qualys.plugins.module_utils.qualys_client import Response
from ansible_collections.scanops.qualys.plugins.module_utils.qualys_errors import QualysError
from ansible_collections.scanops.qualys.plugins.modules import qualys_connection_info

CONNECTION = {"url": "https://qualysapi.qg3.apps.qualys.com", "username": "svc_user", "password": "Svc-Pass-1"}
JWT = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJzdmNfdXNlciJ9.c2lnbmF0dXJl"
SIMPLE = "<SIMPLE_RETURN><RESPONSE><CODE>%s</CODE><TEXT>%s</TEXT></RESPONSE></SIMPLE_RETURN>"
VM_HEADERS = {"X-RateLimit-Limit": "300", "X-RateLimit-Window-Sec": "3600", "X-RateLimit-Remaining": "12",
              "X-RateLimit-ToWait-Sec": "0", "X-Concurrency-Limit-Limit": "2", "X-Concurrency-Limit-Running": "1",
              "X-Powered-By": "Qualys:USPOD3:sub:user"}


class FakeClient:
    """Scripted replies by path, decoded by the client's own envelope parsers; every call recorded as "METHOD path"."""

    def __init__(self, replies=None):
        self.api_url = CONNECTION["url"]
        self.gateway_url = "https://gateway.qg3.apps.qualys.com"
        self.replies = replies or {}
        self.calls = []
        self.last_response = None
        self.token = None
        self.method = "basic"

    def _answer(self, key):
        self.calls.append(key)
        default = Response(200, {}, "<OK/>", "text/xml") if key.startswith("FO ") else Response(200, {}, "{}", "application/json")
        reply = self.replies.get(key, default)
        if isinstance(reply, QualysError):
            raise reply
        self.last_response = reply
        if key.startswith("GATEWAY "):
            self.token = JWT
        return reply

    def fo(self, path, params, **_kwargs):
        return formats.parse_xml_reply(self._answer("FO " + path))

    def gateway(self, method, path, **_kwargs):
        return formats.check_gateway_reply(self._answer("GATEWAY %s %s" % (method, path)))


@pytest.fixture
def run(run_module):
    def runner(fake, check=False, **args):
        """``fake`` is the client, or a QualysError its construction raises; an option set to None is left out."""
        module_args = dict((key, value) for key, value in dict(CONNECTION, **args).items() if value is not None)
        return run_module(qualys_connection_info, module_args, check=check, client=fake)
    return runner


def test_defaults_check_every_application_once(run):
    fake = FakeClient({"FO /api/2.0/fo/asset/host/vm/detection/": Response(200, VM_HEADERS, "<OK/>", "text/xml")})
    out = run(fake)
    assert not out.failed and out["changed"] is False and out["healthy"] is True
    assert list(out["applications"]) == ["vmdr", "fim", "pm", "etm"]
    assert fake.calls == ["FO /api/2.0/fo/asset/host/vm/detection/", "GATEWAY POST /fim/v2/events/count",
                          "GATEWAY GET /pm/v1/deploymentjobs/summary", "GATEWAY POST /etm/api/rest/v1/reports/list"]
    assert out["limits"]["rate_remaining"] == 12 and out["limits"]["concurrency_limit"] == 2
    assert out["platform"] == {"name": "US3", "source": "url", "api_url": CONNECTION["url"],
                               "gateway_url": "https://gateway.qg3.apps.qualys.com", "pod": "USPOD3"}
    assert out["eula_accepted"] is True and out["account_expired"] is False


def test_check_mode_reads_the_same_way(run):
    fake = FakeClient()
    normal = run(fake, applications=["pm", "vmdr"])
    calls = list(fake.calls)
    fake.calls[:] = []
    checked = run(fake, check=True, applications=["pm", "vmdr"])
    assert checked.result == normal.result and fake.calls == calls
    assert list(checked["applications"]) == ["vmdr", "pm"]


def test_empty_application_list_fails_before_any_call(run):
    fake = FakeClient()
    out = run(fake, applications=[])
    assert out.failed and out["msg"] == "applications must name at least one of vmdr, fim, pm, etm."
    assert fake.calls == [] and out.built == []


def test_unknown_application_is_refused_by_the_spec(run):
    fake = FakeClient()
    out = run(fake, applications=["vmdr", "was"])
    assert out.failed and "applications" in out["msg"] and "was" in out["msg"] and fake.calls == []


def test_connection_settings_error_fails_the_task(run):
    out = run(QualysError("Set platform (one of ...) or url.", kind="config"), url=None)
    assert out.failed and out["msg"].startswith("Set platform") and out["error_kind"] == "config"


def test_unhealthy_is_a_result_not_a_failure(run):
    fake = FakeClient({
        "FO /api/2.0/fo/asset/host/vm/detection/": Response(409, {}, SIMPLE % ("2003", "Registration must be completed"),
                                                            "text/xml"),
        "GATEWAY POST /fim/v2/events/count": Response(403, {}, json.dumps({"errorCode": "403", "message": "FIM is off"}),
                                                      "application/json"),
    })
    out = run(fake, applications=["vmdr", "fim"])
    assert not out.failed and out["healthy"] is False and out["eula_accepted"] is False
    assert out["applications"]["vmdr"]["reason"] == "eula_not_accepted"
    assert out["applications"]["fim"]["error_text"] == "FIM is off"
    assert out["summary"] == ("not healthy: vmdr: eula_not_accepted (Registration must be completed); "
                              "fim: not_subscribed_or_no_permission (FIM is off)")


def test_the_token_never_reaches_the_output(run):
    echo = json.dumps({"errorCode": "401", "message": "Token %s is not valid for PM" % JWT})
    fake = FakeClient({"GATEWAY GET /pm/v1/deploymentjobs/summary": Response(401, {}, echo, "application/json")})
    out = run(fake, applications=["pm"])
    assert out["applications"]["pm"]["reason"] == "token_rejected"
    assert JWT not in out.text and "Svc-Pass-1" not in out.text


def test_pm_answering_400_is_healthy_with_a_note(run):
    refusal = json.dumps({"_error": {"errorCode": "400", "message": "platform must be Windows or Linux"}})
    fake = FakeClient({"GATEWAY GET /pm/v1/deploymentjobs/summary": Response(400, {}, refusal, "application/json")})
    out = run(fake, applications=["pm", "etm"])
    pm = out["applications"]["pm"]
    assert not out.failed and out["healthy"] is True and pm["healthy"] is True and pm["http_status"] == 400
    assert "platform must be Windows or Linux" in pm["note"] and out["applications"]["etm"]["note"] is None
    assert pm["endpoint"] == "GET /pm/v1/deploymentjobs/summary"
