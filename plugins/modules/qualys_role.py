#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) scanops.qualys contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: qualys_role
short_description: Manage a Qualys Administration role definition (API Access, UI Access, permissions)
version_added: 0.1.0
description:
  - Creates, updates or deletes a role of the Qualys Administration utility (enhanced RBAC), that is its description, its
    C(API Access) and C(UI Access) flags and its module permissions.
  - The role is found by its exact name. Only the fields that differ are sent; permissions are compared regardless of order.
  - Assigning the role to users is not done here, but by the C(roles) option of M(scanops.qualys.qualys_service_user).
  - When the subscription does not offer the role definition API, the task fails with what to create by hand, unless
    O(manage_definition=false), in which case it only checks that the role exists.
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
      - Exact name of the role (case-sensitive). Identifies the role; the module never renames one.
    type: str
    required: true
  description:
    description:
      - Description of the role.
      - When omitted, an existing description is left as it is (a new role gets an empty one).
    type: str
  api_access:
    description:
      - Whether users holding this role may use the Qualys API (the C(API Access) permission).
    type: bool
    default: true
  ui_access:
    description:
      - Whether users holding this role may log in to the Qualys web UI (the C(UI Access) permission).
      - A service account needs only API access, so the default is off.
    type: bool
    default: false
  permissions:
    description:
      - "Module permissions of the role, as a mapping of module to a list of permission names,
        for example C({VM: [View], AM: [Read Asset]})."
      - The list replaces every permission of the role. Order and duplicates do not matter; a module with an empty list
        is the same as no entry.
      - Module and permission identifiers are those of your subscription's Administration utility (case-sensitive).
      - When omitted, the permissions of an existing role are left as they are (a new role gets none).
    type: dict
  state:
    description:
      - V(present) creates or updates the role, V(absent) deletes it.
    type: str
    choices: [present, absent]
    default: present
  manage_definition:
    description:
      - V(true) manages the role definition through the role API.
      - V(false) never writes. It only checks that a role called O(name) exists and returns what can be read of it.
        Use it when roles are created by hand in the Administration utility, for example when the subscription does not
        offer the role API. Needs O(state=present).
      - With V(false) and no role API, existence is checked through the documented user search (C(roleName) filter),
        which sees only roles that some user holds; see RV(role_exists).
    type: bool
    default: true
notes:
  - B(The role definition API is not publicly documented by Qualys.) The calls this module makes
    (C(/qps/rest/2.0/{search,create,update,delete}/am/role)) are modelled on the documented C(am/user) API and live in
    one file, C(plugins/module_utils/qualys_role_adapter.py). Confirm them against the Administration API guide of your
    subscription; see C(docs/role-definitions.md) in the collection for what is documented and what is a guess.
  - The subscription is taken as not offering the role API when it answers HTTP 404 (or a QPS code saying so). The
    failure message then lists the name, the access flags and the permissions to set by hand; the failed result also
    carries them as C(required_role) and C(role_api_available=false).
  - The caller needs a role that may manage roles (Manager or Super User in the Administration utility).
seealso:
  - module: scanops.qualys.qualys_role_info
  - module: scanops.qualys.qualys_service_user
"""

EXAMPLES = r"""
- name: A read-only API role for a scanner integration
  scanops.qualys.qualys_role:
    name: scanops-api-readonly
    description: Read-only API access for the scan pipeline
    api_access: true
    ui_access: false
    permissions:
      VM: [View]
      AM: [Read Asset]
  module_defaults:
    group/scanops.qualys.qualys:
      platform: US2
      username: "{{ qualys_admin_login }}"
      password: "{{ qualys_admin_password }}"
  register: role

- name: Only check that a role created by hand exists
  scanops.qualys.qualys_role:
    name: scanops-api-readonly
    manage_definition: false
  register: role_check

- name: Remove the role
  scanops.qualys.qualys_role:
    name: scanops-api-readonly
    state: absent
"""

RETURN = r"""
role:
  description:
    - The role after the task (what it would be in check mode); empty after O(state=absent).
    - With O(manage_definition=false), the role as far as it could be read; unknown fields are null.
  returned: always
  type: dict
  contains:
    id:
      description: Id of the role; null when it is not known (for example a role created in check mode).
      type: int
      sample: 104
    name:
      description: Name of the role.
      type: str
      sample: scanops-api-readonly
    description:
      description: Description of the role; null when unknown.
      type: str
    api_access:
      description: Whether the role grants API access; null when unknown.
      type: bool
      sample: true
    ui_access:
      description: Whether the role grants UI access; null when unknown.
      type: bool
      sample: false
    permissions:
      description: Module permissions, module to sorted permission names; null when unknown.
      type: dict
      sample: {"AM": ["Read Asset"], "VM": ["View"]}
role_api_available:
  description: Whether the subscription answered the role definition API.
  returned: always
  type: bool
  sample: true
permissions_known:
  description:
    - Whether RV(role) shows the real definition of the role. False when the role API is not offered, because the
      permissions and access flags of a role cannot be read any other way.
  returned: always
  type: bool
  sample: true
role_exists:
  description:
    - Whether a role called O(name) exists. Null when it cannot be told, that is when the role API is not offered
      and no user holds the role (the documented user search sees only roles that are assigned).
  returned: when O(manage_definition=false)
  type: bool
  sample: true
"""

from ansible_collections.scanops.qualys.plugins.module_utils.qualys_module import QualysResourceModule
from ansible_collections.scanops.qualys.plugins.module_utils.qualys_role_adapter import (
    RoleAdapter,
    RoleApiUnavailable,
    manual_instructions,
    normalise_permissions,
)

FIELDS = ("id", "name", "description", "api_access", "ui_access", "permissions")


class QualysRole(QualysResourceModule):
    result_key = "role"
    # One role is typically shared by many service users, converged by parallel forks.
    recheck_failed_create = True

    def __init__(self):
        super(QualysRole, self).__init__(dict(
            name=dict(type="str", required=True),
            description=dict(type="str"),
            api_access=dict(type="bool", default=True),
            ui_access=dict(type="bool", default=False),
            permissions=dict(type="dict"),
            state=dict(type="str", choices=["present", "absent"], default="present"),
            manage_definition=dict(type="bool", default=True),
        ))
        self.permissions = None
        self._adapter = None

    @property
    def adapter(self):
        # Built on first use, so that bad input fails before any connection setup.
        if self._adapter is None:
            self._adapter = RoleAdapter(self.client)
        return self._adapter

    def validate(self):
        name = self.params["name"]
        if not name or not name.strip() or name != name.strip():
            self.fail("name must be a non-empty role name without leading or trailing spaces, got %r" % name)
        try:
            self.permissions = normalise_permissions(self.params["permissions"])
        except ValueError as exc:
            self.fail(str(exc))
        if not self.params["manage_definition"] and self.params["state"] == "absent":
            self.fail("manage_definition=false only checks that a role exists and supports only state=present")

    def find(self):
        return self.adapter.find(self.params["name"])

    def desired(self, current):
        new = current is None
        description = self.params["description"]
        return dict(
            name=self.params["name"],
            description=description if description is not None or not new else "",
            api_access=self.params["api_access"],
            ui_access=self.params["ui_access"],
            permissions=self.permissions if self.permissions is not None or not new else {},
        )

    def create(self, desired):
        return self.adapter.create(desired)

    def update(self, current, changes):
        self.adapter.update(current["id"], changes)

    def delete(self, current):
        self.adapter.delete(current["id"])

    def view(self, obj):
        return dict((field, obj.get(field)) for field in FIELDS)

    def run(self):
        if not self.params["manage_definition"]:
            self.validate()
            return self.check_exists()
        try:
            result = super(QualysRole, self).run()
        except RoleApiUnavailable as exc:
            action = "delete" if self.params["state"] == "absent" else "create"
            wanted = self.desired(None)
            self.fail("%s. %s" % (exc.message, manual_instructions(wanted, action)),
                      role_api_available=False, required_role=self.view(wanted), **exc.as_result())
        result.update(role_api_available=True, permissions_known=True)
        return result

    def check_exists(self):
        """manage_definition=false: read only, through the role API or the documented user search."""
        name = self.params["name"]
        result = dict(changed=False, role_api_available=True, permissions_known=True)
        try:
            role = self.adapter.find(name)
        except RoleApiUnavailable:
            result.update(role_api_available=False, permissions_known=False)
            role = self.adapter.find_holder(name)
            if role is None:
                self.module.warn(
                    "This subscription does not offer the role API, and no user holds a role called %r, so its existence "
                    "cannot be checked; assigning it to a user will fail if it does not exist. %s"
                    % (name, manual_instructions(self.desired(None))))
            result.update(role=self.view(role or {"name": name}), role_exists=True if role else None)
            return result
        if role is None:
            self.fail("No role called %r exists. %s" % (name, manual_instructions(self.desired(None))),
                      role_api_available=True, role_exists=False)
        drift = sorted(self.compare(role, self.desired(role)))
        if drift:
            self.module.warn("Role %r differs from this task in %s; manage_definition=false leaves it as it is."
                             % (name, ", ".join(drift)))
        result.update(role=self.view(role), role_exists=True)
        return result


def main():
    module = QualysRole()
    module.execute(module.run)


if __name__ == "__main__":
    main()
