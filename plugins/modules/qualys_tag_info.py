#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) scanops.qualys contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: qualys_tag_info
short_description: List Qualys asset tags
version_added: 0.1.0
description:
  - Lists the asset tags of the Qualys Asset Management and Tagging API that match every filter given
    (no filter lists every tag the account may see).
  - Filters are applied by Qualys; all result pages are read.
  - Read-only; never changes anything.
  - RV(tags[].system) tells the tags Qualys owns. Telling that a tag under another parent is a child of
    C(Asset Groups) or C(Business Units) may take one more search, for the parents not in the result.
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
    support: none
options:
  name:
    description: Only the tags with exactly this name (case-sensitive).
    type: str
  name_contains:
    description: Only the tags whose name contains this text.
    type: str
  parent:
    description:
      - Only the direct children of the tag with this name, which must be unique (else use O(parent_id)).
      - When no tag has this name, the result is empty.
      - Mutually exclusive with O(parent_id).
    type: str
  parent_id:
    description:
      - Only the direct children of the tag with this ID; V(0) selects the tags at the root.
      - The root is filtered here rather than by Qualys, after the other filters.
    type: int
  rule_type:
    description:
      - Only the tags with this rule type.
      - Qualys may store a static tag without any rule type, so V(STATIC) is filtered here rather than by Qualys,
        after the other filters.
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
      - BUSINESS_INFORMATION
  ids:
    description: Only the tags with these IDs.
    type: list
    elements: int
  page_size:
    description: How many tags to ask for per call, from 1 to 1000.
    type: int
    default: 100
seealso:
  - module: scanops.qualys.qualys_tag
"""

EXAMPLES = r"""
- name: Report on Qualys tags
  module_defaults:
    group/scanops.qualys.qualys:
      platform: US2
      username: "{{ qualys_username }}"
      password: "{{ qualys_password }}"
  block:
    - name: Every network range tag
      scanops.qualys.qualys_tag_info:
        rule_type: NETWORK_RANGE
      register: network_tags

    - name: The children of a tag
      scanops.qualys.qualys_tag_info:
        parent: Environments
      register: environments

    - name: Show their names
      ansible.builtin.debug:
        msg: "{{ environments.tags | map(attribute='name') | list }}"
"""

RETURN = r"""
tags:
  description: The matching tags, by ascending ID.
  returned: always
  type: list
  elements: dict
  contains:
    id:
      description: ID of the tag.
      type: int
      sample: 9000012
    name:
      description: Name of the tag.
      type: str
      sample: Lab networks
    parent_id:
      description: ID of the parent tag; null for a tag at the root.
      type: int
    rule_type:
      description: Rule type; V(STATIC) for a tag without a rule.
      type: str
      sample: NETWORK_RANGE
    rule_text:
      description: Rule text; null for a static tag.
      type: str
      sample: 10.0.0.0-10.0.0.255
    provider:
      description: Cloud provider of a V(CLOUD_ASSET) rule, else null.
      type: str
    color:
      description: Color, upper case C(#RRGGBB).
      type: str
      sample: "#FFFFFF"
    criticality_score:
      description: Criticality score from 1 to 5, null when Qualys reports none.
      type: int
    description:
      description: Description, null when there is none.
      type: str
    children:
      description: Names of the child tags, sorted.
      type: list
      elements: str
    system:
      description:
        - Whether Qualys owns the tag; M(scanops.qualys.qualys_tag) never changes or deletes such a tag.
        - True for the tags Qualys creates in every subscription (C(Asset Groups), C(Business Units), C(Cloud Agent),
          C(Asset Search Tags), C(Malware Domain Assets), C(Internet Facing Assets), C(Passive Sensor)), for a tag
          that carries C(srcAssetGroupId) or C(srcBusinessUnitId), and for every tag whose parent is C(Asset Groups)
          or C(Business Units).
      type: bool
      sample: false
    asset_group_id:
      description: For a tag Qualys keeps for a VM asset group, the ID of that group (C(srcAssetGroupId)); else null.
      type: int
      sample: 2000042
    business_unit_id:
      description: For a tag Qualys keeps for a business unit, the ID of that unit (C(srcBusinessUnitId)); else null.
      type: int
"""

from ansible_collections.scanops.qualys.plugins.module_utils import qualys_tags as tags
from ansible_collections.scanops.qualys.plugins.module_utils.qualys_module import QualysModule


def run(module):
    params = module.params
    if params["page_size"] < 1 or params["page_size"] > 1000:
        module.fail("page_size must be from 1 to 1000, got %s." % params["page_size"])
    if params["ids"] is not None and not params["ids"]:
        return dict(changed=False, tags=[])
    criteria = []
    if params["name"] is not None:
        criteria.append(("name", "EQUALS", params["name"]))
    if params["name_contains"] is not None:
        criteria.append(("name", "CONTAINS", params["name_contains"]))
    parent_id = params["parent_id"]
    parent = None
    if params["parent"] is not None:
        parent = tags.find_tag(module.client, params["parent"])
        if parent is None:
            return dict(changed=False, tags=[])
        parent_id = parent["id"]
    if parent_id:
        criteria.append(("parent", "EQUALS", str(parent_id)))
    static_only = params["rule_type"] == "STATIC"
    if params["rule_type"] is not None and not static_only:
        criteria.append(("ruleType", "EQUALS", params["rule_type"]))
    if params["ids"]:
        criteria.append(("id", "IN", ",".join(str(tag_id) for tag_id in sorted(set(params["ids"])))))
    found = tags.search_tags(module.client, criteria, page_size=params["page_size"])
    if static_only:
        # A static tag may have no ruleType at all, which a Qualys filter cannot match.
        found = [tag for tag in found if tag["rule_type"] == "STATIC"]
    if parent_id == 0:
        found = [tag for tag in found if tag["parent_id"] is None]
    # A child of "Asset Groups" or "Business Units" is Qualys' own even without a marker: that takes its parent.
    tags.mark_owned_children(module.client, found, known=[parent])
    return dict(changed=False, tags=[tags.public(tag) for tag in sorted(found, key=lambda tag: tag["id"] or 0)])


def main():
    module = QualysModule(
        argument_spec=dict(
            name=dict(type="str"),
            name_contains=dict(type="str"),
            parent=dict(type="str"),
            parent_id=dict(type="int"),
            rule_type=dict(type="str", choices=tags.RULE_TYPES),
            ids=dict(type="list", elements="int"),
            page_size=dict(type="int", default=100),
        ),
        mutually_exclusive=[("parent", "parent_id")],
    )
    module.execute(lambda: run(module))


if __name__ == "__main__":
    main()
