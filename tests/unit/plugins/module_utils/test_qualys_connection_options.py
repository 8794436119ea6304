# -*- coding: utf-8 -*-
# Copyright (c) scanops.qualys contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Where a module connects and as whom: options on the task first, the environment (AWX credentials) for the rest."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.scanops.qualys.plugins.module_utils.qualys_client import (
    QualysClient,
    resolve_auth_method,
    resolve_connection,
    resolve_endpoints,
)
from ansible_collections.scanops.qualys.plugins.module_utils.qualys_errors import QualysError

# What the AWX "Qualys API" credential injects (a user and an OAuth client, a private URL).
AWX = {
    "QUALYS_URL": "https://qualysapi.example.com",
    "QUALYS_GATEWAY_URL": "https://gateway.example.com",
    "QUALYS_USERNAME": "acme_ab12",
    "QUALYS_PASSWORD": "env-Password-1",
    "QUALYS_CLIENT_ID": "env-client",
    "QUALYS_CLIENT_SECRET": "env-client-secret",
    "QUALYS_AUTH_METHOD": "basic",
}


def resolve(environ, **task):
    return resolve_connection(task, environ)


def test_oidc_client_on_the_task_is_never_mixed_with_an_injected_password():
    params = resolve(AWX, client_id="task-client", client_secret="wrong-secret")
    assert (params["client_id"], params["client_secret"]) == ("task-client", "wrong-secret")
    assert params["username"] is None and params["password"] is None
    # QUALYS_AUTH_METHOD belongs to the injected credentials, not to the task's.
    assert params["auth_method"] == "auto" and resolve_auth_method(params) == "oidc"
    assert params["auth_source"] == "task"


def test_username_on_the_task_ignores_the_injected_client():
    params = resolve(AWX, username="svc_login", password="svc-Password-1")
    assert (params["username"], params["password"]) == ("svc_login", "svc-Password-1")
    assert params["client_id"] is None and resolve_auth_method(params) == "basic"


def test_half_a_pair_on_the_task_is_completed_from_the_same_pair_only():
    params = resolve(AWX, username="acme_ab12")
    assert params["password"] == "env-Password-1" and params["client_id"] is None
    with pytest.raises(QualysError, match="client_id is set but client_secret is not.*QUALYS_CLIENT_SECRET"):
        resolve({}, client_id="task-client")


def test_nothing_on_the_task_takes_everything_from_the_environment():
    params = resolve(AWX)
    assert params["username"] == "acme_ab12" and params["client_id"] == "env-client"
    assert params["auth_method"] == "basic" and params["auth_source"] == "environment"
    assert resolve_endpoints(params) == ("https://qualysapi.example.com", "https://gateway.example.com")


def test_auth_method_on_the_task_wins():
    params = resolve(AWX, auth_method="oidc")
    assert params["auth_method"] == "oidc" and params["client_secret"] == "env-client-secret"


def test_platform_on_the_task_wins_over_an_injected_url_and_gateway():
    params = resolve(AWX, platform="US2")
    assert not params.get("url") and params["platform"] == "US2"
    assert resolve_endpoints(params) == ("https://qualysapi.qg2.apps.qualys.com", "https://gateway.qg2.apps.qualys.com")
    params = resolve({"QUALYS_PLATFORM": "EU1"}, url="https://qualysapi.example.net")
    assert not params.get("platform") and resolve_endpoints(params) == ("https://qualysapi.example.net", None)


def test_platform_codes_in_any_case():
    assert resolve({}, platform="us2")["platform"] == "US2"
    assert resolve({"QUALYS_PLATFORM": "eu1"})["platform"] == "EU1"
    with pytest.raises(QualysError, match="platform must be one of .*US1"):
        resolve({}, platform="mars1")


def test_both_endpoints_in_the_environment_is_a_clear_error():
    with pytest.raises(QualysError, match="QUALYS_PLATFORM and QUALYS_URL"):
        resolve({"QUALYS_PLATFORM": "US1", "QUALYS_URL": "https://qualysapi.example.com"})


def test_empty_variables_count_as_unset():
    # AWX injects every field of a credential, optional ones as empty strings.
    params = resolve({"QUALYS_PLATFORM": "", "QUALYS_URL": "https://qualysapi.example.com", "QUALYS_USERNAME": "u",
                      "QUALYS_PASSWORD": "p", "QUALYS_CLIENT_ID": "", "QUALYS_CLIENT_SECRET": " ", "QUALYS_AUTH_METHOD": ""})
    assert params["platform"] is None and params["client_id"] is None and params["client_secret"] is None
    assert params["auth_method"] == "auto"


def test_unknown_auth_method_in_the_environment():
    with pytest.raises(QualysError, match="QUALYS_AUTH_METHOD must be one of"):
        resolve({"QUALYS_AUTH_METHOD": "kerberos", "QUALYS_USERNAME": "u", "QUALYS_PASSWORD": "p"})


def test_missing_password_names_the_variable():
    with pytest.raises(QualysError, match="QUALYS_PASSWORD"):
        resolve({"QUALYS_USERNAME": "u", "QUALYS_URL": "https://q.example.com"})


def test_url_with_an_api_path_gets_a_base_url_hint():
    with pytest.raises(QualysError, match="base URL.*https://qualysapi.qualys.com"):
        resolve_endpoints({"url": "https://qualysapi.qualys.com/api/2.0/"})


def test_no_endpoint_at_all_suggests_the_controller():
    with pytest.raises(QualysError, match="delegate_to: localhost"):
        resolve_endpoints({})


@pytest.mark.parametrize("method", ["jwt", "oidc"])
def test_token_auth_on_a_private_url_needs_gateway_url(method):
    params = {"url": "https://qualysapi.example.com", "username": "u", "password": "p", "client_id": "c",
              "client_secret": "s", "auth_method": method, "timeout": 5, "max_retries": 0, "max_wait": 0}
    client = QualysClient(params)
    with pytest.raises(QualysError) as raised:
        client.fo("/api/2.0/fo/asset/group/", {"action": "list"})
    assert raised.value.kind == "config" and "gateway_url" in str(raised.value) and "QUALYS_GATEWAY_URL" in str(raised.value)
    with pytest.raises(QualysError, match="gateway_url"):
        client.request("GET", "/pm/v1/deploymentjobs", family="gateway")


# --- the user back-end (user_api, admin_url) ------------------------------------------------
def test_user_api_defaults_to_classic_and_admin_url_to_none():
    params = resolve(AWX)
    assert params["user_api"] == "classic" and params["admin_url"] is None


def test_rbac_with_an_admin_url():
    params = resolve(AWX, user_api="RBAC", admin_url="https://gateway.example.com/")
    assert params["user_api"] == "rbac" and params["admin_url"] == "https://gateway.example.com"


@pytest.mark.parametrize("value", ["enhanced", "RBAC2", "xml"])
def test_unknown_user_api_is_refused_naming_the_option(value):
    with pytest.raises(QualysError, match="user_api .or QUALYS_USER_API. must be one of classic, rbac") as raised:
        resolve(AWX, user_api=value)
    assert raised.value.kind == "config"


def test_admin_url_in_classic_mode_is_refused_naming_the_option():
    with pytest.raises(QualysError, match=r"admin_url \(or QUALYS_ADMIN_URL\).*only with user_api=rbac") as raised:
        resolve(AWX, admin_url="https://gateway.example.com")
    assert raised.value.kind == "config"


@pytest.mark.parametrize("value", ["http://gateway.example.com", "gateway.example.com",
                                   "https://gateway.example.com/api/2.0/"])
def test_admin_url_must_be_an_https_base_url(value):
    with pytest.raises(QualysError, match="admin_url must be"):
        resolve(AWX, user_api="rbac", admin_url=value)


def test_the_client_carries_the_back_end():
    params = resolve(AWX, user_api="rbac", admin_url="https://admin.example.com")
    client = QualysClient(params)
    assert (client.user_api, client.admin_url) == ("rbac", "https://admin.example.com")
