#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) scanops.qualys contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: oci_qualys_scan_recipe
short_description: Manage an OCI Vulnerability Scanning Compute (host) scan recipe that uses the Qualys agent
version_added: 0.1.0
description:
  - Creates, updates or deletes a host scan recipe of OCI Vulnerability Scanning whose agent settings use the Qualys
    agent (C(HostScanAgentConfigurationQualys)), which reads its license from the OCI Vault secret O(vault_secret_id)
    (see M(scanops.qualys.oci_qualys_secret)).
  - The recipe is found by its display name O(name) in O(compartment_id); the module fails if two recipes there have
    that name.
  - Only what differs is written; a second run with the same options changes nothing.
author:
  - scanops.qualys maintainers (@scanops)
extends_documentation_fragment:
  - scanops.qualys.oci
  - scanops.qualys.oci.attributes
  - scanops.qualys.oci.action_group
options:
  compartment_id:
    description: OCID of the compartment of the recipe.
    type: str
    required: true
  name:
    description: Display name of the recipe, unique within the compartment for this module.
    type: str
    required: true
    aliases: [display_name]
  vault_secret_id:
    description:
      - OCID of the Vault secret that holds the Qualys license (C({"cid", "aid", "pwsUrl", "pwsPort"}), base64).
      - Required with O(state=present).
    type: str
  should_uninstall:
    description: Whether the Qualys agent is uninstalled when the agent is stopped.
    type: bool
    default: false
  agent_scan_level:
    description: Agent-based scan level.
    type: str
    choices: [NONE, STANDARD]
    default: STANDARD
  port_scan_level:
    description: Port (network) scan level.
    type: str
    choices: [NONE, LIGHT, STANDARD]
    default: STANDARD
  schedule:
    description: How often hosts are scanned.
    type: str
    choices: [DAILY, WEEKLY]
    default: DAILY
  day_of_week:
    description: Day of the weekly scan; required with O(schedule=WEEKLY), not allowed with V(DAILY).
    type: str
    choices: [SUNDAY, MONDAY, TUESDAY, WEDNESDAY, THURSDAY, FRIDAY, SATURDAY]
  freeform_tags:
    description: Free-form tags; when set they replace the current ones.
    type: dict
  defined_tags:
    description: Defined tags by namespace; namespaces given replace the current ones, others are kept.
    type: dict
  state:
    description: Whether the recipe should exist.
    type: str
    choices: [present, absent]
    default: present
  wait:
    description: Wait until the recipe is C(ACTIVE) (or deleted) before returning.
    type: bool
    default: true
  wait_timeout:
    description: Seconds to wait at most with O(wait=true).
    type: int
    default: 300
seealso:
  - module: scanops.qualys.oci_qualys_secret
  - module: scanops.qualys.oci_qualys_scan_recipe_info
'''

EXAMPLES = r'''
- name: Compute scan recipe with the Qualys agent, weekly on Sunday
  scanops.qualys.oci_qualys_scan_recipe:
    compartment_id: "{{ compartment_ocid }}"
    name: qualys-hosts
    vault_secret_id: "{{ license_secret.secret.id }}"
    schedule: WEEKLY
    day_of_week: SUNDAY

- name: Remove the recipe
  scanops.qualys.oci_qualys_scan_recipe:
    compartment_id: "{{ compartment_ocid }}"
    name: qualys-hosts
    state: absent
'''

RETURN = r'''
recipe:
  description: The recipe after the run (predicted in check mode); empty when there is none.
  returned: always
  type: dict
  contains:
    id:
      description: OCID of the recipe (absent for one that check mode would create).
      type: str
    name:
      description: Display name.
      type: str
    compartment_id:
      description: OCID of its compartment.
      type: str
    lifecycle_state:
      description: Lifecycle state.
      type: str
      sample: ACTIVE
    port_scan_level:
      description: Port scan level.
      type: str
    agent_scan_level:
      description: Agent scan level.
      type: str
    agent_vendor:
      description: Agent vendor, C(QUALYS).
      type: str
    vault_secret_id:
      description: OCID of the license secret.
      type: str
    should_uninstall:
      description: Whether the agent is uninstalled when stopped.
      type: bool
    schedule:
      description: C(DAILY) or C(WEEKLY).
      type: str
    day_of_week:
      description: Day of a weekly scan.
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
    time_updated:
      description: When it was last updated (ISO 8601).
      type: str
changed_fields:
  description: Settings of an existing recipe that differed and were (or would be) updated.
  returned: when O(state=present) and the recipe existed
  type: list
  elements: str
  sample: [schedule, day_of_week]
'''

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.scanops.qualys.plugins.module_utils.oci_vault import (
    OciVault,
    OciVaultError,
    check_common_params,
    check_ocid,
    merge_defined_tags,
    oci_argument_spec,
    recipe_result,
    tags_differ,
)

COMPARED = ('port_scan_level', 'agent_scan_level', 'agent_vendor', 'vault_secret_id', 'should_uninstall',
            'schedule', 'day_of_week')


def argument_spec():
    spec = oci_argument_spec()
    spec.update(
        compartment_id=dict(type='str', required=True),
        name=dict(type='str', required=True, aliases=['display_name']),
        vault_secret_id=dict(type='str'),
        should_uninstall=dict(type='bool', default=False),
        agent_scan_level=dict(type='str', default='STANDARD', choices=['NONE', 'STANDARD']),
        port_scan_level=dict(type='str', default='STANDARD', choices=['NONE', 'LIGHT', 'STANDARD']),
        schedule=dict(type='str', default='DAILY', choices=['DAILY', 'WEEKLY']),
        day_of_week=dict(type='str', choices=['SUNDAY', 'MONDAY', 'TUESDAY', 'WEDNESDAY', 'THURSDAY', 'FRIDAY',
                                              'SATURDAY']),
        freeform_tags=dict(type='dict'),
        defined_tags=dict(type='dict'),
        state=dict(type='str', default='present', choices=['present', 'absent']),
        wait=dict(type='bool', default=True),
        wait_timeout=dict(type='int', default=300),
    )
    return spec


def validate(params):
    check_common_params(params)
    check_ocid(params['compartment_id'], 'compartment_id', ('compartment', 'tenancy'))
    check_ocid(params.get('vault_secret_id'), 'vault_secret_id', ('vaultsecret',))
    if params['state'] == 'present' and not params.get('vault_secret_id'):
        raise OciVaultError('vault_secret_id (the OCID of the license secret) is required with state=present')
    if not params['name'].strip():
        raise OciVaultError('name must not be empty')
    if params['schedule'] == 'WEEKLY' and not params.get('day_of_week'):
        raise OciVaultError('day_of_week is required with schedule=WEEKLY')
    if params['schedule'] == 'DAILY' and params.get('day_of_week'):
        raise OciVaultError('day_of_week is only allowed with schedule=WEEKLY')
    if params['wait_timeout'] < 0:
        raise OciVaultError('wait_timeout must be 0 or more seconds')


def desired_view(params, current):
    view = dict(
        name=params['name'],
        compartment_id=params['compartment_id'],
        port_scan_level=params['port_scan_level'],
        agent_scan_level=params['agent_scan_level'],
        agent_vendor='QUALYS',
        vault_secret_id=params['vault_secret_id'],
        should_uninstall=params['should_uninstall'],
        schedule=params['schedule'],
        day_of_week=params.get('day_of_week'),
        freeform_tags=params['freeform_tags'] if params.get('freeform_tags') is not None
        else (current or {}).get('freeform_tags', {}),
        defined_tags=merge_defined_tags((current or {}).get('defined_tags'), params.get('defined_tags'))
        if params.get('defined_tags') is not None else (current or {}).get('defined_tags', {}),
        lifecycle_state='ACTIVE',
    )
    if current:
        view['id'] = current['id']
    return view


def diff_view(view):
    return dict((k, v) for k, v in (view or {}).items() if k not in ('time_created', 'time_updated'))


def main():
    module = AnsibleModule(
        argument_spec=argument_spec(),
        required_if=[('state', 'present', ('vault_secret_id',))],
        supports_check_mode=True,
    )
    p = module.params
    try:
        validate(p)
    except OciVaultError as exc:
        module.fail_json(msg=str(exc))

    result = dict(changed=False, recipe={})
    before = after = {}
    try:
        vault = OciVault(p, module)
        found = vault.find_recipe(p['compartment_id'], p['name'])
        current = recipe_result(found)
        before = current
        if p['state'] == 'absent':
            after = {}
            if found:
                result['changed'] = True
                if not module.check_mode:
                    vault.delete_recipe(found['id'])
                    if p['wait']:
                        vault.wait_recipe(found['id'], ('DELETED',), p['wait_timeout'])
        else:
            wanted = desired_view(p, current)
            spec = dict(p, freeform_tags=wanted['freeform_tags'] if p.get('freeform_tags') is not None else None,
                        defined_tags=wanted['defined_tags'] if p.get('defined_tags') is not None else None)
            if not found:
                result['changed'] = True
                after = wanted
                if not module.check_mode:
                    created = vault.create_recipe(p['compartment_id'], spec)
                    if p['wait']:
                        created = vault.wait_recipe(created['id'], ('ACTIVE',), p['wait_timeout'])
                    after = recipe_result(created)
            else:
                differs = [key for key in COMPARED if current.get(key) != wanted.get(key)]
                if tags_differ(current.get('freeform_tags'), p.get('freeform_tags')):
                    differs.append('freeform_tags')
                if tags_differ(current.get('defined_tags'), p.get('defined_tags'), defined=True):
                    differs.append('defined_tags')
                if current.get('lifecycle_state') == 'FAILED':
                    differs.append('lifecycle_state')
                if not differs:
                    after = current
                else:
                    result['changed'] = True
                    after = wanted
                    if not module.check_mode:
                        if current.get('lifecycle_state') not in ('ACTIVE', 'FAILED'):
                            vault.wait_recipe(found['id'], ('ACTIVE', 'FAILED'), p['wait_timeout'])
                        vault.update_recipe(found['id'], spec)
                        if p['wait']:
                            updated = vault.wait_recipe(found['id'], ('ACTIVE',), p['wait_timeout'])
                        else:
                            updated = vault.get_recipe(found['id'])
                        after = recipe_result(updated)
                result['changed_fields'] = sorted(differs)
    except OciVaultError as exc:
        module.fail_json(msg=str(exc), **exc.to_result())

    result['recipe'] = after
    if module._diff:
        result['diff'] = dict(before=diff_view(before), after=diff_view(after))
    module.exit_json(**result)


if __name__ == '__main__':
    main()
