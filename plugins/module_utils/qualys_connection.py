# -*- coding: utf-8 -*-
# Copyright (c) scanops.qualys contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Connector readiness: is each Qualys application usable with these credentials?

One cheap read per application, as a connector's "test connection" makes it:
VMDR through the VM/PC API (``/api/2.0``, Basic or Bearer), FIM, PM and ETM
through the gateway with a JWT. Every failure becomes a result that says what
to fix; nothing here raises for a refused check.

Where the gateway requests come from (none is confirmed against a live
subscription by this project): FIM ``POST /fim/v2/events/count`` with ``{}``
as public clients send it; PM ``GET /pm/v1/deploymentjobs/summary`` with the
query qualysdk sends for its job list (``platform``, ``pageNumber``, plus
``pageSize``); ETM ``POST /etm/api/rest/v1/reports/list`` with the body of the
Qualys documentation's sample (``{"offset": 0, "limit": 1}``). Because PM's
query comes from a client rather than from Qualys, a PM reply of HTTP 400 that
is not an authentication refusal counts as "reachable and authorised": the
gateway took the token and PM itself answered.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible_collections.scanops.qualys.plugins.module_utils.qualys_client import platform_of
from ansible_collections.scanops.qualys.plugins.module_utils.qualys_errors import QualysError, api_not_offered

APPLICATIONS = ("vmdr", "fim", "pm", "etm")
LABELS = {
    "vmdr": "VMDR",
    "fim": "File Integrity Monitoring (FIM)",
    "pm": "Patch Management (PM)",
    "etm": "Enterprise TruRisk Management (ETM)",
}

# The VMDR read: host detection with one record at most, the API a VMDR connector pulls.
VMDR_PATH = "/api/2.0/fo/asset/host/vm/detection/"
VMDR_PARAMS = {"action": "list", "truncation_limit": "1"}

# Gateway reads: (method, path, query, JSON body), as public sources show them (see the module docstring).
GATEWAY_READS = {
    "fim": ("POST", "/fim/v2/events/count", None, {}),
    "pm": ("GET", "/pm/v1/deploymentjobs/summary", {"platform": "Windows", "pageNumber": "0", "pageSize": "1"}, None),
    "etm": ("POST", "/etm/api/rest/v1/reports/list", None, {"offset": 0, "limit": 1}),
}
# Applications whose HTTP 400 (when not an authentication refusal) still proves access: the request shape is a
# public client's, not Qualys' own, so a 400 says more about our query than about the credentials.
REACHABLE_ON_400 = frozenset(["pm"])
# Codes and words of a 400 that is really an authentication or entitlement refusal.
AUTH_CODES = frozenset(["401", "403", "2000", "2001", "2002", "2003", "2004", "INVALID_CREDENTIALS", "UNAUTHORIZED",
                        "INSUFFICIENT_PERMISSION"])
AUTH_WORDS = re.compile(r"unauthori[sz]|authenticat|credential|token|forbidden|access denied|permission|"
                        r"not enabled|not entitled|subscription|registration|eula|expired|inactive|api access", re.I)

# Errors that leave no reason to try the next gateway application: no token, no route.
GATEWAY_BLOCKING_KINDS = frozenset(["auth", "config", "dns", "tls", "transport"])
UNREACHABLE_KINDS = frozenset(["dns", "tls", "transport", "timeout"])

FIXES = {
    "bad_login_or_no_api_access": (
        "Check the username and password (or client_id and client_secret). Qualys gives the same answer when the "
        "user's roles do not allow API access, so also check that the user has API access."),
    "account_expired": "The account has expired: extend or re-activate it in the Qualys UI, or issue a new service user.",
    "account_inactive": "The account is inactive: activate it (Users in the Qualys UI, or user.php action=activate).",
    "eula_not_accepted": (
        "The user has not accepted the EULA: accept it as that user (POST /msp/acceptEULA.php with its own "
        "credentials); scanops.qualys.qualys_service_user does this for the users it creates."),
    "not_subscribed_or_no_permission": (
        "The subscription does not include {label}, or the user's roles do not allow its API: add the application to "
        "the subscription or give the user a role with {label} API access."),
    "token_refused": (
        "The gateway refused to issue a token for these credentials: wrong username and password (or client_id and "
        "client_secret), an expired or inactive account, or a user without API access."),
    "token_rejected": "The {label} API refused the gateway token: the user may not have {label} API access.",
    "not_available": (
        "This platform does not serve {label} at {endpoint}: the application is not enabled, or url, platform or "
        "gateway_url point to another place."),
    "limit": ("A Qualys rate or concurrency limit refused the call: wait (see limits) and retry, or let calls wait "
              "longer with max_wait (or QUALYS_MAX_WAIT)."),
    "unreachable": (
        "Qualys could not be reached: check url or platform, gateway_url, proxy_url (or HTTPS_PROXY and NO_PROXY) "
        "and ca_path."),
    "server_error": "Qualys answered with a server error: retry later.",
    "error": "Qualys refused the call; see error_text.",
}

VMDR_CODE_REASONS = {
    "2000": "bad_login_or_no_api_access",
    "INVALID_CREDENTIALS": "bad_login_or_no_api_access",
    "2001": "account_expired",
    "2002": "account_inactive",
    "2003": "eula_not_accepted",
    "2004": "not_subscribed_or_no_permission",
}
KIND_REASONS = {
    "expired": "account_expired",
    "eula": "eula_not_accepted",
    "limit": "limit",
}


class ConnectionCheck:
    """Runs the checks of the chosen applications with one client."""

    def __init__(self, client, params):
        self.client = client
        self.params = params
        self._gateway_failure = None
        self._pod = None

    def run(self, applications):
        results = {}
        for name in APPLICATIONS:
            if name in applications:
                results[name] = self.check_vmdr() if name == "vmdr" else self.check_gateway(name)
        return {
            "applications": results,
            "healthy": all(result["healthy"] for result in results.values()),
            "limits": dict(results["vmdr"]["limits"]) if "vmdr" in results else {},
            "platform": self.platform(),
            "eula_accepted": account_flag(results, "eula_not_accepted"),
            "account_expired": _expired(results),
            "summary": summary(results),
        }

    # -- VMDR -------------------------------------------------------------------

    def check_vmdr(self):
        endpoint = "POST %s?action=list" % VMDR_PATH
        before = self.client.last_response
        try:
            self.client.fo(VMDR_PATH, dict(VMDR_PARAMS))
        except QualysError as exc:
            response = _new_response(self.client, before)
            self._note_pod(response)
            result = vmdr_failure(exc, response, endpoint)
            if result["reason"] == "token_refused":
                self._gateway_failure = exc  # the gateway applications need that same token
            return result
        response = self.client.last_response
        self._note_pod(response)
        return healthy_result(endpoint, response)

    # -- gateway applications ------------------------------------------------------

    def check_gateway(self, name):
        method, path, query, body = GATEWAY_READS[name]
        endpoint = "%s %s" % (method, path)
        if self._gateway_failure is not None:
            # Same gateway, same token: the earlier refusal stands; do not ask again.
            result = gateway_exception(name, self._gateway_failure, endpoint)
            result["called"] = False
            return result
        before = self.client.last_response
        try:
            response = self.client.gateway(method, path, params=query, json_body=body)
        except QualysError as exc:
            response = _new_response(self.client, before)
            if response is not None:
                return gateway_failure(name, exc, response, endpoint)
            if exc.kind in GATEWAY_BLOCKING_KINDS:
                self._gateway_failure = exc
            return gateway_exception(name, exc, endpoint)
        return healthy_result(endpoint, response)

    # -- platform -------------------------------------------------------------

    def _note_pod(self, response):
        if response is None:
            return
        powered = (response.headers.get("X-Powered-By") or "").split(":")
        if len(powered) >= 2 and powered[0] == "Qualys" and powered[1]:
            self._pod = powered[1]

    def platform(self):
        api_url, gateway_url = self.client.api_url, self.client.gateway_url
        name, source = self.params.get("platform"), "platform"
        if not name:
            name, source = platform_of(api_url), "url"
            if name is None:
                source = None
        return {"name": name, "source": source, "api_url": api_url, "gateway_url": gateway_url, "pod": self._pod}


def healthy_result(endpoint, response, note=None):
    return {
        "healthy": True, "called": True, "endpoint": endpoint, "http_status": response.status if response else None,
        "error_code": None, "error_text": None, "reason": None, "fix": None,
        "limits": response.limits() if response is not None else {}, "note": note,
    }


def failure_result(name, endpoint, reason, code=None, text=None, response=None, called=True):
    return {
        "healthy": False, "called": called, "endpoint": endpoint,
        "http_status": response.status if response is not None else None,
        "error_code": None if code is None else str(code), "error_text": text, "reason": reason,
        "fix": FIXES[reason].format(label=LABELS[name], endpoint=endpoint),
        "limits": response.limits() if response is not None else {}, "note": None,
    }


def vmdr_failure(exc, response, endpoint):
    """Map a refused VM/PC read to a reason, with Qualys' own code and text when the reply had them."""
    code = None if exc.code is None else str(exc.code)
    text = (exc.qualys_text or None) if exc.qualys_text is not None else str(exc)
    if code in VMDR_CODE_REASONS:
        reason = VMDR_CODE_REASONS[code]
    elif exc.kind in KIND_REASONS:
        reason = KIND_REASONS[exc.kind]
    elif exc.kind in UNREACHABLE_KINDS:
        reason = "unreachable"
    elif exc.kind == "auth" and response is None:
        reason = "token_refused"  # the OIDC/JWT token was refused before the read
    elif exc.kind == "auth":
        reason = "bad_login_or_no_api_access"
    else:
        reason = _status_reason(exc, response.status if response is not None else None)
    return failure_result("vmdr", endpoint, reason, code, text, response, called=reason != "token_refused")


def gateway_exception(name, exc, endpoint):
    """No reply from the application API: the token was refused or the gateway was not reached."""
    if exc.kind in UNREACHABLE_KINDS:
        reason = "unreachable"
    elif exc.kind == "auth":
        reason = "token_refused"
    else:
        reason = "error"
    return failure_result(name, endpoint, reason, exc.code, str(exc), None, called=reason != "token_refused")


def gateway_failure(name, exc, response, endpoint):
    """Map an application's refusal (``exc``, with the code and text its reply carried) to a reason."""
    code, text, status = exc.code, exc.qualys_text, response.status
    if status in (400, 409) and _eula_refusal(code, text):
        reason = "eula_not_accepted"
    elif exc.kind == "limit":
        reason = "limit"
    elif status == 401:
        reason = "token_rejected"
    elif status == 400 and (code in AUTH_CODES or AUTH_WORDS.search(text or "")):
        reason = _auth_400_reason(code, text)
    elif status == 400 and name in REACHABLE_ON_400:
        said = "%s: %s" % (code, text) if code else (text or "no reply text")
        note = ("%s answered HTTP 400 (%s): reachable and authorised, since the gateway accepted the token and the "
                "application itself answered. This check's request follows a public client, not a Qualys sample, and "
                "may not be the shape the application expects." % (LABELS[name], said))
        return healthy_result(endpoint, response, note)
    elif status == 409:
        reason = "error"  # neither the EULA nor a limit: waiting will not help
    else:
        reason = _status_reason(exc, status)
    return failure_result(name, endpoint, reason, code, text, response)


def _eula_refusal(code, text):
    upper = (text or "").upper()
    return code == "2003" or "EULA" in upper or "REGISTRATION" in upper


def _auth_400_reason(code, text):
    """The reason of a 400 that refuses the caller rather than the request."""
    lower = (text or "").lower()
    if code in ("403", "2004", "INSUFFICIENT_PERMISSION") or re.search(
            r"permission|not enabled|not entitled|subscription|forbidden|access denied", lower):
        return "not_subscribed_or_no_permission"
    if code == "2001" or "expired" in lower:
        return "account_expired"
    if code == "2002" or "inactive" in lower:
        return "account_inactive"
    return "token_rejected"


def _status_reason(exc, status):
    if status == 403:
        return "not_subscribed_or_no_permission"
    if api_not_offered(exc):
        return "not_available"
    if status is not None and status >= 500:
        return "server_error"
    return "error"


def account_flag(results, refusal):
    """False when a check was refused for ``refusal``, True when any check passed, else None (unknown)."""
    if any(result["reason"] == refusal for result in results.values()):
        return False
    if any(result["healthy"] for result in results.values()):
        return True
    return None


def _expired(results):
    if any(result["reason"] == "account_expired" for result in results.values()):
        return True
    if any(result["healthy"] for result in results.values()):
        return False
    return None


def summary(results):
    if not results:
        return "no application checked"
    failing = ["%s: %s (%s)" % (name, result["reason"], result["error_text"] or "no reply text")
               for name, result in results.items() if not result["healthy"]]
    if not failing:
        return "healthy: %s" % ", ".join(results)
    return "not healthy: " + "; ".join(failing)


def _new_response(client, before):
    """The reply of the call just made, or None when it got none (token refused, no connection)."""
    response = client.last_response
    return None if response is None or response is before else response
