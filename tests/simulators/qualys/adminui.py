# Copyright (c) scanops.qualys contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Enhanced-RBAC mode: the Administration (``adminui``) user calls, and the classic user calls refused.

Setting ``user_api``: ``classic`` (the default) or ``rbac``. Documented: once a
subscription has enhanced RBAC, ``/msp/user.php`` and ``/msp/user_list.php``
can no longer be used, and users are managed with the ``adminui`` calls (JSON,
``Authorization: Bearer <JWT>``) plus QPS ``am/user``. Served here, in rbac mode
only, on the API host (the docs write ``<qualys_base_url>``; the simulator
serves the gateway and the API on one server anyway):

- ``POST /adminui/user-management/v1/users``: list/search (``limit``, ``offset``,
  ``sortFilter``, ``filter``) -> ``{totalCount, users: [...]}``;
- ``GET /adminui/user-management/v1/user/{id}``: details, an array of one
  ``{userDetails, locale, userType, qwebUserRole, additionalRoles}``;
- ``POST /adminui/user-management/v1/user``: create from ``userDetails``;
- ``PUT /adminui/user-management/v1/user/status``: ``{"action": "ACTIVATE"|"DEACTIVATE", "editUser": login}``
  -> ``{userId, username, status: "SUCCESS"}``.

ASSUMED (no public source shows them; each shape that varies is a setting, see
README "Enhanced RBAC mode"): how the classic calls are refused
(``rbac_classic_refusal``), the create reply (``adminui_create_reply``), the
error bodies (``adminui_error_body``) and their statuses, whether user objects
carry ``externalId`` (``adminui_external_id``), the text filters matching
case-insensitively as "contains", the largest page (1000), who may call
(Managers), the rate limit (the gateway's), the checks on the create body and
that a created user is a VM Reader. ``/msp/password_change.php``,
``/msp/acceptEULA.php``, ``/api/2.0/fo/user/change_password/`` and QPS
``am/user`` keep working in rbac mode (the reference suggests so for
password_change.php; for the others nothing says otherwise).
"""

import calendar
import time

from simulators.common import json_response, text_response

from . import msp_users
from .context import NOT_REGISTERED, not_found
from .model import USER_ROLES, now_iso
from .tokens import verify
from .xmlgen import generic_return

PREFIX = "/adminui/user-management/v1"
LIST_PATH = PREFIX + "/users"
CREATE_PATH = PREFIX + "/user"
STATUS_PATH = PREFIX + "/user/status"
DETAILS_PATH = PREFIX + "/user/{id}"
READ_ENDPOINTS = (LIST_PATH, DETAILS_PATH)

# --- settings -------------------------------------------------------------------
USER_API_SETTINGS = ("classic", "rbac")
# How /msp/user.php and user_list.php answer in rbac mode (ASSUMED: no public source shows it):
# failed_200: HTTP 200 GENERIC_RETURN RETURN status="FAILED" (how /msp answers account problems);
# http_403: the same body with HTTP 403; html_404: the web tier's 404 page (the script is gone), before auth.
CLASSIC_REFUSALS = ("failed_200", "http_403", "html_404")
CLASSIC_USER_ENDPOINTS = ("/msp/user.php", "/msp/user_list.php")
CLASSIC_REFUSAL_NUMBER = "2004"
CLASSIC_REFUSAL_TEXT = ("This API is not available for subscriptions with enhanced RBAC enabled: manage users "
                        "with the Administration user APIs.")
# The create reply (ASSUMED: not retrieved from any source). id_login: {"userId", "username", "status"} as the
# status and delete calls answer; details: the details array of the new user; status_only: {"status": "SUCCESS"}.
CREATE_REPLIES = ("id_login", "details", "status_only")
# adminui error bodies (ASSUMED: on no page): json {"errorCode", "message"} or a text body; the status is the
# error's either way (400 bad request, 401 no/invalid token, 403 not a Manager, 404 no such user, 405, 409, 429).
ERROR_BODIES = ("json", "text")

DEFAULTS = {
    "user_api": "classic",
    "rbac_classic_refusal": "failed_200",
    "adminui_create_reply": "id_login",
    "adminui_error_body": "json",
    "adminui_external_id": True,
}
CHOICES = {
    "user_api": USER_API_SETTINGS,
    "rbac_classic_refusal": CLASSIC_REFUSALS,
    "adminui_create_reply": CREATE_REPLIES,
    "adminui_error_body": ERROR_BODIES,
}


def check_setting(key, value):
    """Validate one of this module's settings (``DEFAULTS`` keys); returns the value."""
    if key == "adminui_external_id":
        if not isinstance(value, bool):
            raise ValueError("adminui_external_id must be true or false")
        return value
    if value not in CHOICES[key]:
        raise ValueError("%s must be one of %s" % (key, ", ".join(CHOICES[key])))
    return value


def rbac(config):
    return config.get("user_api") == "rbac"


def call_kind(endpoint):
    return "read" if endpoint in READ_ENDPOINTS else "write"


# --- the classic calls in rbac mode ------------------------------------------------
def classic_refusal_before_auth(ctx):
    """The web tier's answer when the setting says the scripts are gone; else None (refused after auth)."""
    if ctx.config.get("rbac_classic_refusal") == "html_404":
        return not_found()
    return None


def classic_refusal(ctx):
    """Stands in for user.php / user_list.php once the caller is authenticated."""
    status = 403 if ctx.config.get("rbac_classic_refusal") == "http_403" else 200
    return generic_return(ctx.base_url, ctx.script(), ctx.login, "FAILED", CLASSIC_REFUSAL_TEXT, CLASSIC_REFUSAL_NUMBER,
                          status)


# --- errors ------------------------------------------------------------------------
class AdminError(Exception):
    """An adminui refusal: HTTP ``status``, ``code`` (errorCode) and ``message``."""

    def __init__(self, status, message, code=None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.code = str(code if code is not None else status)


def error_response(ctx, exc, headers=None):
    if ctx.config.get("adminui_error_body") == "text":
        return text_response(exc.message, exc.status, headers=headers)
    return json_response({"errorCode": exc.code, "message": exc.message}, exc.status, headers)


def _rate_headers(app, endpoint):
    """Gateway-style limit headers (ASSUMED for adminui): rate only, counted per endpoint."""
    headers = app.limits.headers("adminui " + endpoint, 1)
    return {key: headers[key] for key in ("X-RateLimit-Limit", "X-RateLimit-Window-Sec", "X-RateLimit-Remaining",
                                          "X-RateLimit-ToWait-Sec")}


# --- pipeline ------------------------------------------------------------------------
def handle(ctx, handler):
    """Mode, Bearer token, account, caller, rate limit, then ``handler``; refusals in the adminui error shape."""
    if not rbac(ctx.config):
        return not_found()  # a classic subscription has no adminui (ASSUMED: the web tier's 404)
    app, sub, request = ctx.app, ctx.sub, ctx.request
    try:
        token = request.bearer_token()
        claims = verify(sub.jwt_secret, token) if token else None
        user = sub.user_by_login(claims["sub"]) if claims else None
        if user is None:
            raise AdminError(401, "Unauthorized: a valid Bearer token is required.")
        ctx.call.user = user["login"]
        if (user["user_role"] == "contact" or user["status"] == "Inactive" or user.get("expired")
                or not sub.api_access(user)):
            raise AdminError(401, "Unauthorized: this account may not use the API.")
        if not user["eula_accepted"]:
            raise AdminError(409, NOT_REGISTERED[1], NOT_REGISTERED[0])
        ctx.user = user
        if user["user_role"] != "manager":
            raise AdminError(403, "Only a Super User or a Manager can manage users.")
    except AdminError as exc:
        return error_response(ctx, exc)
    wait = app.limits.take("adminui " + ctx.path)
    if wait:
        headers = _rate_headers(app, ctx.path)
        headers.update({"X-RateLimit-Remaining": "0", "X-RateLimit-ToWait-Sec": str(wait)})
        return text_response("Too Many Requests: API rate limit exceeded", 429, headers=headers)
    with sub.lock:
        user["last_login_date"] = now_iso()
    try:
        response = handler(ctx)
    except AdminError as exc:
        response = error_response(ctx, exc)
    response.headers.update(_rate_headers(app, ctx.path))
    return response


def _method(ctx, wanted):
    if ctx.request.method != wanted:
        raise AdminError(405, "Method %s is not allowed; use %s." % (ctx.request.method, wanted))


def _body(ctx, allow_empty=False):
    request = ctx.request
    if not request.body and allow_empty:
        return {}
    try:
        body = request.json()
    except (ValueError, UnicodeDecodeError):
        body = None
    if not isinstance(body, dict):
        raise AdminError(400, "The request body must be a JSON object.")
    return body


def _unknown(body, known, what):
    unknown = sorted(set(body) - set(known))
    if unknown:
        raise AdminError(400, "Unrecognized field(s) in %s: %s; known: %s." % (
            what, ", ".join(unknown), ", ".join(sorted(known))))


# --- views ---------------------------------------------------------------------------
LIST_STATUS = {"Active": "ACTIVE", "Inactive": "INACTIVE", "Pending Activation": "PENDING_ACTIVATION"}
DETAILS_STATUS = {"Active": "ACTIVE", "Inactive": "INACTIVE", "Pending Activation": "ACTIVATION"}


def _epoch(stamp):
    if not stamp:
        return None
    try:
        return calendar.timegm(time.strptime(stamp, "%Y-%m-%dT%H:%M:%SZ"))
    except ValueError:
        return None


def _roles(sub, user):
    return [{"id": role_id, "name": sub.roles[role_id]["name"], "description": sub.roles[role_id].get("description", "")}
            for role_id in user["role_ids"] if role_id in sub.roles]


def list_view(ctx, user):
    sub = ctx.sub
    view = {
        "id": user["id"],
        "uuid": user["uuid"],
        "customerId": sub.sub_uuid,
        "username": user["login"],
        "firstName": user.get("first_name", ""),
        "lastName": user.get("last_name", ""),
        "emailAddress": user.get("email", ""),
        "title": user.get("title", ""),
        "status": LIST_STATUS.get(user["status"], user["status"].upper()),
        "isSuperuser": False,
        "accessAllAssets": user["user_role"] == "manager" or bool(user.get("access_all_asset_groups")),
        "qwebUserRole": USER_ROLES.get(user["user_role"], user["user_role"]).upper(),
        "roles": _roles(sub, user),
        "modules": list(ctx.config.get("modules") or []),
        "tags": [{"tagId": tag_id, "id": sub.tags[tag_id]["tagUuid"], "name": sub.tags[tag_id]["name"]}
                 for tag_id in user["scope_tag_ids"] if tag_id in sub.tags],
        "updatedDate": _epoch(user.get("updated_at") or user.get("creation_date")),
        "lastLoginDate": _epoch(user.get("last_login_date")),
    }
    if ctx.config.get("adminui_external_id", True):
        view["externalId"] = user.get("external_id") or None
    return view


def details_view(ctx, user):
    details = {
        "id": user["id"],
        "username": user["login"],
        "uuid": user["uuid"],
        "firstName": user.get("first_name", ""),
        "lastName": user.get("last_name", ""),
        "emailId": user.get("email", ""),
        "title": user.get("title", ""),
        "country": user.get("country", ""),
        "status": DETAILS_STATUS.get(user["status"], user["status"].upper()),
        "allowLogin": user["status"] == "Active",
        "superUSer": False,
        "accessAll": user["user_role"] == "manager" or bool(user.get("access_all_asset_groups")),
    }
    if ctx.config.get("adminui_external_id", True):
        details["externalId"] = user.get("external_id") or None
    return [{
        "userDetails": details,
        "locale": {"language": user.get("language") or "English", "timeZoneCode": user.get("time_zone_code") or None},
        "userType": "REGULAR",
        "qwebUserRole": USER_ROLES.get(user["user_role"], user["user_role"]),
        "additionalRoles": _roles(ctx.sub, user),
    }]


# --- list ----------------------------------------------------------------------------
LIST_FIELDS = ("limit", "offset", "sortFilter", "filter")
TEXT_FILTERS = {"username": "login", "firstName": "first_name", "lastName": "last_name", "emailAddress": "email"}
# Documented filter keys; the date filters are documented but not modelled (refused, so a test notices).
FILTERS = tuple(TEXT_FILTERS) + ("status", "role", "business_units", "saml", "lastLoginDate", "updatedDate")
SORT_KEYS = {"id": "id", "username": "login", "firstName": "first_name", "lastName": "last_name",
             "emailAddress": "email"}
DEFAULT_LIMIT = 100
MAX_LIMIT = 1000


def _whole(body, name, default, lowest):
    value = body.get(name, default)
    if isinstance(value, bool) or not isinstance(value, int) or value < lowest:
        raise AdminError(400, "%s must be an integer of %d or more." % (name, lowest))
    return value


def _matcher(ctx, filters):
    """A predicate for the documented filter keys (ASSUMED semantics: text keys match case-insensitively, contained)."""
    if not isinstance(filters, dict):
        raise AdminError(400, "filter must be a JSON object.")
    unknown = sorted(set(filters) - set(FILTERS))
    if unknown:
        raise AdminError(400, "Unknown filter field(s): %s; supported: %s." % (", ".join(unknown), ", ".join(FILTERS)))
    sub = ctx.sub
    tests = []
    for key, value in filters.items():
        if value in (None, "", []):
            continue
        if key in ("lastLoginDate", "updatedDate"):
            raise AdminError(400, "Filter %s is not modelled by the simulator." % key)
        if key in TEXT_FILTERS:
            if not isinstance(value, str):
                raise AdminError(400, "Filter %s must be a string." % key)
            tests.append(lambda user, field=TEXT_FILTERS[key], text=value.lower(): text in (user.get(field) or "").lower())
        elif key == "status":
            wanted = value if isinstance(value, list) else [value]
            bad = [item for item in wanted if item not in LIST_STATUS.values()]
            if bad:
                raise AdminError(400, "Filter status must be one of %s." % ", ".join(LIST_STATUS.values()))
            tests.append(lambda user, wanted=tuple(wanted): LIST_STATUS.get(user["status"]) in wanted)
        elif key == "role":
            if not isinstance(value, str):
                raise AdminError(400, "Filter role must be a string.")
            tests.append(lambda user, name=value: (
                USER_ROLES.get(user["user_role"], "").lower() == name.lower()
                or any(sub.roles[r]["name"] == name for r in user["role_ids"] if r in sub.roles)))
        elif key == "business_units":
            names = value if isinstance(value, list) else [value]
            tests.append(lambda user, names=tuple(str(n) for n in names): (user.get("business_unit") or "Unassigned")
                         in names)
        elif key == "saml":
            if not isinstance(value, bool):
                raise AdminError(400, "Filter saml must be true or false.")
            tests.append(lambda user, saml=value: bool(user.get("saml_enabled")) == saml)
    return lambda user: all(test(user) for test in tests)


def list_users(ctx):
    _method(ctx, "POST")
    body = _body(ctx, allow_empty=True)
    _unknown(body, LIST_FIELDS, "the list request")
    limit = min(_whole(body, "limit", DEFAULT_LIMIT, 1), MAX_LIMIT)
    if ctx.config.get("page_size"):
        limit = min(limit, int(ctx.config["page_size"]))
    offset = _whole(body, "offset", 0, 0)
    sort_filter = body.get("sortFilter") or {"id": "ASC"}
    if not isinstance(sort_filter, dict) or len(sort_filter) != 1:
        raise AdminError(400, "sortFilter must be an object with one field, e.g. {\"username\": \"ASC\"}.")
    (sort_key, direction), = sort_filter.items()
    if sort_key not in SORT_KEYS or str(direction).upper() not in ("ASC", "DESC"):
        raise AdminError(400, "sortFilter: sort by one of %s, ASC or DESC." % ", ".join(SORT_KEYS))
    matches = _matcher(ctx, body.get("filter") or {})
    sub = ctx.sub
    with sub.lock:
        found = [user for user in sub.users.values() if matches(user)]
        field = SORT_KEYS[sort_key]
        found.sort(key=lambda user: (str(user.get(field) or "").lower(), user["id"]) if field != "id" else user["id"],
                   reverse=str(direction).upper() == "DESC")
        page = [list_view(ctx, user) for user in found[offset:offset + limit]]
    return json_response({"totalCount": len(found), "users": page})


# --- details -------------------------------------------------------------------------
def user_details(ctx):
    _method(ctx, "GET")
    user_id = int(ctx.request.path.rstrip("/").rsplit("/", 1)[-1])
    sub = ctx.sub
    with sub.lock:
        user = sub.users.get(user_id)
        if user is None:
            raise AdminError(404, "User with id %d does not exist." % user_id)
        return json_response(details_view(ctx, user))


# --- create --------------------------------------------------------------------------
CREATE_FIELDS = ("userDetails", "security", "assetGroupTags")
DETAIL_FIELDS = {
    # adminui name -> field of the simulator's user record (None: checked and kept as given)
    "firstName": "first_name", "lastName": "last_name", "emailID": "email", "contactNumber": "phone",
    "title": "title", "language": "language", "zipCode": "zip_code", "state": "state", "country": "country",
    "city": "city", "externalId": "external_id", "address": "address1", "apiExternalId": "api_external_id",
    "accessToAllAssetGroups": None, "accessAll": None, "sendEmail": None,
}
REQUIRED_DETAILS = ("firstName", "lastName", "emailID")
LANGUAGES = ("English", "Japanese")
MAX_LENGTHS = {"lastName": 30, "address": 150}


def _flag(details, name, default):
    value = details.get(name, default)
    if value is None:
        return default
    if not isinstance(value, bool):
        raise AdminError(400, "userDetails.%s must be true or false." % name)
    return value


def _create_fields(ctx, body):
    _unknown(body, CREATE_FIELDS, "the create request")
    details = body.get("userDetails")
    if not isinstance(details, dict):
        raise AdminError(400, "userDetails is required (a JSON object).")
    _unknown(details, DETAIL_FIELDS, "userDetails")
    for name, value in details.items():
        if DETAIL_FIELDS[name] is not None and value is not None and not isinstance(value, str):
            raise AdminError(400, "userDetails.%s must be a string." % name)
    missing = [name for name in REQUIRED_DETAILS if not (details.get(name) or "").strip()]
    if missing:
        raise AdminError(400, "Missing required field(s): %s." % ", ".join("userDetails." + name for name in missing))
    for name, most in MAX_LENGTHS.items():
        if len(details.get(name) or "") > most:
            raise AdminError(400, "userDetails.%s must be at most %d characters." % (name, most))
    if details.get("language") not in (None, "") + LANGUAGES:
        raise AdminError(400, "userDetails.language must be one of %s (case-sensitive)." % ", ".join(LANGUAGES))
    country = (details.get("country") or "").strip()
    try:
        msp_users._check_country(country)  # pylint: disable=protected-access
    except msp_users.Failed as exc:
        raise AdminError(400, exc.message.replace("parameter country", "userDetails.country"))
    if (details.get("state") or "").strip() and country not in msp_users.STATE_REQUIRED:
        raise AdminError(400, "userDetails.state is only accepted for %s; send null." % ", ".join(
            sorted(msp_users.STATE_REQUIRED)))
    all_groups = _flag(details, "accessToAllAssetGroups", False)
    _flag(details, "accessAll", False)
    send_email = _flag(details, "sendEmail", True)
    security = body.get("security") or {}
    if not isinstance(security, dict):
        raise AdminError(400, "security must be a JSON object.")
    saml = security.get("samlEnabled", False)
    if not isinstance(saml, bool):
        raise AdminError(400, "security.samlEnabled must be true or false.")
    if saml and not (details.get("externalId") or "").strip():
        raise AdminError(400, "security.samlEnabled needs userDetails.externalId.")
    tag_ids = _tag_ids(ctx, body.get("assetGroupTags"))
    if all_groups and tag_ids:
        raise AdminError(400, "assetGroupTags must be empty when accessToAllAssetGroups is true.")
    fields = {field: (details.get(name) or "").strip() for name, field in DETAIL_FIELDS.items() if field}
    fields.update({"user_role": "reader", "business_unit": "Unassigned"})
    return fields, {"access_all_asset_groups": all_groups, "saml_enabled": saml, "send_email": send_email,
                    "scope_tag_ids": tag_ids}


def _tag_ids(ctx, value):
    """``assetGroupTags``: the shape is not documented; the simulator takes a list of tag ids (ASSUMED)."""
    if value in (None, []):
        return []
    if not isinstance(value, list) or not all(isinstance(item, int) and not isinstance(item, bool) for item in value):
        raise AdminError(400, "assetGroupTags must be a list of tag ids.")
    missing = [str(tag_id) for tag_id in value if tag_id not in ctx.sub.tags]
    if missing:
        raise AdminError(400, "assetGroupTags: no tag with id %s." % ", ".join(missing))
    return list(dict.fromkeys(value))


def create_user(ctx):
    _method(ctx, "POST")
    fields, extra = _create_fields(ctx, _body(ctx))
    sub = ctx.sub
    with sub.lock:
        user = sub.add_user(fields)
        user["language"] = fields.get("language") or "English"
        user["api_external_id"] = fields.get("api_external_id", "")
        user["access_all_asset_groups"] = extra["access_all_asset_groups"]
        user["saml_enabled"] = extra["saml_enabled"]
        user["scope_tag_ids"] = extra["scope_tag_ids"]
        user["created_via"] = "adminui"
        user["updated_at"] = user["creation_date"]
        if extra["send_email"]:
            # The activation e-mail (with the way to set a password) is counted, never sent.
            user["activation_emails"] = user.get("activation_emails", 0) + 1
        sub.save()
        shape = ctx.config.get("adminui_create_reply", "id_login")
        if shape == "details":
            return json_response(details_view(ctx, user))
        if shape == "status_only":
            return json_response({"status": "SUCCESS"})
        return json_response({"userId": user["id"], "username": user["login"], "status": "SUCCESS"})


# --- status --------------------------------------------------------------------------
STATUS_FIELDS = ("action", "editUser")


def set_status(ctx):
    _method(ctx, "PUT")
    body = _body(ctx)
    _unknown(body, STATUS_FIELDS, "the status request")
    action, login = body.get("action"), body.get("editUser")
    if action not in ("ACTIVATE", "DEACTIVATE"):
        raise AdminError(400, "action must be ACTIVATE or DEACTIVATE.")
    if not isinstance(login, str) or not login.strip():
        raise AdminError(400, "editUser (the user's login) is required.")
    sub = ctx.sub
    with sub.lock:
        user = sub.user_by_login(login.strip())
        if user is None:
            raise AdminError(404, "User %s does not exist." % login.strip())
        if user["id"] == ctx.user["id"]:
            raise AdminError(400, "You cannot change the status of your own account.")
        wanted_from, new_status = ("Active", "Inactive") if action == "DEACTIVATE" else ("Inactive", "Active")
        if user["status"] != wanted_from:
            raise AdminError(400, "User %s cannot be %s: current status is %s." % (
                user["login"], "deactivated" if action == "DEACTIVATE" else "activated", LIST_STATUS[user["status"]]))
        user["status"] = new_status
        user["updated_at"] = now_iso()
        sub.save()
        return json_response({"userId": user["id"], "username": user["login"], "status": "SUCCESS"})
