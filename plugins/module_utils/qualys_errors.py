# -*- coding: utf-8 -*-
# Copyright (c) scanops.qualys contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The one exception type that leaves the Qualys client, and what it says about the API."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

# Qualys codes that mean "this subscription has no such API" (besides an HTTP 404 that is not OBJECT_NOT_FOUND).
NOT_OFFERED_CODES = frozenset(["NOT_SUPPORTED", "OPERATION_NOT_SUPPORTED", "UNSUPPORTED_OPERATION", "API_NOT_ENABLED"])


class QualysError(Exception):
    """A failed Qualys call, with what a user needs to act on it.

    kind: config, dependency, tls, dns, timeout, transport, auth, expired,
    eula, no_api_access, limit, not_found, ambiguous, api, format, unsupported.
    code: the Qualys code (e.g. 2000, 1965, OBJECT_NOT_FOUND) when there is one.
    qualys_text: the error text of the reply's envelope, as Qualys wrote it (None when the
    reply carried none, or there was no reply).
    outcome_unknown: a write whose reply was lost; re-read before repeating it.
    garbled: set by the envelope parsers for a successful status whose body cannot be the
    answer: ``cut_off`` (XML or JSON that breaks off) or ``page`` (an HTML or text page, or
    nothing, where the API answers XML or JSON). The client asks again for such a read.
    """

    def __init__(self, message, code=None, status=None, kind="api", outcome_unknown=False, qualys_text=None,
                 garbled=None):
        super(QualysError, self).__init__(message)
        self.message = message
        self.code = code
        self.status = status
        self.kind = kind
        self.outcome_unknown = outcome_unknown
        self.qualys_text = qualys_text
        self.garbled = garbled

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


def api_not_offered(exc):
    """Whether a QualysError says the API called is not offered here: HTTP 404 (other than an object not found)
    or a code of ``NOT_OFFERED_CODES``."""
    if exc.code is not None and str(exc.code) in NOT_OFFERED_CODES:
        return True
    return exc.status == 404 and exc.kind != "not_found" and str(exc.code) != "OBJECT_NOT_FOUND"
