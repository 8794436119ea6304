# Copyright (c) scanops.qualys contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""QPS tags: /qps/rest/2.0/{search,count,get,create,update,delete}/am/tag[/id]."""

import bisect
import re

from . import qps
from .qps import QpsError, as_list

RULE_TYPES = {
    "STATIC", "GROOVY", "OS_REGEX", "NETWORK_RANGE", "NAME_CONTAINS", "INSTALLED_SOFTWARE", "OPEN_PORTS",
    "VULN_EXIST", "ASSET_SEARCH", "CLOUD_ASSET", "GLOBAL_ASSET_VIEW", "NETWORK_TAG", "NETWORK",
    "NETWORK_RANGE_ENHANCED", "TAGSET", "BUSINESS_INFORMATION", "VULN_DETECTION",
}
PROVIDERS = {"EC2", "AZURE", "GCP", "IBM", "OCI"}
WRITABLE = {"name", "ruleType", "ruleText", "color", "parentTagId", "criticalityScore", "description", "provider",
            "children"}
READ_ONLY = {"id", "created", "modified", "tagUuid", "srcAssetGroupId", "srcBusinessUnitId"}
COLOR = re.compile(r"^#[0-9A-Fa-f]{6}$")
SEARCH_FIELDS = {"id", "name", "parent", "parentTagId", "ruleType", "color", "provider"}
PERMISSION = {"create": "Create User Tag", "update": "Edit User Tag", "delete": "Delete User Tag"}


def tag_view(sub, tag):
    view = {"id": tag["id"], "name": tag["name"], "created": tag["created"], "modified": tag["modified"],
            "color": tag["color"]}
    for key in ("ruleType", "ruleText", "parentTagId", "criticalityScore", "description", "provider",
                "srcAssetGroupId", "srcBusinessUnitId", "tagUuid"):
        if key in tag:
            view[key] = tag[key]
    children = sub.children_of(tag["id"])
    if children:
        view["children"] = {"list": [{"TagSimple": {"id": child, "name": sub.tags[child]["name"]}}
                                     for child in children if child in sub.tags]}
    return {"Tag": view}


def handle(ctx):
    operation, _obj, object_id = ctx.qps_parts
    request = ctx.request
    if operation != "get" and request.method != "POST":
        raise QpsError("INVALID_REQUEST", "Method %s is not supported for %s; use POST." % (request.method, operation))
    service_request = qps.parse_service_request(request)
    sub = ctx.sub
    if operation in PERMISSION and not sub.has_permission(ctx.user, "AM", PERMISSION[operation]):
        raise QpsError("INSUFFICIENT_PERMISSION", "User does not have the permission '%s'." % PERMISSION[operation])
    with sub.lock:
        if operation == "get":
            tag = _existing(sub, object_id)
            return qps.success(request, ctx.base_url, [tag_view(sub, tag)], "tag")
        if operation in ("search", "count"):
            return _search(ctx, service_request, operation == "count")
        if operation == "create":
            return _create(ctx, service_request)
        if operation == "update":
            return _update(ctx, service_request, object_id)
        return _delete(ctx, service_request, object_id)


def _existing(sub, object_id):
    if object_id is None:
        raise QpsError("INVALID_REQUEST", "An object id is required in the URL.")
    tag = sub.tags.get(int(object_id))
    if tag is None:
        raise QpsError("OBJECT_NOT_FOUND", "Tag with id %s does not exist or is not accessible." % object_id)
    return tag


def _check_criteria(criteria):
    for field, _operator, _value in criteria:
        if field not in SEARCH_FIELDS:
            raise QpsError("INVALID_REQUEST", "Criteria: Unknown field '%s' for Tag." % field,
                           "Use one of: %s." % ", ".join(sorted(SEARCH_FIELDS)))


def _candidates(sub, criteria):
    """Sorted candidate ids from the most selective indexed criterion."""
    for field, operator, value in criteria:
        if field == "name" and operator == "EQUALS":
            return sorted(sub.tags_by_name.get(str(value), ()))
    for field, operator, value in criteria:
        if field == "id" and operator == "EQUALS":
            number = qps.to_long(field, value)
            return [number] if number in sub.tags else []
        if field == "id" and operator == "GREATER":
            return sub.tag_ids_greater(qps.to_long(field, value))
    for field, operator, value in criteria:
        if field in ("parent", "parentTagId") and operator == "EQUALS":
            return sub.children_of(qps.to_long(field, value))
    return sub.tag_ids


def _matches(tag, criteria):
    for field, operator, value in criteria:
        if field == "id":
            ok = qps.id_matches(field, operator, value, tag["id"])
        elif field in ("parent", "parentTagId"):
            ok = qps.id_matches(field, operator, value, tag.get("parentTagId") or 0)
        else:
            ok = qps.text_matches(field, operator, value, str(tag.get(field, "")))
        if not ok:
            return False
    return True


def matching(sub, criteria, limit=None, start_from_id=None, offset=None):
    """(tags, has_more): early exit after limit+1 matches."""
    ids = _candidates(sub, criteria)
    if start_from_id is not None:
        ids = ids[bisect.bisect_left(ids, start_from_id):]
    skip = (offset or 1) - 1
    found = []
    for tag_id in ids:
        tag = sub.tags.get(tag_id)
        if tag is None or not _matches(tag, criteria):
            continue
        if skip:
            skip -= 1
            continue
        if limit is not None and len(found) >= limit:
            return found, True
        found.append(tag)
    return found, False


def _search(ctx, service_request, count_only):
    criteria = qps.criteria(service_request)
    _check_criteria(criteria)
    for field, operator, value in criteria:
        if field == "id" or field.startswith("parent"):
            qps.id_matches(field, operator, value, 0)  # validates operator and Long format early
    sub = ctx.sub
    if count_only:
        found, _more = matching(sub, criteria)
        return qps.respond(ctx.request, ctx.base_url, {"responseCode": "SUCCESS", "count": len(found)}, "tag")
    limit, start_from_id, offset = qps.preferences(service_request, ctx.config.get("page_size"))
    found, more = matching(sub, criteria, limit, start_from_id, offset)
    last_id = found[-1]["id"] if found and more else None
    return qps.success(ctx.request, ctx.base_url, [tag_view(sub, tag) for tag in found], "tag", more, last_id)


def _tag_data(service_request):
    data = service_request.get("data")
    if not isinstance(data, dict) or not isinstance(data.get("Tag"), dict):
        raise QpsError("INVALID_REQUEST", "data/Tag is required.")
    tag = data["Tag"]
    unknown = sorted(set(tag) - WRITABLE - READ_ONLY)
    if unknown:
        raise QpsError("INVALID_REQUEST", "Unknown Tag field(s): %s." % ", ".join(unknown))
    return {key: value for key, value in tag.items() if key in WRITABLE}


def _validate(sub, fields, tag=None):
    """Check and normalise writable fields; return the changes dict."""
    out = {}
    if "name" in fields:
        name = fields["name"]
        if not isinstance(name, str) or not name.strip() or len(name) > 1024:
            raise QpsError("INVALID_REQUEST", "Tag name is required and must be 1 to 1024 characters.")
        out["name"] = name
    if "color" in fields and fields["color"] not in (None, ""):
        if not COLOR.match(str(fields["color"])):
            raise QpsError("INVALID_REQUEST", "Invalid color '%s'." % fields["color"], "Use the #RRGGBB format.")
        out["color"] = str(fields["color"]).upper()
    if "ruleType" in fields:
        rule_type = fields["ruleType"] or ""
        if rule_type and rule_type not in RULE_TYPES:
            raise QpsError("INVALID_REQUEST", "Invalid ruleType '%s'." % rule_type)
        out["ruleType"] = rule_type
    for key in ("ruleText", "description"):
        if key in fields:
            out[key] = "" if fields[key] is None else str(fields[key])
    if "provider" in fields and fields["provider"]:
        if fields["provider"] not in PROVIDERS:
            raise QpsError("INVALID_REQUEST", "Invalid provider '%s'." % fields["provider"])
        out["provider"] = fields["provider"]
    if "criticalityScore" in fields and fields["criticalityScore"] not in (None, ""):
        try:
            score = int(fields["criticalityScore"])
        except (TypeError, ValueError):
            score = 0
        if not 1 <= score <= 5:
            raise QpsError("INVALID_REQUEST", "criticalityScore must be between 1 and 5.")
        out["criticalityScore"] = score
    if "parentTagId" in fields:
        parent = fields["parentTagId"]
        if parent in (None, "", 0, "0"):
            out["parentTagId"] = None
        else:
            parent_id = qps.to_long("parentTagId", parent)
            if parent_id not in sub.tags:
                raise QpsError("INVALID_REQUEST", "Parent tag %s does not exist." % parent_id)
            if tag is not None and (parent_id == tag["id"] or _is_descendant(sub, parent_id, tag["id"])):
                raise QpsError("INVALID_REQUEST", "A tag cannot be its own ancestor.")
            out["parentTagId"] = parent_id
    return out


def _is_descendant(sub, candidate, ancestor):
    seen = 0
    current = sub.tags.get(candidate)
    while current is not None and seen < 10000:
        parent = current.get("parentTagId")
        if parent == ancestor:
            return True
        current = sub.tags.get(parent)
        seen += 1
    return False


def _check_unique(sub, parent_id, name, own_id=None):
    clash = sub.sibling_named(parent_id, name)
    if clash is not None and clash["id"] != own_id:
        raise QpsError("INVALID_REQUEST", "A tag named '%s' already exists at this level (id %s)." % (name, clash["id"]))


def _child_names(collection, key):
    items = as_list((collection or {}).get("TagSimple"))
    out = []
    for item in items:
        if not isinstance(item, dict) or not item.get(key):
            raise QpsError("INVALID_REQUEST", "children/%s needs TagSimple/%s." % ("set|add|remove", key))
        out.append(item[key])
    return out


def _create(ctx, service_request):
    sub = ctx.sub
    fields = _tag_data(service_request)
    if "name" not in fields:
        raise QpsError("INVALID_REQUEST", "Tag name is required.")
    changes = _validate(sub, fields)
    children = fields.get("children") or {}
    child_names = _child_names(children.get("set") or children.get("add"), "name") if children else []
    if len(set(child_names)) != len(child_names):
        raise QpsError("INVALID_REQUEST", "Duplicate child tag names.")
    _check_unique(sub, changes.get("parentTagId"), changes["name"])
    tag = sub.add_tag(changes)
    for name in child_names:
        sub.add_tag({"name": name, "parentTagId": tag["id"]})
    sub.save()
    return qps.success(ctx.request, ctx.base_url, [tag_view(sub, tag)], "tag")


def _update(ctx, service_request, object_id):
    sub = ctx.sub
    tag = _existing(sub, object_id)
    if tag.get("system"):
        raise QpsError("INVALID_REQUEST", "Tag '%s' is a system tag and cannot be modified." % tag["name"])
    fields = _tag_data(service_request)
    changes = _validate(sub, fields, tag)
    parent = changes.get("parentTagId", tag.get("parentTagId"))
    _check_unique(sub, parent, changes.get("name", tag["name"]), tag["id"])
    children = fields.get("children") or {}
    to_set = _child_names(children.get("set"), "name") if "set" in children else None
    to_add = _child_names(children.get("add"), "name") if "add" in children else []
    to_remove = [qps.to_long("TagSimple.id", value) for value in _child_names(children.get("remove"), "id")] \
        if "remove" in children else []
    sub.update_tag(tag, changes)
    existing = {sub.tags[child]["name"]: child for child in sub.children_of(tag["id"])}
    if to_set is not None:
        for name, child_id in existing.items():
            if name not in to_set:
                sub.delete_tag(sub.tags[child_id])
        to_add = [name for name in to_set if name not in existing]
    for name in to_add:
        if sub.sibling_named(tag["id"], name) is None:
            sub.add_tag({"name": name, "parentTagId": tag["id"]})
    for child_id in to_remove:
        child = sub.tags.get(child_id)
        if child is not None and child.get("parentTagId") == tag["id"]:
            sub.delete_tag(child)
    sub.save()
    return qps.success(ctx.request, ctx.base_url, [tag_view(sub, tag)], "tag")


def _delete(ctx, service_request, object_id):
    sub = ctx.sub
    if object_id is not None:
        targets = [_existing(sub, object_id)]
    else:
        criteria = qps.criteria(service_request)
        if not criteria:
            raise QpsError("INVALID_REQUEST", "Delete needs an id in the URL or filters.")
        _check_criteria(criteria)
        targets, _more = matching(sub, criteria)
    system = [tag["name"] for tag in targets if tag.get("system")]
    if system:
        raise QpsError("INVALID_REQUEST", "System tag(s) cannot be deleted: %s." % ", ".join(system))
    deleted = []
    for tag in targets:
        if tag["id"] in sub.tags:
            deleted.append({"Tag": {"id": tag["id"]}})
            sub.delete_tag(tag)
    sub.save()
    return qps.success(ctx.request, ctx.base_url, deleted, "tag")
