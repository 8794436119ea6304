# -*- coding: utf-8 -*-
# Copyright (c) scanops.qualys contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The Administration (``adminui``) user API of enhanced-RBAC subscriptions.

Documented: JSON bodies and ``Authorization: Bearer <JWT>`` on every call, under
``/adminui/user-management/v1``: list/search users (``POST users`` with
``limit``, ``offset``, ``sortFilter``, ``filter``; the reply holds
``totalCount`` and ``users``), details (``GET user/{id}``, an array), create
(``POST user`` with ``userDetails``) and activate/deactivate (``PUT
user/status`` with ``action`` and ``editUser``). The docs do not say which host
serves it: the API server by default, any other through ``base_url`` (the
connection option ``admin_url``).

Assumed, because no public source shows them: the create reply (``userId`` and
``username``; the details array is accepted too), the error bodies (a JSON
``errorCode``/``message`` is read, anything else is quoted), and whether listed
users carry ``externalId`` (the list filter cannot search it: ``find_by_external_id``
reads every page, and refuses to answer when no listed user carries the field).

Every call goes through ``QualysClient.request``: the same transport, token,
limits, retries and errors as every other Qualys call. No password is sent or
returned, and a reply is masked before an error quotes it.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import inspect
import json
import re

from ansible_collections.scanops.qualys.plugins.module_utils import qualys_formats as formats
from ansible_collections.scanops.qualys.plugins.module_utils.qualys_errors import QualysError

PREFIX = "/adminui/user-management/v1"
ACCEPT_JSON = {"Accept": "application/json"}
# Documented sample page size and sort (the largest page is not documented).
PAGE_SIZE = 100
SORT = {"username": "ASC"}
# User status words (list: ACTIVE, INACTIVE, PENDING_ACTIVATION; details: ACTIVATION) -> the collection's words.
STATUSES = {
    "ACTIVE": "active",
    "INACTIVE": "inactive",
    "PENDING_ACTIVATION": "pending_activation",
    "ACTIVATION": "pending_activation",
}
# How much of a reply an error quotes.
QUOTE_MAX = 300
QUOTE_PARSE_MAX = 1024 * 1024
SECRET_WORDS = ("password", "passwd", "secret", "token")
SECRET_TEXT = re.compile(r"""((?:password|passwd|secret|token)[^:=]{0,20}?["']?\s*[:=]\s*["']?)([^"'\s,;&}<]+)""", re.I)


class AdminUi:
    """The ``adminui`` user calls, sent by ``client`` (a QualysClient) to ``base_url``.

    ``base_url`` defaults to the client's ``admin_url`` once the connection options carry one, else its API server.
    """

    def __init__(self, client, base_url=None, page_size=PAGE_SIZE):
        self.client = client
        self.base_url = (base_url or getattr(client, "admin_url", None) or client.api_url).rstrip("/")
        self.page_size = page_size

    # -- reads -------------------------------------------------------------

    def users_page(self, filters=None, limit=None, offset=0, sort=None):
        """One page of the user list: (totalCount, [raw user dicts])."""
        body = {"limit": limit or self.page_size, "offset": offset, "sortFilter": sort or SORT, "filter": filters or {}}
        payload = self._call("POST", "/users", "list users", body)
        users = payload.get("users") if isinstance(payload, dict) else None
        total = payload.get("totalCount") if isinstance(payload, dict) else None
        if not isinstance(users, list) or not _is_int(total) or not all(isinstance(user, dict) for user in users):
            raise _shape_error(self._last, "list users", "totalCount and a users list")
        return int(total), users

    def list_users(self, filters=None, sort=None):
        """Every user matching ``filters`` (documented keys: username, firstName, lastName, status, emailAddress,
        role, ...), following the pages (``offset`` until ``totalCount``); raw user dicts, each once."""
        found, seen = [], set()
        offset = 0
        while True:
            total, users = self.users_page(filters, self.page_size, offset, sort)
            for user in users:
                key = user.get("id", id(user))
                if key not in seen:
                    seen.add(key)
                    found.append(user)
            offset += len(users)
            if not users or offset >= total:
                return found

    def find_by_login(self, login):
        """The listed user whose ``username`` is ``login`` exactly, or None (the filter may match more)."""
        matches = [user for user in self.list_users({"username": login}) if user.get("username") == login]
        return _one(matches, "login %s" % login)

    def find_by_external_id(self, external_id):
        """The listed user whose ``externalId`` is ``external_id``, or None.

        The documented list filter has no external id, so every page is read and
        matched here. Listed users carrying ``externalId`` is an assumption: when
        users are listed and none carries the field, the answer is unknown and a
        QualysError (kind ``unsupported``) says so rather than "not found" (which
        would make a caller create the user again on every run).
        """
        users = self.list_users()
        if users and not any("externalId" in user for user in users):
            raise QualysError(
                "The Administration user list of this subscription does not show externalId, so a user cannot be "
                "found by external id (%d users listed, none with the field)." % len(users), kind="unsupported")
        matches = [user for user in users if user.get("externalId") == external_id]
        return _one(matches, "external id %s" % external_id)

    def get_user(self, user_id):
        """The details of user ``user_id``: the first entry of the documented array (``userDetails``, ``locale``,
        ``qwebUserRole``, ``additionalRoles``, ...)."""
        payload = self._call("GET", "/user/%s" % int(user_id), "get user %s" % user_id)
        entry = payload[0] if isinstance(payload, list) and payload else payload
        if not isinstance(entry, dict) or not isinstance(entry.get("userDetails"), dict):
            raise _shape_error(self._last, "get user %s" % user_id, "userDetails")
        return entry

    # -- writes ------------------------------------------------------------

    def create_user(self, user_details, security=None, asset_group_tags=None):
        """Create a user from the documented ``userDetails`` (firstName, lastName, emailID, title, externalId,
        sendEmail, ...): ``{"id", "login"}`` of the new user (Qualys generates the login; no password comes back).

        Not repeated after a lost reply (the error says the outcome is unknown): look the user up first.
        """
        body = {"userDetails": dict(user_details)}
        if security is not None:
            body["security"] = security
        if asset_group_tags is not None:
            body["assetGroupTags"] = asset_group_tags
        payload = self._call("POST", "/user", "create user", body, write=True)
        created = _created(payload)
        if created is None:
            raise _shape_error(self._last, "create user", "userId and username (or userDetails with id and username)")
        return created

    def activate(self, login):
        """Activate an inactive user: ``{"id", "login"}``."""
        return self._set_status(login, "ACTIVATE")

    def deactivate(self, login):
        """Deactivate an active user: ``{"id", "login"}``."""
        return self._set_status(login, "DEACTIVATE")

    def _set_status(self, login, action):
        what = "%s user %s" % (action.lower(), login)
        payload = self._call("PUT", "/user/status", what, {"action": action, "editUser": login}, write=True)
        if not isinstance(payload, dict) or payload.get("status") != "SUCCESS":
            raise _shape_error(self._last, what, "status SUCCESS")
        user_id = payload.get("userId")
        return {"id": int(user_id) if _is_int(user_id) else None, "login": payload.get("username") or login}

    # -- transport ---------------------------------------------------------

    def _call(self, method, path, what, body=None, write=False):
        options = dict(json_body=body, write=write, extra_headers=ACCEPT_JSON)
        if self.client.gateway_url and self.base_url != self.client.gateway_url:
            # Without a gateway the client's own error names gateway_url (the token comes from there).
            if not _takes_base_url(self.client):
                raise QualysError(
                    "The Administration API at %s cannot be called by this version of the Qualys client (it sends token "
                    "calls to the gateway only, %s)." % (self.base_url, self.client.gateway_url), kind="unsupported")
            options["base_url"] = self.base_url
        response = self.client.request(method, PREFIX + path, "gateway", **options)
        self._last = response
        if not 200 <= response.status < 300:
            raise _http_error(response, what)
        try:
            return json.loads(response.text)
        except (ValueError, RecursionError):
            raise _shape_error(response, what, "a JSON body")

    _last = None


def summary(raw):
    """A listed user or a details entry as ``{"id", "login", "status", "external_id", "first_name", "last_name",
    "email", "title", "roles", "scope_tags"}`` (the collection's names; None where the reply says nothing)."""
    details = raw.get("userDetails") if isinstance(raw.get("userDetails"), dict) else raw
    roles = raw.get("roles") if "roles" in raw else raw.get("additionalRoles")
    tags = raw.get("tags") or []
    user_id = details.get("id")
    return {
        "id": int(user_id) if _is_int(user_id) else None,
        "login": details.get("username"),
        "status": STATUSES.get(str(details.get("status") or "").upper()),
        "external_id": details.get("externalId"),
        "first_name": details.get("firstName"),
        "last_name": details.get("lastName"),
        "email": details.get("emailAddress") or details.get("emailId"),
        "title": details.get("title"),
        "roles": sorted(role.get("name") for role in roles or [] if isinstance(role, dict) and role.get("name")),
        "scope_tags": sorted(tag.get("name") for tag in tags if isinstance(tag, dict) and tag.get("name")),
    }


def _created(payload):
    """{"id", "login"} from a create reply: {userId|id, username[, status]} (assumed), or the details shape."""
    entry = payload[0] if isinstance(payload, list) and payload else payload
    if not isinstance(entry, dict):
        return None
    if entry.get("status") not in (None, "SUCCESS"):
        return None
    if isinstance(entry.get("userDetails"), dict):
        entry = entry["userDetails"]
    user_id = entry.get("userId", entry.get("id"))
    login = entry.get("username")
    if not _is_int(user_id) or not isinstance(login, str) or not login:
        return None
    return {"id": int(user_id), "login": login}


def _one(matches, what):
    if len(matches) > 1:
        raise QualysError("%d Administration users match %s (ids %s): expected one." % (
            len(matches), what, ", ".join(str(user.get("id")) for user in matches)), kind="ambiguous")
    return matches[0] if matches else None


def _is_int(value):
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return True
    return isinstance(value, str) and value.strip().isdigit()


def _takes_base_url(client):
    try:
        return "base_url" in inspect.signature(client.request).parameters
    except (AttributeError, TypeError, ValueError):
        return False


def _http_error(response, what):
    """A QualysError for a reply that is not 2xx, with the code and text it carried and the reply quoted.

    The reply is judged by the client's own gateway check (``formats.check_gateway_reply``: the code and
    text of a JSON error body in any common spelling, limit replies told apart); the Administration API's
    refusals are then named more precisely (EULA code 2003, 403, 404) and the masked reply is quoted.
    """
    try:
        formats.check_gateway_reply(response)
    except QualysError as exc:
        checked = exc
    else:
        checked = QualysError("", status=response.status, kind="api")
    code = None if checked.code in (None, "") else _masked_text(str(checked.code))
    text = None if checked.qualys_text in (None, "") else _masked_text(str(checked.qualys_text))
    if checked.kind == "limit":
        kind = "limit"
    elif code == "2003":
        kind = "eula"
    elif response.status in (401, 403):
        kind = "auth"
    elif response.status == 404 and text is not None and _is_json(response.text):
        kind = "not_found"
    else:
        kind = "api"
    said = "%s: %s" % (code, text) if code and text else (text or code or "no error text")
    message = "Qualys Administration API answered HTTP %s to %s: %s (reply: %s)" % (
        response.status, what, said, _quote(response.text))
    return QualysError(message, code=code, status=response.status, kind=kind, qualys_text=text)


def _is_json(text):
    try:
        json.loads(text or "")
    except (ValueError, RecursionError):
        return False
    return True


def _shape_error(response, what, expected):
    status = response.status if response is not None else None
    text = response.text if response is not None else ""
    return QualysError("Qualys Administration API answered HTTP %s to %s without %s (reply: %s)" % (
        status, what, expected, _quote(text)), status=status, kind="api")


def _quote(text):
    """The start of a reply, secrets masked, in quotes: JSON is masked field by field, other text by pattern."""
    text = (text or "").strip()
    if not text:
        return "(empty)"
    try:
        if len(text) > QUOTE_PARSE_MAX:
            raise ValueError("too long to parse for a quote")
        shown = json.dumps(_masked(json.loads(text)), sort_keys=True)
    except (ValueError, RecursionError):
        shown = _masked_text(text[:QUOTE_MAX * 4])
    shown = re.sub(r"\s+", " ", shown)
    if u"\ufffd" in shown or any(ord(char) < 32 for char in shown):
        return "(binary, %d characters)" % len(text)
    if len(shown) > QUOTE_MAX:
        shown = shown[:QUOTE_MAX] + "..."
    return "'%s'" % shown


def _masked(value):
    if isinstance(value, dict):
        return {key: "********" if any(word in str(key).lower() for word in SECRET_WORDS) else _masked(item)
                for key, item in value.items()}
    if isinstance(value, list):
        return [_masked(item) for item in value]
    if isinstance(value, str):
        return _masked_text(value)
    return value


def _masked_text(text):
    return SECRET_TEXT.sub(lambda match: match.group(1) + "********", text)
