# -*- coding: utf-8 -*-
# Copyright (c) scanops.qualys contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The QPS Administration user API (``am/user``): every call the collection makes to it.

Documented (search by ``id``, ``username`` or ``roleName``; update of a user's
``roleList`` and ``scopeTags``), HTTP Basic on the API server. Used by the
service user modules (a user's Administration roles and scope tags), the role
adapter (does some user hold a role of this name) and the tenant check (does
the API answer at all).

An Administration user dict is ``{"id", "roles": {name: id}, "scope_tags": {name: id}}``.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.scanops.qualys.plugins.module_utils import qualys_formats as formats
from ansible_collections.scanops.qualys.plugins.module_utils.qualys_errors import api_not_offered

USER_OBJECT = "am/user"
# Codes that say the caller may not use the API (only Managers may; not for other Managers' data).
NOT_PERMITTED_CODES = frozenset(["INSUFFICIENT_PERMISSION", "UNAUTHORIZED"])


def search(client, criteria, limit, credentials=None):
    """One page of raw User objects matching ``criteria`` ((field, operator, value) triples): the decoded reply."""
    body = formats.qps_request(criteria=criteria, preferences={"limitResults": limit})
    return client.qps("search", USER_OBJECT, body=body, credentials=credentials)


def admin_user(client, login):
    """The ``am/user`` view of ``login`` (an Administration user dict), or None."""
    for raw in search(client, [("username", "EQUALS", login)], 10)["data"]:
        if raw.get("username") == login:
            return admin_user_from_api(raw)
    return None


def admin_users(client):
    """Every ``am/user`` the caller may see, by login (for listings)."""
    found = {}
    # Never an empty filter list: documented am/user searches name a criterion; every user id is > 0.
    for raw in client.qps_search(USER_OBJECT, [("id", "GREATER", "0")]):
        if raw.get("username"):
            found[raw["username"]] = admin_user_from_api(raw)
    return found


def admin_user_from_api(raw):
    return {
        "id": _int(raw.get("id")),
        "roles": _named_refs(raw.get("roleList")),
        "scope_tags": _named_refs(raw.get("scopeTags")),
    }


def role_holder(client, name):
    """``{id, name}`` of a role called ``name`` that some user holds, or None (search by ``roleName``).

    A role that no user holds cannot be seen this way. Sent with Basic
    authentication whenever a login and password are set, as documented.
    """
    for user in search(client, [("roleName", "EQUALS", name)], 1, credentials=basic_credentials(client))["data"]:
        for role in formats.qps_list(user.get("roleList")):
            if isinstance(role, dict) and role.get("name") == name:
                return {"id": _id(role.get("id")), "name": name}
    return None


def update_admin_user(client, user_id, roles=None, scope_tags=None):
    """One ``update/am/user/{id}`` call.

    ``roles`` and ``scope_tags`` are ``{"add": [refs], "remove": [refs]}``
    where a ref is ``{"id": n}`` or ``{"name": s}``; empty parts are left out.
    Adding a role or tag the user holds, or removing one it does not, changes
    nothing, so the call is safe to repeat.
    """
    user = {}
    for key, wrapper, plan in (("roleList", "RoleData", roles), ("scopeTags", "TagData", scope_tags)):
        collection = dict((operation, {wrapper: list(refs)}) for operation, refs in sorted((plan or {}).items()) if refs)
        if collection:
            user[key] = collection
    if not user:
        return
    client.qps("update", USER_OBJECT, object_id=user_id, body=formats.qps_request(data={"User": user}),
               write=True, idempotent=True)


def plan(current, desired):
    """What makes ``current`` names into ``desired`` ones: ``{"add": [...], "remove": [...]}``, sorted.

    ``desired`` None manages nothing (both lists empty).
    """
    if desired is None:
        return {"add": [], "remove": []}
    return {"add": sorted(set(desired) - set(current or [])), "remove": sorted(set(current or []) - set(desired))}


def sync_admin_user(client, admin, role_plan, tag_plan, tag_ids=None):
    """Send only the difference, in one ``update/am/user`` call: True when one was sent.

    ``admin`` is the Administration user dict (``admin_user``); ``role_plan`` and ``tag_plan`` come from
    ``plan``. Roles are added by name; tags by the ID of ``tag_ids`` when known, else by name; removals
    name the IDs the user holds.
    """
    tag_ids = tag_ids or {}
    role_refs = {
        "add": [{"name": name} for name in role_plan["add"]],
        "remove": [_ref(name, admin["roles"].get(name)) for name in role_plan["remove"]],
    }
    tag_refs = {
        "add": [_ref(name, tag_ids.get(name)) for name in tag_plan["add"]],
        "remove": [_ref(name, admin["scope_tags"].get(name)) for name in tag_plan["remove"]],
    }
    if not any(role_refs.values()) and not any(tag_refs.values()):
        return False
    update_admin_user(client, admin["id"], roles=role_refs, scope_tags=tag_refs)
    return True


def admin_api_unavailable(exc):
    """Whether a QualysError says the am/user API cannot be used here: not offered, or not for this caller."""
    return api_not_offered(exc) or str(exc.code) in NOT_PERMITTED_CODES


def basic_credentials(client):
    """(login, password) of the client's connection when it has them, else None (the client's own authentication)."""
    params = getattr(client, "params", None) or {}
    if params.get("username") and params.get("password"):
        return (params["username"], params["password"])
    return None


def _ref(name, object_id):
    return {"id": object_id} if object_id is not None else {"name": name}


def _named_refs(collection):
    refs = {}
    for item in formats.qps_list(collection):
        if isinstance(item, dict) and item.get("name"):
            refs[item["name"]] = _int(item.get("id"))
    return refs


def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _id(value):
    """An id as an int; one that is not a number stays as it came."""
    number = _int(value)
    return number if number is not None or value in (None, "") else value
