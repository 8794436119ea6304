# Copyright (c) scanops.qualys contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""JWTs issued by the simulated gateway (HS256 with a per-subscription secret)."""

import base64
import hashlib
import hmac
import json
import time


def _b64(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def issue(secret, login, user_id, ttl_sec, token_id):
    """Return a signed JWT for ``login`` valid ``ttl_sec`` seconds."""
    now = int(time.time())
    header = {"alg": "HS256", "typ": "JWT"}
    claims = {
        "sub": login,
        "userId": user_id,
        "iss": "scanops-qualys-simulator",
        "iat": now,
        "exp": now + int(ttl_sec),
        "jti": token_id,
    }
    signing_input = "%s.%s" % (_b64(json.dumps(header).encode()), _b64(json.dumps(claims).encode()))
    signature = hmac.new(secret.encode(), signing_input.encode(), hashlib.sha256).digest()
    return "%s.%s" % (signing_input, _b64(signature))


def unverified_subject(token):
    """The ``sub`` claim without checking anything (for call counting only)."""
    try:
        return json.loads(_unb64(token.split(".")[1])).get("sub")
    except (ValueError, IndexError, AttributeError):
        return None


def verify(secret, token):
    """Return the claims of a valid, unexpired token, else None."""
    parts = token.split(".")
    if len(parts) != 3:
        return None
    signing_input = "%s.%s" % (parts[0], parts[1])
    expected = hmac.new(secret.encode(), signing_input.encode(), hashlib.sha256).digest()
    try:
        if not hmac.compare_digest(expected, _unb64(parts[2])):
            return None
        claims = json.loads(_unb64(parts[1]))
    except ValueError:
        return None
    if not isinstance(claims, dict) or claims.get("exp", 0) <= time.time():
        return None
    return claims
