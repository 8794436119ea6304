#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) scanops.qualys contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: qualys_connection_info
short_description: Check which Qualys applications a set of credentials can use
version_added: 0.1.0
description:
  - Does what a connector's "test connection" button does, before any connector is configured. With the connection
    options of the task (platform or url, and a username and password or an OIDC client), it makes one cheap read on
    each chosen application and reports, per application, whether it works and, when it does not, the Qualys error
    code and text and what to fix.
  - V(vmdr) reads the VM/PC API (C(POST /api/2.0/fo/asset/host/vm/detection/) with C(action=list) and
    C(truncation_limit=1)), with Basic authentication, or with a token when O(auth_method) is V(jwt) or V(oidc).
  - V(fim), V(pm) and V(etm) read each application's API through the gateway with a JWT. The token is asked for once
    (C(/auth), or C(/auth/oidc) for an OIDC client).
  - V(fim) sends C(POST /fim/v2/events/count) with the JSON body C({}).
  - V(pm) sends C(GET /pm/v1/deploymentjobs/summary?platform=Windows&pageNumber=0&pageSize=1), the job list request
    of a public API client (qualysdk). An HTTP 400 from PM that does not refuse the credentials (no token, account or
    entitlement problem in its code or text) counts as healthy, with RV(applications.pm.note) saying so. The gateway
    accepted the token and PM itself answered, so PM is reachable and the user authorised, even if PM wants the
    request in another shape.
  - >-
    V(etm) sends C(POST /etm/api/rest/v1/reports/list) with the JSON body C({"offset": 0, "limit": 1}), as in the
    sample of the Qualys ETM API documentation.
  - Also reports whether the account has accepted the EULA and whether it has expired, the platform, and the rate and
    concurrency limits Qualys announced in its reply headers.
  - Never changes anything. A refused check is a result, not a task failure; use RV(healthy) or
    RV(applications) in C(failed_when) or C(assert) to stop a play.
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
  applications:
    description:
      - The applications to check, one call each (plus one token request when any gateway application is chosen).
    type: list
    elements: str
    choices: [vmdr, fim, pm, etm]
    default: [vmdr, fim, pm, etm]
notes:
  - The module checks the credentials of its own connection options. To check a service user, pass its login and
    password as O(username) and O(password) on that task (with C(no_log=true)), or its OIDC client as O(client_id) and
    O(client_secret).
  - Qualys answers a user whose roles do not allow API access exactly like a wrong password (C(Bad Login/Password),
    code 2000), so the module reports V(bad_login_or_no_api_access) and cannot tell the two apart.
  - The gateway refuses a token, without a reason, for a wrong password, an expired or inactive account and a user
    without API access alike; the VMDR check (Basic authentication) names the cause when it is chosen too.
  - Not confirmed against a live subscription are the FIM request (path and empty body as public clients send them),
    the PM request (path and query from a public client's source, not from a Qualys sample; no public source shows
    C(/pm/v1/deploymentjobs) without C(/summary)), the ETM reply (its request body is the documentation's sample), and
    the error replies of all three (HTTP 400, 401, 403, 404, 409 with code 2003, 429), which are mapped as the local
    simulator models them. The HTTP status and the reply text are always returned, whatever the mapping says.
  - C(X-Concurrency-Limit-Running) is reported as Qualys sends it. Qualys documents it as including the current call,
    while recorded live replies show 0 for a lone call; the limit handling is right under either meaning (a reply that
    was served is never taken for a limit refusal, even when Running equals the limit).
  - The VMDR read counts against the rate limit of the host detection API (one call per run).
  - Calls go through O(proxy_url), or through the proxy of the E(HTTPS_PROXY) environment variable unless
    E(NO_PROXY) names the host, as for every module of the collection. E(NO_PROXY) does not apply to O(proxy_url).
seealso:
  - module: scanops.qualys.qualys_service_user
"""

EXAMPLES = r"""
- name: Check every application with the connection of the play
  scanops.qualys.qualys_connection_info:
  register: qualys_health

- name: Stop when VMDR cannot be used
  ansible.builtin.assert:
    that: qualys_health.applications.vmdr.healthy
    fail_msg: "VMDR: {{ qualys_health.applications.vmdr.error_text }} -- {{ qualys_health.applications.vmdr.fix }}"

- name: Check the new service user before the connector is configured
  scanops.qualys.qualys_connection_info:
    username: "{{ service_user.credentials.login }}"
    password: "{{ service_user.credentials.password }}"
    applications: [vmdr]
  no_log: true
  register: service_user_health

- name: Check an OIDC client through the proxy of the connector host
  scanops.qualys.qualys_connection_info:
    platform: US3
    client_id: "{{ qualys_client_id }}"
    client_secret: "{{ qualys_client_secret }}"
    auth_method: oidc
    proxy_url: http://proxy.example.com:3128
    applications: [vmdr, pm]
  register: oidc_health
"""

RETURN = r"""
healthy:
  description: True when every chosen application is healthy.
  returned: always
  type: bool
  sample: false
applications:
  description:
    - One entry per chosen application, keyed V(vmdr), V(fim), V(pm) or V(etm).
  returned: always
  type: dict
  contains:
    vmdr:
      description:
        - The VMDR check. The V(fim), V(pm) and V(etm) entries have the same keys.
      type: dict
      returned: when V(vmdr) is checked
      contains:
        healthy:
          description: True when the read succeeded.
          type: bool
          sample: true
        called:
          description: False when the application was not called, because the gateway refused the token.
          type: bool
          sample: true
        endpoint:
          description: The call the check makes.
          type: str
          sample: POST /api/2.0/fo/asset/host/vm/detection/?action=list
        http_status:
          description: The HTTP status of the reply; null when there was none.
          type: int
          sample: 401
        error_code:
          description: The Qualys error code of a refused check (for example V(2000), V(2001), V(2003)), or null.
          type: str
          sample: "2000"
        error_text:
          description: What Qualys (or the connection) said, or null when the check passed.
          type: str
          sample: Bad Login/Password
        reason:
          description:
            - Why the check failed, or null when it passed.
            - V(bad_login_or_no_api_access), V(account_expired), V(account_inactive), V(eula_not_accepted),
              V(not_subscribed_or_no_permission), V(token_refused), V(token_rejected), V(not_available), V(limit),
              V(unreachable), V(server_error) or V(error).
          type: str
          sample: bad_login_or_no_api_access
        fix:
          description: What to do about it, or null when the check passed.
          type: str
          sample: Check the username and password (or client_id and client_secret).
        limits:
          description: The limit headers of this reply (same keys as RV(limits)); empty when it had none.
          type: dict
          sample: {}
        note:
          description:
            - A remark on a result that needs one, else null. Set when PM answered HTTP 400 to a request it did not
              refuse for the credentials (RV(applications.vmdr.healthy) is then true and
              RV(applications.vmdr.http_status) is 400); the note quotes PM's code and text.
          type: str
    fim:
      description: The FIM check (C(POST /fim/v2/events/count) on the gateway), keys as V(vmdr).
      type: dict
      returned: when V(fim) is checked
      contains:
        endpoint:
          description: The call the check makes.
          type: str
          sample: POST /fim/v2/events/count
    pm:
      description: >-
        The Patch Management check (C(GET /pm/v1/deploymentjobs/summary) with C(platform=Windows), C(pageNumber=0) and
        C(pageSize=1) on the gateway), keys as V(vmdr).
      type: dict
      returned: when V(pm) is checked
      contains:
        endpoint:
          description: The call the check makes (without its query).
          type: str
          sample: GET /pm/v1/deploymentjobs/summary
        note:
          description: Set when PM answered HTTP 400 without refusing the credentials (the check is then healthy).
          type: str
          sample: >-
            Patch Management (PM) answered HTTP 400 (400: platform is required): reachable and authorised, since the
            gateway accepted the token and the application itself answered. This check's request follows a public
            client, not a Qualys sample, and may not be the shape the application expects.
    etm:
      description: >-
        The ETM check (C(POST /etm/api/rest/v1/reports/list) with the body C({"offset": 0, "limit": 1}) on the
        gateway), keys as V(vmdr).
      type: dict
      returned: when V(etm) is checked
      contains:
        endpoint:
          description: The call the check makes.
          type: str
          sample: POST /etm/api/rest/v1/reports/list
limits:
  description:
    - The rate and concurrency limits of the VM/PC API as the VMDR reply announced them (C(X-RateLimit-*),
      C(X-Concurrency-Limit-*)); empty when VMDR is not checked or its reply carried none (refused logins carry none).
  returned: always
  type: dict
  contains:
    rate_limit:
      description: Calls allowed per window (C(X-RateLimit-Limit)).
      type: int
      sample: 300
    rate_window_sec:
      description: The window, in seconds (C(X-RateLimit-Window-Sec)).
      type: int
      sample: 3600
    rate_remaining:
      description: Calls left in the window (C(X-RateLimit-Remaining)).
      type: int
      sample: 299
    rate_to_wait_sec:
      description: Seconds before the next call is allowed (C(X-RateLimit-ToWait-Sec)).
      type: int
      sample: 0
    concurrency_limit:
      description: Calls that may run at once (C(X-Concurrency-Limit-Limit)).
      type: int
      sample: 2
    concurrency_running:
      description:
        - Calls running when this one ran, as Qualys counts them (C(X-Concurrency-Limit-Running)). Qualys documents
          the count as including this call; recorded live replies show 0 for a lone call, so it may count only the
          others.
      type: int
      sample: 0
platform:
  description: Where the checks went.
  returned: always
  type: dict
  contains:
    name:
      description: The platform (V(US1) ... V(GOV1)), from O(platform) or recognised from O(url); null for another URL.
      type: str
      sample: US3
    source:
      description: V(platform) or V(url), whichever gave RV(platform.name); null when neither did.
      type: str
      sample: url
    api_url:
      description: The API server used.
      type: str
      sample: https://qualysapi.qg3.apps.qualys.com
    gateway_url:
      description: The gateway used.
      type: str
      sample: https://gateway.qg3.apps.qualys.com
    pod:
      description: The pod Qualys named in the C(X-Powered-By) header of the VMDR reply, or null.
      type: str
      sample: USPOD3
eula_accepted:
  description: False when a check was refused because the EULA is not accepted, true when any check passed, else null.
  returned: always
  type: bool
  sample: true
account_expired:
  description: True when a check was refused because the account expired, false when any check passed, else null.
  returned: always
  type: bool
  sample: false
auth:
  description:
    - The credentials the checks used. Options on the task decide the method; credentials from the environment
      (E(QUALYS_USERNAME), E(QUALYS_CLIENT_ID) and their secrets) are used only when the task names none.
  returned: always
  type: dict
  contains:
    method:
      description: V(basic), V(jwt) or V(oidc).
      type: str
      sample: oidc
    identity:
      description: The login (V(basic), V(jwt)) or the OAuth client ID (V(oidc)) that was checked; never a secret.
      type: str
      sample: 5f6a1b2c-0000-4d2e-9c3b-7a8b9c0d1e2f
    identity_type:
      description: V(username) or V(client_id).
      type: str
      sample: client_id
    source:
      description: V(task) when the task (or C(module_defaults)) gave the credentials, V(environment) otherwise.
      type: str
      sample: task
summary:
  description: One line saying which applications are healthy or why not.
  returned: always
  type: str
  sample: "not healthy: fim: not_subscribed_or_no_permission (File Integrity Monitoring (FIM) is not enabled)"
"""

from ansible_collections.scanops.qualys.plugins.module_utils.qualys_client import resolve_auth_method
from ansible_collections.scanops.qualys.plugins.module_utils.qualys_connection import APPLICATIONS, ConnectionCheck
from ansible_collections.scanops.qualys.plugins.module_utils.qualys_module import QualysModule

ARGUMENT_SPEC = dict(
    applications=dict(type="list", elements="str", choices=list(APPLICATIONS), default=list(APPLICATIONS)),
)


def checked_identity(params):
    """Which credentials the checks used: the method, the login or client ID, and where they came from."""
    method = resolve_auth_method(params)
    oidc = method == "oidc"
    return {
        "method": method,
        "identity": params.get("client_id") if oidc else params.get("username"),
        "identity_type": "client_id" if oidc else "username",
        "source": params.get("auth_source"),
    }


def main():
    module = QualysModule(ARGUMENT_SPEC, supports_check_mode=True)

    def run():
        if not module.params["applications"]:
            module.fail("applications must name at least one of %s." % ", ".join(APPLICATIONS))
        result = ConnectionCheck(module.client, module.params).run(set(module.params["applications"]))
        result["auth"] = checked_identity(module.params)
        result["changed"] = False
        return result

    module.execute(run)


if __name__ == "__main__":
    main()
