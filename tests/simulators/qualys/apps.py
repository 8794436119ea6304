# Copyright (c) scanops.qualys contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Cheap reads of the Qualys applications, as a connector's "test connection" makes them.

Gateway application APIs (JWT only) -- MODELLED: the paths are the ones public
clients call (FIM ``POST /fim/v2/events/count``, PM ``GET /pm/v1/deploymentjobs``,
ETM ``POST /etm/api/rest/v1/reports/list``); the reply bodies, the error shapes
and their statuses below are guesses, kept small:

- no Bearer token, or one that is invalid, expired, or whose user may no longer
  use the API: HTTP 401 ``{"errorCode": "401", "message": ...}``;
- EULA not accepted (the gateway issues tokens to such users): HTTP 409
  ``{"errorCode": "2003", "message": "Registration must be completed..."}``;
- the application is not in the subscription (config ``modules``): HTTP 403
  ``{"errorCode": "403", "message": "... not enabled for this subscription"}``;
- the gateway rate limit (the same ``rate_limit`` settings, per endpoint):
  ``X-RateLimit-*`` headers on every successful reply, HTTP 429 when used up.

VM host detection (``/api/2.0/fo/asset/host/vm/detection/``) is gated on
``VM`` in ``modules`` -- MODELLED: HTTP 403, SIMPLE_RETURN CODE 2004.
"""

from simulators.common import json_response, text_response

from . import misc
from .context import NOT_REGISTERED
from .tokens import verify
from .xmlgen import simple_return

# path -> (module in config "modules", its name in messages, HTTP method, reply body)
APPLICATIONS = {
    "/fim/v2/events/count": ("FIM", "File Integrity Monitoring", "POST", {"count": 0}),
    "/pm/v1/deploymentjobs": ("PM", "Patch Management", "GET", []),
    "/etm/api/rest/v1/reports/list": ("ETM", "Enterprise TruRisk Management", "POST",
                                      {"data": [], "count": 0, "pageSize": 1}),
}


def _error(status, code, message, headers=None):
    return json_response({"errorCode": str(code), "message": message}, status, headers)


def _gateway_headers(app, endpoint):
    """Gateway limit headers: the rate ones only (no concurrency headers, as documented)."""
    headers = app.limits.headers("gateway " + endpoint, 1)
    return {key: headers[key] for key in ("X-RateLimit-Limit", "X-RateLimit-Window-Sec", "X-RateLimit-Remaining",
                                          "X-RateLimit-ToWait-Sec")}


def application_read(ctx):
    """A gateway application read: Bearer JWT, account checks, subscription, rate limit."""
    app, sub, request = ctx.app, ctx.sub, ctx.request
    module, title, method, body = APPLICATIONS[ctx.path]
    if request.method != method:
        return _error(405, 405, "Method %s is not allowed; use %s." % (request.method, method))
    token = request.bearer_token()
    claims = verify(sub.jwt_secret, token) if token else None
    user = sub.user_by_login(claims["sub"]) if claims else None
    if user is None:
        return _error(401, 401, "Unauthorized: a valid Bearer token is required.")
    ctx.call.user = user["login"]
    if (user["user_role"] == "contact" or user["status"] == "Inactive" or user.get("expired")
            or not sub.api_access(user)):
        return _error(401, 401, "Unauthorized: this account may not use the API.")
    if not user["eula_accepted"]:
        return _error(409, NOT_REGISTERED[0], NOT_REGISTERED[1])
    if module not in set(ctx.config.get("modules") or []):
        return _error(403, 403, "%s (%s) is not enabled for this subscription." % (title, module))
    key = "gateway " + ctx.path
    wait = app.limits.take(key)
    if wait:
        headers = _gateway_headers(app, ctx.path)
        headers.update({"X-RateLimit-Remaining": "0", "X-RateLimit-ToWait-Sec": str(wait)})
        return text_response("Too Many Requests: API rate limit exceeded", 429, headers=headers)
    return json_response(body, 200, _gateway_headers(app, ctx.path))


def vm_host_detection(ctx):
    """Host detection, refused when the subscription has no VM module."""
    if "VM" not in set(ctx.config.get("modules") or []):
        return simple_return(ctx.base_url, "Vulnerability Management (VM) is not enabled for this subscription.",
                             2004, status=403)
    return misc.host_detection(ctx)
