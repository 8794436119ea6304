# -*- coding: utf-8 -*-
# Copyright (c) scanops.qualys contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The one place where the collection talks to OCI through the ``oci`` SDK.

Modules build an ``OciVault`` from their parameters and call its methods;
everything comes back as plain dicts and every failure as ``OciVaultError``.

* The SDK is imported on first use (``import_oci``), so argument checks fail
  fast and ``ansible-test sanity --test import`` passes without it.
* Clients are built on first use from a config file profile, instance or
  resource principals, or a session token (``auth_type``).
* ``config["log_requests"]`` is always False: with it the SDK lets
  http.client print request bodies - the secret content - to stdout.
* Retries are explicit and bounded (``api_retries``); the circuit breaker is
  off (one module run is one short-lived process).
* Secret content never appears in a return value, a message or an exception
  raised from here: only ``oci_secret_content.fingerprint`` of it.
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
from ansible_collections.scanops.qualys.plugins.module_utils import oci_secret_content as sc

oci = None  # the SDK package once import_oci() succeeded
OCI_IMPORT_ERROR = None

AUTH_TYPES = ('api_key', 'instance_principal', 'resource_principal', 'security_token')
SERVICE_KEYS = ('vaults', 'secrets', 'kms', 'kms_management', 'vulnerability_scanning')

DEFAULT_API_RETRIES = 3
RETRY_TOTAL_SECONDS = 60
RETRY_MAX_SLEEP_SECONDS = 8

SECRET_GONE_STATES = ('DELETED', 'DELETING')
SECRET_DELETION_STATES = ('PENDING_DELETION', 'SCHEDULING_DELETION', 'DELETING', 'DELETED')
RECIPE_GONE_STATES = ('DELETED', 'DELETING')

# ocid1.<type>.<realm>.[region][.future use].<unique>
OCID_RE = re.compile(r'^ocid1\.([a-z0-9]+)\.([a-z0-9]+)\.([a-z0-9-]*)(\.[a-z0-9-]+)?\.([A-Za-z0-9_-]+)$')
SECRET_NAME_RE = re.compile(r'^[A-Za-z0-9_.-]{1,255}$')


class OciVaultError(Exception):
    """The single error type raised from this module_util."""

    def __init__(self, message, status=None, code=None, request_id=None):
        super(OciVaultError, self).__init__(message)
        self.status = status
        self.code = code
        self.request_id = request_id

    def to_result(self):
        result = {}
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
    """Raise OciVaultError unless ``value`` is an OCID (of one of ``types``)."""
    if value is None:
        return
    match = OCID_RE.match(value) if isinstance(value, str) else None
    if not match:
        raise OciVaultError('%s is not a valid OCID: expected ocid1.<type>.<realm>.[region].<unique>, '
                            'for example ocid1.vault.oc1.iad.example' % option)
    if types and match.group(1) not in types:
        raise OciVaultError('%s must be the OCID of a %s, got one of type %r'
                            % (option, ' or '.join(types), match.group(1)))


def check_common_params(params):
    """Checks on the shared options that need no SDK; raises OciVaultError."""
    retries = params.get('api_retries')
    if retries is not None and not 0 <= retries <= 10:
        raise OciVaultError('api_retries must be between 0 and 10, got %d' % retries)
    endpoints = dict((params.get('service_endpoints') or {}))
    endpoints['service_endpoint'] = params.get('service_endpoint')
    for key, url in endpoints.items():
        if url is None:
            continue
        if not re.match(r'^https?://[^/?#@\s]+(/[^?#\s]*)?$', url):
            name = key if key == 'service_endpoint' else 'service_endpoints.%s' % key
            raise OciVaultError('%s must be an http:// or https:// URL without query, got %r' % (name, url))


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
            module.fail_json(msg=missing_required_lib('oci'), exception=OCI_IMPORT_ERROR)
        raise OciVaultError(missing_required_lib('oci'))
    oci = sdk
    return oci


def _sdk_module(name):
    """``oci.<name>`` (the SDK loads service packages on demand)."""
    import_oci()
    return importlib.import_module('oci.' + name)


def _utcnow():
    return datetime.datetime.now(datetime.timezone.utc)


def _plain(model):
    return oci.util.to_dict(model) if model is not None else None


def _effective_retries(params):
    retries = params.get('api_retries')
    if retries is not None:
        return retries
    if os.environ.get('OCI_SDK_DEFAULT_RETRY_ENABLED', '').strip().lower() in ('false', '0', 'no', 'off'):
        return 0
    return DEFAULT_API_RETRIES


class OciVault(object):
    """Lazily built OCI clients plus the reads and writes the modules need."""

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

    def _retry_strategy(self):
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

    def _no_retry(self):
        return self._sdk().retry.NoneRetryStrategy()

    def _load_config(self):
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
                    raise OciVaultError('auth_type=security_token needs security_token_file in profile %s of the config file'
                                        % profile)
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
                raise OciVaultError('region is required: set the region option or OCI_REGION')
        except OciVaultError:
            raise
        except sdk.exceptions.ConfigFileNotFound:
            raise OciVaultError('OCI config file not found: %s (set config_file or OCI_CONFIG_FILE)'
                                % (p.get('config_file') or sdk.config.DEFAULT_LOCATION))
        except sdk.exceptions.ProfileNotFound:
            path = p.get('config_file') or sdk.config.DEFAULT_LOCATION
            raise OciVaultError('profile %s not found in the OCI config file %s (config_profile / OCI_CONFIG_PROFILE); '
                                'its profiles are: %s' % (profile, path, ', '.join(_config_profiles(path)) or 'none'))
        except sdk.exceptions.InvalidConfig as exc:
            raise OciVaultError('invalid OCI configuration for auth_type=%s: %s' % (auth_type, exc))
        except sdk.exceptions.ClientError as exc:
            raise OciVaultError('cannot set up OCI authentication (auth_type=%s): %s: %s'
                                % (auth_type, type(exc).__name__, exc))
        except (IOError, OSError, ValueError) as exc:
            raise OciVaultError('cannot set up OCI authentication (auth_type=%s): %s: %s'
                                % (auth_type, type(exc).__name__, exc))
        except Exception as exc:  # signers talk to metadata services
            raise OciVaultError('cannot set up OCI authentication (auth_type=%s): %s: %s'
                                % (auth_type, type(exc).__name__, exc))
        self._config, self._signer = config, signer
        return config, signer

    def endpoint_for(self, key):
        endpoints = self.params.get('service_endpoints') or {}
        url = endpoints.get(key)
        if not url and key != 'kms_management':
            url = self.params.get('service_endpoint')
        return url.rstrip('/') if url else None

    def _client(self, key, factory_name, endpoint=None):
        cache_key = (key, endpoint)
        if cache_key in self._clients:
            return self._clients[cache_key]
        sdk = self._sdk()
        config, signer = self._load_config()
        factory = {
            'vaults': lambda: _sdk_module('vault').VaultsClient,
            'secrets': lambda: _sdk_module('secrets').SecretsClient,
            'kms': lambda: _sdk_module('key_management').KmsVaultClient,
            'kms_management': lambda: _sdk_module('key_management').KmsManagementClient,
            'vulnerability_scanning':
                lambda: _sdk_module('vulnerability_scanning').VulnerabilityScanningClient,
        }[factory_name]()
        kwargs = dict(
            retry_strategy=self._retry_strategy(),
            circuit_breaker_strategy=sdk.circuit_breaker.NoCircuitBreakerStrategy(),
        )
        url = endpoint or self.endpoint_for(key)
        try:
            if signer is None and 'authentication_type' not in config:
                signer = self._api_key_signer(sdk, config)
            if signer is not None:
                kwargs['signer'] = signer
            if factory_name == 'kms_management':
                client = factory(config, url, **kwargs)
            else:
                if url:
                    kwargs['service_endpoint'] = url
                client = factory(config, **kwargs)
        except Exception as exc:
            raise OciVaultError('cannot create the OCI %s client: %s: %s' % (key, type(exc).__name__, exc))
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

    @property
    def vaults(self):
        return self._client('vaults', 'vaults')

    @property
    def secrets(self):
        return self._client('secrets', 'secrets')

    @property
    def kms(self):
        return self._client('kms', 'kms')

    def kms_management(self, vault_management_endpoint):
        endpoint = self.endpoint_for('kms_management') or vault_management_endpoint
        if not endpoint:
            raise OciVaultError('the vault has no management endpoint; set service_endpoints.kms_management')
        return self._client('kms_management', 'kms_management', endpoint.rstrip('/'))

    @property
    def vss(self):
        return self._client('vulnerability_scanning', 'vulnerability_scanning')

    # ---------------------------------------------------------------- calls

    def _call(self, what, func, *args, **kwargs):
        """Run one SDK call; turn every SDK failure into OciVaultError."""
        sdk = self._sdk()
        try:
            return func(*args, **kwargs)
        except sdk.exceptions.ServiceError as exc:
            raise self._service_error(what, exc)
        except OciVaultError:
            raise
        except Exception as exc:
            base = getattr(sdk.exceptions, 'BaseRequestException', None)
            if base is not None and isinstance(exc, base):
                raise OciVaultError('%s: cannot reach OCI: %s: %s' % (what, type(exc).__name__, _short(exc)))
            if type(exc).__name__ == 'CircuitBreakerError':
                raise OciVaultError('%s: the SDK circuit breaker is open: %s' % (what, exc))
            raise OciVaultError('%s: %s: %s' % (what, type(exc).__name__, _short(exc)))

    def _service_error(self, what, exc):
        status = getattr(exc, 'status', None)
        code = getattr(exc, 'code', None)
        message = str(getattr(exc, 'message', None) or '').strip().rstrip('.')
        request_id = getattr(exc, 'request_id', None)
        text = '%s failed: HTTP %s %s: %s.' % (what, status, code, message)
        if status == 401:
            text += (' The request signature was not accepted: check that the API key of profile %s '
                     '(user, fingerprint, key_file) is the one uploaded for the user, or the auth_type.'
                     % (self.params.get('config_profile') or 'DEFAULT'))
        elif status == 404 and code == 'NotAuthorizedOrNotFound':
            text += ' The object does not exist or the policies do not let this principal see it.'
        if request_id:
            text += ' (opc-request-id %s)' % request_id
        return OciVaultError(text, status=status, code=code, request_id=request_id)

    def _list_all(self, what, func, *args, **kwargs):
        items = []
        page = None
        for dummy in range(1000):
            if page:
                kwargs['page'] = page
            response = self._call(what, func, *args, **kwargs)
            data = response.data
            if hasattr(data, 'items') and not isinstance(data, list):
                data = data.items
            items.extend(data or [])
            page = response.next_page if response.has_next_page else None
            if not page:
                return items
        raise OciVaultError('%s: more than 1000 pages; giving up' % what)

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
                raise OciVaultError('%s: lifecycle state became %s' % (what, state))
            remaining = deadline - self._clock()
            if remaining <= 0:
                raise OciVaultError('%s: still %s after wait_timeout=%ss' % (what, state, timeout))
            self._sleep(min(delay, remaining))
            delay = min(delay * 2, 10.0)

    # -------------------------------------------------------------- secrets

    def find_secret(self, compartment_id, vault_id, name):
        """The live secret called ``name`` in the vault (summary dict) or None.

        A secret pending deletion still owns its name, so it is returned.
        """
        items = self._list_all('list secrets', self.vaults.list_secrets, compartment_id,
                               vault_id=vault_id, name=name, limit=100)
        found = [_plain(item) for item in items]
        found = [s for s in found if s.get('secret_name') == name and s.get('lifecycle_state') not in SECRET_GONE_STATES]
        if not found:
            return None
        found.sort(key=lambda s: (s.get('lifecycle_state') in SECRET_DELETION_STATES, s.get('time_created') or ''))
        return found[0]

    def list_secrets(self, compartment_id, vault_id=None, name=None):
        kwargs = dict(limit=100)
        if vault_id:
            kwargs['vault_id'] = vault_id
        if name:
            kwargs['name'] = name
        items = self._list_all('list secrets', self.vaults.list_secrets, compartment_id, **kwargs)
        found = [_plain(item) for item in items]
        return [s for s in found if s.get('lifecycle_state') != 'DELETED' and (not name or s.get('secret_name') == name)]

    def get_secret(self, secret_id):
        return _plain(self._call('get secret', self.vaults.get_secret, secret_id).data)

    def read_current_content(self, secret_id):
        """(bytes, version_number) of the CURRENT version.  Keep the bytes private."""
        bundle = self._call('read the CURRENT secret bundle', self.secrets.get_secret_bundle,
                            secret_id, stage='CURRENT').data
        details = bundle.secret_bundle_content
        content_type = getattr(details, 'content_type', None)
        if content_type != 'BASE64':
            raise OciVaultError('the secret bundle has content type %r; only BASE64 is supported' % content_type)
        try:
            data = sc.from_base64(details.content)
        except sc.ContentError as exc:
            raise OciVaultError(str(exc))
        return data, bundle.version_number

    def check_key(self, vault_id, key_id):
        """Fail unless ``key_id`` is an enabled key of ``vault_id``."""
        vault = self._call('get vault', self.kms.get_vault, vault_id).data
        if vault.lifecycle_state not in ('ACTIVE', 'UPDATING'):
            raise OciVaultError('vault_id %s is %s, not ACTIVE' % (vault_id, vault.lifecycle_state))
        client = self.kms_management(vault.management_endpoint)
        key = self._call('get key', client.get_key, key_id).data
        if key.vault_id and key.vault_id != vault_id:
            raise OciVaultError('key_id %s belongs to vault %s, not to vault_id %s' % (key_id, key.vault_id, vault_id))
        if key.lifecycle_state not in ('ENABLED', 'UPDATING'):
            raise OciVaultError('key_id %s is %s; a secret needs an ENABLED master encryption key'
                                % (key_id, key.lifecycle_state))
        return _plain(key)

    def create_secret(self, compartment_id, vault_id, key_id, name, data, description=None,
                      freeform_tags=None, defined_tags=None):
        models = _sdk_module('vault').models
        details = models.CreateSecretDetails(
            compartment_id=compartment_id,
            vault_id=vault_id,
            key_id=key_id,
            secret_name=name,
            description=description,
            freeform_tags=freeform_tags,
            defined_tags=defined_tags,
            secret_content=models.Base64SecretContentDetails(
                content_type='BASE64', stage='CURRENT', content=sc.to_base64(data)),
        )
        # create_secret carries an opc-retry-token, so a retried POST cannot make two secrets.
        return _plain(self._call('create secret', self.vaults.create_secret, details).data)

    def update_secret(self, secret_id, data=None, description=None, freeform_tags=None, defined_tags=None):
        """One PUT: new CURRENT version when ``data`` is given, plus metadata."""
        models = _sdk_module('vault').models
        details = models.UpdateSecretDetails(
            description=description,
            freeform_tags=freeform_tags,
            defined_tags=defined_tags,
        )
        if data is not None:
            details.secret_content = models.Base64SecretContentDetails(
                content_type='BASE64', stage='CURRENT', content=sc.to_base64(data))
        # Not retried: a retry after a lost reply would add a second version.
        return _plain(self._call('update secret', self.vaults.update_secret, secret_id, details,
                                 retry_strategy=self._no_retry()).data)

    def schedule_secret_deletion(self, secret_id, days):
        models = _sdk_module('vault').models
        if days >= 30:
            details = models.ScheduleSecretDeletionDetails()  # the service default is 30 days
        else:
            # A small margin so the time is still >= 1 day ahead when OCI checks it.
            when = _utcnow() + datetime.timedelta(days=days, minutes=10)
            details = models.ScheduleSecretDeletionDetails(time_of_deletion=when.replace(microsecond=0))
        self._call('schedule secret deletion', self.vaults.schedule_secret_deletion, secret_id, details,
                   retry_strategy=self._no_retry())

    def cancel_secret_deletion(self, secret_id):
        self._call('cancel secret deletion', self.vaults.cancel_secret_deletion, secret_id,
                   retry_strategy=self._no_retry())

    def wait_secret(self, secret_id, states, timeout):
        return self.wait_for('wait for secret %s to be %s' % (secret_id, '/'.join(states)),
                             lambda: self.get_secret(secret_id),
                             lambda s: s.get('lifecycle_state') in states, timeout)

    # --------------------------------------------------------- scan recipes

    def find_recipe(self, compartment_id, display_name):
        """The live host scan recipe with this display name (full dict) or None."""
        items = self._list_all('list host scan recipes', self.vss.list_host_scan_recipes, compartment_id,
                               display_name=display_name, limit=100)
        found = [_plain(item) for item in items]
        found = [r for r in found
                 if r.get('display_name') == display_name and r.get('lifecycle_state') not in RECIPE_GONE_STATES]
        if not found:
            return None
        if len(found) > 1:
            raise OciVaultError('%d host scan recipes are called %r in compartment %s; rename or delete the extra ones'
                                % (len(found), display_name, compartment_id))
        return self.get_recipe(found[0]['id'])

    def list_recipes(self, compartment_id, display_name=None):
        kwargs = dict(limit=100)
        if display_name:
            kwargs['display_name'] = display_name
        items = self._list_all('list host scan recipes', self.vss.list_host_scan_recipes, compartment_id, **kwargs)
        found = [_plain(item) for item in items]
        return [r for r in found if r.get('lifecycle_state') != 'DELETED'
                and (not display_name or r.get('display_name') == display_name)]

    def get_recipe(self, recipe_id):
        return _plain(self._call('get host scan recipe', self.vss.get_host_scan_recipe, recipe_id).data)

    def _recipe_parts(self, spec):
        models = _sdk_module('vulnerability_scanning').models
        schedule = models.Schedule(type=spec['schedule'])
        if spec.get('day_of_week'):
            schedule.day_of_week = spec['day_of_week']
        return dict(
            display_name=spec['name'],
            port_settings=models.HostScanPortSettings(scan_level=spec['port_scan_level']),
            agent_settings=models.HostScanAgentSettings(
                scan_level=spec['agent_scan_level'],
                agent_configuration=models.HostScanAgentConfigurationQualys(
                    vendor='QUALYS',
                    vault_secret_id=spec['vault_secret_id'],
                    should_un_install=spec['should_uninstall'],
                ),
            ),
            schedule=schedule,
            freeform_tags=spec.get('freeform_tags'),
            defined_tags=spec.get('defined_tags'),
        )

    def create_recipe(self, compartment_id, spec):
        models = _sdk_module('vulnerability_scanning').models
        details = models.CreateHostScanRecipeDetails(compartment_id=compartment_id, **self._recipe_parts(spec))
        return _plain(self._call('create host scan recipe', self.vss.create_host_scan_recipe, details,
                                 opc_retry_token=_retry_token()).data)

    def update_recipe(self, recipe_id, spec):
        models = _sdk_module('vulnerability_scanning').models
        details = models.UpdateHostScanRecipeDetails(**self._recipe_parts(spec))
        self._call('update host scan recipe', self.vss.update_host_scan_recipe, recipe_id, details,
                   retry_strategy=self._no_retry())

    def delete_recipe(self, recipe_id):
        self._call('delete host scan recipe', self.vss.delete_host_scan_recipe, recipe_id,
                   retry_strategy=self._no_retry())

    def wait_recipe(self, recipe_id, states, timeout):
        def getter():
            try:
                return self.get_recipe(recipe_id)
            except OciVaultError as exc:
                if exc.status == 404 and 'DELETED' in states:
                    return None
                raise
        return self.wait_for('wait for host scan recipe %s to be %s' % (recipe_id, '/'.join(states)),
                             getter, lambda r: r.get('lifecycle_state') in states, timeout)


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


def _retry_token():
    return 'scanops-' + os.urandom(11).hex()


def _short(exc, limit=300):
    text = str(exc)
    return text if len(text) <= limit else text[:limit] + '...'


# --------------------------------------------------------------------------
# Result shapes shared by the modules


def secret_result(secret, fingerprint=None, version=None):
    """Secret metadata safe to return: never content."""
    if not secret:
        return {}
    result = dict(
        id=secret.get('id'),
        name=secret.get('secret_name'),
        compartment_id=secret.get('compartment_id'),
        vault_id=secret.get('vault_id'),
        key_id=secret.get('key_id'),
        description=secret.get('description'),
        lifecycle_state=secret.get('lifecycle_state'),
        current_version_number=secret.get('current_version_number') or version,
        content_sha256=fingerprint,
        freeform_tags=secret.get('freeform_tags') or {},
        defined_tags=secret.get('defined_tags') or {},
        time_created=secret.get('time_created'),
        time_of_deletion=secret.get('time_of_deletion'),
    )
    if version is not None:
        result['current_version_number'] = version
    return result


def recipe_result(recipe):
    """Flatten a HostScanRecipe dict into the module's option names."""
    if not recipe:
        return {}
    agent = recipe.get('agent_settings') or {}
    config = agent.get('agent_configuration') or {}
    schedule = recipe.get('schedule') or {}
    port = recipe.get('port_settings') or {}
    return dict(
        id=recipe.get('id'),
        name=recipe.get('display_name'),
        compartment_id=recipe.get('compartment_id'),
        lifecycle_state=recipe.get('lifecycle_state'),
        port_scan_level=port.get('scan_level'),
        agent_scan_level=agent.get('scan_level'),
        agent_vendor=config.get('vendor'),
        vault_secret_id=config.get('vault_secret_id'),
        should_uninstall=config.get('should_un_install'),
        schedule=schedule.get('type'),
        day_of_week=schedule.get('day_of_week'),
        freeform_tags=recipe.get('freeform_tags') or {},
        defined_tags=recipe.get('defined_tags') or {},
        time_created=recipe.get('time_created'),
        time_updated=recipe.get('time_updated'),
    )


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
