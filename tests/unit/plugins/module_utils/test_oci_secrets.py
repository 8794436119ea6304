# -*- coding: utf-8 -*-
# Copyright (c) scanops.qualys contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""oci_secrets: secret lookups, writes that must not repeat, result shapes (SDK clients mocked)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime

import pytest

from ansible_collections.scanops.qualys.plugins.module_utils import oci_client as oc
from ansible_collections.scanops.qualys.plugins.module_utils import oci_secrets as os_

try:
    from unittest import mock
except ImportError:  # pragma: no cover
    import mock

COMPARTMENT = "ocid1.compartment.oc1..aaaaaaaaunit"
VAULT = "ocid1.vault.oc1.iad.aaaaaaaaunitvault"


def params(**overrides):
    base = dict(config_file=None, config_profile="DEFAULT", auth_type="api_key", region=None, service_endpoint=None,
                service_endpoints=None, cert_bundle=None, api_retries=None)
    base.update(overrides)
    return base


@pytest.fixture
def sdk():
    return pytest.importorskip("oci")


class _Response(object):
    def __init__(self, data, next_page=None):
        self.data = data
        self.next_page = next_page
        self.has_next_page = next_page is not None


def _summary(sdk, name, state="ACTIVE", secret_id=None, created="2026-01-01T00:00:00+00:00"):
    models = __import__("oci.vault", fromlist=["models"]).models
    return models.SecretSummary(id=secret_id or "ocid1.vaultsecret.oc1.iad." + name.replace("-", ""), secret_name=name,
                                lifecycle_state=state, compartment_id=COMPARTMENT, vault_id=VAULT,
                                time_created=datetime.datetime.fromisoformat(created))


def test_find_secret_pages_and_filters(sdk):
    vault = os_.OciSecrets(oc.OciClient(params()))
    client = mock.Mock()
    client.list_secrets.side_effect = [
        _Response([_summary(sdk, "other"), _summary(sdk, "lic", "DELETED", "ocid1.vaultsecret.oc1.iad.old")], "p2"),
        _Response([_summary(sdk, "lic", "PENDING_DELETION", "ocid1.vaultsecret.oc1.iad.pending")]),
    ]
    vault.oci._clients[("vaults", None)] = client
    found = vault.find_secret(COMPARTMENT, VAULT, "lic")
    assert found["id"] == "ocid1.vaultsecret.oc1.iad.pending"
    assert client.list_secrets.call_args_list[1][1]["page"] == "p2"
    assert client.list_secrets.call_args_list[0][1]["name"] == "lic"
    client.list_secrets.side_effect = [_Response([_summary(sdk, "other")])]
    assert vault.find_secret(COMPARTMENT, VAULT, "lic") is None


def test_writes_that_must_not_repeat_are_not_retried(sdk, monkeypatch):
    vault = os_.OciSecrets(oc.OciClient(params(api_retries=3)))
    client = mock.Mock()
    vault.oci._clients[("vaults", None)] = client
    client.update_secret.return_value = _Response(None)
    vault.update_secret("ocid1.vaultsecret.oc1.iad.x", data=b"new", description="d")
    args, kwargs = client.update_secret.call_args
    assert isinstance(kwargs["retry_strategy"], sdk.retry.NoneRetryStrategy)
    assert args[1].secret_content.content == "bmV3" and args[1].secret_content.stage == "CURRENT"
    assert args[1].description == "d"

    vault.schedule_secret_deletion("ocid1.vaultsecret.oc1.iad.x", 30)
    details = client.schedule_secret_deletion.call_args[0][1]
    assert details.time_of_deletion is None
    vault.schedule_secret_deletion("ocid1.vaultsecret.oc1.iad.x", 7)
    details = client.schedule_secret_deletion.call_args[0][1]
    ahead = details.time_of_deletion - datetime.datetime.now(datetime.timezone.utc)
    assert datetime.timedelta(days=7) < ahead < datetime.timedelta(days=7, minutes=11)
    assert isinstance(client.schedule_secret_deletion.call_args[1]["retry_strategy"], sdk.retry.NoneRetryStrategy)


def test_result_shapes_hold_no_content():
    secret = {"id": "s", "secret_name": "n", "lifecycle_state": "ACTIVE", "current_version_number": 2}
    shaped = os_.secret_result(secret, "abc")
    assert shaped["content_sha256"] == "abc" and shaped["current_version_number"] == 2 and shaped["name"] == "n"
    assert os_.secret_result({}) == {}
