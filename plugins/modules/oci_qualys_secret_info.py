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
  - With O(search_vault=true), finds the secret called O(name) (or each of O(names)) in O(vault_id) whatever
    compartment holds it, so that "a secret of that name exists in this vault, but in another compartment" (compare
    RV(secrets[].compartment_id) with the compartment you expected) can be told apart from "no such secret" (no entry
    of that name in RV(secrets)).
author:
  - scanops.qualys maintainers (@scanops)
extends_documentation_fragment:
  - scanops.qualys.oci
  - scanops.qualys.oci.info_attributes
  - scanops.qualys.oci.action_group
options:
  compartment_id:
    description:
      - OCID of the compartment to list.
      - Required unless O(search_vault=true); with it, it may be given but is not a filter.
    type: str
  vault_id:
    description: OCID of a vault; only its secrets are listed. Required with O(search_vault=true).
    type: str
  name:
    description:
      - Name of one secret; only that secret is listed. With O(search_vault=true), O(name) or O(names) is required.
      - Mutually exclusive with O(names).
    type: str
  names:
    description:
      - Names of several secrets; only those are listed, in one task (one module run) instead of one task per name.
      - With O(search_vault=true), each name is looked up in O(vault_id) as for O(name).
      - Mutually exclusive with O(name).
    type: list
    elements: str
  search_vault:
    description:
      - Look the secret O(name) (or each of O(names)) up in the vault O(vault_id) by name, in whatever compartment it
        is, instead of listing O(compartment_id). OCI lists secrets per compartment only, but reads a secret bundle by
        secret name and vault (C(GetSecretBundleByName)), which names the secret; its metadata,
        RV(secrets[].compartment_id) included, is then read as usual. The CURRENT content read by that lookup serves
        RV(secrets[].content_sha256) and RV(secrets[].content); it is not read a second time.
      - RV(secrets) has no entry for a name when there is no such secret, or when the policies do not let this
        principal read its bundles (OCI answers both with C(404 NotAuthorizedOrNotFound)). It needs
        C(read secret-bundles) in the compartment of the secret.
      - Whether OCI finds a secret pending deletion this way is not confirmed; the local simulator does.
    type: bool
    default: false
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
      - Also returns the content and number of the PENDING version, when there is one (RV(secrets[].pending_content),
        RV(secrets[].pending_version_number)), for example the password a two-phase rotation stored before it was
        promoted. Only a PENDING version newer than the CURRENT one counts; when the CURRENT version is the latest,
        nothing more is read.
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

- name: The credentials secret wherever it is in the vault, with its CURRENT and PENDING content
  scanops.qualys.oci_qualys_secret_info:
    vault_id: "{{ vault_ocid }}"
    name: qualys-api-user
    search_vault: true
    include_content: true
  register: stored
  no_log: true

- name: A secret of that name in another compartment is an error, not "no credentials"
  ansible.builtin.assert:
    that: stored.secrets | rejectattr('compartment_id', 'equalto', compartment_ocid) | list | length == 0
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
      description: OCID of its compartment (with O(search_vault=true), wherever the secret was found).
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
      description:
        - Number of the CURRENT version; pass it to O(scanops.qualys.oci_qualys_secret#module:if_version_number) to
          make a later store conditional on it.
        - The version of the content read, when it was read.
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
    pending_version_number:
      description: Number of the PENDING version, V(null) when there is none.
      type: int
      returned: with O(include_content=true) for an C(ACTIVE) secret
    pending_content:
      description: The PENDING version's content as text (secret), when there is a PENDING version.
      type: str
      returned: with O(include_content=true) for an C(ACTIVE) secret with a PENDING version
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
            compartment_id=dict(type='str'),
            vault_id=dict(type='str'),
            name=dict(type='str'),
            names=dict(type='list', elements='str'),
            search_vault=dict(type='bool', default=False),
            content_fingerprint=dict(type='bool', default=True),
            include_content=dict(type='bool', default=False),
            wait=dict(type='bool', default=True),
            wait_timeout=dict(type='int', default=300),
        ), mutually_exclusive=[('name', 'names')])
        # CURRENT bundles read while finding secrets: {secret_id: (bytes, version_number, stages)}.
        self._bundles = {}

    def validate(self):
        p = self.params
        if p['names'] is not None and not all(name and name.strip() for name in p['names']):
            raise OciError('names must not hold an empty name', kind='config')
        if p['search_vault']:
            missing = [option for option in ('vault_id',) if not p.get(option)]
            if not p.get('name') and not p.get('names'):
                missing.append('name (or names)')
            if missing:
                raise OciError('search_vault=true needs %s' % ' and '.join(missing), kind='config')
        elif not p.get('compartment_id'):
            raise OciError('compartment_id is required (or search_vault=true with vault_id and name)', kind='config')
        check_ocid(p.get('compartment_id'), 'compartment_id', ('compartment', 'tenancy'))
        check_ocid(p.get('vault_id'), 'vault_id', ('vault',))
        if p['wait_timeout'] < 0:
            raise OciError('wait_timeout must be 0 or more seconds', kind='config')

    def candidates(self, vault):
        """Secret dicts to report: listed in the compartment, or those found by name in the vault."""
        p = self.params
        names = [p['name']] if p.get('name') else sorted(set(p.get('names') or []))
        if not p['search_vault']:
            if p.get('name') or p['names'] is None:
                return vault.list_secrets(p['compartment_id'], p.get('vault_id'), p.get('name'))
            # OCI filters a list by one name at most: several are picked from the whole list.
            wanted = set(names)
            return [secret for secret in vault.list_secrets(p['compartment_id'], p.get('vault_id'), None)
                    if secret.get('secret_name') in wanted]
        secrets = []
        for name in names:
            found = vault.find_bundle_in_vault(p['vault_id'], name)
            if found is None:
                continue
            secret_id, data, version, stages = found
            self.keep_secret(sc.to_base64(data))
            # The lookup by name read the CURRENT content already: it is not read a second time.
            self._bundles[secret_id] = (data, version, stages)
            secret = vault.get_secret(secret_id)
            if secret.get('lifecycle_state') != 'DELETED':
                secrets.append(secret)
        return secrets

    def run(self):
        p = self.params
        self.validate()
        vault = self.service(OciSecrets)
        secrets = []
        for summary in self.candidates(vault):
            if p['wait'] and summary.get('lifecycle_state') in SECRET_TRANSITIONAL_STATES:
                # Being created or updated (by another run, say): its content is what it settles with.
                summary = vault.wait_secret(summary['id'], SECRET_SETTLED_STATES, p['wait_timeout'])
            fingerprint = version = content = None
            pending = {}
            active = summary.get('lifecycle_state') == 'ACTIVE'
            if (p['content_fingerprint'] or p['include_content']) and active:
                bundle = self._bundles.pop(summary['id'], None)
                if bundle is None or bundle[1] != summary.get('current_version_number'):
                    bundle = vault.read_bundle(summary['id'])
                data, version, stages = bundle
                self.keep_secret(sc.to_base64(data))
                fingerprint = sc.fingerprint(data)
                if p['include_content']:
                    # Asked for: returned as is, so it cannot be masked; the caller's task has no_log.
                    content = data.decode('utf-8', 'replace')
                    pending = self.pending(vault, summary['id'], stages)
                del data
            if version is None and summary.get('current_version_number') is None:
                # List summaries carry no version number.
                summary = dict(summary, current_version_number=vault.get_secret(summary['id']).get('current_version_number'))
            entry = secret_result(summary, fingerprint, version)
            if content is not None:
                entry['content'] = content
            entry.update(pending)
            secrets.append(entry)
        secrets.sort(key=lambda s: (s['name'] or '', s['id'] or ''))
        return dict(changed=False, secrets=secrets)

    def pending(self, vault, secret_id, current_stages):
        """pending_version_number, and pending_content when there is a PENDING version (newer than CURRENT)."""
        data, version = vault.read_pending(secret_id, current_stages=current_stages)
        result = dict(pending_version_number=version)
        if data is not None:
            self.keep_secret(sc.to_base64(data))
            result['pending_content'] = data.decode('utf-8', 'replace')
        return result


def main():
    module = SecretInfoModule()
    module.execute(module.run)


if __name__ == '__main__':
    main()
