# -*- coding: utf-8 -*-
# Copyright (c) scanops.qualys contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Real Qualys replies (HAR recordings, read in place from shared/qualys-samples) through the client's decoders."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os
import warnings

import pytest

from ansible_collections.scanops.qualys.plugins.module_utils import qualys_formats as formats
from ansible_collections.scanops.qualys.plugins.module_utils.qualys_client import Response, is_limit_reply
from ansible_collections.scanops.qualys.plugins.module_utils.qualys_errors import QualysError


def _samples_dir():
    here = os.path.dirname(os.path.abspath(__file__))
    while here != os.path.dirname(here):
        candidate = os.path.join(here, "shared", "qualys-samples")
        if os.path.isdir(candidate):
            return candidate
        here = os.path.dirname(here)
    return None


SAMPLES = os.environ.get("SCANOPS_QUALYS_SAMPLES") or _samples_dir()
if not SAMPLES or not os.path.isdir(SAMPLES):
    MISSING = ("Qualys recordings not found (%s): the tests of real Qualys replies did not run; put shared/qualys-samples "
               "beside the project root or set SCANOPS_QUALYS_SAMPLES"
               % ("SCANOPS_QUALYS_SAMPLES=%s is no directory" % SAMPLES if SAMPLES else "no shared/qualys-samples above "
                  "the tests"))
    # A skip's reason shows in the summary only with -rs; a warning shows in every run's warnings summary
    # (a builtin category: pytest-xdist imports a warning's category module, which would be this skipped one).
    warnings.warn(MISSING, UserWarning)
    pytest.skip(MISSING, allow_module_level=True)


def replies(name):
    if not os.path.exists(os.path.join(SAMPLES, name)):
        pytest.skip("Qualys recording %s is missing from %s" % (name, SAMPLES))
    with open(os.path.join(SAMPLES, name)) as handle:
        har = json.load(handle)
    found = []
    for entry in har["log"]["entries"]:
        reply = entry["response"]
        headers = dict((h["name"], h["value"]) for h in reply["headers"])
        found.append(Response(reply["status"], _Caseless(headers), reply["content"].get("text", ""), headers.get("content-type", "")))
    return found


class _Caseless(dict):
    """Header lookup without regard to case, as requests provides."""

    def get(self, key, default=None):
        for name, value in self.items():
            if name.lower() == key.lower():
                return value
        return default


def test_expired_account_with_http_200():
    reply = replies("vmpc_simple_return_code2001_account_expired.har")[0]
    with pytest.raises(QualysError) as raised:
        formats.parse_xml_reply(reply)
    assert (raised.value.code, raised.value.kind, raised.value.status) == ("2001", "expired", 200)
    assert "This account has expired." in str(raised.value)


def test_invalid_parameter_with_http_400_and_limit_headers():
    reply = replies("vmpc_simple_return_code1905_invalid_param_http400_with_limit_headers.har")[0]
    with pytest.raises(QualysError) as raised:
        formats.parse_xml_reply(reply)
    assert (raised.value.code, raised.value.status, raised.value.kind) == ("1905", 400, "api")
    assert not is_limit_reply(reply.headers)


def test_bad_credentials_on_qps_arrive_with_http_200():
    # Despite its file name this recording is QPS portal/version answering INVALID_CREDENTIALS.
    reply = replies("vmpc_simple_return_code2000_bad_login_http401.har")[0]
    with pytest.raises(QualysError) as raised:
        formats.parse_qps_reply(reply)
    assert raised.value.kind == "auth"
    assert raised.value.code == "INVALID_CREDENTIALS"


def test_qps_invalid_request_with_http_200():
    reply = replies("qps_invalid_request_http200_am_hostasset.har")[0]
    with pytest.raises(QualysError) as raised:
        formats.parse_qps_reply(reply)
    assert raised.value.code == "INVALID_REQUEST" and raised.value.status == 200


def test_qps_paging_markers():
    pages = [formats.parse_qps_reply(reply) for reply in replies("qps_search_pagination_hasMoreRecords_lastId.har")]
    assert all(page["has_more"] for page in pages[:-1])
    assert not pages[-1]["has_more"]
    assert all(page["last_id"] for page in pages[:-1])
    assert all(len(page["data"]) == 1 for page in pages)


def test_qps_empty_search():
    page = formats.parse_qps_reply(replies("qps_search_success_count0_no_data.har")[0])
    assert page == {"count": 0, "has_more": False, "last_id": None, "data": []}


def test_portal_version_is_a_success():
    page = formats.parse_qps_reply(replies("qps_portal_version.har")[0])
    assert page["data"]


def test_limit_headers_of_a_normal_reply():
    reply = replies("vmpc_limit_headers_and_warning1980_truncation_csv.har")[0]
    limits = reply.limits()
    assert limits["rate_limit"] == 300 and limits["rate_window_sec"] == 3600 and limits["concurrency_limit"] == 2
    assert "1980" in reply.text
