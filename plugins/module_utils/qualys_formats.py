# -*- coding: utf-8 -*-
# Copyright (c) scanops.qualys contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Qualys envelopes <-> plain Python data.

VM/PC and /msp APIs answer XML (SIMPLE_RETURN, USER_OUTPUT, *_LIST_OUTPUT,
GENERIC_RETURN); the QPS APIs answer ServiceResponse JSON; the gateway
applications answer JSON of their own. Errors often arrive with HTTP 200, so
every reply goes through the checks here, and every failure becomes a
QualysError carrying the Qualys code and text (``code``, ``qualys_text``).
Whether a reply is a rate or concurrency limit refusal is decided here too,
by ``is_limit_reply``, for the parsers and for the client's retry policy.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import re
import traceback

from ansible_collections.scanops.qualys.plugins.module_utils.qualys_errors import QualysError

from urllib.parse import parse_qs, urlsplit

try:
    from defusedxml import ElementTree as SafeElementTree
    from defusedxml import DefusedXmlException
    from xml.etree.ElementTree import ParseError
except ImportError:
    HAS_DEFUSEDXML = False
    DEFUSEDXML_IMPORT_ERROR = traceback.format_exc()
else:
    HAS_DEFUSEDXML = True
    DEFUSEDXML_IMPORT_ERROR = None

# Qualys codes that say what to fix, by the kind of QualysError they become.
CODE_KINDS = {
    "2000": "auth",
    "2001": "expired",
    "2002": "auth",
    "2003": "eula",
    "2010": "auth",
    "OBJECT_NOT_FOUND": "not_found",
    "UNAUTHORIZED": "auth",
    "INVALID_CREDENTIALS": "auth",
    "INSUFFICIENT_PERMISSION": "auth",
}
# Codes of a limit refusal: 1960 (concurrency), 1965 (rate), and the QPS spelling. See is_limit_reply.
LIMIT_CODES = frozenset(["1960", "1965", "LIMIT_EXCEEDED"])
CODE_ADVICE = {
    "auth": "check the username and password (or client id and secret) and that the account may use the API",
    "expired": "the account has expired; renew it in the Qualys UI",
    "eula": "the account must accept the EULA first (POST /msp/acceptEULA.php as that user)",
    "limit": ("a Qualys rate or concurrency limit; retry later, or let calls wait longer for it: the option max_wait, "
              "the environment variable QUALYS_MAX_WAIT, or the role variable restricted_api_user_max_wait"),
}
TRUNCATION_WARNING = "1980"
SNIPPET = 200
# QualysError.garbled: a body that breaks off, and a page (or nothing) where the API answers XML or JSON.
CUT_OFF = "cut_off"
PAGE = "page"


# -- limits ------------------------------------------------------------------

def is_limit_reply(headers, status=None, code=None):
    """True when a reply is a rate or concurrency limit refusal: the call was not run and may be sent again later.

    The one place that decides it, for the reply parsers (the kind of the error) and
    the client's retry policy (whether to wait). ``status`` is the HTTP status when the
    caller has it (None: a 409 or 429 whose body is not read yet, as in the retry
    policy); ``code`` is the Qualys code of the body when the caller has parsed it.

    - A 429 (gateway) is always one.
    - A known code decides: 1960 (concurrency), 1965 (rate) and LIMIT_EXCEEDED (QPS,
      which reports its errors with HTTP 200) are refusals, whatever the status; any
      other code (2003: EULA not accepted) is not, whatever the headers say.
    - Otherwise only a 409 can be one. A served reply that took the last slot carries
      ``X-RateLimit-Remaining: 0``, a ``ToWait`` and possibly ``Running`` equal to
      ``Limit``, and is not one.
    - Without a code, the headers decide: a ``ToWait`` or ``Remaining`` 0 (rate),
      or ``X-Concurrency-Limit-Running`` at or above a non-zero ``Limit``.

    What Running counts is not settled: Qualys documents it as including the
    current call (a served call then shows at most the limit, a refused one the
    limit + 1), while recorded live replies show 0 for a lone call (only the
    other calls: a served call shows at most the limit - 1, a refused one the
    limit). ``Running >= Limit`` on a 409 is a refusal under both readings; the
    status check keeps ``Running == Limit`` on a served reply from being read
    as one. Left open: without the body, a 409 that is not a limit but shows
    ``Running == Limit`` (a served call under the documented reading) reads as
    a refusal; its code, when passed, settles it.
    """
    def number(name):
        value = (headers.get(name) or "").strip()
        return int(value) if value.isdigit() else None

    if status == 429:
        return True
    code = str(code).strip() if code is not None else ""
    if code in LIMIT_CODES:
        return True
    if status is not None and status != 409:
        return False
    if code:
        return False
    to_wait, remaining = number("X-RateLimit-ToWait-Sec"), number("X-RateLimit-Remaining")
    running, limit = number("X-Concurrency-Limit-Running"), number("X-Concurrency-Limit-Limit")
    return bool(to_wait) or remaining == 0 or (running is not None and bool(limit) and running >= limit)


# -- XML ---------------------------------------------------------------------

def parse_xml(text):
    """Parse XML without entity expansion or external fetches.

    XML that breaks off is a QualysError marked ``garbled="cut_off"``.
    """
    if not HAS_DEFUSEDXML:
        raise QualysError("The Python library 'defusedxml' is required: %s" % DEFUSEDXML_IMPORT_ERROR, kind="dependency")
    try:
        return SafeElementTree.fromstring(text.encode("utf-8") if isinstance(text, str) else text)
    except DefusedXmlException as exc:
        raise QualysError("Refused an unsafe XML reply from Qualys (%s)" % type(exc).__name__, kind="format")
    except ParseError as exc:
        raise QualysError("Qualys sent XML that cannot be parsed (%s)" % exc, kind="format", garbled=CUT_OFF)


def parse_xml_reply(response, sensitive=False):
    """Root element of an XML reply, or QualysError for any error shape."""
    body = response.text.strip()
    if not body.startswith("<") or _looks_like_html(response, body):
        raise _unexpected_body(response, sensitive)
    root = parse_xml(body)
    error = xml_error(root)
    if error is not None:
        code, text = error
        raise _api_error(code, text, response)
    if response.status >= 400:
        raise _unexpected_body(response, sensitive, page=False)
    return root


def xml_error(root):
    """(code, text) for every XML error shape Qualys uses, else None."""
    if root.tag == "SIMPLE_RETURN":
        code = _text(root.find("RESPONSE/CODE"))
        if code:
            return code, _text(root.find("RESPONSE/TEXT"))
        return None
    returned = root.find("RETURN")
    if returned is not None and (returned.get("status") or "").upper() == "FAILED":
        message = _text(returned.find("MESSAGE")) or _text(returned)
        return returned.get("number") or "FAILED", message
    error = root.find("ERROR")
    if error is not None:
        return error.get("number") or "ERROR", _text(error)
    return None


def simple_return(root):
    """A successful SIMPLE_RETURN as {'text': ..., 'items': {KEY: VALUE}}."""
    items = {}
    for item in root.findall("RESPONSE/ITEM_LIST/ITEM"):
        values = [_text(v) for v in item.findall("VALUE")]
        items[_text(item.find("KEY"))] = values[0] if len(values) == 1 else values
    return {"text": _text(root.find("RESPONSE/TEXT")), "items": items}


def element_data(element):
    """An element as plain data: text for leaves, dicts for parents, lists for repeats."""
    children = list(element)
    if not children:
        return _text(element)
    data = {}
    for child in children:
        value = element_data(child)
        if child.tag in data:
            if not isinstance(data[child.tag], list):
                data[child.tag] = [data[child.tag]]
            data[child.tag].append(value)
        else:
            data[child.tag] = value
    return data


def text_of(element, path, default=None):
    """Stripped text at ``path`` below ``element`` (CDATA included)."""
    found = element.find(path) if element is not None else None
    if found is None:
        return default
    return _text(found)


def next_page_params(root):
    """Parameters for the next page after a WARNING 1980 truncation, else None."""
    warning = root.find("RESPONSE/WARNING")
    if warning is None or _text(warning.find("CODE")) != TRUNCATION_WARNING:
        return None
    url = _text(warning.find("URL"))
    if not url:
        return None
    query = parse_qs(urlsplit(url).query)
    return dict((key, values[-1]) for key, values in query.items())


# -- QPS JSON -------------------------------------------------------------------

def qps_request(data=None, criteria=None, preferences=None):
    """A ServiceRequest body. ``criteria``: (field, operator, value) triples."""
    request = {}
    if criteria:
        request["filters"] = {"Criteria": [{"field": f, "operator": o, "value": v} for f, o, v in criteria]}
    if preferences:
        request["preferences"] = preferences
    if data is not None:
        request["data"] = data
    return {"ServiceRequest": request}


def parse_qps_reply(response):
    """A ServiceResponse as {'count', 'has_more', 'last_id', 'data': [objects]}."""
    body = response.text.strip()
    if body.startswith("<") and not _looks_like_html(response, body):
        # QPS answers XML when it ignores Accept; VM/PC-style errors arrive as XML too.
        root = parse_xml(body)
        if root.tag != "ServiceResponse":
            parse_xml_reply(response)
            raise _unexpected_body(response, False, page=False)
        try:
            service = _qps_xml_service(root)
        except RecursionError:
            raise QualysError("Qualys sent XML nested too deeply to be read (HTTP %s)" % response.status, status=response.status,
                              kind="format")
    elif body.startswith("{"):
        try:
            payload = json.loads(body)
        except RecursionError as exc:
            # Nesting deeper than Python's recursion limit: complete, but not readable.
            raise QualysError("Qualys sent JSON that cannot be parsed (%s)" % exc, status=response.status, kind="format")
        except ValueError as exc:
            raise QualysError("Qualys sent JSON that cannot be parsed (%s)" % exc, status=response.status, kind="format",
                              garbled=CUT_OFF)
        service = payload.get("ServiceResponse") if isinstance(payload, dict) else None
    else:
        raise _unexpected_body(response, False)
    if not isinstance(service, dict):
        raise QualysError("Qualys reply has no ServiceResponse (HTTP %s)" % response.status, status=response.status, kind="format")
    code = service.get("responseCode")
    if code != "SUCCESS":
        details = service.get("responseErrorDetails") or {}
        text = details.get("errorMessage") or code or "unknown error"
        if details.get("errorResolution"):
            text = "%s (%s)" % (text, details["errorResolution"])
        raise _api_error(code or "UNKNOWN", text, response)
    data = service.get("data") or []
    if isinstance(data, dict):
        data = [data]
    return {
        "count": _int(service.get("count"), len(data)),
        "has_more": str(service.get("hasMoreRecords", "false")).lower() == "true",
        "last_id": service.get("lastId"),
        "data": [_unwrap(item) for item in data],
    }


def _qps_xml_service(root):
    """An XML ServiceResponse in the shape of its JSON twin."""
    service = {}
    for name in ("responseCode", "count", "hasMoreRecords", "lastId"):
        value = text_of(root, name)
        if value is not None:
            service[name] = value
    details = root.find("responseErrorDetails")
    if details is not None:
        service["responseErrorDetails"] = element_data(details)
    data = root.find("data")
    if data is not None:
        service["data"] = [{child.tag: element_data(child)} for child in data]
    return service


def qps_list(value):
    """Items of a QPS collection in any of its JSON spellings.

    ``{"list": [{"TagSimple": {...}}]}``, ``{"list": {"TagSimple": [...]}}``
    and ``{"TagSimple": [...]}`` all give ``[{...}, ...]``.
    """
    if value is None:
        return []
    if isinstance(value, dict) and "list" in value:
        value = value["list"]
    if isinstance(value, list):
        items = []
        for item in value:
            unwrapped = _unwrap(item)
            items.extend(unwrapped if isinstance(unwrapped, list) else [unwrapped])
        return items
    if isinstance(value, dict) and len(value) == 1:
        inner = list(value.values())[0]
        return inner if isinstance(inner, list) else [inner]
    return [value]


# -- gateway applications (FIM, PM, ETM) -----------------------------------------------------

def check_gateway_reply(response):
    """The reply of a gateway application call when its status is 2xx, else a QualysError with its code and text.

    The applications answer errors in JSON of their own (see ``gateway_error_detail``); the
    error's ``code`` and ``qualys_text`` are what the reply said (None where it said nothing).
    """
    if 200 <= response.status < 300:
        return response
    code, text = gateway_error_detail(response)
    if is_limit_reply(response.headers, status=response.status, code=code):
        kind = "limit"
    elif response.status == 401:
        kind = "auth"
    else:
        kind = "api"
    said = "%s: %s" % (code, text) if code else (text or response.content_type or "no text")
    message = "Qualys gateway answered HTTP %s: %s" % (response.status, said)
    if kind == "limit":
        message += " -- %s%s" % (CODE_ADVICE["limit"], _announced_wait(response))
    raise QualysError(message, code=code, status=response.status, kind=kind, qualys_text=text)


def gateway_error_detail(response):
    """(code, text) of a gateway error body: JSON in any common spelling, else the start of the text."""
    body = (response.text or "").strip()
    payload = None
    if body.startswith("{"):
        try:
            payload = json.loads(body)
        except (ValueError, RecursionError):
            payload = None
    if isinstance(payload, dict) and isinstance(payload.get("_error"), dict):
        payload = payload["_error"]  # PM's error shape, as qualysdk reads it
    if isinstance(payload, dict):
        if isinstance(payload.get("ServiceResponse"), dict):
            service = payload["ServiceResponse"]
            details = service.get("responseErrorDetails") or {}
            return service.get("responseCode"), details.get("errorMessage")
        code = _first(payload, ("errorCode", "code", "responseCode", "status"))
        text = _first(payload, ("message", "errorMessage", "responseMessage", "error_description", "error", "title"))
        return (None if code is None else str(code)), text
    flat = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", body)).strip()
    return None, (flat[:SNIPPET] or None)


def _first(payload, keys):
    for key in keys:
        value = payload.get(key)
        if value not in (None, ""):
            return value if isinstance(value, str) else json.dumps(value) if isinstance(value, (dict, list)) else str(value)
    return None


# -- helpers ----------------------------------------------------------------------

def _api_error(code, text, response):
    code = str(code)
    if is_limit_reply(response.headers, status=response.status, code=code):
        kind = "limit"
    else:
        kind = CODE_KINDS.get(code, "api")
    if kind == "api" and text and "EULA" in text.upper():
        kind = "eula"
    message = "Qualys error %s: %s" % (code, text or "(no text)")
    if kind in CODE_ADVICE:
        message += " -- %s" % CODE_ADVICE[kind]
    if kind == "limit":
        message += _announced_wait(response)
    return QualysError(message, code=code, status=response.status, kind=kind, qualys_text=text or "")


def _unexpected_body(response, sensitive, page=True):
    """An error for a reply that is not what the API answers: an HTML or text page, or nothing (``page``), or
    another envelope.

    A page with a successful status is ``garbled``: a sign-in or proxy page, or an empty body, where the API answers.
    """
    if response.status == 401:
        kind = "auth"
    elif is_limit_reply(response.headers, status=response.status):
        kind = "limit"
    else:
        kind = "format"
    content_type = response.content_type or "no content type"
    message = "Unexpected reply from Qualys: HTTP %s, %s" % (response.status, content_type)
    if not sensitive:
        snippet = _snippet(response.text)
        if snippet:
            message += ": %s" % snippet
    if kind == "limit":
        message += " -- %s%s" % (CODE_ADVICE["limit"], _announced_wait(response))
    garbled = PAGE if page and 200 <= response.status < 300 else None
    return QualysError(message, status=response.status, kind=kind, garbled=garbled)


def _announced_wait(response):
    wait = response.headers.get("X-RateLimit-ToWait-Sec") or response.headers.get("Retry-After")
    return " (Qualys asks to wait %ss)" % wait if wait and wait.strip() not in ("", "0") else ""


def _looks_like_html(response, body):
    return "html" in (response.content_type or "").lower() or body[:200].lower().startswith(("<!doctype html", "<html"))


def _snippet(text):
    title = re.search(r"<title>(.*?)</title>", text or "", re.I | re.S)
    if title:
        return title.group(1).strip()[:SNIPPET]
    flat = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", text or "")).strip()[:SNIPPET]
    # Binary bodies decode to replacement and control characters: say nothing rather than print noise.
    if u"\ufffd" in flat or any(ord(char) < 32 for char in flat):
        return ""
    return flat


def _text(element):
    if element is None:
        return None
    return "".join(element.itertext()).strip()


def _unwrap(item):
    """{"Tag": {...}} -> {...}; anything else unchanged."""
    if isinstance(item, dict) and len(item) == 1:
        inner = list(item.values())[0]
        if isinstance(inner, (dict, list)):
            return inner
    return item


def _int(value, default):
    try:
        return int(value)
    except (TypeError, ValueError):
        return default
