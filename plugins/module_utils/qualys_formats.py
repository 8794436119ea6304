# -*- coding: utf-8 -*-
# Copyright (c) scanops.qualys contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Qualys envelopes <-> plain Python data.

VM/PC and /msp APIs answer XML (SIMPLE_RETURN, USER_OUTPUT, *_LIST_OUTPUT,
GENERIC_RETURN); the QPS APIs answer ServiceResponse JSON. Errors often arrive
with HTTP 200, so every reply goes through the checks here, and every failure
becomes a QualysError carrying the Qualys code and text.
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
    "1960": "limit",
    "1965": "limit",
    "OBJECT_NOT_FOUND": "not_found",
    "UNAUTHORIZED": "auth",
    "INVALID_CREDENTIALS": "auth",
    "INSUFFICIENT_PERMISSION": "auth",
    "LIMIT_EXCEEDED": "limit",
}
CODE_ADVICE = {
    "auth": "check the username and password (or client id and secret) and that the account may use the API",
    "expired": "the account has expired; renew it in the Qualys UI",
    "eula": "the account must accept the EULA first (POST /msp/acceptEULA.php as that user)",
    "limit": "Qualys rate or concurrency limit; retry later or raise max_wait",
}
TRUNCATION_WARNING = "1980"
SNIPPET = 200


# -- XML ---------------------------------------------------------------------

def parse_xml(text):
    """Parse XML without entity expansion or external fetches."""
    if not HAS_DEFUSEDXML:
        raise QualysError("The Python library 'defusedxml' is required: %s" % DEFUSEDXML_IMPORT_ERROR, kind="dependency")
    try:
        return SafeElementTree.fromstring(text.encode("utf-8") if isinstance(text, str) else text)
    except DefusedXmlException as exc:
        raise QualysError("Refused an unsafe XML reply from Qualys (%s)" % type(exc).__name__, kind="format")
    except ParseError as exc:
        raise QualysError("Qualys sent XML that cannot be parsed (%s)" % exc, kind="format")


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
        raise _unexpected_body(response, sensitive)
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
            raise _unexpected_body(response, False)
        try:
            service = _qps_xml_service(root)
        except RecursionError:
            raise QualysError("Qualys sent XML nested too deeply to be read (HTTP %s)" % response.status, status=response.status,
                              kind="format")
    elif body.startswith("{"):
        try:
            payload = json.loads(body)
        except (ValueError, RecursionError) as exc:
            # RecursionError: nesting deeper than Python's recursion limit.
            raise QualysError("Qualys sent JSON that cannot be parsed (%s)" % exc, status=response.status, kind="format")
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


# -- helpers ----------------------------------------------------------------------

def _api_error(code, text, response):
    code = str(code)
    kind = CODE_KINDS.get(code, "api")
    if kind == "api" and text and "EULA" in text.upper():
        kind = "eula"
    message = "Qualys error %s: %s" % (code, text or "(no text)")
    if kind in CODE_ADVICE:
        message += " -- %s" % CODE_ADVICE[kind]
    if kind == "limit":
        wait = response.headers.get("X-RateLimit-ToWait-Sec")
        if wait:
            message += " (Qualys asks to wait %ss)" % wait
    return QualysError(message, code=code, status=response.status, kind=kind)


def _unexpected_body(response, sensitive):
    kind = "auth" if response.status == 401 else ("limit" if response.status in (409, 429) else "format")
    content_type = response.content_type or "no content type"
    message = "Unexpected reply from Qualys: HTTP %s, %s" % (response.status, content_type)
    if not sensitive:
        snippet = _snippet(response.text)
        if snippet:
            message += ": %s" % snippet
    return QualysError(message, status=response.status, kind=kind)


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
