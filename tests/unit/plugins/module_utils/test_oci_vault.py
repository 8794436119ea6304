# -*- coding: utf-8 -*-
# Copyright (c) scanops.qualys contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""oci_vault: input checks, config loading, retries, error mapping, paging, waits (SDK clients mocked)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime
import sys

import pytest

from ansible_collections.scanops.qualys.plugins.module_utils import oci_vault as ov

try:
    from unittest import mock
except ImportError:  # pragma: no cover
    import mock

TENANCY = "ocid1.tenancy.oc1..aaaaaaaaunittenancy"
USER = "ocid1.user.oc1..aaaaaaaaunituser"
COMPARTMENT = "ocid1.compartment.oc1..aaaaaaaaunit"
VAULT = "ocid1.vault.oc1.iad.aaaaaaaaunitvault"


def params(**overrides):
    base = dict(config_file=None, config_profile="DEFAULT", auth_type="api_key", region=None, service_endpoint=None,
                service_endpoints=None, cert_bundle=None, api_retries=None)
    base.update(overrides)
    return base


@pytest.fixture
def sdk():
    return pytest.importorskip("oci")


@pytest.fixture
def config_file(tmp_path):
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    key_path = tmp_path / "key.pem"
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL,
                                           serialization.NoEncryption()))
    path = tmp_path / "config"
    path.write_text("[DEFAULT]\nuser=%s\nfingerprint=%s\ntenancy=%s\nregion=us-ashburn-1\nkey_file=%s\nlog_requests=True\n"
                    % (USER, ":".join(["ab"] * 16), TENANCY, key_path))
    return str(path)


# ---------------------------------------------------------------- pure checks


@pytest.mark.parametrize("value", [
    "ocid1.vault.oc1.iad.aaaaaaaabc",
    "ocid1.tenancy.oc1..aaaaaaaabc",
    "ocid1.vaultsecret.oc1.us-ashburn-1.amaaaaaa-x_y",
    "ocid1.key.oc1.iad.futureuse.aaaa",
])
def test_valid_ocids(value):
    ov.check_ocid(value, "x")


@pytest.mark.parametrize("value", ["vault-1", "ocid1.vault", "ocid2.vault.oc1.iad.aaa", "ocid1.Vault.oc1.iad.aaa",
                                   "ocid1.vault.oc1.iad.", 42])
def test_invalid_ocids_name_the_option(value):
    with pytest.raises(ov.OciVaultError) as err:
        ov.check_ocid(value, "vault_id")
    assert str(err.value).startswith("vault_id is not a valid OCID")


def test_ocid_type_is_checked():
    ov.check_ocid(TENANCY, "compartment_id", ("compartment", "tenancy"))
    with pytest.raises(ov.OciVaultError) as err:
        ov.check_ocid(VAULT, "key_id", ("key",))
    assert "key_id must be the OCID of a key" in str(err.value)
    ov.check_ocid(None, "key_id", ("key",))


def test_common_params():
    ov.check_common_params(params(api_retries=0, service_endpoint="https://127.0.0.1:8443/prefix"))
    with pytest.raises(ov.OciVaultError, match="api_retries must be between 0 and 10"):
        ov.check_common_params(params(api_retries=11))
    with pytest.raises(ov.OciVaultError, match="service_endpoints.secrets must be an http"):
        ov.check_common_params(params(service_endpoints={"secrets": "ftp://x"}))
    with pytest.raises(ov.OciVaultError, match="service_endpoint must be"):
        ov.check_common_params(params(service_endpoint="https://h/?q=1"))


def test_retry_default_follows_the_sdk_switch(monkeypatch):
    monkeypatch.delenv("OCI_SDK_DEFAULT_RETRY_ENABLED", raising=False)
    assert ov.OciVault(params()).retries == 3
    monkeypatch.setenv("OCI_SDK_DEFAULT_RETRY_ENABLED", "false")
    assert ov.OciVault(params()).retries == 0
    assert ov.OciVault(params(api_retries=2)).retries == 2


def test_argument_spec_env_fallbacks():
    spec = ov.oci_argument_spec()
    assert spec["config_file"]["fallback"][1] == ["OCI_CONFIG_FILE"]
    assert spec["config_profile"]["fallback"][1] == ["OCI_CONFIG_PROFILE"]
    assert spec["region"]["fallback"][1] == ["OCI_REGION"]
    assert spec["auth_type"]["fallback"][1] == ["OCI_ANSIBLE_AUTH_TYPE"]


def test_defined_tags_merge_and_compare():
    current = {"Oracle-Tags": {"CreatedBy": "x"}, "ops": {"team": "a"}}
    assert ov.merge_defined_tags(current, {"ops": {"team": "b"}}) == {"Oracle-Tags": {"CreatedBy": "x"}, "ops": {"team": "b"}}
    assert not ov.tags_differ(current, {"ops": {"team": "a"}}, defined=True)
    assert ov.tags_differ(current, {"ops": {"team": "b"}}, defined=True)
    assert not ov.tags_differ({"a": "1"}, None)
    assert ov.tags_differ({"a": "1"}, {})


# ---------------------------------------------------------------- SDK setup


def test_config_forces_request_logging_off(sdk, config_file):
    vault = ov.OciVault(params(config_file=config_file))
    config, signer = vault._load_config()
    assert config["log_requests"] is False and signer is None
    assert config["region"] == "us-ashburn-1"
    vault = ov.OciVault(params(config_file=config_file, region="eu-frankfurt-1"))
    assert vault._load_config()[0]["region"] == "eu-frankfurt-1"
    # The profile says log_requests=True; a client built from it must leave http.client quiet.
    import http.client
    http.client.HTTPConnection.debuglevel = 1
    try:
        ov.OciVault(params(config_file=config_file, service_endpoint="https://127.0.0.1:9")).vaults
        assert http.client.HTTPConnection.debuglevel == 0
    finally:
        http.client.HTTPConnection.debuglevel = 0


def test_config_errors_are_clear(sdk, config_file, tmp_path, monkeypatch):
    monkeypatch.delenv("OCI_REGION", raising=False)
    with pytest.raises(ov.OciVaultError, match="OCI config file not found"):
        ov.OciVault(params(config_file=str(tmp_path / "missing")))._load_config()
    with pytest.raises(ov.OciVaultError, match="profile NOPE not found.*its profiles are: DEFAULT"):
        ov.OciVault(params(config_file=config_file, config_profile="NOPE"))._load_config()
    no_region = tmp_path / "no-region"
    no_region.write_text("[OTHER]\nuser=%s\nfingerprint=%s\ntenancy=%s\nkey_file=%s\n"
                         % (USER, ":".join(["cd"] * 16), TENANCY, tmp_path / "key.pem"))
    with pytest.raises(ov.OciVaultError, match="invalid OCI configuration"):
        ov.OciVault(params(config_file=str(no_region), config_profile="OTHER"))._load_config()
    with pytest.raises(ov.OciVaultError, match="security_token_file"):
        ov.OciVault(params(config_file=config_file, auth_type="security_token"))._load_config()


def test_clients_use_endpoints_retry_and_no_circuit_breaker(sdk, config_file):
    vault = ov.OciVault(params(config_file=config_file, service_endpoint="https://127.0.0.1:9/",
                               service_endpoints={"secrets": "https://127.0.0.2:9"}, api_retries=2))
    assert vault.vaults.base_client.endpoint == "https://127.0.0.1:9/20180608"
    assert vault.secrets.base_client.endpoint == "https://127.0.0.2:9/20190301"
    assert vault.vaults is vault.vaults
    strategy = vault.vaults.retry_strategy
    limits = dict((k, v) for checker in strategy.checkers.checkers for k, v in vars(checker).items())
    assert limits["max_attempts"] == 3 and limits["time_limit_seconds"] == ov.RETRY_TOTAL_SECONDS
    assert strategy.max_wait_between_calls_seconds == ov.RETRY_MAX_SLEEP_SECONDS
    assert vault.vaults.base_client.circuit_breaker_strategy.__class__.__name__ == "NoCircuitBreakerStrategy"
    none = ov.OciVault(params(config_file=config_file, api_retries=0))
    assert isinstance(none._retry_strategy(), sdk.retry.NoneRetryStrategy)
    mgmt = vault.kms_management("https://mgmt.example:443")
    assert mgmt.base_client.endpoint == "https://mgmt.example:443"


def test_cert_bundle_wins_over_requests_ca_bundle(sdk, config_file, monkeypatch):
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", "/etc/ssl/certs/ca-certificates.crt")
    vault = ov.OciVault(params(config_file=config_file, service_endpoint="https://127.0.0.1:9",
                               cert_bundle="/tmp/test-ca.pem"))
    session = vault.vaults.base_client.session
    settings = session.merge_environment_settings("https://127.0.0.1:9/x", {}, None, None, None)
    assert settings["verify"] == "/tmp/test-ca.pem"


def test_missing_sdk_fails_with_missing_required_lib(monkeypatch):
    monkeypatch.setattr(ov, "oci", None)
    monkeypatch.setitem(sys.modules, "oci", None)
    module = mock.Mock()
    module.fail_json.side_effect = SystemExit(1)
    with pytest.raises(SystemExit):
        ov.import_oci(module)
    assert "oci" in module.fail_json.call_args[1]["msg"]
    with pytest.raises(ov.OciVaultError, match="Failed to import the required Python library"):
        ov.import_oci()


# ---------------------------------------------------------------- calls


def _service_error(sdk, status, code, message="m"):
    return sdk.exceptions.ServiceError(status, code, {"opc-request-id": "REQ1"}, message)


def test_service_errors_become_one_type(sdk):
    vault = ov.OciVault(params(config_profile="PROD"))
    func = mock.Mock(side_effect=_service_error(sdk, 401, "NotAuthenticated", "The signature is wrong."))
    with pytest.raises(ov.OciVaultError) as err:
        vault._call("list secrets", func)
    text = str(err.value)
    assert text.startswith("list secrets failed: HTTP 401 NotAuthenticated: The signature is wrong.")
    assert "profile PROD" in text and "opc-request-id REQ1" in text
    assert err.value.to_result() == {"status": 401, "code": "NotAuthenticated", "opc_request_id": "REQ1"}
    func = mock.Mock(side_effect=_service_error(sdk, 404, "NotAuthorizedOrNotFound"))
    with pytest.raises(ov.OciVaultError, match="policies"):
        vault._call("get secret", func)


def test_transport_errors_become_one_type(sdk):
    vault = ov.OciVault(params())
    func = mock.Mock(side_effect=sdk.exceptions.RequestException("connection refused"))
    with pytest.raises(ov.OciVaultError, match="cannot reach OCI"):
        vault._call("list secrets", func)
    func = mock.Mock(side_effect=KeyError("contentType"))
    with pytest.raises(ov.OciVaultError, match="KeyError"):
        vault._call("read", func)


class _Response(object):
    def __init__(self, data, next_page=None):
        self.data = data
        self.next_page = next_page
        self.has_next_page = next_page is not None


def _summary(sdk, name, state="ACTIVE", secret_id=None, created="2026-01-01T00:00:00+00:00"):
    models = __import__("oci.vault", fromlist=["models"]).models
    return models.SecretSummary(id=secret_id or "ocid1.vaultsecret.oc1.iad." + name.replace("-", ""), secret_name=name,
                                lifecycle_state=state, compartment_id=COMPARTMENT, vault_id=VAULT,
                                time_created=datetime.datetime.fromisoformat(created))


def test_find_secret_pages_and_filters(sdk):
    vault = ov.OciVault(params())
    client = mock.Mock()
    client.list_secrets.side_effect = [
        _Response([_summary(sdk, "other"), _summary(sdk, "lic", "DELETED", "ocid1.vaultsecret.oc1.iad.old")], "p2"),
        _Response([_summary(sdk, "lic", "PENDING_DELETION", "ocid1.vaultsecret.oc1.iad.pending")]),
    ]
    vault._clients[("vaults", None)] = client
    found = vault.find_secret(COMPARTMENT, VAULT, "lic")
    assert found["id"] == "ocid1.vaultsecret.oc1.iad.pending"
    assert client.list_secrets.call_args_list[1][1]["page"] == "p2"
    assert client.list_secrets.call_args_list[0][1]["name"] == "lic"
    client.list_secrets.side_effect = [_Response([_summary(sdk, "other")])]
    assert vault.find_secret(COMPARTMENT, VAULT, "lic") is None


def test_writes_that_must_not_repeat_are_not_retried(sdk, monkeypatch):
    vault = ov.OciVault(params(api_retries=3))
    client = mock.Mock()
    vault._clients[("vaults", None)] = client
    client.update_secret.return_value = _Response(None)
    vault.update_secret("ocid1.vaultsecret.oc1.iad.x", data=b"new", description="d")
    args, kwargs = client.update_secret.call_args
    assert isinstance(kwargs["retry_strategy"], sdk.retry.NoneRetryStrategy)
    assert args[1].secret_content.content == "bmV3" and args[1].secret_content.stage == "CURRENT"
    assert args[1].description == "d"

    vault.schedule_secret_deletion("ocid1.vaultsecret.oc1.iad.x", 30)
    details = client.schedule_secret_deletion.call_args[0][1]
    assert details.time_of_deletion is None
    vault.schedule_secret_deletion("ocid1.vaultsecret.oc1.iad.x", 7)
    details = client.schedule_secret_deletion.call_args[0][1]
    ahead = details.time_of_deletion - datetime.datetime.now(datetime.timezone.utc)
    assert datetime.timedelta(days=7) < ahead < datetime.timedelta(days=7, minutes=11)
    assert isinstance(client.schedule_secret_deletion.call_args[1]["retry_strategy"], sdk.retry.NoneRetryStrategy)


def test_wait_for_is_bounded():
    now = [0.0]
    sleeps = []

    def sleep(seconds):
        sleeps.append(seconds)
        now[0] += seconds

    vault = ov.OciVault(params(), sleep=sleep, clock=lambda: now[0])
    states = iter(["CREATING", "CREATING", "ACTIVE"])
    result = vault.wait_for("w", lambda: {"lifecycle_state": next(states)}, lambda o: o["lifecycle_state"] == "ACTIVE", 60)
    assert result["lifecycle_state"] == "ACTIVE" and sleeps == [1.0, 2.0]

    sleeps[:] = []
    with pytest.raises(ov.OciVaultError, match="still UPDATING after wait_timeout=5s"):
        vault.wait_for("w", lambda: {"lifecycle_state": "UPDATING"}, lambda o: False, 5)
    assert sum(sleeps) <= 5

    with pytest.raises(ov.OciVaultError, match="became FAILED"):
        vault.wait_for("w", lambda: {"lifecycle_state": "FAILED"}, lambda o: False, 5)


def test_result_shapes_hold_no_content():
    secret = {"id": "s", "secret_name": "n", "lifecycle_state": "ACTIVE", "current_version_number": 2}
    shaped = ov.secret_result(secret, "abc")
    assert shaped["content_sha256"] == "abc" and shaped["current_version_number"] == 2 and shaped["name"] == "n"
    assert ov.secret_result({}) == {}
    recipe = {"id": "r", "display_name": "x", "agent_settings": {"scan_level": "STANDARD", "agent_configuration": {
        "vendor": "QUALYS", "vault_secret_id": "s", "should_un_install": True}}, "schedule": {"type": "DAILY"}}
    shaped = ov.recipe_result(recipe)
    assert (shaped["agent_vendor"], shaped["vault_secret_id"], shaped["should_uninstall"], shaped["schedule"]) == (
        "QUALYS", "s", True, "DAILY")


def test_principal_signers_take_region_from_the_signer(sdk, monkeypatch):
    made = {}

    class FakeSigner(sdk.auth.signers.SecurityTokenSigner):
        region = "uk-london-1"

        def __init__(self, **kwargs):  # pylint: disable=super-init-not-called
            made.update(kwargs)

    monkeypatch.setattr(sdk.auth.signers, "InstancePrincipalsSecurityTokenSigner", FakeSigner)
    vault = ov.OciVault(params(auth_type="instance_principal", cert_bundle="/tmp/ca.pem"))
    config, signer = vault._load_config()
    assert isinstance(signer, FakeSigner) and config == {"region": "uk-london-1", "log_requests": False,
                                                         "additional_user_agent": "scanops.qualys"}
    assert made == {"federation_client_cert_bundle_verify": "/tmp/ca.pem"}

    monkeypatch.setattr(sdk.auth.signers, "get_resource_principals_signer", mock.Mock(side_effect=ValueError("no RP env")))
    with pytest.raises(ov.OciVaultError, match=r"auth_type=resource_principal\): ValueError: no RP env"):
        ov.OciVault(params(auth_type="resource_principal"))._load_config()
