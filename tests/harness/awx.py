# -*- coding: utf-8 -*-
# Copyright (c) scanops.qualys contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""AWX's side of a run: the environment its credential types inject, and the role as a job template runs it."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os
import subprocess
import tempfile

import jinja2
import yaml

from .paths import BIN, QUALYS_ADMIN, REPO
from .playbooks import playbook_env

AWX = os.path.join(REPO, "extensions", "awx")

ROLE_TASK = [{"name": "Run the role", "ansible.builtin.include_role": {"name": "scanops.qualys.restricted_api_user"}}]
SCOPE_TITLE = "Connector scope"
ORIGINAL_IPS = ["192.168.1.1-192.168.1.100", "10.20.0.0/24"]


def awx_env(qualys_sim, oci_sim, extra=None):
    """Connection settings as environment variables, the way AWX hands them to a job.

    The Qualys ones are those the "Qualys API" credential type injects; OCI is reached through the simulator's
    config file, endpoint and CA (the "OCI API key" type's own variables are tested in test_awx.py). ``extra``
    is added last.
    """
    env = {
        "QUALYS_URL": qualys_sim.url,
        "QUALYS_GATEWAY_URL": qualys_sim.url,
        "QUALYS_USERNAME": QUALYS_ADMIN[0],
        "QUALYS_PASSWORD": QUALYS_ADMIN[1],
        "QUALYS_CA_PATH": qualys_sim.ca_path or "",
        "OCI_CONFIG_FILE": oci_sim.fixtures["config_file"],
        "OCI_SERVICE_ENDPOINT": oci_sim.url,
        "OCI_ANSIBLE_CERT_BUNDLE": oci_sim.ca_path or "",
    }
    env.update(extra or {})
    return env


def role_vars(oci_ids, report_dir=None, **overrides):
    """The role's full configuration: two service users (one scoped by an asset group, one by a tag), the license."""
    contact = {"first_name": "Service", "last_name": "Now", "email": "secops@example.com", "phone": "+1 555 0100",
               "address1": "1 Example Street", "city": "New York", "country": "United States of America",
               "address_state": "New York", "zip_code": "10004"}
    users = [
        dict(contact, name="servicenow", scope={"type": "asset_group", "name": SCOPE_TITLE, "ips": ORIGINAL_IPS},
             role={"name": "API Read Only", "permissions": {"VM": ["View"]}, "manage_definition": True}),
        dict(contact, name="vmplatform", first_name="Vuln", last_name="Platform",
             scope={"type": "tag", "name": "Linux servers", "os_contains": "Linux"},
             role={"name": "API Read Only", "permissions": {"VM": ["View"]}, "manage_definition": True}),
    ]
    variables = {
        "restricted_api_user_service_users": users,
        "restricted_api_user_oci_compartment_id": oci_ids["compartment_id"],
        "restricted_api_user_oci_vault_id": oci_ids["vault_id"],
        "restricted_api_user_oci_key_id": oci_ids["key_id"],
        "restricted_api_user_license": {"cid": "00000000-1111-2222-3333-444444444444", "aid": "55555555-6666-7777-8888-999999999999",
                                        "pws_url": "https://qagpublic.qg2.apps.qualys.com/CloudAgent/", "pws_port": 443},
    }
    if report_dir:
        variables["restricted_api_user_report_dir"] = str(report_dir)
    variables.update(overrides)
    return variables


def run_role(run_play, qualys_sim, oci_sim, variables, env=None, **kwargs):
    """The role with ``variables`` and awx_env() (plus ``env``), both simulators' counters zeroed first."""
    qualys_sim.reset_stats()
    oci_sim.reset_stats()
    return run_play(ROLE_TASK, extra_vars=variables, env=awx_env(qualys_sim, oci_sim, env), **kwargs)


def start_role(qualys_sim, oci_sim, variables, work, env=None):
    """The role as run_role() runs it, but started in the background (a Popen, in a session of its own) for tests
    that run two at once or kill one; its output goes to ``work``/output.txt, its record to ``work``/record.json."""
    os.makedirs(work, exist_ok=True)
    play = os.path.join(work, "play.yml")
    with open(play, "w") as handle:
        json.dump([{"name": "role", "hosts": "localhost", "gather_facts": False, "tasks": ROLE_TASK}], handle)
    with open(os.path.join(work, "vars.json"), "w") as handle:
        json.dump(variables, handle)
    run_env = playbook_env(os.path.join(work, "record.json"), env=awx_env(qualys_sim, oci_sim, env))
    with open(os.path.join(work, "output.txt"), "w") as output:
        return subprocess.Popen(  # pylint: disable=consider-using-with
            [os.path.join(BIN, "ansible-playbook"), "-i", "localhost,", "-c", "local", play, "-e", "@vars.json"],
            cwd=work, env=run_env, stdout=output, stderr=subprocess.STDOUT, start_new_session=True)


def load_credential_type(name):
    """A credential type of extensions/awx, as AWX imports it."""
    with open(os.path.join(AWX, name)) as handle:
        return yaml.safe_load(handle)


def inject(credential_type, inputs, files_dir):
    """Render a credential type's injectors the way AWX does: files first (``template`` gives
    ``tower.filename``, ``template.<name>`` gives ``tower.filename.<name>``), then env."""
    definition = load_credential_type(credential_type)
    fields = dict((field["id"], "") for field in definition["inputs"]["fields"])
    fields.update(inputs)
    injectors = definition["injectors"]
    context = dict(fields)
    files = {}
    for key, template in sorted(injectors.get("file", {}).items()):
        # A file of its own for each job, as AWX writes them.
        descriptor, path = tempfile.mkstemp(prefix="tmp_%s_" % key.replace(".", "_"), dir=files_dir)
        with os.fdopen(descriptor, "w") as handle:
            handle.write(jinja2.Template(template).render(**fields))
        files[key] = path
    if files:
        single = files.get("template")
        named = dict((key.split(".", 1)[1], path) for key, path in files.items() if key.startswith("template."))
        context["tower"] = {"filename": single if single else named}
    return dict((name, jinja2.Template(template).render(**context)) for name, template in injectors["env"].items())
