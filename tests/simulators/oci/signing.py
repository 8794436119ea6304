"""Verification of OCI request signatures (draft-cavage HTTP signatures, rsa-sha256).

OCI clients sign ``date (request-target) host`` on every request and add
``content-length content-type x-content-sha256`` on requests with a body
(POST, PUT, PATCH). The ``keyId`` is ``<tenancy>/<user>/<fingerprint>``.
"""

import base64
import email.utils
import hashlib
import re
import time

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding

GENERIC_HEADERS = ("date", "(request-target)", "host")
BODY_HEADERS = ("content-length", "content-type", "x-content-sha256")
BODY_METHODS = ("POST", "PUT", "PATCH")
_PARAM = re.compile(r'(\w+)="([^"]*)"')


class SignatureError(Exception):
    """The request is not authenticated; the message says why (safe to return)."""


def parse_authorization(value):
    """Fields of a ``Signature ...`` Authorization header (dict) or raise SignatureError."""
    if not value:
        raise SignatureError("The required information to complete authentication was not provided.")
    scheme, _sep, rest = value.partition(" ")
    if scheme != "Signature":
        raise SignatureError("The Authorization header must use the Signature scheme.")
    params = dict(_PARAM.findall(rest))
    for name in ("keyId", "signature", "headers", "algorithm"):
        if name not in params:
            raise SignatureError("The Authorization header has no %s." % name)
    if params["algorithm"] != "rsa-sha256":
        raise SignatureError("Unsupported signature algorithm %s." % params["algorithm"])
    return params


def split_key_id(key_id):
    """(tenancy, user, fingerprint) of an API-key keyId, or None (e.g. ST$ session tokens)."""
    parts = key_id.split("/")
    if len(parts) != 3 or key_id.startswith("ST$"):
        return None
    return tuple(parts)


def signing_string(method, target, headers, signed):
    lines = []
    for name in signed:
        if name == "(request-target)":
            lines.append("(request-target): %s %s" % (method.lower(), target))
        else:
            value = headers.get(name)
            if value is None:
                raise SignatureError("The signed header %s is missing from the request." % name)
            lines.append("%s: %s" % (name, value))
    return "\n".join(lines).encode("ascii", "replace")


def verify_request(method, target, headers, body, lookup_key, max_skew=300, now=None):
    """Check one request; return (tenancy, user, fingerprint) or raise SignatureError.

    ``lookup_key(tenancy, user, fingerprint)`` returns the RSA public key or None.
    """
    params = parse_authorization(headers.get("Authorization"))
    ids = split_key_id(params["keyId"])
    if ids is None:
        raise SignatureError("Only API key signatures (tenancy/user/fingerprint) are accepted by this simulator.")
    public_key = lookup_key(*ids)
    if public_key is None:
        raise SignatureError("No API key with fingerprint %s is registered for user %s." % (ids[2], ids[1]))
    signed = params["headers"].lower().split()
    required = list(GENERIC_HEADERS)
    if method.upper() in BODY_METHODS:
        required += BODY_HEADERS
    missing = [name for name in required if name not in signed]
    if missing:
        raise SignatureError("The signature does not cover the required headers: %s." % ", ".join(missing))
    date = headers.get("date") or headers.get("x-date")
    try:
        sent = email.utils.parsedate_to_datetime(date).timestamp()
    except (TypeError, ValueError, IndexError):
        raise SignatureError("The date header is missing or invalid.")
    if abs((now or time.time()) - sent) > max_skew:
        raise SignatureError("The date header is more than %d seconds away from the server clock." % max_skew)
    if method.upper() in BODY_METHODS:
        digest = base64.b64encode(hashlib.sha256(body or b"").digest()).decode("ascii")
        if headers.get("x-content-sha256") != digest:
            raise SignatureError("The x-content-sha256 header does not match the request body.")
        if str(len(body or b"")) != (headers.get("content-length") or "").strip():
            raise SignatureError("The content-length header does not match the request body.")
    try:
        signature = base64.b64decode(params["signature"], validate=True)
    except ValueError:
        raise SignatureError("The signature is not valid base64.")
    try:
        public_key.verify(signature, signing_string(method, target, headers, signed), padding.PKCS1v15(), hashes.SHA256())
    except InvalidSignature:
        raise SignatureError("The request signature does not match the API key registered for fingerprint %s." % ids[2])
    return ids
