# Copyright (c) scanops.qualys contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Per-call context and the error shapes each Qualys API family uses for auth failures."""

from simulators.common import Response

from . import qps
from .xmlgen import generic_return, simple_return

BAD_LOGIN = (2000, "Bad Login/Password")
EXPIRED = (2001, "This account has expired.")
INACTIVE = (2002, "User account is inactive")
NOT_REGISTERED = (2003, "Registration must be completed before API requests will be served for this account")

# HTTP status per code.  2000/401 and 2001/200 are recorded; 2003/409 is what
# several public clients observed; 2002/401 is a modelled guess.
HTTP_STATUS = {2000: 401, 2001: 200, 2002: 401, 2003: 409}

# QPS answers auth problems with HTTP 200 and a responseCode (INVALID_CREDENTIALS
# is recorded for bad credentials; UNAUTHORIZED for the others is a guess).
QPS_CODES = {2000: "INVALID_CREDENTIALS", 2001: "UNAUTHORIZED", 2002: "UNAUTHORIZED", 2003: "UNAUTHORIZED"}


class Ctx:
    """What a handler needs about the current call."""

    def __init__(self, app, request, call, family, path, params):
        self.app = app
        self.sub = app.sub
        self.config = app.config
        self.request = request
        self.call = call
        self.family = family
        self.path = path
        self.params = params
        self.user = {}  # the authenticated caller (a user record) once known
        self.token_auth = False
        host = request.header("Host") or "127.0.0.1"
        self.base_url = "%s://%s" % (app.scheme, host)

    @property
    def login(self):
        return self.user["login"] if self.user else ""

    def script(self):
        """``user.php`` for /msp/user.php (the API name /msp replies carry)."""
        return self.path.rsplit("/", 1)[-1]


def html_page(status, title, text):
    body = "<!DOCTYPE html>\n<html><head><title>%s</title></head><body><h1>%s</h1><p>%s</p></body></html>\n" % (
        title, title, text)
    return Response(status, body, "text/html; charset=UTF-8")


def not_found():
    """What the web tier answers for a path the subscription does not serve."""
    return html_page(404, "404 Not Found", "The requested URL was not found on this server.")


def auth_failure(ctx, code_text, token=False):
    """The family-shaped reply for an authentication/account problem."""
    code, text = code_text
    status = HTTP_STATUS[code]
    if token and code == 2000:
        status = 401  # an invalid or expired JWT is always a 401
    if ctx.family == "qps":
        if code == 2000:
            return qps.error_response(ctx.request, ctx.base_url, "INVALID_CREDENTIALS", "Authentication failed",
                                      "Verify both, user and password credentials.", "hostasset",
                                      status=401 if token else 200)
        return qps.error_response(ctx.request, ctx.base_url, QPS_CODES[code], text, None, "tag")
    if ctx.family == "msp":
        return generic_return(ctx.base_url, ctx.script(), ctx.login, "FAILED", text, str(code), status)
    if ctx.family == "ui":
        return html_page(401 if code == 2000 else 403, "Login failed", text)
    return simple_return(ctx.base_url, text, code, status=status)
