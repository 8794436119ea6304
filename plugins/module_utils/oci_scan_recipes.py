# -*- coding: utf-8 -*-
# Copyright (c) scanops.qualys contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""OCI Vulnerability Scanning host scan recipes with the Qualys agent.

``OciScanRecipes`` takes an ``oci_client.OciClient`` and returns plain dicts;
every failure is ``oci_client.OciError``. ``recipe_result`` flattens a recipe
into the option names of ``oci_qualys_scan_recipe``.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.scanops.qualys.plugins.module_utils.oci_client import OciError, plain, retry_token, sdk_module

RECIPE_GONE_STATES = ('DELETED', 'DELETING')


class OciScanRecipes:
    """Host scan recipe reads and writes over one OciClient."""

    def __init__(self, client):
        self.oci = client

    @property
    def vss(self):
        return self.oci.client('vulnerability_scanning')

    def live_recipes(self, compartment_id, display_name):
        """Summaries of the recipes called ``display_name`` that are not deleted or being deleted."""
        items = self.oci.list_all('list host scan recipes', self.vss.list_host_scan_recipes, compartment_id,
                                  display_name=display_name, limit=100)
        found = [plain(item) for item in items]
        return [r for r in found
                if r.get('display_name') == display_name and r.get('lifecycle_state') not in RECIPE_GONE_STATES]

    def find_recipe(self, compartment_id, display_name):
        """The live host scan recipe with this display name (full dict) or None."""
        found = self.live_recipes(compartment_id, display_name)
        if not found:
            return None
        if len(found) > 1:
            raise OciError('%d host scan recipes are called %r in compartment %s; rename or delete the extra ones'
                           % (len(found), display_name, compartment_id), kind='ambiguous')
        return self.get_recipe(found[0]['id'])

    def list_recipes(self, compartment_id, display_name=None):
        kwargs = dict(limit=100)
        if display_name:
            kwargs['display_name'] = display_name
        items = self.oci.list_all('list host scan recipes', self.vss.list_host_scan_recipes, compartment_id, **kwargs)
        found = [plain(item) for item in items]
        return [r for r in found if r.get('lifecycle_state') != 'DELETED'
                and (not display_name or r.get('display_name') == display_name)]

    def get_recipe(self, recipe_id):
        return plain(self.oci.call('get host scan recipe', self.vss.get_host_scan_recipe, recipe_id).data)

    @staticmethod
    def _recipe_parts(spec):
        models = sdk_module('vulnerability_scanning').models
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
        models = sdk_module('vulnerability_scanning').models
        details = models.CreateHostScanRecipeDetails(compartment_id=compartment_id, **self._recipe_parts(spec))
        return plain(self.oci.call('create host scan recipe', self.vss.create_host_scan_recipe, details,
                                   opc_retry_token=retry_token(), write=True).data)

    def update_recipe(self, recipe_id, spec):
        models = sdk_module('vulnerability_scanning').models
        details = models.UpdateHostScanRecipeDetails(**self._recipe_parts(spec))
        self.oci.call('update host scan recipe', self.vss.update_host_scan_recipe, recipe_id, details,
                      retry_strategy=self.oci.no_retry(), write=True)

    def delete_recipe(self, recipe_id):
        self.oci.call('delete host scan recipe', self.vss.delete_host_scan_recipe, recipe_id,
                      retry_strategy=self.oci.no_retry(), write=True)

    def wait_recipe(self, recipe_id, states, timeout):
        def getter():
            try:
                return self.get_recipe(recipe_id)
            except OciError as exc:
                if exc.status == 404 and 'DELETED' in states:
                    return None
                raise
        return self.oci.wait_for('wait for host scan recipe %s to be %s' % (recipe_id, '/'.join(states)),
                                 getter, lambda r: r.get('lifecycle_state') in states, timeout)


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
