#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) scanops.qualys contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: qualys_service_user
short_description: Manage a Qualys API service user and its password
version_added: 0.1.0
description:
  - Creates and maintains a Qualys user meant for API use only (a service account), through the classic user APIs
    (C(/msp/user.php), C(/msp/user_list.php), C(/msp/password_change.php), C(/msp/acceptEULA.php)), and assigns its
    Administration roles and scope tags through the QPS C(/qps/rest/2.0/update/am/user) API.
  - Qualys generates the login and the password of a new user; neither can be chosen. The user is therefore found by
    O(external_id), a value set when the module creates it and searched with C(external_id_contains) plus an exact
    match, or by the O(login) of an existing user. Two runs with the same O(external_id) never create two users.
  - A new user is created with C(send_email=0), so Qualys returns its password once; the module returns it in
    RV(credentials) and accepts the EULA as the new user (C(acceptEULA.php)), without which the account cannot use
    the API.
  - Only the attributes that differ are sent, in one C(user.php action=edit) call; O(asset_groups), when it differs,
    is sent as the whole list. A second run with the same options makes no write call.
  - O(password_mode) decides when the password of an existing user is replaced (C(password_change.php) with
    C(email=0), so that Qualys returns the new password instead of e-mailing it); O(verify_credentials) checks
    stored credentials with one read-only call made as that user.
  - The connection option O(user_api) chooses the user back-end. V(classic) (the default) makes the calls above.
    V(rbac), for a subscription with enhanced RBAC (where Qualys retires C(user.php) and C(user_list.php)), finds
    users with C(POST /adminui/user-management/v1/users) (by login with the C(username) filter and an exact match; by
    external ID by reading every page, since the list has no external ID filter), creates them with
    C(POST /adminui/user-management/v1/user) (C(userDetails) with C(sendEmail=false)), then gets the password with
    one C(password_change.php) reset (C(email=0); the create returns none, and the reset activates the new user),
    and activates and deactivates them with C(PUT /adminui/user-management/v1/user/status). These C(adminui) calls
    send JSON with a token from the gateway (C(/auth)), to O(admin_url) or the API server. Roles and scope tags
    (C(update/am/user)), the EULA (C(acceptEULA.php)), the password reset, the self-service change and the
    credential check are the same calls with both back-ends.
  - Both back-ends take the same options and give the same results, check mode, diff and idempotency, except where
    V(rbac) cannot honour an option, which is refused before any call, naming it and the back-end (O(asset_groups)
    other than an empty list (an enhanced-RBAC user is scoped by tags, O(scope_tags)), O(address2), and a
    O(business_unit) other than V(Unassigned)). With V(rbac), a new user must be a V(reader) (the create call takes
    no VM role), and Qualys documents no call that changes an existing user's profile or external ID, so a
    difference in O(first_name), O(last_name), O(email), O(title) or O(external_id) fails, naming the field; the
    phone, postal address and business unit are sent when creating and never compared (the user list does not
    show them).
  - "Reply shapes the V(rbac) back-end assumes, because no Qualys page shows them (labelled B(assumed) in the
    simulator's README, which can vary each): the create reply carries C(userId) and C(username) (the details array
    is accepted too; a reply with neither makes the module look the new user up by external ID); listed users carry
    C(externalId) (when none does, finding a user by external ID fails instead of creating a second one); error
    bodies are JSON C(errorCode)/C(message) (any other body is quoted, secrets masked); the new user is a VM Reader;
    C(password_change.php), C(acceptEULA.php) and the self-service change keep working under enhanced RBAC.
    Documented: the list, details and status calls and their replies, and the C(am/user) calls."
  - With O(user_api=classic), a failure of C(user.php) or C(user_list.php) that may be an enhanced-RBAC subscription
    refusing them (not a bad password, a limit or the network) suggests O(user_api=rbac) in the error. The back-end
    is never guessed; M(scanops.qualys.qualys_tenant_check) reports which one answers.
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
      - Check mode makes no write call and predicts every change, a password reset included (no credentials are
        returned then). O(verify_credentials) is checked in check mode too, since it is a read-only call.
      - The asset groups, tags and roles to assign are looked up in check mode too (read-only). An asset group or
        tag that does not exist yet is assumed to be created by an earlier task of the same run (for example
        M(scanops.qualys.qualys_asset_group) or M(scanops.qualys.qualys_tag), which only predict their creation in
        check mode). The change is predicted, with a warning naming it, and listed in RV(assumed). A role that does
        not exist fails the task, in check mode too, unless it is listed in O(pending_roles).
  diff_mode:
    support: full
    details:
      - The diff shows the managed attributes, never a password.
options:
  external_id:
    description:
      - A stable, unique identifier of the user chosen by the caller (for example C(svc-scanner-prod)), stored in
        the user's Qualys external ID. It is the key the module finds the user by, and it is required to create one.
      - Compared exactly (case-sensitive). When several Qualys users have this external ID the module fails.
      - At least one of O(external_id) and O(login) is required.
    type: str
  login:
    description:
      - The login of an existing user, to manage a user that was not created with an O(external_id).
      - With O(external_id) too, the user found by O(external_id) must have this login; a user found only by its
        login gets O(external_id) set.
      - C(user_list.php) has no login filter, so a lookup by login alone lists every user the caller can see;
        prefer O(external_id).
      - A new user cannot be given a login; with O(login) and no matching user the module fails.
    type: str
  state:
    description:
      - V(present) makes sure the user exists with the given attributes; its status is left as it is.
      - V(active) is V(present) and also activates an inactive user.
      - V(inactive) is V(present) and also deactivates an active user.
      - V(absent) deactivates the user. The classic user API has no delete, so the user stays in the subscription,
        inactive, and keeps its settings; a missing or inactive user is left unchanged.
      - Qualys activates and deactivates only users in C(Active) or C(Inactive) status; a user in
        C(Pending Activation) status (it has not accepted the EULA) cannot be deactivated and the module fails.
    type: str
    choices: [present, absent, active, inactive]
    default: present
  first_name:
    description:
      - First name. Required to create a user (also O(last_name), O(title), O(email), O(phone), O(address1),
        O(city) and O(country)). The initials of the names become part of the generated login.
    type: str
  last_name:
    description: Last name.
    type: str
  title:
    description: Job title, for example C(Scan automation).
    type: str
  email:
    description:
      - E-mail address of the user. The module never asks Qualys to send it the password (C(send_email=0) when
        creating, C(email=0) when resetting).
    type: str
  phone:
    description: Phone number.
    type: str
  address1:
    description: First line of the postal address.
    type: str
  address2:
    description: Second line of the postal address; an empty string clears it.
    type: str
  city:
    description: City.
    type: str
  zip_code:
    description: Postal code; an empty string clears it.
    type: str
  country:
    description:
      - The full country name as Qualys spells it, for example V(United States of America) or V(United Kingdom);
        ISO codes are not accepted. Matched without regard to case and sent in the Qualys spelling.
      - An unknown name fails before any call, with the closest names Qualys knows.
    type: str
  address_state:
    description:
      - The state or province of the postal address (the C(state) parameter of C(user.php)); named so because
        O(state) is the state of the user object, as in every Ansible module.
      - Required to create a user whose O(country) is V(United States of America), V(Canada), V(India) or
        V(Australia).
    type: str
    aliases: [user_state]
  business_unit:
    description:
      - The business unit of a new user; V(Unassigned) when not set.
      - Qualys cannot change the business unit of an existing user through the API; a different value for an
        existing user fails.
    type: str
  user_role:
    description:
      - The VM user role, one of V(reader), V(scanner), V(unit_manager), V(manager) or V(administrator).
        A new user gets V(reader) when not set.
      - V(contact) is refused, since a Contact cannot log in and so cannot be an API user.
      - Qualys cannot change the role of an existing user through the API; a different value for an existing user
        fails (change it in the Qualys UI).
    type: str
  asset_groups:
    description:
      - Titles of the asset groups the user may see, the whole list (groups not listed are removed from the user).
        An empty list removes all. Not set leaves the user's groups as they are.
      - The group C(All) is refused (the point of a restricted user is not to see everything), as are titles with
        a comma, which C(user.php) cannot carry. Every title must name an existing asset group; this is checked
        before any write. In check mode a title that names no asset group yet is assumed to be created by an earlier
        task of the run (a warning says so, and RV(assumed) lists it).
      - A V(manager) sees all asset groups and cannot be given any.
    type: list
    elements: str
  roles:
    description:
      - Names of the Administration roles the user holds, the whole list; roles not listed are removed and an empty
        list removes all. Not set leaves the roles as they are.
      - Assigned by name through the QPS C(update/am/user) API (C(roleList) add/remove).
      - Every role to add must exist; this is checked before any write, in check mode too (read-only), through the
        documented user search (C(roleName), which sees the roles some user holds), then through the role definition
        API when the subscription offers it (see M(scanops.qualys.qualys_role)). A role that neither shows fails the
        task, naming it, unless check mode runs and O(pending_roles) lists it. When the subscription offers no role API
        and no user holds the role yet, its existence cannot be told before the assignment; check mode warns, and a
        real run leaves it to Qualys, which refuses an unknown role when the change is sent.
      - Needs a Manager as the calling user. Enhanced RBAC is not required; the QPS C(am/user) API is documented
        with Basic authentication and works on classic subscriptions.
    type: list
    elements: str
  scope_tags:
    description:
      - Names of the asset tags that scope what the user may see, the whole list; tags not listed are removed and an
        empty list removes all. Not set leaves the scope as it is.
      - Each name must be unique in the subscription; the tags are looked up before any write and assigned by ID
        through C(update/am/user) (C(scopeTags) add/remove). A tag that does not exist fails the task; in check mode
        it is assumed to be created by an earlier task of the run (a warning says so, and RV(assumed) lists it).
    type: list
    elements: str
  pending_roles:
    description:
      - Check mode only. Names of roles of O(roles) that an earlier task of the same run creates, so that a role
        that does not exist yet is predicted (with a warning, and listed in RV(assumed)) instead of failing the task.
        M(scanops.qualys.qualys_role) with O(scanops.qualys.qualys_role#module:manage_definition=true) predicts such a
        creation in check mode, where it reports a change and a role whose C(id) is null.
      - Ignored in a real run, where a role that does not exist always fails the task before any write. Roles are
        otherwise made by hand (Qualys documents no role API), so an unknown role that nothing creates is an error,
        in check mode too.
    type: list
    elements: str
    default: []
  accept_eula:
    description:
      - Accept the EULA as the user when the module has its password and the user has not accepted it yet (right
        after creation, after a reset of a user in C(Pending Activation) status, and when O(verify_credentials)
        finds that the EULA is all that is missing). Without it the account cannot use the API.
      - V(false) leaves the EULA to the user; the account then stays in C(Pending Activation) status.
    type: bool
    default: true
  password_mode:
    description:
      - When the password of an existing user is replaced by a new Qualys-generated one (C(password_change.php) with
        C(email=0)); the new credentials are returned in RV(credentials).
      - When Qualys answers a reset without the new password (it e-mailed it to the user instead), the module fails
        and says so. The old password no longer works, so the stored credentials must be replaced, with the password
        from that e-mail or by another run that resets it again.
      - V(on_create) sets a password only by creating the user; the password of an existing user is never touched.
      - V(reset) replaces the password on every run (the task always reports a change).
      - V(reset_if_older_than) replaces it when O(password_rotated_at) is more than O(max_password_age_days) days
        ago, or is not given (the age is then unknown), or when O(verify_credentials) is given and fails.
      - V(reset_if_invalid) replaces it only when the credentials of O(verify_credentials) do not work, or when
        O(verify_credentials) is not given or has no password (there is then nothing to trust).
      - A newly created user is never reset in the same run; a user that is inactive, and stays so, is not reset
        because its credentials fail (the failure says nothing about the password).
      - The module never reports a change for a password it did not change.
    type: str
    choices: [on_create, reset, reset_if_older_than, reset_if_invalid]
    default: on_create
  max_password_age_days:
    description:
      - With O(password_mode=reset_if_older_than), the age in days beyond which the password is replaced.
    type: int
  password_rotated_at:
    description:
      - With O(password_mode=reset_if_older_than), when the current password was set, as an ISO-8601 date-time
        (for example C(2025-01-31T12:00:00Z); without a zone, UTC). Keep the RV(rotated_at) the module returns with
        the stored credentials and give it back here.
    type: str
  verify_credentials:
    description:
      - Stored credentials of the user to check without changing anything, with one read-only call made as that user
        (the list of at most one asset group ID). The result is RV(credentials_valid), and RV(credentials_error)
        when they do not work.
      - Takes the stored credentials as they are, in the shape RV(credentials) has and the role
        C(scanops.qualys.restricted_api_user) stores in OCI Vault (C(username), C(password), C(api_url), C(platform),
        C(rotated_at)); C(api_url), C(platform) and C(rotated_at) are accepted and not used.
      - When only the EULA is missing and O(accept_eula=true), the module accepts it with these credentials, which
        then work.
      - Errors that say nothing about the credentials (network, TLS, rate limits) fail the task instead.
      - Not checked when the user is created in this run, nor in check mode while the user is inactive and
        O(state=active) would activate it.
    type: dict
    suboptions:
      username:
        description: The stored login; the user's login when not set. A login of another user counts as invalid.
        type: str
      login:
        description:
          - The stored login, under the name the module used before C(username) (and that RV(credentials) still
            carries, deprecated). The same as O(verify_credentials.username); when both are given they must be equal.
        type: str
      password:
        description: The stored password. Empty or not set means there are no credentials to check (invalid).
        type: str
      api_url:
        description: The API server URL stored with the credentials. Accepted, not used.
        type: str
      platform:
        description: The Qualys platform stored with the credentials. Accepted, not used.
        type: str
      rotated_at:
        description:
          - When the stored password was set (any ISO-8601 form, for example C(2025-01-31T12:00:00Z) or
            C(2025-01-31T12:00:00+00:00)). With O(password_mode=reset_if_older_than) it is the password's age when
            O(password_rotated_at) is not given.
        type: str
  pending_credentials:
    description:
      - The PENDING version of the stored credentials, which a two-phase rotation stored before changing the password
        (same keys as O(verify_credentials)); checked with one read-only call as the user.
      - When it logs in, an earlier rotation changed the password but stopped before promoting it, and
        RV(password_action=promote) tells the caller to promote it. When it does not, and the CURRENT password logs
        in, the rotation starts again (RV(password_action=rotate) with O(rotation=two_phase)).
    type: dict
    suboptions:
      username:
        description: The stored login.
        type: str
      login:
        description: The older name of O(pending_credentials.username).
        type: str
      password:
        description: The PENDING password. Empty or not set means there is no PENDING version.
        type: str
      api_url:
        description: Accepted, not used.
        type: str
      platform:
        description: Accepted, not used.
        type: str
      rotated_at:
        description: Accepted, not used.
        type: str
  rotation:
    description:
      - How a working password is replaced when O(password_mode) asks for a new one (by age, or V(reset)).
      - V(admin_reset) resets it as the admin (C(password_change.php) with C(email=0)); Qualys chooses the new
        password and returns it once, in RV(credentials), which the caller must store at once.
      - "V(two_phase) never replaces a working password in one step. The module chooses a new password (O(password_length)
        characters with lower- and upper-case letters, digits and special characters) and returns it in
        RV(credentials) with RV(password_action=rotate), without sending it. The caller stores it as a PENDING
        version, then runs the module again with O(new_password) set to it: the user changes its own password
        (C(POST /api/2.0/fo/user/change_password/), Basic authentication as the user with the CURRENT password of
        O(verify_credentials)), and the caller promotes the PENDING version (RV(password_action=promote)). The role
        C(scanops.qualys.restricted_api_user) does this with the credentials secret in OCI Vault."
      - With either, a user that no stored password logs in as is reset by the admin (there is no password to
        authenticate a self-service change with).
    type: str
    choices: [admin_reset, two_phase]
    default: admin_reset
  new_password:
    description:
      - With O(rotation=two_phase), the password stored as PENDING to set now as the user's own password, authenticated
        with O(verify_credentials). Nothing is sent when it logs in already (an earlier run set it); when neither it
        nor the CURRENT password logs in, the task fails and changes nothing.
      - Qualys applies the subscription's password rules and may limit how often a user changes its password; its
        refusal fails the task.
    type: str
  password_length:
    description: Length of the passwords the module chooses with O(rotation=two_phase).
    type: int
    default: 24
notes:
  - RV(credentials) holds a password. Set C(no_log=true) on the task (and on any task that uses the registered
    result) so that Ansible does not print or log it; the module itself keeps it out of every warning, error and
    diff.
  - The password Qualys generates is returned only by the run that creates or resets it. When the reply to the
    create call is lost (connection closed after Qualys applied it), the module finds the new user by O(external_id)
    instead of creating another, and resets its password once to return working credentials, with a warning.
    When a run fails after a password was generated (for example while accepting the EULA), the password is lost;
    a later run with O(password_mode=reset_if_invalid) (or V(reset)) recovers.
  - Creating users, changing them and resetting passwords needs a Manager, an Administrator, or a Unit Manager for
    users of its own business unit. O(roles) and O(scope_tags) need a Manager and the QPS C(am/user) API, which is
    documented with Basic authentication and works on classic subscriptions; enhanced RBAC is not required.
  - A user whose stored credentials get "This account has expired" (Qualys code 2001) fails the task with that
    message, and nothing is reset (a reset cannot help an expired account). A user that is inactive (deactivated
    by someone) is left inactive unless O(state=active); its stored credentials cannot be checked and are kept.
  - Qualys may limit how often the password of one user can be reset. A third-party transcription of the Qualys API
    guide mentions about 3 resets per user per hour; Qualys' own pages do not confirm it. Prefer
    O(password_mode=reset_if_older_than) or V(reset_if_invalid) to V(reset) on tasks that run often.
seealso:
  - module: scanops.qualys.qualys_service_user_info
  - module: scanops.qualys.qualys_asset_group
  - module: scanops.qualys.qualys_tag
  - module: scanops.qualys.qualys_role
"""

EXAMPLES = r"""
- name: Manage the scanning service user
  module_defaults:
    group/scanops.qualys.qualys:
      platform: US2
      username: "{{ qualys_admin_login }}"
      password: "{{ qualys_admin_password }}"
  block:
    - name: Create the service user, restricted to one asset group and one role
      scanops.qualys.qualys_service_user:
        external_id: svc-scanner-prod
        first_name: Scan
        last_name: Pipeline
        title: Scan automation
        email: secops@example.com
        phone: "+1 555 0100"
        address1: 1 Main Street
        city: Springfield
        country: United States of America
        address_state: Illinois
        user_role: reader
        asset_groups: [Prod web servers]
        roles: [API Read Only]
      register: service_user
      no_log: true

    - name: Rotate the password when it is older than 90 days, or when the stored one no longer works
      scanops.qualys.qualys_service_user:
        external_id: svc-scanner-prod
        password_mode: reset_if_older_than
        max_password_age_days: 90
        password_rotated_at: "{{ stored.rotated_at }}"
        # The stored credentials as they are: username, password, api_url, platform, rotated_at.
        verify_credentials: "{{ stored }}"
      register: rotation
      no_log: true

    - name: Reset the password only when the stored credentials are broken
      scanops.qualys.qualys_service_user:
        external_id: svc-scanner-prod
        password_mode: reset_if_invalid
        verify_credentials:
          password: "{{ stored.password | default('') }}"
      register: repaired
      no_log: true

    - name: Scope the user by tag instead of asset group
      scanops.qualys.qualys_service_user:
        external_id: svc-scanner-prod
        asset_groups: []
        scope_tags: [Prod web servers]

    - name: Retire the service user (Qualys keeps it, inactive)
      scanops.qualys.qualys_service_user:
        external_id: svc-scanner-prod
        state: absent
"""

RETURN = r"""
user:
  description:
    - The user after the run (predicted in check mode; a user check mode would create has no login or ID yet).
    - Empty when O(state=absent) found no user. Never holds a password.
  returned: always
  type: dict
  contains:
    id:
      description: The Qualys user ID.
      type: int
      sample: 7000002
    login:
      description: The login Qualys generated.
      type: str
      sample: scanops_sp1
    external_id:
      description: The external ID.
      type: str
      sample: svc-scanner-prod
    status:
      description: V(active), V(inactive) or V(pending_activation).
      type: str
      sample: active
    user_role:
      description: The VM user role, as O(user_role) spells it.
      type: str
      sample: reader
    business_unit:
      description: The business unit.
      type: str
      sample: Unassigned
    asset_groups:
      description: Titles of the assigned asset groups, sorted.
      type: list
      elements: str
      sample: [Prod web servers]
    roles:
      description: Names of the Administration roles, sorted; only when O(roles) is set.
      type: list
      elements: str
      sample: [API Read Only]
    scope_tags:
      description: Names of the scope tags, sorted; only when O(scope_tags) is set.
      type: list
      elements: str
      sample: []
    first_name:
      description: First name; also V(last_name), V(title), V(email), V(phone), V(address1), V(address2), V(city),
        V(zip_code), V(country) and V(address_state) under the names of the options.
      type: str
      sample: Scan
credentials:
  description:
    - The login and the new password of the user, with where and since when to use them.
    - "The one shape of stored credentials in this collection: C(username), C(password), C(api_url), C(platform) and
      C(rotated_at). The role C(scanops.qualys.restricted_api_user) stores these keys in OCI Vault as JSON, and
      O(verify_credentials) takes that dict back as it is."
    - B(Secret.) Set C(no_log=true) on the task.
  returned: >-
    when a password was generated (the user was created, or its password reset, or a new one chosen for a two-phase
    rotation, see RV(password_action)), never in check mode
  type: dict
  contains:
    username:
      description: The user's login.
      type: str
      sample: scanops_sp1
    password:
      description: The password Qualys generated.
      type: str
    api_url:
      description:
        - The API server URL the module used, resolved from O(url), O(platform) or the environment (also when the
          connection settings come from C(module_defaults)).
      type: str
      sample: https://qualysapi.qg2.apps.qualys.com
    platform:
      description:
        - The Qualys platform of RV(credentials.api_url), from O(platform), or recognised from the URL when it is a
          platform's API server; null for a URL of no known platform (a private cloud platform).
      type: str
      sample: US2
    rotated_at:
      description: When the password was set (ISO-8601, UTC), the same as RV(rotated_at).
      type: str
      sample: "2025-01-31T12:00:00Z"
    login:
      description:
        - B(Deprecated), the same as RV(credentials.username); kept for one release for playbooks that read it, and
          removed in release 0.2.0. Read RV(credentials.username).
      type: str
      sample: scanops_sp1
rotated_at:
  description: When the returned password was set (ISO-8601, UTC). Keep it for O(password_rotated_at).
  returned: when a password was generated, never in check mode
  type: str
  sample: "2025-01-31T12:00:00Z"
created:
  description: Whether the user was created (would be, in check mode).
  returned: always
  type: bool
password_changed:
  description: Whether a new password was generated (would be, in check mode), by creation or by a reset.
  returned: always
  type: bool
eula_accepted:
  description: Whether the module accepted the EULA for the user in this run (would, in check mode).
  returned: always
  type: bool
password_status:
  description:
    - What happened to the password, for reports that must not see it (it would, in check mode).
    - V(unchanged), V(created) (set by creating the user), V(rotated) (replaced by O(password_mode=reset) or by age,
      while the stored credentials logged in or were not checked), or V(reset) (replaced because the stored
      credentials did not log in, or none were given with O(password_mode=reset_if_invalid)).
  returned: always
  type: str
  sample: unchanged
changes:
  description:
    - What differs between the user before and after the run (in check mode, what would), field by field, without a
      secret. Not hidden by C(no_log=true) on the task, which hides the whole displayed result, including the diff;
      a later task may show or store it (the role C(scanops.qualys.restricted_api_user) puts it in its drift report).
    - A field of RV(user) (O(roles) and O(scope_tags) only when set) with its value before and after; for a new user,
      every field given a value, with C(before) null.
    - The password is never shown. When it changes, an entry with C(field=password) says whether the stored
      credentials logged in (C(before) V(logs in), V(does not log in) or V(not checked); null for a new user) and
      RV(password_status) (C(after)).
  returned: always
  type: list
  elements: dict
  contains:
    field:
      description: The name of the field.
      type: str
      sample: asset_groups
    before:
      description: The value before the run.
      type: raw
      sample: [Lab]
    after:
      description: The value after the run.
      type: raw
      sample: [Prod web]
assumed:
  description:
    - In check mode, the asset groups, tags and roles that do not exist yet and are assumed to be created by an earlier
      task of the same run (see O(pending_roles)); a warning names each.
  returned: in check mode, when something was assumed
  type: dict
  contains:
    asset_groups:
      description: Titles of asset groups.
      type: list
      elements: str
    scope_tags:
      description: Names of tags.
      type: list
      elements: str
    roles:
      description: Names of roles.
      type: list
      elements: str
  sample: {"asset_groups": ["Prod web servers"], "scope_tags": [], "roles": []}
password_action:
  description:
    - What the caller does with the stored credentials after this run.
    - V(none) nothing; V(store) RV(credentials) hold the user's live password (created, or reset by the admin)
      and must be stored as the CURRENT version at once; V(rotate) RV(credentials) hold a new password chosen by the
      module and not set yet (O(rotation=two_phase)), to store as a PENDING version and then set with O(new_password);
      V(promote) the PENDING password is the user's password now and its version becomes CURRENT.
  returned: always
  type: str
  sample: none
password_reason:
  description: Why RV(password_action) is not V(none), in a sentence without a secret.
  returned: when RV(password_action) is not V(none) and a stored password was judged
  type: str
  sample: the password is older than 90 days
pending_valid:
  description: Whether the password of O(pending_credentials) (or O(new_password)) logs in.
  returned: when it was checked
  type: bool
credentials_valid:
  description:
    - Whether the credentials of O(verify_credentials) work (after the EULA was accepted for them, when that was
      all they lacked).
  returned: when O(verify_credentials) was checked
  type: bool
credentials_asset_groups:
  description:
    - The titles of the asset groups that the user of O(verify_credentials) sees, from the same call that checked
      them. At most two are listed (two means two or more), which tells a user that sees exactly its one group (or
      none, when tags scope it) from one that sees more.
  returned: when RV(credentials_valid) is true
  type: list
  elements: str
  sample: [Connector scope]
credentials_error:
  description: Why the credentials of O(verify_credentials) do not work.
  returned: when RV(credentials_valid) is false
  type: dict
  contains:
    kind:
      description:
        - V(auth) (bad login or password, or no API access), V(inactive), V(expired), V(eula) (not accepted),
          V(no_api_access), V(login_mismatch) (the login is another user's) or V(missing) (no password given).
      type: str
      sample: auth
    code:
      description: The Qualys error code, when Qualys answered one.
      type: str
      sample: "2000"
    message:
      description: What Qualys said.
      type: str
"""

import copy

from ansible_collections.scanops.qualys.plugins.module_utils import qualys_admin_users as admin_users
from ansible_collections.scanops.qualys.plugins.module_utils import qualys_passwords as passwords
from ansible_collections.scanops.qualys.plugins.module_utils import qualys_users as users
from ansible_collections.scanops.qualys.plugins.module_utils.qualys_client import platform_of
from ansible_collections.scanops.qualys.plugins.module_utils.qualys_errors import QualysError
from ansible_collections.scanops.qualys.plugins.module_utils.qualys_module import QualysResourceModule

PROFILE_OPTIONS = [option for option, _param, _tag in users.PROFILE_FIELDS]
# Profile fields user.php add needs and edit refuses to empty.
NOT_EMPTY = frozenset(users.REQUIRED_ON_CREATE)
# Fields shown in the result and the diff (roles/scope_tags only when managed).
VIEW_KEYS = ["id", "login", "external_id", "status", "user_role", "business_unit", "asset_groups"] + PROFILE_OPTIONS
LIST_OPTIONS = ("asset_groups", "roles", "scope_tags")
STATUS_FOR_STATE = {"active": "active", "inactive": "inactive", "absent": "inactive"}
DEFAULT_ROLE = "reader"
DEFAULT_BUSINESS_UNIT = "Unassigned"
# What the stored credentials said before a password change (RV(changes), field password), by verdict.
CREDENTIALS_BEFORE = {True: "logs in", False: "does not log in"}

ARGUMENT_SPEC = dict(
    external_id=dict(type="str"),
    login=dict(type="str"),
    state=dict(type="str", default="present", choices=["present", "absent", "active", "inactive"]),
    first_name=dict(type="str"),
    last_name=dict(type="str"),
    title=dict(type="str"),
    email=dict(type="str"),
    phone=dict(type="str"),
    address1=dict(type="str"),
    address2=dict(type="str"),
    city=dict(type="str"),
    zip_code=dict(type="str"),
    country=dict(type="str"),
    address_state=dict(type="str", aliases=["user_state"]),
    business_unit=dict(type="str"),
    user_role=dict(type="str"),
    asset_groups=dict(type="list", elements="str"),
    roles=dict(type="list", elements="str"),
    scope_tags=dict(type="list", elements="str"),
    accept_eula=dict(type="bool", default=True),
    password_mode=dict(type="str", default="on_create", no_log=False,
                       choices=["on_create", "reset", "reset_if_older_than", "reset_if_invalid"]),
    max_password_age_days=dict(type="int", no_log=False),
    password_rotated_at=dict(type="str", no_log=False),
    # The stored credentials as stored (RV(credentials)): api_url, platform and rotated_at are accepted, not used.
    verify_credentials=dict(type="dict", options=dict(
        username=dict(type="str"),
        login=dict(type="str"),
        password=dict(type="str", no_log=True),
        api_url=dict(type="str"),
        platform=dict(type="str"),
        rotated_at=dict(type="str", no_log=False),
    )),
    pending_roles=dict(type="list", elements="str", default=[]),
    pending_credentials=dict(type="dict", no_log=False, options=dict(
        username=dict(type="str"),
        login=dict(type="str"),
        password=dict(type="str", no_log=True),
        api_url=dict(type="str"),
        platform=dict(type="str"),
        rotated_at=dict(type="str", no_log=False),
    )),
    rotation=dict(type="str", default="admin_reset", choices=["admin_reset", "two_phase"]),
    new_password=dict(type="str", no_log=True),
    password_length=dict(type="int", default=passwords.DEFAULT_LENGTH, no_log=False),
)


class ServiceUserModule(QualysResourceModule):
    """One Qualys service user: identity, attributes, status and password.

    The attributes follow the resource base's cycle (find -> desired -> compare
    -> create/update); the password is its ``after_write`` step, decided by
    ``qualys_passwords.decide`` from what the stored credentials say.
    """

    result_key = "user"

    def __init__(self):
        super(ServiceUserModule, self).__init__(
            ARGUMENT_SPEC,
            required_one_of=[("external_id", "login")],
            required_if=[("password_mode", "reset_if_older_than", ["max_password_age_days"])],
        )
        self._passwords = []
        self._rotated_at = None
        self._new_login = None
        self._credentials_result = None
        # RV(password_status), RV(password_action), and whether the stored credentials logged in before a change.
        self._password_status = "unchanged"
        self._password_action = "none"
        self._password_before = None
        self._flags = dict(created=False, password_changed=False, eula_accepted=False)
        self._checks = {}
        # Check mode: what does not exist yet and is assumed to be created by an earlier task (RV(assumed)).
        self._assumed = {"asset_groups": [], "scope_tags": [], "roles": []}
        self._role_adapter = None
        self._role_plan = self._tag_plan = None
        self._tag_ids = {}
        self._backend = None

    @property
    def backend(self):
        """The user back-end of O(user_api): qualys_users.ClassicUsers or qualys_rbac_users.RbacUsers."""
        if self._backend is None:
            self._backend = users.user_backend(self.client)
        return self._backend

    # -- input ------------------------------------------------------------------------

    def validate(self):
        params = self.params
        for option in ("external_id", "login"):
            if params[option] is not None and not params[option].strip():
                self.fail("%s must not be empty." % option)
        role = params["user_role"]
        if role is not None and role not in users.LOGIN_ROLES:
            if role == "contact":
                self.fail("user_role=contact is refused: a Contact cannot log in, so it cannot use the API. "
                          "Use one of %s." % ", ".join(users.LOGIN_ROLES))
            self.fail("user_role must be one of %s, got %r." % (", ".join(users.LOGIN_ROLES), role))
        for option in NOT_EMPTY:
            if params[option] is not None and not params[option].strip():
                self.fail("%s must not be empty: Qualys requires it." % option)
        if params["country"] is not None:
            try:
                users.canonical_country(params["country"])
            except ValueError as exc:
                self.fail(str(exc))
        groups = params["asset_groups"] or []
        for title in groups:
            if not title.strip():
                self.fail("asset_groups must not contain an empty title.")
            if title.strip().lower() == "all":
                self.fail("asset_groups must not contain 'All': a restricted user must see only the asset groups "
                          "it needs. List those groups instead.")
            if "," in title:
                self.fail("asset_groups title %r contains a comma, which user.php cannot carry (it takes the titles "
                          "as a comma-separated list); rename the asset group." % title)
        if groups and role == "manager":
            self.fail("asset_groups cannot be given to a manager: a Manager sees every asset group.")
        for option in ("roles", "scope_tags", "pending_roles"):
            if any(not name.strip() for name in params[option] or []):
                self.fail("%s must not contain an empty name." % option)
        for option in ("verify_credentials", "pending_credentials"):
            stored = params[option] or {}
            names = set((stored.get(key) or "").strip() for key in ("username", "login")) - set([""])
            if len(names) > 1:
                self.fail("%s has username %s and login %s: login is the older name of username, so give one of "
                          "them (the stored credentials' username)." % (
                              option, stored["username"].strip(), stored["login"].strip()))
        if params["max_password_age_days"] is not None and params["max_password_age_days"] < 1:
            self.fail("max_password_age_days must be 1 or more, got %s." % params["max_password_age_days"])
        for option, value in (("password_rotated_at", params["password_rotated_at"]),
                              ("verify_credentials.rotated_at", (params["verify_credentials"] or {}).get("rotated_at"))):
            if value:
                try:
                    users.parse_timestamp(value)
                except ValueError:
                    self.fail("%s must be an ISO-8601 date-time such as 2025-01-31T12:00:00Z or "
                              "2025-01-31T12:00:00+00:00, got %r." % (option, value))
        if params["new_password"] is not None:
            if params["rotation"] != "two_phase":
                self.fail("new_password needs rotation=two_phase: it is the PENDING password of a two-phase rotation.")
            if not (params["verify_credentials"] or {}).get("password"):
                self.fail("new_password needs verify_credentials with the CURRENT password: the user changes its own "
                          "password, authenticated with the current one.")
        if not passwords.MIN_LENGTH <= params["password_length"] <= passwords.MAX_LENGTH:
            self.fail("password_length must be %d to %d, got %s." % (
                passwords.MIN_LENGTH, passwords.MAX_LENGTH, params["password_length"]))
        refused = users.unsupported_options(params)
        if refused:
            self.fail(" ".join(refused))

    # -- reading ------------------------------------------------------------------------

    def find(self):
        """The user (with its roles and scope tags when those are managed), or None."""
        user = self._find_user()
        if user is not None and self._manages_admin():
            admin = admin_users.admin_user(self.client, user["login"])
            if admin is None:
                self.fail("Qualys does not show user %s in the Administration user list (am/user), so its roles "
                          "and scope tags cannot be managed (Managers are not shown to other Managers)." % user["login"])
            user["_admin"] = admin
            user["roles"] = sorted(admin["roles"])
            user["scope_tags"] = sorted(admin["scope_tags"])
        return user

    def _find_user(self):
        external_id, login = self._identity()
        user = None
        if external_id:
            user = self._find_by_external_id(external_id)
            if user is not None and login and user["login"] != login:
                self.fail("external_id %r belongs to user %s, not to login %s." % (external_id, user["login"], login))
        if user is None and login:
            user = self.backend.find_user(login=login)
            if user is not None and external_id and user["external_id"] and user["external_id"] != external_id:
                self.fail("User %s has external_id %r, not %r." % (login, user["external_id"], external_id))
        if user is None and external_id and not login:
            user = self._find_by_stored_login(external_id)
        return user

    def _find_by_external_id(self, external_id):
        """The one user with this external id; duplicates made by parallel runs are settled first."""
        found = self.backend.find_users(external_id)
        if len(found) <= 1:
            return found[0] if found else None
        return self._settle_duplicates(external_id, found)

    def _settle_duplicates(self, external_id, found):
        """Several users with one external id: keep the oldest (lowest id), set the others aside.

        Two runs that create the same user at once (two AWX jobs) both get a user. Every run picks the
        same winner, the lowest id; the others are deactivated and their external id is moved aside
        (``<external_id>~duplicate-<id>``) so that later lookups find one user. Their passwords are
        never stored, so nothing is lost by deactivating them.
        """
        ordered = sorted(found, key=lambda user: (user["id"] is None, user["id"]))
        winner = ordered[0]
        for loser in ordered[1:]:
            if self.check_mode:
                self.module.warn("Users %s and %s both have external_id %r (parallel runs created both); a real run "
                                 "keeps %s and deactivates %s." % (winner["login"], loser["login"], external_id,
                                                                   winner["login"], loser["login"]))
                continue
            try:
                if "external_id" in self.backend.editable:
                    self.backend.edit(loser["login"], {"external_id": "%s~duplicate-%s" % (external_id, loser["id"])})
                if loser["status"] == "active":
                    self.backend.set_status(loser["login"], False)
            except QualysError:
                # Another run settling the same duplicates may have got there first: what counts is the result.
                again = self.backend.find_users(external_id)
                if [user["login"] for user in again] != [winner["login"]] and not self._set_aside(again, winner):
                    raise
            self.module.warn("Users %s and %s both had external_id %r (parallel runs created both): kept %s, "
                             "deactivated %s%s." % (
                                 winner["login"], loser["login"], external_id, winner["login"], loser["login"],
                                 " and renamed its external id" if "external_id" in self.backend.editable else
                                 " (its external id cannot be changed with user_api=%s)" % self.backend.name))
        return winner

    def _set_aside(self, found, winner):
        """With a back-end that cannot rename an external id, the others only need to be inactive."""
        if "external_id" in self.backend.editable:
            return False
        return all(user["status"] == "inactive" for user in found if user["login"] != winner["login"])

    def _find_by_stored_login(self, external_id):
        """The user of the stored credentials when no user has ``external_id`` (edited in the Qualys UI, say)."""
        stored_login = self._stored_login("verify_credentials") or self._stored_login("pending_credentials")
        if not stored_login:
            return None
        user = self.backend.find_user(login=stored_login)
        if user is None:
            return None
        if user["status"] == "inactive" and (user["external_id"] or "").startswith(external_id + "~duplicate-"):
            # A duplicate set aside by an earlier run, not a renamed user.
            return None
        self.module.warn("No Qualys user has external_id %r, but the stored credentials belong to user %s, whose "
                         "external id is %r (changed outside this module, in the Qualys UI say): managing that user "
                         "and setting its external id back to %r instead of creating a second account." % (
                             external_id, user["login"], user["external_id"] or "", external_id))
        return user

    def _stored_login(self, option):
        stored = self.params[option] or {}
        return (stored.get("username") or "").strip() or (stored.get("login") or "").strip() or None

    def _identity(self):
        external_id = self.params["external_id"]
        login = self.params["login"]
        return (external_id.strip() if external_id else None), (login.strip() if login else None)

    def _manages_admin(self):
        return self.params["roles"] is not None or self.params["scope_tags"] is not None

    # -- desired state -------------------------------------------------------------------

    def desired(self, current):
        params = self.params
        desired = {}
        for option in PROFILE_OPTIONS:
            if params[option] is not None:
                desired[option] = params[option].strip()
        if desired.get("country"):
            desired["country"] = users.canonical_country(desired["country"])
        external_id = self._identity()[0]
        if external_id:
            desired["external_id"] = external_id
        for option in LIST_OPTIONS:
            if params[option] is not None:
                desired[option] = sorted(set(name.strip() for name in params[option]))
        creating = current is None
        desired["user_role"] = params["user_role"] or (DEFAULT_ROLE if creating else None)
        business_unit = (params["business_unit"] or "").strip()
        desired["business_unit"] = business_unit or (DEFAULT_BUSINESS_UNIT if creating else None)
        desired["status"] = STATUS_FOR_STATE.get(params["state"])
        return desired

    def view(self, obj):
        keys = list(VIEW_KEYS)
        for option in ("roles", "scope_tags"):
            if self.params[option] is not None:
                keys.append(option)
        return dict((key, copy.deepcopy(obj.get(key))) for key in keys)

    # -- deactivation (state=absent: Qualys cannot delete a user through the API) ------------

    def is_gone(self, obj):
        return obj["status"] == "inactive"

    def planned_delete(self, current):
        self._require_active(current, "deactivated (state=absent)")
        return dict(current, status="inactive")

    def delete(self, current):
        self.backend.set_status(current["login"], False)
        return dict(current, status="inactive")

    def _require_active(self, user, what):
        if user["status"] != "active":
            self.fail("User %s cannot be %s: its status is %s, and Qualys activates and deactivates only Active and "
                      "Inactive users (a Pending Activation user has not accepted the EULA yet)." % (
                          user["login"], what, user["status"]))

    # -- creation -------------------------------------------------------------------------

    def check_create(self, desired):
        external_id, login = self._identity()
        if login:
            self.fail("No Qualys user has login %s%s. Qualys generates the login of a new user, so a user can only be "
                      "created by external_id, without login." % (
                          login, " or external_id %r" % external_id if external_id else ""))
        missing = [option for option in self.backend.required_on_create if not desired.get(option)]
        if desired.get("country") in users.STATE_REQUIRED_COUNTRIES and not desired.get("address_state"):
            missing.append("address_state")
        if missing:
            self.fail("Creating user %r needs %s." % (external_id, ", ".join(missing)))
        created_role = self.backend.created_role
        if created_role is not None and desired["user_role"] != created_role:
            self.fail("user_role=%s cannot be given to a new user with user_api=%s: the Administration create call "
                      "takes no VM role (a new user is a %s). Create it as %s, or change its role in the Qualys UI." % (
                          desired["user_role"], self.backend.name, created_role, created_role))
        if desired["status"] == "inactive" and not self.params["accept_eula"]:
            self.fail("state=inactive for a new user needs accept_eula=true: Qualys deactivates only Active users, "
                      "and a new user becomes Active when it accepts the EULA.")
        self._check_asset_groups(desired.get("asset_groups") or [])
        self._tag_ids = self._lookup_tag_ids(desired.get("scope_tags") or [])
        self._check_roles(desired.get("roles") or [])
        self._flags.update(created=True, password_changed=True, eula_accepted=self.params["accept_eula"])
        self._password_status = "created"

    def planned_create(self, desired):
        predicted = dict(desired, id=None, login=None, asset_groups=desired.get("asset_groups") or [])
        predicted["status"] = desired["status"] or ("active" if self.params["accept_eula"] else "pending_activation")
        for option in PROFILE_OPTIONS:
            predicted.setdefault(option, "")
        for option in self.backend.unreadable:
            # Sent when creating, but the back-end never shows it: predicted as the run will report it.
            if option in predicted:
                predicted[option] = None
        return predicted

    def create(self, desired):
        """Create (user.php add, or the Administration create and a reset, which returns the password), then the EULA,
        the roles and tags, and the status; the user as Qualys shows it."""
        login, password = self.backend.create(desired)
        self._new_login = login
        if password is None:
            # The Administration create returns no password: one reset (email=0) does, and activates the user.
            password = users.reset_password(self.client, login)
        self._keep_password(login, password)
        return self._finish_create(login, password, desired)

    def recover_lost_create(self, desired):
        """Qualys created the user but the one copy of its password was lost in transit: reset it once."""
        found = self._find_user()
        if found is None:
            return None
        self.module.warn("The reply to the user creation was lost, but Qualys created user %s; its password was "
                         "reset once to obtain working credentials." % found["login"])
        password = users.reset_password(self.client, found["login"])
        self._new_login = found["login"]
        self._keep_password(found["login"], password)
        return self._finish_create(found["login"], password, desired)

    def _finish_create(self, login, password, desired):
        if self.params["accept_eula"]:
            users.accept_eula(self.client, login, password)
        if self._manages_admin():
            admin = admin_users.admin_user(self.client, login)
            if admin is None:
                self.fail("User %s was created but Qualys does not show it in the Administration user list (am/user), "
                          "so its roles and scope tags were not set." % login)
            # Plans against what the new user holds: Qualys may give new users a default role.
            admin_users.sync_admin_user(self.client, admin, admin_users.plan(sorted(admin["roles"]), desired.get("roles")),
                                        admin_users.plan(sorted(admin["scope_tags"]), desired.get("scope_tags")),
                                        self._tag_ids)
        if desired["status"] == "inactive":
            self.backend.set_status(login, False)
        return self.find() or dict(self.planned_create(desired), login=login)

    def recheck_created(self, created, desired):
        """Another run may have created the same user meanwhile: every run keeps the same one (see _settle_duplicates).

        The lookup that ended the create settled duplicates already; when it kept another run's user, ours was set
        aside and its password is worthless (the run that created the kept user stores its own).
        """
        if created["login"] == self._new_login:
            return created
        self._credentials_result = None
        self._password_status = "unchanged"
        self._flags.update(password_changed=False)
        self._set_own_duplicate_aside(desired["external_id"])
        self.module.warn("Another run created user %s with external_id %r at the same time; that run stores its "
                         "credentials. This run's user %s was deactivated." % (
                             created["login"], desired["external_id"], self._new_login))
        return created

    def _set_own_duplicate_aside(self, external_id):
        """Our user lost to another run's: make sure it is inactive under a moved external id.

        The run that settled the duplicates may have seen our user before its EULA was accepted (a pending user
        cannot be deactivated), so ours may still be active: this run, which made it, finishes the job.
        """
        own = self.backend.find_user(login=self._new_login)
        if own is None:
            return
        if own["external_id"] == external_id and "external_id" in self.backend.editable:
            self.backend.edit(own["login"], {"external_id": "%s~duplicate-%s" % (external_id, own["id"])})
        if own["status"] == "active":
            self.backend.set_status(own["login"], False)

    # -- update ---------------------------------------------------------------------------

    def compare(self, current, desired):
        login = current["login"]
        for option, what in (("user_role", "role"), ("business_unit", "business unit")):
            if option in self.backend.unreadable:
                continue
            if desired[option] is not None and desired[option] != current[option]:
                self.fail("User %s has the %s %r, not %r: Qualys cannot change the %s of an existing user through the "
                          "API. Change it in the Qualys UI, or create another user." % (
                              login, what, current[option], desired[option], what))
        unreadable = self.backend.unreadable
        changes = dict((key, value) for key, value in desired.items()
                       if key in users.EDIT_PARAMS and key not in unreadable and value is not None
                       and current.get(key) != value)
        fixed = sorted(set(changes) - set(self.backend.editable))
        if fixed:
            self.fail("User %s differs in %s, which cannot be changed with user_api=%s: Qualys documents no "
                      "Administration API call that changes an existing user's profile or external id. Change %s in "
                      "the Qualys UI (Administration > Users), or give the values the user has (%s)." % (
                          login, ", ".join(fixed), self.backend.name, "it" if len(fixed) == 1 else "them",
                          ", ".join("%s=%r" % (key, current.get(key)) for key in fixed)))
        self._role_plan = admin_users.plan(current.get("roles"), desired.get("roles"))
        self._tag_plan = admin_users.plan(current.get("scope_tags"), desired.get("scope_tags"))
        for option in ("roles", "scope_tags"):
            if desired.get(option) is not None and desired[option] != current.get(option):
                changes[option] = desired[option]
        if desired["status"] == "active" and current["status"] == "inactive":
            changes["status"] = "active"
        elif desired["status"] == "inactive" and current["status"] != "inactive":
            changes["status"] = "inactive"
        return changes

    def check_update(self, current, changes):
        added_groups = sorted(set(changes.get("asset_groups") or []) - set(current["asset_groups"]))
        self._check_asset_groups(added_groups)
        self._tag_ids = self._lookup_tag_ids(self._tag_plan["add"])
        self._check_roles(self._role_plan["add"])
        if changes.get("status") == "inactive":
            self._require_active(current, "deactivated (state=inactive)")
        if current["user_role"] == "manager" and changes.get("asset_groups"):
            self.fail("asset_groups cannot be given to %s: a Manager sees every asset group." % current["login"])

    def update(self, current, changes):
        login = current["login"]
        if changes.get("status") == "active":
            self.backend.set_status(login, True)
        self.backend.edit(login, dict((key, value) for key, value in changes.items() if key in users.EDIT_PARAMS))
        if any(self._role_plan.values()) or any(self._tag_plan.values()):
            admin_users.sync_admin_user(self.client, current["_admin"], self._role_plan, self._tag_plan, self._tag_ids)
        if changes.get("status") == "inactive":
            self.backend.set_status(login, False)
        after = dict(current)
        after.update(changes)
        return after

    def _check_asset_groups(self, titles):
        missing = users.missing_asset_groups(self.client, titles) if titles else []
        if missing:
            self._missing("asset_groups", "no asset group is titled", missing)

    def _lookup_tag_ids(self, names):
        ids = {}
        missing = []
        # Imported here: only tag-scoped users need it, and every task run pays for what the module imports.
        from ansible_collections.scanops.qualys.plugins.module_utils.qualys_tags import find_tag
        for name in names:
            tag = find_tag(self.client, name)
            if tag is None:
                missing.append(name)
            ids[name] = tag["id"] if tag is not None else None
        if missing:
            self._missing("scope_tags", "no tag is named", missing)
        return ids

    def _missing(self, option, what, names):
        """Scope objects that do not exist: a failure before any write, or in check mode assumed to come from an earlier task."""
        listed = ", ".join(repr(name) for name in names)
        if not self.check_mode:
            self.fail("%s: %s %s." % (option, what, listed))
        self._assumed[option].extend(names)
        one = len(names) == 1
        self.module.warn("%s: %s %s yet. Check mode assumes that an earlier task of this run creates %s (in check "
                         "mode such a task only predicts it); a real run fails here, before any write, if %s still "
                         "missing then." % (option, what, listed, "it" if one else "them", "it is" if one else "they are"))

    def _check_roles(self, names):
        """Every role to add exists: read-only, before any write, in check mode too.

        The documented user search first (it sees the roles some user holds), then the role definition API (a guess,
        used only when the subscription offers it). A role neither shows is an error, except in check mode for the
        roles an earlier task creates (pending_roles). When no API can tell, Qualys decides when the role is assigned.
        """
        missing, unknown = [], []
        for name in names:
            if admin_users.role_holder(self.client, name) is not None:
                continue
            defined = self._role_defined(name)
            if defined is None:
                unknown.append(name)
            elif not defined:
                missing.append(name)
        pending = set(name.strip() for name in self.params["pending_roles"])
        if self.check_mode and missing and set(missing) <= pending:
            self._assumed["roles"].extend(missing)
            self.module.warn("roles: no role is named %s yet. Check mode assumes that an earlier task of this run "
                             "creates it, as pending_roles says; a real run fails here, before any write, if it still "
                             "does not exist then." % ", ".join(repr(name) for name in missing))
        elif missing:
            unexpected = [name for name in missing if not self.check_mode or name not in pending]
            self.fail("roles: no role is named %s. Create %s by hand in the Qualys UI (Administration > Roles), or with "
                      "scanops.qualys.qualys_role and manage_definition=true (experimental) in an earlier task%s." % (
                          ", ".join(repr(name) for name in unexpected), "it" if len(unexpected) == 1 else "them",
                          "; in check mode, list a role that such a task creates in this run in pending_roles"
                          if self.check_mode else ""))
        if unknown and self.check_mode:
            one = len(unknown) == 1
            self.module.warn("roles: whether the role%s %s exist%s cannot be checked: no user holds %s and this "
                             "subscription does not offer the role definition API. A real run fails when Qualys refuses "
                             "to assign a role that does not exist." % (
                                 "" if one else "s", ", ".join(repr(name) for name in unknown), "s" if one else "",
                                 "it" if one else "them"))

    def _role_defined(self, name):
        """Whether the role definition API shows role ``name``; None when the subscription does not offer that API."""
        # Imported here: it is asked only about roles no user holds yet, and every task run pays for its imports.
        from ansible_collections.scanops.qualys.plugins.module_utils.qualys_role_adapter import RoleAdapter, RoleApiUnavailable
        if self._role_adapter is None:
            self._role_adapter = RoleAdapter(self.client)
        if self._role_adapter.offered is False:
            return None
        try:
            return self._role_adapter.find(name) is not None
        except RoleApiUnavailable:
            self._role_adapter.offered = False
            return None

    # -- password (the after_write step) ------------------------------------------------------------

    def after_write(self, before, after):
        """The password: stored credentials checked, then one action of ``qualys_passwords.decide``. True when changed."""
        if before is None:
            if self._credentials_result is not None:
                self._password_action = "store"
            return False  # the creation is the change
        login = before["login"]
        if self.params["new_password"] is not None:
            return self._apply_pending(login, after)
        changed = False
        current = self._judge("verify_credentials", login, before, after)
        if current["eula_accepted"]:
            changed = True
        pending = self._judge("pending_credentials", login, before, after)
        account = None
        if current["account"] or pending["account"]:
            account = current["account"] or pending["account"]
        current_valid = current["valid"]
        if not current["given"] and self.params["password_mode"] == "reset_if_older_than":
            # Nothing to check: the age alone decides (password_rotated_at).
            current_valid = True
        action, reason = passwords.decide(current_valid, pending["valid"], self.params["password_mode"],
                                          age_days=self._age_days(), max_age_days=self.params["max_password_age_days"],
                                          account=account)
        self._checks["reason"] = reason
        if action == passwords.KEEP:
            self._warn_pending_activation(login, after)
            return changed
        if action == passwords.REPORT_INACTIVE:
            if self.params["state"] != "inactive":
                self.module.warn("User %s is inactive, so its stored credentials cannot be checked (%s). It is left "
                                 "as it is; state=active (the role's reactivate: true) activates it." % (login, reason))
            return changed
        if action == passwords.REPORT_EXPIRED:
            self.fail("User %s has expired (Qualys: \"This account has expired\"), so no password works for it: the "
                      "stored credentials were kept and the password was not reset, since a reset cannot help. Ask a "
                      "Qualys Manager to renew the account or change the subscription's expiry setting (Users > "
                      "Setup > Security); the next run checks the stored credentials again." % login)
        if action == passwords.PROMOTE_PENDING:
            self._password_action = "promote"
            return changed
        if action == passwords.ROTATE and self.params["rotation"] == "two_phase" and current["given"]:
            return self._propose(login, reason) or changed
        # ROTATE by an admin reset (rotation=admin_reset), or ADMIN_RESET: no stored password logs in.
        verdict = current["valid"] if current["given"] else None
        self._reset(login, before, after, verdict=verdict,
                    repair=verdict is False or (verdict is None and self.params["password_mode"] == "reset_if_invalid"))
        return True

    def _judge(self, option, login, before, after):
        """What one set of stored credentials says: valid (True/False/None when not given), account state."""
        outcome = dict(given=False, valid=None, account=None, eula_accepted=False)
        stored = self.params[option]
        if option == "verify_credentials" and stored is None:
            return outcome
        if option == "pending_credentials" and not (stored or {}).get("password"):
            return outcome
        outcome["given"] = True
        if self.check_mode and before["status"] == "inactive" and after["status"] == "active":
            self.module.warn("The credentials of %s were not checked: the user is inactive until this run activates "
                             "it." % login)
            outcome["valid"] = True if option == "verify_credentials" else None
            return outcome
        check = self._verify(stored or {}, login, after["status"])
        kind = (check["error"] or {}).get("kind")
        if kind == "eula" and self.params["accept_eula"]:
            # The password works; only the EULA is missing.
            if not self.check_mode:
                users.accept_eula(self.client, check["login"], check["password"])
                check = dict(check, valid=True, error=None)
            if after["status"] == "pending_activation":
                after["status"] = "active"
            self._flags["eula_accepted"] = outcome["eula_accepted"] = True
            outcome["valid"] = True
        elif kind in ("inactive", "expired"):
            outcome["account"] = kind
        else:
            outcome["valid"] = check["valid"]
        if option == "verify_credentials":
            self._checks["credentials_valid"] = check["valid"]
            if not check["valid"]:
                self._checks["credentials_error"] = check["error"]
            elif "asset_groups" in check:
                self._checks["credentials_asset_groups"] = check["asset_groups"]
        else:
            self._checks["pending_valid"] = check["valid"]
        return outcome

    def _verify(self, stored, login, status):
        # login: the older name of username (validate() refused two different ones).
        stored_login = (stored.get("username") or "").strip() or (stored.get("login") or "").strip() or login
        password = stored.get("password") or ""
        if not password:
            return dict(valid=False, login=stored_login, password=None,
                        error={"kind": "missing", "code": None, "message": "No password is stored."})
        if stored_login != login:
            return dict(valid=False, login=stored_login, password=None,
                        error={"kind": "login_mismatch", "code": None,
                               "message": "The stored login %s is not the login of this user (%s)." % (stored_login, login)})
        check = users.check_credentials_and_scope(self.client, stored_login, password)
        error = check["error"]
        if error is not None and status == "inactive":
            error = dict(error, kind="inactive")
        return dict(valid=check["valid"], login=stored_login, password=password, error=error,
                    asset_groups=check["asset_groups"])

    def _age_days(self):
        rotated = self.params["password_rotated_at"] or (self.params["verify_credentials"] or {}).get("rotated_at")
        if not rotated:
            return None
        return (users.utc_now() - users.parse_timestamp(rotated)).total_seconds() / 86400.0

    def _propose(self, login, reason):
        """Two-phase rotation, phase one: a new password for the caller to store as PENDING. Nothing is sent."""
        self._password_action = "rotate"
        self._checks["reason"] = reason
        if self.check_mode:
            # Predicts the whole rotation the caller carries out (store PENDING, change, promote).
            self._password_status = "rotated"
            self._password_before = "logs in"
            self._flags["password_changed"] = True
            return True
        password = passwords.generate(self.params["password_length"])
        self._keep_password(login, password)
        return False

    def _apply_pending(self, login, after):
        """Two-phase rotation, phase two: the user sets new_password itself, authenticated with the CURRENT one."""
        new_password = self.params["new_password"]
        self.keep_secret(new_password)
        current = dict(self.params["verify_credentials"] or {})
        if (current.get("username") or current.get("login") or login).strip() != login:
            self.fail("verify_credentials belong to %s, not to this user (%s)." % (
                (current.get("username") or current.get("login")).strip(), login))
        self._password_action = "promote"
        valid, _error = users.check_credentials(self.client, login, new_password)
        if valid:
            # An earlier run changed it already (its reply lost, or it stopped before promoting).
            self._checks["pending_valid"] = True
            return False
        valid, error = users.check_credentials(self.client, login, current["password"])
        self._checks["credentials_valid"] = valid
        if not valid:
            self._checks["credentials_error"] = error
            self.fail("Neither the CURRENT password (verify_credentials) nor new_password logs in as %s, so the "
                      "password cannot be changed as the user: %s. Nothing was changed. Run the rotation again from "
                      "the start: with no stored password that logs in, the password is reset by the admin "
                      "(password_mode=reset_if_invalid)." % (login, (error or {}).get("message") or "refused"))
        self._password_status = "rotated"
        self._password_before = "logs in"
        self._flags["password_changed"] = True
        if self.check_mode:
            return True
        users.change_own_password(self.client, login, current["password"], new_password)
        valid, error = users.check_credentials(self.client, login, new_password)
        if not valid:
            self.fail("Qualys accepted the password change of %s, but the new password does not log in: %s. The "
                      "PENDING version holds it; the next run tries it again." % (
                          login, (error or {}).get("message") or "refused"))
        self._rotated_at = users.iso_timestamp(users.utc_now())
        return True

    def _reset(self, login, before, after, verdict, repair):
        """The admin reset (password_change.php, email=0): Qualys chooses the password and returns it once."""
        self._flags["password_changed"] = True
        self._password_status = "reset" if repair else "rotated"
        self._password_before = CREDENTIALS_BEFORE.get(verdict, "not checked")
        self._password_action = "store"
        was_pending = before["status"] == "pending_activation"
        if was_pending:
            # A reset with email=0 activates a pending account.
            after["status"] = "active"
        accept = was_pending and self.params["accept_eula"]
        if self.check_mode:
            self._flags["eula_accepted"] = self._flags["eula_accepted"] or accept
            return
        password = users.reset_password(self.client, login)
        self._keep_password(login, password)
        if accept:
            users.accept_eula(self.client, login, password)
            self._flags["eula_accepted"] = True

    def _warn_pending_activation(self, login, after):
        if self.params["state"] == "active" and after["status"] == "pending_activation":
            self.module.warn("User %s is Pending Activation (it has not accepted the EULA), which Qualys cannot "
                             "activate; accepting the EULA as the user (verify_credentials with accept_eula) or a "
                             "password reset activates it." % login)

    # -- secrets and result ---------------------------------------------------------------------------

    def _keep_password(self, login, password):
        """Mask the password in every warning and error from now on; RV(credentials) carries it."""
        self.keep_secret(password)
        self._passwords.append(password)
        self._rotated_at = users.iso_timestamp(users.utc_now())
        api_url = self.client.api_url
        self._credentials_result = dict(username=login, password=password, api_url=api_url,
                                        platform=self.params.get("platform") or platform_of(api_url),
                                        rotated_at=self._rotated_at, login=login)

    def extra_result(self):
        result = dict(self._flags)
        result["password_status"] = self._password_status
        result["password_action"] = self._password_action
        for key in ("credentials_valid", "credentials_error", "credentials_asset_groups", "pending_valid"):
            if key in self._checks:
                result[key] = self._checks[key]
        if "reason" in self._checks and self._password_action != "none":
            result["password_reason"] = self._checks["reason"]
        if self._password_status != "unchanged":
            result["changes_password"] = {"field": "password", "before": self._password_before,
                                          "after": self._password_status}
        if self.check_mode and any(self._assumed.values()):
            result["assumed"] = dict((key, sorted(set(names))) for key, names in self._assumed.items())
        return result

    def run(self):
        return self._finish(super(ServiceUserModule, self).run())

    def _finish(self, result):
        """Release the generated password for RV(credentials) only.

        AnsibleModule masks no_log values everywhere in the result, the place
        the caller asked for included; the password is scrubbed from
        everything else here, then released so that ``credentials`` carries it.
        """
        password_change = result.pop("changes_password", None)
        if password_change is not None:
            result.setdefault("changes", []).append(password_change)
        for password in self._passwords:
            result = _scrub(result, password)
        if self._credentials_result is not None and not self.check_mode:
            for password in self._passwords:
                self.module.no_log_values.discard(password)
            result["credentials"] = self._credentials_result
            result["rotated_at"] = self._rotated_at
        elif self._password_action == "promote" and self._rotated_at:
            result["rotated_at"] = self._rotated_at
        return result


def _scrub(value, secret):
    if isinstance(value, dict):
        return dict((key, _scrub(item, secret)) for key, item in value.items())
    if isinstance(value, list):
        return [_scrub(item, secret) for item in value]
    if isinstance(value, str) and secret in value:
        return value.replace(secret, "********")
    return value


def main():
    module = ServiceUserModule()
    module.execute(module.run)


if __name__ == "__main__":
    main()
