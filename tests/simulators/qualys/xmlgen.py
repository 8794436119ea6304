# Copyright (c) scanops.qualys contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Minimal XML writer for Qualys replies (ElementTree cannot emit CDATA)."""

import datetime

from simulators.common import Response

XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8" ?>\n'
VMPC_CONTENT_TYPE = "text/xml;charset=UTF-8"


class CData(str):
    """Text written as a CDATA section, as Qualys does for names and titles."""


def now_iso():
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def escape(text, quote=False):
    text = str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    if quote:
        text = text.replace('"', "&quot;")
    return text


def node(tag, content=None, attrs=None):
    """An element: ``content`` is None, text, CData or a list of nodes."""
    return (tag, content, attrs or {})


def _attrs(attrs):
    return "".join(' %s="%s"' % (key, escape(value, True)) for key, value in attrs.items() if value is not None)


def _render(item, depth, out):
    tag, content, attrs = item
    pad = "  " * depth
    if content is None or (isinstance(content, list) and not content):
        out.append("%s<%s%s/>" % (pad, tag, _attrs(attrs)))
    elif isinstance(content, list):
        out.append("%s<%s%s>" % (pad, tag, _attrs(attrs)))
        for child in content:
            if child is not None:
                _render(child, depth + 1, out)
        out.append("%s</%s>" % (pad, tag))
    elif isinstance(content, CData):
        safe = str(content).replace("]]>", "]]]]><![CDATA[>")
        out.append("%s<%s%s><![CDATA[%s]]></%s>" % (pad, tag, _attrs(attrs), safe, tag))
    else:
        if isinstance(content, bool):
            content = "true" if content else "false"
        out.append("%s<%s%s>%s</%s>" % (pad, tag, _attrs(attrs), escape(content), tag))


def render(root, doctype=None):
    """Serialise ``root`` with the XML declaration and an optional DOCTYPE system id."""
    out = []
    _render(root, 0, out)
    head = XML_DECLARATION
    if doctype:
        head += '<!DOCTYPE %s SYSTEM "%s">\n' % (root[0], doctype)
    return head + "\n".join(out) + "\n"


def xml_response(root, status=200, doctype=None, headers=None, content_type=VMPC_CONTENT_TYPE):
    return Response(status, render(root, doctype), content_type, headers)


def simple_return(base_url, text, code=None, items=None, status=200, headers=None):
    """A VM/PC ``SIMPLE_RETURN`` reply (DTD /api/2.0/simple_return.dtd)."""
    children = [node("DATETIME", now_iso())]
    if code is not None:
        children.append(node("CODE", str(code)))
    children.append(node("TEXT", text))
    if items:
        children.append(node("ITEM_LIST", [
            node("ITEM", [node("KEY", key), node("VALUE", str(value))]) for key, value in items
        ]))
    root = node("SIMPLE_RETURN", [node("RESPONSE", children)])
    return xml_response(root, status, base_url + "/api/2.0/simple_return.dtd", headers)


def v1_api_node(script, login):
    """The ``<API name=... username=... at=.../>`` header of /msp replies."""
    return node("API", None, {"name": script, "username": login or "", "at": now_iso()})


def generic_return(base_url, script, login, status_word, text, number=None, http_status=200, headers=None):
    """A /msp ``GENERIC_RETURN`` (DTD generic_return.dtd)."""
    ret = node("RETURN", text, {"status": status_word, "number": number})
    root = node("GENERIC_RETURN", [v1_api_node(script, login), ret])
    return xml_response(root, http_status, base_url + "/generic_return.dtd", headers)
