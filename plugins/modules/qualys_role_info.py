#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) scanops.qualys contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: qualys_role_info
short_description: List Qualys Administration role definitions
version_added: 0.1.0
description:
  - Lists the roles of the Qualys Administration utility (enhanced RBAC) with their access flags and permissions,
    filtered by name on the server.
  - When the subscription does not offer the role definition API, returns no roles and RV(role_api_available=false)
    instead of failing, with a warning that quotes what the role search got back. Any answer other than a clean one
    (HTTP 200, JSON, responseCode C(SUCCESS)) counts as not offered.
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
    description:
      - Only the role with exactly this name (case-sensitive).
    type: str
  name_contains:
    description:
      - Only roles whose name contains this text.
    type: str
notes:
  - B(The role definition API is not publicly documented by Qualys.) This module uses the same guessed
    C(/qps/rest/2.0/search/am/role) call as M(scanops.qualys.qualys_role), kept with the other guessed calls in
    C(plugins/module_utils/qualys_role_adapter.py); see C(docs/role-definitions.md) in the collection for what to
    confirm against your subscription's Administration API guide.
  - Without O(name) or O(name_contains), every role of the subscription is listed (page by page).
seealso:
  - module: scanops.qualys.qualys_role
"""

EXAMPLES = r"""
- name: Roles whose name contains "scanops"
  scanops.qualys.qualys_role_info:
    name_contains: scanops
  module_defaults:
    group/scanops.qualys.qualys:
      platform: US2
      username: "{{ qualys_admin_login }}"
      password: "{{ qualys_admin_password }}"
  register: found

- name: Show which of them grant UI access
  ansible.builtin.debug:
    msg: "{{ found.roles | selectattr('ui_access') | map(attribute='name') | list }}"
"""

RETURN = r"""
roles:
  description: The roles found, sorted by name. Empty when the role API is not offered.
  returned: always
  type: list
  elements: dict
  contains:
    id:
      description: Id of the role.
      type: int
      sample: 104
    name:
      description: Name of the role.
      type: str
      sample: scanops-api-readonly
    description:
      description: Description of the role.
      type: str
    api_access:
      description: Whether the role grants API access.
      type: bool
      sample: true
    ui_access:
      description: Whether the role grants UI access.
      type: bool
      sample: false
    permissions:
      description: Module permissions, module to sorted permission names.
      type: dict
      sample: {"AM": ["Read Asset"], "VM": ["View"]}
role_api_available:
  description: Whether the subscription answered the role definition API.
  returned: always
  type: bool
  sample: true
"""

from ansible_collections.scanops.qualys.plugins.module_utils.qualys_module import QualysModule
from ansible_collections.scanops.qualys.plugins.module_utils.qualys_role_adapter import RoleAdapter, RoleApiUnavailable


def main():
    module = QualysModule(dict(
        name=dict(type="str"),
        name_contains=dict(type="str"),
    ), mutually_exclusive=[("name", "name_contains")])

    def run():
        params = module.params
        for option in ("name", "name_contains"):
            if params[option] is not None and not params[option].strip():
                module.fail("%s must not be empty; leave it out to list every role" % option)
        try:
            roles = RoleAdapter(module.client).search(name=params["name"], name_contains=params["name_contains"])
        except RoleApiUnavailable as exc:
            module.module.warn("%s; no roles can be listed." % exc.message)
            return dict(changed=False, roles=[], role_api_available=False)
        if params["name"] is not None:
            # EQUALS is exact on Qualys; keep the answer exact whatever the server does.
            roles = [role for role in roles if role["name"] == params["name"]]
        return dict(changed=False, roles=roles, role_api_available=True)

    module.execute(run)


if __name__ == "__main__":
    main()
