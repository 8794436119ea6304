# Copyright (c) scanops.qualys contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""QPS (Asset Management & Tagging style) request/response envelopes.

Requests: ``{"ServiceRequest": {...}}`` JSON, or the same tree as XML.
Replies: JSON when the client accepts JSON (or sent JSON and accepts
anything), else XML, always HTTP 200 for service-level errors with
``responseCode`` and ``responseErrorDetails``.
"""

import json

from defusedxml import ElementTree as SafeET
from defusedxml.common import DefusedXmlException

from simulators.common import Response

from .xmlgen import XML_DECLARATION, escape

XSD = {
    "tag": "/qps/xsd/2.0/am/tag.xsd",
    "user": "/qps/xsd/2.0/am/user.xsd",
    "role": "/qps/xsd/2.0/am/role.xsd",
    "hostasset": "/qps/xsd/2.0/am/hostasset.xsd",
    "version": "/qps/xsd/version.xsd",
}

DEFAULT_PAGE = 100
MAX_PAGE = 1000


class QpsError(Exception):
    """A service-level failure answered as ``responseCode`` (HTTP 200 unless told)."""

    def __init__(self, code, message, resolution=None, status=200):
        super().__init__(message)
        self.code = code
        self.message = message
        self.resolution = resolution
        self.status = status


def wants_json(request):
    accept = (request.header("Accept", "") or "").lower()
    if "application/json" in accept:
        return True
    if "xml" in accept:
        return False
    return request.content_type == "application/json"


def as_list(value):
    """QPS collections arrive as one object or a list of them."""
    if value is None:
        return []
    if isinstance(value, list):
        return value
    return [value]


def _xml_to_value(element):
    children = list(element)
    if element.tag == "Criteria":
        return {"field": element.get("field"), "operator": element.get("operator"), "value": (element.text or "").strip()}
    if not children:
        return (element.text or "").strip()
    out = {}
    repeated = set()
    for child in children:
        value = _xml_to_value(child)
        if child.tag not in out:
            out[child.tag] = value
        elif child.tag in repeated:
            out[child.tag].append(value)
        else:
            out[child.tag] = [out[child.tag], value]
            repeated.add(child.tag)
    return out


def parse_service_request(request):
    """The ServiceRequest as a dict (empty when there is no body)."""
    body = request.body.strip()
    if not body:
        return {}
    if body[:1] in (b"{", b"["):
        try:
            document = json.loads(body.decode("utf-8"))
        except (ValueError, UnicodeDecodeError) as exc:
            raise QpsError("INVALID_REQUEST", "Malformed JSON in request body: %s" % exc) from exc
        if not isinstance(document, dict) or not isinstance(document.get("ServiceRequest") or {}, dict):
            raise QpsError("INVALID_REQUEST", "Request body must be a ServiceRequest object.")
        # A body without the ServiceRequest wrapper is silently ignored, as a public client observed.
        return document.get("ServiceRequest") or {}
    try:
        root = SafeET.fromstring(body)
    except (SafeET.ParseError, DefusedXmlException, ValueError) as exc:
        raise QpsError("INVALID_REQUEST", "Malformed XML in request body: %s" % exc) from exc
    if root.tag != "ServiceRequest":
        raise QpsError("INVALID_REQUEST", "Root element must be ServiceRequest.")
    value = _xml_to_value(root)
    return value if isinstance(value, dict) else {}


def criteria(service_request):
    """[(field, operator, value)] from filters/Criteria."""
    filters = service_request.get("filters") or {}
    if not isinstance(filters, dict):
        raise QpsError("INVALID_REQUEST", "filters must be an object.")
    out = []
    for item in as_list(filters.get("Criteria")):
        if not isinstance(item, dict) or not item.get("field") or not item.get("operator"):
            raise QpsError("INVALID_REQUEST", "Each Criteria needs field, operator and value.")
        out.append((str(item["field"]), str(item["operator"]).upper(), item.get("value", "")))
    return out


def _int_pref(prefs, name, minimum, maximum=None):
    value = prefs.get(name)
    if value in (None, ""):
        return None
    try:
        number = int(value)
    except (TypeError, ValueError) as exc:
        raise QpsError("INVALID_REQUEST", "preferences: %s must be a number (%s)." % (name, value)) from exc
    if number < minimum or (maximum is not None and number > maximum):
        raise QpsError("INVALID_REQUEST", "preferences: %s out of range (%s)." % (name, value),
                       "Specify %s between %d and %d." % (name, minimum, maximum or number))
    return number


def preferences(service_request, page_cap=None):
    """(limit, start_from_id, start_from_offset) with Qualys defaults and the simulator's page cap."""
    prefs = service_request.get("preferences") or {}
    if not isinstance(prefs, dict):
        raise QpsError("INVALID_REQUEST", "preferences must be an object.")
    limit = _int_pref(prefs, "limitResults", 1, MAX_PAGE) or DEFAULT_PAGE
    if page_cap:
        limit = min(limit, int(page_cap))
    return limit, _int_pref(prefs, "startFromId", 0), _int_pref(prefs, "startFromOffset", 1)


def to_long(field, value):
    try:
        return int(str(value).strip())
    except (TypeError, ValueError) as exc:
        raise QpsError("INVALID_REQUEST", "Criteria: Invalid value format for criteria '%s' (%s)." % (field, value),
                       "Specify criteria value(s) as Long.") from exc


def id_matches(field, operator, value, object_id):
    """Evaluate an id criterion (EQUALS, NOT EQUALS, GREATER, LESSER, IN)."""
    if operator == "IN":
        wanted = {to_long(field, part) for part in str(value).split(",") if part.strip()}
        return object_id in wanted
    number = to_long(field, value)
    if operator == "EQUALS":
        return object_id == number
    if operator == "NOT EQUALS":
        return object_id != number
    if operator == "GREATER":
        return object_id > number
    if operator == "LESSER":
        return object_id < number
    raise QpsError("INVALID_REQUEST", "Criteria: Operator '%s' is not supported for field '%s'." % (operator, field))


def text_matches(field, operator, value, text, allowed=("EQUALS", "NOT EQUALS", "CONTAINS", "IN")):
    """EQUALS is case-sensitive (as users report); CONTAINS is not (modelled guess)."""
    if operator not in allowed:
        raise QpsError("INVALID_REQUEST", "Criteria: Operator '%s' is not supported for field '%s'." % (operator, field))
    value = "" if value is None else str(value)
    text = text or ""
    if operator == "EQUALS":
        return text == value
    if operator == "NOT EQUALS":
        return text != value
    if operator == "CONTAINS":
        return value.lower() in text.lower()
    return text in [part.strip() for part in value.split(",")]


def page(items, limit, start_from_id=None, start_from_offset=None):
    """Slice sorted items; return (page_items, has_more, last_id)."""
    if start_from_id is not None:
        items = [item for item in items if item["id"] >= start_from_id]
    if start_from_offset is not None:
        items = items[start_from_offset - 1:]
    chunk = items[:limit]
    has_more = len(items) > limit
    return chunk, has_more, (chunk[-1]["id"] if chunk and has_more else None)


# --- replies -----------------------------------------------------------
def _render_value(tag, value, depth, out):
    pad = "  " * depth
    if value is None:
        return
    if isinstance(value, dict):
        if not value:
            out.append("%s<%s/>" % (pad, tag))
            return
        out.append("%s<%s>" % (pad, tag))
        for key, item in value.items():
            _render_value(key, item, depth + 1, out)
        out.append("%s</%s>" % (pad, tag))
    elif isinstance(value, list):
        # A list holds wrapper objects ({"Tag": {...}}) rendered as children of ``tag``.
        out.append("%s<%s>" % (pad, tag))
        for item in value:
            if isinstance(item, dict):
                for key, inner in item.items():
                    _render_value(key, inner, depth + 1, out)
        out.append("%s</%s>" % (pad, tag))
    else:
        if isinstance(value, bool):
            value = "true" if value else "false"
        out.append("%s<%s>%s</%s>" % (pad, tag, escape(value), tag))


def render_xml(base_url, payload, xsd):
    out = []
    attrs = ' xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:noNamespaceSchemaLocation="%s%s"' % (
        base_url, xsd)
    out.append("<ServiceResponse%s>" % attrs)
    for key, value in payload.items():
        _render_value(key, value, 1, out)
    out.append("</ServiceResponse>")
    return XML_DECLARATION.replace(" ?>", "?>") + "\n".join(out)


def _jsonable(value):
    """Drop None values (absent elements)."""
    if isinstance(value, dict):
        return {key: _jsonable(item) for key, item in value.items() if item is not None}
    if isinstance(value, list):
        return [_jsonable(item) for item in value]
    return value


def respond(request, base_url, payload, xsd_key, status=200):
    """Serialise a ServiceResponse ``payload`` dict for this request."""
    xsd = XSD.get(xsd_key, XSD["tag"])
    if wants_json(request):
        return Response(status, json.dumps({"ServiceResponse": _jsonable(payload)}, indent=1), "application/json")
    return Response(status, render_xml(base_url, payload, xsd), "application/xml")


def error_response(request, base_url, code, message, resolution=None, xsd_key="tag", status=200):
    details = {"errorMessage": message}
    if resolution:
        details["errorResolution"] = resolution
    payload = {"responseCode": code, "responseErrorDetails": details}
    return respond(request, base_url, payload, xsd_key, status)


def success(request, base_url, objects, xsd_key, has_more=None, last_id=None):
    """SUCCESS with ``objects`` (wrapper dicts); no ``data`` when empty (as recorded)."""
    payload = {"responseCode": "SUCCESS", "count": len(objects)}
    if has_more is not None and objects:  # an empty search carries neither (recorded)
        payload["hasMoreRecords"] = "true" if has_more else "false"
    if last_id is not None:
        payload["lastId"] = last_id
    if objects:
        payload["data"] = objects
    return respond(request, base_url, payload, xsd_key)
