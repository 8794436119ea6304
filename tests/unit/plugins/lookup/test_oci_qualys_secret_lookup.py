# -*- coding: utf-8 -*-
# Copyright (c) scanops.qualys contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The lookup scanops.qualys.oci_qualys_secret over a fake OciSecrets: parse modes, errors that never quote the
content, unsafe values, on_missing, and the connection options the modules' OciClient gets."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json

import pytest
import yaml

from ansible import constants as C
from ansible.errors import AnsibleError, AnsibleLookupError

from ansible_collections.scanops.qualys.plugins.lookup import oci_qualys_secret as lk
from ansible_collections.scanops.qualys.plugins.module_utils import oci_client as oc
from ansible_collections.scanops.qualys.plugins.module_utils.oci_client import OciError

VAULT = "ocid1.vault.oc1.iad.aaaaaaaaunitvault"
SECRET_ID = "ocid1.vaultsecret.oc1.iad.aaaaaaaaunitcreds"
LICENSE_ID = "ocid1.vaultsecret.oc1.iad.aaaaaaaaunitlicense"
TEXT_ID = "ocid1.vaultsecret.oc1.iad.aaaaaaaaunittext"

PASSWORD = "Unit-Sentinel-Passw0rd-9d41e2"
CREDS = {"username": "svc_unit", "password": PASSWORD, "api_url": "https://qualysapi.qg2.apps.qualys.com",
         "platform": "US2", "rotated_at": "2026-01-31T12:00:00Z"}
PENDING = dict(CREDS, password="Unit-Pending-Passw0rd-{{ 7 * 6 }}")
LICENSE = {"cid": "cid-unit-sentinel-0001", "aid": "aid-unit-sentinel-0002", "pwsUrl": "https://qagpublic.qg2.apps.qualys.com",
           "pwsPort": 443}
CONNECTION_ENV = ("OCI_CONFIG_FILE", "OCI_CONFIG_PROFILE", "OCI_ANSIBLE_AUTH_TYPE", "OCI_REGION", "OCI_SERVICE_ENDPOINT",
                  "OCI_ANSIBLE_CERT_BUNDLE", "OCI_SDK_DEFAULT_RETRY_ENABLED")


def encoded(doc):
    return json.dumps(doc).encode("utf-8")


class FakeSecrets(object):
    """What the lookup asks of oci_secrets.OciSecrets, over secrets held in memory.

    ``secrets``: {secret OCID: (name, {version number: (bytes, stages)})}; a missing version or secret is HTTP 404,
    as OCI answers.
    """

    def __init__(self, secrets, error=None):
        self.secrets = secrets
        self.error = error
        self.calls = []

    def find_secret_in_vault(self, vault_id, name):
        self.calls.append(("find", vault_id, name))
        if self.error:
            raise self.error
        for secret_id, (secret_name, dummy) in self.secrets.items():
            if secret_name == name and vault_id == VAULT:
                return secret_id
        return None

    def read_bundle(self, secret_id, stage=None, version_number=None):
        self.calls.append(("read", secret_id, stage, version_number))
        if self.error:
            raise self.error
        if secret_id not in self.secrets:
            raise OciError("read the secret bundle failed: HTTP 404 NotAuthorizedOrNotFound: not found.", status=404,
                           code="NotAuthorizedOrNotFound")
        versions = self.secrets[secret_id][1]
        for number in sorted(versions, reverse=True):
            data, stages = versions[number]
            if number == version_number or (version_number is None and stage in stages):
                return data, number, list(stages)
        raise OciError("read the secret bundle failed: HTTP 404 NotAuthorizedOrNotFound: no such version.", status=404,
                       code="NotAuthorizedOrNotFound")


def default_secrets():
    return {
        SECRET_ID: ("qualys-api-servicenow", {
            1: (encoded(CREDS), ["CURRENT"]),
            2: (encoded(PENDING), ["PENDING", "LATEST"]),
        }),
        LICENSE_ID: ("qualys-agent-license", {1: (encoded(LICENSE), ["CURRENT", "LATEST"])}),
        TEXT_ID: ("plain-text", {1: (b"just text {{ 1 + 1 }}", ["CURRENT", "LATEST"])}),
    }


class Recorder(object):
    """Stands in for the lookup's Display: keeps every message shown."""

    def __init__(self):
        self.messages = []

    def warning(self, msg, *args, **kwargs):
        self.messages.append(("warning", msg))

    def vvv(self, msg, *args, **kwargs):
        self.messages.append(("vvv", msg))

    def text(self):
        return "\n".join(msg for dummy, msg in self.messages)


@pytest.fixture
def env(monkeypatch):
    for name in CONNECTION_ENV:
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


@pytest.fixture
def shown(monkeypatch):
    recorder = Recorder()
    monkeypatch.setattr(lk, "display", recorder)
    return recorder


@pytest.fixture
def fake(monkeypatch, env, shown):
    """The FakeSecrets every lookup of the test reads from; ``fake.connections`` are the options OciClient got."""
    secrets = FakeSecrets(default_secrets())
    secrets.connections = []

    def factory(connection):
        secrets.connections.append(dict(connection))
        return secrets
    monkeypatch.setattr(lk.LookupModule, "_secrets", staticmethod(factory))
    return secrets


@pytest.fixture
def wrapped(monkeypatch):
    """The values that went through wrap_var (the unsafe marking)."""
    seen = []
    real = lk.wrap_var

    def spy(value):
        seen.append(value)
        return real(value)
    monkeypatch.setattr(lk, "wrap_var", spy)
    return seen


def new_lookup():
    """The plugin with its options registered, as the plugin loader does from DOCUMENTATION."""
    options = yaml.safe_load(lk.DOCUMENTATION)["options"]
    C.config.initialize_plugin_configuration_definitions("lookup", lk.PLUGIN, options)
    plugin = lk.LookupModule()
    plugin._load_name = lk.PLUGIN
    return plugin


def run(*terms, **kwargs):
    variables = kwargs.pop("variables", None)
    return new_lookup().run(list(terms), variables=variables, **kwargs)


def failure(*terms, **kwargs):
    with pytest.raises(AnsibleError) as caught:
        run(*terms, **kwargs)
    return str(caught.value)


def is_unsafe(value):
    try:  # ansible-core 2.19 and later: untrusted values are never templated
        from ansible.template import is_trusted_as_template
    except ImportError:
        from ansible.utils.unsafe_proxy import AnsibleUnsafe
        return isinstance(value, AnsibleUnsafe)
    return not is_trusted_as_template(value)


# ---------------------------------------------------------------- parse modes


def test_text_by_name_is_the_current_content_marked_unsafe(fake, wrapped):
    values = run("plain-text", vault_id=VAULT)
    assert values == ["just text {{ 1 + 1 }}"]
    assert is_unsafe(values[0]) and wrapped == ["just text {{ 1 + 1 }}"]
    assert fake.calls == [("find", VAULT, "plain-text"), ("read", TEXT_ID, "CURRENT", None)]


def test_json_by_ocid_is_a_parsed_object(fake, wrapped):
    values = run(LICENSE_ID, parse="json")
    assert values == [LICENSE]
    assert fake.calls == [("read", LICENSE_ID, "CURRENT", None)]
    assert all(is_unsafe(key) and is_unsafe(value) for key, value in values[0].items() if isinstance(value, str))
    assert wrapped == [LICENSE]


def test_credentials_by_name_and_by_ocid(fake, wrapped):
    by_name, by_ocid = run("qualys-api-servicenow", SECRET_ID, vault_id=VAULT, parse="credentials")
    assert by_name == by_ocid == CREDS
    assert is_unsafe(by_name["password"]) and is_unsafe(by_ocid["username"])
    assert len(wrapped) == 2


def test_a_list_of_terms_counts_as_its_names_in_order(fake):
    values = run(["plain-text"], ["qualys-api-servicenow"], vault_id=VAULT)
    assert values[0] == "just text {{ 1 + 1 }}" and json.loads(values[1]) == CREDS


def test_credentials_with_only_the_required_keys_and_extra_keys(fake):
    fake.secrets[SECRET_ID] = ("minimal", {1: (encoded({"username": "u1", "password": PASSWORD, "note": 3}), ["CURRENT"])})
    assert run(SECRET_ID, parse="credentials") == [{"username": "u1", "password": PASSWORD, "note": 3}]


def test_credentials_with_the_older_login_key_get_username(fake):
    fake.secrets[SECRET_ID] = ("old", {1: (encoded({"login": "svc_old", "password": PASSWORD, "api_url": None}), ["CURRENT"])})
    value = run(SECRET_ID, parse="credentials")[0]
    assert value["username"] == "svc_old" and value["login"] == "svc_old" and value["password"] == PASSWORD


def test_template_syntax_in_the_content_is_never_evaluated(fake):
    from ansible.parsing.dataloader import DataLoader
    from ansible.template import Templar
    value = run(SECRET_ID, stage="pending", parse="credentials")[0]
    assert value["password"] == PENDING["password"]
    templar = Templar(loader=DataLoader(), variables={"stored": value})
    assert templar.template(value["password"]) == PENDING["password"]


# ---------------------------------------------------------------- versions and stages


@pytest.mark.parametrize("stage, expected", [
    ("current", "CURRENT"), ("PENDING", "PENDING"), ("Latest", "LATEST"), ("previous", "PREVIOUS"),
])
def test_stage_is_read_as_oci_names_it(fake, stage, expected):
    run(SECRET_ID, stage=stage, on_missing="skip")
    assert fake.calls == [("read", SECRET_ID, expected, None)]


def test_pending_and_version_number(fake):
    assert run(SECRET_ID, stage="pending", parse="credentials") == [PENDING]
    assert run(SECRET_ID, version_number=1, parse="credentials") == [CREDS]
    assert fake.calls[-1] == ("read", SECRET_ID, None, 1)


def test_stage_and_version_number_are_exclusive_and_checked(fake):
    assert "mutually exclusive" in failure(SECRET_ID, stage="pending", version_number=2)
    assert "version_number must be 1 or more, got 0" in failure(SECRET_ID, version_number=0)
    assert "stage" in failure(SECRET_ID, stage="deprecated")
    assert fake.calls == []


# ---------------------------------------------------------------- errors never quote the content


@pytest.mark.parametrize("content, expected", [
    (encoded({"username": "svc"}), "missing password"),
    (encoded({"password": PASSWORD}), "missing username"),
    (encoded({"username": "svc", "password": ""}), "password is not a non-empty string"),
    (encoded({"username": "svc", "password": ["x", PASSWORD]}), "password is not a non-empty string"),
    (encoded({"username": "svc", "password": PASSWORD, "api_url": 42}), "api_url is not a string"),
    (encoded({"username": "svc", "password": PASSWORD, "rotated_at": {"at": PASSWORD}}), "rotated_at is not a string"),
    (encoded([CREDS]), "JSON but not an object"),
    (encoded(PASSWORD), "JSON but not an object"),
    (encoded(LICENSE), "holds a Qualys agent license"),
    (("user=svc password=%s" % PASSWORD).encode(), "not JSON (parse=credentials)"),
    (('{"username": "svc", "password": "%s"' % PASSWORD).encode(), "not JSON (parse=credentials)"),
    (b"\xff\xfe" + PASSWORD.encode("utf-16-le"), "not UTF-8 text"),
])
def test_content_that_is_not_credentials_is_refused_naming_the_secret_only(fake, content, expected):
    fake.secrets[SECRET_ID] = ("qualys-api-servicenow", {4: (content, ["CURRENT"])})
    message = failure("qualys-api-servicenow", vault_id=VAULT, parse="credentials")
    assert expected in message
    assert "secret qualys-api-servicenow in vault %s (version 4)" % VAULT in message
    for secret in (PASSWORD, LICENSE["cid"], LICENSE["aid"], "user=svc"):
        assert secret not in message


def test_not_json_with_parse_json_and_no_cause_chained(fake):
    fake.secrets[SECRET_ID] = ("broken", {1: (('{"password": "%s",' % PASSWORD).encode(), ["CURRENT"])})
    with pytest.raises(AnsibleLookupError) as caught:
        run(SECRET_ID, parse="json")
    assert "not JSON (parse=json)" in str(caught.value)
    # JSONDecodeError (and UnicodeDecodeError) carry the content: never attached to the error raised.
    error = caught.value
    while error is not None:
        assert PASSWORD not in repr(error) and PASSWORD not in repr(getattr(error, "__dict__", {}))
        error = error.__cause__ or error.__context__


def test_nothing_shown_holds_the_content(fake, shown):
    run("qualys-api-servicenow", SECRET_ID, vault_id=VAULT, parse="credentials")
    run(SECRET_ID, stage="pending")
    text = shown.text()
    assert "read secret qualys-api-servicenow in vault %s, version 1 (the CURRENT version)" % VAULT in text
    assert "read secret %s, version 2 (the PENDING version)" % SECRET_ID in text
    assert PASSWORD not in text and "Unit-Pending" not in text


# ---------------------------------------------------------------- on_missing


def test_missing_secret_is_an_error_by_default(fake):
    message = failure("no-such-secret", vault_id=VAULT)
    assert "no secret no-such-secret in vault %s" % VAULT in message and "404 NotAuthorizedOrNotFound" in message
    message = failure("ocid1.vaultsecret.oc1.iad.aaaaaaaaunitgone")
    assert "no secret ocid1.vaultsecret.oc1.iad.aaaaaaaaunitgone, or it has no CURRENT version, or no permission" in message


def test_missing_version_is_missing(fake):
    message = failure("qualys-api-servicenow", vault_id=VAULT, stage="previous")
    assert message.endswith("secret qualys-api-servicenow in vault %s has no PREVIOUS version" % VAULT)
    assert "no secret %s, or it has no version 9, or no permission" % SECRET_ID in failure(SECRET_ID, version_number=9)


def test_skip_returns_nothing_for_the_missing_terms_only(fake, shown):
    values = run("no-such-secret", "plain-text", "ocid1.vaultsecret.oc1.iad.aaaaaaaaunitgone", vault_id=VAULT,
                 on_missing="skip")
    assert values == ["just text {{ 1 + 1 }}"]
    assert [kind for kind, dummy in shown.messages if kind == "warning"] == []
    assert run("no-such-secret", vault_id=VAULT, on_missing="skip") == []


def test_warn_returns_nothing_and_warns_naming_the_secret(fake, shown):
    assert run("no-such-secret", vault_id=VAULT, on_missing="warn") == []
    warnings = [msg for kind, msg in shown.messages if kind == "warning"]
    assert len(warnings) == 1 and "no secret no-such-secret in vault %s" % VAULT in warnings[0]


def test_other_oci_errors_fail_whatever_on_missing(fake):
    fake.error = OciError("read the secret bundle by name failed: HTTP 401 NotAuthenticated: bad signature.", status=401,
                          code="NotAuthenticated")
    message = failure("plain-text", vault_id=VAULT, on_missing="skip")
    assert "cannot read secret plain-text in vault %s: read the secret bundle by name failed: HTTP 401" % VAULT in message


def test_a_missing_sdk_or_config_says_so_for_the_controller(fake):
    fake.error = OciError("oci is missing" + oc.CONTROLLER_HINT, kind="dependency")
    message = failure(SECRET_ID)
    assert "oci Python SDK is required on the controller" in message and "delegate_to" not in message
    fake.error = OciError("OCI config file not found: /nowhere (set config_file or OCI_CONFIG_FILE)" + oc.CONTROLLER_HINT,
                          kind="config")
    message = failure(SECRET_ID)
    assert message.endswith("OCI config file not found: /nowhere (set config_file or OCI_CONFIG_FILE)")


# ---------------------------------------------------------------- terms and vault_id


def test_names_need_a_vault_and_ocids_do_not(fake):
    message = failure("qualys-api-servicenow", "plain-text")
    assert "vault_id is required to read a secret by name (qualys-api-servicenow, plain-text)" in message
    assert fake.calls == []
    assert run(SECRET_ID) != []


@pytest.mark.parametrize("terms, kwargs, expected", [
    ((), {}, "at least one secret name or secret OCID"),
    (("bad name!",), {"vault_id": VAULT}, "the secret name 'bad name!' must be 1 to 255 letters"),
    (("ocid1.vault.oc1.iad.aaaaaaaaunitvault",), {}, "must be the OCID of a vaultsecret"),
    (("ocid1.vaultsecret",), {}, "is not a valid OCID"),
    ((42,), {}, "got a int"),
    (("plain-text",), {"vault_id": "my-vault"}, "vault_id is not a valid OCID"),
    (("plain-text",), {"vault_id": SECRET_ID}, "vault_id must be the OCID of a vault"),
    ((SECRET_ID,), {"service_endpoints": {"secret": "https://x"}}, "service_endpoints has unknown keys secret"),
    ((SECRET_ID,), {"api_retries": 11}, "api_retries must be between 0 and 10"),
    ((SECRET_ID,), {"service_endpoint": "ftp://x"}, "service_endpoint must be an http:// or https:// URL"),
    ((SECRET_ID,), {"parse": "yaml"}, "parse"),
    ((SECRET_ID,), {"on_missing": "ignore"}, "on_missing"),
])
def test_bad_input_fails_before_any_call(fake, terms, kwargs, expected):
    assert expected in failure(*terms, **kwargs)
    assert fake.calls == [] and fake.connections == []


# ---------------------------------------------------------------- connection options


def test_the_connection_defaults_are_the_modules(fake):
    run(SECRET_ID)
    assert fake.connections == [dict(config_file=None, config_profile="DEFAULT", auth_type="api_key", region=None,
                                     service_endpoint=None, service_endpoints=None, cert_bundle=None, api_retries=None)]


def test_environment_variables_fill_the_options(fake, env, tmp_path):
    env.setenv("OCI_CONFIG_FILE", str(tmp_path / "config"))
    env.setenv("OCI_CONFIG_PROFILE", "AUTOMATION")
    env.setenv("OCI_ANSIBLE_AUTH_TYPE", "instance_principal")
    env.setenv("OCI_REGION", "eu-frankfurt-1")
    env.setenv("OCI_SERVICE_ENDPOINT", "https://127.0.0.1:8443")
    env.setenv("OCI_ANSIBLE_CERT_BUNDLE", str(tmp_path / "ca.pem"))
    run(SECRET_ID)
    assert fake.connections[0] == dict(config_file=str(tmp_path / "config"), config_profile="AUTOMATION",
                                       auth_type="instance_principal", region="eu-frankfurt-1",
                                       service_endpoint="https://127.0.0.1:8443", service_endpoints=None,
                                       cert_bundle=str(tmp_path / "ca.pem"), api_retries=None)


def test_empty_environment_variables_count_as_unset(fake, env):
    for name in CONNECTION_ENV[:6]:
        env.setenv(name, "")
    run(SECRET_ID)
    assert fake.connections[0] == dict(config_file=None, config_profile="DEFAULT", auth_type="api_key", region=None,
                                       service_endpoint=None, service_endpoints=None, cert_bundle=None, api_retries=None)


def test_keyword_arguments_win_over_variables_which_win_over_the_environment(fake, env):
    env.setenv("OCI_REGION", "eu-frankfurt-1")
    env.setenv("OCI_CONFIG_PROFILE", "FROM_ENV")
    env.setenv("OCI_ANSIBLE_AUTH_TYPE", "")
    variables = {"scanops_qualys_oci_region": "us-phoenix-1", "scanops_qualys_oci_config_profile": "FROM_VARS",
                 "scanops_qualys_oci_vault_id": VAULT, "scanops_qualys_oci_auth_type": "resource_principal",
                 "scanops_qualys_oci_service_endpoints": {"secrets": "https://secrets.example.com"},
                 "scanops_qualys_oci_api_retries": 2}
    assert run("plain-text", variables=variables, config_profile="FROM_KWARGS") == ["just text {{ 1 + 1 }}"]
    connection = fake.connections[0]
    assert connection["region"] == "us-phoenix-1" and connection["config_profile"] == "FROM_KWARGS"
    assert connection["auth_type"] == "resource_principal" and connection["api_retries"] == 2
    assert connection["service_endpoints"]["secrets"] == "https://secrets.example.com"
    assert connection["service_endpoints"]["vaults"] is None


def test_the_real_oci_secrets_and_client_are_what_the_lookup_builds(env):
    vault = lk.LookupModule._secrets(dict(config_file=None, config_profile="DEFAULT", auth_type="api_key", region=None,
                                          service_endpoint=None, service_endpoints=None, cert_bundle=None, api_retries=1))
    assert type(vault).__name__ == "OciSecrets" and isinstance(vault.oci, oc.OciClient) and vault.oci.retries == 1
