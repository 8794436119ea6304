# Copyright (c) scanops.qualys contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""VM/PC asset groups: /api/2.0/fo/asset/group/ (list, add, edit, delete)."""

import bisect
from urllib.parse import urlencode

from . import ipsets
from .xmlgen import CData, node, now_iso, simple_return, xml_response

LIST_ONLY = {"ids", "id_min", "id_max", "truncation_limit", "network_ids", "unit_id", "user_id", "title",
             "show_attributes", "output_format"}
SCALARS = ("comments", "division", "function", "location", "business_impact", "default_appliance_id",
           "cvss_enviro_cdp", "cvss_enviro_td", "cvss_enviro_cr", "cvss_enviro_ir", "cvss_enviro_ar")
LISTS = ("ips", "appliance_ids", "domains", "dns_names", "netbios_names")
ADD_PARAMS = {"action", "echo_request", "title", "network_id"} | set(SCALARS) | set(LISTS)
EDIT_PARAMS = ({"action", "echo_request", "id", "set_title"} | {"set_" + name for name in SCALARS}
               | {prefix + name for prefix in ("add_", "remove_", "set_") for name in LISTS})
DELETE_PARAMS = {"action", "echo_request", "id"}

IMPACT = {"critical": "Critical", "high": "High", "medium": "Medium", "low": "Low", "none": "None"}
CVSS_VALUES = {
    "cvss_enviro_cdp": ("high", "medium-high", "low-medium", "low", "none"),
    "cvss_enviro_td": ("high", "medium", "low", "none"),
    "cvss_enviro_cr": ("high", "medium", "low"),
    "cvss_enviro_ir": ("high", "medium", "low"),
    "cvss_enviro_ar": ("high", "medium", "low"),
}
DEFAULT_TRUNCATION = 1000
ATTRIBUTES = {"TITLE", "OWNER", "OWNER_USER_NAME", "NETWORK_IDS", "LAST_UPDATE", "IP_SET", "APPLIANCE_LIST",
              "DOMAIN_LIST", "DNS_LIST", "NETBIOS_LIST", "EC2_ID_LIST", "HOST_IDS", "USER_IDS", "UNIT_IDS",
              "BUSINESS_IMPACT", "CVSS", "COMMENTS", "ID", "ASSIGNED_UNIT_IDS"}
# division, function and location are accepted by add/edit and stored, but no documented list reply carries
# them (qualysdk's AssetGroup, written against live replies, has no such fields): they are never listed.
DEFAULT_ATTRIBUTES = {"TITLE"}


class ApiError(Exception):
    def __init__(self, code, text, status=400):
        super().__init__(text)
        self.code = code
        self.text = text
        self.status = status


def handle(ctx):
    action = ctx.params.get("action")
    try:
        if not action:
            raise ApiError(1903, "Missing required parameter(s): action")
        if action == "list":
            return _list(ctx)
        if action not in ("add", "edit", "delete"):
            raise ApiError(1905, "parameter action has invalid value: %s" % action)
        if ctx.request.method != "POST":
            raise ApiError(1908, "Request method (GET or POST) is incompatible with specified parameter(s): "
                           "action=%s" % action)
        if ctx.user["user_role"] not in ("manager", "unit_manager", "administrator"):
            raise ApiError(2004, "You do not have permission to %s asset groups." % action, 403)
        with ctx.sub.lock:
            return {"add": _add, "edit": _edit, "delete": _delete}[action](ctx)
    except ApiError as exc:
        return simple_return(ctx.base_url, exc.text, exc.code, status=exc.status)


def _unknown(params, allowed):
    unknown = sorted(set(params) - allowed)
    if unknown:
        raise ApiError(1901, "Unrecognized parameter(s): %s" % ", ".join(unknown))


def parse_ids(name, text):
    """``1,3,5-9`` -> list of (low, high); Qualys' error text for anything else."""
    spans = []
    for part in text.split(","):
        part = part.strip()
        low, sep, high = part.partition("-")
        if not sep:
            high = low
        if low.isdigit() and high.isdigit() and 0 < int(low) <= int(high):
            spans.append((int(low), int(high)))
        else:
            raise ApiError(1905, "parameter %s has invalid value: %s (neither a positive integer nor a range: %s)"
                           % (name, text, part))
    return spans


def _int_param(params, name, minimum=0):
    value = params.get(name)
    if value in (None, ""):
        return None
    if not value.isdigit() or int(value) < minimum:
        raise ApiError(1905, "parameter %s has invalid value: %s" % (name, value))
    return int(value)


def _parse_list(name, value):
    items = [item.strip() for item in value.split(",") if item.strip()]
    if name == "ips":
        try:
            return ipsets.parse(items)
        except ipsets.IPListError as exc:
            raise ApiError(1905, "parameter ips has invalid value: %s" % exc) from exc
    if name == "appliance_ids" and not all(item.isdigit() for item in items):
        raise ApiError(1905, "parameter appliance_ids has invalid value: %s" % value)
    return items


def _scalar(name, value):
    value = value.strip()
    if name == "business_impact":
        if value.lower() not in IMPACT:
            raise ApiError(1905, "parameter business_impact has invalid value: %s" % value)
        return IMPACT[value.lower()]
    if name in CVSS_VALUES:
        if value and value.lower() not in CVSS_VALUES[name]:
            raise ApiError(1905, "parameter %s has invalid value: %s" % (name, value))
        return value.lower()
    if name == "default_appliance_id" and value and not value.isdigit():
        raise ApiError(1905, "parameter default_appliance_id has invalid value: %s" % value)
    return value


def _id_item(group):
    return [("ID", group["id"])]


def _add(ctx):
    params = ctx.params
    _unknown(params, ADD_PARAMS)
    title = params.get("title", "").strip()
    if not title:
        raise ApiError(1903, "Missing required parameter(s): title")
    if title in ctx.sub.ag_by_title:
        raise ApiError(1905, "parameter title has invalid value: %s (an asset group with this title already exists)"
                       % title)
    network_id = _int_param(params, "network_id")
    if network_id not in (None, 0):
        raise ApiError(1905, "parameter network_id has invalid value: %s (no such network)" % network_id)
    fields = {"title": title, "owner_id": ctx.user["id"], "network_id": 0, "cvss": {}}
    for name in SCALARS:
        if name in params:
            value = _scalar(name, params[name])
            if name.startswith("cvss_enviro_"):
                fields["cvss"][name] = value
            else:
                fields[name] = value
    for name in LISTS:
        if name in params:
            parsed = _parse_list(name, params[name])
            fields[name] = ipsets.normalise(parsed) if name == "ips" else parsed
    group = ctx.sub.add_asset_group(fields)
    ctx.sub.save()
    return simple_return(ctx.base_url, "Asset Group successfully added.", items=_id_item(group))


def _group(ctx):
    group_id = _int_param(ctx.params, "id", 1)
    if group_id is None:
        raise ApiError(1903, "Missing required parameter(s): id")
    group = ctx.sub.asset_groups.get(group_id)
    if group is None:
        raise ApiError(1905, "parameter id has invalid value: %s (asset group not found)" % group_id)
    if group.get("system"):
        raise ApiError(1905, "parameter id has invalid value: %s (the asset group All cannot be modified)"
                       % group_id)
    return group


def _edit(ctx):
    params = ctx.params
    _unknown(params, EDIT_PARAMS)
    group = _group(ctx)
    if "set_title" in params:
        title = params["set_title"].strip()
        if not title:
            raise ApiError(1905, "parameter set_title has invalid value: (empty)")
        if title != group["title"] and title in ctx.sub.ag_by_title:
            raise ApiError(1905, "parameter set_title has invalid value: %s (an asset group with this title "
                           "already exists)" % title)
    updates = {}
    for name in SCALARS:
        if "set_" + name in params:
            updates[name] = _scalar(name, params["set_" + name])
    lists = {}
    for name in LISTS:
        current = group.get(name, [])
        if "set_" + name in params:
            parsed = _parse_list(name, params["set_" + name])
            current = ipsets.normalise(parsed) if name == "ips" else parsed
        if "add_" + name in params:
            parsed = _parse_list(name, params["add_" + name])
            current = ipsets.combine(current, add=parsed) if name == "ips" else current + [
                item for item in parsed if item not in current]
        if "remove_" + name in params:
            parsed = _parse_list(name, params["remove_" + name])
            current = ipsets.combine(current, remove=parsed) if name == "ips" else [
                item for item in current if item not in parsed]
        lists[name] = current
    if "set_title" in params and params["set_title"].strip() != group["title"]:
        ctx.sub.rename_asset_group(group, params["set_title"].strip())
    for name, value in updates.items():
        if name.startswith("cvss_enviro_"):
            group.setdefault("cvss", {})[name] = value
        else:
            group[name] = value
    group.update(lists)
    group["last_update"] = now_iso()
    ctx.sub.save()
    return simple_return(ctx.base_url, "Asset Group Updated Successfully", items=_id_item(group))


def _delete(ctx):
    _unknown(ctx.params, DELETE_PARAMS)
    group = _group(ctx)
    ctx.sub.delete_asset_group(group)
    ctx.sub.save()
    return simple_return(ctx.base_url, "Asset Group Deleted Successfully", items=_id_item(group))


# --- list ------------------------------------------------------------------
def _attributes(value):
    if value is None:
        return set(DEFAULT_ATTRIBUTES)
    wanted = {item.strip().upper() for item in value.split(",") if item.strip()}
    if wanted == {"ALL"}:
        return set(ATTRIBUTES)
    if wanted == {"NONE"}:
        return set()
    bad = sorted(wanted - ATTRIBUTES)
    if bad:
        raise ApiError(1905, "parameter show_attributes has invalid value: %s" % ", ".join(bad))
    return wanted if wanted == {"ID"} else wanted | {"TITLE"}


def _cvss_text(value):
    if not value:
        return "Not Defined"
    return "-".join(part.capitalize() for part in value.split("-"))


def _group_node(ctx, group, attrs):
    sub = ctx.sub
    children = [node("ID", str(group["id"]))]
    if "TITLE" in attrs:
        children.append(node("TITLE", CData(group["title"])))
    if "OWNER" in attrs and group.get("owner_id"):
        children.append(node("OWNER_ID", str(group["owner_id"])))
    if "OWNER_USER_NAME" in attrs and group.get("owner_id") in sub.users:
        children.append(node("OWNER_USER_NAME", sub.users[group["owner_id"]]["login"]))
    if "NETWORK_IDS" in attrs:
        children.append(node("NETWORK_ID", str(group.get("network_id", 0))))
    if "LAST_UPDATE" in attrs:
        children.append(node("LAST_UPDATE", group["last_update"]))
    if "BUSINESS_IMPACT" in attrs:
        children.append(node("BUSINESS_IMPACT", group.get("business_impact") or "Medium"))
    if "APPLIANCE_LIST" in attrs:
        if group.get("default_appliance_id"):
            children.append(node("DEFAULT_APPLIANCE_ID", group["default_appliance_id"]))
        if group.get("appliance_ids"):
            children.append(node("APPLIANCE_IDS", ", ".join(group["appliance_ids"])))
    if "COMMENTS" in attrs and group.get("comments"):
        children.append(node("COMMENTS", CData(group["comments"])))
    if "CVSS" in attrs:
        cvss = group.get("cvss", {})
        for suffix in ("CDP", "TD", "CR", "IR", "AR"):
            children.append(node("CVSS_ENVIRO_" + suffix, _cvss_text(cvss.get("cvss_enviro_" + suffix.lower()))))
    if "IP_SET" in attrs and group.get("ips"):
        children.append(node("IP_SET", [
            node("IP_RANGE" if "-" in entry else "IP", entry) for entry in group["ips"]
        ]))
    if "DOMAIN_LIST" in attrs and group.get("domains"):
        domains = []
        for entry in group["domains"]:
            name, _sep, netblock = entry.partition(":")
            domains.append(node("DOMAIN", name, {"netblock": netblock.strip("[]") or None}))
        children.append(node("DOMAIN_LIST", domains))
    if "DNS_LIST" in attrs and group.get("dns_names"):
        children.append(node("DNS_LIST", [node("DNS", CData(name)) for name in group["dns_names"]]))
    if "NETBIOS_LIST" in attrs and group.get("netbios_names"):
        children.append(node("NETBIOS_LIST", [node("NETBIOS", CData(name)) for name in group["netbios_names"]]))
    return node("ASSET_GROUP", children)


def _request_node(ctx):
    return node("REQUEST", [
        node("DATETIME", now_iso()), node("USER_LOGIN", ctx.login), node("RESOURCE", ctx.base_url + ctx.path),
        node("PARAM_LIST", [node("PARAM", [node("KEY", key), node("VALUE", CData(value))])
                            for key, value in ctx.params.items()]),
    ])


def _visible_ids(ctx):
    """Readers and scanners see only their own groups (documented scoping)."""
    sub = ctx.sub
    if ctx.user["user_role"] in ("manager", "administrator", "unit_manager"):
        return sub.ag_ids
    own = set(ctx.user["asset_group_ids"])
    return [group_id for group_id in sub.ag_ids if group_id in own]


def _list(ctx):
    params = ctx.params
    _unknown(params, LIST_ONLY | {"action", "echo_request"})
    if params.get("output_format", "xml").lower() != "xml":
        raise ApiError(1905, "parameter output_format has invalid value: %s (the simulator serves xml only)"
                       % params["output_format"])
    attrs = _attributes(params.get("show_attributes"))
    spans = parse_ids("ids", params["ids"]) if params.get("ids") else None
    id_min = _int_param(params, "id_min")
    id_max = _int_param(params, "id_max")
    truncation = _int_param(params, "truncation_limit")
    limit = DEFAULT_TRUNCATION if truncation is None else truncation
    cap = ctx.config.get("page_size")
    if cap:
        limit = min(limit, int(cap)) if limit else int(cap)
    title = params.get("title")
    sub = ctx.sub
    with sub.lock:
        ids = _visible_ids(ctx)
        if id_min is not None:
            ids = ids[bisect.bisect_left(ids, id_min):]
        if title is not None:
            wanted = sub.ag_by_title.get(title)
            ids = [wanted] if wanted in ids else []
        selected = []
        more = False
        for group_id in ids:
            if id_max is not None and group_id > id_max:
                break
            if spans is not None and not any(low <= group_id <= high for low, high in spans):
                continue
            if limit and len(selected) >= limit:
                more = True
                break
            selected.append(sub.asset_groups[group_id])
        if attrs == {"ID"}:
            body = [node("ID_SET", [node("ID", str(group["id"])) for group in selected])]
        else:
            body = [node("ASSET_GROUP_LIST", [_group_node(ctx, group, attrs) for group in selected])]
    response_children = [node("DATETIME", now_iso())] + body
    if more:
        next_params = dict(params)
        next_params["id_min"] = str(selected[-1]["id"] + 1)
        url = "%s%s?%s" % (ctx.base_url, ctx.path, urlencode(next_params))
        response_children.append(node("WARNING", [
            node("CODE", "1980"),
            node("TEXT", "%d record limit exceeded. Use URL to get next batch of results." % limit),
            node("URL", CData(url)),
        ]))
    children = []
    if params.get("echo_request") == "1":
        children.append(_request_node(ctx))
    children.append(node("RESPONSE", response_children))
    root = node("ASSET_GROUP_LIST_OUTPUT", children)
    return xml_response(root, 200, ctx.base_url + "/api/2.0/fo/asset/group/asset_group_list_output.dtd")
