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
  - OCI does not keep display names unique, so after a create the module lists the recipes of that name again. When
    another run created one at the same time, every run keeps the same one (the oldest; the lowest OCID among equally
    old ones), deletes the one it created itself if that is not the one kept, and continues with the one kept.
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

import datetime

from ansible_collections.scanops.qualys.plugins.module_utils.oci_client import (
    OciError,
    check_ocid,
    merge_defined_tags,
    oci_argument_spec,
    tags_differ,
)
from ansible_collections.scanops.qualys.plugins.module_utils.oci_module import OciResourceModule
from ansible_collections.scanops.qualys.plugins.module_utils.oci_scan_recipes import OciScanRecipes, recipe_result

COMPARED = ('port_scan_level', 'agent_scan_level', 'agent_vendor', 'vault_secret_id', 'should_uninstall',
            'schedule', 'day_of_week')


def argument_spec():
    """The module's options with the shared OCI ones (doc_fragments/oci.py)."""
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
    check_ocid(params['compartment_id'], 'compartment_id', ('compartment', 'tenancy'))
    check_ocid(params.get('vault_secret_id'), 'vault_secret_id', ('vaultsecret',))
    if params['state'] == 'present' and not params.get('vault_secret_id'):
        raise OciError('vault_secret_id (the OCID of the license secret) is required with state=present')
    if not params['name'].strip():
        raise OciError('name must not be empty')
    if params['schedule'] == 'WEEKLY' and not params.get('day_of_week'):
        raise OciError('day_of_week is required with schedule=WEEKLY')
    if params['schedule'] == 'DAILY' and params.get('day_of_week'):
        raise OciError('day_of_week is only allowed with schedule=WEEKLY')
    if params['wait_timeout'] < 0:
        raise OciError('wait_timeout must be 0 or more seconds')


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


def _age(recipe):
    """Sort key that puts the oldest recipe first, the lowest OCID first among equally old ones."""
    try:
        created = datetime.datetime.fromisoformat((recipe.get('time_created') or '').replace('Z', '+00:00')).timestamp()
    except ValueError:
        created = float('inf')
    return created, recipe['id']


class ScanRecipeModule(OciResourceModule):
    """One host scan recipe, found by display name; objects are ``recipe_result`` dicts."""

    result_key = 'recipe'

    def __init__(self):
        super(ScanRecipeModule, self).__init__(argument_spec(), required_if=[('state', 'present', ('vault_secret_id',))])

    @property
    def vss(self):
        return self.service(OciScanRecipes)

    def validate(self):
        try:
            validate(self.params)
        except OciError as exc:
            self.fail(str(exc))

    def find(self):
        return recipe_result(self.vss.find_recipe(self.params['compartment_id'], self.params['name'])) or None

    def desired(self, current):
        return desired_view(self.params, current)

    def compare(self, current, desired):
        p = self.params
        changes = dict((key, desired.get(key)) for key in COMPARED if current.get(key) != desired.get(key))
        if tags_differ(current.get('freeform_tags'), p.get('freeform_tags')):
            changes['freeform_tags'] = desired['freeform_tags']
        if tags_differ(current.get('defined_tags'), p.get('defined_tags'), defined=True):
            changes['defined_tags'] = desired['defined_tags']
        if current.get('lifecycle_state') == 'FAILED':
            changes['lifecycle_state'] = 'ACTIVE'
        return changes

    def diff_view(self, obj):
        return diff_view(obj)

    def extra_result(self):
        if self.params['state'] == 'present' and self.changes is not None:
            return dict(changed_fields=sorted(self.changes))
        return {}

    # -- writing -----------------------------------------------------------------------------

    def _spec(self, desired):
        p = self.params
        return dict(p, freeform_tags=desired['freeform_tags'] if p.get('freeform_tags') is not None else None,
                    defined_tags=desired['defined_tags'] if p.get('defined_tags') is not None else None)

    def planned_create(self, desired):
        return desired

    def create(self, desired):
        p = self.params
        created = self.vss.create_recipe(p['compartment_id'], self._spec(desired))
        if p['wait']:
            created = self.vss.wait_recipe(created['id'], ('ACTIVE',), p['wait_timeout'])
        return recipe_result(created)

    def recheck_created(self, created, desired):
        """Two runs may create the recipe at once (OCI allows equal names): every run keeps the same one."""
        p = self.params
        live = self.vss.live_recipes(p['compartment_id'], p['name'])
        if len(live) < 2:
            return created
        kept = min(live, key=_age)
        if kept['id'] == created['id']:
            return created  # the other runs delete theirs
        self.module.warn('Another run created host scan recipe %r at the same time: keeping the older one (%s) and '
                         'deleting the one this run created (%s).' % (p['name'], kept['id'], created['id']))
        if created.get('lifecycle_state') not in ('ACTIVE', 'FAILED'):
            self.vss.wait_recipe(created['id'], ('ACTIVE', 'FAILED'), p['wait_timeout'])
        self.vss.delete_recipe(created['id'])
        if p['wait']:
            self.vss.wait_recipe(created['id'], ('DELETED',), p['wait_timeout'])
        current = recipe_result(self.vss.get_recipe(kept['id']))
        if self.compare(current, self.desired(current)):
            return self.update(current, None)
        return current

    def update(self, current, changes):
        p = self.params
        if current.get('lifecycle_state') not in ('ACTIVE', 'FAILED'):
            self.vss.wait_recipe(current['id'], ('ACTIVE', 'FAILED'), p['wait_timeout'])
        self.vss.update_recipe(current['id'], self._spec(self.desired(current)))
        if p['wait']:
            updated = self.vss.wait_recipe(current['id'], ('ACTIVE',), p['wait_timeout'])
        else:
            updated = self.vss.get_recipe(current['id'])
        return recipe_result(updated)

    def delete(self, current):
        p = self.params
        self.vss.delete_recipe(current['id'])
        if p['wait']:
            self.vss.wait_recipe(current['id'], ('DELETED',), p['wait_timeout'])


def main():
    module = ScanRecipeModule()
    module.execute(module.run)


if __name__ == '__main__':
    main()
