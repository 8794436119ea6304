# -*- coding: utf-8 -*-
# Copyright (c) scanops.qualys contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""oci_scan_recipes: recipe lookups and result shapes (SDK clients mocked)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.scanops.qualys.plugins.module_utils import oci_client as oc
from ansible_collections.scanops.qualys.plugins.module_utils import oci_scan_recipes as rs

try:
    from unittest import mock
except ImportError:  # pragma: no cover
    import mock


def test_recipe_result_flattens_the_agent_settings():
    recipe = {"id": "r", "display_name": "x", "agent_settings": {"scan_level": "STANDARD", "agent_configuration": {
        "vendor": "QUALYS", "vault_secret_id": "s", "should_un_install": True}}, "schedule": {"type": "DAILY"}}
    shaped = rs.recipe_result(recipe)
    assert (shaped["agent_vendor"], shaped["vault_secret_id"], shaped["should_uninstall"], shaped["schedule"]) == (
        "QUALYS", "s", True, "DAILY")


class _Reply(object):
    def __init__(self, items):
        models = pytest.importorskip("oci.vulnerability_scanning").models
        self.data = models.HostScanRecipeSummaryCollection(items=items)
        self.has_next_page = False
        self.next_page = None


def _summary(recipe_id, name, state="ACTIVE"):
    models = pytest.importorskip("oci.vulnerability_scanning").models
    return models.HostScanRecipeSummary(id=recipe_id, display_name=name, lifecycle_state=state, compartment_id="c")


def test_live_recipes_and_ambiguous_names():
    params = dict(config_file=None, config_profile="DEFAULT", auth_type="api_key", region=None, service_endpoint=None,
                  service_endpoints=None, cert_bundle=None, api_retries=0)
    recipes = rs.OciScanRecipes(oc.OciClient(params))
    vss = mock.Mock()
    recipes.oci._clients[("vulnerability_scanning", None)] = vss
    vss.list_host_scan_recipes.return_value = _Reply([_summary("a", "q"), _summary("b", "q", "DELETING"),
                                                      _summary("c", "other")])
    assert [r["id"] for r in recipes.live_recipes("c", "q")] == ["a"]
    assert vss.list_host_scan_recipes.call_args[1]["display_name"] == "q"
    vss.list_host_scan_recipes.return_value = _Reply([_summary("a", "q"), _summary("d", "q", "CREATING")])
    with pytest.raises(oc.OciError) as err:
        recipes.find_recipe("c", "q")
    assert err.value.kind == "ambiguous" and "2 host scan recipes are called 'q'" in str(err.value)
