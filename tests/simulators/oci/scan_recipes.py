# Copyright (c) scanops.qualys contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Vulnerability Scanning ``/20210215/hostScanRecipes...``: host scan recipes, whose Qualys agent settings name a
vault secret. Updates and deletes answer 202 with a work request id; the recipe moves through UPDATING/DELETING."""

import time

from . import lifecycle
from .wire import ApiError, check_if_match, check_ocid, dict_or_none, etag, iso, not_found, page, read_body, require
from .wire import retry_token, sort_items

DAYS_OF_WEEK = ("SUNDAY", "MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY", "SATURDAY")


def find_recipe(app, recipe_id, on_read=False):
    recipe = app.state["recipes"].get(recipe_id)
    if recipe is None:
        raise not_found("host scan recipe")
    lifecycle.settle(app, recipe, on_read)
    return recipe


def recipe_view(recipe, summary=False):
    view = {
        "id": recipe["id"], "displayName": recipe["displayName"], "compartmentId": recipe["compartmentId"],
        "lifecycleState": recipe["lifecycleState"], "timeCreated": iso(recipe["timeCreated"]),
        "timeUpdated": iso(recipe["timeUpdated"]), "freeformTags": recipe.get("freeformTags") or {},
        "definedTags": recipe.get("definedTags") or {}, "systemTags": {},
    }
    if not summary:
        view.update(portSettings=recipe["portSettings"], agentSettings=recipe["agentSettings"],
                    applicationSettings=recipe.get("applicationSettings"), schedule=recipe["schedule"])
    return view


def recipe_fields(app, body, creating):
    """The recipe fields of a create or update body, checked and in the stored shape."""
    fields = {}
    if creating:
        require(body, "compartmentId", "portSettings", "agentSettings", "schedule")
        check_ocid(body["compartmentId"], "compartmentId", ("compartment", "tenancy"))
    if body.get("displayName") is not None:
        if not isinstance(body["displayName"], str) or not body["displayName"].strip():
            raise ApiError(400, "InvalidParameter", "displayName must be a non-empty string.")
        fields["displayName"] = body["displayName"]
    if body.get("portSettings") is not None:
        port = body["portSettings"]
        if not isinstance(port, dict) or port.get("scanLevel") not in ("NONE", "LIGHT", "STANDARD"):
            raise ApiError(400, "InvalidParameter", "portSettings.scanLevel must be NONE, LIGHT or STANDARD.")
        fields["portSettings"] = {"scanLevel": port["scanLevel"]}
    if body.get("agentSettings") is not None:
        fields["agentSettings"] = agent_settings(app, body["agentSettings"])
    if body.get("schedule") is not None:
        schedule = body["schedule"]
        if not isinstance(schedule, dict) or schedule.get("type") not in ("DAILY", "WEEKLY"):
            raise ApiError(400, "InvalidParameter", "schedule.type must be DAILY or WEEKLY.")
        if schedule["type"] == "WEEKLY" and schedule.get("dayOfWeek") not in DAYS_OF_WEEK:
            raise ApiError(400, "InvalidParameter", "schedule.dayOfWeek is required for a WEEKLY schedule.")
        fields["schedule"] = {"type": schedule["type"], "dayOfWeek": schedule.get("dayOfWeek")}
    if body.get("applicationSettings") is not None:
        fields["applicationSettings"] = body["applicationSettings"]
    for name in ("freeformTags", "definedTags"):
        if body.get(name) is not None:
            fields[name] = dict_or_none(body, name)
    return fields


def agent_settings(app, agent):
    """``agentSettings`` with the polymorphic ``agentConfiguration`` (vendor OCI or QUALYS); a QUALYS one must
    name a secret of this simulator that is not deleted or pending deletion."""
    if not isinstance(agent, dict) or agent.get("scanLevel") not in ("NONE", "STANDARD"):
        raise ApiError(400, "InvalidParameter", "agentSettings.scanLevel must be NONE or STANDARD.")
    config = agent.get("agentConfiguration")
    result = {"scanLevel": agent["scanLevel"], "agentConfiguration": None}
    if config is None:
        return result
    if not isinstance(config, dict) or config.get("vendor") not in ("OCI", "QUALYS"):
        raise ApiError(400, "InvalidParameter", "agentConfiguration.vendor must be OCI or QUALYS.")
    if config["vendor"] == "QUALYS":
        require(config, "vaultSecretId")
        if not isinstance(config.get("shouldUnInstall"), bool):
            raise ApiError(400, "MissingParameter", "agentConfiguration.shouldUnInstall is required.")
        secret = app.state["secrets"].get(config["vaultSecretId"])
        if secret is None or secret["lifecycleState"] in ("DELETED", "DELETING", "PENDING_DELETION"):
            raise ApiError(400, "InvalidParameter", "vaultSecretId %s is not an available secret."
                           % config["vaultSecretId"])
        result["agentConfiguration"] = {"vendor": "QUALYS", "vendorType": "QUALYS",
                                        "vaultSecretId": config["vaultSecretId"],
                                        "shouldUnInstall": config["shouldUnInstall"]}
    else:
        result["agentConfiguration"] = {"vendor": "OCI", "vendorType": "OCI",
                                        "cisBenchmarkSettings": config.get("cisBenchmarkSettings"),
                                        "endpointProtectionSettings": config.get("endpointProtectionSettings")}
    return result


def list_recipes(app, request, q):
    require(q, "compartmentId")
    items = []
    for recipe in app.state["recipes"].values():
        lifecycle.settle(app, recipe, False)
        if recipe["compartmentId"] != q["compartmentId"]:
            continue
        if q.get("displayName") and recipe["displayName"] != q["displayName"]:
            continue
        if q.get("lifecycleState"):
            if recipe["lifecycleState"] != q["lifecycleState"]:
                continue
        elif recipe["lifecycleState"] == "DELETED":
            continue
        items.append(recipe)
    items = sort_items(items, q, "timeCreated", "displayName", "timeCreated")
    chunk, headers = page(items, q, app.config["page_size"])
    return 200, {"items": [recipe_view(r, summary=True) for r in chunk]}, headers


def get_recipe(app, request, q, recipe_id):
    recipe = find_recipe(app, recipe_id, on_read=True)
    view = recipe_view(recipe)
    return 200, view, {"etag": etag(view)}


def create_recipe(app, request, q):
    body = read_body(request)
    token_key, existing = retry_token(app.state, request, "createHostScanRecipe")
    if existing and existing in app.state["recipes"]:
        view = recipe_view(app.state["recipes"][existing])
        return 200, view, {"etag": etag(view)}
    fields = recipe_fields(app, body, creating=True)
    now = time.time()
    recipe_id = app.new_ocid("vsshostscanrecipe")
    recipe = {"id": recipe_id, "compartmentId": body["compartmentId"],
              "displayName": fields.pop("displayName", "hostscanrecipe%d" % int(now)),
              "timeCreated": now, "timeUpdated": now, "applicationSettings": None,
              "freeformTags": {}, "definedTags": {}}
    recipe.update(fields)
    lifecycle.transition(recipe, "CREATING", "ACTIVE")
    app.state["recipes"][recipe_id] = recipe
    if token_key:
        app.state["retry_tokens"][token_key] = {"id": recipe_id, "time": now}
    app.save()
    view = recipe_view(recipe)
    return 200, view, {"etag": etag(view)}


def update_recipe(app, request, q, recipe_id):
    recipe = find_recipe(app, recipe_id)
    body = read_body(request)
    check_if_match(request, recipe_view(recipe))
    if recipe["lifecycleState"] not in ("ACTIVE", "FAILED"):
        raise ApiError(409, "IncorrectState", "The host scan recipe is %s." % recipe["lifecycleState"])
    if "compartmentId" in body:
        raise ApiError(400, "InvalidParameter", "compartmentId cannot be updated; use changeCompartment.")
    recipe.update(recipe_fields(app, body, creating=False))
    recipe["timeUpdated"] = time.time()
    lifecycle.transition(recipe, "UPDATING", "ACTIVE")
    app.save()
    return 202, None, {"opc-work-request-id": app.new_ocid("vssworkrequest")}


def delete_recipe(app, request, q, recipe_id):
    recipe = find_recipe(app, recipe_id)
    check_if_match(request, recipe_view(recipe))
    if recipe["lifecycleState"] in ("DELETING", "DELETED"):
        raise not_found("host scan recipe")
    if recipe["lifecycleState"] not in ("ACTIVE", "FAILED"):
        raise ApiError(409, "IncorrectState", "The host scan recipe is %s." % recipe["lifecycleState"])
    recipe["timeUpdated"] = time.time()
    lifecycle.transition(recipe, "DELETING", "DELETED")
    app.save()
    return 202, None, {"opc-work-request-id": app.new_ocid("vssworkrequest")}
