# -*- coding: utf-8 -*-
# Copyright (c) scanops.qualys contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""oci_client: input checks, config loading, clients, retries, error mapping, paging, waits (SDK mocked)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import sys

import pytest

from ansible_collections.scanops.qualys.plugins.module_utils import oci_client as oc
from ansible_collections.scanops.qualys.plugins.module_utils.oci_secrets import OciSecrets

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
    oc.check_ocid(value, "x")


@pytest.mark.parametrize("value", ["vault-1", "ocid1.vault", "ocid2.vault.oc1.iad.aaa", "ocid1.Vault.oc1.iad.aaa",
                                   "ocid1.vault.oc1.iad.", 42])
def test_invalid_ocids_name_the_option(value):
    with pytest.raises(oc.OciError) as err:
        oc.check_ocid(value, "vault_id")
    assert str(err.value).startswith("vault_id is not a valid OCID")


def test_ocid_type_is_checked():
    oc.check_ocid(TENANCY, "compartment_id", ("compartment", "tenancy"))
    with pytest.raises(oc.OciError) as err:
        oc.check_ocid(VAULT, "key_id", ("key",))
    assert "key_id must be the OCID of a key" in str(err.value)
    oc.check_ocid(None, "key_id", ("key",))


def test_common_params():
    oc.check_common_params(params(api_retries=0, service_endpoint="https://127.0.0.1:8443/prefix"))
    with pytest.raises(oc.OciError, match="api_retries must be between 0 and 10"):
        oc.check_common_params(params(api_retries=11))
    with pytest.raises(oc.OciError, match="service_endpoints.secrets must be an http"):
        oc.check_common_params(params(service_endpoints={"secrets": "ftp://x"}))
    with pytest.raises(oc.OciError, match="service_endpoint must be"):
        oc.check_common_params(params(service_endpoint="https://h/?q=1"))


def test_retry_default_follows_the_sdk_switch(monkeypatch):
    monkeypatch.delenv("OCI_SDK_DEFAULT_RETRY_ENABLED", raising=False)
    assert oc.OciClient(params()).retries == 3
    monkeypatch.setenv("OCI_SDK_DEFAULT_RETRY_ENABLED", "false")
    assert oc.OciClient(params()).retries == 0
    assert oc.OciClient(params(api_retries=2)).retries == 2


def test_argument_spec_env_fallbacks():
    spec = oc.oci_argument_spec()
    assert spec["config_file"]["fallback"][1] == ["OCI_CONFIG_FILE"]
    assert spec["config_profile"]["fallback"][1] == ["OCI_CONFIG_PROFILE"]
    assert spec["region"]["fallback"][1] == ["OCI_REGION"]
    assert spec["auth_type"]["fallback"][1] == ["OCI_ANSIBLE_AUTH_TYPE"]


def test_defined_tags_merge_and_compare():
    current = {"Oracle-Tags": {"CreatedBy": "x"}, "ops": {"team": "a"}}
    assert oc.merge_defined_tags(current, {"ops": {"team": "b"}}) == {"Oracle-Tags": {"CreatedBy": "x"}, "ops": {"team": "b"}}
    assert not oc.tags_differ(current, {"ops": {"team": "a"}}, defined=True)
    assert oc.tags_differ(current, {"ops": {"team": "b"}}, defined=True)
    assert not oc.tags_differ({"a": "1"}, None)
    assert oc.tags_differ({"a": "1"}, {})


# ---------------------------------------------------------------- SDK setup


def test_config_forces_request_logging_off(sdk, config_file):
    vault = oc.OciClient(params(config_file=config_file))
    config, signer = vault.load_config()
    assert config["log_requests"] is False and signer is None
    assert config["region"] == "us-ashburn-1"
    vault = oc.OciClient(params(config_file=config_file, region="eu-frankfurt-1"))
    assert vault.load_config()[0]["region"] == "eu-frankfurt-1"
    # The profile says log_requests=True; a client built from it must leave http.client quiet.
    import http.client
    http.client.HTTPConnection.debuglevel = 1
    try:
        oc.OciClient(params(config_file=config_file, service_endpoint="https://127.0.0.1:9")).client("vaults")
        assert http.client.HTTPConnection.debuglevel == 0
    finally:
        http.client.HTTPConnection.debuglevel = 0


def test_config_errors_are_clear(sdk, config_file, tmp_path, monkeypatch):
    monkeypatch.delenv("OCI_REGION", raising=False)
    with pytest.raises(oc.OciError, match="OCI config file not found: .*run it on the controller"):
        oc.OciClient(params(config_file=str(tmp_path / "missing"))).load_config()
    with pytest.raises(oc.OciError, match="profile NOPE not found.*its profiles are: DEFAULT"):
        oc.OciClient(params(config_file=config_file, config_profile="NOPE")).load_config()
    no_region = tmp_path / "no-region"
    no_region.write_text("[OTHER]\nuser=%s\nfingerprint=%s\ntenancy=%s\nkey_file=%s\n"
                         % (USER, ":".join(["cd"] * 16), TENANCY, tmp_path / "key.pem"))
    with pytest.raises(oc.OciError, match="invalid OCI configuration"):
        oc.OciClient(params(config_file=str(no_region), config_profile="OTHER")).load_config()
    with pytest.raises(oc.OciError, match="security_token_file"):
        oc.OciClient(params(config_file=config_file, auth_type="security_token")).load_config()


def test_clients_use_endpoints_retry_and_no_circuit_breaker(sdk, config_file):
    vault = oc.OciClient(params(config_file=config_file, service_endpoint="https://127.0.0.1:9/",
                                service_endpoints={"secrets": "https://127.0.0.2:9"}, api_retries=2))
    assert vault.client("vaults").base_client.endpoint == "https://127.0.0.1:9/20180608"
    assert vault.client("secrets").base_client.endpoint == "https://127.0.0.2:9/20190301"
    assert vault.client("vaults") is vault.client("vaults")
    strategy = vault.client("vaults").retry_strategy
    limits = dict((k, v) for checker in strategy.checkers.checkers for k, v in vars(checker).items())
    assert limits["max_attempts"] == 3 and limits["time_limit_seconds"] == oc.RETRY_TOTAL_SECONDS
    assert strategy.max_wait_between_calls_seconds == oc.RETRY_MAX_SLEEP_SECONDS
    assert vault.client("vaults").base_client.circuit_breaker_strategy.__class__.__name__ == "NoCircuitBreakerStrategy"
    none = oc.OciClient(params(config_file=config_file, api_retries=0))
    assert isinstance(none.retry_strategy(), sdk.retry.NoneRetryStrategy)
    mgmt = OciSecrets(vault).kms_management("https://mgmt.example:443")
    assert mgmt.base_client.endpoint == "https://mgmt.example:443"


def test_cert_bundle_wins_over_requests_ca_bundle(sdk, config_file, monkeypatch):
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", "/etc/ssl/certs/ca-certificates.crt")
    vault = oc.OciClient(params(config_file=config_file, service_endpoint="https://127.0.0.1:9",
                                cert_bundle="/tmp/test-ca.pem"))
    session = vault.client("vaults").base_client.session
    settings = session.merge_environment_settings("https://127.0.0.1:9/x", {}, None, None, None)
    assert settings["verify"] == "/tmp/test-ca.pem"


def test_missing_sdk_fails_with_missing_required_lib(monkeypatch):
    monkeypatch.setattr(oc, "oci", None)
    monkeypatch.setitem(sys.modules, "oci", None)
    module = mock.Mock()
    module.fail_json.side_effect = SystemExit(1)
    with pytest.raises(SystemExit):
        oc.import_oci(module)
    assert "oci" in module.fail_json.call_args[1]["msg"]
    assert "delegate_to: localhost" in module.fail_json.call_args[1]["msg"]
    with pytest.raises(oc.OciError, match="Failed to import the required Python library.*delegate_to: localhost"):
        oc.import_oci()


# ---------------------------------------------------------------- calls


def _service_error(sdk, status, code, message="m"):
    return sdk.exceptions.ServiceError(status, code, {"opc-request-id": "REQ1"}, message)


def test_service_errors_become_one_type(sdk):
    vault = oc.OciClient(params(config_profile="PROD"))
    func = mock.Mock(side_effect=_service_error(sdk, 401, "NotAuthenticated", "The signature is wrong."))
    with pytest.raises(oc.OciError) as err:
        vault.call("list secrets", func)
    text = str(err.value)
    assert text.startswith("list secrets failed: HTTP 401 NotAuthenticated: The signature is wrong.")
    assert "profile PROD" in text and "opc-request-id REQ1" in text
    assert err.value.as_result() == {"error_kind": "auth", "error_code": "NotAuthenticated", "http_status": 401,
                                     "request_id": "REQ1",
                                     # the 0.1.0 names, kept as deprecated aliases
                                     "status": 401, "code": "NotAuthenticated", "opc_request_id": "REQ1"}
    func = mock.Mock(side_effect=_service_error(sdk, 404, "NotAuthorizedOrNotFound"))
    with pytest.raises(oc.OciError, match="policies"):
        vault.call("get secret", func)


def test_transport_errors_become_one_type(sdk):
    vault = oc.OciClient(params())
    func = mock.Mock(side_effect=sdk.exceptions.RequestException("connection refused"))
    with pytest.raises(oc.OciError, match="cannot reach OCI"):
        vault.call("list secrets", func)
    func = mock.Mock(side_effect=KeyError("contentType"))
    with pytest.raises(oc.OciError, match="KeyError"):
        vault.call("read", func)


def test_wait_for_is_bounded():
    now = [0.0]
    sleeps = []

    def sleep(seconds):
        sleeps.append(seconds)
        now[0] += seconds

    vault = oc.OciClient(params(), sleep=sleep, clock=lambda: now[0])
    states = iter(["CREATING", "CREATING", "ACTIVE"])
    result = vault.wait_for("w", lambda: {"lifecycle_state": next(states)}, lambda o: o["lifecycle_state"] == "ACTIVE", 60)
    assert result["lifecycle_state"] == "ACTIVE" and sleeps == [1.0, 2.0]

    sleeps[:] = []
    with pytest.raises(oc.OciError, match="still UPDATING after wait_timeout=5s"):
        vault.wait_for("w", lambda: {"lifecycle_state": "UPDATING"}, lambda o: False, 5)
    assert sum(sleeps) <= 5

    with pytest.raises(oc.OciError, match="became FAILED"):
        vault.wait_for("w", lambda: {"lifecycle_state": "FAILED"}, lambda o: False, 5)


def test_principal_signers_take_region_from_the_signer(sdk, monkeypatch):
    made = {}

    class FakeSigner(sdk.auth.signers.SecurityTokenSigner):
        region = "uk-london-1"

        def __init__(self, **kwargs):  # pylint: disable=super-init-not-called
            made.update(kwargs)

    monkeypatch.setattr(sdk.auth.signers, "InstancePrincipalsSecurityTokenSigner", FakeSigner)
    vault = oc.OciClient(params(auth_type="instance_principal", cert_bundle="/tmp/ca.pem"))
    config, signer = vault.load_config()
    assert isinstance(signer, FakeSigner) and config == {"region": "uk-london-1", "log_requests": False,
                                                         "additional_user_agent": "scanops.qualys"}
    assert made == {"federation_client_cert_bundle_verify": "/tmp/ca.pem"}

    monkeypatch.setattr(sdk.auth.signers, "get_resource_principals_signer", mock.Mock(side_effect=ValueError("no RP env")))
    with pytest.raises(oc.OciError, match=r"auth_type=resource_principal\): ValueError: no RP env"):
        oc.OciClient(params(auth_type="resource_principal")).load_config()


# ---------------------------------------------------------------- messages and outcomes


def test_transport_error_keeps_its_cause(sdk):
    # Issue 16 item 14: the cause came after 300 characters and was cut off.
    vault = oc.OciClient(params())
    query = "compartmentId=%s&name=qualys-license&vaultId=%s" % ("ocid1.compartment.oc1..aaaaaaaa" + "b" * 60,
                                                                 "ocid1.vault.oc1.iad." + "c" * 60)
    text = ("HTTPSConnectionPool(host='vaults.us-ashburn-1.oci.oraclecloud.com', port=443): Max retries exceeded with "
            "url: /20180608/secrets?%s (Caused by SSLError(SSLCertVerificationError(1, '[SSL: CERTIFICATE_VERIFY_FAILED] "
            "certificate verify failed: self-signed certificate in certificate chain')))" % query)
    assert len(text) > 300
    func = mock.Mock(side_effect=sdk.exceptions.RequestException(text))
    with pytest.raises(oc.OciError) as err:
        vault.call("list secrets", func)
    assert "CERTIFICATE_VERIFY_FAILED" in str(err.value) and "self-signed certificate" in str(err.value)
    assert err.value.kind == "transport" and not err.value.outcome_unknown


def test_service_message_is_whole_up_to_the_limit(sdk):
    vault = oc.OciClient(params())
    cause = "x" * 900 + " the cause at the end"
    func = mock.Mock(side_effect=_service_error(sdk, 400, "InvalidParameter", cause))
    with pytest.raises(oc.OciError) as err:
        vault.call("create secret", func)
    assert cause in str(err.value) and err.value.kind == "api"
    func = mock.Mock(side_effect=_service_error(sdk, 502, None, "<html>" + "y" * 5000 + "</html>"))
    with pytest.raises(oc.OciError) as err:
        vault.call("get secret", func)
    assert "y" * oc.MESSAGE_LIMIT not in str(err.value) and "y" * 900 in str(err.value)
    assert len(str(err.value)) < oc.MESSAGE_LIMIT + 200 and "..." in str(err.value)


def test_a_write_without_a_reply_has_an_unknown_outcome(sdk):
    vault = oc.OciClient(params())
    func = mock.Mock(side_effect=sdk.exceptions.RequestException("Connection aborted: RemoteDisconnected"))
    with pytest.raises(oc.OciError) as err:
        vault.call("create secret", func, write=True)
    assert err.value.outcome_unknown and err.value.kind == "transport"
    assert "write" not in func.call_args[1]
    func = mock.Mock(side_effect=_service_error(sdk, 409, "Conflict", "taken"))
    with pytest.raises(oc.OciError) as err:
        vault.call("create secret", func, write=True)
    assert not err.value.outcome_unknown


@pytest.mark.parametrize("status, kind", [(401, "auth"), (404, "not_found"), (429, "limit"), (409, "api"), (500, "api")])
def test_error_kinds_follow_the_status(status, kind):
    assert oc.OciError("m", status=status).kind == kind
    assert oc.OciError("m", kind="config").as_result() == {"error_kind": "config"}
