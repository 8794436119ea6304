#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) scanops.qualys contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: oci_qualys_secret_info
short_description: List OCI Vault secrets and fingerprints of their content
version_added: 0.1.0
description:
  - Lists the secrets of a compartment (optionally of one vault, or one name) with their metadata and, optionally, a
    sha256 prefix of the CURRENT content, so that drift can be seen without reading the content.
  - Never returns secret content unless O(include_content=true). Secrets already deleted are left out.
author:
  - scanops.qualys maintainers (@scanops)
extends_documentation_fragment:
  - scanops.qualys.oci
  - scanops.qualys.oci.info_attributes
  - scanops.qualys.oci.action_group
options:
  compartment_id:
    description: OCID of the compartment to list.
    type: str
    required: true
  vault_id:
    description: OCID of a vault; only its secrets are listed.
    type: str
  name:
    description: Name of one secret; only that secret is listed.
    type: str
  content_fingerprint:
    description:
      - Read the CURRENT bundle of each C(ACTIVE) secret to return RV(secrets[].content_sha256).
      - Needs the C(read secret-bundles) permission; set V(false) to read metadata only.
    type: bool
    default: true
  include_content:
    description:
      - Also return the CURRENT content of each C(ACTIVE) secret as text in RV(secrets[].content), for example to
        read back stored credentials. Implies reading the bundle like O(content_fingerprint).
      - The content is a secret; set C(no_log) on the task that uses this.
    type: bool
    default: false
  wait:
    description:
      - Wait for a secret found in a transitional state (C(CREATING), C(UPDATING), C(SCHEDULING_DELETION),
        C(CANCELLING_DELETION)), for example while another run stores new content, and report it once it has settled,
        so that its content can be read. A secret C(PENDING_DELETION) is reported as such, without content.
      - With V(false), such a secret is reported in its transitional state, without content or fingerprint.
    type: bool
    default: true
  wait_timeout:
    description: Seconds to wait at most for each such secret with O(wait=true); the module fails if it has not settled by then.
    type: int
    default: 300
seealso:
  - module: scanops.qualys.oci_qualys_secret
'''

EXAMPLES = r'''
- name: Fingerprint of the Qualys license secret
  scanops.qualys.oci_qualys_secret_info:
    compartment_id: "{{ compartment_ocid }}"
    vault_id: "{{ vault_ocid }}"
    name: qualys-agent-license
  register: found

- name: Fail when the license secret is missing
  ansible.builtin.assert:
    that: found.secrets | length == 1
'''

RETURN = r'''
secrets:
  description: The secrets found, sorted by name. Contains content only with O(include_content=true).
  returned: always
  type: list
  elements: dict
  contains:
    id:
      description: OCID of the secret.
      type: str
    name:
      description: Name of the secret.
      type: str
    compartment_id:
      description: OCID of its compartment.
      type: str
    vault_id:
      description: OCID of its vault.
      type: str
    key_id:
      description: OCID of its master encryption key.
      type: str
    description:
      description: Its description.
      type: str
    lifecycle_state:
      description: Lifecycle state.
      type: str
      sample: ACTIVE
    current_version_number:
      description: Number of the CURRENT version (known when the content was fingerprinted).
      type: int
    content_sha256:
      description: First 16 hex digits of the sha256 of the CURRENT content in canonical form, when read.
      type: str
    freeform_tags:
      description: Free-form tags.
      type: dict
    defined_tags:
      description: Defined tags.
      type: dict
    time_created:
      description: When it was created (ISO 8601).
      type: str
    time_of_deletion:
      description: When OCI deletes it, for a secret pending deletion.
      type: str
    content:
      description: The CURRENT content as text (secret), with O(include_content=true) for an C(ACTIVE) secret.
      type: str
      returned: with O(include_content=true)
'''

from ansible_collections.scanops.qualys.plugins.module_utils import oci_secret_content as sc
from ansible_collections.scanops.qualys.plugins.module_utils.oci_client import OciError, check_ocid
from ansible_collections.scanops.qualys.plugins.module_utils.oci_module import OciModule
from ansible_collections.scanops.qualys.plugins.module_utils.oci_secrets import (
    SECRET_SETTLED_STATES,
    SECRET_TRANSITIONAL_STATES,
    OciSecrets,
    secret_result,
)


class SecretInfoModule(OciModule):
    def __init__(self):
        super(SecretInfoModule, self).__init__(dict(
            compartment_id=dict(type='str', required=True),
            vault_id=dict(type='str'),
            name=dict(type='str'),
            content_fingerprint=dict(type='bool', default=True),
            include_content=dict(type='bool', default=False),
            wait=dict(type='bool', default=True),
            wait_timeout=dict(type='int', default=300),
        ))

    def run(self):
        p = self.params
        check_ocid(p['compartment_id'], 'compartment_id', ('compartment', 'tenancy'))
        check_ocid(p.get('vault_id'), 'vault_id', ('vault',))
        if p['wait_timeout'] < 0:
            raise OciError('wait_timeout must be 0 or more seconds', kind='config')
        vault = self.service(OciSecrets)
        secrets = []
        for summary in vault.list_secrets(p['compartment_id'], p.get('vault_id'), p.get('name')):
            if p['wait'] and summary.get('lifecycle_state') in SECRET_TRANSITIONAL_STATES:
                # Being created or updated (by another run, say): its content is what it settles with.
                summary = vault.wait_secret(summary['id'], SECRET_SETTLED_STATES, p['wait_timeout'])
            fingerprint = version = content = None
            if (p['content_fingerprint'] or p['include_content']) and summary.get('lifecycle_state') == 'ACTIVE':
                data, version = vault.read_current_content(summary['id'])
                self.keep_secret(sc.to_base64(data))
                fingerprint = sc.fingerprint(data)
                if p['include_content']:
                    # Asked for: returned as is, so it cannot be masked; the caller's task has no_log.
                    content = data.decode('utf-8', 'replace')
                del data
            entry = secret_result(summary, fingerprint, version)
            if content is not None:
                entry['content'] = content
            secrets.append(entry)
        secrets.sort(key=lambda s: (s['name'] or '', s['id'] or ''))
        return dict(changed=False, secrets=secrets)


def main():
    module = SecretInfoModule()
    module.execute(module.run)


if __name__ == '__main__':
    main()
