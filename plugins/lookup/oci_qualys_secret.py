# -*- coding: utf-8 -*-
# Copyright (c) scanops.qualys contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
name: oci_qualys_secret
short_description: Read the content of an OCI Vault secret, such as the Qualys credentials the role stores
version_added: 0.1.0
description:
  - Reads the content of one version of OCI Vault secrets, by secret name in a vault (O(vault_id)) or by secret OCID,
    the CURRENT version unless O(stage) or O(version_number) says otherwise. This is how a consumer playbook picks up
    credentials that the role C(scanops.qualys.restricted_api_user) or the module M(scanops.qualys.oci_qualys_secret)
    stored and rotates.
  - Returns the content as text, or parsed as JSON (O(parse=json)), or parsed and checked to be the credentials JSON
    of this collection (O(parse=credentials)).
  - The value is returned marked unsafe, so Ansible never evaluates template syntax in it. The lookup never logs or
    displays it, and its error messages never quote it; set C(no_log=true) on the tasks that use it.
  - Uses the same connection options, environment variables and code (C(oci_client), C(oci_secrets)) as the OCI modules
    of this collection. C(module_defaults) does not apply to lookups; give the options as keyword arguments, as
    variables (C(scanops_qualys_oci_*)), environment variables or in C(ansible.cfg).
  - An environment variable that is set but empty counts as unset, as for the modules (AWX injects optional fields
    as empty strings).
author:
  - scanops.qualys maintainers (@scanops)
requirements:
  - oci (the OCI Python SDK) >= 2.150.0, in the Python that runs Ansible on the controller
options:
  _terms:
    description:
      - Names of secrets in the vault O(vault_id), or secret OCIDs (C(ocid1.vaultsecret....)); both may be mixed.
    type: list
    elements: str
    required: true
  vault_id:
    description:
      - OCID of the vault that holds the secrets named in the terms. Required when a term is a name; not used for OCIDs.
    type: str
    vars:
      - name: scanops_qualys_oci_vault_id
  stage:
    description:
      - Which version to read, by its rotation stage. V(current) is what consumers use; V(pending) is a new version
        stored with O(scanops.qualys.oci_qualys_secret#module:stage=pending) and not promoted yet; V(previous) is the
        version before the CURRENT one; V(latest) is the newest version, whatever its stage.
      - The values are also accepted in upper case, as OCI names the stages.
      - A secret without a version at that stage is missing (see O(on_missing)).
      - Cannot be combined with O(version_number).
    type: str
    choices: [current, pending, previous, latest]
    default: current
  version_number:
    description:
      - Read this version of the secret instead of the version at O(stage). A secret without it is missing
        (see O(on_missing)).
    type: int
  parse:
    description:
      - V(none) returns the content as text.
      - V(json) returns the content parsed as JSON (for example a dictionary).
      - V(credentials) returns the content parsed as the credentials JSON that the role
        C(scanops.qualys.restricted_api_user) stores (the RV(scanops.qualys.qualys_service_user#module:credentials) of
        M(scanops.qualys.qualys_service_user)), a dictionary with the keys C(username) and C(password) (non-empty
        strings) and, when present, C(api_url), C(platform) and C(rotated_at) (strings or null). Other keys are kept.
        A secret with the older C(login) key and no C(username) gets C(username) set to its C(login).
        Anything else fails the lookup with a message that names the secret and what is wrong, never a value.
    type: str
    choices: [none, json, credentials]
    default: none
  on_missing:
    description:
      - What to do when a secret is not found, or has no version at O(stage) or O(version_number).
      - V(error) fails the lookup; V(warn) warns and returns nothing for that term; V(skip) returns nothing for it.
      - OCI answers C(404 NotAuthorizedOrNotFound) both when the secret does not exist and when the policies do not
        let this principal read its bundles (C(read secret-bundles)), so both count as missing.
      - With V(warn) or V(skip), C(query) returns an empty list for a missing secret, and so does C(lookup) (an empty
        string before ansible-core 2.19).
    type: str
    choices: [error, warn, skip]
    default: error
  config_file:
    description:
      - Path of the OCI SDK/CLI configuration file used with O(auth_type=api_key) and O(auth_type=security_token).
      - If not set, C(~/.oci/config).
    type: path
    env:
      - name: OCI_CONFIG_FILE
    ini:
      - section: scanops_qualys_oci
        key: config_file
    vars:
      - name: scanops_qualys_oci_config_file
  config_profile:
    description:
      - Profile (section) of O(config_file) to use.
    type: str
    default: DEFAULT
    env:
      - name: OCI_CONFIG_PROFILE
    ini:
      - section: scanops_qualys_oci
        key: config_profile
    vars:
      - name: scanops_qualys_oci_config_profile
  auth_type:
    description:
      - How requests are signed.
      - V(api_key) uses the user, tenancy, fingerprint and key_file of the O(config_profile). The environment variables
        E(OCI_USER_ID), E(OCI_USER_FINGERPRINT), E(OCI_USER_KEY_FILE), E(OCI_USER_KEY_PASS_PHRASE) and E(OCI_TENANCY)
        override those values; when the first four are set and no O(config_file) is given, no config file is read
        (this is how the AWX credential type in C(extensions/awx) injects an API key).
      - V(instance_principal) uses the identity of the compute instance the controller runs on (through its metadata
        service).
      - V(resource_principal) uses the resource principal of an OCI Function or other resource (E(OCI_RESOURCE_PRINCIPAL_*) variables).
      - V(security_token) uses the session token of C(oci session authenticate), found through C(security_token_file) in the profile.
    type: str
    choices: [api_key, instance_principal, resource_principal, security_token]
    default: api_key
    env:
      - name: OCI_ANSIBLE_AUTH_TYPE
    ini:
      - section: scanops_qualys_oci
        key: auth_type
    vars:
      - name: scanops_qualys_oci_auth_type
  region:
    description:
      - OCI region identifier, for example V(us-ashburn-1). Overrides the region of the profile or principal.
    type: str
    env:
      - name: OCI_REGION
    ini:
      - section: scanops_qualys_oci
        key: region
    vars:
      - name: scanops_qualys_oci_region
  service_endpoint:
    description:
      - Base URL that replaces the regional endpoint of the OCI services the lookup calls (secret retrieval), for
        private endpoints, proxies or a local simulator.
      - Give only scheme, host, port and optionally a path prefix, for example V(https://127.0.0.1:8443).
    type: str
    env:
      - name: OCI_SERVICE_ENDPOINT
    ini:
      - section: scanops_qualys_oci
        key: service_endpoint
    vars:
      - name: scanops_qualys_oci_service_endpoint
  service_endpoints:
    description:
      - Per-service endpoint overrides, as for the modules; each one wins over O(service_endpoint) for its service.
        The lookup calls only the secret retrieval API (key V(secrets)).
      - Accepted keys are V(vaults), V(secrets), V(kms), V(kms_management) and V(vulnerability_scanning).
    type: dict
    vars:
      - name: scanops_qualys_oci_service_endpoints
  cert_bundle:
    description:
      - PEM file of CA certificates trusted for TLS to OCI (or to O(service_endpoint)).
      - Without it, the SDK's CA bundle is used, which E(REQUESTS_CA_BUNDLE) also replaces.
    type: path
    env:
      - name: OCI_ANSIBLE_CERT_BUNDLE
    ini:
      - section: scanops_qualys_oci
        key: cert_bundle
    vars:
      - name: scanops_qualys_oci_cert_bundle
  api_retries:
    description:
      - How many times a failed read is retried on connection errors, HTTP 429, 409 C(IncorrectState) and 5xx, with
        jittered backoff (at most 8 s between tries, 60 s in all).
      - If not set, V(3); or V(0) when the environment variable E(OCI_SDK_DEFAULT_RETRY_ENABLED) is V(false).
      - Must be between V(0) and V(10).
    type: int
    ini:
      - section: scanops_qualys_oci
        key: api_retries
    vars:
      - name: scanops_qualys_oci_api_retries
notes:
  - Lookups run on the controller, so the C(oci) SDK and the OCI configuration must be there, in the Python that runs
    Ansible (in AWX, in the execution environment).
  - The secret is read with C(GetSecretBundleByName) (by name; its CURRENT bundle is read once to find the secret) or
    C(GetSecretBundle), which need C(read secret-bundles) on the secret's compartment. Nothing is written.
  - The SDK's request logging is always switched off, even if the profile sets C(log_requests).
  - Several terms return several values; use C(query) (or C(wantlist=true)) to get them as a list, since C(lookup)
    joins several text values with commas.
  - C(no_log) on a task hides what that task shows; a fact set from the lookup keeps the value, so keep C(no_log) on
    every task that uses it, or call the lookup in the task that needs the value.
  - A lookup in C(vars) runs each time the variable is used (three times for C(creds.username), C(creds.password) and
    C(creds.api_url)); C(ansible.builtin.set_fact) with C(no_log=true) reads the secret once.
  - The role C(scanops.qualys.restricted_api_user) names each user's credentials secret C(qualys-api-<user name>)
    unless its C(credentials_secret_name) says otherwise, and the license secret C(qualys-agent-license).
seealso:
  - module: scanops.qualys.oci_qualys_secret
  - module: scanops.qualys.oci_qualys_secret_info
  - module: scanops.qualys.qualys_service_user
'''

EXAMPLES = r'''
- name: The Qualys API credentials that the role stored for ServiceNow, read by secret name
  ansible.builtin.set_fact:
    qualys_credentials: >-
      {{ lookup('scanops.qualys.oci_qualys_secret', 'qualys-api-servicenow',
                vault_id=vault_ocid, parse='credentials') }}
  no_log: true

- name: The same secret by its OCID, with the connection given on the call
  ansible.builtin.set_fact:
    qualys_credentials: >-
      {{ lookup('scanops.qualys.oci_qualys_secret', secret_ocid, parse='credentials',
                config_profile='AUTOMATION', region='us-ashburn-1') }}
  no_log: true

- name: Hand the credentials to a connector's REST API (never printed)
  ansible.builtin.uri:
    url: https://connector.example.com/api/v1/sources/qualys
    method: PUT
    url_username: "{{ connector_admin }}"
    url_password: "{{ connector_admin_password }}"
    force_basic_auth: true
    body_format: json
    body:
      api_url: "{{ creds.api_url }}"
      username: "{{ creds.username }}"
      password: "{{ creds.password }}"
    status_code: [200, 204]
  vars:
    creds: "{{ lookup('scanops.qualys.oci_qualys_secret', 'qualys-api-connector', vault_id=vault_ocid, parse='credentials') }}"
  no_log: true

- name: Check that the stored credentials log in to Qualys (HTTP basic auth with the parsed credentials)
  ansible.builtin.uri:
    url: "{{ creds.api_url }}/api/2.0/fo/asset/group/?action=list&truncation_limit=1"
    headers:
      X-Requested-With: ansible
    url_username: "{{ creds.username }}"
    url_password: "{{ creds.password }}"
    force_basic_auth: true
  vars:
    creds: "{{ lookup('scanops.qualys.oci_qualys_secret', 'qualys-api-servicenow', vault_id=vault_ocid, parse='credentials') }}"
  no_log: true

# ServiceNow style: put the rotated Qualys credentials into the record of the connector's configuration through the
# ServiceNow Table API (the table and record are those of your integration).
- name: Update the Qualys connector configuration in ServiceNow
  ansible.builtin.uri:
    url: "https://{{ servicenow_instance }}.service-now.com/api/now/table/{{ servicenow_qualys_config_table }}/{{ servicenow_qualys_config_sys_id }}"
    method: PATCH
    url_username: "{{ servicenow_user }}"
    url_password: "{{ servicenow_password }}"
    force_basic_auth: true
    headers:
      Accept: application/json
    body_format: json
    body:
      api_server: "{{ creds.api_url }}"
      username: "{{ creds.username }}"
      password: "{{ creds.password }}"
  vars:
    creds: "{{ lookup('scanops.qualys.oci_qualys_secret', 'qualys-api-servicenow', vault_id=vault_ocid, parse='credentials') }}"
  no_log: true

- name: The agent license as a dictionary (cid, aid, pwsUrl, pwsPort)
  ansible.builtin.set_fact:
    agent_license: "{{ lookup('scanops.qualys.oci_qualys_secret', 'qualys-agent-license', vault_id=vault_ocid, parse='json') }}"
  no_log: true

- name: The password a two-phase rotation stored as PENDING, before it is promoted
  ansible.builtin.set_fact:
    next_credentials: >-
      {{ lookup('scanops.qualys.oci_qualys_secret', 'qualys-api-servicenow', vault_id=vault_ocid,
                stage='pending', parse='credentials', on_missing='skip') }}
  no_log: true

- name: Several secrets at once, skipping those that do not exist (an empty list when none does)
  ansible.builtin.set_fact:
    all_credentials: >-
      {{ query('scanops.qualys.oci_qualys_secret', 'qualys-api-servicenow', 'qualys-api-splunk',
               vault_id=vault_ocid, parse='credentials', on_missing='warn') }}
  no_log: true

# Connection settings once for a whole play (or in group_vars or the inventory) instead of on every call:
#   vars:
#     scanops_qualys_oci_config_profile: AUTOMATION
#     scanops_qualys_oci_vault_id: ocid1.vault.oc1.iad.example
- name: Show whose credentials are stored (the login only), with the vault and profile from the variables
  ansible.builtin.debug:
    msg: "stored for {{ lookup('scanops.qualys.oci_qualys_secret', 'qualys-api-servicenow', parse='credentials').username }}"
'''

RETURN = r'''
_raw:
  description:
    - One value per term found, in the order of the terms, marked unsafe (never templated).
    - The content as text with O(parse=none); the parsed JSON value with O(parse=json); a dictionary with at least
      C(username) and C(password) with O(parse=credentials).
    - Nothing for a term that is missing with O(on_missing=warn) or O(on_missing=skip).
  type: list
  elements: raw
'''

import json
import os
import sys

from ansible.errors import AnsibleLookupError
from ansible.plugins.lookup import LookupBase
from ansible.utils.display import Display
from ansible.utils.unsafe_proxy import wrap_var

from ansible_collections.scanops.qualys.plugins.module_utils import oci_secret_content as sc
from ansible_collections.scanops.qualys.plugins.module_utils.oci_client import (
    CONTROLLER_HINT,
    SERVICE_KEYS,
    OciClient,
    OciError,
    check_common_params,
)
from ansible_collections.scanops.qualys.plugins.module_utils.oci_ids import ocid_problem, secret_name_problem
from ansible_collections.scanops.qualys.plugins.module_utils.oci_secrets import OciSecrets

display = Display()

PLUGIN = 'scanops.qualys.oci_qualys_secret'

# The connection options, as the modules take them (oci_client.oci_argument_spec).
CONNECTION_OPTIONS = ('config_file', 'config_profile', 'auth_type', 'region', 'service_endpoint', 'service_endpoints',
                      'cert_bundle', 'api_retries')
# Options read from an environment variable: (variable, default). An empty variable counts as unset, as for the
# modules (module_utils.env.env_fallback); Ansible's configuration would take it as a value.
ENV_OPTIONS = {
    'config_file': ('OCI_CONFIG_FILE', None),
    'config_profile': ('OCI_CONFIG_PROFILE', 'DEFAULT'),
    'auth_type': ('OCI_ANSIBLE_AUTH_TYPE', 'api_key'),
    'region': ('OCI_REGION', None),
    'service_endpoint': ('OCI_SERVICE_ENDPOINT', None),
    'cert_bundle': ('OCI_ANSIBLE_CERT_BUNDLE', None),
}
VARIABLE_PREFIX = 'scanops_qualys_oci_'

# The keys of the stored credentials that are checked (other keys are kept as they are).
CREDENTIAL_REQUIRED = ('username', 'password')
CREDENTIAL_OPTIONAL = ('api_url', 'platform', 'rotated_at')


class SecretFormatError(ValueError):
    """Content that is not what O(parse) asks for; the message says what is wrong, never a value."""


def parse_content(data, parse):
    """The value of the content ``data`` (bytes) as ``parse`` asks; raises SecretFormatError without quoting it."""
    try:
        text = data.decode('utf-8')
    except UnicodeDecodeError:
        text = None  # raised below, not chained: the error names a byte of the content
    if text is None:
        raise SecretFormatError('its content is not UTF-8 text')
    if parse == 'none':
        return text
    try:
        doc, valid = json.loads(text), True
    except ValueError:
        doc, valid = None, False  # raised below, not chained: JSONDecodeError carries the whole document
    if not valid:
        raise SecretFormatError('its content is not JSON (parse=%s)' % parse)
    if parse == 'json':
        return doc
    return check_credentials(doc)


def check_credentials(doc):
    """``doc`` if it is the collection's credentials JSON (username and password at least); raises SecretFormatError."""
    if not isinstance(doc, dict):
        raise SecretFormatError('its content is JSON but not an object; parse=credentials expects the keys %s'
                                % ', '.join(CREDENTIAL_REQUIRED + CREDENTIAL_OPTIONAL))
    if sc.looks_like_license(doc):
        raise SecretFormatError('it holds a Qualys agent license (cid, aid, pwsUrl, pwsPort), not credentials; '
                                "read it with parse='json'")
    doc = dict(doc)
    if doc.get('username') is None and isinstance(doc.get('login'), str):
        doc['username'] = doc['login']  # the older name (release 0.1.0)
    problems = []
    missing = [key for key in CREDENTIAL_REQUIRED if doc.get(key) is None]
    if missing:
        problems.append('missing %s' % ' and '.join(missing))
    problems.extend('%s is not a non-empty string' % key for key in CREDENTIAL_REQUIRED
                    if key not in missing and (not isinstance(doc[key], str) or not doc[key].strip()))
    problems.extend('%s is not a string' % key for key in CREDENTIAL_OPTIONAL
                    if doc.get(key) is not None and not isinstance(doc[key], str))
    if problems:
        raise SecretFormatError('it is not the credentials JSON (keys username and password, and api_url, platform, '
                                'rotated_at when present): %s' % '; '.join(problems))
    return doc


def oci_message(exc):
    """The message of an OciError for a lookup: it already runs on the controller, so no "run it there" hint."""
    text = str(exc)
    if exc.kind == 'dependency':
        return ('the oci Python SDK is required on the controller, in the Python that runs Ansible (%s): '
                'install it there (pip install oci), or in the execution environment in AWX' % sys.executable)
    return text.replace(CONTROLLER_HINT, '')


class LookupModule(LookupBase):

    def run(self, terms, variables=None, **kwargs):
        kwargs = dict(kwargs)
        if isinstance(kwargs.get('stage'), str):
            kwargs['stage'] = kwargs['stage'].lower()
        blank = self._empty_environment(kwargs, variables)
        self.set_options(var_options=variables, direct=kwargs)
        settings = self._settings(terms, kwargs.get('stage') is not None, blank)
        try:
            check_common_params(settings['connection'])
        except OciError as exc:
            raise AnsibleLookupError('%s: %s' % (PLUGIN, oci_message(exc)))
        vault = self._secrets(settings['connection'])
        values = []
        for term in settings['terms']:
            found, value = self._read(vault, term, settings)
            if found:
                values.append(wrap_var(value))
        return values

    # ------------------------------------------------------------ options

    @staticmethod
    def _empty_environment(kwargs, variables):
        """Options that would come from an environment variable set to an empty string count as unset.

        Those with a default get it as a keyword argument (before Ansible refuses the empty string as a choice);
        the names of the others are returned: their value is None whatever Ansible made of the empty string.
        """
        blank = []
        for name, (variable, default) in ENV_OPTIONS.items():
            if kwargs.get(name) is not None or os.environ.get(variable) != '':
                continue
            if variables and variables.get(VARIABLE_PREFIX + name) is not None:
                continue
            if default is not None:
                kwargs[name] = default
            else:
                blank.append(name)
        return blank

    def _settings(self, terms, stage_given, blank):
        """The checked options: connection parameters (as the modules' params), what to read and how."""
        connection = dict((name, None if name in blank else self.get_option(name)) for name in CONNECTION_OPTIONS)
        for name in ('config_file', 'cert_bundle', 'region', 'service_endpoint'):
            if connection[name] == '':
                connection[name] = None
        endpoints = connection['service_endpoints']
        if endpoints is not None:
            unknown = sorted(str(key) for key in endpoints if key not in SERVICE_KEYS)
            if unknown:
                raise AnsibleLookupError('%s: service_endpoints has unknown keys %s; accepted are %s'
                                         % (PLUGIN, ', '.join(unknown), ', '.join(SERVICE_KEYS)))
            connection['service_endpoints'] = dict((key, endpoints.get(key)) for key in SERVICE_KEYS)
        version_number = self.get_option('version_number')
        if version_number is not None and stage_given:
            raise AnsibleLookupError('%s: stage and version_number are mutually exclusive: give one of them' % PLUGIN)
        if version_number is not None and version_number < 1:
            raise AnsibleLookupError('%s: version_number must be 1 or more, got %d' % (PLUGIN, version_number))
        checked = self._terms(terms)
        vault_id = self.get_option('vault_id') or None
        if vault_id is not None:
            problem = ocid_problem(vault_id, 'vault_id', ('vault',))
            if problem:
                raise AnsibleLookupError('%s: %s' % (PLUGIN, problem))
        names = [term for kind, term in checked if kind == 'name']
        if names and not vault_id:
            raise AnsibleLookupError('%s: vault_id is required to read a secret by name (%s); or give the secret OCID'
                                     % (PLUGIN, ', '.join(names)))
        return dict(
            connection=connection,
            terms=checked,
            vault_id=vault_id,
            stage=None if version_number is not None else self.get_option('stage').upper(),
            version_number=version_number,
            parse=self.get_option('parse'),
            on_missing=self.get_option('on_missing'),
        )

    @staticmethod
    def _terms(terms):
        """(kind, term) of each term: 'ocid' for a secret OCID, 'name' for a secret name; raises on anything else."""
        if not terms:
            raise AnsibleLookupError('%s: give at least one secret name or secret OCID' % PLUGIN)
        flat = []
        for term in terms:
            # query('scanops.qualys.oci_qualys_secret', names): a list of names as one term
            flat.extend(term if isinstance(term, (list, tuple)) else [term])
        checked = []
        for term in flat:
            if not isinstance(term, str):
                raise AnsibleLookupError('%s: each term must be a secret name or OCID (a string), got a %s'
                                         % (PLUGIN, type(term).__name__))
            term = str(term).strip()
            if term.startswith('ocid1.'):
                problem = ocid_problem(term, 'the term %s' % term, ('vaultsecret',))
                if problem:
                    raise AnsibleLookupError('%s: %s' % (PLUGIN, problem))
                checked.append(('ocid', term))
            else:
                problem = secret_name_problem(term, 'the secret name %r' % term)
                if problem:
                    raise AnsibleLookupError('%s: %s, or a secret OCID' % (PLUGIN, problem))
                checked.append(('name', term))
        return checked

    # ------------------------------------------------------------ reading

    @staticmethod
    def _secrets(connection):
        """The OciSecrets the modules use, over an OciClient built from the connection options."""
        return OciSecrets(OciClient(connection))

    def _read(self, vault, term, settings):
        """(True, value) of the secret ``term``, or (False, None) when it is missing and on_missing allows that."""
        kind, ref = term
        version = ('version %s' % settings['version_number'] if settings['version_number'] is not None
                   else '%s version' % settings['stage'])
        if kind == 'name':
            label = 'secret %s in vault %s' % (ref, settings['vault_id'])
        else:
            label = 'secret %s' % ref
        try:
            secret_id = ref
            if kind == 'name':
                secret_id = vault.find_secret_in_vault(settings['vault_id'], ref)
                if secret_id is None:
                    return self._missing(settings, 'no %s (or no permission to read its bundles: OCI answers both '
                                                   'with 404 NotAuthorizedOrNotFound)' % label)
            try:
                data, number, dummy = vault.read_bundle(secret_id, stage=settings['stage'],
                                                        version_number=settings['version_number'])
            except OciError as exc:
                if exc.status != 404:
                    raise
                if kind == 'name':
                    return self._missing(settings, '%s has no %s' % (label, version))
                return self._missing(settings, 'no %s, or it has no %s, or no permission to read its bundles (OCI '
                                               'answers all with 404 NotAuthorizedOrNotFound)' % (label, version))
        except OciError as exc:
            raise AnsibleLookupError('%s: cannot read %s: %s' % (PLUGIN, label, oci_message(exc)))
        try:
            value = parse_content(data, settings['parse'])
        except SecretFormatError as exc:
            raise AnsibleLookupError('%s: %s (version %s): %s' % (PLUGIN, label, number, exc))
        stage = ' (the %s version)' % settings['stage'] if settings['version_number'] is None else ''
        display.vvv('%s: read %s, version %s%s' % (PLUGIN, label, number, stage))
        return True, value

    @staticmethod
    def _missing(settings, message):
        on_missing = settings['on_missing']
        if on_missing == 'error':
            raise AnsibleLookupError('%s: %s' % (PLUGIN, message))
        if on_missing == 'warn':
            display.warning('%s: %s; nothing returned for it' % (PLUGIN, message))
        return False, None
