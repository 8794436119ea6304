# -*- coding: utf-8 -*-
# Copyright (c) scanops.qualys contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):

    # Connection and authentication options shared by every Qualys module.
    DOCUMENTATION = r"""
options:
  platform:
    description:
      - The Qualys platform (pod) the subscription lives on; selects the API server and gateway URLs.
      - One of V(AE1), V(AU1), V(CA1), V(EU1), V(EU2), V(EU3), V(GOV1), V(IN1), V(KSA1), V(UK1), V(US1), V(US2), V(US3),
        V(US4), in any case.
      - Mutually exclusive with O(url).
      - If neither O(platform) nor O(url) is set on the task, the E(QUALYS_PLATFORM) or E(QUALYS_URL) environment
        variable is used (setting both is an error). Either option on the task wins over both variables.
      - One of O(platform) or O(url) is required.
    type: str
  url:
    description:
      - The API server URL, for private cloud platforms or a local simulator, for example V(https://qualysapi.qualys.com).
      - Must use V(https://), and name the server only, without an API path such as C(/api/2.0/).
      - If neither O(platform) nor O(url) is set on the task, the value of the E(QUALYS_URL) environment variable is used.
    type: str
  gateway_url:
    description:
      - The gateway URL used for token authentication (C(/auth), C(/auth/oidc)) and gateway-only APIs (FIM, PM, ETM).
      - Defaults to the gateway of O(platform), or of the platform whose API server O(url) is.
      - For a private platform (an O(url) that is no platform's API server) there is no default, and token
        authentication (O(auth_method=jwt), O(auth_method=oidc)) and the gateway checks of
        M(scanops.qualys.qualys_connection_info) need it.
      - If not set, the value of the E(QUALYS_GATEWAY_URL) environment variable is used, but only when the API server
        also comes from the environment.
    type: str
  username:
    description:
      - Login of the Qualys account the module acts as.
      - The classic user APIs (C(/msp/...)) accept only Basic authentication, so user management needs O(username) and O(password).
      - If not set, the value of the E(QUALYS_USERNAME) environment variable is used, unless the task sets
        O(client_id) or O(client_secret) and neither O(username) nor O(password), because credentials on the task are
        never mixed with other credentials from the environment.
    type: str
    aliases: [user]
  password:
    description:
      - Password of O(username).
      - If not set, the value of the E(QUALYS_PASSWORD) environment variable is used (as for O(username)).
    type: str
  client_id:
    description:
      - Client ID of a Qualys OAuth (OIDC) client, used to obtain a token from C(/auth/oidc).
      - If not set, the value of the E(QUALYS_CLIENT_ID) environment variable is used, unless the task sets
        O(username) or O(password) and neither O(client_id) nor O(client_secret).
    type: str
  client_secret:
    description:
      - Client secret of O(client_id).
      - If not set, the value of the E(QUALYS_CLIENT_SECRET) environment variable is used (as for O(client_id)).
    type: str
  auth_method:
    description:
      - How calls are authenticated where Qualys offers a choice.
      - V(basic) sends O(username) and O(password) with each call.
      - V(jwt) exchanges O(username) and O(password) for a token at the gateway C(/auth) endpoint.
      - V(oidc) exchanges O(client_id) and O(client_secret) for a token at C(/auth/oidc).
      - V(auto) uses V(basic) when a username is given, otherwise V(oidc).
      - Tokens are kept for the module run and renewed once when Qualys answers HTTP 401.
      - The C(/msp) user APIs always use Basic authentication, whatever this option says.
      - If not set, the value of the E(QUALYS_AUTH_METHOD) environment variable is used when the credentials also come
        from the environment; otherwise V(auto).
    type: str
    choices: [auto, basic, jwt, oidc]
  validate_certs:
    description:
      - Verify the TLS certificate of the Qualys server. Turn off only for testing.
      - If not set, the value of the E(QUALYS_VALIDATE_CERTS) environment variable is used.
    type: bool
    default: true
  ca_path:
    description:
      - A PEM file of CA certificates to trust instead of the system bundle, for TLS-inspecting proxies or a local simulator.
      - If not set, the value of the E(QUALYS_CA_PATH) environment variable is used.
      - A path that does not exist fails the task before any call, naming the path.
    type: path
  proxy_url:
    description:
      - An HTTP(S) proxy for every call, for example V(http://proxy.example.com:3128).
      - Without it the standard E(HTTPS_PROXY) and E(NO_PROXY) environment variables apply.
      - If not set, the value of the E(QUALYS_PROXY_URL) environment variable is used.
    type: str
  timeout:
    description:
      - Seconds to wait for each reply.
    type: int
    default: 60
  max_retries:
    description:
      - How many times a call is repeated after a server error (HTTP 500, 502, 503, 504), a lost connection or,
        for a read, a garbled reply (one that breaks off, or a sign-in or proxy page with a success status), for calls
        that are safe to repeat. These count together; the pause between repeats grows each time.
      - A create is never repeated blindly; the module looks for the object first.
      - Limit refusals (HTTP 409 codes 1960/1965, HTTP 429) do not count here; O(max_wait) bounds them.
    type: int
    default: 5
  max_wait:
    description:
      - The longest time, in seconds, one call may spend waiting for Qualys rate and concurrency limits.
      - A refusal that announces a wait (C(X-RateLimit-ToWait-Sec), C(Retry-After)) is waited out as announced;
        one without (the concurrency limit, code 1960) is retried after a short, growing, randomised pause,
        so that parallel runs sharing a subscription (AWX forks) queue for their turn.
      - A single announced wait longer than this fails the task at once with the wait Qualys asked for.
      - C(0) never waits.
      - If not set, the value of the E(QUALYS_MAX_WAIT) environment variable is used. In the
        C(scanops.qualys.restricted_api_user) role, the role variable C(restricted_api_user_max_wait) sets it.
    type: int
    default: 300
  user_api:
    description:
      - Which user APIs the subscription offers, for the modules that manage users
        (M(scanops.qualys.qualys_service_user), M(scanops.qualys.qualys_service_user_info)) and the tenant check.
      - V(classic) uses the classic user APIs (C(/msp/user.php), C(/msp/user_list.php)).
      - V(rbac) is for a subscription with enhanced RBAC, where Qualys retires those two calls; users are then found,
        created, activated and deactivated through the Administration user API (C(/adminui/user-management/v1), JSON,
        with a token from the gateway), and their roles and scope tags set through the QPS C(am/user) API.
      - The back-end is never guessed from an error, since the reply a classic call gets on an enhanced-RBAC
        subscription is not documented. When a classic user call fails in a way that fits such a subscription, the
        error suggests V(rbac). M(scanops.qualys.qualys_tenant_check) reports which back-end answers.
      - An unknown value is refused before any call.
      - If not set, the value of the E(QUALYS_USER_API) environment variable is used.
    type: str
    choices: [classic, rbac]
    default: classic
  admin_url:
    description:
      - With O(user_api=rbac), the server of the Administration user API (C(/adminui/...)), an V(https://) base URL.
        Qualys' pages write it as the base URL without naming the host; the API server is used when not set, and this
        option points elsewhere (the gateway, say).
      - Refused before any call with O(user_api=classic), which does not use it.
      - If not set, the value of the E(QUALYS_ADMIN_URL) environment variable is used.
    type: str
notes:
  - Modules that manage an object also return C(changes), a list of C({field, before, after}) for every field the run
    changed (or would change in check mode), without C(--diff) and without any secret, so that a task with C(no_log)
    still tells auditors what changed.
  - The modules call the Qualys API from the machine that runs the task; run them on the controller (C(localhost)).
  - Connection options set on the task (or through C(module_defaults)) win over the environment variables, which fill
    in only what the task leaves unset. Where to connect (O(platform)/O(url)) and which credentials (the
    O(username)/O(password) pair or the O(client_id)/O(client_secret) pair) are taken as a whole from one place.
  - A warning is shown each time the module waits for a Qualys limit.
"""

    # Sub-fragment: action group membership, for module_defaults.
    ACTION_GROUP = r"""
attributes:
  action_group:
    description: Use C(group/scanops.qualys.qualys) in C(module_defaults) to set the connection options once for every Qualys module.
    support: full
    membership:
      - scanops.qualys.qualys
"""

    # Sub-fragment: the common attributes, described once.
    ATTRIBUTES = r"""
attributes:
  check_mode:
    description: Can run in check_mode and return changed status prediction without modifying target.
  diff_mode:
    description: Will return details on what has changed (or possibly needs changing in check_mode), when in diff mode.
  platform:
    description: The API is called from the controller.
    support: full
    platforms: all
"""
