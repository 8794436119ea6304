# -*- coding: utf-8 -*-
# Copyright (c) scanops.qualys contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What AWX does with this collection: credential types injected, the playbook run by ansible-runner, an EE built."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import base64
import json
import os
import re
import subprocess
import sys

import ansible_runner
import yaml

from harness import AWX, BIN, QUALYS_ADMIN, REPO, inject, link_collection, load_credential_type, role_vars


def test_credential_types_declare_secrets_and_feed_every_connection_setting():
    sys.path.insert(0, link_collection())
    from ansible_collections.scanops.qualys.plugins.module_utils.qualys_client import CONNECTION_ENV, QUALYS_AUTH_ARGSPEC

    for name, secret_fields in (("credential_type_qualys_api.yml", {"password", "client_secret", "proxy_url"}),
                                ("credential_type_oci_api_key.yml", {"private_key", "passphrase"})):
        definition = load_credential_type(name)
        declared = set(field["id"] for field in definition["inputs"]["fields"] if field.get("secret"))
        assert declared == secret_fields, name
    qualys = load_credential_type("credential_type_qualys_api.yml")
    # Either a username and password or an OAuth client: neither pair is required on its own.
    assert qualys["inputs"]["required"] == []
    fallbacks = set(CONNECTION_ENV.values())
    for option in ("ca_path", "proxy_url", "validate_certs", "user_api", "admin_url"):
        fallbacks.update(QUALYS_AUTH_ARGSPEC[option]["fallback"][1])
    injected = set(qualys["injectors"]["env"])
    assert injected - fallbacks == set(), "injected variables no module reads"
    assert fallbacks - injected == {"QUALYS_VALIDATE_CERTS"}

    # The OCI type injects the API key settings, which the OCI modules read from the environment.
    from ansible_collections.scanops.qualys.plugins.module_utils.oci_client import API_KEY_ENV, oci_argument_spec

    oci = load_credential_type("credential_type_oci_api_key.yml")
    read = set(API_KEY_ENV.values())
    for option in oci_argument_spec().values():
        read.update(option["fallback"][1] if option.get("fallback") else ())
    injected = set(oci["injectors"]["env"])
    assert injected - read == set(), "injected variables no OCI module reads"
    assert set(API_KEY_ENV.values()) - injected == set(), "API key settings the OCI type does not inject"


def test_qualys_injectors_give_what_the_modules_need(qualys_sim, run_play, tmp_path):
    with open(qualys_sim.ca_path) as handle:
        ca_pem = handle.read()
    client = qualys_sim.control("POST", "oidc_clients", {"login": QUALYS_ADMIN[0]})
    oidc_only = inject("credential_type_qualys_api.yml", {
        "url": qualys_sim.url, "gateway_url": qualys_sim.url, "client_id": client["client_id"],
        "client_secret": client["client_secret"], "ca_certificates": ca_pem}, str(tmp_path))
    assert os.path.isfile(oidc_only["QUALYS_CA_PATH"]) and oidc_only["QUALYS_USERNAME"] == ""
    no_ca = inject("credential_type_qualys_api.yml", {"platform": "US2", "username": "u", "password": "p"}, str(tmp_path))
    assert no_ca["QUALYS_CA_PATH"] == "" and no_ca["QUALYS_PLATFORM"] == "US2"
    env = dict(oidc_only)
    env.pop("REQUESTS_CA_BUNDLE", None)
    result = run_play([{"name": "check", "scanops.qualys.qualys_connection_info": {"applications": ["vmdr", "pm"]},
                        "register": "check"}], env=env)
    assert result.rc == 0, result
    check = result.task("check")
    assert check["healthy"] is True, check["summary"]
    assert check["auth"]["method"] == "oidc" and check["auth"]["source"] == "environment"


def test_job_template_playbooks_are_selectable_in_a_project():
    job = yaml.safe_load(open(os.path.join(AWX, "job_template.yml")))
    project = os.path.join(AWX, "project")
    assert os.path.isfile(os.path.join(project, job["playbook"])), job["playbook"]
    for name in os.listdir(project):
        if not name.endswith(".yml"):
            continue
        plays = yaml.safe_load(open(os.path.join(project, name)))
        for play in plays:
            target = play["ansible.builtin.import_playbook"]
            assert target.startswith("scanops.qualys.")
            assert os.path.isfile(os.path.join(REPO, "playbooks", target.split(".")[-1] + ".yml")), target
    requirements = yaml.safe_load(open(os.path.join(project, "collections", "requirements.yml")))
    assert [c["name"] for c in requirements["collections"]] == ["scanops.qualys"]


def test_ansible_runner_job_with_injected_credentials_leaks_nothing(qualys_sim, oci_sim, oci_ids, tmp_path):
    fixtures = oci_sim.fixtures
    with open(fixtures["private_key_path"]) as handle:
        private_key = handle.read()
    env = {}
    with open(qualys_sim.ca_path) as handle:
        ca_pem = handle.read()
    env.update(inject("credential_type_qualys_api.yml",
                      {"url": qualys_sim.url, "gateway_url": qualys_sim.url, "username": QUALYS_ADMIN[0],
                       "password": QUALYS_ADMIN[1], "ca_certificates": ca_pem}, str(tmp_path)))
    env.update(inject("credential_type_oci_api_key.yml",
                      {"tenancy": fixtures["tenancy_id"], "user": fixtures["user_id"], "fingerprint": fixtures["fingerprint"],
                       "region": fixtures["region"], "private_key": private_key}, str(tmp_path)))
    # Test plumbing only: where the simulators are and which CA signed them.
    env.update({"OCI_SERVICE_ENDPOINT": oci_sim.url,
                "OCI_ANSIBLE_CERT_BUNDLE": oci_sim.ca_path, "ANSIBLE_COLLECTIONS_PATH": link_collection(),
                "PATH": BIN + os.pathsep + os.environ.get("PATH", "")})
    for variable in ("OCI_CONFIG_FILE", "OCI_CONFIG_PROFILE"):
        env.pop(variable, None)
    private_data = tmp_path / "job"
    private_data.mkdir()
    runner = ansible_runner.run(
        private_data_dir=str(private_data),
        # The playbook an AWX project holds (extensions/awx/project), importing the collection's.
        playbook=os.path.join(AWX, "project", "restricted_api_user.yml"),
        inventory="localhost ansible_connection=local ansible_python_interpreter=%s" % sys.executable,
        envvars=env, extravars=role_vars(oci_ids), verbosity=3, quiet=True)
    events = list(runner.events)
    stdout = runner.stdout.read()
    assert runner.status == "successful", stdout[-3000:]

    stats = [e for e in events if e["event"] == "playbook_on_stats"][0]["event_data"]
    summary = stats["artifact_data"]["restricted_api_user"]
    assert [user["name"] for user in summary["service_users"]] == ["servicenow", "vmplatform"]
    assert all(user["login"] and user["credentials_secret_id"].startswith("ocid1.vaultsecret.") for user in summary["service_users"])

    logins = set(user["login"] for user in qualys_sim.state()["users"])
    secrets = set(qualys_sim.secrets()["secrets"]) | set(oci_sim.secret_values()) | {QUALYS_ADMIN[1]}
    secrets = set(value for value in secrets
                  if len(value) >= 6 and value not in logins and not re.match(r"^\d{4}-\d\d-\d\dT", value))
    key_body = "".join(private_key.strip().splitlines()[1:-1])[:64]
    haystack = stdout + json.dumps(events)
    artifacts = private_data / "artifacts"
    for root, _dirs, names in os.walk(str(artifacts)):
        for name in names:
            if name == "command":
                # ansible-runner's own record of the command and the environment it was given (the injected
                # credentials themselves); AWX keeps it internal and never shows it with the job.
                continue
            with open(os.path.join(root, name), "rb") as handle:
                haystack += handle.read().decode("utf-8", "replace")
    leaked = [value for value in secrets
              if value in haystack or base64.b64encode(value.encode("utf-8")).decode("ascii") in haystack]
    assert leaked == [], "%d secret values in the job output, events or artifacts" % len(leaked)
    assert key_body not in haystack


def test_ansible_builder_creates_a_build_context(tmp_path):
    builder = os.path.join(BIN, "ansible-builder")
    done = subprocess.run([builder, "create", "-f", "execution-environment.yml", "--context", str(tmp_path / "ctx")],
                          cwd=os.path.join(REPO, "extensions", "ee"), capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    with open(str(tmp_path / "ctx" / "_build" / "requirements.txt")) as handle:
        assert "oci" in handle.read()
    assert (tmp_path / "ctx" / "Dockerfile").exists() or (tmp_path / "ctx" / "Containerfile").exists()
