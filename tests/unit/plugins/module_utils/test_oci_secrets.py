# -*- coding: utf-8 -*-
# Copyright (c) scanops.qualys contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""oci_secrets: secret lookups, writes that must not repeat, result shapes (SDK clients mocked)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import base64
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


# ---------------------------------------------------------------- versions, stages, etags (issues 15 and 16)

SECRET_ID = "ocid1.vaultsecret.oc1.iad.unitstages"


class _Headed(_Response):
    def __init__(self, data, headers=None, next_page=None):
        super(_Headed, self).__init__(data, next_page)
        self.headers = headers or {}


def _bundle(text, number, secret_id=SECRET_ID, stages=("CURRENT",)):
    models = __import__("oci.secrets", fromlist=["models"]).models
    return models.SecretBundle(secret_id=secret_id, version_number=number, stages=list(stages),
                               secret_bundle_content=models.Base64SecretBundleContentDetails(
                                   content_type="BASE64", content=base64.b64encode(text).decode()))


def _version(number, stages):
    models = __import__("oci.vault", fromlist=["models"]).models
    return models.SecretVersionSummary(secret_id=SECRET_ID, version_number=number, stages=list(stages))


def _vault_with(clients):
    vault = os_.OciSecrets(oc.OciClient(params()))
    for key, client in clients.items():
        vault.oci._clients[(key, None)] = client
    return vault


def test_get_secret_and_etag(sdk):
    models = __import__("oci.vault", fromlist=["models"]).models
    client = mock.Mock()
    client.get_secret.return_value = _Headed(models.Secret(id=SECRET_ID, current_version_number=4), {"etag": "E1"})
    secret, etag = _vault_with({"vaults": client}).get_secret_and_etag(SECRET_ID)
    assert (secret["current_version_number"], etag) == (4, "E1")
    client.get_secret.return_value = _Headed(models.Secret(id=SECRET_ID))
    assert _vault_with({"vaults": client}).get_secret_and_etag(SECRET_ID)[1] is None


def test_find_secret_in_vault_by_name_needs_no_compartment(sdk):
    bundles = mock.Mock()
    bundles.get_secret_bundle_by_name.return_value = _Response(_bundle(b"whatever", 2))
    vault = _vault_with({"secrets": bundles})
    assert vault.find_secret_in_vault(VAULT, "creds") == SECRET_ID
    assert bundles.get_secret_bundle_by_name.call_args[0] == ("creds", VAULT)
    bundles.get_secret_bundle_by_name.side_effect = sdk.exceptions.ServiceError(
        404, "NotAuthorizedOrNotFound", {}, "not found")
    assert vault.find_secret_in_vault(VAULT, "creds") is None
    bundles.get_secret_bundle_by_name.side_effect = sdk.exceptions.ServiceError(401, "NotAuthenticated", {}, "no")
    with pytest.raises(oc.OciError) as err:
        vault.find_secret_in_vault(VAULT, "creds")
    assert err.value.status == 401


def test_versions_and_the_pending_content(sdk):
    vaults, bundles = mock.Mock(), mock.Mock()
    vaults.list_secret_versions.side_effect = [
        _Response([_version(1, ["PREVIOUS"]), _version(3, ["PENDING", "LATEST"])], "p2"),
        _Response([_version(2, ["CURRENT"])]),
    ]
    bundles.get_secret_bundle.return_value = _Response(_bundle(b"pending-text", 3, stages=["PENDING"]))
    vault = _vault_with({"vaults": vaults, "secrets": bundles})
    versions = vault.list_versions(SECRET_ID)
    assert [v["version_number"] for v in versions] == [3, 2, 1]
    assert vaults.list_secret_versions.call_args_list[1][1]["page"] == "p2"
    assert vault.read_pending(SECRET_ID, versions) == (b"pending-text", 3)
    assert bundles.get_secret_bundle.call_args == mock.call(SECRET_ID, version_number=3)
    assert vault.read_pending(SECRET_ID, [{"version_number": 1, "stages": ["CURRENT"]}]) == (None, None)
    # A PENDING version older than CURRENT (a CURRENT version was written after it) is stale.
    assert vault.read_pending(SECRET_ID, [{"version_number": 3, "stages": ["CURRENT", "LATEST"]},
                                          {"version_number": 2, "stages": ["PENDING"]}]) == (None, None)
    bundles.get_secret_bundle.return_value = _Response(_bundle(b"current-text", 2, stages=["CURRENT", "LATEST"]))
    assert vault.read_content(SECRET_ID) == (b"current-text", 2)
    assert bundles.get_secret_bundle.call_args == mock.call(SECRET_ID, stage="CURRENT")
    assert vault.read_bundle(SECRET_ID) == (b"current-text", 2, ["CURRENT", "LATEST"])
    # CURRENT is the latest version: nothing newer to look for, and nothing is called.
    vaults.reset_mock()
    bundles.reset_mock()
    assert vault.read_pending(SECRET_ID, current_stages=["CURRENT", "LATEST"]) == (None, None)
    assert vaults.mock_calls == [] and bundles.mock_calls == []


def test_pending_store_and_promotion_send_if_match_and_are_not_retried(sdk):
    client = mock.Mock()
    client.update_secret.return_value = _Response(None)
    vault = _vault_with({"vaults": client})
    vault.update_secret(SECRET_ID, data=b"new", stage="PENDING", if_match="E1")
    args, kwargs = client.update_secret.call_args
    assert args[1].secret_content.stage == "PENDING" and args[1].current_version_number is None
    assert kwargs["if_match"] == "E1" and isinstance(kwargs["retry_strategy"], sdk.retry.NoneRetryStrategy)
    vault.update_secret(SECRET_ID, data=b"new")
    assert "if_match" not in client.update_secret.call_args[1]

    vault.promote_version(SECRET_ID, 3, if_match="E2", description="d")
    args, kwargs = client.update_secret.call_args
    assert args[1].current_version_number == 3 and args[1].secret_content is None and args[1].description == "d"
    assert kwargs["if_match"] == "E2" and isinstance(kwargs["retry_strategy"], sdk.retry.NoneRetryStrategy)

    client.update_secret.side_effect = sdk.exceptions.ServiceError(412, "PreconditionFailed", {}, "etag")
    with pytest.raises(oc.OciError) as err:
        vault.promote_version(SECRET_ID, 3, if_match="old")
    assert err.value.status == 412 and not err.value.outcome_unknown
