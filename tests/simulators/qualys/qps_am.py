# Copyright (c) scanops.qualys contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""QPS Administration objects: am/user (documented) and am/role (modelled guess).

am/user: search/get/update with roleList and scopeTags add/remove (by id or
name).  Callers must be Managers; other Managers are not visible.

am/role: the collection's guess of the role-definition API, same QPS
conventions (see README "Labelled guesses").
"""

from . import qps
from .context import html_page, not_found
from .qps import QpsError, as_list

USER_FIELDS = {"id", "username", "roleName"}
ROLE_FIELDS = {"id", "name"}
ROLE_WRITABLE = {"name", "description", "apiAccess", "uiAccess", "permissions"}


def _require_manager(ctx):
    if ctx.user["user_role"] != "manager":
        raise QpsError("INSUFFICIENT_PERMISSION", "Only Managers can use this API.")


# --- am/user ---------------------------------------------------------------
def user_view(sub, user):
    role_list = [{"RoleData": {"id": role_id, "name": sub.roles[role_id]["name"]}}
                 for role_id in user["role_ids"] if role_id in sub.roles]
    tag_list = [{"TagData": {"id": tag_id, "name": sub.tags[tag_id]["name"]}}
                for tag_id in user["scope_tag_ids"] if tag_id in sub.tags]
    return {"User": {
        "id": user["id"],
        "username": user["login"],
        "firstName": user.get("first_name", ""),
        "lastName": user.get("last_name", ""),
        "emailAddress": user.get("email", ""),
        "title": user.get("title", ""),
        "scopeTags": {"list": tag_list},
        "roleList": {"list": role_list},
    }}


def _visible_user(ctx, user):
    return user["user_role"] != "manager" or user["id"] == ctx.user["id"]


def users(ctx):
    operation, _obj, object_id = ctx.qps_parts
    request = ctx.request
    if operation not in ("search", "get", "update", "count"):
        raise QpsError("INVALID_REQUEST", "Operation %s is not supported for User." % operation)
    if operation != "get" and request.method != "POST":
        raise QpsError("INVALID_REQUEST", "Method %s is not supported for %s; use POST." % (request.method, operation))
    service_request = qps.parse_service_request(request)
    _require_manager(ctx)
    sub = ctx.sub
    with sub.lock:
        if operation in ("get", "update"):
            user = sub.users.get(int(object_id)) if object_id else None
            if user is None or not _visible_user(ctx, user):
                raise QpsError("OBJECT_NOT_FOUND", "User with id %s does not exist or is not accessible." % object_id)
            if operation == "get":
                return qps.success(request, ctx.base_url, [user_view(sub, user)], "user")
            return _update_user(ctx, service_request, user)
        return _search_users(ctx, service_request, operation == "count")


def _search_users(ctx, service_request, count_only):
    sub = ctx.sub
    criteria = qps.criteria(service_request)
    if not criteria and not count_only:
        # Every documented and public am/user search names a criterion (e.g. id GREATER 0); refused
        # here as QPS refuses a malformed request (the exact text is our guess).
        raise QpsError("INVALID_REQUEST", "Criteria: at least one criterion is required to search User.",
                       "Add a criterion, for example id GREATER 0 to list every user.")
    for field, operator, value in criteria:
        if field not in USER_FIELDS:
            raise QpsError("INVALID_REQUEST", "Criteria: Unknown field '%s' for User." % field)
        if field == "id":
            qps.id_matches(field, operator, value, 0)
        elif operator != "EQUALS":
            raise QpsError("INVALID_REQUEST", "Criteria: Operator '%s' is not supported for field '%s'." % (
                operator, field))
    candidates = sub.users.values()
    for field, _operator, value in criteria:
        if field == "username":
            user = sub.user_by_login(str(value))
            candidates = [user] if user else []
            break
    found = []
    for user in sorted(candidates, key=lambda item: item["id"]):
        if not _visible_user(ctx, user):
            continue
        ok = True
        for field, operator, value in criteria:
            if field == "id":
                ok = qps.id_matches(field, operator, value, user["id"])
            elif field == "username":
                ok = user["login"] == str(value)
            else:
                ok = any(sub.roles[r]["name"] == str(value) for r in user["role_ids"] if r in sub.roles)
            if not ok:
                break
        if ok:
            found.append(user)
    if count_only:
        return qps.respond(ctx.request, ctx.base_url, {"responseCode": "SUCCESS", "count": len(found)}, "user")
    limit, start_from_id, offset = qps.preferences(service_request, ctx.config.get("page_size"))
    chunk, more, last_id = qps.page(found, limit, start_from_id, offset)
    return qps.success(ctx.request, ctx.base_url, [user_view(sub, user) for user in chunk], "user", more, last_id)


def _refs(collection, wrapper, lookup, kind):
    """Resolve {wrapper: [{id}|{name}]} to ids; unknown references are an error."""
    ids = []
    for item in as_list((collection or {}).get(wrapper)):
        if not isinstance(item, dict) or not (item.get("id") or item.get("name")):
            raise QpsError("INVALID_REQUEST", "%s needs id or name." % wrapper)
        object_id = lookup(item)
        if object_id is None:
            raise QpsError("INVALID_REQUEST", "%s '%s' does not exist." % (kind, item.get("name") or item.get("id")))
        ids.append(object_id)
    return ids


def _update_user(ctx, service_request, user):
    sub = ctx.sub
    data = service_request.get("data")
    if not isinstance(data, dict) or not isinstance(data.get("User"), dict):
        raise QpsError("INVALID_REQUEST", "data/User is required.")
    body = data["User"]
    unknown = sorted(set(body) - {"roleList", "scopeTags", "id"})
    if unknown:
        raise QpsError("INVALID_REQUEST", "Only roleList and scopeTags can be updated (got %s)." % ", ".join(unknown))

    def role_lookup(item):
        if item.get("id"):
            role_id = qps.to_long("RoleData.id", item["id"])
            return role_id if role_id in sub.roles else None
        return sub.role_by_name.get(str(item["name"]))

    def tag_lookup(item):
        if item.get("id"):
            tag_id = qps.to_long("TagData.id", item["id"])
            return tag_id if tag_id in sub.tags else None
        ids = sorted(sub.tags_by_name.get(str(item["name"]), ()))
        return ids[0] if ids else None

    plans = []
    for key, wrapper, lookup, kind, field in (("roleList", "RoleData", role_lookup, "Role", "role_ids"),
                                              ("scopeTags", "TagData", tag_lookup, "Tag", "scope_tag_ids")):
        collection = body.get(key)
        if collection is None:
            continue
        if not isinstance(collection, dict):
            raise QpsError("INVALID_REQUEST", "%s must hold add, remove or set." % key)
        plans.append((field, {op: _refs(collection.get(op), wrapper, lookup, kind)
                              for op in ("set", "add", "remove") if op in collection}))
    for field, ops in plans:
        current = list(user[field])
        if "set" in ops:
            current = list(dict.fromkeys(ops["set"]))
        for object_id in ops.get("add", []):
            if object_id not in current:
                current.append(object_id)
        current = [object_id for object_id in current if object_id not in ops.get("remove", [])]
        user[field] = current
    sub.save()
    return qps.success(ctx.request, ctx.base_url, [{"User": {"id": user["id"]}}], "user")


# --- am/role (modelled guess) ------------------------------------------------
def role_view(role):
    return {"Role": {
        "id": role["id"],
        "name": role["name"],
        "description": role.get("description", ""),
        "apiAccess": bool(role["apiAccess"]),
        "uiAccess": bool(role["uiAccess"]),
        "permissions": {"list": [{"Permission": {"module": p["module"], "name": p["name"]}}
                                 for p in role["permissions"]]},
    }}


def _bool(name, value):
    if isinstance(value, bool):
        return value
    if str(value).lower() in ("true", "false"):
        return str(value).lower() == "true"
    raise QpsError("INVALID_REQUEST", "%s must be true or false." % name)


def _permissions(items):
    out = []
    for item in as_list(items):
        if not isinstance(item, dict) or not item.get("module") or not item.get("name"):
            raise QpsError("INVALID_REQUEST", "Permission needs module and name.")
        perm = {"module": str(item["module"]), "name": str(item["name"])}
        if perm not in out:
            out.append(perm)
    return out


def _role_fields(service_request, creating):
    data = service_request.get("data")
    if not isinstance(data, dict) or not isinstance(data.get("Role"), dict):
        raise QpsError("INVALID_REQUEST", "data/Role is required.")
    body = data["Role"]
    unknown = sorted(set(body) - ROLE_WRITABLE - {"id"})
    if unknown:
        raise QpsError("INVALID_REQUEST", "Unknown Role field(s): %s." % ", ".join(unknown))
    fields = {}
    if "name" in body or creating:
        name = body.get("name")
        if not isinstance(name, str) or not name.strip():
            raise QpsError("INVALID_REQUEST", "Role name is required.")
        fields["name"] = name
    if "description" in body:
        fields["description"] = "" if body["description"] is None else str(body["description"])
    for key in ("apiAccess", "uiAccess"):
        if key in body:
            fields[key] = _bool(key, body[key])
    if "permissions" in body:
        perms = body["permissions"]
        if not isinstance(perms, dict) or not set(perms) <= {"set", "add", "remove"} or not perms:
            raise QpsError("INVALID_REQUEST", "permissions must hold set, add or remove.")
        fields["permissions"] = {op: _permissions((perms[op] or {}).get("Permission")
                                                  if isinstance(perms[op], dict) else None)
                                 for op in perms}
    return fields


def _apply_permissions(current, ops):
    current = list(ops["set"]) if "set" in ops else list(current)
    for perm in ops.get("add", []):
        if perm not in current:
            current.append(perm)
    return [perm for perm in current if perm not in ops.get("remove", [])]


def _role(sub, object_id):
    role = sub.roles.get(int(object_id)) if object_id else None
    if role is None:
        raise QpsError("OBJECT_NOT_FOUND", "Role with id %s does not exist." % object_id)
    return role


def roles(ctx):
    operation, _obj, object_id = ctx.qps_parts
    request = ctx.request
    if operation != "get" and request.method != "POST":
        raise QpsError("INVALID_REQUEST", "Method %s is not supported for %s; use POST." % (request.method, operation))
    service_request = qps.parse_service_request(request)
    _require_manager(ctx)
    sub = ctx.sub
    with sub.lock:
        if operation == "get":
            return qps.success(request, ctx.base_url, [role_view(_role(sub, object_id))], "role")
        if operation in ("search", "count"):
            return _search_roles(ctx, service_request, operation == "count")
        if operation == "create":
            fields = _role_fields(service_request, True)
            if fields["name"] in sub.role_by_name:
                raise QpsError("INVALID_REQUEST", "A role named '%s' already exists." % fields["name"])
            fields["permissions"] = _apply_permissions([], fields.get("permissions", {}))
            role = sub.add_role(fields)
            sub.save()
            return qps.success(request, ctx.base_url, [role_view(role)], "role")
        role = _role(sub, object_id)
        if role.get("builtIn"):
            raise QpsError("INVALID_REQUEST", "Built-in role '%s' cannot be changed." % role["name"])
        if operation == "update":
            fields = _role_fields(service_request, False)
            if "name" in fields and fields["name"] != role["name"]:
                if fields["name"] in sub.role_by_name:
                    raise QpsError("INVALID_REQUEST", "A role named '%s' already exists." % fields["name"])
                sub.rename_role(role, fields.pop("name"))
            fields.pop("name", None)
            if "permissions" in fields:
                role["permissions"] = _apply_permissions(role["permissions"], fields.pop("permissions"))
            role.update(fields)
            sub.save()
            return qps.success(request, ctx.base_url, [role_view(role)], "role")
        if operation == "delete":
            sub.delete_role(role)
            sub.save()
            return qps.success(request, ctx.base_url, [{"Role": {"id": role["id"]}}], "role")
    raise QpsError("INVALID_REQUEST", "Operation %s is not supported for Role." % operation)


def _search_roles(ctx, service_request, count_only):
    sub = ctx.sub
    criteria = qps.criteria(service_request)
    for field, _operator, _value in criteria:
        if field not in ROLE_FIELDS:
            raise QpsError("INVALID_REQUEST", "Criteria: Unknown field '%s' for Role." % field)
    found = []
    for role in sorted(sub.roles.values(), key=lambda item: item["id"]):
        ok = True
        for field, operator, value in criteria:
            if field == "id":
                ok = qps.id_matches(field, operator, value, role["id"])
            else:
                ok = qps.text_matches(field, operator, value, role["name"], ("EQUALS", "CONTAINS"))
            if not ok:
                break
        if ok:
            found.append(role)
    if count_only:
        return qps.respond(ctx.request, ctx.base_url, {"responseCode": "SUCCESS", "count": len(found)}, "role")
    limit, start_from_id, offset = qps.preferences(service_request, ctx.config.get("page_size"))
    chunk, more, last_id = qps.page(found, limit, start_from_id, offset)
    return qps.success(ctx.request, ctx.base_url, [role_view(role) for role in chunk], "role", more, last_id)


# --- am/role availability (modelled) --------------------------------------------
# Setting ``role_api``: how a subscription answers the guessed role calls. Nothing public
# says what a subscription without that API answers, so several plausible shapes exist.
ROLE_API_SETTINGS = ("offered", "http_404", "qps_error", "html_200")


def check_role_api_setting(value):
    """``role_api``: true (= offered), false (= http_404), or one of ROLE_API_SETTINGS."""
    if isinstance(value, bool) or value in ROLE_API_SETTINGS:
        return value
    raise ValueError("role_api must be true, false or one of %s" % ", ".join(ROLE_API_SETTINGS))


def role_api_refusal(ctx):
    """What a subscription without the role API answers to an am/role call; None when it offers it."""
    setting = ctx.config.get("role_api", True)
    if setting is True or setting == "offered":
        return None
    if setting == "qps_error":
        # QPS itself answers, with a service error for an object type it does not know.
        return qps.error_response(ctx.request, ctx.base_url, "INVALID_REQUEST",
                                  "Unsupported object type 'am/role' for this subscription.", None, "role")
    if setting == "html_200":
        # A portal page (what a proxy or a sign-in redirect target may serve) instead of the API.
        return html_page(200, "Qualys Enterprise", "This page is not part of the API.")
    return not_found()
