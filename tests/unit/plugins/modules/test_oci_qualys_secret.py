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

from ansible.module_utils import basic
from ansible.module_utils.testing import patch_module_args

from ansible_collections.scanops.qualys.plugins.module_utils import oci_secret_content as sc
from ansible_collections.scanops.qualys.plugins.module_utils.oci_client import OciError
from ansible_collections.scanops.qualys.plugins.modules import oci_qualys_secret, oci_qualys_secret_info

COMPARTMENT = "ocid1.compartment.oc1..aaaaaaaaunit"
VAULT = "ocid1.vault.oc1.iad.aaaaaaaaunitvault"
KEY = "ocid1.key.oc1.iad.aaaaaaaaunitkey"
OTHER_KEY = "ocid1.key.oc1.iad.aaaaaaaaotherkey"
LICENSE = {"cid": "CID-UNIT-1", "aid": "AID-UNIT-1", "pws_url": "https://qagpublic.qg1.apps.qualys.com", "pws_port": 443}
LICENSE_DOC = {"cid": "CID-UNIT-1", "aid": "AID-UNIT-1", "pwsUrl": "https://qagpublic.qg1.apps.qualys.com", "pwsPort": 443}
BASE = {"compartment_id": COMPARTMENT, "vault_id": VAULT, "key_id": KEY, "name": "qualys-license"}


class FakeVault(object):
    """Secrets in a dict; the OciSecrets methods the modules call, each call recorded."""

    WRITES = ("create_secret", "update_secret", "schedule_secret_deletion", "cancel_secret_deletion")

    def __init__(self):
        self.secrets = {}
        self.calls = []
        self.counter = 0

    def _log(self, name, *args):
        self.calls.append((name,) + args)

    def writes(self):
        return [call for call in self.calls if call[0] in self.WRITES]

    def add(self, name, data, state="ACTIVE", key_id=KEY, **meta):
        self.counter += 1
        secret_id = "ocid1.vaultsecret.oc1.iad.unit%d" % self.counter
        self.secrets[secret_id] = dict(id=secret_id, secret_name=name, compartment_id=COMPARTMENT, vault_id=VAULT,
                                       key_id=key_id, lifecycle_state=state, description=meta.get("description"),
                                       freeform_tags=meta.get("freeform_tags") or {},
                                       defined_tags=meta.get("defined_tags") or {}, versions=[data],
                                       time_of_deletion=None)
        return secret_id

    def _view(self, secret):
        view = copy.deepcopy(secret)
        view["current_version_number"] = len(view.pop("versions"))
        return view

    def find_secret(self, compartment_id, vault_id, name):
        self._log("find_secret", name)
        for secret in self.secrets.values():
            if secret["secret_name"] == name and secret["lifecycle_state"] != "DELETED":
                view = self._view(secret)
                view.pop("current_version_number")  # summaries have none
                return view
        return None

    def list_secrets(self, compartment_id, vault_id=None, name=None):
        self._log("list_secrets", name)
        return [self._view(s) for s in self.secrets.values() if not name or s["secret_name"] == name]

    def read_current_content(self, secret_id):
        self._log("read_current_content", secret_id)
        secret = self.secrets[secret_id]
        return secret["versions"][-1], len(secret["versions"])

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

    def update_secret(self, secret_id, data=None, description=None, freeform_tags=None, defined_tags=None):
        self._log("update_secret", secret_id, data is not None)
        secret = self.secrets[secret_id]
        assert secret["lifecycle_state"] == "ACTIVE"
        if data is not None:
            secret["versions"].append(data)
        for field, value in (("description", description), ("freeform_tags", freeform_tags),
                             ("defined_tags", defined_tags)):
            if value is not None:
                secret[field] = value
        secret["lifecycle_state"] = "UPDATING"
        return self._view(secret)

    def schedule_secret_deletion(self, secret_id, days):
        self._log("schedule_secret_deletion", secret_id, days)
        self.secrets[secret_id]["lifecycle_state"] = "PENDING_DELETION"
        self.secrets[secret_id]["time_of_deletion"] = "in %d days" % days

    def cancel_secret_deletion(self, secret_id):
        self._log("cancel_secret_deletion", secret_id)
        self.secrets[secret_id]["lifecycle_state"] = "ACTIVE"

    def get_secret(self, secret_id):
        self._log("get_secret", secret_id)
        return self._view(self.secrets[secret_id])

    def wait_secret(self, secret_id, states, timeout):
        self._log("wait_secret", secret_id, states)
        secret = self.secrets[secret_id]
        if secret["lifecycle_state"] in ("CREATING", "UPDATING"):
            secret["lifecycle_state"] = "ACTIVE"
        assert secret["lifecycle_state"] in states
        return self._view(secret)


class Exited(Exception):
    def __init__(self, result, failed):
        super(Exited, self).__init__(result)
        self.result = result
        self.failed = failed


def _exit_json(self, **result):
    result["_no_log_values"] = set(self.no_log_values)
    raise Exited(result, False)


def _fail_json(self, msg, **result):
    result["msg"] = msg
    raise Exited(result, True)


def run(fake, args, module=oci_qualys_secret, check=False, diff=False):
    module_args = copy.deepcopy(args)
    if check:
        module_args["_ansible_check_mode"] = True
    if diff:
        module_args["_ansible_diff"] = True
    made = []
    patcher = pytest.MonkeyPatch()
    patcher.setattr(basic.AnsibleModule, "exit_json", _exit_json)
    patcher.setattr(basic.AnsibleModule, "fail_json", _fail_json)
    patcher.setattr(module, "OciSecrets", lambda client: made.append(client) or fake)
    try:
        with patch_module_args(module_args):
            with pytest.raises(Exited) as exited:
                module.main()
    finally:
        patcher.undo()
    return exited.value.result, exited.value.failed


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
    assert names[:3] == ["find_secret", "wait_secret", "read_current_content"], names
    assert fake.writes() == [] and fake.secrets[secret_id]["lifecycle_state"] == "ACTIVE"


def test_transitional_secret_without_wait_fails_clearly():
    fake = FakeVault()
    fake.add("qualys-license", json.dumps(LICENSE_DOC).encode(), state="UPDATING")
    result = fails(fake, lic(wait=False))
    assert "secret qualys-license is UPDATING" in result["msg"] and "wait=true" in result["msg"]
    assert fake.writes() == [] and "read_current_content" not in [c[0] for c in fake.calls]


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
