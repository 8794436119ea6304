#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) scanops.qualys contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: qualys_asset_group_info
short_description: List Qualys VM asset groups
version_added: 0.1.0
description:
  - Lists the Qualys VM/VMDR asset groups the caller can see, with their attributes, through C(/api/2.0/fo/asset/group/).
  - O(ids) and O(title) are filtered by Qualys; O(title_contains) is applied to what Qualys returns.
  - Follows Qualys' paging (WARNING 1980) until every matching group is read.
  - Never changes anything.
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
  ids:
    description: Only the groups with these IDs. An empty list matches no group.
    type: list
    elements: int
  title:
    description: Only the group with exactly this title (case-sensitive).
    type: str
  title_contains:
    description:
      - Only the groups whose title contains this text, ignoring case.
      - Applied after the server-side filters; without O(ids) or O(title) every group is read.
    type: str
notes:
  - Groups are read with C(show_attributes=ALL).
  - The division, function and location that M(scanops.qualys.qualys_asset_group) can set are not part of any
    documented list reply, so they are not among the returned fields; a group holds them only if the reply of your
    Qualys platform carries them.
seealso:
  - module: scanops.qualys.qualys_asset_group
"""

EXAMPLES = r"""
- name: Read the asset groups of the scan scope
  module_defaults:
    group/scanops.qualys.qualys:
      platform: US2
      username: "{{ qualys_username }}"
      password: "{{ qualys_password }}"
  block:
    - name: Find the groups whose title mentions DMZ
      scanops.qualys.qualys_asset_group_info:
        title_contains: dmz
      register: dmz_groups

    - name: Show their addresses
      ansible.builtin.debug:
        msg: "{{ item.title }}: {{ item.ips | join(', ') }}"
      loop: "{{ dmz_groups.asset_groups }}"
      loop_control:
        label: "{{ item.id }}"

    - name: Read two groups by ID
      scanops.qualys.qualys_asset_group_info:
        ids: [2000042, 2000043]
"""

RETURN = r"""
asset_groups:
  description: The matching asset groups, sorted by ID.
  returned: always
  type: list
  elements: dict
  contains:
    id:
      description: ID of the group.
      type: int
      sample: 2000042
    title:
      description: Title of the group.
      type: str
      sample: DMZ web servers
    ips:
      description: Addresses of the group as single addresses and C(a-b) ranges, merged and sorted.
      type: list
      elements: str
      sample: [192.168.1.0-192.168.1.15, 192.168.1.99]
    comments:
      description: Comments on the group (empty when none).
      type: str
    business_impact:
      description: Business impact in lower case (V(minor) for the lowest level); null when Qualys reports none.
      type: str
      sample: medium
    default_appliance_id:
      description: Default scanner appliance ID, null when none is set.
      type: int
    appliance_ids:
      description: Scanner appliance IDs, sorted.
      type: list
      elements: int
    dns_names:
      description: DNS names, sorted.
      type: list
      elements: str
    netbios_names:
      description: NetBIOS names, sorted.
      type: list
      elements: str
    domains:
      description: Domains, sorted, as V(name) or V(name:[netblock]).
      type: list
      elements: str
    cvss_enviro_cdp:
      description: CVSS Collateral Damage Potential in lower case; null when Not Defined.
      type: str
    cvss_enviro_td:
      description: CVSS Target Distribution in lower case; null when Not Defined.
      type: str
    cvss_enviro_cr:
      description: CVSS Confidentiality Requirement in lower case; null when Not Defined.
      type: str
    cvss_enviro_ir:
      description: CVSS Integrity Requirement in lower case; null when Not Defined.
      type: str
    cvss_enviro_ar:
      description: CVSS Availability Requirement in lower case; null when Not Defined.
      type: str
"""

from ansible_collections.scanops.qualys.plugins.module_utils import qualys_asset_groups as groups
from ansible_collections.scanops.qualys.plugins.module_utils.qualys_module import QualysModule

ARGUMENT_SPEC = dict(
    ids=dict(type="list", elements="int"),
    title=dict(type="str"),
    title_contains=dict(type="str"),
)


def run(module):
    params = module.params
    if any(value < 1 for value in params["ids"] or []):
        module.fail("ids must hold positive integers, got %s." % params["ids"])
    if params["ids"] == []:
        return dict(changed=False, asset_groups=[])
    filters = {}
    if params["ids"]:
        filters["ids"] = ",".join(str(value) for value in sorted(set(params["ids"])))
    if params["title"] is not None:
        filters["title"] = params["title"]
    found = groups.list_asset_groups(module.client, filters, groups.FIELDS)
    if params["title"] is not None:
        found = [group for group in found if group["title"] == params["title"]]
    if params["title_contains"]:
        needle = params["title_contains"].lower()
        found = [group for group in found if needle in group["title"].lower()]
    return dict(changed=False, asset_groups=sorted(found, key=lambda group: group["id"]))


def main():
    module = QualysModule(ARGUMENT_SPEC)
    module.execute(lambda: run(module))


if __name__ == "__main__":
    main()
