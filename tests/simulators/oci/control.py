# Copyright (c) scanops.qualys contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The OCI simulator's own ``/_sim/`` routes: ``fixtures``, ``drift`` (a version added out of band) and
``lifecycle`` (an object put into a state, as another client or the service would)."""

import base64
import time

from simulators.common import json_response

from . import lifecycle
from .vault_secrets import add_version, bump, secret_named
from .wire import DAY


def fixtures(app, request):
    return json_response(app.fixtures)


def drift(app, request):
    """Out-of-band new version (what an edit in the Console, or another client, does).

    Body: ``name`` or ``secret_id``; ``content`` (text) or ``content_b64``; ``stage`` CURRENT
    (default) or PENDING.
    """
    body = request.json() if request.body else {}
    with app.lock:
        secret = secret_named(app, body.get("secret_id"), body.get("name"))
        if secret is None:
            return json_response({"error": "no such secret"}, 404)
        if "content_b64" in body:
            content = body["content_b64"]
        else:
            content = base64.b64encode(str(body.get("content", "")).encode("utf-8")).decode("ascii")
        stage = body.get("stage") or "CURRENT"
        if stage not in ("CURRENT", "PENDING"):
            return json_response({"error": "stage must be CURRENT or PENDING"}, 400)
        number = add_version(secret, content, stage, None)
        bump(secret)
        app.save()
        return json_response({"secret_id": secret["id"], "current_version_number": secret["currentVersionNumber"],
                              "version_number": number})


def put_in_state(app, request):
    """Put a secret or recipe into a lifecycle state, as another client or the service would.

    Body: ``secret_id``, ``name`` (a secret's) or ``recipe_id``; ``state``; optionally
    ``settle_to`` (the state it moves to by itself), ``reads`` (GETs of the object that still
    show ``state``) and ``seconds`` (after which it settles anyway); ``time_of_deletion_days``
    for PENDING_DELETION (default 30).
    """
    try:
        body = request.json() if request.body else {}
    except ValueError:
        return json_response({"error": "the body is not JSON"}, 400)
    if not isinstance(body, dict):
        return json_response({"error": "the body must be a JSON object"}, 400)
    state, target = body.get("state"), body.get("settle_to")
    with app.lock:
        if body.get("recipe_id"):
            obj, states = app.state["recipes"].get(body["recipe_id"]), lifecycle.RECIPE_STATES
        else:
            obj, states = secret_named(app, body.get("secret_id"), body.get("name")), lifecycle.SECRET_STATES
        if obj is None:
            return json_response({"error": "no such object"}, 404)
        if state not in states or (target is not None and target not in states):
            return json_response({"error": "state and settle_to must be one of %s" % ", ".join(states)}, 400)
        for key in ("reads", "seconds", "time_of_deletion_days"):
            value = body.get(key)
            if value is not None and (isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0):
                return json_response({"error": "%s must be a number >= 0" % key}, 400)
        for key in lifecycle.TRANSITION_KEYS:
            obj.pop(key, None)
        obj["lifecycleState"] = state
        if not body.get("recipe_id"):
            bump(obj)  # as another client's write would
        if state == "PENDING_DELETION":
            obj["timeOfDeletion"] = time.time() + float(body.get("time_of_deletion_days", 30)) * DAY
        elif "timeOfDeletion" in obj and state == "ACTIVE":
            obj["timeOfDeletion"] = None
        if target is not None:
            lifecycle.transition(obj, state, target)
            if body.get("reads") is not None:
                obj["_settle_reads"] = int(body["reads"])
            if body.get("seconds") is not None:
                obj["_settle_seconds"] = float(body["seconds"])
        app.save()
        return json_response({"id": obj["id"], "lifecycle_state": obj["lifecycleState"], "settle_to": target})


# (method, subpath under /_sim/) -> handler(app, request)
ROUTES = {
    ("GET", "fixtures"): fixtures,
    ("POST", "drift"): drift,
    ("POST", "lifecycle"): put_in_state,
}
