# Copyright (c) scanops.qualys contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Secret retrieval ``/20190301/secretbundles...`` (the SDK's SecretsClient): a version's content, chosen by
number, name or stage; by secret id or by name in a vault."""

from . import lifecycle
from .vault_secrets import STAGES, expire, find_secret
from .wire import ApiError, iso, not_found, page, require


def bundle(secret, q):
    """The bundle of the version ``q`` selects: ``versionNumber``, else ``secretVersionName``, else ``stage``."""
    if secret["lifecycleState"] in ("DELETED", "DELETING"):
        raise not_found("secret")
    versions = secret["versions"]
    chosen = None
    if q.get("versionNumber"):
        chosen = [v for v in versions if str(v["versionNumber"]) == q["versionNumber"]]
    elif q.get("secretVersionName"):
        chosen = [v for v in versions if v.get("name") == q["secretVersionName"]]
    else:
        stage = q.get("stage") or "CURRENT"
        if stage not in STAGES:
            raise ApiError(400, "InvalidParameter", "Unknown stage %s." % stage)
        chosen = [v for v in versions if stage in v["stages"]]
    if not chosen:
        raise not_found("secret bundle")
    version = chosen[-1]
    return 200, {
        "secretId": secret["id"],
        "timeCreated": iso(version["timeCreated"]),
        "versionNumber": version["versionNumber"],
        "versionName": version.get("name"),
        "secretBundleContent": {"contentType": "BASE64", "content": version["content"]},
        "timeOfDeletion": None,
        "timeOfExpiry": None,
        "stages": list(version["stages"]),
        "metadata": secret.get("metadata"),
    }, {}


def get_bundle(app, request, q, secret_id):
    return bundle(find_secret(app, secret_id), q)


def get_bundle_by_name(app, request, q):
    require(q, "secretName", "vaultId")
    for secret in app.state["secrets"].values():
        expire(app, secret)
        if secret["vaultId"] == q["vaultId"] and secret["secretName"] == q["secretName"] \
                and secret["lifecycleState"] not in ("DELETED",):
            lifecycle.settle(app, secret, False)
            return bundle(secret, q)
    raise not_found("secret")


def list_bundle_versions(app, request, q, secret_id):
    secret = find_secret(app, secret_id)
    versions = sorted(secret["versions"], key=lambda v: v["versionNumber"],
                      reverse=(q.get("sortOrder") or "ASC") == "DESC")
    chunk, headers = page(versions, q, app.config["page_size"])
    return 200, [{
        "secretId": secret["id"], "timeCreated": iso(v["timeCreated"]), "versionNumber": v["versionNumber"],
        "versionName": v.get("name"), "timeOfDeletion": None, "timeOfExpiry": None, "stages": list(v["stages"]),
    } for v in chunk], headers
