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
import jinja2
import yaml

from conftest import BIN, QUALYS_ADMIN, REPO, link_collection
from test_role_restricted_api_user import role_vars

AWX = os.path.join(REPO, "extensions", "awx")


def inject(credential_type, inputs, files_dir):
    """Render a credential type's injectors the way AWX does: files first, then env with tower.filename."""
    with open(os.path.join(AWX, credential_type)) as handle:
        definition = yaml.safe_load(handle)
    fields = dict((field["id"], "") for field in definition["inputs"]["fields"])
    fields.update(inputs)
    injectors = definition["injectors"]
    context = dict(fields)
    if "file" in injectors:
        path = os.path.join(files_dir, "tmp_%s" % credential_type.replace(".yml", ""))
        with open(path, "w") as handle:
            handle.write(jinja2.Template(injectors["file"]["template"]).render(**fields))
        os.chmod(path, 0o600)
        context["tower"] = {"filename": path}
    return dict((name, jinja2.Template(template).render(**context)) for name, template in injectors["env"].items())


def test_credential_types_declare_secrets_and_match_module_env_fallbacks():
    for name, secret_fields in (("credential_type_qualys_api.yml", {"password", "client_secret"}),
                                ("credential_type_oci_api_key.yml", {"private_key", "passphrase"})):
        with open(os.path.join(AWX, name)) as handle:
            definition = yaml.safe_load(handle)
        declared = set(field["id"] for field in definition["inputs"]["fields"] if field.get("secret"))
        assert declared == secret_fields, name
    with open(os.path.join(REPO, "plugins", "module_utils", "qualys_client.py")) as handle:
        client = handle.read()
    with open(os.path.join(AWX, "credential_type_qualys_api.yml")) as handle:
        for variable in yaml.safe_load(handle)["injectors"]["env"]:
            assert '"%s"' % variable in client, variable


def test_ansible_runner_job_with_injected_credentials_leaks_nothing(qualys_sim, oci_sim, oci_ids, tmp_path):
    fixtures = oci_sim.fixtures
    with open(fixtures["private_key_path"]) as handle:
        private_key = handle.read()
    env = {}
    env.update(inject("credential_type_qualys_api.yml",
                      {"url": qualys_sim.url, "username": QUALYS_ADMIN[0], "password": QUALYS_ADMIN[1]}, str(tmp_path)))
    env.update(inject("credential_type_oci_api_key.yml",
                      {"tenancy": fixtures["tenancy_id"], "user": fixtures["user_id"], "fingerprint": fixtures["fingerprint"],
                       "region": fixtures["region"], "private_key": private_key}, str(tmp_path)))
    # Test plumbing only: where the simulators are and which CA signed them.
    env.update({"QUALYS_CA_PATH": qualys_sim.ca_path, "OCI_SERVICE_ENDPOINT": oci_sim.url,
                "OCI_ANSIBLE_CERT_BUNDLE": oci_sim.ca_path, "ANSIBLE_COLLECTIONS_PATH": link_collection(),
                "PATH": BIN + os.pathsep + os.environ.get("PATH", "")})
    for variable in ("OCI_CONFIG_FILE", "OCI_CONFIG_PROFILE"):
        env.pop(variable, None)
    private_data = tmp_path / "job"
    private_data.mkdir()
    runner = ansible_runner.run(
        private_data_dir=str(private_data),
        playbook=os.path.join(REPO, "playbooks", "restricted_api_user.yml"),
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
