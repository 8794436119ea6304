# -*- coding: utf-8 -*-
# Copyright (c) scanops.qualys contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The password decision table and the password generator."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import random

import pytest

from ansible_collections.scanops.qualys.plugins.module_utils import qualys_passwords as pw

P = pw.PROMOTE_PENDING
R = pw.ROTATE
A = pw.ADMIN_RESET
K = pw.KEEP


# current, pending, policy, age_days, max_age_days, account -> action
TABLE = [
    # A PENDING password that logs in always wins: the change happened, only the promotion is missing.
    (False, True, "reset_if_invalid", None, None, None, P),
    (True, True, "on_create", 1, 90, None, P),
    (None, True, "reset", None, None, None, P),
    # CURRENT logs in.
    (True, None, "reset_if_invalid", 500, None, None, K),
    (True, None, "on_create", 500, 90, None, K),
    (True, None, "reset", 0, None, None, R),
    (True, None, "reset_if_older_than", 10, 90, None, K),
    (True, None, "reset_if_older_than", 90, 90, None, R),
    (True, None, "reset_if_older_than", None, 90, None, R),
    # CURRENT logs in, a PENDING that does not: the earlier rotation stopped before the change; start again.
    (True, False, "reset_if_invalid", 1, None, None, R),
    (True, False, "on_create", 1, None, None, R),
    # Nothing stored logs in: admin reset, unless the policy only sets passwords on creation.
    (False, None, "reset_if_invalid", None, None, None, A),
    (False, False, "reset_if_invalid", None, None, None, A),
    (None, None, "reset_if_invalid", None, None, None, A),
    (None, False, "reset_if_older_than", None, 90, None, A),
    (False, None, "reset", None, None, None, A),
    (False, None, "on_create", None, None, None, K),
    (None, None, "on_create", None, None, None, K),
    # Account states no password action can fix.
    (False, None, "reset_if_invalid", None, None, "expired", pw.REPORT_EXPIRED),
    (False, True, "reset", None, None, "expired", pw.REPORT_EXPIRED),
    (None, None, "reset", None, None, "inactive", pw.REPORT_INACTIVE),
]


@pytest.mark.parametrize("current, pending, policy, age, max_age, account, action", TABLE)
def test_decision_table(current, pending, policy, age, max_age, account, action):
    decided, reason = pw.decide(current, pending, policy, age_days=age, max_age_days=max_age, account=account)
    assert decided == action
    assert reason and isinstance(reason, str)


def test_unknown_policy_is_refused():
    with pytest.raises(ValueError, match="policy must be one of"):
        pw.decide(True, None, "sometimes")


def test_generated_passwords_meet_the_policy_and_differ():
    seen = set()
    for seed in range(300):
        password = pw.generate(rng=random.Random(seed))
        assert len(password) == pw.DEFAULT_LENGTH and pw.meets_policy(password)
        assert password[0] not in pw.SPECIAL and password[-1] not in pw.SPECIAL
        assert not any(password[i] == password[i + 1] == password[i + 2] for i in range(len(password) - 2))
        assert all(c in pw.LOWER + pw.UPPER + pw.DIGITS + pw.SPECIAL for c in password)
        seen.add(password)
    assert len(seen) == 300
    assert len(pw.generate(32)) == 32 and pw.meets_policy(pw.generate())


@pytest.mark.parametrize("length", [0, 8, 11, 129])
def test_length_out_of_range(length):
    with pytest.raises(ValueError, match="password length must be 12 to 128"):
        pw.generate(length)
