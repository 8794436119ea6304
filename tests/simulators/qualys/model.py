# Copyright (c) scanops.qualys contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The simulated subscription: users, asset groups, tags, roles, auth clients.

One ``Subscription`` per process, guarded by one re-entrant lock; every
lookup the modules do at scale (login, title, tag name, id ranges) is a dict
or a sorted list, so 10,000 objects of each kind stay fast.
"""

import bisect
import datetime
import hashlib
import random
import secrets as pysecrets
import string
import threading
import uuid

from . import ipsets

USER_ROLES = {
    "manager": "Manager",
    "unit_manager": "Unit Manager",
    "scanner": "Scanner",
    "reader": "Reader",
    "contact": "Contact",
    "administrator": "Administrator",
}

# Fixed id ranges per object type, so a client that mixes up ids is caught.
FIRST_IDS = {"user": 7000001, "asset_group": 2000001, "tag": 9000001, "role": 101}
ALL_GROUP_ID = 2000000
# The one business unit of the simulated subscription (its id is a guess; it appears only as srcBusinessUnitId).
UNASSIGNED_BUSINESS_UNIT_ID = 3000000

SYSTEM_TAGS = (
    "Asset Groups",
    "Business Units",
    "Cloud Agent",
    "Asset Search Tags",
    "Malware Domain Assets",
    "Internet Facing Assets",
    "Passive Sensor",
)

# Built-in Administration roles (modelled guess; see README).
MANAGER_ROLE = "Manager"
BUILTIN_ROLES = (
    (MANAGER_ROLE, "Full access to every module (built-in)", [
        ("VM", "View"), ("VM", "Scan"), ("VM", "Report"), ("VM", "Manage Asset Groups"),
        ("PC", "View"), ("AM", "Read Asset"), ("AM", "Create User Tag"), ("AM", "Edit User Tag"),
        ("AM", "Delete User Tag"), ("ADMIN", "Manage Users"), ("ADMIN", "Manage Roles"),
    ]),
    ("Reader", "Read-only access (built-in)", [("VM", "View"), ("PC", "View"), ("AM", "Read Asset")]),
)

PASSWORD_SPECIALS = "!#$%&*+-=?@^_"


def now_iso():
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def now_qps():
    """QPS timestamps carry milliseconds."""
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.000Z")


class Subscription:  # pylint: disable=too-many-public-methods
    """All objects of one simulated subscription plus their indexes."""

    def __init__(self, state_file, admin_login, admin_password, seed=None):
        self.lock = threading.RLock()
        self.state_file = state_file
        self.admin_login = admin_login
        self.admin_password = admin_password
        self.seed = seed
        self.config = {}
        self.login_prefix = "scanops"
        self.platform_char = "_"
        document = state_file.load() if state_file is not None else None
        if document:
            self._load(document)
        else:
            self._fresh()
            self.save()

    # --- lifecycle -----------------------------------------------------
    def _fresh(self, keep_secret=None):
        self.sub_uuid = str(uuid.UUID(int=self._rng("sub", 0).getrandbits(128)))
        self.jwt_secret = keep_secret or self._token_hex("jwt", 0, 32)
        self.counters = dict(FIRST_IDS)
        self.login_counters = {}
        self.generation = 0
        self.users = {}
        self.users_by_login = {}
        self.asset_groups = {}
        self.ag_by_title = {}
        self.ag_ids = []
        self.tags = {}
        self.tag_ids = []
        self.tags_by_name = {}
        self.tag_children = {}
        self.roles = {}
        self.role_by_name = {}
        self.oidc_clients = {}
        self.issued_tokens = []
        self.system_tag_ids = {}
        admin = self._new_user({
            "user_role": "manager", "first_name": "Scanops", "last_name": "Admin", "title": "Administrator",
            "email": "admin@example.invalid", "business_unit": "Unassigned",
        }, login=self.admin_login, password=self.admin_password)
        admin["status"] = "Active"
        admin["eula_accepted"] = True
        self._put_asset_group({"id": ALL_GROUP_ID, "title": "All", "business_impact": "High", "ips": [],
                               "owner_id": admin["id"], "system": True})
        for name in SYSTEM_TAGS:
            tag = self._put_tag({"name": name, "system": True, "ruleType": "STATIC"})
            self.system_tag_ids[name] = tag["id"]
        # Qualys keeps one tag per business unit under "Business Units", marked with srcBusinessUnitId (the
        # ruleType of these tags is not public: none is given).
        self._put_tag({"name": "Unassigned Business Unit", "system": True,
                       "parentTagId": self.system_tag_ids["Business Units"],
                       "srcBusinessUnitId": UNASSIGNED_BUSINESS_UNIT_ID})
        for name, description, perms in BUILTIN_ROLES:
            self._put_role({"name": name, "description": description, "apiAccess": True, "uiAccess": True,
                            "permissions": [{"module": m, "name": n} for m, n in perms], "builtIn": True})

    def reset(self):
        with self.lock:
            self._fresh(keep_secret=self.jwt_secret)
            self.save()

    def _load(self, doc):
        self._fresh(keep_secret=doc.get("jwt_secret"))
        self.users, self.users_by_login = {}, {}
        self.asset_groups, self.ag_by_title, self.ag_ids = {}, {}, []
        self.tags, self.tag_ids, self.tags_by_name, self.tag_children = {}, [], {}, {}
        self.roles, self.role_by_name = {}, {}
        self.sub_uuid = doc.get("sub_uuid", self.sub_uuid)
        self.counters.update(doc.get("counters", {}))
        self.login_counters = doc.get("login_counters", {})
        self.generation = doc.get("generation", 0)
        for user in doc.get("users", []):
            self._index_user(user)
        for group in doc.get("asset_groups", []):
            self._index_asset_group(group)
        for tag in doc.get("tags", []):
            self._index_tag(tag)
        for role in doc.get("roles", []):
            self._index_role(role)
        self.oidc_clients = {client["client_id"]: client for client in doc.get("oidc_clients", [])}
        self.issued_tokens = doc.get("issued_tokens", [])
        self.system_tag_ids = doc.get("system_tag_ids", {})
        admin = self.users_by_login.get(self.admin_login)
        if admin is not None:
            # The CLI's admin password wins over a stale one in the file.
            self.users[admin]["password"] = self.admin_password
        else:
            # Started with another --admin-login than the saved state: add that Manager.
            user = self._new_user({"user_role": "manager", "first_name": "Scanops", "last_name": "Admin",
                                   "business_unit": "Unassigned"}, login=self.admin_login, password=self.admin_password)
            user["status"] = "Active"
            user["eula_accepted"] = True

    def to_document(self):
        with self.lock:
            return {
                "version": 1,
                "sub_uuid": self.sub_uuid,
                "jwt_secret": self.jwt_secret,
                "counters": self.counters,
                "login_counters": self.login_counters,
                "generation": self.generation,
                "users": list(self.users.values()),
                "asset_groups": [self.asset_groups[i] for i in self.ag_ids],
                "tags": [self.tags[i] for i in self.tag_ids],
                "roles": list(self.roles.values()),
                "oidc_clients": list(self.oidc_clients.values()),
                "issued_tokens": self.issued_tokens[-1000:],
                "system_tag_ids": self.system_tag_ids,
            }

    def save(self):
        if self.state_file is not None:
            with self.lock:
                self.state_file.save(self.to_document())

    # --- generated values ----------------------------------------------
    def _rng(self, purpose, number):
        if self.seed is None:
            return random.SystemRandom()
        digest = hashlib.sha256(("%s:%s:%s" % (self.seed, purpose, number)).encode()).digest()
        return random.Random(int.from_bytes(digest[:8], "big"))

    def _token_hex(self, purpose, number, size):
        if self.seed is None:
            return pysecrets.token_hex(size)
        rng = self._rng(purpose, number)
        return "".join("%02x" % rng.getrandbits(8) for dummy in range(size))

    def next_id(self, kind):
        with self.lock:
            value = self.counters[kind]
            self.counters[kind] = value + 1
            return value

    def generate_password(self):
        """A Qualys-like generated password: 14 chars with every class, specials included."""
        with self.lock:
            self.generation += 1
            rng = self._rng("password", self.generation)
        pools = [string.ascii_uppercase, string.ascii_lowercase, string.digits, PASSWORD_SPECIALS]
        chars = [rng.choice(pool) for pool in pools]
        everything = "".join(pools)
        chars += [rng.choice(everything) for dummy in range(10)]
        rng.shuffle(chars)
        return "".join(chars)

    def generate_secret(self, purpose):
        with self.lock:
            self.generation += 1
            return self._token_hex(purpose, self.generation, 20)

    def generate_login(self, first_name, last_name):
        """``<prefix><platform char><initials><n>``, e.g. ``scanops_jd1``."""
        initials = "".join(ch for ch in (first_name[:1] + last_name[:1]).lower() if ch in string.ascii_lowercase)
        stem = "%s%s%s" % (self.login_prefix, self.platform_char, initials or "u")
        with self.lock:
            number = self.login_counters.get(stem, 0)
            while True:
                number += 1
                login = "%s%d" % (stem, number)
                if login not in self.users_by_login:
                    break
            self.login_counters[stem] = number
            return login

    # --- users ---------------------------------------------------------
    def _index_user(self, user):
        self.users[user["id"]] = user
        self.users_by_login[user["login"]] = user["id"]

    def _new_user(self, fields, login=None, password=None):
        user = {
            "id": self.next_id("user"),
            "uuid": str(uuid.UUID(int=self._rng("uuid", self.counters["user"]).getrandbits(128))),
            "login": login or self.generate_login(fields.get("first_name", ""), fields.get("last_name", "")),
            "password": password or self.generate_password(),
            "user_role": fields.get("user_role", "reader"),
            "status": "Pending Activation",
            "eula_accepted": False,
            "expired": False,
            "creation_date": now_iso(),
            "last_login_date": None,
            "password_changed_at": now_iso(),
            "asset_group_ids": [],
            "role_ids": [],
            "scope_tag_ids": [],
        }
        for key in USER_FIELDS:
            user[key] = fields.get(key, "")
        if not user["business_unit"]:
            user["business_unit"] = "Unassigned"
        self._index_user(user)
        return user

    def add_user(self, fields, asset_group_ids=()):
        with self.lock:
            user = self._new_user(fields)
            user["asset_group_ids"] = list(asset_group_ids)
            return user

    def user_by_login(self, login):
        user_id = self.users_by_login.get(login)
        return None if user_id is None else self.users.get(user_id)

    def set_password(self, user, password):
        with self.lock:
            user["password"] = password
            user["password_changed_at"] = now_iso()

    # --- asset groups --------------------------------------------------
    def _index_asset_group(self, group):
        self.asset_groups[group["id"]] = group
        self.ag_by_title[group["title"]] = group["id"]
        position = bisect.bisect_left(self.ag_ids, group["id"])
        if position >= len(self.ag_ids) or self.ag_ids[position] != group["id"]:
            self.ag_ids.insert(position, group["id"])

    def _put_asset_group(self, fields):
        group = {
            "id": fields.get("id") or self.next_id("asset_group"),
            "title": fields["title"],
            "owner_id": fields.get("owner_id"),
            "network_id": fields.get("network_id", 0),
            "last_update": now_iso(),
            "business_impact": fields.get("business_impact", "Medium"),
            "comments": fields.get("comments", ""),
            "division": fields.get("division", ""),
            "function": fields.get("function", ""),
            "location": fields.get("location", ""),
            "ips": fields.get("ips", []),
            "appliance_ids": fields.get("appliance_ids", []),
            "default_appliance_id": fields.get("default_appliance_id", ""),
            "domains": fields.get("domains", []),
            "dns_names": fields.get("dns_names", []),
            "netbios_names": fields.get("netbios_names", []),
            "cvss": fields.get("cvss", {}),
            "system": bool(fields.get("system")),
        }
        self._index_asset_group(group)
        return group

    def add_asset_group(self, fields):
        """Create a group and, as Qualys does, its tag under the system tag "Asset Groups"."""
        with self.lock:
            group = self._put_asset_group(fields)
            parent = self.system_tag_ids.get("Asset Groups")
            # Marked with srcAssetGroupId; the ruleType of these tags is not public, so none is given.
            tag = self._put_tag({"name": group["title"], "parentTagId": parent, "system": True,
                                 "srcAssetGroupId": group["id"]})
            group["tag_id"] = tag["id"]
            return group

    def rename_asset_group(self, group, title):
        with self.lock:
            self.ag_by_title.pop(group["title"], None)
            group["title"] = title
            self.ag_by_title[title] = group["id"]
            tag = self.tags.get(group.get("tag_id"))
            if tag is not None:
                self._rename_tag(tag, title)

    def delete_asset_group(self, group):
        with self.lock:
            self.asset_groups.pop(group["id"], None)
            if self.ag_by_title.get(group["title"]) == group["id"]:
                del self.ag_by_title[group["title"]]
            position = bisect.bisect_left(self.ag_ids, group["id"])
            if position < len(self.ag_ids) and self.ag_ids[position] == group["id"]:
                del self.ag_ids[position]
            for user in self.users.values():
                if group["id"] in user["asset_group_ids"]:
                    user["asset_group_ids"].remove(group["id"])
            tag = self.tags.get(group.get("tag_id"))
            if tag is not None:
                self.delete_tag(tag)

    def ag_title(self, group_id):
        group = self.asset_groups.get(group_id)
        return group["title"] if group else None

    # --- tags ----------------------------------------------------------
    def _index_tag(self, tag):
        self.tags[tag["id"]] = tag
        position = bisect.bisect_left(self.tag_ids, tag["id"])
        if position >= len(self.tag_ids) or self.tag_ids[position] != tag["id"]:
            self.tag_ids.insert(position, tag["id"])
        self.tags_by_name.setdefault(tag["name"], set()).add(tag["id"])
        self.tag_children.setdefault(tag.get("parentTagId"), set()).add(tag["id"])

    def _put_tag(self, fields):
        stamp = now_qps()
        tag_id = self.next_id("tag")
        tag = {
            "id": tag_id,
            "tagUuid": str(uuid.UUID(int=self._rng("tag", tag_id).getrandbits(128))),
            "name": fields["name"],
            "created": stamp,
            "modified": stamp,
            "color": fields.get("color") or "#FFFFFF",
        }
        for key in ("ruleType", "ruleText", "parentTagId", "criticalityScore", "description", "provider",
                    "srcAssetGroupId", "srcBusinessUnitId"):
            if fields.get(key) not in (None, ""):
                tag[key] = fields[key]
        tag["system"] = bool(fields.get("system"))
        self._index_tag(tag)
        return tag

    def add_tag(self, fields):
        with self.lock:
            return self._put_tag(fields)

    def _rename_tag(self, tag, name):
        ids = self.tags_by_name.get(tag["name"])
        if ids is not None:
            ids.discard(tag["id"])
            if not ids:
                del self.tags_by_name[tag["name"]]
        tag["name"] = name
        self.tags_by_name.setdefault(name, set()).add(tag["id"])

    def update_tag(self, tag, changes):
        with self.lock:
            if "name" in changes and changes["name"] != tag["name"]:
                self._rename_tag(tag, changes.pop("name"))
            changes.pop("name", None)
            if "parentTagId" in changes and changes["parentTagId"] != tag.get("parentTagId"):
                self.tag_children.get(tag.get("parentTagId"), set()).discard(tag["id"])
                self.tag_children.setdefault(changes["parentTagId"], set()).add(tag["id"])
            for key, value in changes.items():
                if value in (None, ""):
                    tag.pop(key, None)
                else:
                    tag[key] = value
            tag["modified"] = now_qps()

    def children_of(self, tag_id):
        return sorted(self.tag_children.get(tag_id, ()))

    def sibling_named(self, parent_id, name):
        for tag_id in self.tags_by_name.get(name, ()):
            if self.tags[tag_id].get("parentTagId") == parent_id:
                return self.tags[tag_id]
        return None

    def delete_tag(self, tag):
        """Delete ``tag`` and its subtree; unassign it from users' scope."""
        with self.lock:
            for child_id in self.children_of(tag["id"]):
                child = self.tags.get(child_id)
                if child is not None:
                    self.delete_tag(child)
            self.tags.pop(tag["id"], None)
            position = bisect.bisect_left(self.tag_ids, tag["id"])
            if position < len(self.tag_ids) and self.tag_ids[position] == tag["id"]:
                del self.tag_ids[position]
            names = self.tags_by_name.get(tag["name"])
            if names is not None:
                names.discard(tag["id"])
                if not names:
                    del self.tags_by_name[tag["name"]]
            self.tag_children.get(tag.get("parentTagId"), set()).discard(tag["id"])
            self.tag_children.pop(tag["id"], None)
            for user in self.users.values():
                if tag["id"] in user["scope_tag_ids"]:
                    user["scope_tag_ids"].remove(tag["id"])

    def tag_ids_greater(self, value):
        return self.tag_ids[bisect.bisect_right(self.tag_ids, value):]

    # --- roles -----------------------------------------------------------
    def _index_role(self, role):
        self.roles[role["id"]] = role
        self.role_by_name[role["name"]] = role["id"]

    def _put_role(self, fields):
        role = {
            "id": fields.get("id") or self.next_id("role"),
            "name": fields["name"],
            "description": fields.get("description", ""),
            "apiAccess": bool(fields.get("apiAccess")),
            "uiAccess": bool(fields.get("uiAccess")),
            "permissions": list(fields.get("permissions", [])),
            "builtIn": bool(fields.get("builtIn")),
        }
        self._index_role(role)
        return role

    def add_role(self, fields):
        with self.lock:
            return self._put_role(fields)

    def rename_role(self, role, name):
        with self.lock:
            self.role_by_name.pop(role["name"], None)
            role["name"] = name
            self.role_by_name[name] = role["id"]

    def delete_role(self, role):
        with self.lock:
            self.roles.pop(role["id"], None)
            self.role_by_name.pop(role["name"], None)
            for user in self.users.values():
                if role["id"] in user["role_ids"]:
                    user["role_ids"].remove(role["id"])

    def role_by_name_get(self, name):
        role_id = self.role_by_name.get(name)
        return None if role_id is None else self.roles.get(role_id)

    # --- access derived from roles ---------------------------------------
    def api_access(self, user):
        """No Administration role assigned: the classic default (API allowed)."""
        roles = [self.roles[r] for r in user["role_ids"] if r in self.roles]
        return not roles or any(role["apiAccess"] for role in roles)

    def ui_access(self, user):
        roles = [self.roles[r] for r in user["role_ids"] if r in self.roles]
        return not roles or any(role["uiAccess"] for role in roles)

    def has_permission(self, user, module, name):
        if user["user_role"] in ("manager", "administrator", "unit_manager"):
            return True
        for role_id in user["role_ids"]:
            role = self.roles.get(role_id)
            if role and any(p["module"] == module and p["name"] == name for p in role["permissions"]):
                return True
        return False

    # --- views -----------------------------------------------------------
    def user_view(self, user):
        view = dict(user)
        view["user_role_name"] = USER_ROLES.get(user["user_role"], user["user_role"])
        view["asset_groups"] = [self.ag_title(i) for i in user["asset_group_ids"] if i in self.asset_groups]
        view["roles"] = [self.roles[i]["name"] for i in user["role_ids"] if i in self.roles]
        view["scope_tags"] = [self.tags[i]["name"] for i in user["scope_tag_ids"] if i in self.tags]
        view["api_access"] = self.api_access(user)
        view["ui_access"] = self.ui_access(user)
        return view

    def dump(self):
        with self.lock:
            doc = self.to_document()
            doc["users"] = [self.user_view(user) for user in self.users.values()]
            doc.pop("jwt_secret", None)
            return doc

    def secret_values(self):
        with self.lock:
            values = [user["password"] for user in self.users.values()]
            values += [client["client_secret"] for client in self.oidc_clients.values()]
            values += [entry["token"] for entry in self.issued_tokens]
            values.append(self.jwt_secret)
            return [value for value in values if value]

    # --- bulk seeding ----------------------------------------------------
    def seed_filler(self, users=0, asset_groups=0, tags=0):
        """Create filler objects fast (one save at the end)."""
        with self.lock:
            for _index in range(asset_groups):
                group_id = self.counters["asset_group"]
                self.add_asset_group({"id": self.next_id("asset_group"), "title": "Seed AG %d" % group_id,
                                      "ips": ["10.%d.%d.1" % (group_id // 256 % 256, group_id % 256)],
                                      "owner_id": self.users_by_login.get(self.admin_login)})
            for _index in range(tags):
                self._put_tag({"name": "Seed Tag %d" % self.counters["tag"], "ruleType": "STATIC"})
            for index in range(users):
                user = self._new_user({
                    "user_role": "reader", "first_name": "Seed", "last_name": "User%d" % index,
                    "title": "Filler", "email": "seed%d@example.invalid" % index, "business_unit": "Unassigned",
                    "external_id": "seed-%d" % index, "country": "United States of America",
                })
                user["status"] = "Active"
                user["eula_accepted"] = True
            self.save()
            return {"users": len(self.users), "asset_groups": len(self.asset_groups), "tags": len(self.tags)}


USER_FIELDS = (
    "first_name", "last_name", "title", "phone", "fax", "email", "company", "address1", "address2",
    "city", "country", "state", "zip_code", "time_zone_code", "business_unit", "external_id",
)


def normalise_ip_list(value):
    """Helper for seeds and handlers: string or list -> Qualys-shown entries."""
    return ipsets.normalise(ipsets.parse(value))
