# -*- coding: utf-8 -*-
# Copyright (c) scanops.qualys contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Asset tags (QPS ``am/tag``) as plain dicts, and finding them by name.

Shared by ``qualys_tag``, ``qualys_tag_info`` and the modules that scope a
user by tag. A tag dict has the keys of ``TAG_KEYS``; ``children`` is the
sorted list of child names. The ids of the children, which an update needs
to remove one, are kept apart under ``CHILD_IDS``, and why Qualys owns a
system tag under ``OWNER``; ``public()`` drops both.

Fields of a reply that are not read here (``tagUuid``, ``reEvalStatus`` and
whatever Qualys adds next) are ignored.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.scanops.qualys.plugins.module_utils import ip_sets
from ansible_collections.scanops.qualys.plugins.module_utils import qualys_formats as formats
from ansible_collections.scanops.qualys.plugins.module_utils.qualys_errors import QualysError

OBJECT_TYPE = "am/tag"

# Tags Qualys creates in every subscription and manages itself.
SYSTEM_TAG_NAMES = frozenset([
    "Asset Groups",
    "Business Units",
    "Cloud Agent",
    "Asset Search Tags",
    "Malware Domain Assets",
    "Internet Facing Assets",
    "Passive Sensor",
])
# Rule types that may mark the tags Qualys makes for asset groups and business units. No public source shows
# which rule type those tags carry; these are kept as one more reason never to write such a tag.
SYSTEM_RULE_TYPES = frozenset(["ASSET_GROUP", "BUSINESS_INFORMATION"])
# The system tags under which Qualys keeps one tag per asset group and one per business unit; every tag below
# them is Qualys' own, marked or not with srcAssetGroupId / srcBusinessUnitId.
ASSET_GROUPS_TAG = "Asset Groups"
BUSINESS_UNITS_TAG = "Business Units"
OWNED_PARENTS = {ASSET_GROUPS_TAG: "asset_group", BUSINESS_UNITS_TAG: "business_unit"}
PER_CHILD = {"asset_group": "asset group", "business_unit": "business unit"}

# Every ruleType seen in Qualys documentation and clients; no rule means STATIC.
RULE_TYPES = [
    "STATIC", "GROOVY", "OS_REGEX", "NETWORK_RANGE", "NETWORK_RANGE_ENHANCED", "NAME_CONTAINS",
    "INSTALLED_SOFTWARE", "OPEN_PORTS", "VULN_EXIST", "VULN_DETECTION", "ASSET_SEARCH", "CLOUD_ASSET",
    "GLOBAL_ASSET_VIEW", "NETWORK_TAG", "NETWORK", "TAGSET", "BUSINESS_INFORMATION",
]
# The rule types a module may give a tag: not those of the tags Qualys makes itself.
SETTABLE_RULE_TYPES = [rule_type for rule_type in RULE_TYPES if rule_type not in SYSTEM_RULE_TYPES]
CLOUD_PROVIDERS = ["EC2", "AZURE", "GCP", "IBM", "OCI"]

# Our key -> the QPS Tag field it is written to.
API_FIELDS = {
    "name": "name",
    "parent_id": "parentTagId",
    "rule_type": "ruleType",
    "rule_text": "ruleText",
    "color": "color",
    "criticality_score": "criticalityScore",
    "description": "description",
    "provider": "provider",
}
TAG_KEYS = ("id", "name", "parent_id", "rule_type", "rule_text", "color", "criticality_score", "description",
            "provider", "children", "system", "asset_group_id", "business_unit_id")
CHILD_IDS = "_child_ids"
# (kind, reason) for a tag Qualys owns: kind is asset_group, business_unit or qualys; None for a tag of the user.
OWNER = "_owner"
# How many parent ids one search asks for.
ID_BATCH = 500
# Characters with a meaning in a (Java) regular expression.
REGEX_SPECIALS = frozenset("\\.^$|?*+()[]{}")


def tag_from_api(raw):
    """A QPS Tag object as a tag dict of normalised, comparable values."""
    children = [child for child in formats.qps_list(raw.get("children")) if isinstance(child, dict)]
    child_ids = dict((child.get("name"), to_int(child.get("id"))) for child in children if child.get("name"))
    tag = {
        "id": to_int(raw.get("id")),
        "name": raw.get("name"),
        # Qualys writes 0 (or nothing) for a tag at the root.
        "parent_id": to_int(raw.get("parentTagId")) or None,
        "rule_type": raw.get("ruleType") or "STATIC",
        "rule_text": raw.get("ruleText") or None,
        "color": (raw.get("color") or "").upper() or None,
        "criticality_score": to_int(raw.get("criticalityScore")),
        "description": raw.get("description") or None,
        "provider": raw.get("provider") or None,
        "children": sorted(child_ids),
        # Set on the tags Qualys keeps for an asset group / a business unit.
        "asset_group_id": to_int(raw.get("srcAssetGroupId")),
        "business_unit_id": to_int(raw.get("srcBusinessUnitId")),
        CHILD_IDS: child_ids,
    }
    tag[OWNER] = ownership(tag, raw)
    tag["system"] = tag[OWNER] is not None
    return tag


def ownership(tag, raw=None):
    """(kind, reason) when Qualys owns this tag by what the tag itself says, else None.

    The parent rule (a child of "Asset Groups" or "Business Units") needs the
    parent and is applied by ``mark_owned_children``.
    """
    if tag.get("asset_group_id"):
        return "asset_group", "it stands for the asset group with id %s (srcAssetGroupId)" % tag["asset_group_id"]
    if tag.get("business_unit_id"):
        return ("business_unit",
                "it stands for the business unit with id %s (srcBusinessUnitId)" % tag["business_unit_id"])
    if raw is not None and (str(raw.get("system", "")).lower() == "true" or raw.get("reservedType")):
        return "qualys", "Qualys marks it as reserved"
    if tag.get("rule_type") in SYSTEM_RULE_TYPES:
        return ("qualys", "its rule type %s is one Qualys gives the tags it makes for asset groups and business units"
                % tag["rule_type"])
    if tag.get("parent_id") is None and tag.get("name") in SYSTEM_TAG_NAMES:
        return "qualys", "it is one of the tags Qualys creates in every subscription"
    return None


def is_system(tag, raw=None):
    """Whether Qualys owns this tag (never to be changed or deleted by a module)."""
    return ownership(tag, raw) is not None


def owned_parent(tag):
    """asset_group or business_unit when ``tag`` is the system tag under which Qualys keeps those tags, else None."""
    if tag is None or tag.get("parent_id") is not None:
        return None
    return OWNED_PARENTS.get(tag.get("name"))


def under_owned_parent(kind, parent_name):
    """The reason given for a tag below "Asset Groups" or "Business Units"."""
    return "it is under the system tag %r, where Qualys keeps one tag per %s" % (parent_name, PER_CHILD[kind])


def mark_owned_children(client, found, known=()):
    """Mark as system the tags of ``found`` whose parent is "Asset Groups" or "Business Units".

    The parents are taken from ``found`` and ``known`` (tag dicts); the others
    are read, in one search per ``ID_BATCH`` ids, only for tags not already
    known to be system. Returns ``found``.
    """
    parents = dict((tag["id"], tag) for tag in list(found) + [tag for tag in known if tag])
    wanted = [tag for tag in found if not tag["system"] and tag.get("parent_id") is not None]
    missing = sorted(set(tag["parent_id"] for tag in wanted if tag["parent_id"] not in parents))
    for start in range(0, len(missing), ID_BATCH):
        batch = missing[start:start + ID_BATCH]
        for parent in search_tags(client, [("id", "IN", ",".join(str(tag_id) for tag_id in batch))]):
            parents[parent["id"]] = parent
    for tag in wanted:
        parent = parents.get(tag["parent_id"])
        kind = owned_parent(parent)
        if kind is not None:
            tag[OWNER] = (kind, under_owned_parent(kind, parent["name"]))
            tag["system"] = True
    return found


def public(tag):
    """The tag as modules return it."""
    return dict((key, tag.get(key)) for key in TAG_KEYS)


def to_int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def search_tags(client, criteria, page_size=100):
    """Every tag matching ``criteria`` ((field, operator, value) triples), all pages."""
    return [tag_from_api(raw) for raw in client.qps_search(OBJECT_TYPE, criteria, page_size=page_size)]


def get_tag(client, tag_id):
    """The tag with this id, or None when Qualys does not know it (or it is out of scope).

    A search by id rather than ``get/am/tag/{id}``: the search is a JSON POST,
    and it answers "no such tag" with an empty result instead of an error.
    """
    found = search_tags(client, [("id", "EQUALS", str(tag_id))])
    return found[0] if found else None


def find_tag(client, name, parent=None):
    """The one tag called ``name`` (case-sensitive), or None.

    ``parent`` narrows the search to the children of one tag, given by id
    (int; 0 means the root) or by name (str, itself unique). Without it, the
    name must be unique in the subscription: several matches raise a
    QualysError that lists them, since guessing would act on the wrong tag.
    """
    parent_id = None
    if parent is not None:
        if isinstance(parent, int):
            parent_id = parent
        else:
            parent_tag = find_tag(client, parent)
            if parent_tag is None:
                return None
            parent_id = parent_tag["id"]
    criteria = [("name", "EQUALS", name)]
    if parent_id:
        criteria.append(("parent", "EQUALS", str(parent_id)))
    # EQUALS is case-sensitive on Qualys; checking here also covers the root (parent 0), which has no filter.
    found = [tag for tag in search_tags(client, criteria)
             if tag["name"] == name and (parent_id is None or tag["parent_id"] == (parent_id or None))]
    if len(found) > 1:
        raise QualysError("Several tags are named %r: %s. Give the parent tag (or the tag id) to choose one."
                          % (name, describe_tags(client, found)), kind="ambiguous")
    return found[0] if found else None


def describe_tags(client, tags):
    """'id 9000012 under "Servers" (id 9000010), id 9000020 at the root' for an error message."""
    parent_ids = sorted(set(tag["parent_id"] for tag in tags if tag["parent_id"] is not None))
    names = {}
    if parent_ids:
        try:
            parents = search_tags(client, [("id", "IN", ",".join(str(i) for i in parent_ids))])
            names = dict((parent["id"], parent["name"]) for parent in parents)
        except QualysError:
            names = {}  # The listing is a courtesy; the ids alone still say what to do.
    parts = []
    for tag in sorted(tags, key=lambda item: item["id"] or 0):
        if tag["parent_id"] is None:
            parts.append("id %s at the root" % tag["id"])
        elif tag["parent_id"] in names:
            parts.append("id %s under %r (id %s)" % (tag["id"], names[tag["parent_id"]], tag["parent_id"]))
        else:
            parts.append("id %s under parent id %s" % (tag["id"], tag["parent_id"]))
    return ", ".join(parts)


def tag_request(fields):
    """A ServiceRequest body for create/update from API fields."""
    return formats.qps_request(data={"Tag": fields})


def api_fields(values):
    """Our keys -> QPS Tag fields (children are handled by the caller)."""
    return dict((API_FIELDS[key], value) for key, value in values.items() if key in API_FIELDS)


def children_collection(operation, items):
    """A QList ``{"set"|"add"|"remove": {"TagSimple": [...]}}`` of child tags."""
    return {operation: {"TagSimple": list(items)}}


def os_regex(text):
    """OS_REGEX rule text matching an OS name that contains ``text`` (case-sensitive)."""
    escaped = "".join("\\" + char if char in REGEX_SPECIALS else char for char in text)
    return ".*%s.*" % escaped


def network_rule_text(values, param_name):
    """NETWORK_RANGE rule text: canonical, merged ranges (ValueError names ``param_name``)."""
    return ",".join(ip_sets.normalize(values, param_name))


def same_rule(rule_type, current_text, desired_text):
    """Whether two rule texts of ``rule_type`` select the same assets.

    Network ranges compare by the addresses they cover (a CIDR block equals
    the range it spans); other rules compare as written.
    """
    if (current_text or "") == (desired_text or ""):
        return True
    if rule_type == "NETWORK_RANGE" and current_text and desired_text:
        try:
            return ip_sets.normalize(current_text, "rule_text") == ip_sets.normalize(desired_text, "rule_text")
        except ValueError:
            return False  # A text Qualys holds that we cannot read differs from ours.
    return False
