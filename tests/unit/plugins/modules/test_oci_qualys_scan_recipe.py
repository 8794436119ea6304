# -*- coding: utf-8 -*-
# Copyright (c) scanops.qualys contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""oci_qualys_scan_recipe and its _info module against an in-memory stand-in for oci_scan_recipes.OciScanRecipes."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import copy

import pytest

from ansible_collections.scanops.qualys.plugins.module_utils.oci_client import OciError
from ansible_collections.scanops.qualys.plugins.modules import oci_qualys_scan_recipe, oci_qualys_scan_recipe_info
from ansible_collections.scanops.qualys.tests.unit.plugins.modules.utils import run_module

COMPARTMENT = "ocid1.compartment.oc1..aaaaaaaaunit"
SECRET_ID = "ocid1.vaultsecret.oc1.iad.aaaaaaaaunitsecret"
BASE = {"compartment_id": COMPARTMENT, "name": "qualys-hosts", "vault_secret_id": SECRET_ID}


class FakeVss(object):
    WRITES = ("create_recipe", "update_recipe", "delete_recipe")

    def __init__(self):
        self.recipes = {}
        self.calls = []

    def writes(self):
        return [call for call in self.calls if call[0] in self.WRITES]

    def add(self, name, vendor="QUALYS", schedule="DAILY", day=None, state="ACTIVE", tags=None):
        recipe_id = "ocid1.vsshostscanrecipe.oc1.iad.unit%d" % (len(self.recipes) + 1)
        config = {"vendor": vendor, "vault_secret_id": SECRET_ID if vendor == "QUALYS" else None,
                  "should_un_install": False if vendor == "QUALYS" else None}
        self.recipes[recipe_id] = {
            "id": recipe_id, "display_name": name, "compartment_id": COMPARTMENT, "lifecycle_state": state,
            "port_settings": {"scan_level": "STANDARD"},
            "agent_settings": {"scan_level": "STANDARD", "agent_configuration": config},
            "schedule": {"type": schedule, "day_of_week": day}, "freeform_tags": tags or {}, "defined_tags": {},
        }
        return recipe_id

    def _store(self, recipe_id, compartment_id, spec, state):
        self.recipes[recipe_id] = {
            "id": recipe_id, "display_name": spec["name"], "compartment_id": compartment_id, "lifecycle_state": state,
            "port_settings": {"scan_level": spec["port_scan_level"]},
            "agent_settings": {"scan_level": spec["agent_scan_level"], "agent_configuration": {
                "vendor": "QUALYS", "vault_secret_id": spec["vault_secret_id"],
                "should_un_install": spec["should_uninstall"]}},
            "schedule": {"type": spec["schedule"], "day_of_week": spec.get("day_of_week")},
            "freeform_tags": spec.get("freeform_tags") if spec.get("freeform_tags") is not None
            else self.recipes.get(recipe_id, {}).get("freeform_tags", {}),
            "defined_tags": spec.get("defined_tags") or {},
        }

    def find_recipe(self, compartment_id, name):
        self.calls.append(("find_recipe", name))
        found = [r for r in self.recipes.values() if r["display_name"] == name and r["lifecycle_state"] != "DELETED"]
        return copy.deepcopy(found[0]) if found else None

    def live_recipes(self, compartment_id, name):
        self.calls.append(("live_recipes", name))
        return [copy.deepcopy(r) for r in self.recipes.values()
                if r["lifecycle_state"] not in ("DELETED", "DELETING") and r["display_name"] == name]

    def list_recipes(self, compartment_id, name=None):
        self.calls.append(("list_recipes", name))
        return [copy.deepcopy(r) for r in self.recipes.values()
                if r["lifecycle_state"] != "DELETED" and (not name or r["display_name"] == name)]

    def get_recipe(self, recipe_id):
        self.calls.append(("get_recipe", recipe_id))
        return copy.deepcopy(self.recipes[recipe_id])

    def create_recipe(self, compartment_id, spec):
        self.calls.append(("create_recipe", spec["name"]))
        recipe_id = "ocid1.vsshostscanrecipe.oc1.iad.new%d" % (len(self.recipes) + 1)
        self._store(recipe_id, compartment_id, spec, "CREATING")
        return copy.deepcopy(self.recipes[recipe_id])

    def update_recipe(self, recipe_id, spec):
        self.calls.append(("update_recipe", recipe_id))
        self._store(recipe_id, COMPARTMENT, spec, "UPDATING")

    def delete_recipe(self, recipe_id):
        self.calls.append(("delete_recipe", recipe_id))
        self.recipes[recipe_id]["lifecycle_state"] = "DELETING"

    def wait_recipe(self, recipe_id, states, timeout):
        self.calls.append(("wait_recipe", recipe_id, states))
        recipe = self.recipes[recipe_id]
        recipe["lifecycle_state"] = {"CREATING": "ACTIVE", "UPDATING": "ACTIVE", "DELETING": "DELETED"}.get(
            recipe["lifecycle_state"], recipe["lifecycle_state"])
        assert recipe["lifecycle_state"] in states
        return copy.deepcopy(recipe)


def run(fake, args, module=oci_qualys_scan_recipe, check=False, diff=False):
    """The module with ``fake`` as its OciScanRecipes; (result, failed)."""
    out = run_module(module, copy.deepcopy(args), check=check, diff=diff, client=fake, factory=(module, "OciScanRecipes"))
    return out.result, out.failed


def ok(fake, args, **kwargs):
    result, failed = run(fake, args, **kwargs)
    assert not failed, result
    return result


def test_create_check_then_create_then_unchanged():
    fake = FakeVss()
    result = ok(fake, BASE, check=True, diff=True)
    assert result["changed"] and result["diff"]["before"] == {} and result["diff"]["after"]["agent_vendor"] == "QUALYS"
    assert fake.writes() == []
    result = ok(fake, BASE)
    assert result["changed"] and result["recipe"]["lifecycle_state"] == "ACTIVE"
    assert result["recipe"]["vault_secret_id"] == SECRET_ID and result["recipe"]["schedule"] == "DAILY"
    assert len(fake.writes()) == 1
    for check in (False, True):
        result = ok(fake, BASE, check=check)
        assert result["changed"] is False and result["changed_fields"] == []
    assert len(fake.writes()) == 1


def test_update_only_what_differs():
    fake = FakeVss()
    recipe_id = fake.add("qualys-hosts", tags={"keep": "me"})
    weekly = dict(BASE, schedule="WEEKLY", day_of_week="FRIDAY")
    result = ok(fake, weekly, check=True, diff=True)
    assert result["changed"] and result["changed_fields"] == ["day_of_week", "schedule"]
    assert result["diff"]["after"]["freeform_tags"] == {"keep": "me"}
    assert fake.writes() == []
    result = ok(fake, weekly)
    assert result["recipe"]["day_of_week"] == "FRIDAY" and result["recipe"]["freeform_tags"] == {"keep": "me"}
    assert fake.writes() == [("update_recipe", recipe_id)]
    assert ok(fake, weekly)["changed"] is False


def test_oci_agent_recipe_is_switched_to_qualys():
    fake = FakeVss()
    fake.add("qualys-hosts", vendor="OCI")
    result = ok(fake, BASE)
    assert "agent_vendor" in result["changed_fields"] and "vault_secret_id" in result["changed_fields"]
    assert result["recipe"]["agent_vendor"] == "QUALYS"


def test_absent():
    fake = FakeVss()
    assert ok(fake, dict(BASE, state="absent"))["changed"] is False
    recipe_id = fake.add("qualys-hosts")
    assert ok(fake, dict(BASE, state="absent"), check=True)["changed"] is True and fake.writes() == []
    result = ok(fake, dict(BASE, state="absent"))
    assert result["changed"] and result["recipe"] == {}
    assert fake.writes() == [("delete_recipe", recipe_id)]
    assert ok(fake, dict(BASE, state="absent"))["changed"] is False


@pytest.mark.parametrize("args, fragment", [
    (dict(BASE, schedule="WEEKLY"), "day_of_week is required with schedule=WEEKLY"),
    (dict(BASE, day_of_week="MONDAY"), "day_of_week is only allowed with schedule=WEEKLY"),
    (dict(BASE, vault_secret_id=None), "vault_secret_id"),
    (dict(BASE, vault_secret_id="ocid1.vault.oc1.iad.aaaa"), "vault_secret_id must be the OCID of a vaultsecret"),
    (dict(BASE, compartment_id="x"), "compartment_id is not a valid OCID"),
    (dict(BASE, name=" "), "name must not be empty"),
    (dict(BASE, agent_scan_level="LIGHT"), "agent_scan_level"),
])
def test_bad_input(args, fragment):
    fake = FakeVss()
    result, failed = run(fake, args)
    assert failed and fragment in result["msg"]
    assert fake.calls == []


def test_errors_are_reported():
    class Broken(FakeVss):
        def find_recipe(self, *args):
            raise OciError("2 host scan recipes are called 'qualys-hosts'", status=None)
    result, failed = run(Broken(), BASE)
    assert failed and "2 host scan recipes" in result["msg"]


def test_info_lists_and_filters_vendor():
    fake = FakeVss()
    fake.add("b-qualys")
    fake.add("a-oci", vendor="OCI")
    result = ok(fake, {"compartment_id": COMPARTMENT}, module=oci_qualys_scan_recipe_info)
    assert [r["name"] for r in result["recipes"]] == ["a-oci", "b-qualys"] and result["changed"] is False
    result = ok(fake, {"compartment_id": COMPARTMENT, "qualys_only": True}, module=oci_qualys_scan_recipe_info)
    assert [r["name"] for r in result["recipes"]] == ["b-qualys"]


class RacingVss(FakeVss):
    """Another run creates a recipe of the same name at the same moment as this run."""

    def __init__(self, other_is_older):
        super(RacingVss, self).__init__()
        self.other_is_older = other_is_older
        self.other = None

    def create_recipe(self, compartment_id, spec):
        other = self.add(spec["name"], schedule="WEEKLY", day="MONDAY")
        created = super(RacingVss, self).create_recipe(compartment_id, spec)
        self.recipes[other]["time_created"] = "2026-01-01T00:00:00.000Z" if self.other_is_older else "2026-01-01T00:00:02.000Z"
        self.recipes[created["id"]]["time_created"] = "2026-01-01T00:00:01.000Z"
        self.other = other
        return dict(created, time_created=self.recipes[created["id"]]["time_created"])

    def delete_recipe(self, recipe_id):
        super(RacingVss, self).delete_recipe(recipe_id)
        self.recipes[recipe_id]["lifecycle_state"] = "DELETED"


def test_duplicate_created_by_another_run_converges_on_the_older_one():
    # Issue 16 item 3: two runs made two recipes of one name, and every later run failed.
    fake = RacingVss(other_is_older=True)
    result = ok(fake, BASE)
    assert result["changed"] and result["recipe"]["id"] == fake.other
    # Ours deleted; the kept one (made by the other run with other settings) updated to this task's.
    assert [w[0] for w in fake.writes()] == ["create_recipe", "delete_recipe", "update_recipe"]
    assert result["recipe"]["schedule"] == "DAILY" and result["recipe"]["day_of_week"] is None
    live = [r for r in fake.recipes.values() if r["lifecycle_state"] not in ("DELETED", "DELETING")]
    assert [r["id"] for r in live] == [fake.other]
    fake.calls[:] = []
    assert ok(fake, BASE)["changed"] is False and fake.writes() == []


def test_duplicate_that_is_newer_is_left_to_the_run_that_made_it():
    fake = RacingVss(other_is_older=False)
    result = ok(fake, BASE)
    assert result["changed"] and result["recipe"]["id"] != fake.other
    assert [w[0] for w in fake.writes()] == ["create_recipe"]
