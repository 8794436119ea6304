#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) scanops.qualys contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: qualys_asset_group
short_description: Manage a Qualys VM asset group
version_added: 0.1.0
description:
  - Creates, updates and deletes a Qualys VM/VMDR asset group through C(/api/2.0/fo/asset/group/).
  - The group is found by O(id), or else by its exact, case-sensitive O(title).
  - Only the options you set are managed; any other attribute of the group is left as it is.
  - An update sends one call holding only the fields that differ (C(set_<field>), or C(add_ips)/C(remove_ips)
    for O(ips_mode=add) and O(ips_mode=remove)). A group that already matches causes no write.
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
  id:
    description:
      - ID of an existing asset group. Takes precedence over O(title) to find the group.
      - With O(state=present), the group must exist; O(title) then renames it.
    type: int
  title:
    description:
      - Title of the asset group, compared exactly (case-sensitive). Leading and trailing spaces are removed.
      - Required to create a group.
      - The built-in group V(All) is refused, whatever its case, before any call.
    type: str
  state:
    description:
      - V(present) creates the group or updates the options you set; V(absent) deletes it.
    type: str
    choices: [present, absent]
    default: present
  ips:
    description:
      - IP addresses of the group. Each item is a single address (V(10.0.0.1)), a range (V(10.0.0.1-10.0.0.9))
        or a CIDR block (V(10.0.0.0/24)); an item may also hold several entries separated by commas. IPv6 works the same way.
      - Lists are compared by the addresses they cover, so V(10.0.0.0/30), V(10.0.0.0-10.0.0.3) and the four
        single addresses are the same list.
      - How the list is applied depends on O(ips_mode).
    type: list
    elements: str
  ips_mode:
    description:
      - V(set) makes O(ips) the exact list of the group (an empty list removes every address).
      - V(add) makes sure the addresses of O(ips) are in the group and keeps the others.
      - V(remove) makes sure the addresses of O(ips) are not in the group and keeps the others.
    type: str
    choices: [set, add, remove]
    default: set
  comments:
    description: Comments on the group. V("") clears them.
    type: str
  division:
    description:
      - Division the group belongs to. V("") clears it.
      - Write-only. Qualys accepts it when a group is created or edited, but no documented list reply carries it,
        so the module cannot read it back. It is sent when the group is created, and sent again whenever the
        task changes another field of the group; it is compared only if the reply of your Qualys platform does
        carry it.
      - A change of only this field (or only O(division), O(function) and O(location)) on an existing group is
        therefore not detected and not sent. Change it together with another field, or in the Qualys UI.
    type: str
  function:
    description:
      - Function of the group. V("") clears it.
      - Write-only. Qualys accepts it when a group is created or edited, but no documented list reply carries it,
        so the module cannot read it back. It is sent when the group is created, and sent again whenever the
        task changes another field of the group; it is compared only if the reply of your Qualys platform does
        carry it.
      - A change of only this field (or only O(division), O(function) and O(location)) on an existing group is
        therefore not detected and not sent. Change it together with another field, or in the Qualys UI.
    type: str
  location:
    description:
      - Location of the group. V("") clears it.
      - Write-only. Qualys accepts it when a group is created or edited, but no documented list reply carries it,
        so the module cannot read it back. It is sent when the group is created, and sent again whenever the
        task changes another field of the group; it is compared only if the reply of your Qualys platform does
        carry it.
      - A change of only this field (or only O(division), O(function) and O(location)) on an existing group is
        therefore not detected and not sent. Change it together with another field, or in the Qualys UI.
    type: str
  business_impact:
    description:
      - Business impact of the assets in the group. Qualys gives new groups V(medium).
      - The lowest level is called Minor in the Qualys UI and C(none) in the API reference; this module calls it
        V(minor), sends C(none), and reads either as V(minor).
    type: str
    choices: [critical, high, medium, low, minor]
  default_appliance_id:
    description: ID of the scanner appliance used by default for the group.
    type: int
  appliance_ids:
    description: IDs of the scanner appliances of the group (compared as a set). V([]) removes them all.
    type: list
    elements: int
  dns_names:
    description: DNS host names of the group (compared as a set). V([]) removes them all.
    type: list
    elements: str
  netbios_names:
    description: NetBIOS host names of the group (compared as a set). V([]) removes them all.
    type: list
    elements: str
  domains:
    description:
      - Domains of the group (compared as a set), each V(example.com) or, with a netblock, V(example.com:[10.0.0.0-10.0.0.255]).
      - V([]) removes them all.
    type: list
    elements: str
  cvss_enviro_cdp:
    description: CVSS environmental metric Collateral Damage Potential of the group.
    type: str
    choices: [high, medium-high, low-medium, low, none]
  cvss_enviro_td:
    description: CVSS environmental metric Target Distribution of the group.
    type: str
    choices: [high, medium, low, none]
  cvss_enviro_cr:
    description: CVSS environmental metric Confidentiality Requirement of the group.
    type: str
    choices: [high, medium, low]
  cvss_enviro_ir:
    description: CVSS environmental metric Integrity Requirement of the group.
    type: str
    choices: [high, medium, low]
  cvss_enviro_ar:
    description: CVSS environmental metric Availability Requirement of the group.
    type: str
    choices: [high, medium, low]
notes:
  - The group is read with only the attributes of the options you set (C(show_attributes)); RV(asset_group) and the diff
    hold those fields, plus C(id) and C(title). Use M(scanops.qualys.qualys_asset_group_info) for the whole record.
  - O(division), O(function) and O(location) are write-only (see each option). Qualys documents no C(show_attributes)
    name for them and no list reply that carries them; when one of them is set, the group is read with
    C(show_attributes=ALL), the only read that could return them.
  - Qualys stores IP lists as single addresses and ranges. Server lists are normalised (merged and sorted) before they
    are compared, so an equivalent list never causes a write.
  - An asset group cannot be assigned to another network, or its owner changed, through this API.
seealso:
  - module: scanops.qualys.qualys_asset_group_info
  - module: scanops.qualys.qualys_tag
"""

EXAMPLES = r"""
- name: Manage the asset scope of the scan service user
  module_defaults:
    group/scanops.qualys.qualys:
      platform: US2
      username: "{{ qualys_username }}"
      password: "{{ qualys_password }}"
  block:
    - name: Ensure the DMZ asset group holds exactly these addresses
      scanops.qualys.qualys_asset_group:
        title: DMZ web servers
        ips:
          - 192.168.1.0/28
          - 192.168.1.20-192.168.1.30
          - 192.168.1.99
        business_impact: high
        comments: Managed by Ansible
      register: dmz

    - name: Add one address, keeping the others
      scanops.qualys.qualys_asset_group:
        title: DMZ web servers
        ips: [192.168.1.100]
        ips_mode: add

    - name: Rename the group found by its ID
      scanops.qualys.qualys_asset_group:
        id: "{{ dmz.asset_group.id }}"
        title: DMZ web tier

    - name: Delete the group
      scanops.qualys.qualys_asset_group:
        title: DMZ web tier
        state: absent
"""

RETURN = r"""
asset_group:
  description:
    - The asset group after the task (predicted in check mode); empty when the group is absent.
    - Holds C(id), C(title) and the fields the task manages.
  returned: always
  type: dict
  contains:
    id:
      description: ID of the group (not known in check mode when the group would be created).
      type: int
      sample: 2000042
    title:
      description: Title of the group.
      type: str
      sample: DMZ web servers
    ips:
      description: The addresses of the group as Qualys reports them (single addresses and C(a-b) ranges), merged and sorted.
      type: list
      elements: str
      sample: [192.168.1.0-192.168.1.15, 192.168.1.20-192.168.1.30, 192.168.1.99]
    comments:
      description: Comments on the group.
      type: str
    division:
      description:
        - Division of the group, only when this task sent it or Qualys reported it (no documented reply does).
        - Absent when the task leaves it unknown, which does not mean the group has none.
      type: str
    function:
      description: Function of the group, under the same conditions as RV(asset_group.division).
      type: str
    location:
      description: Location of the group, under the same conditions as RV(asset_group.division).
      type: str
    business_impact:
      description: Business impact, in lower case (V(minor) for the lowest level).
      type: str
      sample: high
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
      description: CVSS Collateral Damage Potential in lower case; null when Qualys reports it as Not Defined.
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

from ansible_collections.scanops.qualys.plugins.module_utils import ip_sets
from ansible_collections.scanops.qualys.plugins.module_utils import qualys_asset_groups as groups
from ansible_collections.scanops.qualys.plugins.module_utils import qualys_formats as formats
from ansible_collections.scanops.qualys.plugins.module_utils.qualys_module import QualysResourceModule

ALL_REFUSED = ("The asset group 'All' is built into Qualys and holds every asset of the subscription; "
               "it cannot be created, changed or deleted. Choose another title.")

ARGUMENT_SPEC = dict(
    id=dict(type="int"),
    title=dict(type="str"),
    state=dict(type="str", choices=["present", "absent"], default="present"),
    ips=dict(type="list", elements="str"),
    ips_mode=dict(type="str", choices=["set", "add", "remove"], default="set"),
    comments=dict(type="str"),
    division=dict(type="str"),
    function=dict(type="str"),
    location=dict(type="str"),
    business_impact=dict(type="str", choices=list(groups.BUSINESS_IMPACTS)),
    default_appliance_id=dict(type="int"),
    appliance_ids=dict(type="list", elements="int"),
    dns_names=dict(type="list", elements="str"),
    netbios_names=dict(type="list", elements="str"),
    domains=dict(type="list", elements="str"),
)
ARGUMENT_SPEC.update((name, dict(type="str", choices=list(choices))) for name, choices in groups.CVSS_CHOICES.items())

NAME_LISTS = ("dns_names", "netbios_names", "domains")


class AssetGroupModule(QualysResourceModule):
    result_key = "asset_group"
    # Several users may share one scope, converged by parallel forks: when a create is refused
    # because another run just made the same asset group, converge that one.
    recheck_failed_create = True

    def __init__(self):
        super(AssetGroupModule, self).__init__(ARGUMENT_SPEC, required_one_of=[("id", "title")])
        self.title = self.params["title"].strip() if self.params["title"] is not None else None
        self.wanted_ips = None
        # The fields this task manages: only these are read, compared and returned.
        self.fields = [name for name in groups.FIELDS if name != "title" and self.params[name] is not None]

    def validate(self):
        params = self.params
        if groups.is_all_group(self.title):
            self.fail(ALL_REFUSED)
        if self.title == "":
            self.fail("title must not be empty.")
        for name in ("id", "default_appliance_id"):
            if params[name] is not None and params[name] < 1:
                self.fail("%s must be a positive integer, got %s." % (name, params[name]))
        if any(value < 1 for value in params["appliance_ids"] or []):
            self.fail("appliance_ids must hold positive integers, got %s." % params["appliance_ids"])
        for name in NAME_LISTS:
            bad = [value for value in params[name] or [] if "," in value]
            if bad:
                self.fail("%s: %r holds a comma; give one name per list item." % (name, bad[0]))
        if params["ips"] is not None:
            try:
                self.wanted_ips = ip_sets.normalize(params["ips"], "ips")
            except ValueError as exc:
                self.fail(str(exc))

    # -- read ------------------------------------------------------------

    def find(self):
        present = self.params["state"] == "present"
        fields = self.fields if present else []
        group_id = self.params["id"]
        if group_id is not None:
            found = [group for group in groups.list_asset_groups(self.client, {"ids": str(group_id)}, fields)
                     if group["id"] == group_id]
            if not found and present:
                self.fail("No asset group has id %s. To create a group, give its title without an id." % group_id)
        else:
            found = [group for group in groups.list_asset_groups(self.client, {"title": self.title}, fields)
                     if group["title"] == self.title]
            if len(found) > 1:
                self.fail("%d asset groups are titled %r (ids %s); set id to choose one."
                          % (len(found), self.title, ", ".join(str(group["id"]) for group in found)))
        group = found[0] if found else None
        if group is not None and groups.is_all_group(group["title"]):
            self.fail(ALL_REFUSED)
        return group

    def desired(self, current):
        params = self.params
        wanted = {"title": self.title if self.title is not None else current["title"]}
        for name in self.fields:
            value = params[name]
            if name == "ips":
                value = self._desired_ips(current)
            elif name == "appliance_ids":
                value = sorted(set(value))
            elif name == "domains":
                value = groups.names_list(groups.domain_entry(entry) for entry in value)
            elif name in NAME_LISTS:
                value = groups.names_list(value)
            wanted[name] = value
        return wanted

    def compare(self, current, desired):
        """Fields that differ; a write-only field Qualys did not report is only sent along with another change.

        Comparing a field the reply does not carry would find it different on every run, so a task
        that sets one would never converge.
        """
        changes = {}
        unread = {}
        for name, value in desired.items():
            if value is None:
                continue
            if name in groups.WRITE_ONLY_FIELDS and name not in current:
                unread[name] = value
            elif current.get(name) != value:
                changes[name] = value
        if changes:
            changes.update(unread)
        return changes

    def _desired_ips(self, current):
        mode = self.params["ips_mode"]
        current_ips = current["ips"] if current is not None else []
        if mode == "add":
            return ip_sets.union(current_ips, self.wanted_ips)
        if mode == "remove":
            return ip_sets.difference(current_ips, self.wanted_ips)
        return self.wanted_ips

    # -- write -----------------------------------------------------------

    def create(self, desired):
        params = {"action": "add", "title": desired["title"]}
        for name in self.fields:
            wire = _wire_value(name, desired[name])
            if wire != "":
                params[name] = wire
        reply = formats.simple_return(self.client.fo(groups.ASSET_GROUP_PATH, params, write=True))
        created = dict((name, value) for name, value in desired.items() if value is not None)
        created["id"] = _int(reply["items"].get("ID"))
        if created["id"] is None:
            # Qualys does not always return the new ID; the title finds it.
            found = self.find()
            created["id"] = found["id"] if found else None
        return created

    def update(self, current, changes):
        params = {"action": "edit", "id": str(current["id"])}
        for name, value in changes.items():
            if name == "ips":
                params.update(self._ips_change(current["ips"], value))
            else:
                params["set_" + name] = _wire_value(name, value)
        # Every set_/add_/remove_ value is absolute, so repeating the call is safe.
        self.client.fo(groups.ASSET_GROUP_PATH, params, write=True, idempotent=True)

    def _ips_change(self, current_ips, new_ips):
        mode = self.params["ips_mode"]
        if mode == "add":
            return {"add_ips": ip_sets.to_qualys(ip_sets.difference(new_ips, current_ips))}
        if mode == "remove":
            return {"remove_ips": ip_sets.to_qualys(ip_sets.difference(current_ips, new_ips))}
        return {"set_ips": ip_sets.to_qualys(new_ips)}

    def delete(self, current):
        self.client.fo(groups.ASSET_GROUP_PATH, {"action": "delete", "id": str(current["id"])}, write=True)


def _wire_value(name, value):
    """A field value as Qualys expects it in a form parameter."""
    if name == "ips":
        return ip_sets.to_qualys(value)
    if name == "business_impact":
        return groups.BUSINESS_IMPACT_WIRE.get(value, value)
    if isinstance(value, list):
        return ",".join(str(item) for item in value)
    return str(value)


def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def main():
    module = AssetGroupModule()
    module.execute(module.run)


if __name__ == "__main__":
    main()
