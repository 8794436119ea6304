# -*- coding: utf-8 -*-
# Copyright (c) scanops.qualys contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The lookup scanops.qualys.oci_qualys_secret end to end: a play stores credentials with oci_qualys_secret, another
reads them back with the lookup (ansible-playbook -> lookup -> oci_secrets -> real oci SDK -> OCI simulator) and
hands them to a consumer's API (ansible.builtin.uri with HTTP basic auth to the Qualys simulator).

The second play runs at -vvv with the connection as the AWX credential type "OCI API key" injects it (no config
file; an empty passphrase) plus empty OCI_* variables, which count as unset, and the vault from a play variable; no
stored value may appear in its output or in any task result.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import base64
import hashlib
import json

import pytest

from harness import QUALYS_ADMIN, inject

pytest.importorskip("oci")

SECRET = "scanops.qualys.oci_qualys_secret"
LOOKUP = "scanops.qualys.oci_qualys_secret"
NAME = "qualys-api-connector"
LICENSE_NAME = "qualys-agent-license"

# Stored out of band as a PENDING version: template syntax that must come back as it is, never evaluated.
PENDING_PASSWORD = "Lookup-Pending-{{ 7 * 6 }}-{% raw %}-b81e"
LICENSE = {"cid": "cid-lookup-5f3e9a1c-7d2b-4e8f", "aid": "aid-lookup-0a9b8c7d-6e5f-4a3b",
           "pws_url": "https://qagpublic.qg2.apps.qualys.com", "pws_port": 443}


def sha256(text):
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def status(result, task_name):
    return [entry["status"] for entry in result.tasks if entry["task"] == task_name][-1]


def lookup(*terms, **options):
    """A lookup call as Jinja text: terms are Jinja expressions, options literal values."""
    args = list(terms) + ["%s=%r" % (key, value) for key, value in options.items()]
    return "lookup('%s', %s)" % (LOOKUP, ", ".join(args))


def test_credentials_stored_by_a_play_are_read_back_and_handed_to_a_consumer(oci_sim, oci_auth, oci_ids, oci_env, qualys_sim,
                                                                             run_play, tmp_path):
    # 1. A play stores the credentials (those of a Qualys simulator user) and the agent license, as the role does.
    creds = {"username": QUALYS_ADMIN[0], "password": QUALYS_ADMIN[1], "api_url": qualys_sim.url, "platform": "US2",
             "rotated_at": "2026-01-31T12:00:00Z"}
    store = [
        {"name": "store credentials", SECRET: dict(oci_ids, name=NAME, credentials=creds), "no_log": True},
        {"name": "store license", SECRET: dict(oci_ids, name=LICENSE_NAME, license=LICENSE), "no_log": True},
    ]
    result = run_play(store, module_defaults={"group/scanops.qualys.oci": oci_auth}, env=oci_env)
    assert result.rc == 0, result
    secret_id = oci_sim.secret(NAME)["id"]
    pending = dict(creds, password=PENDING_PASSWORD)
    oci_sim.control("POST", "drift", {"name": NAME, "content": json.dumps(pending), "stage": "PENDING"})
    oci_sim.reset_stats()

    # 2. A consumer play (an AWX job) reads them with the lookup: the API key from the environment as AWX injects it,
    #    the vault from a play variable.
    fixtures = oci_sim.fixtures
    with open(fixtures["private_key_path"]) as handle:
        private_key = handle.read()
    env = dict(oci_env, **inject("credential_type_oci_api_key.yml", {
        "tenancy": fixtures["tenancy_id"], "user": fixtures["user_id"], "fingerprint": fixtures["fingerprint"],
        "region": fixtures["region"], "private_key": private_key}, str(tmp_path)))
    assert env["OCI_USER_KEY_PASS_PHRASE"] == ""
    env.update(OCI_CONFIG_FILE="", OCI_CONFIG_PROFILE="", OCI_ANSIBLE_AUTH_TYPE="",
               # Test plumbing only: where the simulator is and which CA signed it.
               OCI_SERVICE_ENDPOINT=oci_sim.url, OCI_ANSIBLE_CERT_BUNDLE=oci_sim.ca_path)
    name = "'%s'" % NAME
    tasks = [
        {"name": "by name", "no_log": True,
         "ansible.builtin.set_fact": {"by_name": "{{ %s }}" % lookup(name, parse="credentials")}},
        {"name": "by ocid", "no_log": True,
         "ansible.builtin.set_fact": {"by_ocid": "{{ %s }}" % lookup("secret_id", parse="credentials")}},
        {"name": "as text and as json", "no_log": True,
         "ansible.builtin.set_fact": {"as_text": "{{ %s }}" % lookup(name), "as_json": "{{ %s }}" % lookup(name, parse="json")}},
        {"name": "pending", "no_log": True,
         "ansible.builtin.set_fact": {"pending": "{{ %s }}" % lookup(name, stage="PENDING", parse="credentials")}},
        {"name": "version 1", "no_log": True,
         "ansible.builtin.set_fact": {"first": "{{ %s }}" % lookup(name, version_number=1, parse="credentials")}},
        {"name": "check what was read", "no_log": True, "ansible.builtin.assert": {"that": [
            "by_name.password | hash('sha256') == '%s'" % sha256(creds["password"]),
            "by_name == by_ocid and by_name == first",
            "as_json == by_name and (as_text | from_json) == by_name",
            "pending.password | hash('sha256') == '%s'" % sha256(PENDING_PASSWORD),
            "pending.username == by_name.username",
        ]}},
        # The consumer: an API that takes the parsed credentials as HTTP basic auth.
        {"name": "hand the credentials to a consumer", "no_log": True, "register": "consumer",
         "vars": {"qualys": "{{ %s }}" % lookup(name, parse="credentials")},
         "ansible.builtin.uri": {"url": "{{ qualys.api_url }}/api/2.0/fo/asset/group/?action=list", "force_basic_auth": True,
                                 "url_username": "{{ qualys.username }}", "url_password": "{{ qualys.password }}",
                                 "headers": {"X-Requested-With": "ansible"}, "ca_path": qualys_sim.ca_path,
                                 "return_content": True}},
        # What may be shown: no secret in it.
        {"name": "show the consumer's answer", "ansible.builtin.debug": {"msg": "{{ consumer.status }}"}},
        {"name": "show the login", "ansible.builtin.debug": {"msg": "{{ by_name.username }} at {{ by_name.api_url }} ({{ by_name.platform }})"}},
        {"name": "missing, skipped", "ansible.builtin.set_fact": {
            "missing_query": "{{ query('%s', 'no-such-secret', on_missing='skip') }}" % LOOKUP,
            "missing_lookup": "{{ %s }}" % lookup("'no-such-secret'", on_missing="skip"),
            "missing_stage": "{{ %s }}" % lookup(name, stage="previous", on_missing="skip")}},
        {"name": "missing, warned", "ansible.builtin.debug": {
            "msg": "{{ query('%s', 'no-such-secret-either', '%s', on_missing='warn') | length }}" % (LOOKUP, NAME)}},
        {"name": "missing is an error", "ignore_errors": True,
         "ansible.builtin.debug": {"msg": "{{ %s }}" % lookup("'no-such-secret'")}},
        {"name": "a license is no credentials", "ignore_errors": True,
         "ansible.builtin.debug": {"msg": "{{ %s }}" % lookup("'%s'" % LICENSE_NAME, parse="credentials")}},
    ]
    result = run_play(tasks, verbosity=3, env=env, play_vars={"scanops_qualys_oci_vault_id": oci_ids["vault_id"]},
                      extra_vars={"secret_id": secret_id})
    assert result.rc == 0, result
    assert status(result, "check what was read") == "ok"
    assert result.task("show the login")["msg"] == "%s at %s (US2)" % (QUALYS_ADMIN[0], qualys_sim.url)
    assert str(result.task("show the consumer's answer")["msg"]) == "200"
    facts = result.task("missing, skipped")["ansible_facts"]
    # lookup() of nothing: an empty list since ansible-core 2.19, an empty string before.
    assert facts["missing_query"] == [] and facts["missing_stage"] in ([], "") and facts["missing_lookup"] in ([], "")
    assert str(result.task("missing, warned")["msg"]) == "1"
    assert "no secret no-such-secret-either in vault %s" % oci_ids["vault_id"] in result.output

    error = result.task("missing is an error")
    assert status(result, "missing is an error") == "failed"
    assert "no secret no-such-secret in vault %s" % oci_ids["vault_id"] in error["msg"]
    error = result.task("a license is no credentials")
    assert status(result, "a license is no credentials") == "failed"
    assert "secret %s in vault %s (version 1)" % (LICENSE_NAME, oci_ids["vault_id"]) in error["msg"]
    assert "holds a Qualys agent license" in error["msg"]
    assert "read secret %s in vault %s, version 1 (the CURRENT version)" % (NAME, oci_ids["vault_id"]) in result.output

    # Only reads, and no stored value anywhere: output at -vvv, every task result.
    assert oci_sim.writes() == 0
    shown = result.output + json.dumps(result.record)
    values = [creds["password"], PENDING_PASSWORD, "Lookup-Pending-", LICENSE["cid"], LICENSE["aid"]]
    values += [base64.b64encode(value.encode()).decode() for value in values]
    leaked = [value for value in values if value in shown]
    assert leaked == [], "stored values in the output or results: %s" % leaked
