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

from ansible_collections.scanops.qualys.plugins.module_utils.oci_client import check_ocid
from ansible_collections.scanops.qualys.plugins.module_utils.oci_module import OciModule
from ansible_collections.scanops.qualys.plugins.module_utils.oci_scan_recipes import OciScanRecipes, recipe_result


class ScanRecipeInfoModule(OciModule):
    def __init__(self):
        super(ScanRecipeInfoModule, self).__init__(dict(
            compartment_id=dict(type='str', required=True),
            name=dict(type='str', aliases=['display_name']),
            qualys_only=dict(type='bool', default=False),
        ))

    def run(self):
        p = self.params
        check_ocid(p['compartment_id'], 'compartment_id', ('compartment', 'tenancy'))
        vss = self.service(OciScanRecipes)
        recipes = []
        for summary in vss.list_recipes(p['compartment_id'], p.get('name')):
            recipe = recipe_result(vss.get_recipe(summary['id']))
            if p['qualys_only'] and recipe.get('agent_vendor') != 'QUALYS':
                continue
            recipes.append(recipe)
        recipes.sort(key=lambda r: (r['name'] or '', r['id'] or ''))
        return dict(changed=False, recipes=recipes)


def main():
    module = ScanRecipeInfoModule()
    module.execute(module.run)


if __name__ == '__main__':
    main()
