# Copyright (c) scanops.qualys contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Secret management ``/20180608/secrets...`` (the SDK's VaultsClient): secrets, their versions and stages.

Handlers take ``(app, request, q, *path_ids)`` and answer ``(status, data, headers)``; the app holds the lock.
"""

import base64
import binascii
import hashlib
import json
import re
import time

from . import lifecycle
from .wire import DAY, ApiError, check_ocid, dict_or_none, iso, not_found, parse_time, read_body, require, retry_token
from .wire import page, sort_items

MAX_BUNDLE_BYTES = 25 * 1024
SECRET_NAME_RE = re.compile(r"^[A-Za-z0-9_.-]{1,255}$")
STAGES = ("CURRENT", "PENDING", "LATEST", "PREVIOUS", "DEPRECATED")


# ------------------------------------------------------------ etags
def secret_etag(secret):
    """A secret's etag: it changes with every write to the secret (a new version of any stage, a
    promotion, metadata, deletion or its cancellation), not when a transitional state settles."""
    return hashlib.sha256(("%s:%d" % (secret["id"], secret.get("revision", 0))).encode("utf-8")).hexdigest()[:32]


def check_secret_if_match(request, secret):
    # 412 answers an if-match that differs (OCI's convention); the code PreconditionFailed is not confirmed.
    wanted = request.header("if-match")
    if wanted and wanted != secret_etag(secret):
        raise ApiError(412, "PreconditionFailed", "The if-match value does not match the current etag of the secret.")


def bump(secret):
    """Count a write to the secret (its etag changes)."""
    secret["revision"] = secret.get("revision", 0) + 1


# ------------------------------------------------------------ lookups
def find_secret(app, secret_id, on_read=False):
    """The secret ``secret_id``, expired and settled as due; 404 when there is none."""
    secret = app.state["secrets"].get(secret_id)
    if secret is None:
        raise not_found("secret")
    expire(app, secret)
    lifecycle.settle(app, secret, on_read)
    return secret


def expire(app, secret):
    """A secret pending deletion is DELETED once its time of deletion has passed."""
    if secret["lifecycleState"] == "PENDING_DELETION" and secret.get("timeOfDeletion") \
            and time.time() >= secret["timeOfDeletion"]:
        secret["lifecycleState"] = "DELETED"
        app.save()


def secret_named(app, secret_id, name):
    """The secret with this id, or else the last one not DELETED with this name (in any vault); None if none."""
    if secret_id:
        return app.state["secrets"].get(secret_id)
    found = None
    for candidate in app.state["secrets"].values():
        if candidate["secretName"] == name and candidate["lifecycleState"] != "DELETED":
            found = candidate
    return found


def leak_values(state):
    """Every version's content, base64 and decoded, plus the JSON string values of 8+ characters (URLs excepted)."""
    values = []
    for secret in state["secrets"].values():
        for version in secret["versions"]:
            values.append(version["content"])
            raw = base64.b64decode(version["content"])
            text = raw.decode("utf-8", "replace")
            values.append(text)
            try:
                doc = json.loads(text)
            except ValueError:
                doc = None
            if isinstance(doc, dict):
                for key, value in doc.items():
                    if isinstance(value, str) and len(value) >= 8 and key not in ("pwsUrl", "api_url", "url"):
                        values.append(value)
    return values


# ------------------------------------------------------------ views
def secret_view(secret, summary=False):
    view = {
        "compartmentId": secret["compartmentId"],
        "definedTags": secret.get("definedTags") or {},
        "description": secret.get("description"),
        "freeformTags": secret.get("freeformTags") or {},
        "id": secret["id"],
        "keyId": secret["keyId"],
        "lifecycleDetails": None,
        "lifecycleState": secret["lifecycleState"],
        "secretName": secret["secretName"],
        "timeCreated": iso(secret["timeCreated"]),
        "timeOfCurrentVersionExpiry": None,
        "timeOfDeletion": iso(secret.get("timeOfDeletion")),
        "vaultId": secret["vaultId"],
        "isReplica": False,
        "isAutoGenerationEnabled": False,
    }
    if summary:
        view["systemTags"] = {}
    else:
        view["currentVersionNumber"] = secret["currentVersionNumber"]
        view["metadata"] = secret.get("metadata")
        view["secretRules"] = []
    return view


def version_view(secret, version):
    return {
        "contentType": "BASE64",
        "name": version.get("name"),
        "secretId": secret["id"],
        "stages": list(version["stages"]),
        "timeCreated": iso(version["timeCreated"]),
        "timeOfDeletion": None,
        "timeOfExpiry": None,
        "versionNumber": version["versionNumber"],
        "isContentAutoGenerated": False,
    }


# ------------------------------------------------------------ versions and stages
def check_content(details, field="secretContent"):
    """(content, stage, version name) of a ``secretContent`` object, or 400."""
    if not isinstance(details, dict):
        raise ApiError(400, "InvalidParameter", "%s must be an object." % field)
    if details.get("contentType") != "BASE64":
        raise ApiError(400, "InvalidParameter", "%s.contentType must be BASE64." % field)
    content = details.get("content")
    if not isinstance(content, str) or not content:
        raise ApiError(400, "MissingParameter", "%s.content is required." % field)
    try:
        raw = base64.b64decode(content, validate=True)
    except (binascii.Error, ValueError):
        raise ApiError(400, "InvalidParameter", "%s.content is not valid base64." % field)
    if len(raw) > MAX_BUNDLE_BYTES:
        raise ApiError(400, "InvalidParameter", "The secret bundle exceeds 25 KB.")
    stage = details.get("stage") or "CURRENT"
    if stage not in ("CURRENT", "PENDING"):
        raise ApiError(400, "InvalidParameter", "%s.stage must be CURRENT or PENDING." % field)
    return content, stage, details.get("name")


def add_version(secret, content, stage, name):
    """Append a version staged CURRENT or PENDING (both also LATEST); its number.

    A new CURRENT version moves the old CURRENT to PREVIOUS. A new PENDING version takes the
    PENDING stage from an older one (assumed: one PENDING version at a time; OCI's docs do not say).
    A new CURRENT version leaves a PENDING version as it is (assumed as well).
    """
    versions = secret["versions"]
    if name and any(v.get("name") == name for v in versions):
        raise ApiError(400, "InvalidParameter", "A secret version named %s already exists." % name)
    number = max([v["versionNumber"] for v in versions] or [0]) + 1
    for version in versions:
        version["stages"] = [s for s in version["stages"] if s != "LATEST"]
        if stage == "CURRENT" and "CURRENT" in version["stages"]:
            version["stages"] = [s for s in version["stages"] if s != "CURRENT"] + ["PREVIOUS"]
        elif stage == "CURRENT":
            version["stages"] = [s for s in version["stages"] if s != "PREVIOUS"]
        elif stage == "PENDING":
            version["stages"] = [s for s in version["stages"] if s != "PENDING"]
    versions.append({"versionNumber": number, "name": name, "stages": [stage, "LATEST"], "content": content,
                     "timeCreated": time.time()})
    deprecate_unstaged(versions)
    if stage == "CURRENT":
        secret["currentVersionNumber"] = number
    return number


def deprecate_unstaged(versions):
    """A version with no other stage is DEPRECATED; one that has another stage is not."""
    for version in versions:
        others = [s for s in version["stages"] if s != "DEPRECATED"]
        version["stages"] = others or ["DEPRECATED"]


def promote(secret, number):
    """``currentVersionNumber``: version ``number`` becomes CURRENT, the old CURRENT PREVIOUS.

    The promoted version loses PENDING (or PREVIOUS, DEPRECATED) and keeps LATEST. Promoting the
    CURRENT version changes no stage.
    """
    target = [v for v in secret["versions"] if v["versionNumber"] == number]
    if not target:
        raise ApiError(400, "InvalidParameter", "Secret version %s does not exist." % number)
    target = target[0]
    if "CURRENT" not in target["stages"]:
        for version in secret["versions"]:
            if version is target:
                continue
            if "CURRENT" in version["stages"]:
                version["stages"] = [s for s in version["stages"] if s != "CURRENT"] + ["PREVIOUS"]
            else:
                version["stages"] = [s for s in version["stages"] if s != "PREVIOUS"]
        target["stages"] = ["CURRENT"] + [s for s in target["stages"] if s == "LATEST"]
        deprecate_unstaged(secret["versions"])
    secret["currentVersionNumber"] = number


# ------------------------------------------------------------ handlers
def list_secrets(app, request, q):
    require(q, "compartmentId")
    state = q.get("lifecycleState")
    if state and state not in lifecycle.SECRET_STATES:
        raise ApiError(400, "InvalidParameter", "Unknown lifecycleState %s." % state)
    items = []
    for secret in app.state["secrets"].values():
        expire(app, secret)
        lifecycle.settle(app, secret, False)
        if secret["compartmentId"] != q["compartmentId"]:
            continue
        if q.get("vaultId") and secret["vaultId"] != q["vaultId"]:
            continue
        if q.get("name") and secret["secretName"] != q["name"]:
            continue
        if state and secret["lifecycleState"] != state:
            continue
        items.append(secret)
    items = sort_items(items, q, "TIMECREATED", "secretName", "timeCreated")
    chunk, headers = page(items, q, app.config["page_size"])
    return 200, [secret_view(s, summary=True) for s in chunk], headers


def get_secret(app, request, q, secret_id):
    secret = find_secret(app, secret_id, on_read=True)
    return 200, secret_view(secret), {"etag": secret_etag(secret)}


def create_secret(app, request, q):
    body = read_body(request)
    token_key, existing = retry_token(app.state, request, "createSecret")
    if existing and existing in app.state["secrets"]:
        secret = app.state["secrets"][existing]
        return 200, secret_view(secret), {"etag": secret_etag(secret)}
    require(body, "compartmentId", "vaultId", "keyId", "secretName")
    check_ocid(body["compartmentId"], "compartmentId", ("compartment", "tenancy"))
    vault = app.state["vaults"].get(body["vaultId"])
    if vault is None:
        raise not_found("vault")
    key = app.state["keys"].get(body["keyId"])
    if key is None or key["vaultId"] != body["vaultId"]:
        raise ApiError(400, "InvalidParameter", "The key %s does not exist in vault %s." % (body["keyId"], body["vaultId"]))
    if key["lifecycleState"] != "ENABLED":
        raise ApiError(409, "IncorrectState", "The key is not ENABLED.")
    name = body["secretName"]
    if not isinstance(name, str) or not SECRET_NAME_RE.match(name):
        raise ApiError(400, "InvalidParameter", "secretName may contain only letters, digits, -, _ and .")
    for other in app.state["secrets"].values():
        expire(app, other)
        if other["vaultId"] == body["vaultId"] and other["secretName"] == name and other["lifecycleState"] != "DELETED":
            raise ApiError(409, "Conflict", "A secret named %s already exists in this vault." % name)
    if body.get("secretContent") is None:
        raise ApiError(400, "MissingParameter", "secretContent is required.")
    content, stage, version_name = check_content(body["secretContent"])
    if stage != "CURRENT":
        raise ApiError(400, "InvalidParameter", "When creating a secret, only the CURRENT stage is allowed.")
    if body.get("secretRules"):
        raise ApiError(400, "InvalidParameter", "secretRules are not supported by this simulator.")
    secret_id = app.new_ocid("vaultsecret")
    secret = {
        "id": secret_id, "compartmentId": body["compartmentId"], "vaultId": body["vaultId"],
        "keyId": body["keyId"], "secretName": name, "description": body.get("description"),
        "freeformTags": dict_or_none(body, "freeformTags") or {},
        "definedTags": dict_or_none(body, "definedTags") or {},
        "metadata": dict_or_none(body, "metadata"),
        "timeCreated": time.time(), "timeOfDeletion": None, "currentVersionNumber": 0, "versions": [],
    }
    add_version(secret, content, "CURRENT", version_name)
    lifecycle.transition(secret, "CREATING", "ACTIVE")
    app.state["secrets"][secret_id] = secret
    if token_key:
        app.state["retry_tokens"][token_key] = {"id": secret_id, "time": time.time()}
    app.save()
    return 200, secret_view(secret), {"etag": secret_etag(secret)}


def update_secret(app, request, q, secret_id):
    secret = find_secret(app, secret_id)
    body = read_body(request)
    check_secret_if_match(request, secret)
    if secret["lifecycleState"] != "ACTIVE":
        raise ApiError(409, "IncorrectState", "The secret is %s; only ACTIVE secrets can be updated."
                       % secret["lifecycleState"])
    unknown = set(body) - {"currentVersionNumber", "description", "freeformTags", "definedTags", "metadata",
                           "secretContent", "secretRules"}
    if unknown:
        raise ApiError(400, "InvalidParameter", "Unknown or immutable fields: %s." % ", ".join(sorted(unknown)))
    groups = [f for f in ("currentVersionNumber", "secretContent", "secretRules") if body.get(f) is not None]
    if len(groups) > 1:
        raise ApiError(400, "InvalidParameter", "currentVersionNumber, secretContent and secretRules cannot be "
                                                "updated at the same time.")
    if body.get("secretRules"):
        raise ApiError(400, "InvalidParameter", "secretRules are not supported by this simulator.")
    content = None
    if body.get("secretContent") is not None:
        content, stage, version_name = check_content(body["secretContent"])
    if body.get("currentVersionNumber") is not None:
        number = body["currentVersionNumber"]
        if isinstance(number, bool) or not isinstance(number, int):
            raise ApiError(400, "InvalidParameter", "currentVersionNumber must be an integer.")
        promote(secret, number)
    if content is not None:
        add_version(secret, content, stage, version_name)
    for field in ("description",):
        if field in body and body[field] is not None:
            secret[field] = body[field]
    for field in ("freeformTags", "definedTags", "metadata"):
        if body.get(field) is not None:
            secret[field] = dict_or_none(body, field)
    lifecycle.transition(secret, "UPDATING", "ACTIVE")
    bump(secret)
    app.save()
    return 200, secret_view(secret), {"etag": secret_etag(secret)}


def list_versions(app, request, q, secret_id):
    secret = find_secret(app, secret_id)
    versions = sorted(secret["versions"], key=lambda v: v["versionNumber"],
                      reverse=(q.get("sortOrder") or "ASC") == "DESC")
    chunk, headers = page(versions, q, app.config["page_size"])
    return 200, [version_view(secret, v) for v in chunk], headers


def get_version(app, request, q, secret_id, number):
    secret = find_secret(app, secret_id)
    for version in secret["versions"]:
        if str(version["versionNumber"]) == number:
            return 200, version_view(secret, version), {}
    raise not_found("secret version")


def schedule_deletion(app, request, q, secret_id):
    secret = find_secret(app, secret_id)
    body = read_body(request)
    check_secret_if_match(request, secret)
    if secret["lifecycleState"] != "ACTIVE":
        raise ApiError(409, "IncorrectState", "The secret is %s; only ACTIVE secrets can be scheduled for deletion."
                       % secret["lifecycleState"])
    now = time.time()
    if body.get("timeOfDeletion") is not None:
        when = parse_time(body["timeOfDeletion"], "timeOfDeletion")
        if not now + DAY - 60 <= when <= now + 30 * DAY + 60:
            raise ApiError(400, "InvalidParameter", "timeOfDeletion must be between 1 and 30 days from now.")
    else:
        when = now + 30 * DAY
    secret["timeOfDeletion"] = when
    lifecycle.transition(secret, "SCHEDULING_DELETION", "PENDING_DELETION")
    bump(secret)
    app.save()
    return 200, None, {}


def cancel_deletion(app, request, q, secret_id):
    secret = find_secret(app, secret_id)
    check_secret_if_match(request, secret)
    if secret["lifecycleState"] != "PENDING_DELETION":
        raise ApiError(409, "IncorrectState", "The secret is %s; only a secret pending deletion can be restored."
                       % secret["lifecycleState"])
    secret["timeOfDeletion"] = None
    lifecycle.transition(secret, "CANCELLING_DELETION", "ACTIVE")
    bump(secret)
    app.save()
    return 200, None, {}
