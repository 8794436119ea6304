# -*- coding: utf-8 -*-
# Copyright (c) scanops.qualys contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""oci_qualys_secret end to end: ansible-playbook -> module -> real oci SDK -> OCI simulator."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import base64
import json
import os
import subprocess
import sys

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
SECRET = "scanops.qualys.oci_qualys_secret"
SECRET_INFO = "scanops.qualys.oci_qualys_secret_info"
OCI_MODULES = (SECRET, SECRET_INFO, "scanops.qualys.oci_qualys_scan_recipe", "scanops.qualys.oci_qualys_scan_recipe_info")

LICENSE = {
    "cid": "cid-5f3e9a1c-7d2b-4e8f-9a6b-0c1d2e3f4a5b",
    "aid": "aid-0a9b8c7d-6e5f-4a3b-2c1d-e0f9a8b7c6d5",
    "pws_url": "https://qagpublic.qg2.apps.qualys.com",
    "pws_port": 443,
}
LICENSE_JSON = {"cid": LICENSE["cid"], "aid": LICENSE["aid"], "pwsUrl": LICENSE["pws_url"], "pwsPort": 443}


def defaults(auth):
    return dict((name, dict(auth)) for name in OCI_MODULES)


def secret_task(task_name, ids, **options):
    args = dict(ids, name="qualys-license")
    args.update(options)
    return {"name": task_name, SECRET: args, "register": "out"}


def status(result, task_name):
    """ok, changed, failed or skipped for the last task called ``task_name``."""
    return [entry["status"] for entry in result.tasks if entry["task"] == task_name][-1]


def versions(oci_sim, name="qualys-license"):
    secret = oci_sim.secret(name)
    return [v["versionNumber"] for v in secret["versions"]] if secret else []


def test_create_unchanged_equivalent_forms_and_check_mode(oci_sim, oci_auth, oci_ids, run_play):
    md = defaults(oci_auth)

    # Check mode on a missing secret: predicts a create, writes nothing.
    result = run_play([secret_task("create", oci_ids, license=LICENSE)], check=True, diff=True, module_defaults=md)
    assert result.rc == 0, result
    out = result.task("create")
    assert out["changed"] is True and out["created"] is True
    assert out["secret"]["content_sha256"] and out["secret"]["id"] is None
    assert oci_sim.writes() == 0
    assert oci_sim.secret("qualys-license") is None

    # Real create.
    result = run_play([secret_task("create", oci_ids, license=LICENSE, description="Qualys agent license")],
                      diff=True, module_defaults=md)
    assert result.rc == 0, result
    out = result.task("create")
    assert out["changed"] is True and out["created"] is True and out["version_created"] is True
    secret = out["secret"]
    assert secret["id"].startswith("ocid1.vaultsecret.")
    assert secret["lifecycle_state"] == "ACTIVE" and secret["current_version_number"] == 1
    assert out["diff"]["before"] == {} and out["diff"]["after"]["content_sha256"] == secret["content_sha256"]
    stored = oci_sim.secret("qualys-license")
    assert json.loads(base64.b64decode(stored["versions"][0]["content"])) == LICENSE_JSON
    assert stored["keyId"] == oci_ids["key_id"]

    # The same content in every accepted form: no change, no write, still one version.
    as_json_reordered = '{ "pwsPort": "443",\n  "pwsUrl": "%s", "aid": "%s", "cid": "%s" }' % (
        LICENSE["pws_url"], LICENSE["aid"], LICENSE["cid"])
    as_base64 = base64.b64encode(json.dumps(LICENSE_JSON).encode()).decode()
    as_base64_wrapped = "\n".join(as_base64[i:i + 20] for i in range(0, len(as_base64), 20)) + "\n"
    oci_sim.reset_stats()
    result = run_play([
        secret_task("license again", oci_ids, license=LICENSE),
        secret_task("plain json", oci_ids, content=as_json_reordered, content_format="plain"),
        secret_task("base64", oci_ids, content=as_base64, content_format="base64"),
        secret_task("auto base64 pasted with line breaks", oci_ids, content=as_base64_wrapped),
        secret_task("auto plain", oci_ids, content=json.dumps(LICENSE_JSON)),
        dict(secret_task("check mode unchanged", oci_ids, license=LICENSE), check_mode=True),
    ], diff=True, module_defaults=md)
    assert result.rc == 0, result
    for name in ("license again", "plain json", "base64", "auto base64 pasted with line breaks", "auto plain",
                 "check mode unchanged"):
        out = result.task(name)
        assert out["changed"] is False, (name, out)
        assert out["secret"]["content_sha256"] == secret["content_sha256"], name
        assert out["secret"]["current_version_number"] == 1
    stats = oci_sim.stats()
    assert stats["writes"] == 0, stats["calls"]
    assert versions(oci_sim) == [1]


def test_drift_is_fixed_with_exactly_one_version(oci_sim, oci_auth, oci_ids, run_play):
    md = defaults(oci_auth)
    assert run_play([secret_task("create", oci_ids, license=LICENSE)], module_defaults=md).rc == 0
    # Someone edits the secret in the Console: a new CURRENT version with other content.
    oci_sim.drift("qualys-license", json.dumps(dict(LICENSE_JSON, aid="aid-edited-by-hand-in-the-console")))
    assert versions(oci_sim) == [1, 2]
    oci_sim.reset_stats()

    result = run_play([dict(secret_task("check", oci_ids, license=LICENSE), check_mode=True)],
                      diff=True, module_defaults=md)
    out = result.task("check")
    assert out["changed"] is True and out["version_created"] is True and out["created"] is False
    assert out["diff"]["before"]["content_sha256"] != out["diff"]["after"]["content_sha256"]
    assert out["secret"]["current_version_number"] == 3
    assert oci_sim.writes() == 0 and versions(oci_sim) == [1, 2]

    result = run_play([secret_task("fix", oci_ids, license=LICENSE), secret_task("again", oci_ids, license=LICENSE)],
                      diff=True, module_defaults=md)
    assert result.rc == 0, result
    fixed = result.task("fix")
    assert fixed["changed"] is True and fixed["version_created"] is True
    assert fixed["secret"]["current_version_number"] == 3
    assert result.task("again")["changed"] is False
    assert oci_sim.writes() == 1
    assert versions(oci_sim) == [1, 2, 3]
    stored = oci_sim.secret("qualys-license")
    current = [v for v in stored["versions"] if "CURRENT" in v["stages"]]
    assert [v["versionNumber"] for v in current] == [3]
    assert json.loads(base64.b64decode(current[0]["content"])) == LICENSE_JSON

    # Metadata drift alone updates without a new version.
    oci_sim.reset_stats()
    result = run_play([secret_task("describe", oci_ids, license=LICENSE, description="new words",
                                   freeform_tags={"team": "secops"})], module_defaults=md)
    out = result.task("describe")
    assert out["changed"] is True and out["version_created"] is False
    assert out["secret"]["description"] == "new words" and out["secret"]["freeform_tags"] == {"team": "secops"}
    assert versions(oci_sim) == [1, 2, 3] and oci_sim.writes() == 1


def test_absent_check_absent_again_and_restore(oci_sim, oci_auth, oci_ids, run_play):
    md = defaults(oci_auth)
    creds = {"login": "scanops_ro_api", "password": "S3cret-Passw0rd-For-Connector!", "api_url": "https://qualysapi.qg2.apps.qualys.com"}
    assert run_play([secret_task("create", oci_ids, name="qualys-api-user", credentials=creds)],
                    module_defaults=md).rc == 0
    oci_sim.reset_stats()

    result = run_play([secret_task("absent", oci_ids, name="qualys-api-user", state="absent", deletion_days=7)],
                      check=True, diff=True, module_defaults=md)
    out = result.task("absent")
    assert out["changed"] is True and out["deletion_scheduled"] is True
    assert out["diff"]["after"]["lifecycle_state"] == "PENDING_DELETION"
    assert oci_sim.writes() == 0 and oci_sim.secret("qualys-api-user")["lifecycleState"] == "ACTIVE"

    result = run_play([secret_task("absent", oci_ids, name="qualys-api-user", state="absent", deletion_days=7),
                       secret_task("absent again", oci_ids, name="qualys-api-user", state="absent")],
                      module_defaults=md)
    assert result.rc == 0, result
    out = result.task("absent")
    assert out["changed"] is True and out["secret"]["lifecycle_state"] == "PENDING_DELETION"
    assert out["secret"]["time_of_deletion"]
    assert result.task("absent again")["changed"] is False
    assert oci_sim.writes() == 1
    stored = oci_sim.secret("qualys-api-user")
    assert stored["lifecycleState"] == "PENDING_DELETION"
    days = (stored["timeOfDeletion"] - stored["timeCreated"]) / 86400.0
    assert 7 <= days < 7.1

    # An absent secret that never existed is unchanged too.
    result = run_play([secret_task("never", oci_ids, name="never-was", state="absent")], module_defaults=md)
    assert result.task("never")["changed"] is False and result.task("never")["secret"] == {}

    # present on a secret pending deletion fails and leaves it so (issue 16 item 9: it was restored silently) ...
    oci_sim.reset_stats()
    task = secret_task("present", oci_ids, name="qualys-api-user", credentials=creds)
    task["ignore_errors"] = True
    result = run_play([task], module_defaults=md)
    out = result.task("present")
    assert status(result, "present") == "failed"
    assert "qualys-api-user" in out["msg"] and "scheduled for deletion" in out["msg"] and "cancel_deletion" in out["msg"]
    assert oci_sim.writes() == 0 and oci_sim.secret("qualys-api-user")["lifecycleState"] == "PENDING_DELETION"

    # ... unless the task says cancel_deletion: true, which restores it (same content: no new version).
    result = run_play([secret_task("restore", oci_ids, name="qualys-api-user", credentials=creds, cancel_deletion=True)],
                      module_defaults=md)
    out = result.task("restore")
    assert out["changed"] is True and out["version_created"] is False and out["deletion_cancelled"] is True
    assert out["secret"]["lifecycle_state"] == "ACTIVE"
    assert "scheduled deletion of secret qualys-api-user was cancelled" in result.output
    assert oci_sim.writes() == 1  # cancelDeletion only


def test_bad_inputs_fail_before_any_call(oci_sim, oci_auth, oci_ids, run_play):
    md = defaults(oci_auth)
    cases = [
        ("missing aid", dict(license=dict(LICENSE, aid="")), "aid"),
        ("http url", dict(license=dict(LICENSE, pws_url="http://qagpublic.qg2.apps.qualys.com")), "pws_url"),
        ("port too big", dict(license=dict(LICENSE, pws_port=70000)), "pws_port"),
        ("port not numeric", dict(license=dict(LICENSE, pws_port="https")), "pws_port"),
        ("not base64", dict(content="this is *not* base64!", content_format="base64"), "content_format=base64"),
        ("license json without cid", dict(content=json.dumps({"aid": "a", "pwsUrl": "https://x.example", "pwsPort": 1})),
         "cid"),
        ("license json with http", dict(content=json.dumps(dict(LICENSE_JSON, pwsUrl="http://x.example"))), "pwsUrl"),
        ("two contents", dict(license=LICENSE, content="another-secret-text"), "mutually exclusive"),
        ("no content", dict(), "license, content, credentials"),
        ("bad vault ocid", dict(license=LICENSE, vault_id="vault-123"), "vault_id"),
        ("key ocid of wrong type", dict(license=LICENSE, key_id=oci_ids["vault_id"]), "key_id"),
        ("deletion days", dict(state="absent", deletion_days=31), "deletion_days"),
        ("bad endpoint", dict(license=LICENSE, service_endpoint="ftp://127.0.0.1"), "service_endpoint"),
    ]
    tasks = []
    for name, options, _expected in cases:
        task = secret_task(name, oci_ids, **options)
        task["ignore_errors"] = True
        tasks.append(task)
    result = run_play(tasks, module_defaults=md)
    for name, _options, expected in cases:
        out = result.task(name)
        assert status(result, name) == "failed", (name, out)
        assert expected in out["msg"], (name, out["msg"])
    stats = oci_sim.stats()
    assert stats["reads"] == 0 and stats["writes"] == 0, stats["calls"]


def test_wrong_api_key_is_refused(oci_sim, oci_auth, oci_ids, run_play):
    # Config file and profile come from the environment variables this time.
    auth = dict((k, v) for k, v in oci_auth.items() if k not in ("config_file", "config_profile"))
    env = {"OCI_CONFIG_FILE": oci_sim.fixtures["config_file"], "OCI_CONFIG_PROFILE": oci_sim.fixtures["wrong_key_profile"]}
    task = secret_task("create", oci_ids, license=LICENSE)
    task["ignore_errors"] = True
    result = run_play([task], module_defaults=defaults(auth), env=env)
    out = result.task("create")
    assert status(result, "create") == "failed"
    assert "401 NotAuthenticated" in out["msg"] and "API key" in out["msg"]
    assert out["status"] == 401
    stats = oci_sim.stats()
    assert stats["writes"] == 0 and all(call["status"] == 401 for call in stats["calls"])
    assert oci_sim.secret("qualys-license") is None


def test_info_fingerprint_and_no_secret_in_output_at_vvvv(oci_sim, oci_auth, oci_ids, run_play):
    # This profile sets log_requests=True: the SDK would print request bodies if the modules did not force it off.
    md = defaults(dict(oci_auth, config_profile=oci_sim.fixtures["log_requests_profile"]))
    creds = {"login": "scanops_leak_probe", "password": "Leak-Probe-Passw0rd-7d1f2e!"}
    result = run_play([
        secret_task("create", oci_ids, license=LICENSE),
        secret_task("credentials", oci_ids, name="qualys-api-user", credentials=creds),
        secret_task("rotate", oci_ids, name="qualys-api-user", credentials=dict(creds, password="Rotated-Passw0rd-9c8b7a!")),
        {"name": "info", SECRET_INFO: {"compartment_id": oci_ids["compartment_id"], "vault_id": oci_ids["vault_id"]},
         "register": "info"},
        {"name": "show", "ansible.builtin.debug": {"var": "info"}},
    ], diff=True, verbosity=4, module_defaults=md)
    assert result.rc == 0, result
    info = result.task("info")["secrets"]
    assert [s["name"] for s in info] == ["qualys-api-user", "qualys-license"]
    assert info[1]["content_sha256"] == result.task("create")["secret"]["content_sha256"]
    assert info[0]["current_version_number"] == 2
    values = oci_sim.secret_values()
    assert any("Rotated-Passw0rd" in value for value in values)
    leaked = [value for value in values if value in result.output]
    assert leaked == [], "secret content in ansible-playbook output"
    for word in (LICENSE["cid"], LICENSE["aid"], creds["password"], "Rotated-Passw0rd-9c8b7a!"):
        assert word not in result.output


def test_module_stdout_is_clean_even_with_log_requests_in_the_profile(oci_sim, oci_auth, oci_ids, tmp_path):
    """Run the module process directly: its raw stdout must be one JSON document without secret content.

    (ansible-playbook drops junk printed before a module's JSON, so only the raw output shows a leak
    through the SDK's request logging.)
    """
    collections = os.path.join(REPO, ".build", "collections")
    link = os.path.join(collections, "ansible_collections", "scanops", "qualys")
    if not os.path.exists(link):
        os.makedirs(os.path.dirname(link), exist_ok=True)
        os.symlink(REPO, link)
    args = dict(oci_auth, config_profile=oci_sim.fixtures["log_requests_profile"], **oci_ids)
    args.update(name="direct-run", content="direct-run-secret-4b1e9f", content_format="plain")
    args_file = tmp_path / "args.json"
    args_file.write_text(json.dumps({"ANSIBLE_MODULE_ARGS": args}))
    done = subprocess.run([sys.executable, "-m", "ansible_collections.scanops.qualys.plugins.modules.oci_qualys_secret",
                           str(args_file)], cwd=str(tmp_path), env=dict(os.environ, PYTHONPATH=collections),
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    result = json.loads(done.stdout)  # nothing but the JSON result
    assert result["changed"] is True and result["secret"]["lifecycle_state"] == "ACTIVE"
    for value in oci_sim.secret_values():
        assert value not in done.stdout and value not in done.stderr
