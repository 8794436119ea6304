# -*- coding: utf-8 -*-
# Copyright (c) scanops.qualys contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""oci_qualys_scan_recipe end to end through the real oci SDK and the OCI simulator."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

RECIPE = "scanops.qualys.oci_qualys_scan_recipe"
RECIPE_INFO = "scanops.qualys.oci_qualys_scan_recipe_info"
SECRET = "scanops.qualys.oci_qualys_secret"
OCI_MODULES = (SECRET, "scanops.qualys.oci_qualys_secret_info", RECIPE, RECIPE_INFO)
LICENSE = {"cid": "cid-recipe-test-0001", "aid": "aid-recipe-test-0001",
           "pws_url": "https://qagpublic.qg2.apps.qualys.com", "pws_port": "443"}


def defaults(auth):
    return dict((name, dict(auth)) for name in OCI_MODULES)


def status(result, task_name):
    return [entry["status"] for entry in result.tasks if entry["task"] == task_name][-1]


def recipe_task(task_name, compartment_id, **options):
    args = {"compartment_id": compartment_id, "name": "qualys-hosts",
            "vault_secret_id": "{{ license.secret.id }}"}
    args.update(options)
    return {"name": task_name, RECIPE: args}


def test_recipe_create_unchanged_change_check_absent(oci_sim, oci_auth, oci_ids, run_play):
    md = defaults(oci_auth)
    compartment = oci_ids["compartment_id"]
    license_task = {"name": "license", SECRET: dict(oci_ids, name="qualys-license", license=LICENSE),
                    "register": "license"}
    assert run_play([license_task], module_defaults=md).rc == 0
    oci_sim.reset_stats()
    # Check mode: the secret is only read (its id is known), the recipe create is predicted, nothing is written.
    result = run_play([license_task, recipe_task("create", compartment)], check=True, diff=True, module_defaults=md)
    assert result.rc == 0, result
    assert result.task("create")["changed"] is True
    assert result.task("create")["recipe"]["vault_secret_id"] == result.task("license")["secret"]["id"]
    assert oci_sim.writes() == 0 and oci_sim.state()["recipes"] == {}

    result = run_play([license_task, recipe_task("create", compartment)], diff=True, module_defaults=md)
    assert result.rc == 0, result
    created = result.task("create")
    assert created["changed"] is True
    recipe = created["recipe"]
    assert recipe["id"].startswith("ocid1.vsshostscanrecipe.")
    assert recipe["lifecycle_state"] == "ACTIVE" and recipe["agent_vendor"] == "QUALYS"
    assert recipe["vault_secret_id"] == result.task("license")["secret"]["id"]
    assert (recipe["schedule"], recipe["port_scan_level"], recipe["agent_scan_level"]) == ("DAILY", "STANDARD", "STANDARD")
    assert created["diff"]["before"] == {}

    oci_sim.reset_stats()
    result = run_play([license_task, recipe_task("again", compartment),
                       dict(recipe_task("again in check mode", compartment), check_mode=True)],
                      diff=True, module_defaults=md)
    assert result.task("again")["changed"] is False
    assert result.task("again in check mode")["changed"] is False
    assert oci_sim.writes() == 0

    weekly = dict(schedule="WEEKLY", day_of_week="SUNDAY", port_scan_level="LIGHT", freeform_tags={"owner": "secops"})
    result = run_play([license_task, recipe_task("weekly", compartment, **weekly)], check=True, diff=True,
                      module_defaults=md)
    out = result.task("weekly")
    assert out["changed"] is True
    assert out["changed_fields"] == ["day_of_week", "freeform_tags", "port_scan_level", "schedule"]
    assert out["diff"]["before"]["schedule"] == "DAILY" and out["diff"]["after"]["schedule"] == "WEEKLY"
    assert oci_sim.writes() == 0

    result = run_play([license_task, recipe_task("weekly", compartment, **weekly),
                       recipe_task("weekly again", compartment, **weekly),
                       {"name": "info", RECIPE_INFO: {"compartment_id": compartment, "qualys_only": True},
                        "register": "info"}],
                      module_defaults=md)
    assert result.rc == 0, result
    out = result.task("weekly")
    assert out["changed"] is True and out["recipe"]["schedule"] == "WEEKLY" and out["recipe"]["day_of_week"] == "SUNDAY"
    assert out["recipe"]["port_scan_level"] == "LIGHT" and out["recipe"]["id"] == recipe["id"]
    assert result.task("weekly again")["changed"] is False
    assert oci_sim.writes() == 1
    listed = result.task("info")["recipes"]
    assert [r["id"] for r in listed] == [recipe["id"]] and listed[0]["schedule"] == "WEEKLY"

    oci_sim.reset_stats()
    result = run_play([recipe_task("absent", compartment, state="absent", vault_secret_id=None)], check=True, module_defaults=md)
    assert result.task("absent")["changed"] is True, result
    assert oci_sim.writes() == 0

    result = run_play([recipe_task("absent", compartment, state="absent", vault_secret_id=None),
                       recipe_task("absent again", compartment, state="absent", vault_secret_id=None),
                       {"name": "info", RECIPE_INFO: {"compartment_id": compartment}, "register": "info"}],
                      module_defaults=md)
    assert result.rc == 0, result
    assert result.task("absent")["changed"] is True and result.task("absent")["recipe"] == {}
    assert result.task("absent again")["changed"] is False
    assert result.task("info")["recipes"] == []
    assert oci_sim.writes() == 1
    assert oci_sim.state()["recipes"][recipe["id"]]["lifecycleState"] == "DELETED"


def test_recipe_bad_inputs_fail_before_any_call(oci_sim, oci_auth, oci_ids, run_play):
    compartment = oci_ids["compartment_id"]
    secret_id = "ocid1.vaultsecret.oc1.iad.amaaaaaaexample"
    cases = [
        ("weekly without day", dict(vault_secret_id=secret_id, schedule="WEEKLY"), "day_of_week"),
        ("daily with day", dict(vault_secret_id=secret_id, day_of_week="MONDAY"), "day_of_week"),
        ("secret ocid of wrong type", dict(vault_secret_id=oci_ids["key_id"]), "vault_secret_id"),
        ("no secret", dict(vault_secret_id=None), "vault_secret_id"),
        ("bad level", dict(vault_secret_id=secret_id, port_scan_level="MAXIMUM"), "port_scan_level"),
    ]
    tasks = []
    for name, options, _expected in cases:
        task = recipe_task(name, compartment, **options)
        task["ignore_errors"] = True
        tasks.append(task)
    result = run_play(tasks, module_defaults=defaults(oci_auth))
    for name, _options, expected in cases:
        assert status(result, name) == "failed", name
        assert expected in result.task(name)["msg"], (name, result.task(name)["msg"])
    stats = oci_sim.stats()
    assert stats["reads"] == 0 and stats["writes"] == 0


def test_recipe_wrong_api_key_is_refused(oci_sim, oci_auth, oci_ids, run_play):
    auth = dict(oci_auth, config_profile=oci_sim.fixtures["wrong_key_profile"])
    task = recipe_task("create", oci_ids["compartment_id"], vault_secret_id="ocid1.vaultsecret.oc1.iad.amaaaaaaexample")
    task["ignore_errors"] = True
    result = run_play([task], module_defaults=defaults(auth))
    assert status(result, "create") == "failed"
    assert "401 NotAuthenticated" in result.task("create")["msg"]
    assert oci_sim.writes() == 0
