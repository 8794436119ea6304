# -*- coding: utf-8 -*-
# Copyright (c) scanops.qualys contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Leak scan: no secret value, plain or base64, in anything a run shows or keeps.

Scanned: stdout, stderr, --diff output, every task result (registered results
printed by debug tasks included), the Ansible log file (ANSIBLE_LOG_PATH),
and for one run the ansible-runner job events, stdout and artifacts. Runs are
at -vvvv and include failure paths. The secret values are every value the two
simulators hold (GET /_sim/secrets: passwords, OIDC secrets, tokens, stored
secret contents and their JSON values, license fields) plus the wrong
passwords and contents the tests pass; logins, timestamps and URLs are left
out because the run shows them on purpose (see reliability.secret_values).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import base64
import json
import os
import sys

import ansible_runner

from harness import BIN, QUALYS_ADMIN, REPO, ROLE_TASK, awx_env, link_collection
from reliability import (
    find_leaks,
    light_role_vars,
    oci_ids_of,
    play_texts,
    secret_values,
)

WRONG_ADMIN_PASSWORD = "Wrong-Admin-Pa55word"
WRONG_USER_PASSWORD = "Wrong-User-Pa55word"
NOT_BASE64 = "!!not-base64-Secret-Content!!"
LOST_PASSWORD = "Lost-Update-Pa55word"
NEW_CID = "99999999-8888-7777-6666-555555555555"
EXTRA_SECRETS = (WRONG_ADMIN_PASSWORD, WRONG_USER_PASSWORD, NOT_BASE64, LOST_PASSWORD, NEW_CID)

SECRET_PUT = {"method": "PUT", "path": "/20180608/secrets/*", "kind": "500", "times": 1}


class Scan:
    """Runs plays at -vvvv with --diff and a log file, and keeps every text they left."""

    def __init__(self, run_play, qualys_sim, oci_sim, tmp_path):
        self.run_play = run_play
        self.qualys = qualys_sim
        self.oci = oci_sim
        self.tmp_path = tmp_path
        self.texts = {}
        self.secrets = set(EXTRA_SECRETS)
        self.count = 0

    def run(self, tasks, label, extra_vars=None, env=None, check=False):
        self.count += 1
        log = str(self.tmp_path / ("ansible-%d.log" % self.count))
        run_env = awx_env(self.qualys, self.oci, {"ANSIBLE_LOG_PATH": log, "OCI_SDK_DEFAULT_RETRY_ENABLED": "false"})
        run_env.update(env or {})
        result = self.run_play(tasks, extra_vars=extra_vars, env=run_env, verbosity=4, diff=True, check=check,
                               module_defaults={"group/scanops.qualys.qualys": {"max_wait": 5, "timeout": 10}})
        self.texts.update(play_texts(result, log, "%s (#%d)" % (label, self.count)))
        self.secrets.update(secret_values(self.qualys, self.oci))
        return result

    def leaks(self):
        return find_leaks(self.texts, sorted(self.secrets))


def stored_credentials(oci_sim, name):
    """The CURRENT content of a credentials secret."""
    secret = oci_sim.secret(name)
    current = [v for v in secret["versions"] if "CURRENT" in v["stages"]][0]
    return json.loads(base64.b64decode(current["content"]).decode("utf-8"))


def user_login(qualys_sim, external_id):
    return [u["login"] for u in qualys_sim.state()["users"] if u.get("external_id") == external_id][0]


def debug_of(register):
    return {"name": "Show %s" % register, "ansible.builtin.debug": {"var": register}}


def test_no_secret_leaks_from_role_runs_module_results_diffs_and_failures(run_play, qualys_sim, oci_sim, tmp_path):
    scan = Scan(run_play, qualys_sim, oci_sim, tmp_path)
    ids = oci_ids_of(oci_sim)
    variables = light_role_vars(ids)

    # The role: first run, check mode, a failure right after a password reset, the recovery.
    assert scan.run(ROLE_TASK, "role first run", variables).rc == 0
    assert scan.run(ROLE_TASK, "role check mode", variables, check=True).rc == 0
    login = user_login(qualys_sim, "scanops-soakgroup")
    oci_sim.drift("qualys-api-soakgroup", json.dumps({"username": login, "password": WRONG_USER_PASSWORD}))
    oci_sim.faults([SECRET_PUT])
    broken = scan.run(ROLE_TASK, "role failing after a reset", variables)
    assert broken.rc != 0
    assert "update secret failed: HTTP 500" in broken.stdout
    recovered = scan.run(ROLE_TASK, "role recovery", variables)
    assert recovered.rc == 0, recovered

    # Modules used directly, results registered without no_log and printed.
    current = stored_credentials(oci_sim, "qualys-api-soakgroup")
    secret = {"compartment_id": ids["compartment_id"], "vault_id": ids["vault_id"], "key_id": ids["key_id"]}
    service_user = {"external_id": "scanops-soakgroup", "password_mode": "reset_if_invalid"}
    tasks = [
        {"name": "Check working credentials", "register": "good",
         "scanops.qualys.qualys_service_user": dict(service_user, verify_credentials={"login": login, "password": current["password"]})},
        {"name": "Check wrong credentials", "register": "wrong", "ignore_errors": True,
         "scanops.qualys.qualys_service_user": dict(service_user, password_mode="on_create",
                                                    verify_credentials={"login": login, "password": WRONG_USER_PASSWORD})},
        {"name": "Same credentials again", "register": "same",
         "scanops.qualys.oci_qualys_secret": dict(secret, name="qualys-api-soakgroup", credentials=current)},
        {"name": "New license", "register": "license",
         "scanops.qualys.oci_qualys_secret": dict(secret, name="qualys-agent-license",
                                                  license=dict(light_role_vars(ids)["restricted_api_user_license"], cid=NEW_CID))},
        {"name": "Fingerprints", "register": "fingerprints",
         "scanops.qualys.oci_qualys_secret_info": {"compartment_id": ids["compartment_id"], "vault_id": ids["vault_id"],
                                                   "content_fingerprint": True}},
        {"name": "As the service user", "register": "seen",
         "scanops.qualys.qualys_asset_group_info": {"username": login, "password": current["password"], "auth_method": "basic"}},
        {"name": "Health as the service user", "register": "health",
         "scanops.qualys.qualys_connection_info": {"username": login, "password": current["password"], "auth_method": "basic"}},
        {"name": "Port out of range", "register": "bad_port", "ignore_errors": True,
         "scanops.qualys.oci_qualys_secret": dict(secret, name="qualys-agent-license",
                                                  license=dict(light_role_vars(ids)["restricted_api_user_license"], pws_port=70000))},
        {"name": "Content that is not base64", "register": "bad_b64", "ignore_errors": True,
         "scanops.qualys.oci_qualys_secret": dict(secret, name="other", content=NOT_BASE64, content_format="base64")},
        {"name": "Wrong admin password", "register": "bad_login", "ignore_errors": True,
         "scanops.qualys.qualys_asset_group_info": {"password": WRONG_ADMIN_PASSWORD}},
        {"name": "New version lost to a server error", "register": "lost", "ignore_errors": True,
         "scanops.qualys.oci_qualys_secret": dict(secret, name="qualys-api-soakgroup",
                                                  credentials=dict(current, password=LOST_PASSWORD))},
    ]
    tasks += [debug_of(name) for name in ("good", "wrong", "same", "license", "fingerprints", "seen", "health", "bad_port",
                                          "bad_b64", "bad_login", "lost")]
    oci_sim.faults([dict(SECRET_PUT, skip=1)])  # the license update passes, the lost version fails
    direct = scan.run(tasks, "modules directly")
    assert direct.rc == 0, [(t["task"], t["result"].get("msg")) for t in direct.tasks if "failed" in t["status"]]
    assert direct.task("Check working credentials")["credentials_valid"] is True
    assert direct.task("Check wrong credentials")["credentials_valid"] is False
    assert direct.task("New license")["changed"] is True
    for name in ("Port out of range", "Content that is not base64", "Wrong admin password", "New version lost to a server error"):
        assert [t["status"] for t in direct.tasks if t["task"] == name] == ["failed"], name
    # The failures say what is wrong, without the value.
    assert "pws_port" in direct.task("Port out of range")["msg"]
    assert "base64" in direct.task("Content that is not base64")["msg"]

    leaks = scan.leaks()
    assert len(scan.secrets) > 10
    assert leaks == [], leaks


def test_ansible_runner_events_and_artifacts_of_a_failing_job_hold_no_secret(qualys_sim, oci_sim, tmp_path):
    """The job AWX would run, at -vvvv, failing right after it obtained a password (credentials as environment)."""
    variables = light_role_vars(oci_ids_of(oci_sim))
    oci_sim.faults([{"method": "POST", "path": "/20180608/secrets", "kind": "500", "times": -1}])
    fixtures = oci_sim.fixtures
    # As the AWX credential types inject them: Qualys settings and the OCI key settings as environment variables,
    # the key itself as a file (extensions/awx/credential_type_*.yml).
    env = awx_env(qualys_sim, oci_sim, {
        "OCI_TENANCY": fixtures["tenancy_id"], "OCI_USER_ID": fixtures["user_id"], "OCI_USER_FINGERPRINT": fixtures["fingerprint"],
        "OCI_REGION": fixtures["region"], "OCI_USER_KEY_FILE": fixtures["private_key_path"],
        "ANSIBLE_COLLECTIONS_PATH": link_collection(), "OCI_SDK_DEFAULT_RETRY_ENABLED": "false",
        "ANSIBLE_LOG_PATH": str(tmp_path / "ansible.log"), "PATH": BIN + os.pathsep + os.environ.get("PATH", "")})
    del env["OCI_CONFIG_FILE"]
    private_data = tmp_path / "job"
    private_data.mkdir()
    runner = ansible_runner.run(
        private_data_dir=str(private_data), playbook=os.path.join(REPO, "playbooks", "restricted_api_user.yml"),
        inventory="localhost ansible_connection=local ansible_python_interpreter=%s" % sys.executable,
        envvars=env, extravars=variables, verbosity=4, quiet=True)
    events = list(runner.events)
    stdout = runner.stdout.read()
    assert runner.status == "failed", stdout[-3000:]
    assert "create secret failed: HTTP 500" in stdout
    # The job stopped at the first user, whose new password could not be stored.
    assert len([u for u in qualys_sim.state()["users"] if u.get("external_id")]) == 1

    texts = {"job stdout": stdout, "job events": json.dumps(events)}
    with open(str(tmp_path / "ansible.log")) as handle:
        texts["log file"] = handle.read()
    for root, _dirs, names in os.walk(str(private_data / "artifacts")):
        for name in names:
            if name == "command":
                # ansible-runner's record of how it was started, the environment given to it (the credentials
                # themselves) included; AWX keeps it internal and never shows it with the job.
                continue
            with open(os.path.join(root, name), "rb") as handle:
                texts[os.path.relpath(os.path.join(root, name), str(private_data))] = handle.read().decode("utf-8", "replace")
    with open(fixtures["private_key_path"]) as handle:
        key_lines = [line for line in handle.read().splitlines() if len(line) >= 40]
    secrets = secret_values(qualys_sim, oci_sim, key_lines)
    # The admin's password and the one the job obtained (never stored in OCI: the faults refused it) are scanned for.
    assert len([u for u in qualys_sim.state()["users"] if u["password"] in secrets]) == 2 and key_lines
    assert len(texts) > 5
    leaks = find_leaks(texts, secrets)
    assert leaks == [], leaks
    assert QUALYS_ADMIN[1] in secrets


def test_the_leak_scan_finds_plain_and_base64_forms():
    secret = "Pa55word-Under-Test"
    encoded = base64.b64encode(secret.encode("utf-8")).decode("ascii")
    assert find_leaks({"a": "x %s y" % secret}, [secret]) == [("a", "Pa5...(19 chars)")]
    assert [where for where, _form in find_leaks({"b": "token=%s" % encoded.rstrip("=")}, [secret])] == ["b"]
    assert find_leaks({"c": "nothing here"}, [secret]) == []
