#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) scanops.qualys contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: qualys_role
short_description: Check, or (experimental) define, a Qualys Administration role (API Access, UI Access, permissions)
version_added: 0.1.0
description:
  - Checks that a role of the Qualys Administration utility (enhanced RBAC) exists, or, experimentally, creates, updates
    or deletes it, that is its description, its C(API Access) and C(UI Access) flags and its module permissions.
  - The role is found by its exact name. Only the fields that differ are sent; permissions are compared regardless of order.
  - Assigning the role to users is not done here, but by the C(roles) option of M(scanops.qualys.qualys_service_user).
  - By default (O(manage_definition=false)) the module only checks that the role exists and writes nothing, because
    Qualys publishes no API that creates or changes a role. Defining roles with O(manage_definition=true) is
    B(experimental) as it uses our guess of that API, labelled as such and kept in one adapter,
    C(plugins/module_utils/qualys_role_adapter.py).
  - When the subscription does not offer the role definition API, the module says how to create the role by hand in
    the Qualys UI and checks through the documented user search whether a role of that name exists (some user holds
    it); with O(manage_definition=true) the task then fails.
author:
  - scanops.qualys maintainers (@scanops)
extends_documentation_fragment:
  - scanops.qualys.qualys
  - scanops.qualys.qualys.action_group
  - scanops.qualys.qualys.attributes
attributes:
  check_mode:
    support: full
    details:
      - Check mode writes nothing. With O(manage_definition=false) it makes the same read-only check as a real run, so a
        role that does not exist fails the task in check mode too, naming it.
      - With O(manage_definition=true), a role that does not exist yet is predicted (a change, and a RV(role) whose
        C(id) is null). A later M(scanops.qualys.qualys_service_user) task that assigns it in the same run lists it in
        O(scanops.qualys.qualys_service_user#module:pending_roles), so that its assignment is predicted too instead of
        failing on a role that does not exist yet.
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
      - V(present) checks that the role exists, or with O(manage_definition=true) creates or updates it.
      - V(absent) deletes the role; it needs O(manage_definition=true).
    type: str
    choices: [present, absent]
    default: present
  manage_definition:
    description:
      - V(false) never writes. It only checks that a role called O(name) exists and returns what can be read of it;
        roles are created by hand in the Qualys UI (Administration > Roles). Needs O(state=present). A difference
        between the role and this task is reported as a warning.
      - V(true) is B(experimental). It creates, updates or deletes the role through the role definition API, which
        Qualys does not document; the calls are our labelled guess, kept in C(plugins/module_utils/qualys_role_adapter.py).
        Use it only after confirming that guess against your subscription (see C(docs/role-definitions.md)).
      - Without the role API, existence is checked through the documented user search (C(roleName) filter), which sees
        only roles that some user holds; see RV(role_exists).
    type: bool
    default: false
notes:
  - B(The role definition API is not publicly documented by Qualys.) The calls this module makes
    (C(/qps/rest/2.0/{search,create,update,delete}/am/role)) are modelled on the documented C(am/user) API and live in
    one file, C(plugins/module_utils/qualys_role_adapter.py). Confirm them against the Administration API guide of your
    subscription; see C(docs/role-definitions.md) in the collection for what is documented and what is a guess.
  - The subscription is taken as not offering the role API when the first role search gets anything but a clean
    answer (HTTP 200, JSON, responseCode C(SUCCESS)), for example another HTTP status, another QPS C(responseCode), or
    an HTML or XML page. The message quotes that answer and lists the name, the access flags and the permissions to
    set by hand; with O(manage_definition=true) the failed result also carries them as C(required_role), with
    C(role_api_available=false) and C(role_exists).
  - The caller needs a role that may manage roles (Manager or Super User in the Administration utility).
seealso:
  - module: scanops.qualys.qualys_role_info
  - module: scanops.qualys.qualys_service_user
"""

EXAMPLES = r"""
- name: A read-only API role for a scanner integration (experimental, the role API is a guess)
  scanops.qualys.qualys_role:
    name: scanops-api-readonly
    manage_definition: true
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

- name: Only check that a role created by hand exists (the default)
  scanops.qualys.qualys_role:
    name: scanops-api-readonly
    permissions:
      VM: [View]
  register: role_check

- name: Remove the role (experimental)
  scanops.qualys.qualys_role:
    name: scanops-api-readonly
    manage_definition: true
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
  returned: when O(manage_definition=false), and in the failed result of O(manage_definition=true) without the role API
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
            manage_definition=dict(type="bool", default=False),
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
            self.fail("state=absent deletes a role definition and needs manage_definition=true (experimental); "
                      "manage_definition=false, the default, only checks that a role exists and supports only "
                      "state=present")

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
            self.fail_not_offered(exc)
        result.update(role_api_available=True, permissions_known=True)
        return result

    def fail_not_offered(self, exc):
        """manage_definition=true without the role API: say what to do by hand, and whether the role exists."""
        name = self.params["name"]
        wanted = self.desired(None)
        # The documented user search; its own error (a wrong password, no Manager rights) is the real problem.
        holder = self.adapter.find_holder(name)
        if self.params["state"] == "absent":
            steps = manual_instructions(wanted, "delete")
        elif holder:
            steps = manual_instructions(dict(wanted, permissions=self.permissions), exists=True)
        else:
            steps = "No user holds a role called '%s'. %s" % (name, manual_instructions(wanted))
        if self.params["state"] == "present":
            steps += (" Then run this task with manage_definition=false (the default), which only checks that the "
                      "role exists.")
        self.fail("%s. %s" % (exc.message, steps), role_api_available=False, required_role=self.view(wanted),
                  role_exists=True if holder else None, **exc.as_result())

    def check_exists(self):
        """manage_definition=false: read only, through the role API or the documented user search."""
        name = self.params["name"]
        result = dict(changed=False, role_api_available=True, permissions_known=True)
        try:
            role = self.adapter.find(name)
        except RoleApiUnavailable as exc:
            result.update(role_api_available=False, permissions_known=False)
            role = self.adapter.find_holder(name)
            if role is None:
                self.module.warn(
                    "%s, and no user holds a role called %r, so its existence cannot be checked; assigning it to a user "
                    "will fail if it does not exist. %s" % (exc.message, name, manual_instructions(self.desired(None))))
            else:
                self.module.warn(manual_instructions(dict(self.desired(None), permissions=self.permissions), exists=True))
            result.update(role=self.view(role or {"name": name}), role_exists=True if role else None)
            return result
        if role is None:
            self.fail("No role called %r exists. %s Or set manage_definition=true (experimental) to create it through "
                      "the role API." % (name, manual_instructions(self.desired(None))),
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
