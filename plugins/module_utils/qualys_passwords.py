# -*- coding: utf-8 -*-
# Copyright (c) scanops.qualys contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The service user's password: how a new one is made, and what a run does with the stored ones.

Pure functions, no I/O. ``decide`` is the one place that turns what is known
about the stored credentials (the CURRENT version of the credentials secret,
and a PENDING version a rotation may have left) and the rotation policy into
one action; the module and the role carry the action out.

Rotation is two-phase: a password chosen here is stored as the PENDING version
first, then set as the user (self-service change, authenticated with the
CURRENT password), then promoted to CURRENT. Each step can be interrupted; the
next run finds the PENDING version and finishes or discards it. The admin
reset (Qualys generates the password and returns it once) is the fallback when
no stored password logs in.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import secrets
import string

# Characters of generated passwords. Punctuation is limited to characters that
# need no escaping in JSON, form bodies or shells, and that Qualys' password
# policy counts as special characters.
LOWER = string.ascii_lowercase
UPPER = string.ascii_uppercase
DIGITS = string.digits
SPECIAL = "!#%*+-.=?@^_~"
DEFAULT_LENGTH = 24
# Qualys subscriptions commonly require 8 or more characters; the default is well above.
MIN_LENGTH = 12
MAX_LENGTH = 128

# The actions ``decide`` returns.
KEEP = "keep"                        # the CURRENT password works and is not due: nothing to do
PROMOTE_PENDING = "promote_pending"  # the PENDING password logs in: an earlier rotation set it; promote it
ROTATE = "rotate"                    # two-phase rotation: new PENDING, self-service change, promote
ADMIN_RESET = "admin_reset"          # no stored password logs in: reset as the admin, store at once
REPORT_EXPIRED = "report_expired"    # the account has expired: no password action can help
REPORT_INACTIVE = "report_inactive"  # the user is inactive: credentials cannot be checked; leave it

POLICIES = ("on_create", "reset", "reset_if_older_than", "reset_if_invalid")


def generate(length=DEFAULT_LENGTH, rng=None):
    """A random password with at least one lower-case letter, upper-case letter, digit and special character.

    It never starts or ends with a special character (some password fields trim
    or reject those) and never repeats a character three times in a row.
    """
    if not MIN_LENGTH <= length <= MAX_LENGTH:
        raise ValueError("password length must be %d to %d, got %s" % (MIN_LENGTH, MAX_LENGTH, length))
    rng = rng or secrets.SystemRandom()
    alphabet = LOWER + UPPER + DIGITS + SPECIAL
    while True:
        chars = [rng.choice(LOWER), rng.choice(UPPER), rng.choice(DIGITS), rng.choice(SPECIAL)]
        chars += [rng.choice(alphabet) for _position in range(length - len(chars))]
        rng.shuffle(chars)
        password = "".join(chars)
        if password[0] in SPECIAL or password[-1] in SPECIAL:
            continue
        if any(password[i] == password[i + 1] == password[i + 2] for i in range(len(password) - 2)):
            continue
        return password


def meets_policy(password):
    """True when ``password`` has every character class ``generate`` guarantees."""
    return (MIN_LENGTH <= len(password) <= MAX_LENGTH and any(c in LOWER for c in password)
            and any(c in UPPER for c in password) and any(c in DIGITS for c in password)
            and any(c in SPECIAL for c in password))


def decide(current, pending, policy, age_days=None, max_age_days=None, account=None):
    """The one password action of a run for an existing user.

    ``current`` and ``pending``: whether the stored CURRENT / PENDING password
    logs in as the user: True, False, or None when there is no such version.
    ``policy``: one of POLICIES. ``age_days``: days since the CURRENT password
    was set (None when unknown). ``account``: None, ``"expired"`` or
    ``"inactive"`` when a login check said so.

    Returns ``(action, reason)``; ``reason`` is a short sentence for results and
    reports, never holding a secret.
    """
    if policy not in POLICIES:
        raise ValueError("policy must be one of %s, got %r" % (", ".join(POLICIES), policy))
    if account == "expired":
        return REPORT_EXPIRED, "the account has expired; no password change can make it work"
    if account == "inactive":
        return REPORT_INACTIVE, "the user is inactive, so its stored credentials cannot be checked"
    if pending is True:
        return PROMOTE_PENDING, "the PENDING password logs in: an earlier rotation changed it; it becomes CURRENT"
    if current is True:
        if pending is False:
            # The PENDING version never became the password: that rotation starts again with a new one.
            return ROTATE, "an earlier rotation stopped before the password change; it starts again"
        if policy == "reset":
            return ROTATE, "a new password was asked for"
        if policy == "reset_if_older_than" and _due(age_days, max_age_days):
            return ROTATE, "the password is older than %s days" % max_age_days
        return KEEP, "the stored password logs in"
    # No stored password logs in (none stored, lost, or changed elsewhere).
    if policy == "on_create":
        return KEEP, "no stored password logs in, and the policy replaces passwords only on creation"
    if current is None and pending is None:
        return ADMIN_RESET, "no password is stored for this user"
    return ADMIN_RESET, "no stored password logs in"


def _due(age_days, max_age_days):
    if max_age_days is None:
        return False
    return age_days is None or age_days >= max_age_days
