# -*- coding: utf-8 -*-
# Copyright (c) scanops.qualys contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Access: TLS is verified by default, a restricted user stays in its scope, a wrong OCI key is refused."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import base64
import json

import requests

from harness import QUALYS_ADMIN, ROLE_TASK, awx_env
from reliability import SCOPE_GROUP, find_leaks, light_role_vars, oci_ids_of, play_texts, secret_values
from simulators.common import ensure_ca

# The environment a module sees here: no CA bundle from the machine, so "default" really is the default.
NO_CA_ENV = {"REQUESTS_CA_BUNDLE": "", "CURL_CA_BUNDLE": "", "SSL_CERT_FILE": "", "QUALYS_CA_PATH": "", "OCI_ANSIBLE_CERT_BUNDLE": ""}


def test_tls_is_verified_by_default_and_a_wrong_ca_is_refused(run_play, qualys_sim, oci_sim, tmp_path):
    other_ca, _key = ensure_ca(str(tmp_path / "other-ca"))
    qualys = {"url": qualys_sim.url, "username": QUALYS_ADMIN[0], "password": QUALYS_ADMIN[1]}
    oci = {"config_file": oci_sim.fixtures["config_file"], "service_endpoint": oci_sim.url, "api_retries": 0,
           "compartment_id": oci_sim.fixtures["compartment_id"]}
    tasks = [
        {"name": "Qualys, no ca_path", "scanops.qualys.qualys_asset_group_info": qualys, "ignore_errors": True},
        {"name": "Qualys, wrong CA", "scanops.qualys.qualys_asset_group_info": dict(qualys, ca_path=other_ca), "ignore_errors": True},
        {"name": "Qualys, right CA", "scanops.qualys.qualys_asset_group_info": dict(qualys, ca_path=qualys_sim.ca_path)},
        {"name": "OCI, no cert_bundle", "scanops.qualys.oci_qualys_secret_info": oci, "ignore_errors": True},
        {"name": "OCI, wrong CA", "scanops.qualys.oci_qualys_secret_info": dict(oci, cert_bundle=other_ca), "ignore_errors": True},
        {"name": "OCI, right CA", "scanops.qualys.oci_qualys_secret_info": dict(oci, cert_bundle=oci_sim.ca_path)},
    ]
    log = str(tmp_path / "ansible.log")
    result = run_play(tasks, env=dict(NO_CA_ENV, ANSIBLE_LOG_PATH=log))
    assert result.rc == 0, result
    for name in ("Qualys, no ca_path", "Qualys, wrong CA"):
        message = result.task(name)["msg"]
        assert "TLS verification of 127.0.0.1" in message and "Set ca_path" in message, (name, message)
        assert "CERTIFICATE_VERIFY_FAILED" in message, message
    for name in ("OCI, no cert_bundle", "OCI, wrong CA"):
        message = result.task(name).get("msg", result.task(name))
        assert "list secrets" in message and "CERTIFICATE_VERIFY_FAILED" in message, (name, message)
    assert [g["title"] for g in result.task("Qualys, right CA")["asset_groups"]] == ["All"]
    assert result.task("OCI, right CA")["secrets"] == []
    # The refused connections never reached the services; the trusted ones did.
    assert len(qualys_sim.stats()["calls"]) == 1 and len(oci_sim.stats()["calls"]) == 1
    assert find_leaks(play_texts(result, log), [QUALYS_ADMIN[1]]) == []


def test_the_oci_simulator_refuses_a_wrong_key(run_play, oci_sim, tmp_path):
    fixtures = oci_sim.fixtures
    log = str(tmp_path / "ansible.log")
    result = run_play([{"name": "Wrong key", "scanops.qualys.oci_qualys_secret_info": {
        "config_file": fixtures["config_file"], "config_profile": fixtures["wrong_key_profile"], "service_endpoint": oci_sim.url,
        "cert_bundle": oci_sim.ca_path, "api_retries": 0, "compartment_id": fixtures["compartment_id"]}, "ignore_errors": True}],
        env={"ANSIBLE_LOG_PATH": log})
    message = result.task("Wrong key")["msg"]
    assert "HTTP 401 NotAuthenticated" in message and "profile %s" % fixtures["wrong_key_profile"] in message, message
    calls = oci_sim.stats()["calls"]
    assert [call["status"] for call in calls] == [401]
    with open(fixtures["private_key_path"]) as handle:
        key_lines = handle.read().strip().splitlines()[1:-1]
    assert find_leaks(play_texts(result, log), [line for line in key_lines if len(line) > 40]) == []


def as_user(qualys_sim, login, password, method, path, data=None):
    return requests.request(method, qualys_sim.url + path, data=data, auth=(login, password), verify=qualys_sim.ca_path,
                            headers={"X-Requested-With": "access test"}, timeout=30)


def test_a_restricted_user_sees_only_its_scope_and_cannot_use_the_ui(run_play, qualys_sim, oci_sim, tmp_path):
    log = str(tmp_path / "ansible.log")
    env = awx_env(qualys_sim, oci_sim, {"ANSIBLE_LOG_PATH": log})
    role_run = run_play(ROLE_TASK, extra_vars=light_role_vars(oci_ids_of(oci_sim)), env=env)
    assert role_run.rc == 0, role_run
    # Someone else's objects, which a restricted user must not see.
    admin = QUALYS_ADMIN
    assert as_user(qualys_sim, admin[0], admin[1], "POST", "/api/2.0/fo/asset/group/",
                   {"action": "add", "title": "Finance servers", "ips": "172.16.5.1-172.16.5.9"}).status_code == 200

    credentials = {}
    for secret in oci_sim.state()["secrets"].values():
        current = [v for v in secret["versions"] if "CURRENT" in v["stages"]][0]
        content = json.loads(base64.b64decode(current["content"]).decode("utf-8"))
        if "username" in content:
            credentials[secret["secretName"]] = (content["username"], content["password"])
    group_user, tag_user = credentials["qualys-api-soakgroup"], credentials["qualys-api-soaktag"]

    # Through the modules, as each service user.
    tasks = []
    for name, (login, password) in (("group", group_user), ("tag", tag_user)):
        auth = {"username": login, "password": password, "auth_method": "basic"}
        tasks += [
            {"name": "Asset groups seen by the %s user" % name, "scanops.qualys.qualys_asset_group_info": auth, "no_log": False},
            {"name": "Users seen by the %s user" % name, "scanops.qualys.qualys_service_user_info": dict(auth, external_id_contains="scanops"),
             "ignore_errors": True},
            {"name": "Create a group as the %s user" % name, "ignore_errors": True,
             "scanops.qualys.qualys_asset_group": dict(auth, title="Sneaky %s" % name, ips=["10.99.0.1"])},
        ]
    result = run_play(tasks, env=env)
    assert [g["title"] for g in result.task("Asset groups seen by the group user")["asset_groups"]] == [SCOPE_GROUP]
    assert result.task("Asset groups seen by the tag user")["asset_groups"] == []
    for name, (login, _password) in (("group", group_user), ("tag", tag_user)):
        users = result.task("Users seen by the %s user" % name)
        assert [u["login"] for u in users.get("users", [])] in ([login], []), users
        refused = result.task("Create a group as the %s user" % name)
        assert refused.get("changed") is not True and "2004" in refused["msg"], refused
    titles = [g["title"] for g in qualys_sim.state()["asset_groups"]]
    assert not [title for title in titles if title.startswith("Sneaky")]

    # Directly: no other user's record, no UI.
    for login, password in (group_user, tag_user):
        listed = as_user(qualys_sim, login, password, "POST", "/msp/user_list.php")
        assert listed.status_code == 200 and admin[0] not in listed.text and login in listed.text
        ui = as_user(qualys_sim, login, password, "GET", "/fo/login.php")
        assert ui.status_code == 403 and "UI access is not enabled" in ui.text
    assert as_user(qualys_sim, admin[0], admin[1], "GET", "/fo/login.php").status_code == 200
    texts = play_texts(result, log)
    texts.update(play_texts(role_run, None, "role run"))
    secrets = secret_values(qualys_sim, oci_sim)
    assert find_leaks(texts, secrets) == []
