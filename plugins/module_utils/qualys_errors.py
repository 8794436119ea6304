# -*- coding: utf-8 -*-
# Copyright (c) scanops.qualys contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The one exception type that leaves the Qualys client."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class QualysError(Exception):
    """A failed Qualys call, with what a user needs to act on it.

    kind: config, dependency, tls, dns, timeout, transport, auth, expired,
    eula, no_api_access, limit, not_found, ambiguous, api, format.
    code: the Qualys code (e.g. 2000, 1965, OBJECT_NOT_FOUND) when there is one.
    outcome_unknown: a write whose reply was lost; re-read before repeating it.
    """

    def __init__(self, message, code=None, status=None, kind="api", outcome_unknown=False):
        super(QualysError, self).__init__(message)
        self.message = message
        self.code = code
        self.status = status
        self.kind = kind
        self.outcome_unknown = outcome_unknown

    def __str__(self):
        return self.message

    def as_result(self):
        """Fields for fail_json besides msg."""
        result = {"error_kind": self.kind}
        if self.code is not None:
            result["error_code"] = str(self.code)
        if self.status is not None:
            result["http_status"] = self.status
        return result
