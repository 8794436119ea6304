# -*- coding: utf-8 -*-
# Copyright (c) scanops.qualys contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The one place where the collection meets the ``oci`` SDK: config, signers, clients, errors.

``OciClient`` builds the SDK clients from a module's parameters and runs
every SDK call through ``call()``, so everything comes back as plain dicts
and every failure as ``OciError``. What to call lives with what it talks to:
``oci_secrets`` (Vault, Secrets, KMS) and ``oci_scan_recipes`` (Vulnerability
Scanning) take an ``OciClient``.

* The SDK is imported on first use (``import_oci``), so argument checks fail
  fast and ``ansible-test sanity --test import`` passes without it.
* Clients are built on first use from a config file profile, instance or
  resource principals, or a session token (``auth_type``).
* ``config["log_requests"]`` is always False: with it the SDK lets
  http.client print request bodies - the secret content - to stdout.
* Retries are explicit and bounded (``api_retries``); the circuit breaker is
  off (one module run is one short-lived process).
* Messages keep what the service said, whole up to ``MESSAGE_LIMIT`` characters.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import datetime
import importlib
import os
import re
import time
import traceback

from ansible.module_utils.basic import missing_required_lib

from ansible_collections.scanops.qualys.plugins.module_utils.env import env_fallback
from ansible_collections.scanops.qualys.plugins.module_utils.oci_ids import ocid_problem
from ansible_collections.scanops.qualys.plugins.module_utils.resource_module import error_result

oci = None  # the SDK package once import_oci() succeeded
OCI_IMPORT_ERROR = None

AUTH_TYPES = ('api_key', 'instance_principal', 'resource_principal', 'security_token')
SERVICE_KEYS = ('vaults', 'secrets', 'kms', 'kms_management', 'vulnerability_scanning')

DEFAULT_API_RETRIES = 3
RETRY_TOTAL_SECONDS = 60
RETRY_MAX_SLEEP_SECONDS = 8

# What the service (or the transport) said is kept whole up to this many characters.
MESSAGE_LIMIT = 1000

# HTTP status -> error_kind of the shared vocabulary (resource_module.error_result); other statuses are "api".
_KIND_BY_STATUS = {401: 'auth', 403: 'auth', 404: 'not_found', 429: 'limit'}


# Said when the SDK or the configuration is missing: the usual cause is a task running on a managed host.
CONTROLLER_HINT = ('. The OCI modules call OCI from the machine that runs the task: run it on the controller '
                   '(delegate_to: localhost), where the collection requirements and the OCI configuration are.')


class OciError(Exception):
    """The single error type raised from the OCI module_utils.

    kind: as in resource_module.error_result (config, dependency, transport,
    auth, not_found, limit, ambiguous, state, api).
    outcome_unknown: a write whose reply was lost; look before repeating it.
    """

    def __init__(self, message, status=None, code=None, request_id=None, kind=None, outcome_unknown=False):
        super(OciError, self).__init__(message)
        self.status = status
        self.code = code
        self.request_id = request_id
        self.kind = kind or _KIND_BY_STATUS.get(status, 'api')
        self.outcome_unknown = outcome_unknown

    def as_result(self):
        """Fields for fail_json besides msg: the shared vocabulary, plus the names 0.1.0 used."""
        result = error_result(self.kind, self.code, self.status, self.request_id)
        # Deprecated aliases of http_status, error_code and request_id (the 0.1.0 names).
        if self.status is not None:
            result['status'] = self.status
        if self.code:
            result['code'] = self.code
        if self.request_id:
            result['opc_request_id'] = self.request_id
        return result


# --------------------------------------------------------------------------
# Argument spec shared by every OCI module (documented in doc_fragments/oci.py)


# API key settings that environment variables override (the names oracle.oci uses).
API_KEY_ENV = {
    'user': 'OCI_USER_ID',
    'fingerprint': 'OCI_USER_FINGERPRINT',
    'key_file': 'OCI_USER_KEY_FILE',
    'pass_phrase': 'OCI_USER_KEY_PASS_PHRASE',
    'tenancy': 'OCI_TENANCY',
}
API_KEY_REQUIRED = ('user', 'fingerprint', 'key_file', 'tenancy')


def oci_argument_spec():
    return dict(
        config_file=dict(type='path', fallback=(env_fallback, ['OCI_CONFIG_FILE'])),
        config_profile=dict(type='str', default='DEFAULT', fallback=(env_fallback, ['OCI_CONFIG_PROFILE'])),
        auth_type=dict(type='str', default='api_key', choices=list(AUTH_TYPES),
                       fallback=(env_fallback, ['OCI_ANSIBLE_AUTH_TYPE'])),
        region=dict(type='str', fallback=(env_fallback, ['OCI_REGION'])),
        service_endpoint=dict(type='str', fallback=(env_fallback, ['OCI_SERVICE_ENDPOINT'])),
        service_endpoints=dict(type='dict', options=dict(
            vaults=dict(type='str'),
            secrets=dict(type='str', no_log=False),
            kms=dict(type='str'),
            kms_management=dict(type='str'),
            vulnerability_scanning=dict(type='str'),
        )),
        cert_bundle=dict(type='path', fallback=(env_fallback, ['OCI_ANSIBLE_CERT_BUNDLE'])),
        api_retries=dict(type='int'),
    )


def check_ocid(value, option, types=None):
    """Raise OciError unless ``value`` is an OCID (of one of ``types``); the rule is oci_ids'."""
    problem = ocid_problem(value, option, types)
    if problem:
        raise OciError(problem, kind='config')


def check_common_params(params):
    """Checks on the shared options that need no SDK; raises OciError."""
    retries = params.get('api_retries')
    if retries is not None and not 0 <= retries <= 10:
        raise OciError('api_retries must be between 0 and 10, got %d' % retries, kind='config')
    endpoints = dict((params.get('service_endpoints') or {}))
    endpoints['service_endpoint'] = params.get('service_endpoint')
    for key, url in endpoints.items():
        if url is None:
            continue
        if not re.match(r'^https?://[^/?#@\s]+(/[^?#\s]*)?$', url):
            name = key if key == 'service_endpoint' else 'service_endpoints.%s' % key
            raise OciError('%s must be an http:// or https:// URL without query, got %r' % (name, url), kind='config')


def import_oci(module=None):
    """Import the SDK once; fail the module (or raise) when it is missing."""
    global oci, OCI_IMPORT_ERROR  # pylint: disable=global-statement
    if oci is not None:
        return oci
    try:
        sdk = importlib.import_module('oci')
        for name in ('auth.signers', 'circuit_breaker', 'config', 'exceptions', 'retry', 'signer', 'util'):
            importlib.import_module('oci.' + name)
    except ImportError:
        OCI_IMPORT_ERROR = traceback.format_exc()
        if module is not None:
            module.fail_json(msg=missing_required_lib('oci') + CONTROLLER_HINT, exception=OCI_IMPORT_ERROR, error_kind='dependency')
        raise OciError(missing_required_lib('oci') + CONTROLLER_HINT, kind='dependency')
    oci = sdk
    return oci


def sdk_module(name):
    """``oci.<name>`` (the SDK loads service packages on demand)."""
    import_oci()
    return importlib.import_module('oci.' + name)


def utcnow():
    return datetime.datetime.now(datetime.timezone.utc)


def plain(model):
    """An SDK model as a plain dict (None stays None)."""
    return oci.util.to_dict(model) if model is not None else None


def retry_token():
    """An opc-retry-token: a retried create with it cannot make a second object."""
    return 'scanops-' + os.urandom(11).hex()


def bounded(text, limit=MESSAGE_LIMIT):
    """``text`` whole, or its first ``limit`` characters and '...'."""
    text = str(text)
    return text if len(text) <= limit else text[:limit] + '...'


def _effective_retries(params):
    retries = params.get('api_retries')
    if retries is not None:
        return retries
    if os.environ.get('OCI_SDK_DEFAULT_RETRY_ENABLED', '').strip().lower() in ('false', '0', 'no', 'off'):
        return 0
    return DEFAULT_API_RETRIES


# Client factories by service key: (SDK package, client class).
_CLIENTS = {
    'vaults': ('vault', 'VaultsClient'),
    'secrets': ('secrets', 'SecretsClient'),
    'kms': ('key_management', 'KmsVaultClient'),
    'kms_management': ('key_management', 'KmsManagementClient'),
    'vulnerability_scanning': ('vulnerability_scanning', 'VulnerabilityScanningClient'),
}


class OciClient:
    """Lazily built OCI SDK clients sharing one config and signer, and the one way to call them."""

    def __init__(self, params, module=None, sleep=time.sleep, clock=time.monotonic):
        self.params = params
        self.module = module
        self._sleep = sleep
        self._clock = clock
        self._config = None
        self._signer = None
        self._clients = {}
        self._key_signer = None
        self.retries = _effective_retries(params)

    # ---------------------------------------------------------------- setup

    def _sdk(self):
        return import_oci(self.module)

    def retry_strategy(self):
        sdk = self._sdk()
        if self.retries <= 0:
            return sdk.retry.NoneRetryStrategy()
        return sdk.retry.RetryStrategyBuilder(
            max_attempts_check=True,
            max_attempts=self.retries + 1,
            total_elapsed_time_check=True,
            total_elapsed_time_seconds=RETRY_TOTAL_SECONDS,
            retry_max_wait_between_calls_seconds=RETRY_MAX_SLEEP_SECONDS,
            retry_base_sleep_time_seconds=1,
            service_error_check=True,
        ).get_retry_strategy()

    def no_retry(self):
        return self._sdk().retry.NoneRetryStrategy()

    def load_config(self):
        if self._config is not None:
            return self._config, self._signer
        sdk = self._sdk()
        p = self.params
        auth_type = p.get('auth_type') or 'api_key'
        profile = p.get('config_profile') or 'DEFAULT'
        config = {}
        signer = None
        try:
            from_env = dict((key, os.environ[var]) for key, var in API_KEY_ENV.items() if os.environ.get(var))
            if auth_type == 'api_key' and not p.get('config_file') and set(API_KEY_REQUIRED) <= set(from_env):
                # AWX-style: the key arrives as a file and the rest as variables, no config file.
                config = from_env
            elif auth_type in ('api_key', 'security_token'):
                path = p.get('config_file') or sdk.config.DEFAULT_LOCATION
                config = sdk.config.from_file(file_location=path, profile_name=profile)
                if auth_type == 'api_key':
                    config.update(from_env)
            if p.get('region'):
                config['region'] = p['region']
            if auth_type == 'instance_principal':
                kwargs = {}
                if p.get('cert_bundle'):
                    kwargs['federation_client_cert_bundle_verify'] = p['cert_bundle']
                signer = sdk.auth.signers.InstancePrincipalsSecurityTokenSigner(**kwargs)
            elif auth_type == 'resource_principal':
                signer = sdk.auth.signers.get_resource_principals_signer()
            elif auth_type == 'security_token':
                token_file = config.get('security_token_file')
                if not token_file:
                    raise OciError('auth_type=security_token needs security_token_file in profile %s of the config file'
                                   % profile, kind='config')
                with open(os.path.expanduser(token_file), 'r') as handle:
                    token = handle.read().strip()
                private_key = sdk.signer.load_private_key_from_file(config.get('key_file'), config.get('pass_phrase'))
                signer = sdk.auth.signers.SecurityTokenSigner(token, private_key)
            if signer is not None and not config.get('region') and getattr(signer, 'region', None):
                config['region'] = signer.region
            # Never let the SDK print requests: the bodies carry secret content.
            config['log_requests'] = False
            config['additional_user_agent'] = 'scanops.qualys'
            if signer is None:
                sdk.config.validate_config(config)
            elif not config.get('region'):
                raise OciError('region is required: set the region option or OCI_REGION', kind='config')
        except OciError:
            raise
        except sdk.exceptions.ConfigFileNotFound:
            raise OciError(('OCI config file not found: %s (set config_file or OCI_CONFIG_FILE)'
                            % (p.get('config_file') or sdk.config.DEFAULT_LOCATION)) + CONTROLLER_HINT, kind='config')
        except sdk.exceptions.ProfileNotFound:
            path = p.get('config_file') or sdk.config.DEFAULT_LOCATION
            raise OciError('profile %s not found in the OCI config file %s (config_profile / OCI_CONFIG_PROFILE); '
                           'its profiles are: %s' % (profile, path, ', '.join(_config_profiles(path)) or 'none'),
                           kind='config')
        except sdk.exceptions.InvalidConfig as exc:
            raise OciError('invalid OCI configuration for auth_type=%s: %s' % (auth_type, bounded(exc)), kind='config')
        except Exception as exc:  # signers read files and talk to metadata services
            raise OciError('cannot set up OCI authentication (auth_type=%s): %s: %s'
                           % (auth_type, type(exc).__name__, bounded(exc)), kind='config')
        self._config, self._signer = config, signer
        return config, signer

    def endpoint_for(self, key):
        endpoints = self.params.get('service_endpoints') or {}
        url = endpoints.get(key)
        if not url and key != 'kms_management':
            url = self.params.get('service_endpoint')
        return url.rstrip('/') if url else None

    def client(self, key, endpoint=None):
        """The SDK client of service ``key`` (see ``SERVICE_KEYS``), built once per endpoint."""
        cache_key = (key, endpoint)
        if cache_key in self._clients:
            return self._clients[cache_key]
        sdk = self._sdk()
        config, signer = self.load_config()
        package, class_name = _CLIENTS[key]
        factory = getattr(sdk_module(package), class_name)
        kwargs = dict(
            retry_strategy=self.retry_strategy(),
            circuit_breaker_strategy=sdk.circuit_breaker.NoCircuitBreakerStrategy(),
        )
        url = endpoint or self.endpoint_for(key)
        try:
            if signer is None and 'authentication_type' not in config:
                signer = self._api_key_signer(sdk, config)
            if signer is not None:
                kwargs['signer'] = signer
            if key == 'kms_management':
                client = factory(config, url, **kwargs)
            else:
                if url:
                    kwargs['service_endpoint'] = url
                client = factory(config, **kwargs)
        except Exception as exc:
            raise OciError('cannot create the OCI %s client: %s: %s' % (key, type(exc).__name__, bounded(exc)),
                           kind='config')
        _trust_only(client.base_client.session, self.params.get('cert_bundle'))
        self._clients[cache_key] = client
        return client

    def _api_key_signer(self, sdk, config):
        """One API key signer for every client: each client would otherwise load and check the private key again."""
        if self._key_signer is None:
            self._key_signer = sdk.signer.Signer(
                tenancy=config['tenancy'],
                user=config['user'],
                fingerprint=config['fingerprint'],
                private_key_file_location=config.get('key_file'),
                pass_phrase=config.get('pass_phrase'),
                private_key_content=config.get('key_content'),
            )
        return self._key_signer

    # ---------------------------------------------------------------- calls

    def call(self, what, func, *args, **kwargs):
        """Run one SDK call; turn every SDK failure into OciError.

        ``write=True`` marks a call that changes something: when it fails without a
        reply from the service, its outcome is unknown (``OciError.outcome_unknown``).
        """
        write = kwargs.pop('write', False)
        sdk = self._sdk()
        try:
            return func(*args, **kwargs)
        except sdk.exceptions.ServiceError as exc:
            raise self._service_error(what, exc)
        except OciError:
            raise
        except Exception as exc:
            base = getattr(sdk.exceptions, 'BaseRequestException', None)
            if base is not None and isinstance(exc, base):
                raise OciError('%s: cannot reach OCI: %s: %s' % (what, type(exc).__name__, bounded(exc)),
                               kind='transport', outcome_unknown=write)
            if type(exc).__name__ == 'CircuitBreakerError':
                raise OciError('%s: the SDK circuit breaker is open: %s' % (what, bounded(exc)), kind='transport')
            raise OciError('%s: %s: %s' % (what, type(exc).__name__, bounded(exc)), outcome_unknown=write)

    def _service_error(self, what, exc):
        status = getattr(exc, 'status', None)
        code = getattr(exc, 'code', None)
        message = bounded(str(getattr(exc, 'message', None) or '').strip().rstrip('.'))
        request_id = getattr(exc, 'request_id', None)
        text = '%s failed: HTTP %s %s: %s%s' % (what, status, code, message, '' if message.endswith('...') else '.')
        if status == 401:
            text += (' The request signature was not accepted: check that the API key of profile %s '
                     '(user, fingerprint, key_file) is the one uploaded for the user, or the auth_type.'
                     % (self.params.get('config_profile') or 'DEFAULT'))
        elif status == 404 and code == 'NotAuthorizedOrNotFound':
            text += ' The object does not exist or the policies do not let this principal see it.'
        if request_id:
            text += ' (opc-request-id %s)' % request_id
        return OciError(text, status=status, code=code, request_id=request_id)

    def list_all(self, what, func, *args, **kwargs):
        """Every item of a paged list call (following opc-next-page ourselves: the SDK helper retries by default)."""
        items = []
        page = None
        for dummy in range(1000):
            if page:
                kwargs['page'] = page
            response = self.call(what, func, *args, **kwargs)
            data = response.data
            if hasattr(data, 'items') and not isinstance(data, list):
                data = data.items
            items.extend(data or [])
            page = response.next_page if response.has_next_page else None
            if not page:
                return items
        raise OciError('%s: more than 1000 pages; giving up' % what)

    def wait_for(self, what, getter, done, timeout, failed=('FAILED',)):
        """Poll ``getter()`` until ``done(obj)``; bounded by ``timeout`` seconds."""
        deadline = self._clock() + max(0, timeout)
        delay = 1.0
        while True:
            obj = getter()
            if obj is None or done(obj):
                return obj
            state = obj.get('lifecycle_state')
            if state in failed:
                raise OciError('%s: lifecycle state became %s' % (what, state), kind='state')
            remaining = deadline - self._clock()
            if remaining <= 0:
                raise OciError('%s: still %s after wait_timeout=%ss' % (what, state, timeout), kind='state')
            self._sleep(min(delay, remaining))
            delay = min(delay * 2, 10.0)


def _trust_only(session, bundle):
    """Verify TLS against ``bundle`` only, or always verify when there is no bundle.

    requests lets REQUESTS_CA_BUNDLE/CURL_CA_BUNDLE win over ``session.verify``
    when a call does not pass ``verify`` (the SDK never does), so the session's
    environment merge is wrapped; proxies from the environment still apply.
    The SDK's copy of requests takes an empty REQUESTS_CA_BUNDLE/CURL_CA_BUNDLE
    as ``verify=""``, which turns verification off: that becomes True.
    """
    if bundle:
        session.verify = bundle
    merge = session.merge_environment_settings

    def merge_with_bundle(url, proxies, stream, verify, cert):
        settings = merge(url, proxies, stream, verify, cert)
        settings['verify'] = bundle or settings.get('verify') or True
        return settings

    session.merge_environment_settings = merge_with_bundle


# --------------------------------------------------------------------------
# Tags, as every OCI resource has them


def merge_defined_tags(current, desired):
    """Desired namespaces replace current ones; other namespaces (e.g. Oracle-Tags) stay."""
    if desired is None:
        return None
    merged = dict(current or {})
    merged.update(desired)
    return merged


def tags_differ(current, desired, defined=False):
    if desired is None:
        return False
    current = current or {}
    if defined:
        return any(current.get(ns) != value for ns, value in desired.items())
    return current != desired


def _config_profiles(path):
    """The profile names of an OCI config file (section headers only; nothing else is read out)."""
    try:
        with open(os.path.expanduser(path)) as handle:
            return [line.strip()[1:-1] for line in handle if re.match(r'^\s*\[[^\]]+\]\s*$', line)]
    except (IOError, OSError, UnicodeDecodeError):
        return []
