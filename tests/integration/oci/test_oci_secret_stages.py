# -*- coding: utf-8 -*-
# Copyright (c) scanops.qualys contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Secret versions and stages end to end: the primitives of two-phase rotation (issue 15) and conditional
stores against lost updates (issue 16 item 2).

First the simulator on its own through the real oci SDK (stages, etag and if-match as the modules rely on
them), then ansible-playbook -> oci_qualys_secret / oci_qualys_secret_info -> oci SDK -> simulator.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import base64
import json
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

oci = pytest.importorskip("oci")

SECRET = "scanops.qualys.oci_qualys_secret"
SECRET_INFO = "scanops.qualys.oci_qualys_secret_info"
NAME = "qualys-api-user"
OTHER_COMPARTMENT = "ocid1.compartment.oc1..aaaaaaaastagesothercompartment"

CREDS = {"username": "svc_stages", "password": "Current-Stage-Passw0rd-1a2b"}
NEW_CREDS = {"username": "svc_stages", "password": "Pending-Stage-Passw0rd-3c4d"}
OTHER_CREDS = {"username": "svc_stages", "password": "Other-Run-Passw0rd-5e6f"}


def b64(text):
    return base64.b64encode(text.encode()).decode()


def sdk_client(cls, sim):
    config = oci.config.from_file(sim.fixtures["config_file"], "DEFAULT")
    config["log_requests"] = False
    client = cls(config, service_endpoint=sim.url, retry_strategy=oci.retry.NoneRetryStrategy(),
                 circuit_breaker_strategy=oci.circuit_breaker.NoCircuitBreakerStrategy())
    client.base_client.session.verify = sim.ca_path
    client.base_client.session.trust_env = False
    return client


@pytest.fixture
def sdk(oci_sim):
    import oci.secrets
    import oci.vault

    class Clients(object):
        vaults = sdk_client(oci.vault.VaultsClient, oci_sim)
        secrets = sdk_client(oci.secrets.SecretsClient, oci_sim)
    return Clients


def create(sdk, oci_sim, name, text, compartment_id=None):
    models = oci.vault.models
    f = oci_sim.fixtures
    secret = sdk.vaults.create_secret(models.CreateSecretDetails(
        compartment_id=compartment_id or f["compartment_id"], vault_id=f["vault_id"], key_id=f["key_id"],
        secret_name=name, secret_content=models.Base64SecretContentDetails(content=b64(text), stage="CURRENT"))).data
    sdk.vaults.get_secret(secret.id)  # CREATING settles on the next GET
    return secret


def put(sdk, secret_id, if_match=None, **details):
    kwargs = dict(if_match=if_match) if if_match else {}
    response = sdk.vaults.update_secret(secret_id, oci.vault.models.UpdateSecretDetails(**details), **kwargs)
    sdk.vaults.get_secret(secret_id)  # UPDATING settles
    return response


def content(text, stage=None):
    details = oci.vault.models.Base64SecretContentDetails(content=b64(text))
    if stage:
        details.stage = stage
    return details


def stages(sdk, secret_id):
    return dict((v.version_number, v.stages) for v in sdk.vaults.list_secret_versions(secret_id).data)


def bundle_text(sdk, secret_id, **selector):
    bundle = sdk.secrets.get_secret_bundle(secret_id, **selector).data
    return base64.b64decode(bundle.secret_bundle_content.content).decode(), bundle.version_number


def test_simulator_stages_etag_and_lookup_by_name(oci_sim, sdk):
    secret = create(sdk, oci_sim, "stages", "v1")
    etag = sdk.vaults.get_secret(secret.id).headers["etag"]
    put(sdk, secret.id, secret_content=content("v2-pending", "PENDING"))
    # A PENDING version leaves CURRENT as it is, but changes the etag.
    assert sdk.vaults.get_secret(secret.id).data.current_version_number == 1
    assert bundle_text(sdk, secret.id, stage="PENDING") == ("v2-pending", 2)
    assert bundle_text(sdk, secret.id) == ("v1", 1)
    with pytest.raises(oci.exceptions.ServiceError) as err:
        put(sdk, secret.id, if_match=etag, secret_content=content("lost-update"))
    assert (err.value.status, err.value.code) == (412, "PreconditionFailed")
    assert sorted(stages(sdk, secret.id)) == [1, 2]

    # A newer PENDING version takes the stage from the older one (assumed: one PENDING at a time).
    etag = sdk.vaults.get_secret(secret.id).headers["etag"]
    put(sdk, secret.id, if_match=etag, secret_content=content("v3-pending", "PENDING"))
    assert stages(sdk, secret.id) == {1: ["CURRENT"], 2: ["DEPRECATED"], 3: ["PENDING", "LATEST"]}
    assert bundle_text(sdk, secret.id, version_number=2) == ("v2-pending", 2)

    # Promotion: PENDING becomes CURRENT, the old CURRENT PREVIOUS; the etag changes again.
    etag = sdk.vaults.get_secret(secret.id).headers["etag"]
    reply = put(sdk, secret.id, if_match=etag, current_version_number=3)
    assert reply.headers["etag"] != etag and reply.data.current_version_number == 3
    assert stages(sdk, secret.id) == {1: ["PREVIOUS"], 2: ["DEPRECATED"], 3: ["CURRENT", "LATEST"]}
    assert bundle_text(sdk, secret.id) == ("v3-pending", 3)
    assert bundle_text(sdk, secret.id, stage="PREVIOUS") == ("v1", 1)
    with pytest.raises(oci.exceptions.ServiceError) as err:
        sdk.secrets.get_secret_bundle(secret.id, stage="PENDING")
    assert err.value.status == 404
    # The next CURRENT version: 3 becomes PREVIOUS, 1 DEPRECATED.
    put(sdk, secret.id, secret_content=content("v4"))
    assert stages(sdk, secret.id) == {1: ["DEPRECATED"], 2: ["DEPRECATED"], 3: ["PREVIOUS"], 4: ["CURRENT", "LATEST"]}

    # By name in the vault, whatever the compartment (listing needs the right compartment).
    elsewhere = create(sdk, oci_sim, "elsewhere", "x", compartment_id=OTHER_COMPARTMENT)
    f = oci_sim.fixtures
    assert sdk.vaults.list_secrets(f["compartment_id"], vault_id=f["vault_id"], name="elsewhere").data == []
    found = sdk.secrets.get_secret_bundle_by_name("elsewhere", f["vault_id"]).data
    assert found.secret_id == elsewhere.id
    assert sdk.vaults.get_secret(found.secret_id).data.compartment_id == OTHER_COMPARTMENT


def defaults(auth):
    return dict((name, dict(auth)) for name in (SECRET, SECRET_INFO))


def store(task_name, ids, creds, **options):
    args = dict(ids, name=NAME, credentials=creds)
    args.update(options)
    return {"name": task_name, SECRET: args, "register": "out"}


def info(task_name, args, **options):
    args = dict(args, **options)
    return {"name": task_name, SECRET_INFO: args, "register": "out"}


def failing(task):
    return dict(task, ignore_errors=True)


def stored(oci_sim):
    """{version number: (stages, decoded JSON)} of the secret in the simulator's state."""
    secret = oci_sim.secret(NAME)
    return dict((v["versionNumber"], (v["stages"], json.loads(base64.b64decode(v["content"]))))
                for v in secret["versions"])


def writes(oci_sim):
    return [call for call in oci_sim.calls() if call["kind"] == "write"]


def no_leak(oci_sim, result):
    leaked = [value for value in oci_sim.secret_values() if value in result.output]
    assert leaked == [], "secret content in ansible-playbook output"


def test_two_phase_rotation_and_conditional_stores(oci_sim, oci_auth, oci_ids, run_play, sdk):
    md = defaults(oci_auth)
    lookup = {"compartment_id": oci_ids["compartment_id"], "vault_id": oci_ids["vault_id"], "name": NAME}
    result = run_play([failing(store("pending before the secret exists", oci_ids, NEW_CREDS, stage="pending")),
                       store("create", oci_ids, CREDS, if_version_number=0)],
                      module_defaults=md)
    assert result.task("create")["changed"] is True
    assert "stage=pending needs an existing secret" in result.task("pending before the secret exists")["msg"]
    oci_sim.reset_stats()

    # Phase 1: store the new password as PENDING (check mode first), conditional on version 1.
    result = run_play([
        dict(store("pending (check)", oci_ids, NEW_CREDS, stage="pending", if_version_number=1), check_mode=True),
        store("pending", oci_ids, NEW_CREDS, stage="pending", if_version_number=1),
        store("pending again", oci_ids, NEW_CREDS, stage="pending", if_version_number=1),
        info("info", lookup, include_content=True),
    ], diff=True, module_defaults=md)
    assert result.rc == 0, result
    check = result.task("pending (check)")
    assert check["changed"] is True and check["pending_version_number"] == 2 and check["secret"]["current_version_number"] == 1
    assert check["diff"]["after"]["pending_content_sha256"] and check["diff"]["before"]["pending_content_sha256"] is None
    out = result.task("pending")
    assert out["changed"] is True and out["version_created"] is True and out["pending_version_number"] == 2
    assert out["secret"]["current_version_number"] == 1
    assert out["diff"]["after"]["pending_content_sha256"] == check["diff"]["after"]["pending_content_sha256"]
    again = result.task("pending again")
    assert again["changed"] is False and again["pending_version_number"] == 2
    entry = result.task("info")["secrets"][0]
    assert (entry["current_version_number"], entry["pending_version_number"]) == (1, 2)
    assert json.loads(entry["content"]) == CREDS and json.loads(entry["pending_content"]) == NEW_CREDS
    assert oci_sim.writes() == 1  # check mode and the second run wrote nothing
    assert [c["params"] for c in writes(oci_sim)] == [["header:if-match", "secretContent"]]
    secret_id = out["secret"]["id"]
    text, number = bundle_text(sdk, secret_id)
    assert json.loads(text) == CREDS and number == 1  # CURRENT unchanged
    assert json.loads(bundle_text(sdk, secret_id, stage="PENDING")[0]) == NEW_CREDS
    no_leak(oci_sim, result)
    oci_sim.reset_stats()

    # Phase 2: promote, only if the PENDING version holds the new password and version 1 is still CURRENT.
    result = run_play([
        dict(store("promote (check)", oci_ids, NEW_CREDS, promote_pending=True, if_version_number=1), check_mode=True),
        store("promote", oci_ids, NEW_CREDS, promote_pending=True, if_version_number=1),
        store("promote again", oci_ids, NEW_CREDS, promote_pending=True, if_version_number=1),
    ], diff=True, module_defaults=md)
    assert result.rc == 0, result
    check = result.task("promote (check)")
    assert check["changed"] is True and check["promoted"] is True and check["secret"]["current_version_number"] == 2
    out = result.task("promote")
    assert out["changed"] is True and out["promoted"] is True and out["version_created"] is False
    assert out["secret"]["current_version_number"] == 2 and out["pending_version_number"] is None
    assert out["diff"]["before"]["content_sha256"] != out["diff"]["after"]["content_sha256"]
    assert result.task("promote again")["changed"] is False
    assert [c["params"] for c in writes(oci_sim)] == [["currentVersionNumber", "header:if-match"]]
    versions = stored(oci_sim)
    assert versions == {1: (["PREVIOUS"], CREDS), 2: (["CURRENT", "LATEST"], NEW_CREDS)}
    assert json.loads(bundle_text(sdk, secret_id, stage="PREVIOUS")[0]) == CREDS
    no_leak(oci_sim, result)
    oci_sim.reset_stats()

    # A run that read version 1 before the rotation above (the lost update of issue 16): every store refused.
    stale = [
        failing(store("stale current", oci_ids, OTHER_CREDS, if_version_number=1)),
        failing(store("stale pending", oci_ids, OTHER_CREDS, stage="pending", if_version_number=1)),
        failing(store("stale promote", oci_ids, OTHER_CREDS, promote_pending=True, if_version_number=1)),
        failing(dict(store("stale check", oci_ids, OTHER_CREDS, if_version_number=1), check_mode=True)),
        failing(store("other pending promoted", oci_ids, OTHER_CREDS, promote_pending=True)),
        store("current again", oci_ids, NEW_CREDS, if_version_number=1),
    ]
    result = run_play(stale, module_defaults=md)
    for name in ("stale current", "stale pending", "stale check"):
        msg = result.task(name)["msg"]
        assert "the secret changed since it was read (version 2, expected 1): another run stored a password; re-run" in msg, msg
    assert "no PENDING version to promote" in result.task("stale promote")["msg"]
    assert "no PENDING version to promote" in result.task("other pending promoted")["msg"]
    assert result.task("current again")["changed"] is False  # nothing to write: no version check
    assert oci_sim.writes() == 0 and sorted(stored(oci_sim)) == [1, 2]
    no_leak(oci_sim, result)


def test_info_finds_the_secret_by_name_in_another_compartment(oci_sim, oci_auth, oci_ids, run_play, sdk):
    md = defaults(oci_auth)
    create(sdk, oci_sim, NAME, json.dumps(CREDS), compartment_id=OTHER_COMPARTMENT)
    oci_sim.reset_stats()
    lookup = {"compartment_id": oci_ids["compartment_id"], "vault_id": oci_ids["vault_id"], "name": NAME}
    result = run_play([
        info("listed", lookup),
        info("searched", lookup, search_vault=True, include_content=True),
        info("searched without compartment", {"vault_id": oci_ids["vault_id"], "name": NAME, "search_vault": True}),
        info("nothing", {"vault_id": oci_ids["vault_id"], "name": "no-such-secret", "search_vault": True}),
    ], module_defaults=md)
    assert result.rc == 0, result
    assert result.task("listed")["secrets"] == []  # the old lookup: "no credentials"
    for name in ("searched", "searched without compartment"):
        found = result.task(name)["secrets"]
        assert [(s["name"], s["compartment_id"], s["current_version_number"]) for s in found] == [
            (NAME, OTHER_COMPARTMENT, 1)], name
    entry = result.task("searched")["secrets"][0]
    assert json.loads(entry["content"]) == CREDS and entry["pending_version_number"] is None
    assert "pending_content" not in entry
    assert result.task("nothing")["secrets"] == []
    assert oci_sim.writes() == 0
    no_leak(oci_sim, result)


def test_info_reads_several_secrets_by_name_in_one_task(oci_sim, oci_auth, oci_ids, run_play, sdk):
    """names: what a role reads for all its users in one module run; a missing name is simply not in the list."""
    md = defaults(oci_auth)
    other = {"username": "svc_other", "password": "Other-Stage-Passw0rd-9z8y"}
    create(sdk, oci_sim, NAME, json.dumps(CREDS))
    create(sdk, oci_sim, "qualys-api-other", json.dumps(other), compartment_id=OTHER_COMPARTMENT)
    create(sdk, oci_sim, "not-asked-for", json.dumps(other))
    oci_sim.reset_stats()
    names = [NAME, "qualys-api-other", "no-such-secret"]
    result = run_play([
        info("searched", {"vault_id": oci_ids["vault_id"], "names": names, "search_vault": True}, include_content=True),
        info("listed", {"compartment_id": oci_ids["compartment_id"], "names": names}),
        failing(info("both", {"vault_id": oci_ids["vault_id"], "name": NAME, "names": names, "search_vault": True})),
        failing(info("empty name", {"vault_id": oci_ids["vault_id"], "names": [NAME, " "], "search_vault": True})),
    ], module_defaults=md)
    assert result.rc == 0, result
    found = result.task("searched")["secrets"]
    assert [(s["name"], s["compartment_id"]) for s in found] == [
        ("qualys-api-other", OTHER_COMPARTMENT), (NAME, oci_ids["compartment_id"])]
    assert [json.loads(s["content"]) for s in found] == [other, CREDS]
    # Listing a compartment picks the names asked for from it (the other compartment's secret is not there).
    assert [s["name"] for s in result.task("listed")["secrets"]] == [NAME]
    assert "mutually exclusive" in result.task("both")["msg"]
    assert "names must not hold an empty name" in result.task("empty name")["msg"]
    assert oci_sim.writes() == 0
    no_leak(oci_sim, result)


def test_a_write_between_read_and_store_is_refused_by_the_etag(oci_sim, oci_auth, oci_ids, run_play, sdk):
    """Another client stores a PENDING version while this run holds the content it read: the CURRENT version
    number is unchanged, but the etag is not, so OCI refuses the store (412) and nothing is written."""
    md = defaults(oci_auth)
    secret = create(sdk, oci_sim, NAME, json.dumps(CREDS))
    oci_sim.control("POST", "config", {"slow_seconds": 3.0})
    # Hold the reply to the module's read of the CURRENT content (the etag was read just before it).
    oci_sim.faults([{"method": "GET", "path": "/20190301/secretbundles/*", "kind": "slow", "times": 1}])
    oci_sim.reset_stats()
    try:
        with ThreadPoolExecutor(1) as pool:
            running = pool.submit(run_play, [failing(store("store", oci_ids, NEW_CREDS, if_version_number=1))],
                                  module_defaults=md)
            deadline = time.time() + 60
            while not any(c["method"] == "GET" and c["path"].endswith(secret.id) for c in oci_sim.calls()):
                assert time.time() < deadline and not running.done(), "the module never read the secret"
                time.sleep(0.05)
            put(sdk, secret.id, secret_content=content(json.dumps(OTHER_CREDS), "PENDING"))
            result = running.result()
    finally:
        oci_sim.control("POST", "config", {"slow_seconds": 5.0})
    msg = result.task("store")["msg"]
    assert "the secret changed since it was read (version 1, expected 1)" in msg, msg
    refused = [c for c in writes(oci_sim) if c["method"] == "PUT"]
    expected = [(200, ["secretContent"]), (412, ["header:if-match", "secretContent"])]
    assert [(c["status"], c["params"]) for c in refused] == expected
    versions = stored(oci_sim)
    assert versions[1] == (["CURRENT"], CREDS) and versions[2] == (["PENDING", "LATEST"], OTHER_CREDS)
    assert sorted(versions) == [1, 2]
