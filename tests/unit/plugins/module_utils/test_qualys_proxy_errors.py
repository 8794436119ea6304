# -*- coding: utf-8 -*-
# Copyright (c) scanops.qualys contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""An unreachable proxy: reported at once, with its cause said once."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import socket
import time

import pytest

from ansible_collections.scanops.qualys.plugins.module_utils.qualys_client import QualysClient
from ansible_collections.scanops.qualys.plugins.module_utils.qualys_connection import ConnectionCheck
from ansible_collections.scanops.qualys.plugins.module_utils.qualys_errors import QualysError


def closed_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def params():
    return dict(url="https://127.0.0.1:9", gateway_url="https://127.0.0.1:9", username="u", password="p-Secret-1",
                auth_method="basic", proxy_url="http://127.0.0.1:%d" % closed_port(), timeout=5, max_retries=5,
                max_wait=30, validate_certs=True)


def test_a_refused_proxy_is_not_retried_and_its_cause_is_said_once():
    started = time.monotonic()
    with pytest.raises(QualysError) as raised:
        QualysClient(params()).fo("/api/2.0/fo/asset/group/", {"action": "list"})
    assert time.monotonic() - started < 3
    message = str(raised.value)
    assert raised.value.kind == "transport"
    assert message.endswith("Connection refused") and message.count("Connection refused") == 1
    assert "HTTPSConnectionPool" not in message and "p-Secret-1" not in message


def test_the_connection_check_reports_each_application_at_once():
    settings = params()
    started = time.monotonic()
    result = ConnectionCheck(QualysClient(settings), settings).run({"vmdr", "fim", "pm", "etm"})
    assert time.monotonic() - started < 5
    assert [result["applications"][name]["reason"] for name in ("vmdr", "fim", "pm", "etm")] == ["unreachable"] * 4
    assert result["summary"].count("Connection refused") == 4
