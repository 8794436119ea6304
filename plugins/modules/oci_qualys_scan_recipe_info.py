#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) scanops.qualys contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: oci_qualys_scan_recipe_info
short_description: List OCI Vulnerability Scanning host scan recipes
version_added: 0.1.0
description:
  - Lists the Compute (host) scan recipes of a compartment, or the one with a given display name, with their agent
    settings (vendor, license secret), scan levels and schedule. Recipes already deleted are left out.
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
  name:
    description: Display name; only recipes with this name are listed.
    type: str
    aliases: [display_name]
  qualys_only:
    description: List only recipes whose agent is the Qualys agent.
    type: bool
    default: false
seealso:
  - module: scanops.qualys.oci_qualys_scan_recipe
'''

EXAMPLES = r'''
- name: Recipes that use the Qualys agent
  scanops.qualys.oci_qualys_scan_recipe_info:
    compartment_id: "{{ compartment_ocid }}"
    qualys_only: true
  register: recipes
'''

RETURN = r'''
recipes:
  description: The recipes found, sorted by name.
  returned: always
  type: list
  elements: dict
  contains:
    id:
      description: OCID of the recipe.
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
    port_scan_level:
      description: Port scan level.
      type: str
    agent_scan_level:
      description: Agent scan level.
      type: str
    agent_vendor:
      description: Agent vendor, C(QUALYS) or C(OCI).
      type: str
    vault_secret_id:
      description: OCID of the license secret of a Qualys agent.
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
'''

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.scanops.qualys.plugins.module_utils.oci_vault import (
    OciVault,
    OciVaultError,
    check_common_params,
    check_ocid,
    oci_argument_spec,
    recipe_result,
)


def main():
    spec = oci_argument_spec()
    spec.update(
        compartment_id=dict(type='str', required=True),
        name=dict(type='str', aliases=['display_name']),
        qualys_only=dict(type='bool', default=False),
    )
    module = AnsibleModule(argument_spec=spec, supports_check_mode=True)
    p = module.params
    try:
        check_common_params(p)
        check_ocid(p['compartment_id'], 'compartment_id', ('compartment', 'tenancy'))
        vault = OciVault(p, module)
        recipes = []
        for summary in vault.list_recipes(p['compartment_id'], p.get('name')):
            recipe = recipe_result(vault.get_recipe(summary['id']))
            if p['qualys_only'] and recipe.get('agent_vendor') != 'QUALYS':
                continue
            recipes.append(recipe)
    except OciVaultError as exc:
        module.fail_json(msg=str(exc), **exc.to_result())
    recipes.sort(key=lambda r: (r['name'] or '', r['id'] or ''))
    module.exit_json(changed=False, recipes=recipes)


if __name__ == '__main__':
    main()
