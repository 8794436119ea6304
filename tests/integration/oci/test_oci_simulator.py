# -*- coding: utf-8 -*-
# Copyright (c) scanops.qualys contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The OCI simulator on its own, driven by the real oci SDK (no collection code)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import base64
import datetime
import os
import time

import pytest
import requests

oci = pytest.importorskip("oci")


def b64(text):
    return base64.b64encode(text.encode()).decode()


def _client(cls, sim, profile="DEFAULT", **kwargs):
    config = oci.config.from_file(sim.fixtures["config_file"], profile)
    config["log_requests"] = False
    client = cls(config, service_endpoint=sim.url, retry_strategy=oci.retry.NoneRetryStrategy(),
                 circuit_breaker_strategy=oci.circuit_breaker.NoCircuitBreakerStrategy(), **kwargs)
    client.base_client.session.verify = sim.ca_path
    client.base_client.session.trust_env = False
    return client


@pytest.fixture
def sdk(oci_sim):
    import oci.key_management
    import oci.secrets
    import oci.vault
    import oci.vulnerability_scanning

    class Clients(object):
        vaults = _client(oci.vault.VaultsClient, oci_sim)
        secrets = _client(oci.secrets.SecretsClient, oci_sim)
        kms = _client(oci.key_management.KmsVaultClient, oci_sim)
        vss = _client(oci.vulnerability_scanning.VulnerabilityScanningClient, oci_sim)
    return Clients


def create(sdk, oci_sim, name, text="first"):
    models = oci.vault.models
    f = oci_sim.fixtures
    return sdk.vaults.create_secret(models.CreateSecretDetails(
        compartment_id=f["compartment_id"], vault_id=f["vault_id"], key_id=f["key_id"], secret_name=name,
        secret_content=models.Base64SecretContentDetails(content=b64(text), stage="CURRENT"))).data


def new_version(sdk, secret_id, text, stage=None):
    models = oci.vault.models
    content = models.Base64SecretContentDetails(content=b64(text))
    if stage:
        content.stage = stage
    return sdk.vaults.update_secret(secret_id, models.UpdateSecretDetails(secret_content=content)).data


def test_lifecycle_versions_stages_and_bundles(oci_sim, sdk):
    created = create(sdk, oci_sim, "versions")
    assert created.lifecycle_state == "CREATING" and created.current_version_number == 1
    assert sdk.vaults.get_secret(created.id).data.lifecycle_state == "ACTIVE"
    new_version(sdk, created.id, "second")
    sdk.vaults.get_secret(created.id)
    new_version(sdk, created.id, "pending", stage="PENDING")
    secret = sdk.vaults.get_secret(created.id).data
    assert secret.current_version_number == 2
    stages = dict((v.version_number, v.stages) for v in sdk.vaults.list_secret_versions(created.id).data)
    assert stages == {1: ["PREVIOUS"], 2: ["CURRENT"], 3: ["PENDING", "LATEST"]}
    bundle = sdk.secrets.get_secret_bundle(created.id).data
    assert bundle.version_number == 2 and base64.b64decode(bundle.secret_bundle_content.content) == b"second"
    assert sdk.secrets.get_secret_bundle(created.id, stage="PREVIOUS").data.version_number == 1
    assert sdk.secrets.get_secret_bundle(created.id, version_number=3).data.stages == ["PENDING", "LATEST"]
    by_name = sdk.secrets.get_secret_bundle_by_name("versions", oci_sim.fixtures["vault_id"]).data
    assert by_name.secret_id == created.id and by_name.version_number == 2
    assert sdk.vaults.get_secret_version(created.id, 1).data.stages == ["PREVIOUS"]
    assert len(sdk.secrets.list_secret_bundle_versions(created.id).data) == 3
    # Promote the pending version.
    sdk.vaults.update_secret(created.id, oci.vault.models.UpdateSecretDetails(current_version_number=3))
    assert sdk.vaults.get_secret(created.id).data.current_version_number == 3
    assert b64("pending") in oci_sim.secret_values() and "pending" in oci_sim.secret_values()


def test_paging_conflicts_and_deletion(oci_sim, sdk):
    f = oci_sim.fixtures
    oci_sim.control("POST", "config", {"page_size": 2})
    ids = [create(sdk, oci_sim, "page-%d" % i).id for i in range(5)]
    first = sdk.vaults.list_secrets(f["compartment_id"], vault_id=f["vault_id"])
    assert len(first.data) == 2 and first.has_next_page
    everything = oci.pagination.list_call_get_all_results(sdk.vaults.list_secrets, f["compartment_id"],
                                                          vault_id=f["vault_id"]).data
    assert sorted(s.id for s in everything) == sorted(ids)

    with pytest.raises(oci.exceptions.ServiceError) as err:
        create(sdk, oci_sim, "page-0")
    assert (err.value.status, err.value.code) == (409, "Conflict")

    assert sdk.vaults.get_secret(ids[0]).data.lifecycle_state == "ACTIVE"  # CREATING settles on a GET
    details = oci.vault.models.ScheduleSecretDeletionDetails(
        time_of_deletion=datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(hours=2))
    with pytest.raises(oci.exceptions.ServiceError) as err:
        sdk.vaults.schedule_secret_deletion(ids[0], details)
    assert (err.value.status, err.value.code) == (400, "InvalidParameter")

    sdk.vaults.schedule_secret_deletion(ids[0], oci.vault.models.ScheduleSecretDeletionDetails())
    secret = sdk.vaults.get_secret(ids[0]).data
    assert secret.lifecycle_state == "PENDING_DELETION" and secret.time_of_deletion is not None
    with pytest.raises(oci.exceptions.ServiceError) as err:
        new_version(sdk, ids[0], "too late")
    assert (err.value.status, err.value.code) == (409, "IncorrectState")
    sdk.vaults.cancel_secret_deletion(ids[0])
    assert sdk.vaults.list_secrets(f["compartment_id"], name="page-0").data[0].lifecycle_state == "CANCELLING_DELETION"
    assert sdk.vaults.get_secret(ids[0]).data.lifecycle_state == "ACTIVE"

    with pytest.raises(oci.exceptions.ServiceError) as err:
        sdk.vaults.get_secret("ocid1.vaultsecret.oc1.iad.amaaaaaanothere")
    assert (err.value.status, err.value.code) == (404, "NotAuthorizedOrNotFound")


def test_lifecycle_control_route(oci_sim, sdk):
    """POST /_sim/lifecycle puts a secret (or recipe) into any state, settling after N GETs or S seconds."""
    created = create(sdk, oci_sim, "held")
    assert sdk.vaults.get_secret(created.id).data.lifecycle_state == "ACTIVE"
    reply = oci_sim.control("POST", "lifecycle", {"name": "held", "state": "UPDATING", "settle_to": "ACTIVE", "reads": 2})
    assert reply == {"id": created.id, "lifecycle_state": "UPDATING", "settle_to": "ACTIVE"}
    assert sdk.vaults.list_secrets(oci_sim.fixtures["compartment_id"]).data[0].lifecycle_state == "UPDATING"
    states = [sdk.vaults.get_secret(created.id).data.lifecycle_state for _read in range(3)]
    assert states == ["UPDATING", "UPDATING", "ACTIVE"]

    oci_sim.control("POST", "lifecycle", {"secret_id": created.id, "state": "CREATING", "settle_to": "ACTIVE",
                                          "reads": 1000, "seconds": 0.5})
    assert sdk.vaults.get_secret(created.id).data.lifecycle_state == "CREATING"
    time.sleep(0.6)
    assert sdk.vaults.get_secret(created.id).data.lifecycle_state == "ACTIVE"

    oci_sim.control("POST", "lifecycle", {"name": "held", "state": "PENDING_DELETION", "time_of_deletion_days": 7})
    secret = sdk.vaults.get_secret(created.id).data
    assert secret.lifecycle_state == "PENDING_DELETION"
    days = (secret.time_of_deletion - datetime.datetime.now(datetime.timezone.utc)).total_seconds() / 86400.0
    assert 6.9 < days <= 7
    sdk.vaults.cancel_secret_deletion(created.id)  # the API treats it as any secret pending deletion
    assert sdk.vaults.get_secret(created.id).data.lifecycle_state == "ACTIVE"

    for body in ({"name": "nope", "state": "ACTIVE"}, {"name": "held", "state": "SLEEPING"},
                 {"name": "held", "state": "UPDATING", "reads": -1}):
        reply = requests.post(oci_sim.url + "/_sim/lifecycle", json=body, verify=oci_sim.ca_path, timeout=10)
        assert reply.status_code in (400, 404) and reply.json()["error"], body
    assert oci_sim.stats()["writes"] == 2  # the create and the cancel: control calls are not counted


def test_kms_and_vss(oci_sim, sdk):
    import oci.key_management
    f = oci_sim.fixtures
    vault = sdk.kms.get_vault(f["vault_id"]).data
    assert vault.management_endpoint == oci_sim.url
    config = oci.config.from_file(f["config_file"])
    management = oci.key_management.KmsManagementClient(
        config, vault.management_endpoint, retry_strategy=oci.retry.NoneRetryStrategy())
    management.base_client.session.verify = oci_sim.ca_path
    management.base_client.session.trust_env = False
    keys = management.list_keys(f["compartment_id"]).data
    assert [k.id for k in keys] == [f["key_id"]] and keys[0].lifecycle_state == "ENABLED"
    assert management.get_key(f["key_id"]).data.vault_id == f["vault_id"]

    secret = create(sdk, oci_sim, "license")
    models = oci.vulnerability_scanning.models
    recipe = sdk.vss.create_host_scan_recipe(models.CreateHostScanRecipeDetails(
        compartment_id=f["compartment_id"], display_name="r",
        port_settings=models.HostScanPortSettings(scan_level="STANDARD"),
        agent_settings=models.HostScanAgentSettings(
            scan_level="STANDARD",
            agent_configuration=models.HostScanAgentConfigurationQualys(
                vault_secret_id=secret.id, should_un_install=False)),
        schedule=models.Schedule(type="DAILY"))).data
    assert recipe.lifecycle_state == "CREATING"
    got = sdk.vss.get_host_scan_recipe(recipe.id).data
    assert isinstance(got.agent_settings.agent_configuration, models.HostScanAgentConfigurationQualys)
    assert got.agent_settings.agent_configuration.vault_secret_id == secret.id
    listed = sdk.vss.list_host_scan_recipes(f["compartment_id"], display_name="r").data
    assert [item.id for item in listed.items] == [recipe.id]
    sdk.vss.delete_host_scan_recipe(recipe.id)
    assert sdk.vss.get_host_scan_recipe(recipe.id).data.lifecycle_state == "DELETED"
    assert sdk.vss.list_host_scan_recipes(f["compartment_id"]).data.items == []


def test_signatures_are_verified(oci_sim, sdk):
    f = oci_sim.fixtures
    url = oci_sim.url + "/20180608/secrets?compartmentId=" + f["compartment_id"]
    # No signature at all.
    reply = requests.get(url, verify=oci_sim.ca_path, timeout=10)
    assert reply.status_code == 401 and reply.json()["code"] == "NotAuthenticated"
    # Right key, body changed after signing.
    config = oci.config.from_file(f["config_file"])
    signer = oci.signer.Signer.from_config(config)
    body = '{"secretName": "tampered"}'
    request = requests.Request("POST", oci_sim.url + "/20180608/secrets", data=body,
                               headers={"content-type": "application/json"}).prepare()
    signer(request)
    request.body = '{"secretName": "tampere2"}'
    with requests.Session() as session:
        reply = session.send(request, verify=oci_sim.ca_path, timeout=10)
    assert reply.status_code == 401 and "x-content-sha256" in reply.json()["message"]
    # Signed with a key the simulator does not know.
    wrong = _client(oci.vault.VaultsClient, oci_sim, profile=f["wrong_key_profile"])
    with pytest.raises(oci.exceptions.ServiceError) as err:
        wrong.list_secrets(f["compartment_id"])
    assert (err.value.status, err.value.code) == (401, "NotAuthenticated")
    assert oci_sim.writes() == 1 and oci_sim.state()["secrets"] == {}


def test_state_survives_a_restart(tmp_path, oci_simulator_class):
    state_dir = str(tmp_path / "oci")
    first = oci_simulator_class(state_dir)
    try:
        sdk_vaults = _client(oci.vault.VaultsClient, first)
        f = first.fixtures
        sdk_vaults.create_secret(oci.vault.models.CreateSecretDetails(
            compartment_id=f["compartment_id"], vault_id=f["vault_id"], key_id=f["key_id"], secret_name="kept",
            secret_content=oci.vault.models.Base64SecretContentDetails(content=b64("x"), stage="CURRENT")))
    finally:
        first.stop()
    second = oci_simulator_class(state_dir)
    try:
        assert second.fixtures == f
        names = [s.secret_name for s in _client(oci.vault.VaultsClient, second).list_secrets(f["compartment_id"]).data]
        assert names == ["kept"]
        assert os.path.exists(os.path.join(state_dir, "state.json"))
    finally:
        second.stop()
