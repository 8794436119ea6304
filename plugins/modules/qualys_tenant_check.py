#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) scanops.qualys contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: qualys_tenant_check
short_description: Check what the collection assumes about a Qualys subscription
version_added: 0.1.0
description:
  - Checks, one verdict per assumption, the facts about a Qualys subscription that the collection relies on, and
    which public documentation does not settle. Run it once, with a Manager account, before trusting the collection
    with a subscription.
  - 'Each assumption gets a verdict: V(confirmed), V(contradicted) or V(not_checked), with short evidence.'
  - A failing call becomes a verdict, not a task failure. Only bad input fails the task.
  - 'Read-only by default. The checked assumptions are: the API server answers; the gateway issues a token; VM/PC
    replies carry the limit headers, and how C(X-Concurrency-Limit-Running) counts; which asset group fields an
    asset group list with C(show_attributes=ALL) carries; which fields tag search replies carry, and the markers of
    the tags under C(Asset Groups) and C(Business Units); whether the (guessed) role definition API is offered;
    whether the classic user APIs answer (else whether C(search am/user) does, as on an enhanced-RBAC subscription);
    and whether an OIDC client works.'
  - It also reports which user back-end answers (RV(user_backend)), for the connection option O(user_api) that
    M(scanops.qualys.qualys_service_user) needs, from the classic C(/msp/user_list.php), and the Administration user list
    (C(POST /adminui/user-management/v1/users), one page of one user, with a token from the gateway, at O(admin_url)
    or the API server). When only the back-end O(user_api) does not name answers, a warning says which to set.
  - With O(writes=true), it also creates, reads back and deletes a throwaway tag (with a V(NETWORK_RANGE) rule on
    the documentation range C(192.0.2.0/24) and one child) and a throwaway asset group, named C(scanops-tenant-check-)
    plus a random suffix. They are deleted even when a step fails; any that could not be deleted is listed in
    RV(leftovers).
  - With O(writes=true) and O(throwaway_user), it also resets the password of that user with
    C(/msp/password_change.php) and C(email=0), to confirm that the reply carries the new password. The password is
    never returned or shown.
author:
  - scanops.qualys maintainers (@scanops)
extends_documentation_fragment:
  - scanops.qualys.qualys
  - scanops.qualys.qualys.action_group
  - scanops.qualys.qualys.attributes
attributes:
  check_mode:
    support: full
    details: In check mode no write is made; the write checks are V(not_checked).
  diff_mode:
    support: none
options:
  writes:
    description:
      - Also run the write checks (throwaway tag, throwaway asset group, and the password reset of O(throwaway_user)).
      - The throwaway objects are deleted at once; the password reset lasts.
    type: bool
    default: false
  throwaway_user:
    description:
      - Login of a throwaway service user whose password the check may reset, to confirm that Qualys returns the new
        password. Without it the password check is V(not_checked).
      - Used only with O(writes=true). Never the user the check runs as, never C(all), and one login only.
      - The old password of this user stops working; the new one is not returned.
    type: str
notes:
  - The role definition check sends one search to the role API the collection guesses (C(search am/role)); on a
    subscription without it, the expected verdict is V(confirmed) (not offered).
  - The task reports C(changed) when the check made any write call.
seealso:
  - module: scanops.qualys.qualys_connection_info
  - module: scanops.qualys.qualys_role
"""

EXAMPLES = r"""
- name: Check a subscription before using the collection with it
  module_defaults:
    group/scanops.qualys.qualys:
      platform: US2
      username: "{{ qualys_username }}"
      password: "{{ qualys_password }}"
  block:
    - name: Read-only checks
      scanops.qualys.qualys_tenant_check:
      register: tenant

    - name: Show the verdicts
      ansible.builtin.debug:
        msg: "{{ tenant.assumptions | map(attribute='id') | zip(tenant.assumptions | map(attribute='verdict')) | list }}"

    - name: Also the write checks, with a throwaway service user
      scanops.qualys.qualys_tenant_check:
        writes: true
        throwaway_user: acme_ts42
"""

RETURN = r"""
assumptions:
  description: One entry per assumption, always all of them, in a fixed order.
  returned: always
  type: list
  elements: dict
  contains:
    id:
      description:
        - Short name of the assumption.
        - One of V(api_server_reachable), V(gateway_token), V(limit_headers), V(concurrency_running_counts_self),
          V(asset_group_list_fields), V(tag_search_fields), V(system_tag_markers), V(role_api_not_offered),
          V(classic_user_api), V(oidc_client), V(tag_write_cycle), V(asset_group_write_cycle),
          V(password_reset_returns_password).
      type: str
      sample: limit_headers
    title:
      description: What is assumed, in one sentence.
      type: str
      sample: VM/PC replies carry the X-RateLimit-* and X-Concurrency-Limit-* headers
    verdict:
      description: V(confirmed), V(contradicted) or V(not_checked).
      type: str
      sample: confirmed
    evidence:
      description: What the check saw, in one line; never a secret.
      type: str
      sample: All 6 in each of 3 VM/PC replies (first ...).
    source:
      description: Where the assumption comes from.
      type: str
    why:
      description: Why it matters to the collection.
      type: str
summary:
  description: How many assumptions got each verdict.
  returned: always
  type: dict
  contains:
    confirmed:
      description: Number of V(confirmed) verdicts.
      type: int
    contradicted:
      description: Number of V(contradicted) verdicts.
      type: int
    not_checked:
      description: Number of V(not_checked) verdicts.
      type: int
    total:
      description: Number of assumptions.
      type: int
  sample: {"confirmed": 9, "contradicted": 1, "not_checked": 3, "total": 13}
writes:
  description: Whether the write checks ran (O(writes=true) and not check mode).
  returned: always
  type: bool
leftovers:
  description: Throwaway objects that could not be deleted; delete them by hand. Empty normally.
  returned: always
  type: list
  elements: str
  sample: []
endpoints:
  description: The API server and gateway URLs the check used.
  returned: always
  type: dict
  contains:
    api_url:
      description: The API server URL.
      type: str
      sample: https://qualysapi.qg2.apps.qualys.com
    gateway_url:
      description: The gateway URL, or null when none is known.
      type: str
      sample: https://gateway.qg2.apps.qualys.com
user_backend:
  description: Which user back-end answers on this subscription (O(user_api)).
  returned: always
  type: dict
  contains:
    configured:
      description: The back-end O(user_api) names, V(classic) or V(rbac).
      type: str
      sample: classic
    answers:
      description:
        - V(classic) (only the classic user APIs answer), V(rbac) (only the Administration user API answers, as on an
          enhanced-RBAC subscription), V(both), V(none), or V(unknown) (one of them could not be asked, or the API
          server could not be used).
      type: str
      sample: classic
    classic:
      description: Whether C(/msp/user_list.php) answered a user list; null when it could not be asked.
      type: bool
    rbac:
      description: Whether the Administration user list answered; null when it could not be asked.
      type: bool
    evidence:
      description: What each call answered, in short.
      type: str
"""

from ansible_collections.scanops.qualys.plugins.module_utils import qualys_tenant_check as tenant
from ansible_collections.scanops.qualys.plugins.module_utils.qualys_module import QualysModule


def main():
    module = QualysModule(
        argument_spec=dict(
            writes=dict(type="bool", default=False),
            throwaway_user=dict(type="str"),
        ),
    )
    try:
        tenant.validate(module.params)
    except ValueError as exc:
        module.fail(str(exc))
    module.execute(lambda: tenant.TenantCheck(module.client, module.params, check_mode=module.check_mode,
                                              keep_secret=module.keep_secret, warn=module.module.warn).run())


if __name__ == "__main__":
    main()
