# -*- coding: utf-8 -*-
# Copyright (c) scanops.qualys contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function
__metaclass__ = type


class ModuleDocFragment(object):

    # OCI authentication, region, endpoints and retries: shared by every oci_* module.
    DOCUMENTATION = r'''
options:
  config_file:
    description:
      - Path of the OCI SDK/CLI configuration file used with O(auth_type=api_key) and O(auth_type=security_token).
      - If not set, the value of the E(OCI_CONFIG_FILE) environment variable is used, then C(~/.oci/config).
    type: path
  config_profile:
    description:
      - Profile (section) of O(config_file) to use.
      - If not set, the value of the E(OCI_CONFIG_PROFILE) environment variable is used, then V(DEFAULT).
    type: str
    default: DEFAULT
  auth_type:
    description:
      - How requests are signed.
      - V(api_key) uses the user, tenancy, fingerprint and key_file of the O(config_profile). The environment variables
        E(OCI_USER_ID), E(OCI_USER_FINGERPRINT), E(OCI_USER_KEY_FILE), E(OCI_USER_KEY_PASS_PHRASE) and E(OCI_TENANCY)
        override those values; when the first four are set and no O(config_file) is given, no config file is read
        (this is how the AWX credential type in C(extensions/awx) injects an API key).
      - V(instance_principal) uses the identity of the compute instance the task runs on (through its metadata service).
      - V(resource_principal) uses the resource principal of an OCI Function or other resource (E(OCI_RESOURCE_PRINCIPAL_*) variables).
      - V(security_token) uses the session token of C(oci session authenticate), found through C(security_token_file) in the profile.
      - If not set, the value of the E(OCI_ANSIBLE_AUTH_TYPE) environment variable is used, then V(api_key).
    type: str
    choices: [api_key, instance_principal, resource_principal, security_token]
    default: api_key
  region:
    description:
      - OCI region identifier, for example V(us-ashburn-1). Overrides the region of the profile or principal.
      - If not set, the value of the E(OCI_REGION) environment variable is used.
    type: str
  service_endpoint:
    description:
      - Base URL that replaces the regional endpoint of every OCI service the module calls (Vault management,
        secret retrieval, KMS vault reads, Vulnerability Scanning), for private endpoints, proxies or a local simulator.
      - Give only scheme, host, port and optionally a path prefix, for example V(https://127.0.0.1:8443).
      - The KMS key is always read from the management endpoint the vault reports, unless O(service_endpoints.kms_management) is set.
      - If not set, the value of the E(OCI_SERVICE_ENDPOINT) environment variable is used.
    type: str
  service_endpoints:
    description:
      - Per-service endpoint overrides; each one wins over O(service_endpoint) for its service.
    type: dict
    suboptions:
      vaults:
        description: Secret management API (C(vaults.<region>.oci.oraclecloud.com)).
        type: str
      secrets:
        description: Secret retrieval API (C(secrets.vaults.<region>.oci.oraclecloud.com)).
        type: str
      kms:
        description: KMS vault API (C(kms.<region>.oraclecloud.com)), used to read the vault.
        type: str
      kms_management:
        description: KMS management endpoint of the vault, used to read the master encryption key.
        type: str
      vulnerability_scanning:
        description: Vulnerability Scanning API (C(vss-cp-api.<region>.oci.oraclecloud.com)).
        type: str
  cert_bundle:
    description:
      - PEM file of CA certificates trusted for TLS to OCI (or to O(service_endpoint)).
      - If not set, the value of the E(OCI_ANSIBLE_CERT_BUNDLE) environment variable is used; without either, the
        SDK's CA bundle is used, which E(REQUESTS_CA_BUNDLE) also replaces.
    type: path
  api_retries:
    description:
      - How many times a failed read or create is retried on connection errors, HTTP 429, 409 C(IncorrectState) and 5xx,
        with jittered backoff (at most 8 s between tries, 60 s in all).
      - Creates carry an C(opc-retry-token), so a retry never makes a second object. Updates, new secret versions
        and deletions are never retried, because a retry after a lost reply could repeat them.
      - If not set, V(3); or V(0) when the environment variable E(OCI_SDK_DEFAULT_RETRY_ENABLED) is V(false).
        The SDK's own default (8 tries over up to 10 minutes) and its circuit breaker are never used.
      - Must be between V(0) and V(10).
    type: int
requirements:
  - oci (the OCI Python SDK) >= 2.150.0
notes:
  - Modules that manage an object also return C(changes), a list of C({field, before, after}) for every field the run
    changed (or would change in check mode), without C(--diff) and without any secret, so that a task with C(no_log)
    still tells auditors what changed.
  - The SDK's request logging is always switched off, even if the profile sets C(log_requests), because it would print
    request bodies (the secret content) to standard output.
  - Use C(module_defaults) with C(group/scanops.qualys.oci) to set these options once for every OCI module of the collection.
  - A failed task returns, besides C(msg), C(error_kind) (for example C(auth), C(not_found), C(transport), C(state)),
    C(error_code) (the OCI code, for example C(NotAuthenticated)), C(http_status) and C(request_id) (the
    C(opc-request-id) to quote to Oracle support), as the Qualys modules do. The older names C(status), C(code) and
    C(opc_request_id) carry the same values and are deprecated.
'''

    # Check mode and diff support of modules that change things.
    ATTRIBUTES = r'''
attributes:
  check_mode:
    description: Runs the same reads as a real run and reports the same C(changed) and diff, without any write.
    support: full
  diff_mode:
    description: Returns C(diff) with the metadata before and after; secret content is shown only as a sha256 prefix.
    support: full
'''

    # Check mode and diff support of the read-only *_info modules.
    INFO_ATTRIBUTES = r'''
attributes:
  check_mode:
    description: The module only reads, so it runs the same in check mode.
    support: full
  diff_mode:
    description: The module changes nothing, so there is no diff.
    support: N/A
'''

    ACTION_GROUP = r'''
attributes:
  action_group:
    description: Use C(group/scanops.qualys.oci) in C(module_defaults) to set defaults for this module.
    support: full
    membership:
      - scanops.qualys.oci
'''
