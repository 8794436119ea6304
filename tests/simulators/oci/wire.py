# Copyright (c) scanops.qualys contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What every OCI API of the simulator shares on the wire: errors, times, OCIDs, bodies, paging, sorting, etags."""

import datetime
import hashlib
import json
import re
import time
import uuid

from simulators.common import Response

OCID_RE = re.compile(r"^ocid1\.([a-z0-9]+)\.([a-z0-9]+)\.([a-z0-9-]*)(\.[a-z0-9-]+)?\.([A-Za-z0-9_-]+)$")
DAY = 86400.0


class ApiError(Exception):
    """An OCI error reply: HTTP status and ``{"code", "message"}``."""

    def __init__(self, status, code, message):
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


def not_found(what="resource"):
    return ApiError(404, "NotAuthorizedOrNotFound",
                    "Authorization failed or requested %s not found." % what)


def error_response(exc, request_id=None):
    headers = {"opc-request-id": request_id or uuid.uuid4().hex.upper()}
    return Response(exc.status, json.dumps({"code": exc.code, "message": exc.message}), "application/json", headers)


def iso(ts):
    """A timestamp as OCI writes it: UTC, milliseconds, ``Z``."""
    if ts is None:
        return None
    dt = datetime.datetime.fromtimestamp(ts, tz=datetime.timezone.utc)
    return dt.strftime("%Y-%m-%dT%H:%M:%S.") + "%03dZ" % (dt.microsecond // 1000)


def parse_time(value, field):
    if not isinstance(value, str):
        raise ApiError(400, "InvalidParameter", "%s must be an RFC 3339 date-time." % field)
    try:
        dt = datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise ApiError(400, "InvalidParameter", "%s must be an RFC 3339 date-time." % field)
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=datetime.timezone.utc)
    return dt.timestamp()


def check_ocid(value, field, types=None):
    match = OCID_RE.match(value) if isinstance(value, str) else None
    if not match or (types and match.group(1) not in types):
        raise ApiError(400, "InvalidParameter", "%s is not a valid OCID." % field)


def require(body, *fields):
    missing = [f for f in fields if body.get(f) in (None, "")]
    if missing:
        raise ApiError(400, "MissingParameter", "Missing required parameter(s): %s." % ", ".join(missing))


def dict_or_none(body, field):
    value = body.get(field)
    if value is not None and not isinstance(value, dict):
        raise ApiError(400, "InvalidParameter", "%s must be an object." % field)
    return value


def read_body(request):
    """The request's JSON object body ({} when there is none)."""
    if not request.body:
        return {}
    try:
        body = request.json()
    except ValueError:
        raise ApiError(400, "InvalidParameter", "The request body is not valid JSON.")
    if not isinstance(body, dict):
        raise ApiError(400, "InvalidParameter", "The request body must be a JSON object.")
    return body


def page(items, q, page_size):
    """One page of ``items`` for ``limit``/``page`` (``page_size`` is the default and the cap); (chunk, headers)."""
    try:
        limit = int(q.get("limit") or page_size)
        start = int(q.get("page") or 0)
    except ValueError:
        raise ApiError(400, "InvalidParameter", "limit and page must be numbers.")
    if limit < 1:
        raise ApiError(400, "InvalidParameter", "limit must be at least 1.")
    limit = min(limit, int(page_size))
    chunk = items[start:start + limit]
    headers = {}
    if start + limit < len(items):
        headers["opc-next-page"] = str(start + limit)
    return chunk, headers


def sort_items(items, q, default_key, name_key, time_key):
    """``sortBy`` (a name or a time key) and ``sortOrder``; times sort newest first unless told otherwise."""
    sort_by = q.get("sortBy") or default_key
    reverse = (q.get("sortOrder") or ("DESC" if sort_by in ("TIMECREATED", "timeCreated") else "ASC")) == "DESC"
    if sort_by in ("NAME", "displayName"):
        return sorted(items, key=lambda o: (o.get(name_key) or "").lower(), reverse=reverse)
    return sorted(items, key=lambda o: o.get(time_key) or 0, reverse=reverse)


def etag(view):
    """The etag of an object that has no revision counter: a hash of what a GET shows."""
    return hashlib.sha256(json.dumps(view, sort_keys=True).encode("utf-8")).hexdigest()[:32]


def check_if_match(request, view):
    wanted = request.header("if-match")
    if wanted and wanted != etag(view):
        raise ApiError(412, "PreconditionFailed", "The if-match value does not match the current etag.")


def retry_token(state, request, operation):
    """(key to record the new object under, id of the object an earlier call with this token made) or (None, None)."""
    token = request.header("opc-retry-token")
    if not token:
        return None, None
    key = "%s:%s" % (operation, token)
    entry = state["retry_tokens"].get(key)
    if entry and time.time() - entry["time"] < DAY:
        return key, entry["id"]
    return key, None


class LowerHeaders:
    """Case-insensitive header access for the signature check."""

    def __init__(self, headers):
        self._headers = headers

    def get(self, name, default=None):
        value = self._headers.get(name)
        return default if value is None else value


def key_id_of(authorization):
    match = re.search(r'keyId="([^"]*)"', authorization or "")
    return match.group(1) if match else None
