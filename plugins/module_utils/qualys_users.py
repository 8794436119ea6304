# -*- coding: utf-8 -*-
# Copyright (c) scanops.qualys contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Qualys users as plain dicts: lookups, writes and credential checks.

Shared by ``qualys_service_user``, ``qualys_service_user_info`` and the
connection checks. Two APIs describe one user:

- the classic ``/msp`` user APIs (``user_list.php``, ``user.php``,
  ``password_change.php``, ``acceptEULA.php``): profile, VM role, asset
  groups, status, password -- here;
- the QPS Administration ``am/user`` API: the user's Administration roles
  (``roleList``) and scope tags (``scopeTags``), keyed by its own user id --
  in ``qualys_admin_users``.

A user dict uses the option names of ``qualys_service_user`` (see
``PROFILE_FIELDS``) plus ``id``, ``login``, ``status``, ``user_role``,
``business_unit``, ``asset_groups``, ``creation_date`` and
``last_login_date``. Passwords never enter a user dict.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime
import difflib

from ansible_collections.scanops.qualys.plugins.module_utils import qualys_asset_groups as groups
from ansible_collections.scanops.qualys.plugins.module_utils import qualys_formats as formats
from ansible_collections.scanops.qualys.plugins.module_utils.qualys_errors import QualysError

# VM user roles of user.php (input spelling -> how user_list.php shows them).
USER_ROLES = {
    "manager": "Manager",
    "unit_manager": "Unit Manager",
    "administrator": "Administrator",
    "scanner": "Scanner",
    "reader": "Reader",
    "contact": "Contact",
}
# A Contact cannot log in, so it can never be an API user.
LOGIN_ROLES = ("reader", "scanner", "unit_manager", "manager", "administrator")

# user_list.php USER_STATUS -> the value modules report and compare.
STATUSES = {
    "Active": "active",
    "Inactive": "inactive",
    "Pending Activation": "pending_activation",
}

# Option name -> (user.php parameter, element under CONTACT_INFO).
PROFILE_FIELDS = (
    ("first_name", "first_name", "FIRSTNAME"),
    ("last_name", "last_name", "LASTNAME"),
    ("title", "title", "TITLE"),
    ("email", "email", "EMAIL"),
    ("phone", "phone", "PHONE"),
    ("address1", "address1", "ADDRESS1"),
    ("address2", "address2", "ADDRESS2"),
    ("city", "city", "CITY"),
    ("zip_code", "zip_code", "ZIP_CODE"),
    ("country", "country", "COUNTRY"),
    # The address state/province; named so it cannot be mistaken for Ansible's state.
    ("address_state", "state", "STATE"),
)
PROFILE_PARAMS = dict((option, param) for option, param, _tag in PROFILE_FIELDS)
# user.php edit accepts these besides the profile (role and business unit are create-only).
EDIT_PARAMS = dict(PROFILE_PARAMS, external_id="external_id", asset_groups="asset_groups")

# Parameters user.php add needs (first_name... as the public clients send them).
REQUIRED_ON_CREATE = ("first_name", "last_name", "title", "email", "phone", "address1", "city", "country")
# Countries whose users need a state/province (Qualys user form).
STATE_REQUIRED_COUNTRIES = frozenset(["United States of America", "Canada", "India", "Australia"])

# The country names the Qualys user form offers, in its own spelling (some of
# it historical); user.php takes the full name, never an ISO code.
COUNTRIES = (
    "Afghanistan", "Albania", "Algeria", "Andorra", "Angola", "Anguilla", "Antartica", "Antigua and Barbuda",
    "Argentina", "Armenia", "Aruba", "Australia", "Austria", "Azerbaijan",
    "Bahamas", "Bahrain", "Bangladesh", "Barbados", "Belarus", "Belgium", "Belize", "Benin", "Bermuda", "Bhutan",
    "Bolivia", "Bosnia-Herzegovina", "Botswana", "Bouvet Island", "Brazil", "British Indian Ocean Territory",
    "Brunei Darussalam", "Bulgaria", "Burkina Faso", "Burundi",
    "Cambodia", "Cameroon", "Canada", "Cape Verde", "Cayman Islands", "Central African Republic", "Chad", "Chile",
    "China", "Christmas Island", "Cocos (Keeling) Islands", "Colombia", "Comoros", "Congo", "Cook Islands",
    "Costa Rica", "Cote D'Ivoire", "Croatia", "Cuba", "Cyprus", "Czech Republic",
    "Denmark", "Djibouti", "Dominica", "Dominican Republic",
    "East Timor", "Ecuador", "Egypt", "El Salvador", "Equatorial Guinea", "Estonia", "Ethiopia",
    "Faeroe Islands", "Falkland Islands (Malvinas)", "Fiji", "Finland", "France", "French Guiana",
    "French Polynesia", "French Southern Territories",
    "Gabon", "Gambia", "Georgia", "Germany", "Ghana", "Gibraltar", "Greece", "Greenland", "Grenada", "Guadeloupe",
    "Guatemala", "Guernsey, C.I.", "Guinea", "Guinea-Bissau", "Guyana",
    "Haiti", "Heard and McDonald Islands", "Honduras", "Hong Kong", "Hungary",
    "Iceland", "India", "Indonesia", "Iran (Islamic Republic of)", "Iraq", "Ireland", "Isle of Man", "Israel",
    "Italy",
    "Jamaica", "Japan", "Jersey, C.I.", "Jordan",
    "Kazakhstan", "Kenya", "Kiribati", "Korea", "Kuwait", "Kyrgyzstan",
    "Lao Peoples Democratic Republi", "Latvia", "Lebanon", "Lesotho", "Liberia", "Libyan Arab Jamahiriya",
    "Liechtenstein", "Lithuania", "Luxembourg",
    "Macau", "Macedonia", "Madagascar", "Malawi", "Malaysia", "Maldives", "Mali", "Malta", "Marshall Islands",
    "Martinique", "Mauritania", "Mauritius", "Mexico", "Micronesia, Fed. States of", "Moldova, Republic of",
    "Monaco", "Mongolia", "Montserrat", "Morocco", "Mozambique", "Myanmar",
    "Namibia", "Nauru", "Nepal", "Netherland Antilles", "Netherlands", "Neutral Zone (Saudi/Iraq)",
    "New Caledonia", "New Zealand", "Nicaragua", "Niger", "Nigeria", "Niue", "Norfolk Island",
    "Northern Mariana Islands", "Norway",
    "Oman",
    "Pakistan", "Palau", "Panama", "Panama Canal Zone", "Papua New Guinea", "Paraguay", "Peru", "Philippines",
    "Pitcairn", "Poland", "Portugal", "Puerto Rico",
    "Qatar",
    "Reunion", "Romania", "Russia", "Rwanda",
    "Saint Kitts and Nevis", "Saint Lucia", "Samoa", "San Marino", "Sao Tome and Principe", "Saudi Arabia",
    "Senegal", "Seychelles", "Sierra Leone", "Singapore", "Slovak Republic", "Slovenia", "Solomon Islands",
    "Somalia", "South Africa", "Spain", "Sri Lanka", "St. Helena", "St. Pierre and Miquelon",
    "St. Vincent and the Grenadines", "Sudan", "Suriname", "Svalbard and Jan Mayen Islands", "Swaziland", "Sweden",
    "Switzerland", "Syrian Arab Republic",
    "Taiwan", "Tajikistan", "Tanzania, United Republic of", "Thailand", "Togo", "Tokelau", "Tonga",
    "Trinidad and Tobago", "Tunisia", "Turkey", "Turkmenistan", "Turks and Caicos Islands", "Tuvalu",
    "U.S.Minor Outlying Islands", "Uganda", "Ukraine", "United Arab Emirates", "United Kingdom",
    "United States of America", "Uruguay", "Uzbekistan",
    "Vanuatu", "Vatican City State", "Venezuela", "Vietnam", "Virgin Islands (British)",
    "Wallis and Futuna Islands", "Western Sahara",
    "Yemen", "Yugoslavia",
    "Zaire", "Zambia", "Zimbabwe",
)
_COUNTRY_BY_FOLDED = dict((name.lower(), name) for name in COUNTRIES)
# Codes people type for the countries they most often mean; only used in error messages.
_CODE_HINTS = {
    "us": "United States of America", "usa": "United States of America", "uk": "United Kingdom",
    "gb": "United Kingdom", "gbr": "United Kingdom", "ca": "Canada", "can": "Canada", "in": "India",
    "ind": "India", "au": "Australia", "aus": "Australia", "de": "Germany", "deu": "Germany", "fr": "France",
    "fra": "France", "ae": "United Arab Emirates", "uae": "United Arab Emirates",
}

# Error kinds that mean "these credentials do not work" (as opposed to "Qualys
# could not be asked"): only these make a credential check answer False.
CREDENTIAL_ERROR_KINDS = frozenset(["auth", "expired", "eula", "no_api_access"])


# -- values --------------------------------------------------------------------------

def canonical_country(value):
    """The Qualys spelling of ``value`` (case-insensitive), or a ValueError that suggests one."""
    folded = (value or "").strip().lower()
    found = _COUNTRY_BY_FOLDED.get(folded)
    if found:
        return found
    if len(folded) <= 3:
        hint = " Qualys takes the full country name, not a code"
        if folded in _CODE_HINTS:
            hint += " (here %r)" % _CODE_HINTS[folded]
        hint += "."
    else:
        close = difflib.get_close_matches(folded, list(_COUNTRY_BY_FOLDED), n=3, cutoff=0.6)
        hint = " Did you mean %s?" % " or ".join(repr(_COUNTRY_BY_FOLDED[name]) for name in close) if close else ""
    raise ValueError("country %r is not a country name Qualys knows.%s" % (value, hint))


def role_key(shown):
    """``Unit Manager`` (user_list.php) -> ``unit_manager`` (user.php)."""
    return (shown or "").strip().lower().replace(" ", "_") or None


def status_key(shown):
    shown = (shown or "").strip()
    return STATUSES.get(shown, shown.lower().replace(" ", "_") or None)


def utc_now():
    return datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)


def iso_timestamp(moment):
    """``2025-01-31T12:00:00Z``."""
    return moment.astimezone(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_timestamp(text):
    """An ISO-8601 date or date-time as an aware UTC datetime (no zone = UTC); ValueError otherwise."""
    value = (text or "").strip()
    if not value:
        raise ValueError("empty timestamp")
    if value.endswith(("Z", "z")):
        value = value[:-1] + "+00:00"
    moment = datetime.datetime.fromisoformat(value)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=datetime.timezone.utc)
    return moment.astimezone(datetime.timezone.utc)


# -- classic user list ------------------------------------------------------------------

def user_from_xml(element):
    """A ``USER_LIST_OUTPUT/USER_LIST/USER`` element as a user dict."""
    contact = element.find("CONTACT_INFO")
    user = {
        "id": _int(formats.text_of(element, "USER_ID")),
        "login": formats.text_of(element, "USER_LOGIN"),
        "external_id": formats.text_of(element, "EXTERNAL_ID") or None,
    }
    for option, _param, tag in PROFILE_FIELDS:
        user[option] = formats.text_of(contact, tag, "") or ""
    user["business_unit"] = formats.text_of(element, "BUSINESS_UNIT") or "Unassigned"
    user["user_role"] = role_key(formats.text_of(element, "USER_ROLE"))
    user["asset_groups"] = sorted(set(
        formats.text_of(group, ".") for group in element.findall("ASSIGNED_ASSET_GROUPS/ASSET_GROUP_TITLE")
        if formats.text_of(group, ".")))
    user["status"] = status_key(formats.text_of(element, "USER_STATUS"))
    user["creation_date"] = formats.text_of(element, "CREATION_DATE")
    last_login = formats.text_of(element, "LAST_LOGIN_DATE")
    user["last_login_date"] = None if last_login in (None, "", "N/A") else last_login
    return user


def list_users(client, external_id_contains=None):
    """Users visible to the caller; with ``external_id_contains`` Qualys filters them.

    user_list.php has no login filter, so without it this lists every user
    the caller may see.
    """
    params = {}
    if external_id_contains:
        params["external_id_contains"] = external_id_contains
    root = client.msp("user_list.php", params)
    return [user_from_xml(element) for element in root.findall("USER_LIST/USER")]


def find_users(client, external_id):
    """Every user with exactly this ``external_id`` (Qualys filters by "contains"; the exact match is made here)."""
    return [user for user in list_users(client, external_id_contains=external_id) if user["external_id"] == external_id]


def find_user(client, external_id=None, login=None):
    """The user with exactly this ``external_id`` (preferred) or ``login``, or None.

    By external_id Qualys filters server side (``external_id_contains``) and
    the exact match is made here; several users with the same external_id is
    an error, since acting on one of them would be a guess.
    """
    if external_id:
        found = find_users(client, external_id)
        if len(found) > 1:
            raise QualysError("%d Qualys users have external_id %r (logins %s); give each user its own external_id "
                              "in the Qualys UI before managing one of them." % (
                                  len(found), external_id, ", ".join(sorted(user["login"] for user in found))),
                              kind="ambiguous")
        return found[0] if found else None
    if login:
        for user in list_users(client):
            if user["login"] == login:
                return user
    return None


# -- classic user writes ------------------------------------------------------------------

def add_user(client, params):
    """user.php action=add with send_email=0: (login, password).

    The reply carries the only copy of the generated password, so it is read
    as a sensitive reply (never quoted in an error).
    """
    request = dict(params, action="add", send_email="0")
    root = client.msp("user.php", request, write=True, idempotent=False, sensitive=True)
    login = formats.text_of(root, "USER/USER_LOGIN")
    password = formats.text_of(root, "USER/PASSWORD")
    if not login or not password:
        raise QualysError("Qualys created the user but its reply holds no USER/USER_LOGIN and USER/PASSWORD "
                          "(send_email=0 was sent); reset the password to obtain credentials.", kind="format")
    return login, password


def edit_user(client, login, params):
    """user.php action=edit: the given parameters replace the current ones."""
    request = dict(params, action="edit", login=login)
    client.msp("user.php", request, write=True, idempotent=True)


def set_user_status(client, login, active):
    """user.php action=activate|deactivate."""
    client.msp("user.php", {"action": "activate" if active else "deactivate", "login": login},
               write=True, idempotent=False)


def reset_password(client, login):
    """password_change.php for one login with email=0: the new password.

    ``email=0`` is the switch Qualys' current pages name and the public
    clients that read a password back send (only an older parameter table
    says ``send_email``); without it Qualys e-mails the new password and the
    report carries only the login. The report is searched for a USER with
    that USER_LOGIN wherever it appears.
    """
    root = client.msp("password_change.php", {"user_logins": login, "email": "0"},
                      write=True, idempotent=False, sensitive=True)
    for element in root.iter("USER"):
        if formats.text_of(element, "USER_LOGIN") == login:
            password = formats.text_of(element, "PASSWORD")
            if password:
                return password
    if root.find(".//PASSWORD") is None:
        # A SUCCESS report without any password: Qualys changed it and sent it by e-mail.
        raise QualysError(
            "Qualys did not return a new password for %s: it reset the password but e-mailed the new one to the "
            "user's e-mail address instead of returning it (email=0 was sent). The previous password no longer "
            "works, so the stored credentials of %s must be replaced: put the password from that e-mail into the "
            "stored credentials (for example the secret that holds them), or run the task again with "
            "password_mode=reset_if_invalid (or reset), which resets the password once more. Qualys may allow only "
            "a few resets per user per hour." % (login, login), kind="api")
    raise QualysError("Qualys did not return a new password for %s (password_change.php with email=0); the password "
                      "may have been changed: reset it again." % login, kind="format")


def change_own_password(client, login, password, new_password):
    """The self-service change: ``login`` sets ``new_password`` itself, authenticated with ``password`` (Basic only).

    Qualys does not say which password rules refuse a value, nor how often it may
    be changed (a third-party transcription says 3 times per hour); its refusal is
    raised as it came, never quoting the passwords.
    """
    client.fo("/api/2.0/fo/user/change_password/", None, json_body={"newPassword": new_password}, write=True,
              idempotent=False, credentials=(login, password), sensitive=True)


def accept_eula(client, login, password):
    """acceptEULA.php as the user itself: without it the account cannot use the API."""
    client.msp("acceptEULA.php", {}, write=True, idempotent=True, credentials=(login, password))


def check_credentials(client, login, password):
    """Whether ``login``/``password`` can use the API: ``(True, None)`` or ``(False, error)``.

    One cheap read-only call as that user (list at most two asset groups).
    ``error`` is ``{"kind", "code", "message"}``. Failures that say nothing
    about the credentials (network, TLS, limits) are raised, so a flaky
    network never passes for a broken password.
    """
    check = check_credentials_and_scope(client, login, password)
    return check["valid"], check["error"]


def check_credentials_and_scope(client, login, password):
    """check_credentials() that also says which asset groups the user sees, in the same one call.

    ``{"valid", "error", "asset_groups"}``: ``asset_groups`` lists at most two titles (two means two or more),
    empty when the credentials do not log in.
    """
    try:
        root = groups.check_access(client, credentials=(login, password), with_titles=True)
    except QualysError as exc:
        if exc.kind not in CREDENTIAL_ERROR_KINDS:
            raise
        error = {"kind": exc.kind, "code": str(exc.code) if exc.code is not None else None, "message": exc.message}
        return {"valid": False, "error": error, "asset_groups": []}
    return {"valid": True, "error": None, "asset_groups": groups.seen_titles(root)}


def missing_asset_groups(client, titles):
    """The titles among ``titles`` that name no asset group visible to the caller."""
    missing = []
    for title in titles:
        if title not in [group["title"] for group in groups.list_asset_groups(client, {"title": title}, ["title"])]:
            missing.append(title)
    return missing


# -- helpers ----------------------------------------------------------------------------------

def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


# -- the back-ends ---------------------------------------------------------------------------

# The value of the connection option user_api that names the enhanced-RBAC back-end (qualys_rbac_users).
RBAC_USER_API = "rbac"

# The two calls enhanced RBAC retires; how a refusal of them may look is not documented.
RETIRED_BY_RBAC = ("user.php", "user_list.php")
# Error kinds that may be such a refusal (not a bad password, a limit, the network or the configuration).
RBAC_REFUSAL_KINDS = frozenset(["api", "format", "not_found", "no_api_access", "unsupported"])
RBAC_HINT = (" If this subscription has enhanced RBAC (Qualys retires user.php and user_list.php then), set "
             "user_api: rbac (or QUALYS_USER_API=rbac) to manage its users through the Administration user API.")


def fits_rbac_refusal(exc):
    """Whether a failed user.php / user_list.php call may be an enhanced-RBAC subscription refusing it.

    The reply Qualys sends then is not documented, so this only says the failure is not one of the kinds that
    have another cause (credentials, limits, network, configuration); it never chooses the back-end.
    """
    return exc.kind in RBAC_REFUSAL_KINDS or exc.status in (403, 404)


def with_rbac_hint(exc):
    """``exc`` with the suggestion of user_api: rbac added to its message when the failure fits (once)."""
    if fits_rbac_refusal(exc) and RBAC_HINT not in exc.message:
        exc.message += RBAC_HINT
        exc.args = (exc.message,)
    return exc


def user_backend(client):
    """The user back-end the connection option ``user_api`` names: ``ClassicUsers`` or ``qualys_rbac_users.RbacUsers``.

    The enhanced-RBAC code is imported only when a run asks for it: every task run pays for what its module imports.
    """
    if getattr(client, "user_api", "classic") == RBAC_USER_API:
        from ansible_collections.scanops.qualys.plugins.module_utils import qualys_rbac_users
        return qualys_rbac_users.RbacUsers(client)
    return ClassicUsers(client)


def unsupported_options(params):
    """Messages for the ``qualys_service_user`` options that the back-end of ``params["user_api"]`` cannot honour.

    Only the enhanced-RBAC back-end refuses any; the classic one takes every option.
    """
    if (params.get("user_api") or "classic") != RBAC_USER_API:
        return []
    from ansible_collections.scanops.qualys.plugins.module_utils import qualys_rbac_users
    return qualys_rbac_users.unsupported_options(params)


class ClassicUsers:
    """Users through the classic user APIs (``user_list.php``, ``user.php``): the interface ``RbacUsers`` shares.

    ``unreadable``: fields its user dicts do not carry (none); ``editable``: the options an edit can change;
    ``required_on_create``: the options a create needs. A failure of a call that enhanced RBAC retires, when it
    fits such a subscription, suggests ``user_api: rbac``.
    """

    name = "classic"
    unreadable = frozenset()
    editable = frozenset(EDIT_PARAMS)
    required_on_create = REQUIRED_ON_CREATE
    created_role = None  # a create takes the user_role asked for
    calls = {
        "find": "POST /msp/user_list.php",
        "create": "POST /msp/user.php action=add",
        "status": "POST /msp/user.php action=activate|deactivate",
    }

    def __init__(self, client):
        self.client = client

    def list_users(self, external_id_contains=None):
        try:
            return list_users(self.client, external_id_contains=external_id_contains)
        except QualysError as exc:
            raise with_rbac_hint(exc)

    def find_users(self, external_id):
        try:
            return find_users(self.client, external_id)
        except QualysError as exc:
            raise with_rbac_hint(exc)

    def find_user(self, external_id=None, login=None):
        try:
            return find_user(self.client, external_id=external_id, login=login)
        except QualysError as exc:
            raise with_rbac_hint(exc)

    def create(self, desired):
        """user.php add from the option values of ``desired``: ``(login, password)``."""
        request = dict((PROFILE_PARAMS[option], desired[option]) for option in PROFILE_PARAMS if desired.get(option))
        request.update(user_role=desired["user_role"], business_unit=desired["business_unit"],
                       external_id=desired["external_id"])
        if desired.get("asset_groups"):
            request["asset_groups"] = ",".join(desired["asset_groups"])
        try:
            return add_user(self.client, request)
        except QualysError as exc:
            raise with_rbac_hint(exc)

    def edit(self, login, changes):
        """user.php edit with the options of ``changes`` (``asset_groups`` as the whole list)."""
        edits = dict((EDIT_PARAMS[key], ",".join(value) if key == "asset_groups" else value)
                     for key, value in changes.items() if key in EDIT_PARAMS)
        if not edits:
            return
        try:
            edit_user(self.client, login, edits)
        except QualysError as exc:
            raise with_rbac_hint(exc)

    def set_status(self, login, active):
        try:
            set_user_status(self.client, login, active)
        except QualysError as exc:
            raise with_rbac_hint(exc)
