#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) scanops.qualys contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: qualys_service_user_info
short_description: List Qualys users with their asset groups, roles and status
version_added: 0.1.0
description:
  - Lists the Qualys users the calling user can see (C(/msp/user_list.php)), with their VM role, asset groups and
    status, and, where the Administration user API (C(/qps/rest/2.0/search/am/user)) is available to the caller,
    their Administration roles and scope tags.
  - Never returns a password; Qualys does not return them in listings.
  - With O(external_id) Qualys filters the users server side (C(external_id_contains)) and the exact match is made by
    the module; the other filters are applied to the listing.
  - With O(user_api=rbac) (an enhanced-RBAC subscription, where C(user_list.php) is retired) the users come from the
    Administration user API (C(POST /adminui/user-management/v1/users), every page), which shows the names, e-mail,
    title, status, VM role and external ID (the latter assumed, see M(scanops.qualys.qualys_service_user)); the
    postal address, phone, business unit and creation date are null, and RV(users[].asset_groups) is empty (such a
    user is scoped by tags).
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
  external_id:
    description: Only the user with exactly this external ID.
    type: str
  external_id_contains:
    description: Only users whose external ID contains this text (case-sensitive), for example a naming prefix.
    type: str
  login:
    description: Only the user with this login.
    type: str
  user_role:
    description: Only users with this VM user role.
    type: str
    choices: [manager, unit_manager, administrator, scanner, reader, contact]
  status:
    description: Only users in this status.
    type: str
    choices: [active, inactive, pending_activation]
  include_admin:
    description:
      - Read the Administration roles and scope tags of the users (C(search/am/user)). One call for a single user,
        one listing (paged) for several.
      - When the caller cannot use that API (it needs a Manager; enhanced RBAC is not required, the API is documented
        with Basic authentication) or the platform does not offer it, RV(users[].roles) and RV(users[].scope_tags)
        are null and a warning says why.
      - Several users are read with a search whose criterion matches every user (C(id GREATER 0)), since the documented
        C(am/user) searches always name a criterion; a search without one is not relied upon.
    type: bool
    default: true
notes:
  - C(user_list.php) filters only by external ID; the other filters are applied after listing every user the caller
    may see.
seealso:
  - module: scanops.qualys.qualys_service_user
"""

EXAMPLES = r"""
- name: Read the scanning service user
  scanops.qualys.qualys_service_user_info:
    external_id: svc-scanner-prod
  register: found

- name: Show its asset groups and roles
  ansible.builtin.debug:
    msg: "{{ found.users[0].asset_groups }} / {{ found.users[0].roles }}"
  when: found.users | length == 1

- name: Every inactive service user of the svc- family
  scanops.qualys.qualys_service_user_info:
    external_id_contains: svc-
    status: inactive
    include_admin: false
  register: retired
"""

RETURN = r"""
users:
  description: The users that match, sorted by login.
  returned: always
  type: list
  elements: dict
  contains:
    id:
      description: The Qualys user ID.
      type: int
      sample: 7000002
    login:
      description: The login.
      type: str
      sample: scanops_sp1
    external_id:
      description: The external ID, or null.
      type: str
      sample: svc-scanner-prod
    status:
      description: V(active), V(inactive) or V(pending_activation).
      type: str
      sample: active
    user_role:
      description: The VM user role (V(reader), V(scanner), V(unit_manager), V(manager), V(administrator), V(contact)).
      type: str
      sample: reader
    business_unit:
      description: The business unit.
      type: str
      sample: Unassigned
    asset_groups:
      description: Titles of the asset groups assigned to the user, sorted (a Manager sees all and lists none).
      type: list
      elements: str
      sample: [Prod web servers]
    roles:
      description: Names of the Administration roles, sorted; null when they could not be read.
      type: list
      elements: str
      sample: [API Read Only]
    scope_tags:
      description: Names of the scope tags, sorted; null when they could not be read.
      type: list
      elements: str
      sample: []
    creation_date:
      description: When the user was created.
      type: str
      sample: "2025-01-31T12:00:00Z"
    last_login_date:
      description: The last login, or null when the user never logged in.
      type: str
      sample: "2025-02-01T08:30:00Z"
    first_name:
      description: First name; also V(last_name), V(title), V(email), V(phone), V(address1), V(address2), V(city),
        V(zip_code), V(country) and V(address_state) (the address state or province).
      type: str
      sample: Scan
"""

from ansible_collections.scanops.qualys.plugins.module_utils import qualys_admin_users as admin_users
from ansible_collections.scanops.qualys.plugins.module_utils import qualys_users as users
from ansible_collections.scanops.qualys.plugins.module_utils.qualys_errors import QualysError
from ansible_collections.scanops.qualys.plugins.module_utils.qualys_module import QualysModule

ARGUMENT_SPEC = dict(
    external_id=dict(type="str"),
    external_id_contains=dict(type="str"),
    login=dict(type="str"),
    user_role=dict(type="str", choices=sorted(users.USER_ROLES)),
    status=dict(type="str", choices=sorted(users.STATUSES.values())),
    include_admin=dict(type="bool", default=True),
)


class ServiceUserInfoModule(QualysModule):

    def __init__(self):
        super(ServiceUserInfoModule, self).__init__(ARGUMENT_SPEC, mutually_exclusive=[("external_id", "external_id_contains")])

    def run(self):
        params = self.params
        contains = params["external_id"] or params["external_id_contains"]
        found = users.user_backend(self.client).list_users(external_id_contains=contains)
        if params["external_id"]:
            found = [user for user in found if user["external_id"] == params["external_id"]]
        for key in ("login", "user_role", "status"):
            if params[key]:
                found = [user for user in found if user[key] == params[key]]
        found.sort(key=lambda user: user["login"] or "")
        admin = self._admin(found) if params["include_admin"] and found else {}
        for user in found:
            entry = admin.get(user["login"])
            user["roles"] = sorted(entry["roles"]) if entry else None
            user["scope_tags"] = sorted(entry["scope_tags"]) if entry else None
        return dict(changed=False, users=found)

    def _admin(self, found):
        """Roles and scope tags by login, or {} (with a warning) where am/user cannot be used."""
        try:
            if len(found) == 1:
                entry = admin_users.admin_user(self.client, found[0]["login"])
                return {found[0]["login"]: entry} if entry else {}
            return admin_users.admin_users(self.client)
        except QualysError as exc:
            if not admin_users.admin_api_unavailable(exc):
                raise
            self.module.warn("Roles and scope tags were not read: the Administration user API (am/user) is not "
                             "available to this user here (%s)." % exc.message)
            return {}


def main():
    module = ServiceUserInfoModule()
    module.execute(module.run)


if __name__ == "__main__":
    main()
