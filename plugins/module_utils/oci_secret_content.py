# -*- coding: utf-8 -*-
# Copyright (c) scanops.qualys contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Pure-Python handling of the content stored in an OCI Vault secret.

Nothing here talks to OCI.  The module turns its options into bytes with
``desired_content`` and compares those bytes with the CURRENT secret bundle
(read by ``oci_secrets``) through ``same_content``, reporting ``fingerprint``
instead of the content.  Error messages name the option and never repeat its value.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import base64
import binascii
import hashlib
import json
import re

# OCI limits a secret bundle to 25 KB.
MAX_CONTENT_BYTES = 25 * 1024

# Length of the sha256 hex prefix shown in results and diffs.
FINGERPRINT_CHARS = 16

# The keys of the license JSON the Qualys agent reads, in the order written.
LICENSE_KEYS = ('cid', 'aid', 'pwsUrl', 'pwsPort')
# Option name (license.<option>) for each JSON key, for error messages.
LICENSE_OPTION_NAMES = {'cid': 'cid', 'aid': 'aid', 'pwsUrl': 'pws_url', 'pwsPort': 'pws_port'}

CONTENT_FORMATS = ('auto', 'plain', 'base64')
# What ``content`` must hold: anything, or a Qualys agent license.
CONTENT_KINDS = ('any', 'license')

_BASE64_CHARS = re.compile(r'^[A-Za-z0-9+/]*={0,2}$')
_WHITESPACE = re.compile(r'\s+')
_HOST_LABEL = re.compile(r'^[A-Za-z0-9_]([A-Za-z0-9_-]*[A-Za-z0-9_])?$')


class ContentError(ValueError):
    """Content options that cannot be used; the message names the option."""


# --------------------------------------------------------------------------
# Validation helpers


def _check_port(value, where):
    if isinstance(value, bool):
        raise ContentError('%s must be a port number (1-65535), not a boolean' % where)
    if isinstance(value, int):
        port = value
    elif isinstance(value, str) and value.strip().isdigit():
        port = int(value.strip())
    else:
        raise ContentError('%s must be a port number (1-65535) or a numeric string' % where)
    if not 1 <= port <= 65535:
        # Without the value: inside a no_log option it would only show as ********.
        raise ContentError('%s must be between 1 and 65535 (a port number)' % where)
    return port


def _check_https_url(value, where):
    if not isinstance(value, str) or not value.strip():
        raise ContentError('%s must be a non-empty https URL' % where)
    text = value.strip()
    match = re.match(r'^([A-Za-z][A-Za-z0-9+.-]*)://([^/?#]*)(.*)$', text)
    if not match or match.group(1).lower() != 'https':
        raise ContentError('%s must be an https:// URL (for example https://qagpublic.qg1.apps.qualys.com)' % where)
    netloc = match.group(2)
    if '@' in netloc:
        raise ContentError('%s must not contain user information' % where)
    host = netloc
    if host.startswith('['):
        if ']' not in host:
            raise ContentError('%s has an invalid host' % where)
        return text
    if ':' in host:
        host, port = host.rsplit(':', 1)
        if not port.isdigit() or not 1 <= int(port) <= 65535:
            raise ContentError('%s has an invalid port' % where)
    labels = host.split('.')
    if not host or not all(_HOST_LABEL.match(label) for label in labels):
        raise ContentError('%s has an invalid host name' % where)
    return text


def validate_license_document(doc, where='license'):
    """Check a license JSON object (keys cid, aid, pwsUrl, pwsPort).

    ``where`` prefixes messages, e.g. ``license`` or ``content``.
    Raises ContentError; returns nothing.
    """
    if not isinstance(doc, dict):
        raise ContentError('%s must be a JSON object with the keys %s' % (where, ', '.join(LICENSE_KEYS)))
    missing = [key for key in LICENSE_KEYS if key not in doc or doc[key] is None
               or (isinstance(doc[key], str) and not doc[key].strip())]
    if missing:
        raise ContentError('%s is missing or has empty: %s (all of %s are required)'
                           % (where, ', '.join(missing), ', '.join(LICENSE_KEYS)))
    for key in ('cid', 'aid'):
        if not isinstance(doc[key], str):
            raise ContentError('%s.%s must be a string' % (where, key))
    _check_https_url(doc['pwsUrl'], '%s.pwsUrl' % where)
    _check_port(doc['pwsPort'], '%s.pwsPort' % where)


def looks_like_license(doc):
    """True when a JSON object carries any of the Qualys license keys."""
    return isinstance(doc, dict) and any(key in doc for key in LICENSE_KEYS)


# --------------------------------------------------------------------------
# Building the desired bytes


def license_bytes(license_option):
    """Turn the ``license`` option (cid, aid, pws_url, pws_port) into JSON bytes."""
    if not isinstance(license_option, dict):
        raise ContentError('license must be a dictionary with cid, aid, pws_url and pws_port')
    doc = {}
    for key in LICENSE_KEYS:
        value = license_option.get(LICENSE_OPTION_NAMES[key])
        if isinstance(value, str):
            value = value.strip()
        doc[key] = value
    missing = [LICENSE_OPTION_NAMES[key] for key in LICENSE_KEYS
               if doc[key] is None or (isinstance(doc[key], str) and not doc[key])]
    if missing:
        raise ContentError('license is missing or has empty: %s (cid, aid, pws_url and pws_port are all required)'
                           % ', '.join(missing))
    for key in ('cid', 'aid'):
        if not isinstance(doc[key], str):
            doc[key] = str(doc[key])
    _check_https_url(doc['pwsUrl'], 'license.pws_url')
    _check_port(doc['pwsPort'], 'license.pws_port')
    return json.dumps(doc, separators=(',', ':')).encode('utf-8')


def credentials_bytes(credentials):
    """Turn the ``credentials`` option (any JSON object) into JSON bytes."""
    if not isinstance(credentials, dict) or not credentials:
        raise ContentError('credentials must be a non-empty dictionary (it is stored as a JSON object)')
    try:
        return json.dumps(credentials, separators=(',', ':'), sort_keys=True).encode('utf-8')
    except (TypeError, ValueError):
        raise ContentError('credentials must hold only JSON values (strings, numbers, booleans, lists, dictionaries)')


def _strict_b64decode(text):
    compact = _WHITESPACE.sub('', text)
    if not compact or len(compact) % 4 or not _BASE64_CHARS.match(compact):
        return None
    try:
        return base64.b64decode(compact, validate=True)
    except (binascii.Error, ValueError):
        return None


def _json_of(data):
    """Parsed JSON object/array of ``data`` (bytes), or None."""
    try:
        text = data.decode('utf-8')
    except UnicodeDecodeError:
        return None
    text = text.strip()
    if not text or text[0] not in '{[':
        return None
    try:
        return json.loads(text)
    except ValueError:
        return None


def _looks_like_base64_json(text):
    """True when ``text`` is base64 characters whose start decodes to ``{`` or ``[``.

    That is how a pasted JSON document in base64 begins (``eyJ...``, ``ewo...``),
    so such text that does not decode cleanly is a damaged paste, not plain text.
    """
    compact = _WHITESPACE.sub('', text)
    if len(compact) < 8 or not re.match(r'^[A-Za-z0-9+/]+=*$', compact):
        return False
    try:
        head = base64.b64decode(compact[:8], validate=True)
    except (binascii.Error, ValueError):
        return False
    return head.lstrip()[:1] in (b'{', b'[')


def decode_content(content, content_format='auto'):
    """Bytes meant by ``content`` given as plain text or base64.

    ``auto`` takes the string as base64 when it decodes (whitespace and line
    breaks allowed) to UTF-8 JSON, and as plain text when it does not look like
    base64 at all. Base64 of JSON that does not decode cleanly (a truncated
    paste) is refused rather than stored as text.
    """
    if content_format not in CONTENT_FORMATS:
        raise ContentError('content_format must be one of %s' % ', '.join(CONTENT_FORMATS))
    if not isinstance(content, str):
        raise ContentError('content must be a string')
    if content_format == 'plain':
        return content.encode('utf-8')
    decoded = _strict_b64decode(content)
    if content_format == 'base64':
        if decoded is None:
            raise ContentError('content_format=base64 but content is not valid base64 '
                               '(expected A-Z, a-z, 0-9, +, / with = padding; whitespace is ignored)')
        return decoded
    if decoded is not None and _json_of(decoded) is not None:
        return decoded
    if _looks_like_base64_json(content):
        raise ContentError('content looks like base64-encoded JSON but does not decode to complete JSON (a truncated or '
                           'damaged paste?): paste it again whole, or set content_format=plain to store the text as it is')
    return content.encode('utf-8')


def check_size(data):
    if not data:
        raise ContentError('the secret content is empty; OCI Vault needs at least one byte')
    if len(data) > MAX_CONTENT_BYTES:
        raise ContentError('the secret content is %d bytes; OCI Vault allows at most %d'
                           % (len(data), MAX_CONTENT_BYTES))


def desired_content(params):
    """Bytes for the module options ``license``, ``credentials`` or ``content``.

    Returns None when none of them is set.  A JSON object given through
    ``content`` that carries any license key is validated as a license.
    """
    if params.get('license') is not None:
        data = license_bytes(params['license'])
    elif params.get('credentials') is not None:
        data = credentials_bytes(params['credentials'])
    elif params.get('content') is not None:
        content_format = params.get('content_format') or 'auto'
        kind = params.get('content_kind') or 'any'
        if kind not in CONTENT_KINDS:
            raise ContentError('content_kind must be one of %s' % ', '.join(CONTENT_KINDS))
        data = decode_content(params['content'], content_format)
        doc = _json_of(data)
        if doc is None and content_format == 'plain':
            decoded = _strict_b64decode(params['content'])
            if decoded is not None and looks_like_license(_json_of(decoded)):
                raise ContentError('content_format=plain but content is a base64-encoded license: it would be stored '
                                   'encoded twice; set content_format=base64 (or auto)')
        if kind == 'license' and doc is None:
            raise ContentError('content_kind=license but content is not a license JSON object with the keys %s '
                               '(after reading it as content_format=%s)' % (', '.join(LICENSE_KEYS), content_format))
        if kind == 'license' or looks_like_license(doc):
            validate_license_document(doc, 'content')
    else:
        return None
    check_size(data)
    return data


# --------------------------------------------------------------------------
# Comparing and fingerprinting


def _canonical_json(doc):
    if looks_like_license(doc):
        doc = dict(doc)
        port = doc.get('pwsPort')
        if isinstance(port, str) and port.strip().isdigit():
            doc['pwsPort'] = int(port.strip())
        for key in ('cid', 'aid', 'pwsUrl'):
            if isinstance(doc.get(key), str):
                doc[key] = doc[key].strip()
    return json.dumps(doc, sort_keys=True, separators=(',', ':'), ensure_ascii=False).encode('utf-8')


def canonical(data):
    """Comparison form: JSON objects/arrays re-serialised, anything else as is.

    Key order and whitespace do not matter for JSON; a license ``pwsPort`` of
    443 and "443" are the same.
    """
    if data is None:
        return None
    doc = _json_of(data)
    if doc is None:
        return bytes(data)
    return _canonical_json(doc)


def same_content(current, desired):
    if current is None or desired is None:
        return False
    return canonical(current) == canonical(desired)


def fingerprint(data):
    """sha256 hex prefix of the comparison form, safe to show anywhere."""
    if data is None:
        return None
    return hashlib.sha256(canonical(data)).hexdigest()[:FINGERPRINT_CHARS]


def to_base64(data):
    return base64.b64encode(data).decode('ascii')


def from_base64(text):
    """Decode the base64 of a secret bundle (lenient about whitespace)."""
    decoded = _strict_b64decode(text or '')
    if decoded is None:
        raise ContentError('the secret bundle content returned by OCI is not valid base64')
    return decoded
