# -*- coding: utf-8 -*-
# Copyright (c) scanops.qualys contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The user back-end of enhanced-RBAC subscriptions, and ``user_backend()``, which picks a back-end.

Once a subscription has enhanced RBAC, Qualys documents that ``/msp/user.php``
and ``/msp/user_list.php`` can no longer be used. ``RbacUsers`` offers the
interface of ``qualys_users.ClassicUsers`` on the Administration (``adminui``)
user API instead (``qualys_adminui``):

- find: ``POST /adminui/user-management/v1/users`` (by login with the
  ``username`` filter and an exact match; by external id by reading every
  page, since the documented filter has no external id);
- create: ``POST /adminui/user-management/v1/user`` (``userDetails`` with
  ``sendEmail: false``); no password comes back, so the caller resets it with
  ``password_change.php`` (``email=0``);
- activate/deactivate: ``PUT /adminui/user-management/v1/user/status``.

Roles and scope tags stay with QPS ``am/user`` (``qualys_admin_users``) and
the password calls with ``qualys_users`` (the Administration guide documents
``password_change.php`` as its reset call). Qualys documents no call that
changes the profile of an existing user here, so ``editable`` is empty; and
the user list does not carry the postal address, phone, business unit or
creation date, so those are ``unreadable`` (used when creating, never
compared).

A user dict has the keys of ``qualys_users.user_from_xml``; ``None`` where the
list says nothing, ``asset_groups`` always empty (an RBAC user is scoped by
tags).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime

from ansible_collections.scanops.qualys.plugins.module_utils import qualys_adminui as adminui
from ansible_collections.scanops.qualys.plugins.module_utils import qualys_users as users
from ansible_collections.scanops.qualys.plugins.module_utils.qualys_errors import QualysError

NAME = users.RBAC_USER_API
# Fields the adminui user list does not show: given on create, never compared.
UNREADABLE = frozenset(["phone", "address1", "address2", "city", "zip_code", "country", "address_state",
                        "business_unit", "creation_date"])
# The fields a create needs (the create page names no required field; these are the ones a user cannot lack).
REQUIRED_ON_CREATE = ("first_name", "last_name", "email")
# Option -> userDetails field of the documented create body.
CREATE_FIELDS = (
    ("first_name", "firstName"),
    ("last_name", "lastName"),
    ("email", "emailID"),
    ("title", "title"),
    ("phone", "contactNumber"),
    ("address1", "address"),
    ("city", "city"),
    ("zip_code", "zipCode"),
    ("address_state", "state"),
    ("country", "country"),
    ("external_id", "externalId"),
)
# The VM role an adminui create gives (the create body has no role field; assumed: a Reader).
CREATED_ROLE = "reader"
DEFAULT_BUSINESS_UNIT = "Unassigned"


def unsupported_options(params):
    """Messages for the options of ``qualys_service_user`` that this back-end cannot honour (see qualys_users).

    Checked before any call: asset groups (an enhanced-RBAC user is scoped by tags), a second address line and a
    business unit (the create body has neither).
    """
    refused = []
    if params.get("asset_groups"):
        refused.append("asset_groups is not supported with user_api=rbac: on an enhanced-RBAC subscription a user is "
                       "scoped by tags (scope_tags, the QPS am/user scopeTags), not by asset groups. Use scope_tags "
                       "(an asset group's child tag of the system tag 'Asset Groups', for example), and asset_groups: [] "
                       "or no asset_groups.")
    if (params.get("address2") or "").strip():
        refused.append("address2 is not supported with user_api=rbac: the Administration create call has one address "
                       "field (address1).")
    if (params.get("business_unit") or "").strip() not in ("", DEFAULT_BUSINESS_UNIT):
        refused.append("business_unit is not supported with user_api=rbac: the Administration create call takes no "
                       "business unit, and its user list does not show one.")
    return refused


class RbacUsers:
    """Users through the Administration (``adminui``) user API: the interface of ``qualys_users.ClassicUsers``."""

    name = NAME
    unreadable = UNREADABLE
    editable = frozenset()
    required_on_create = REQUIRED_ON_CREATE
    created_role = CREATED_ROLE
    # What each operation sends, for documentation and errors.
    calls = {
        "find": "POST /adminui/user-management/v1/users",
        "create": "POST /adminui/user-management/v1/user",
        "status": "PUT /adminui/user-management/v1/user/status",
    }

    def __init__(self, client, admin=None):
        self.client = client
        self.admin = admin or adminui.AdminUi(client)

    # -- reads ---------------------------------------------------------------------------

    def list_users(self, external_id_contains=None):
        """Every user the caller may see; with ``external_id_contains``, those whose external id contains it."""
        raws = self.admin.list_users()
        found = [user_from_adminui(raw) for raw in raws]
        if external_id_contains:
            _require_external_ids(raws)
            found = [user for user in found if external_id_contains in (user["external_id"] or "")]
        return found

    def find_users(self, external_id):
        """Every user with exactly this ``external_id`` (every page is read: the list has no external id filter)."""
        raws = self.admin.list_users()
        _require_external_ids(raws)
        return [user for user in (user_from_adminui(raw) for raw in raws) if user["external_id"] == external_id]

    def find_user(self, external_id=None, login=None):
        """The user with exactly this ``external_id`` (preferred) or ``login``, or None."""
        if external_id:
            found = self.find_users(external_id)
            if len(found) > 1:
                raise QualysError("%d Qualys users have external_id %r (logins %s)." % (
                    len(found), external_id, ", ".join(sorted(user["login"] for user in found))), kind="ambiguous")
            return found[0] if found else None
        if login:
            raw = self.admin.find_by_login(login)
            return user_from_adminui(raw) if raw is not None else None
        return None

    # -- writes --------------------------------------------------------------------------

    def create(self, desired):
        """Create the user (``sendEmail: false``): ``(login, None)``; Qualys returns no password here.

        When the reply names no user (its shape is assumed), the new user is looked up by external id.
        """
        details = {"sendEmail": False, "accessToAllAssetGroups": False}
        for option, field in CREATE_FIELDS:
            value = desired.get(option)
            if value:
                details[field] = value
        try:
            created = self.admin.create_user(details)
        except QualysError as exc:
            if exc.status is None or not 200 <= exc.status < 300 or not desired.get("external_id"):
                raise
            # A 2xx reply without the (assumed) id and login: the user exists, find it.
            found = self.find_users(desired["external_id"])
            if len(found) != 1:
                raise
            created = {"id": found[0]["id"], "login": found[0]["login"]}
        return created["login"], None

    def edit(self, login, changes):
        """Qualys documents no Administration call that changes an existing user's profile: only "nothing" is done."""
        if not changes:
            return
        raise QualysError("User %s: %s cannot be changed with user_api=rbac: Qualys documents no Administration API call "
                          "that changes an existing user's profile. Change it in the Qualys UI (Administration > Users)."
                          % (login, ", ".join(sorted(changes))), kind="unsupported")

    def set_status(self, login, active):
        if active:
            self.admin.activate(login)
        else:
            self.admin.deactivate(login)


def user_from_adminui(raw):
    """A listed ``adminui`` user (or a details entry) as a user dict (``qualys_users.user_from_xml`` keys)."""
    summary = adminui.summary(raw)
    details = raw.get("userDetails") if isinstance(raw.get("userDetails"), dict) else raw
    user = {
        "id": summary["id"],
        "login": summary["login"],
        "external_id": summary["external_id"] or None,
        "status": summary["status"],
        "user_role": users.role_key(raw.get("qwebUserRole")),
        "business_unit": None,
        "asset_groups": [],
        "creation_date": None,
        "last_login_date": _iso(details.get("lastLoginDate")),
    }
    for option, _param, _tag in users.PROFILE_FIELDS:
        user[option] = None
    for option in ("first_name", "last_name", "email", "title"):
        user[option] = summary[option] if summary[option] is not None else ""
    return user


def _require_external_ids(raws):
    """Listed users carrying ``externalId`` is assumed: when none does, "not found" would be a guess."""
    if raws and not any("externalId" in raw for raw in raws):
        raise QualysError(
            "The Administration user list of this subscription does not show externalId (%d users listed, none with "
            "the field), so a user cannot be found by external id with user_api=rbac; give login instead."
            % len(raws), kind="unsupported")


def _iso(epoch):
    """Epoch seconds (the list's dates) as ISO-8601 UTC, or None."""
    if isinstance(epoch, bool) or not isinstance(epoch, (int, float)):
        return None
    try:
        moment = datetime.datetime.fromtimestamp(epoch, datetime.timezone.utc)
    except (OverflowError, OSError, ValueError):
        return None
    return users.iso_timestamp(moment)
