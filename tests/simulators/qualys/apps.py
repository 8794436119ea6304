# Copyright (c) scanops.qualys contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Cheap reads of the Qualys applications, as a connector's "test connection" makes them.

Gateway application APIs (JWT only) -- MODELLED. The requests are the ones
public sources show:

- FIM ``POST /fim/v2/events/count``, a JSON object body (``{}`` counts all);
- PM ``GET /pm/v1/deploymentjobs/summary`` with the query a public client
  (qualysdk) sends: ``platform`` (``Windows`` or ``Linux``, required),
  ``pageNumber`` (0 or more), ``pageSize`` (1 to 10000), optionally
  ``filter``, ``attributes``, ``coauthorJob``, ``ownedJob``, ``sort``; the
  path without ``/summary`` is not served (no public source shows it);
- ETM ``POST /etm/api/rest/v1/reports/list`` with the JSON body of the
  documentation's sample, ``{"offset": 0, "limit": 1}`` (both required).

A request of another shape is HTTP 400: PM as ``{"_error": {"errorCode",
"message"}}`` (the error shape qualysdk reads), the others as ``{"errorCode",
"message"}``. The reply bodies, the error shapes and their statuses below are
guesses, kept small:

- no Bearer token, or one that is invalid, expired, or whose user may no longer
  use the API: HTTP 401 ``{"errorCode": "401", "message": ...}``;
- EULA not accepted (the gateway issues tokens to such users): HTTP 409
  ``{"errorCode": "2003", "message": "Registration must be completed..."}``;
- the application is not in the subscription (config ``modules``): HTTP 403
  ``{"errorCode": "403", "message": "... not enabled for this subscription"}``;
- the gateway rate limit (the same ``rate_limit`` settings, per endpoint):
  ``X-RateLimit-*`` headers on every reply past the account checks (400s
  included, they count), HTTP 429 when used up.

VM host detection (``/api/2.0/fo/asset/host/vm/detection/``) is gated on
``VM`` in ``modules`` -- MODELLED: HTTP 403, SIMPLE_RETURN CODE 2004.
"""

from simulators.common import json_response, text_response

from . import misc
from .context import NOT_REGISTERED
from .tokens import verify
from .xmlgen import simple_return

PM_PLATFORMS = ("Windows", "Linux")
PM_OPTIONAL = ("filter", "attributes", "coauthorJob", "ownedJob", "sort")


def _whole(value, lowest, highest=None, text=False):
    """``value`` as an int within bounds (a JSON number, or digits when ``text``), else None."""
    if isinstance(value, bool):
        return None
    if text:
        if not isinstance(value, str) or not value.isdigit():
            return None
        value = int(value)
    if not isinstance(value, int) or value < lowest or (highest is not None and value > highest):
        return None
    return value


def _json_object(request):
    """The JSON object body, or a message saying why it is not one."""
    try:
        body = request.json()
    except ValueError:
        return None, "the body must be a JSON object"
    if not isinstance(body, dict):
        return None, "the body must be a JSON object"
    return body, None


def fim_request(request):
    """FIM events count: any JSON object (a query, or {} for all). -> (reply body, problem)."""
    _body, problem = _json_object(request)
    return {"count": 0}, problem


def pm_request(request):
    """PM job summary: the query qualysdk sends. -> (reply body, problem)."""
    query = request.query()
    unknown = sorted(set(query) - set(("platform", "pageNumber", "pageSize") + PM_OPTIONAL))
    if unknown:
        return None, "Unknown parameter(s): %s." % ", ".join(unknown)
    if query.get("platform") not in PM_PLATFORMS:
        return None, "platform is required and must be one of %s." % ", ".join(PM_PLATFORMS)
    if "pageNumber" in query and _whole(query["pageNumber"], 0, text=True) is None:
        return None, "pageNumber must be an integer of 0 or more."
    if "pageSize" in query and _whole(query["pageSize"], 1, 10000, text=True) is None:
        return None, "pageSize must be an integer from 1 to 10000."
    return [], None


def etm_request(request):
    """ETM report list: {"offset": n, "limit": n} as in the documentation's sample. -> (reply body, problem)."""
    body, problem = _json_object(request)
    if problem:
        return None, problem
    unknown = sorted(set(body) - {"offset", "limit"})
    if unknown:
        return None, "Unrecognized field(s): %s; expected offset and limit." % ", ".join(unknown)
    offset, limit = _whole(body.get("offset"), 0), _whole(body.get("limit"), 1)
    if offset is None or limit is None:
        return None, "offset (0 or more) and limit (1 or more) are required integers."
    return {"data": [], "count": 0, "offset": offset, "limit": limit}, None


# path -> (module in config "modules", its name in messages, HTTP method, request check)
APPLICATIONS = {
    "/fim/v2/events/count": ("FIM", "File Integrity Monitoring", "POST", fim_request),
    "/pm/v1/deploymentjobs/summary": ("PM", "Patch Management", "GET", pm_request),
    "/etm/api/rest/v1/reports/list": ("ETM", "Enterprise TruRisk Management", "POST", etm_request),
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
    module, title, method, check = APPLICATIONS[ctx.path]
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
    body, problem = check(request)
    if problem:
        if module == "PM":
            return json_response({"_error": {"errorCode": "400", "message": problem}}, 400,
                                 _gateway_headers(app, ctx.path))
        return _error(400, 400, problem, _gateway_headers(app, ctx.path))
    return json_response(body, 200, _gateway_headers(app, ctx.path))


def vm_host_detection(ctx):
    """Host detection, refused when the subscription has no VM module."""
    if "VM" not in set(ctx.config.get("modules") or []):
        return simple_return(ctx.base_url, "Vulnerability Management (VM) is not enabled for this subscription.",
                             2004, status=403)
    return misc.host_detection(ctx)
