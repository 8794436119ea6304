# Copyright (c) scanops.qualys contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""KMS reads: ``GET /20180608/vaults/{id}`` (KmsVaultClient) and ``/20180608/keys...`` (KmsManagementClient, at
the vault's managementEndpoint, which is this server). The vault and its key are fixtures; nothing writes them."""

from .wire import iso, not_found, page, require, sort_items


def get_vault(app, request, q, vault_id):
    vault = app.state["vaults"].get(vault_id)
    if vault is None:
        raise not_found("vault")
    # The vault's endpoints are this server, as the client reached it.
    host = request.header("Host") or "127.0.0.1"
    endpoint = "%s://%s" % (app.scheme, host)
    return 200, {
        "compartmentId": vault["compartmentId"], "cryptoEndpoint": endpoint, "definedTags": {},
        "displayName": vault["displayName"], "freeformTags": {}, "id": vault["id"],
        "lifecycleState": vault["lifecycleState"], "managementEndpoint": endpoint,
        "timeCreated": iso(vault["timeCreated"]), "timeOfDeletion": None, "vaultType": vault["vaultType"],
        "isPrimary": True, "isVaultReplicable": False,
    }, {}


def key_view(key, summary=False):
    view = {
        "compartmentId": key["compartmentId"], "definedTags": {}, "displayName": key["displayName"],
        "freeformTags": {}, "id": key["id"], "lifecycleState": key["lifecycleState"],
        "timeCreated": iso(key["timeCreated"]), "vaultId": key["vaultId"], "protectionMode": key["protectionMode"],
    }
    if summary:
        view["algorithm"] = key["algorithm"]
    else:
        view.update(currentKeyVersion=key["id"] + "version1",
                    keyShape={"algorithm": key["algorithm"], "length": key["length"]},
                    timeOfDeletion=None, isPrimary=True, isAutoRotationEnabled=False)
    return view


def list_keys(app, request, q):
    require(q, "compartmentId")
    items = [k for k in app.state["keys"].values() if k["compartmentId"] == q["compartmentId"]]
    items = sort_items(items, q, "TIMECREATED", "displayName", "timeCreated")
    chunk, headers = page(items, q, app.config["page_size"])
    return 200, [key_view(k, summary=True) for k in chunk], headers


def get_key(app, request, q, key_id):
    key = app.state["keys"].get(key_id)
    if key is None:
        raise not_found("key")
    return 200, key_view(key), {}
