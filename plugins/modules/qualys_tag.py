#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) scanops.qualys contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: qualys_tag
short_description: Manage a Qualys asset tag
version_added: 0.1.0
description:
  - Creates, updates or deletes an asset tag of the Qualys Asset Management and Tagging API (C(/qps/rest/2.0/.../am/tag)),
    for example a dynamic tag that scopes what a restricted API user may see.
  - The tag is found by O(name) (exact, case-sensitive), under O(parent) when that is given, or by O(id).
  - Only the fields that differ are sent, in one update call (two when child tags are both added and removed, see the
    notes); a second run with the same options makes no write call.
  - Tags that Qualys owns are never changed or deleted; asking for a change or a deletion fails with a message that
    names the tag, says why Qualys owns it and what to do instead. They are the tags Qualys creates in every
    subscription (C(Asset Groups), C(Business Units), C(Cloud Agent), C(Asset Search Tags), C(Malware Domain Assets),
    C(Internet Facing Assets), C(Passive Sensor)), a tag that carries C(srcAssetGroupId) or C(srcBusinessUnitId),
    and every tag whose parent is C(Asset Groups) or C(Business Units), where Qualys keeps one tag per VM asset group
    and one per business unit (as a precaution, also tags with the rule type C(ASSET_GROUP) or
    C(BUSINESS_INFORMATION), or a reserved marker). To change the tag of an asset group, manage the group with
    M(scanops.qualys.qualys_asset_group); to scope or mark assets your own way, use a tag of your own.
  - For the same reason no tag is created under, or moved to, C(Asset Groups) or C(Business Units).
author:
  - scanops.qualys maintainers (@scanops)
extends_documentation_fragment:
  - scanops.qualys.qualys
  - scanops.qualys.qualys.action_group
  - scanops.qualys.qualys.attributes
attributes:
  check_mode:
    support: full
  diff_mode:
    support: full
options:
  name:
    description:
      - Name of the tag, compared exactly (case-sensitive).
      - Without O(parent) or O(parent_id) the name must be unique in the subscription; when several tags have it the
        module fails and lists them, so that O(parent) or O(id) can say which one is meant.
      - With O(id), the name the tag is to have (a different name renames it).
      - One of O(name) or O(id) is required; O(name) is required to create a tag.
    type: str
  id:
    description:
      - ID of an existing tag. The tag is looked up by ID and O(name), O(parent) and O(parent_id) become attributes to
        set (renaming or moving the tag).
      - A tag cannot be created with a chosen ID; with O(state=present) an unknown ID fails.
    type: int
  parent:
    description:
      - Name of the parent tag, which must itself be unique (else use O(parent_id)).
      - With O(name), only the children of this tag are searched, and a new tag is created under it.
      - Without O(parent) and O(parent_id), a new tag is created at the root and the parent of an existing tag is left
        as it is.
      - Mutually exclusive with O(parent_id).
    type: str
  parent_id:
    description:
      - ID of the parent tag, as O(parent) but by ID.
      - V(0) means the root, to manage a tag at the root when tags with the same name exist under other parents.
      - Mutually exclusive with O(parent).
    type: int
  state:
    description:
      - V(present) creates the tag or makes it match the options given; options not given are left as they are.
      - V(absent) deletes the tag. Qualys deletes its child tags with it.
    type: str
    choices: [present, absent]
    default: present
  rule_type:
    description:
      - How Qualys decides which assets carry the tag. V(STATIC) means assets are tagged by hand (no rule).
      - Every other type needs O(rule_text), written in the grammar Qualys defines for that type.
      - C(BUSINESS_INFORMATION) is not offered, and tags of that rule type are treated as Qualys-owned, since it may be
        the rule of the tags Qualys keeps for business units (no public source says which rule those tags have).
      - V(NETWORK_RANGE) rule texts are compared by the addresses they cover, so C(10.0.0.0/24) and
        C(10.0.0.0-10.0.0.255) are the same rule. Other rule texts are compared exactly.
      - The forms of a V(NETWORK_RANGE) rule text and how Qualys matches an V(OS_REGEX) rule are assumptions, not
        confirmed by public documentation; see the notes.
      - Mutually exclusive with O(ip_ranges) and O(os_contains).
    type: str
    choices:
      - STATIC
      - GROOVY
      - OS_REGEX
      - NETWORK_RANGE
      - NETWORK_RANGE_ENHANCED
      - NAME_CONTAINS
      - INSTALLED_SOFTWARE
      - OPEN_PORTS
      - VULN_EXIST
      - VULN_DETECTION
      - ASSET_SEARCH
      - CLOUD_ASSET
      - GLOBAL_ASSET_VIEW
      - NETWORK_TAG
      - NETWORK
      - TAGSET
  rule_text:
    description:
      - The rule of a dynamic tag, for example C(.*Linux.*) (V(OS_REGEX)), C(windows) (V(NAME_CONTAINS)),
        C(192.168.1.0/24,10.0.0.1-10.0.0.9) (V(NETWORK_RANGE)) or a QQL query such as
        C(operatingSystem:"Windows" and hardware.category:Server) (V(GLOBAL_ASSET_VIEW)).
      - Requires O(rule_type). Mutually exclusive with O(ip_ranges) and O(os_contains).
    type: str
  ip_ranges:
    description:
      - Tag the assets whose IP address is in these ranges; builds a V(NETWORK_RANGE) rule.
      - Each entry is a single address (C(10.0.0.1)), a range (C(10.0.0.1-10.0.0.9)) or a CIDR block (C(10.0.0.0/24)),
        IPv4 or IPv6; an entry may also be a comma-separated list.
      - The rule is written as the fewest sorted ranges covering the same addresses, and compared by the addresses
        it covers, so changing how the same addresses are written changes nothing.
      - That Qualys accepts this form of rule text is assumed, not confirmed by public documentation; see the notes.
      - Mutually exclusive with O(rule_type), O(rule_text) and O(os_contains).
    type: list
    elements: str
  os_contains:
    description:
      - Tag the assets whose operating system name contains this text (case-sensitive), for example C(Linux) or
        C(Windows Server).
      - Builds an V(OS_REGEX) rule C(.*<text>.*), with the characters that mean something in a regular expression
        escaped. V(OS_REGEX) is used rather than a V(GLOBAL_ASSET_VIEW) query because it is available in every
        subscription with asset tagging, and its rule is a plain regular expression on the OS string.
      - That the match is case-sensitive and covers the whole OS name is assumed, not confirmed by public
        documentation; see the notes.
      - Mutually exclusive with O(rule_type), O(rule_text) and O(ip_ranges).
    type: str
  provider:
    description:
      - The cloud provider of a V(CLOUD_ASSET) rule.
      - Only with O(rule_type=CLOUD_ASSET).
    type: str
    choices: [EC2, AZURE, GCP, IBM, OCI]
  color:
    description:
      - Color of the tag in the Qualys UI, as C(#RRGGBB). Compared without regard to case and sent in upper case.
      - A new tag without it gets C(#FFFFFF) (the Qualys default); the color of an existing tag is then left as it is.
    type: str
  criticality_score:
    description:
      - Asset criticality of the assets carrying the tag, from 1 (lowest) to 5 (highest).
    type: int
  description:
    description:
      - Description of the tag. An empty string removes it.
    type: str
  children:
    description:
      - Names of child tags that must exist under this tag. Missing ones are created as static tags.
      - Child tags not listed are kept, because other tasks often manage children of their own
        (for example O(parent) on another M(scanops.qualys.qualys_tag) task), unless O(purge_children=true).
    type: list
    elements: str
  purge_children:
    description:
      - Delete the child tags that are not listed in O(children) (with their own children).
      - Needs O(children); use O(children=[]) to remove every child.
    type: bool
    default: false
notes:
  - Child tags are added and removed with the Qualys collection operations C(add) and C(remove). Qualys documents that
    both should not be sent in one call, so a run that both adds and removes children makes two update calls.
  - Moving a tag to another parent (O(id) with a different O(parent) or O(parent_id)) sends C(parentTagId) in an
    update; whether every Qualys release honours this is not documented.
  - Qualys answers C(OBJECT_NOT_FOUND) both for a tag that does not exist and for one outside the caller's scope.
  - Telling whether a tag is a child of C(Asset Groups) or C(Business Units) may take one more search, for its parent.
  - "Not confirmed by public documentation: V(NETWORK_RANGE) rule texts. The only public example is a single CIDR
    block (C(192.168.102.0/24)). The module assumes Qualys also accepts single addresses, C(a-b) ranges, comma-separated
    lists of them and IPv6, because O(ip_ranges) is written as a comma-separated list of merged C(a-b) ranges and
    single addresses (for example C(10.0.0.0-10.0.0.255,192.168.1.1-192.168.1.100)), and it reads those forms back
    when comparing. A check against a live Qualys subscription is planned to test this."
  - "Not confirmed by public documentation: how Qualys matches an V(OS_REGEX) rule. Public examples only show
    C(.*Linux.*). The module assumes the regular expression must match the whole OS name (hence the C(.*) at both
    ends that O(os_contains) adds) and that it is case-sensitive, so O(os_contains=Linux) does not match an OS
    reported as C(linux); write your own O(rule_text) with both spellings if that matters. A check against a live
    Qualys subscription is planned to test this."
seealso:
  - module: scanops.qualys.qualys_tag_info
  - module: scanops.qualys.qualys_asset_group
"""

EXAMPLES = r"""
- name: Manage Qualys tags
  module_defaults:
    group/scanops.qualys.qualys:
      platform: US2
      username: "{{ qualys_username }}"
      password: "{{ qualys_password }}"
  block:
    - name: Tag the assets of the lab networks
      scanops.qualys.qualys_tag:
        name: Lab networks
        ip_ranges:
          - 192.168.1.1-192.168.1.100
          - 10.0.0.0/24
        color: "#1E90FF"
        criticality_score: 3
        description: Assets the restricted API user may see

    - name: Tag every Linux host
      scanops.qualys.qualys_tag:
        name: Linux servers
        os_contains: Linux

    - name: A dynamic tag written in QQL, under a parent tag
      scanops.qualys.qualys_tag:
        name: Windows servers
        parent: Servers
        rule_type: GLOBAL_ASSET_VIEW
        rule_text: operatingSystem:"Windows" and hardware.category:Server

    - name: A static parent tag with exactly these children
      scanops.qualys.qualys_tag:
        name: Environments
        children: [Production, Staging]
        purge_children: true

    - name: Remove a tag
      scanops.qualys.qualys_tag:
        name: Old scope
        state: absent
"""

RETURN = r"""
tag:
  description:
    - The tag after the run (as check mode predicts it); empty when O(state=absent).
  returned: always
  type: dict
  contains:
    id:
      description: ID of the tag (null for a tag that check mode would create).
      type: int
      sample: 9000012
    name:
      description: Name of the tag.
      type: str
      sample: Lab networks
    parent_id:
      description: ID of the parent tag; null for a tag at the root.
      type: int
      sample: 9000010
    rule_type:
      description: Rule type; V(STATIC) for a tag without a rule.
      type: str
      sample: NETWORK_RANGE
    rule_text:
      description: Rule text; null for a static tag.
      type: str
      sample: 10.0.0.0-10.0.0.255,192.168.1.1-192.168.1.100
    provider:
      description: Cloud provider of a V(CLOUD_ASSET) rule, else null.
      type: str
    color:
      description: Color, upper case C(#RRGGBB).
      type: str
      sample: "#1E90FF"
    criticality_score:
      description: Criticality score from 1 to 5, null when Qualys reports none.
      type: int
      sample: 3
    description:
      description: Description, null when there is none.
      type: str
    children:
      description: Names of the child tags, sorted.
      type: list
      elements: str
      sample: [Production, Staging]
    system:
      description:
        - Whether Qualys owns the tag (such tags are never changed or deleted by this module).
        - See the description for which tags Qualys owns.
      type: bool
      sample: false
    asset_group_id:
      description: For a tag Qualys keeps for a VM asset group, the ID of that group (C(srcAssetGroupId)); else null.
      type: int
    business_unit_id:
      description: For a tag Qualys keeps for a business unit, the ID of that unit (C(srcBusinessUnitId)); else null.
      type: int
"""

import re

from ansible_collections.scanops.qualys.plugins.module_utils import qualys_formats as formats
from ansible_collections.scanops.qualys.plugins.module_utils import qualys_tags as tags
from ansible_collections.scanops.qualys.plugins.module_utils.qualys_errors import QualysError
from ansible_collections.scanops.qualys.plugins.module_utils.qualys_module import QualysResourceModule

COLOR = re.compile(r"^#[0-9A-Fa-f]{6}$")
DEFAULT_COLOR = "#FFFFFF"
# Fields compared as plain values (rules and children have their own rules).
PLAIN_FIELDS = ("name", "parent_id", "color", "criticality_score", "description", "provider")


class TagModule(QualysResourceModule):
    result_key = "tag"
    # Several users may share one scope, converged by parallel forks: when a create is refused
    # because another run just made the same tag, converge that one.
    recheck_failed_create = True

    def __init__(self):
        super(TagModule, self).__init__(
            argument_spec=dict(
                name=dict(type="str"),
                id=dict(type="int"),
                parent=dict(type="str"),
                parent_id=dict(type="int"),
                state=dict(type="str", choices=["present", "absent"], default="present"),
                rule_type=dict(type="str", choices=tags.SETTABLE_RULE_TYPES),
                rule_text=dict(type="str"),
                ip_ranges=dict(type="list", elements="str"),
                os_contains=dict(type="str"),
                provider=dict(type="str", choices=tags.CLOUD_PROVIDERS),
                color=dict(type="str"),
                criticality_score=dict(type="int"),
                description=dict(type="str"),
                children=dict(type="list", elements="str"),
                purge_children=dict(type="bool", default=False),
            ),
            required_one_of=[("name", "id")],
            mutually_exclusive=[("parent", "parent_id"), ("ip_ranges", "os_contains", "rule_type"),
                                ("ip_ranges", "os_contains", "rule_text")],
            required_by={"rule_text": "rule_type"},
        )
        self.parent_id = self.params["parent_id"]
        self.parents = {}  # parent tags read so far, by id
        self.rule = (None, None)
        self.child_ids = {}

    # -- what the user asked for ---------------------------------------------

    def validate(self):
        params = self.params
        if params["parent_id"] is not None and params["parent_id"] < 0:
            self.fail("parent_id must be a tag id, or 0 for the root, got %s." % params["parent_id"])
        if params["name"] is not None and not params["name"].strip():
            self.fail("name must not be empty.")
        if params["color"] is not None and not COLOR.match(params["color"]):
            self.fail("color must be #RRGGBB (six hex digits, for example #FF0000), got %r." % params["color"])
        score = params["criticality_score"]
        if score is not None and not 1 <= score <= 5:
            self.fail("criticality_score must be from 1 to 5, got %s." % score)
        rule_type = params["rule_type"]
        if rule_type == "STATIC" and params["rule_text"]:
            self.fail("rule_type=STATIC takes no rule_text; a static tag has no rule.")
        if rule_type not in (None, "STATIC") and not params["rule_text"]:
            self.fail("rule_type=%s needs rule_text." % rule_type)
        if params["provider"] is not None and rule_type != "CLOUD_ASSET":
            self.fail("provider is only used with rule_type=CLOUD_ASSET.")
        if params["ip_ranges"] is not None and not [entry for entry in params["ip_ranges"] if entry and entry.strip()]:
            self.fail("ip_ranges must list at least one address, range or CIDR block.")
        if params["os_contains"] is not None and not params["os_contains"].strip():
            self.fail("os_contains must not be empty.")
        if params["children"] is not None and any(not child or not child.strip() for child in params["children"]):
            self.fail("children must not contain empty names.")
        if params["purge_children"] and params["children"] is None:
            self.fail("purge_children needs children (children: [] removes every child tag).")
        try:
            self.rule = self.desired_rule()
        except ValueError as exc:
            self.fail(str(exc))

    def desired_rule(self):
        """(rule_type, rule_text) the user asked for, or (None, None) to leave the rule alone."""
        params = self.params
        if params["ip_ranges"] is not None:
            return "NETWORK_RANGE", tags.network_rule_text(params["ip_ranges"], "ip_ranges")
        if params["os_contains"] is not None:
            return "OS_REGEX", tags.os_regex(params["os_contains"].strip())
        rule_type = params["rule_type"]
        if rule_type == "STATIC":
            return "STATIC", ""
        if rule_type == "NETWORK_RANGE":
            return rule_type, tags.network_rule_text(params["rule_text"], "rule_text")
        return rule_type, params["rule_text"]

    def desired(self, current):
        params = self.params
        rule_type, rule_text = self.rule
        children = params["children"]
        return {
            "name": params["name"],
            "parent_id": self.parent_id,
            "rule_type": rule_type,
            "rule_text": rule_text,
            "provider": params["provider"],
            # Sent on create so that the result is what Qualys holds, not a guess of its default.
            "color": params["color"].upper() if params["color"] else (DEFAULT_COLOR if current is None else None),
            "criticality_score": params["criticality_score"],
            "description": params["description"],
            "children": sorted(set(children)) if children is not None else None,
        }

    # -- reading --------------------------------------------------------------------

    def find(self):
        params = self.params
        absent = params["state"] == "absent"
        if params["parent"] is not None:
            parent = tags.find_tag(self.client, params["parent"])
            if parent is not None:
                self.parent_id = parent["id"]
                self.parents[parent["id"]] = parent
            elif not absent:
                self.fail("The parent tag %r does not exist; create it first." % params["parent"])
            elif params["id"] is None:
                return None  # No parent, so no child of it either.
        if params["id"] is not None:
            current = tags.get_tag(self.client, params["id"])
            if current is None and not absent:
                self.fail("No tag with id %s (or it is outside the scope of %s); a tag cannot be created with a given id."
                          % (params["id"], params["username"] or "this account"))
        else:
            current = tags.find_tag(self.client, params["name"], self.parent_id)
        if current is not None:
            self.child_ids = current[tags.CHILD_IDS]
            # A child of "Asset Groups" or "Business Units" is Qualys' own even without a marker.
            tags.mark_owned_children(self.client, [current], known=self.parents.values())
            if absent and current["system"]:
                self.fail(system_message(current, "deletes"))
        elif not absent and self.parent_id:
            self.refuse_owned_parent(params["name"], self.parent_id, "created")
        return current

    def refuse_owned_parent(self, name, parent_id, action):
        """Fail when ``parent_id`` is "Asset Groups" or "Business Units": a tag there would be Qualys' own."""
        if parent_id not in self.parents:
            self.parents[parent_id] = tags.get_tag(self.client, parent_id)
        parent = self.parents[parent_id]
        kind = tags.owned_parent(parent)
        if kind is not None:
            self.fail(owned_parent_message(name, parent["name"], kind, action))

    # -- comparing --------------------------------------------------------------------

    def compare(self, current, desired):
        changes = {}
        for key in PLAIN_FIELDS:
            wanted = desired.get(key)
            if wanted is not None and (current.get(key) or None) != (wanted or None):
                changes[key] = wanted
        rule_type, rule_text = desired["rule_type"], desired["rule_text"]
        if rule_type is not None:
            if rule_type != current["rule_type"]:
                changes["rule_type"] = rule_type
                if rule_text or current.get("rule_text"):
                    changes["rule_text"] = rule_text
            elif not tags.same_rule(rule_type, current.get("rule_text"), rule_text):
                changes["rule_text"] = rule_text
        if desired["children"] is not None:
            have = set(current["children"])
            want = set(desired["children"]) if self.params["purge_children"] else have | set(desired["children"])
            if want != have:
                changes["children"] = sorted(want)
        if changes and current["system"]:
            self.fail(system_message(current, "changes"))
        if changes.get("parent_id"):
            self.refuse_owned_parent(changes.get("name") or current["name"], changes["parent_id"], "moved")
        return changes

    def view(self, obj):
        shown = dict((key, obj.get(key)) for key in tags.TAG_KEYS)
        # An empty text is how a run clears a field, and parent 0 is the root: the tag then has none.
        for key in ("rule_text", "description", "parent_id"):
            shown[key] = shown[key] or None
        shown["rule_type"] = shown["rule_type"] or "STATIC"
        shown["children"] = shown["children"] or []
        shown["system"] = bool(shown["system"])
        return shown

    # -- writing ------------------------------------------------------------------------

    def create(self, desired):
        # No parent, parent 0 and empty texts all mean "not set" on a new tag.
        fields = tags.api_fields(dict((key, value) for key, value in desired.items() if value not in (None, "", 0)))
        if desired["children"]:
            fields["children"] = tags.children_collection("set", [{"name": name} for name in desired["children"]])
        reply = self.client.qps("create", tags.OBJECT_TYPE, body=tags.tag_request(fields), write=True)
        created = tags.tag_from_api(reply["data"][0]) if reply["data"] else None
        if created is None or created["id"] is None:
            raise QualysError("Qualys created the tag %r but did not return its id." % desired["name"], kind="format")
        return tags.get_tag(self.client, created["id"]) or created

    def update(self, current, changes):
        fields = tags.api_fields(changes)
        calls = []
        if "children" in changes:
            added = [{"name": name} for name in changes["children"] if name not in self.child_ids]
            removed = [{"id": self.child_ids[name]} for name in sorted(self.child_ids) if name not in changes["children"]]
            if added:
                calls.append(dict(fields, children=tags.children_collection("add", added)))
                fields = {}
            if removed:
                calls.append(dict(fields, children=tags.children_collection("remove", removed)))
                fields = {}
        if fields:
            calls.append(fields)
        for body in calls:
            # Adding a child by name creates a tag, so only calls without one are safe to repeat.
            adds = "add" in body.get("children", {})
            self.client.qps("update", tags.OBJECT_TYPE, object_id=current["id"], body=tags.tag_request(body),
                            write=True, idempotent=not adds)
        return tags.get_tag(self.client, current["id"])

    def delete(self, current):
        try:
            # An empty ServiceRequest, so the call is a JSON request like the others.
            self.client.qps("delete", tags.OBJECT_TYPE, object_id=current["id"], body=formats.qps_request(),
                            write=True, idempotent=True)
        except QualysError as exc:
            # A repeated delete after a lost reply finds the tag gone: that is the goal.
            if exc.kind != "not_found":
                raise


# What to do instead, by why Qualys owns the tag.
ADVICE = {
    "asset_group": ("To change or remove it, manage the asset group itself with scanops.qualys.qualys_asset_group; "
                    "to tag assets your own way, use a tag of your own."),
    "business_unit": ("It follows its business unit, which is managed in Qualys user administration; to tag assets "
                      "your own way, use a tag of your own."),
    "qualys": "Use a tag of your own instead.",
}
# Where a tag would have to come from to sit under "Asset Groups" or "Business Units".
SOURCE = {
    "asset_group": "create the asset group with scanops.qualys.qualys_asset_group",
    "business_unit": "create the business unit in Qualys",
}


def system_message(tag, verb):
    """Why this module refuses to write a tag Qualys owns (``verb``: changes or deletes), and what to do."""
    kind, reason = tag.get(tags.OWNER) or ("qualys", "Qualys marks it as its own")
    return ("The tag %r (id %s) is owned by Qualys: %s. qualys_tag never %s a Qualys-owned tag. %s"
            % (tag["name"], tag["id"], reason, verb, ADVICE[kind]))


def owned_parent_message(name, parent_name, kind, action):
    """Why a tag is not created or moved (``action``) under "Asset Groups" or "Business Units"."""
    what = tags.PER_CHILD[kind]
    return ("The tag %r is not %s under the system tag %r: Qualys keeps one tag there per %s and owns every tag "
            "under it, so qualys_tag could never change or delete it afterwards. To have a tag there, %s; "
            "otherwise choose another parent." % (name, action, parent_name, what, SOURCE[kind]))


def main():
    module = TagModule()
    module.execute(module.run)


if __name__ == "__main__":
    main()
