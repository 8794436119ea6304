# -*- coding: utf-8 -*-
# Copyright (c) scanops.qualys contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""oci_qualys_secret and oci_qualys_secret_info against an in-memory stand-in for oci_secrets.OciSecrets."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import base64
import copy
import json

import pytest

from ansible_collections.scanops.qualys.plugins.module_utils import oci_secret_content as sc
from ansible_collections.scanops.qualys.plugins.module_utils.oci_client import OciError
from ansible_collections.scanops.qualys.plugins.modules import oci_qualys_secret, oci_qualys_secret_info
from ansible_collections.scanops.qualys.tests.unit.plugins.modules.utils import run_module

COMPARTMENT = "ocid1.compartment.oc1..aaaaaaaaunit"
VAULT = "ocid1.vault.oc1.iad.aaaaaaaaunitvault"
KEY = "ocid1.key.oc1.iad.aaaaaaaaunitkey"
OTHER_KEY = "ocid1.key.oc1.iad.aaaaaaaaotherkey"
LICENSE = {"cid": "CID-UNIT-1", "aid": "AID-UNIT-1", "pws_url": "https://qagpublic.qg1.apps.qualys.com", "pws_port": 443}
LICENSE_DOC = {"cid": "CID-UNIT-1", "aid": "AID-UNIT-1", "pwsUrl": "https://qagpublic.qg1.apps.qualys.com", "pwsPort": 443}
BASE = {"compartment_id": COMPARTMENT, "vault_id": VAULT, "key_id": KEY, "name": "qualys-license"}


class FakeVault(object):
    """Secrets in a dict; the OciSecrets methods the modules call, each call recorded.

    ``versions`` holds every version's content; ``current`` and ``pending`` are version numbers;
    ``revision`` makes the etag, which changes with every write.
    """

    WRITES = ("create_secret", "update_secret", "promote_version", "schedule_secret_deletion", "cancel_secret_deletion")

    def __init__(self):
        self.secrets = {}
        self.calls = []
        self.counter = 0

    def _log(self, name, *args):
        self.calls.append((name,) + args)

    def writes(self):
        return [call for call in self.calls if call[0] in self.WRITES]

    def add(self, name, data, state="ACTIVE", key_id=KEY, compartment_id=COMPARTMENT, **meta):
        self.counter += 1
        secret_id = "ocid1.vaultsecret.oc1.iad.unit%d" % self.counter
        self.secrets[secret_id] = dict(id=secret_id, secret_name=name, compartment_id=compartment_id, vault_id=VAULT,
                                       key_id=key_id, lifecycle_state=state, description=meta.get("description"),
                                       freeform_tags=meta.get("freeform_tags") or {},
                                       defined_tags=meta.get("defined_tags") or {}, versions=[data],
                                       time_of_deletion=None, current=1, pending=None, revision=0)
        return secret_id

    def stage_pending(self, secret_id, data):
        """Another client stores a PENDING version."""
        secret = self.secrets[secret_id]
        secret["versions"].append(data)
        secret["pending"] = len(secret["versions"])
        secret["revision"] += 1
        return secret["pending"]

    def _view(self, secret):
        view = copy.deepcopy(secret)
        for key in ("versions", "current", "pending", "revision"):
            view.pop(key)
        view["current_version_number"] = secret["current"]
        return view

    def find_secret(self, compartment_id, vault_id, name):
        self._log("find_secret", name)
        for secret in self.secrets.values():
            if secret["secret_name"] == name and secret["lifecycle_state"] != "DELETED" \
                    and secret["compartment_id"] == compartment_id:
                view = self._view(secret)
                view.pop("current_version_number")  # summaries have none
                return view
        return None

    def find_secret_in_vault(self, vault_id, name):
        self._log("find_secret_in_vault", name)
        for secret in self.secrets.values():
            if secret["secret_name"] == name and secret["lifecycle_state"] != "DELETED":
                return secret["id"]
        return None

    def find_bundle_in_vault(self, vault_id, name):
        self._log("find_bundle_in_vault", name)
        for secret in self.secrets.values():
            if secret["secret_name"] == name and secret["lifecycle_state"] != "DELETED":
                latest = ["LATEST"] if secret["current"] == len(secret["versions"]) else []
                return secret["id"], secret["versions"][secret["current"] - 1], secret["current"], ["CURRENT"] + latest
        return None

    def list_secrets(self, compartment_id, vault_id=None, name=None):
        self._log("list_secrets", name)
        return [self._view(s) for s in self.secrets.values()
                if (not name or s["secret_name"] == name) and s["compartment_id"] == compartment_id]

    def read_bundle(self, secret_id):
        self._log("read_bundle", secret_id)
        secret = self.secrets[secret_id]
        latest = ["LATEST"] if secret["current"] == len(secret["versions"]) else []
        return secret["versions"][secret["current"] - 1], secret["current"], ["CURRENT"] + latest

    def list_versions(self, secret_id):
        self._log("list_versions", secret_id)
        secret = self.secrets[secret_id]
        versions = []
        for number in range(len(secret["versions"]), 0, -1):
            stages = ["CURRENT"] if number == secret["current"] else ["PENDING"] if number == secret["pending"] else []
            versions.append(dict(version_number=number, stages=stages))
        return versions

    def read_pending(self, secret_id, versions=None, current_stages=None):
        self._log("read_pending", secret_id)
        secret = self.secrets[secret_id]
        if current_stages is not None and "LATEST" in current_stages:
            return None, None
        if secret["pending"] is None or secret["pending"] < secret["current"]:
            return None, None
        return secret["versions"][secret["pending"] - 1], secret["pending"]

    def check_key(self, vault_id, key_id):
        self._log("check_key", key_id)
        if key_id != KEY:
            raise OciError("key_id %s is DISABLED" % key_id)

    def create_secret(self, compartment_id, vault_id, key_id, name, data, description=None, freeform_tags=None,
                      defined_tags=None):
        self._log("create_secret", name)
        secret_id = self.add(name, data, state="CREATING", description=description, freeform_tags=freeform_tags,
                             defined_tags=defined_tags)
        return self._view(self.secrets[secret_id])

    def _check_if_match(self, secret, if_match):
        if if_match is not None and if_match != "etag-%d" % secret["revision"]:
            raise OciError("update secret failed: HTTP 412 PreconditionFailed: etag.", status=412,
                           code="PreconditionFailed")

    def update_secret(self, secret_id, data=None, description=None, freeform_tags=None, defined_tags=None,
                      stage="CURRENT", if_match=None):
        self._log("update_secret", secret_id, data is not None)
        secret = self.secrets[secret_id]
        self._check_if_match(secret, if_match)
        assert secret["lifecycle_state"] == "ACTIVE"
        if data is not None:
            secret["versions"].append(data)
            if stage == "PENDING":
                secret["pending"] = len(secret["versions"])
            else:
                secret["current"] = len(secret["versions"])
        for field, value in (("description", description), ("freeform_tags", freeform_tags),
                             ("defined_tags", defined_tags)):
            if value is not None:
                secret[field] = value
        secret["lifecycle_state"] = "UPDATING"
        secret["revision"] += 1
        return self._view(secret)

    def promote_version(self, secret_id, version_number, if_match=None, **metadata):
        self._log("promote_version", secret_id, version_number)
        secret = self.secrets[secret_id]
        self._check_if_match(secret, if_match)
        secret["current"] = version_number
        if secret["pending"] == version_number:
            secret["pending"] = None
        for field, value in metadata.items():
            if value is not None:
                secret[field] = value
        secret["revision"] += 1
        return self._view(secret)

    def schedule_secret_deletion(self, secret_id, days):
        self._log("schedule_secret_deletion", secret_id, days)
        self.secrets[secret_id]["lifecycle_state"] = "PENDING_DELETION"
        self.secrets[secret_id]["time_of_deletion"] = "in %d days" % days

    def cancel_secret_deletion(self, secret_id):
        self._log("cancel_secret_deletion", secret_id)
        self.secrets[secret_id]["lifecycle_state"] = "ACTIVE"
        self.secrets[secret_id]["revision"] += 1

    def get_secret(self, secret_id):
        self._log("get_secret", secret_id)
        return self._view(self.secrets[secret_id])

    def get_secret_and_etag(self, secret_id):
        self._log("get_secret_and_etag", secret_id)
        secret = self.secrets[secret_id]
        return self._view(secret), "etag-%d" % secret["revision"]

    def wait_secret(self, secret_id, states, timeout):
        self._log("wait_secret", secret_id, states)
        secret = self.secrets[secret_id]
        if secret["lifecycle_state"] in ("CREATING", "UPDATING"):
            secret["lifecycle_state"] = "ACTIVE"
        assert secret["lifecycle_state"] in states
        return self._view(secret)


def run(fake, args, module=oci_qualys_secret, check=False, diff=False):
    """The module with ``fake`` as its OciSecrets; (result, failed), the result with ``_no_log_values`` added."""
    out = run_module(module, copy.deepcopy(args), check=check, diff=diff, client=fake, factory=(module, "OciSecrets"))
    result = dict(out.result, _no_log_values=out.no_log_values)
    return result, out.failed


def ok(fake, args, **kwargs):
    result, failed = run(fake, args, **kwargs)
    assert not failed, result
    return result


def fails(fake, args, **kwargs):
    result, failed = run(fake, args, **kwargs)
    assert failed, result
    return result


def lic(**extra):
    args = dict(BASE, license=LICENSE)
    args.update(extra)
    return args


def test_create_and_result_shape():
    fake = FakeVault()
    result = ok(fake, lic(description="d", freeform_tags={"a": "b"}), diff=True)
    assert result["changed"] and result["created"] and result["version_created"]
    secret = result["secret"]
    assert secret["lifecycle_state"] == "ACTIVE" and secret["current_version_number"] == 1
    assert secret["content_sha256"] == sc.fingerprint(json.dumps(LICENSE_DOC).encode())
    assert result["diff"]["before"] == {} and result["diff"]["after"]["content_sha256"] == secret["content_sha256"]
    assert "versions" not in secret
    stored = list(fake.secrets.values())[0]["versions"][0]
    assert json.loads(stored) == LICENSE_DOC
    assert [c[0] for c in fake.calls] == ["find_secret", "check_key", "create_secret", "wait_secret"]
    # Both the base64 and the text form of the content are masked in any output.
    assert sc.to_base64(stored) in result["_no_log_values"]


def test_create_check_mode_reads_only():
    fake = FakeVault()
    result = ok(fake, lic(), check=True, diff=True)
    assert result["changed"] and result["created"]
    assert result["secret"]["id"] is None and result["secret"]["current_version_number"] == 1
    assert fake.writes() == [] and fake.secrets == {}


def test_create_needs_key_and_checks_it():
    fake = FakeVault()
    args = lic()
    del args["key_id"]
    assert "key_id is required to create" in fails(fake, args)["msg"]
    assert "DISABLED" in fails(fake, lic(key_id=OTHER_KEY))["msg"]
    assert fake.writes() == []


@pytest.mark.parametrize("content, fmt", [
    (json.dumps(LICENSE_DOC), "plain"),
    (json.dumps(LICENSE_DOC, indent=2, sort_keys=True), "auto"),
    (base64.b64encode(json.dumps(LICENSE_DOC).encode()).decode(), "base64"),
    (base64.b64encode(json.dumps(LICENSE_DOC).encode()).decode(), "auto"),
])
def test_same_content_in_any_form_is_unchanged(content, fmt):
    fake = FakeVault()
    fake.add("qualys-license", json.dumps(LICENSE_DOC, separators=(",", ":")).encode())
    args = dict(BASE, content=content, content_format=fmt)
    for check in (False, True):
        result = ok(fake, args, check=check, diff=True)
        assert result["changed"] is False and result["version_created"] is False
        assert result["diff"]["before"] == result["diff"]["after"]
    assert fake.writes() == []


def test_drift_adds_exactly_one_version_and_check_mode_predicts_it():
    fake = FakeVault()
    secret_id = fake.add("qualys-license", json.dumps(dict(LICENSE_DOC, aid="EDITED")).encode())
    result = ok(fake, lic(), check=True, diff=True)
    assert result["changed"] and result["version_created"] and result["secret"]["current_version_number"] == 2
    assert result["diff"]["before"]["content_sha256"] != result["diff"]["after"]["content_sha256"]
    assert fake.writes() == []
    result = ok(fake, lic())
    assert result["changed"] and result["secret"]["current_version_number"] == 2
    assert fake.writes() == [("update_secret", secret_id, True)]
    assert ok(fake, lic())["changed"] is False
    assert len(fake.secrets[secret_id]["versions"]) == 2


def test_metadata_only_update_makes_no_version():
    fake = FakeVault()
    secret_id = fake.add("qualys-license", json.dumps(LICENSE_DOC).encode(), defined_tags={"Oracle-Tags": {"By": "x"}})
    result = ok(fake, lic(description="new", defined_tags={"ops": {"team": "a"}}))
    assert result["changed"] and not result["version_created"]
    assert fake.writes() == [("update_secret", secret_id, False)]
    assert fake.secrets[secret_id]["defined_tags"] == {"Oracle-Tags": {"By": "x"}, "ops": {"team": "a"}}
    assert ok(fake, lic(description="new", defined_tags={"ops": {"team": "a"}}))["changed"] is False


def test_key_cannot_change():
    fake = FakeVault()
    fake.add("qualys-license", json.dumps(LICENSE_DOC).encode(), key_id=OTHER_KEY)
    msg = fails(fake, lic())["msg"]
    assert "cannot change the key" in msg and fake.writes() == []


def test_pending_deletion_is_refused_unless_cancel_deletion():
    # Issue 16 item 9: a scheduled deletion was cancelled silently by state=present.
    fake = FakeVault()
    secret_id = fake.add("qualys-license", json.dumps(LICENSE_DOC).encode(), state="PENDING_DELETION")
    for check in (True, False):
        result = fails(fake, lic(), check=check)
        assert "qualys-license" in result["msg"] and "scheduled for deletion" in result["msg"]
        assert "cancel_deletion: true" in result["msg"] and result["error_kind"] == "state"
    assert fake.writes() == [] and fake.secrets[secret_id]["lifecycle_state"] == "PENDING_DELETION"


def test_pending_deletion_is_restored_with_cancel_deletion():
    fake = FakeVault()
    secret_id = fake.add("qualys-license", json.dumps(LICENSE_DOC).encode(), state="PENDING_DELETION")
    result = ok(fake, lic(cancel_deletion=True), check=True)
    assert result["changed"] and not result["version_created"] and result["deletion_cancelled"] and fake.writes() == []
    result = ok(fake, lic(cancel_deletion=True))
    assert result["secret"]["lifecycle_state"] == "ACTIVE" and result["deletion_cancelled"]
    assert fake.writes() == [("cancel_secret_deletion", secret_id)]
    result = ok(fake, lic(cancel_deletion=True))
    assert result["changed"] is False and result["deletion_cancelled"] is False


def test_absent():
    fake = FakeVault()
    assert ok(fake, dict(BASE, state="absent"))["changed"] is False
    secret_id = fake.add("qualys-license", b"x")
    result = ok(fake, dict(BASE, state="absent", deletion_days=3), check=True, diff=True)
    assert result["changed"] and result["deletion_scheduled"] and fake.writes() == []
    assert result["diff"]["after"]["lifecycle_state"] == "PENDING_DELETION"
    result = ok(fake, dict(BASE, state="absent", deletion_days=3))
    assert result["secret"]["lifecycle_state"] == "PENDING_DELETION"
    assert fake.writes() == [("schedule_secret_deletion", secret_id, 3)]
    assert ok(fake, dict(BASE, state="absent"))["changed"] is False
    assert len(fake.writes()) == 1


@pytest.mark.parametrize("args, fragment", [
    (lic(license=dict(LICENSE, cid="")), "cid"),
    (lic(license=dict(LICENSE, pws_url="ftp://x.example")), "license.pws_url must be an https:// URL"),
    (lic(license=dict(LICENSE, pws_port=0)), "license.pws_port must be between 1 and 65535"),
    (dict(BASE, content="%%%", content_format="base64"), "content_format=base64"),
    (dict(BASE, content=json.dumps({"cid": "a", "aid": "b", "pwsUrl": "https://x.example", "pwsPort": "x"})),
     "content.pwsPort"),
    (dict(BASE), "license, content, credentials"),
    (dict(BASE, content=None), "license, content, credentials"),
    (lic(vault_id="ocid1.key.oc1.iad.aaaa"), "vault_id must be the OCID of a vault"),
    (lic(compartment_id="compartment"), "compartment_id is not a valid OCID"),
    (lic(name="bad name!"), "name must be 1 to 255"),
    (dict(BASE, state="absent", deletion_days=0), "deletion_days must be between 1 and 30"),
    (lic(api_retries=99), "api_retries must be between 0 and 10"),
    (lic(wait_timeout=-1), "wait_timeout"),
    (lic(content="abc"), "mutually exclusive"),
    (lic(credentials={"a": 1}), "mutually exclusive"),
])
def test_bad_input_fails_before_any_call(args, fragment):
    fake = FakeVault()
    result = fails(fake, args)
    assert fragment in result["msg"]
    assert fake.calls == []


def test_service_errors_are_reported_with_status():
    class Broken(FakeVault):
        def find_secret(self, *args):
            raise OciError("list secrets failed: HTTP 401 NotAuthenticated: no.", status=401,
                           code="NotAuthenticated", request_id="R")
    result = fails(Broken(), lic())
    assert result["status"] == 401 and result["code"] == "NotAuthenticated" and result["opc_request_id"] == "R"


def test_info_returns_fingerprints_not_content():
    fake = FakeVault()
    fake.add("b", b'{"password": "p4ssw0rd-unit"}')
    fake.add("a", b"plain text", state="PENDING_DELETION")
    result = ok(fake, {"compartment_id": COMPARTMENT, "vault_id": VAULT}, module=oci_qualys_secret_info)
    assert result["changed"] is False
    assert [s["name"] for s in result["secrets"]] == ["a", "b"]
    assert result["secrets"][0]["content_sha256"] is None
    assert result["secrets"][1]["content_sha256"] == sc.fingerprint(b'{"password": "p4ssw0rd-unit"}')
    assert "p4ssw0rd-unit" not in json.dumps(result["secrets"])
    result = ok(fake, {"compartment_id": COMPARTMENT, "content_fingerprint": False}, module=oci_qualys_secret_info)
    assert all(s["content_sha256"] is None for s in result["secrets"])


def test_argument_spec_marks_content_no_log():
    spec = oci_qualys_secret.argument_spec()
    assert spec["license"]["no_log"] and spec["content"]["no_log"] and spec["credentials"]["no_log"]
    assert spec["config_profile"]["default"] == "DEFAULT"


@pytest.mark.parametrize("state", ["CREATING", "UPDATING"])
def test_transitional_secret_is_waited_for_before_it_is_read(state):
    # Issue 16 item 9: a secret being created or updated (by another run) is waited for, then compared.
    fake = FakeVault()
    secret_id = fake.add("qualys-license", json.dumps(LICENSE_DOC).encode(), state=state)
    result = ok(fake, lic())
    assert result["changed"] is False and result["secret"]["lifecycle_state"] == "ACTIVE"
    names = [c[0] for c in fake.calls]
    assert names[:3] == ["find_secret", "wait_secret", "read_bundle"], names
    assert fake.writes() == [] and fake.secrets[secret_id]["lifecycle_state"] == "ACTIVE"


def test_transitional_secret_without_wait_fails_clearly():
    fake = FakeVault()
    fake.add("qualys-license", json.dumps(LICENSE_DOC).encode(), state="UPDATING")
    result = fails(fake, lic(wait=False))
    assert "secret qualys-license is UPDATING" in result["msg"] and "wait=true" in result["msg"]
    assert fake.writes() == [] and "read_bundle" not in [c[0] for c in fake.calls]


def test_info_waits_for_a_transitional_secret_and_reads_it():
    # Before, a secret being updated came back without content, which the role read as "no credentials".
    fake = FakeVault()
    fake.add("creds", b'{"username": "u", "password": "p4ssw0rd-unit"}', state="UPDATING")
    fake.add("gone-soon", b"x", state="PENDING_DELETION")
    args = {"compartment_id": COMPARTMENT, "vault_id": VAULT, "include_content": True}
    result = ok(fake, args, module=oci_qualys_secret_info)
    by_name = dict((s["name"], s) for s in result["secrets"])
    assert by_name["creds"]["lifecycle_state"] == "ACTIVE" and "p4ssw0rd-unit" in by_name["creds"]["content"]
    assert by_name["gone-soon"]["lifecycle_state"] == "PENDING_DELETION" and "content" not in by_name["gone-soon"]
    fake.add("other", b"y", state="CREATING")
    result = ok(fake, dict(args, wait=False), module=oci_qualys_secret_info)
    other = [s for s in result["secrets"] if s["name"] == "other"][0]
    assert other["lifecycle_state"] == "CREATING" and other["content_sha256"] is None


def test_refused_create_adopts_the_secret_another_run_created():
    # Issue 16 item 3: two runs create the same secret; OCI refuses the second create (409 Conflict).
    class Racing(FakeVault):
        def create_secret(self, compartment_id, vault_id, key_id, name, data, **kwargs):
            self._log("create_secret", name)
            self.add(name, data, state="CREATING")  # the other run's create landed first
            raise OciError("create secret failed: HTTP 409 Conflict: A secret named %s already exists." % name,
                           status=409, code="Conflict")
    fake = Racing()
    result = ok(fake, lic())
    assert result["changed"] is False and result["created"] is False and result["version_created"] is False
    assert result["secret"]["lifecycle_state"] == "ACTIVE" and len(fake.secrets) == 1
    assert [c[0] for c in fake.calls].count("find_secret") == 2


def test_refused_create_with_other_content_adds_one_version():
    class Racing(FakeVault):
        def create_secret(self, compartment_id, vault_id, key_id, name, data, **kwargs):
            self._log("create_secret", name)
            self.add(name, b'{"other": "content-of-the-other-run"}')
            raise OciError("create secret failed: HTTP 409 Conflict: taken.", status=409, code="Conflict")
    fake = Racing()
    result = ok(fake, lic())
    assert result["changed"] and not result["created"] and result["version_created"]
    assert [w[0] for w in fake.writes()] == ["create_secret", "update_secret"]


def test_other_refusals_are_not_rechecked():
    class Refusing(FakeVault):
        def create_secret(self, *args, **kwargs):
            self._log("create_secret")
            raise OciError("create secret failed: HTTP 401 NotAuthenticated: no.", status=401, code="NotAuthenticated")
    fake = Refusing()
    result = fails(fake, lic())
    assert result["error_kind"] == "auth" and [c[0] for c in fake.calls].count("find_secret") == 1


def test_lost_create_reply_adopts_the_created_secret():
    class Lost(FakeVault):
        def create_secret(self, compartment_id, vault_id, key_id, name, data, **kwargs):
            self._log("create_secret", name)
            self.add(name, data)
            raise OciError("create secret: cannot reach OCI: ConnectionError: reset", kind="transport",
                           outcome_unknown=True)
    fake = Lost()
    result = ok(fake, lic())
    assert result["changed"] and result["created"] and len(fake.secrets) == 1


def test_failures_use_the_shared_vocabulary_and_keep_the_old_names():
    class Broken(FakeVault):
        def find_secret(self, *args):
            raise OciError("list secrets failed: HTTP 404 NotAuthorizedOrNotFound: no.", status=404,
                           code="NotAuthorizedOrNotFound", request_id="R2")
    result = fails(Broken(), lic())
    assert (result["error_kind"], result["error_code"], result["http_status"], result["request_id"]) == (
        "not_found", "NotAuthorizedOrNotFound", 404, "R2")
    assert (result["status"], result["code"], result["opc_request_id"]) == (404, "NotAuthorizedOrNotFound", "R2")


# ---------------------------------------------------------------- stages and conditional stores (issues 15, 16 item 2)

CREDS = {"username": "svc_unit", "password": "Current-Passw0rd-unit"}
NEW_CREDS = {"username": "svc_unit", "password": "Pending-Passw0rd-unit"}
OTHER_CREDS = {"username": "svc_unit", "password": "Other-Run-Passw0rd-unit"}


def creds_bytes(creds):
    return sc.credentials_bytes(creds)


def cred_args(creds=None, **extra):
    args = dict(BASE, name="qualys-api-user", credentials=creds or NEW_CREDS)
    args.update(extra)
    return args


def stored_creds(fake, secret_id, number):
    return json.loads(fake.secrets[secret_id]["versions"][number - 1])


def test_pending_store_leaves_current_and_is_idempotent():
    fake = FakeVault()
    secret_id = fake.add("qualys-api-user", creds_bytes(CREDS))
    # Check mode predicts the PENDING version and writes nothing; the diff shows fingerprints only.
    result = ok(fake, cred_args(stage="pending"), check=True, diff=True)
    assert result["changed"] and result["version_created"] and not result["promoted"]
    assert result["pending_version_number"] == 2 and result["secret"]["pending_version_number"] == 2
    assert result["secret"]["current_version_number"] == 1
    assert result["diff"]["before"]["pending_content_sha256"] is None
    assert result["diff"]["after"]["pending_content_sha256"] == sc.fingerprint(creds_bytes(NEW_CREDS))
    assert result["diff"]["before"]["content_sha256"] == result["diff"]["after"]["content_sha256"]
    assert fake.writes() == []

    result = ok(fake, cred_args(stage="pending"), diff=True)
    assert result["changed"] and result["version_created"] and result["pending_version_number"] == 2
    assert result["secret"]["current_version_number"] == 1
    assert result["secret"]["content_sha256"] == sc.fingerprint(creds_bytes(CREDS))
    assert fake.writes() == [("update_secret", secret_id, True)]
    assert fake.secrets[secret_id]["current"] == 1 and stored_creds(fake, secret_id, 2) == NEW_CREDS
    assert "Pending-Passw0rd-unit" not in json.dumps(dict((k, v) for k, v in result.items() if k != "_no_log_values"))
    assert "Pending-Passw0rd-unit" in " ".join(result["_no_log_values"])

    # The same PENDING content again, or the CURRENT content as pending: no write.
    for args in (cred_args(stage="pending"), cred_args(CREDS, stage="pending")):
        for check in (True, False):
            result = ok(fake, args, check=check)
            assert result["changed"] is False and result["version_created"] is False
            assert result["pending_version_number"] == 2
    assert len(fake.writes()) == 1


def test_pending_store_sends_the_etag_read_before_the_content():
    fake = FakeVault()
    fake.add("qualys-api-user", creds_bytes(CREDS))
    ok(fake, cred_args(stage="pending"))
    names = [c[0] for c in fake.calls]
    assert names.index("get_secret_and_etag") < names.index("read_bundle") < names.index("update_secret")
    # CURRENT was the latest version: no version list was needed to know there is no PENDING one.
    assert "list_versions" not in names


def test_newer_pending_replaces_the_older_one():
    fake = FakeVault()
    secret_id = fake.add("qualys-api-user", creds_bytes(CREDS))
    fake.stage_pending(secret_id, creds_bytes(OTHER_CREDS))
    result = ok(fake, cred_args(stage="pending"))
    assert result["changed"] and result["pending_version_number"] == 3 and fake.secrets[secret_id]["current"] == 1


def test_pending_store_needs_an_existing_secret_and_present():
    fake = FakeVault()
    result = fails(fake, cred_args(stage="pending"), check=True)
    assert "stage=pending needs an existing secret" in result["msg"] and fake.writes() == []
    assert "stage=current first" in fails(fake, cred_args(stage="pending"))["msg"]
    assert "mutually exclusive" in fails(fake, cred_args(stage="pending", promote_pending=True))["msg"]
    assert "state=present only" in fails(fake, dict(BASE, state="absent", stage="pending"))["msg"]
    assert "state=present only" in fails(fake, dict(BASE, state="absent", if_version_number=1))["msg"]
    assert "if_version_number must be 0" in fails(fake, cred_args(if_version_number=-1))["msg"]
    assert fake.writes() == []


def test_pending_replaced_by_another_run_right_after_the_store_fails():
    class Racing(FakeVault):
        def update_secret(self, secret_id, data=None, **kwargs):
            result = super(Racing, self).update_secret(secret_id, data=data, **kwargs)
            self.stage_pending(secret_id, creds_bytes(OTHER_CREDS))
            return result
    fake = Racing()
    fake.add("qualys-api-user", creds_bytes(CREDS))
    result = fails(fake, cred_args(stage="pending"))
    assert "another run stored a newer PENDING version (3)" in result["msg"]


def test_promote_pending_with_content_and_again():
    fake = FakeVault()
    secret_id = fake.add("qualys-api-user", creds_bytes(CREDS))
    fake.stage_pending(secret_id, creds_bytes(NEW_CREDS))
    result = ok(fake, cred_args(promote_pending=True), check=True, diff=True)
    assert result["changed"] and result["promoted"] and not result["version_created"]
    assert result["secret"]["current_version_number"] == 2 and result["pending_version_number"] is None
    assert result["diff"]["after"]["content_sha256"] == sc.fingerprint(creds_bytes(NEW_CREDS))
    assert result["diff"]["before"]["pending_version_number"] == 2 and result["diff"]["after"]["pending_version_number"] is None
    assert fake.writes() == []

    result = ok(fake, cred_args(promote_pending=True, description="rotated"))
    assert result["changed"] and result["promoted"] and result["secret"]["current_version_number"] == 2
    assert result["secret"]["content_sha256"] == sc.fingerprint(creds_bytes(NEW_CREDS))
    assert fake.writes() == [("promote_version", secret_id, 2)]
    assert fake.secrets[secret_id]["current"] == 2 and fake.secrets[secret_id]["pending"] is None
    assert fake.secrets[secret_id]["description"] == "rotated"

    # Promoted already: nothing to do.
    for check in (True, False):
        result = ok(fake, cred_args(promote_pending=True, description="rotated"), check=check)
        assert result["changed"] is False and result["promoted"] is False
    assert len(fake.writes()) == 1


def test_promote_pending_without_content_promotes_whatever_is_pending():
    fake = FakeVault()
    secret_id = fake.add("qualys-api-user", creds_bytes(CREDS))
    args = dict(BASE, name="qualys-api-user", promote_pending=True)
    result = fails(fake, args)
    assert "has no PENDING version to promote" in result["msg"] and fake.writes() == []
    fake.stage_pending(secret_id, creds_bytes(OTHER_CREDS))
    result = ok(fake, args)
    assert result["promoted"] and fake.secrets[secret_id]["current"] == 2


def test_promote_pending_refuses_other_content():
    fake = FakeVault()
    secret_id = fake.add("qualys-api-user", creds_bytes(CREDS))
    # No PENDING version and another CURRENT content.
    for check in (True, False):
        msg = fails(fake, cred_args(promote_pending=True), check=check)["msg"]
        assert "no PENDING version to promote, and its CURRENT content differs" in msg
    # A PENDING version another run stored.
    fake.stage_pending(secret_id, creds_bytes(OTHER_CREDS))
    msg = fails(fake, cred_args(promote_pending=True))["msg"]
    assert "the PENDING version 2 of secret qualys-api-user holds other content" in msg
    assert fake.writes() == [] and fake.secrets[secret_id]["current"] == 1
    assert "does not exist" in fails(FakeVault(), cred_args(promote_pending=True))["msg"]


def test_if_version_number_mismatch_writes_nothing():
    fake = FakeVault()
    secret_id = fake.add("qualys-api-user", creds_bytes(CREDS))
    fake.update_secret(secret_id, data=creds_bytes(OTHER_CREDS))  # another run stored a password: version 2
    fake.wait_secret(secret_id, ("ACTIVE",), 1)
    fake.calls = []
    for args in (cred_args(if_version_number=1), cred_args(if_version_number=1, stage="pending"),
                 cred_args(if_version_number=0)):
        for check in (True, False):
            msg = fails(fake, args, check=check)["msg"]
            assert "the secret changed since it was read (version 2, expected %d)" % args["if_version_number"] in msg
            assert "another run stored a password; re-run" in msg
    assert fake.writes() == []
    # Nothing to write: fine whatever the version.
    assert ok(fake, cred_args(OTHER_CREDS, if_version_number=1))["changed"] is False
    # The version read: written, with if-match.
    result = ok(fake, cred_args(if_version_number=2))
    assert result["changed"] and result["secret"]["current_version_number"] == 3
    assert fake.writes() == [("update_secret", secret_id, True)]


def test_if_version_number_on_a_missing_secret():
    fake = FakeVault()
    msg = fails(fake, cred_args(if_version_number=4))["msg"]
    assert "it does not exist, expected version 4" in msg and fake.writes() == []
    assert ok(fake, cred_args(if_version_number=0))["created"] is True


def test_etag_mismatch_between_read_and_write_fails_clearly():
    # Another run stores a PENDING version after this run read the etag: OCI answers 412.
    class Racing(FakeVault):
        def read_bundle(self, secret_id):
            result = super(Racing, self).read_bundle(secret_id)
            if not self.writes():
                self.stage_pending(secret_id, creds_bytes(OTHER_CREDS))
            return result
    fake = Racing()
    secret_id = fake.add("qualys-api-user", creds_bytes(CREDS))
    result = fails(fake, cred_args(if_version_number=1))
    assert "the secret changed since it was read (version 1, expected 1)" in result["msg"]
    assert result["error_kind"] == "state"
    assert fake.secrets[secret_id]["current"] == 1 and len(fake.secrets[secret_id]["versions"]) == 2


def test_cancelled_deletion_then_conditional_store_uses_the_new_etag():
    fake = FakeVault()
    secret_id = fake.add("qualys-api-user", creds_bytes(CREDS), state="PENDING_DELETION")
    result = ok(fake, cred_args(stage="pending", cancel_deletion=True, if_version_number=1))
    assert result["deletion_cancelled"] and result["pending_version_number"] == 2
    assert [w[0] for w in fake.writes()] == ["cancel_secret_deletion", "update_secret"]
    assert fake.secrets[secret_id]["current"] == 1


def test_info_pending_content_version_numbers_and_search_vault():
    fake = FakeVault()
    secret_id = fake.add("qualys-api-user", creds_bytes(CREDS))
    fake.stage_pending(secret_id, creds_bytes(NEW_CREDS))
    args = {"compartment_id": COMPARTMENT, "vault_id": VAULT, "name": "qualys-api-user"}
    result = ok(fake, dict(args, include_content=True), module=oci_qualys_secret_info)
    entry = result["secrets"][0]
    assert entry["current_version_number"] == 1 and entry["pending_version_number"] == 2
    assert json.loads(entry["content"]) == CREDS and json.loads(entry["pending_content"]) == NEW_CREDS
    assert sc.to_base64(creds_bytes(NEW_CREDS)) in result["_no_log_values"]
    # Without include_content: no pending content, but the version number still.
    result = ok(fake, dict(args, content_fingerprint=False), module=oci_qualys_secret_info)
    entry = result["secrets"][0]
    assert entry["current_version_number"] == 1 and "pending_content" not in entry and "content" not in entry

    # The same name in another compartment: invisible to the listing, found with search_vault.
    other = "ocid1.compartment.oc1..aaaaaaaaother"
    fake = FakeVault()
    fake.add("qualys-api-user", creds_bytes(CREDS), compartment_id=other)
    assert ok(fake, args, module=oci_qualys_secret_info)["secrets"] == []
    result = ok(fake, dict(args, search_vault=True), module=oci_qualys_secret_info)
    assert [(s["name"], s["compartment_id"], s["current_version_number"]) for s in result["secrets"]] == [
        ("qualys-api-user", other, 1)]
    result = ok(fake, {"vault_id": VAULT, "name": "nothing-here", "search_vault": True}, module=oci_qualys_secret_info)
    assert result["secrets"] == []


@pytest.mark.parametrize("args, fragment", [
    ({"vault_id": VAULT, "name": "x"}, "compartment_id is required"),
    ({"vault_id": VAULT, "search_vault": True}, "search_vault=true needs name"),
    ({"name": "x", "search_vault": True}, "search_vault=true needs vault_id"),
    ({"compartment_id": "nope", "vault_id": VAULT, "name": "x", "search_vault": True}, "compartment_id"),
])
def test_info_bad_inputs_fail_before_any_call(args, fragment):
    fake = FakeVault()
    result = fails(fake, args, module=oci_qualys_secret_info)
    assert fragment in result["msg"] and fake.calls == []
