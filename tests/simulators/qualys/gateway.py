# Copyright (c) scanops.qualys contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Gateway authentication (/auth, /auth/oidc) and the Qualys-specific /_sim/ routes."""

import time

from simulators.common import json_response, text_response

from . import tokens


def _refuse(text="Authentication failed"):
    # Body text is a modelled guess; the 401 status is documented.
    return text_response(text, 401)


def _usable(ctx, user):
    """Users that may get a token: known, active, not expired, API access (EULA is checked on use)."""
    sub = ctx.sub
    return (user is not None and user["user_role"] != "contact" and user["status"] != "Inactive"
            and not user.get("expired") and sub.api_access(user))


def _issue(ctx, user):
    sub = ctx.sub
    with sub.lock:
        sub.generation += 1
        token_id = "%s-%d" % (sub.sub_uuid[:8], sub.generation)
        token = tokens.issue(sub.jwt_secret, user["login"], user["id"], ctx.config.get("jwt_ttl_sec", 14400), token_id)
        sub.issued_tokens.append({"login": user["login"], "token": token, "issued": int(time.time())})
        if len(sub.issued_tokens) > 5000:
            del sub.issued_tokens[:1000]
    ctx.call.user = user["login"]
    return text_response(token, 201, "text/plain;charset=UTF-8")


def password_token(ctx):
    """POST /auth: form username, password, token=true -> 201 and the raw JWT."""
    request = ctx.request
    if request.method != "POST":
        return text_response("Method Not Allowed", 405)
    form = dict(request.form_pairs)
    if form.get("token") != "true":
        return text_response("token=true is required", 400)
    user = ctx.sub.user_by_login(form.get("username", ""))
    if user is None or user["password"] != form.get("password") or not _usable(ctx, user):
        return _refuse()
    return _issue(ctx, user)


def oidc_token(ctx):
    """POST /auth/oidc: headers clientId and clientSecret -> 201 and a JWT for the client's user."""
    request = ctx.request
    if request.method != "POST":
        return text_response("Method Not Allowed", 405)
    client = ctx.sub.oidc_clients.get(request.header("clientId") or "")
    if client is None or client["client_secret"] != (request.header("clientSecret") or ""):
        return _refuse("Invalid client credentials")
    user = ctx.sub.user_by_login(client["login"])
    if not _usable(ctx, user):
        return _refuse()
    return _issue(ctx, user)


# --- /_sim/ extras -----------------------------------------------------------
USER_PATCH = {"expired", "status", "eula_accepted", "password", "user_role"}


def _body(request):
    if not request.body:
        return {}
    body = request.json()
    if not isinstance(body, dict):
        raise ValueError("body must be a JSON object")
    return body


def _patch_user(app, user, body):
    unknown = set(body) - USER_PATCH
    if unknown:
        raise ValueError("unknown user fields: %s" % ", ".join(sorted(unknown)))
    if "status" in body and body["status"] not in ("Active", "Inactive", "Pending Activation"):
        raise ValueError("status must be Active, Inactive or Pending Activation")
    with app.sub.lock:
        for key, value in body.items():
            if key in ("expired", "eula_accepted"):
                user[key] = bool(value)
            elif key == "password":
                app.sub.set_password(user, str(value))
            else:
                user[key] = value
        app.sub.save()


def control(app, request, subpath):
    """Qualys routes under /_sim/ (see README)."""
    sub = app.sub
    if subpath.startswith("users/"):
        user = sub.user_by_login(subpath[len("users/"):])
        if user is None:
            return json_response({"error": "no such user"}, 404)
        if request.method == "POST":
            _patch_user(app, user, _body(request))
        return json_response(sub.user_view(user))
    if subpath == "oidc_clients":
        if request.method == "GET":
            return json_response({"clients": [{"client_id": c["client_id"], "login": c["login"]}
                                              for c in sub.oidc_clients.values()]})
        body = _body(request)
        login = body.get("login")
        if sub.user_by_login(login or "") is None:
            raise ValueError("login must name an existing user")
        client = {
            "client_id": body.get("client_id") or "sim-client-" + sub.generate_secret("client")[:12],
            "client_secret": body.get("client_secret") or sub.generate_secret("client-secret"),
            "login": login,
        }
        with sub.lock:
            sub.oidc_clients[client["client_id"]] = client
            sub.save()
        return json_response(client)
    if subpath == "tokens" and request.method == "POST":
        body = _body(request)
        user = sub.user_by_login(body.get("login") or "")
        if user is None:
            raise ValueError("login must name an existing user")
        ttl = body.get("ttl_sec", app.config.get("jwt_ttl_sec", 14400))
        with sub.lock:
            sub.generation += 1
            token = tokens.issue(sub.jwt_secret, user["login"], user["id"], int(ttl), "control-%d" % sub.generation)
            sub.issued_tokens.append({"login": user["login"], "token": token, "issued": int(time.time())})
        return json_response({"token": token})
    if subpath == "limits/reset" and request.method == "POST":
        app.limits.reset()
        return json_response({"reset": True})
    if subpath == "activity" and request.method == "GET":
        with app.activity_lock:
            return json_response({"activity": list(app.activity)})
    return None
