# -*- coding: utf-8 -*-
# Copyright (c) scanops.qualys contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""oci_secret_content: license checks, plain/base64/auto decoding, semantic comparison, fingerprints."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import base64
import json

import pytest

from ansible_collections.scanops.qualys.plugins.module_utils import oci_secret_content as sc

LICENSE = {"cid": "C-1234", "aid": "A-5678", "pws_url": "https://qagpublic.qg2.apps.qualys.com", "pws_port": 443}
LICENSE_DOC = {"cid": "C-1234", "aid": "A-5678", "pwsUrl": "https://qagpublic.qg2.apps.qualys.com", "pwsPort": 443}


def b64(data):
    return base64.b64encode(data if isinstance(data, bytes) else data.encode()).decode()


def test_license_bytes_builds_the_agent_json_in_order():
    data = sc.license_bytes(LICENSE)
    assert json.loads(data) == LICENSE_DOC
    assert list(json.loads(data)) == ["cid", "aid", "pwsUrl", "pwsPort"]
    assert json.loads(sc.license_bytes(dict(LICENSE, pws_port="8443")))["pwsPort"] == "8443"


@pytest.mark.parametrize("change, fragment", [
    ({"cid": ""}, "cid"),
    ({"aid": "   "}, "aid"),
    ({"pws_url": None}, "pws_url"),
    ({"pws_url": "http://qagpublic.qg2.apps.qualys.com"}, "license.pws_url must be an https:// URL"),
    ({"pws_url": "https://"}, "license.pws_url has an invalid host name"),
    ({"pws_url": "https://user:pw@example.com"}, "user information"),
    ({"pws_url": "https://bad host.example"}, "invalid host name"),
    ({"pws_url": "https://example.com:99999"}, "invalid port"),
    ({"pws_port": 0}, "license.pws_port must be between 1 and 65535"),
    ({"pws_port": 65536}, "between 1 and 65535"),
    ({"pws_port": "44x"}, "numeric string"),
    ({"pws_port": True}, "not a boolean"),
    ({"pws_port": 4.5}, "numeric string"),
])
def test_license_errors_name_the_option(change, fragment):
    with pytest.raises(sc.ContentError) as err:
        sc.license_bytes(dict(LICENSE, **change))
    assert fragment in str(err.value)


def test_license_errors_never_repeat_values():
    with pytest.raises(sc.ContentError) as err:
        sc.license_bytes(dict(LICENSE, pws_url="http://secret-host.example"))
    assert "secret-host" not in str(err.value)


def test_plain_and_base64_and_auto():
    text = json.dumps(LICENSE_DOC)
    assert sc.decode_content(text, "plain") == text.encode()
    assert sc.decode_content(b64(text), "base64") == text.encode()
    wrapped = "\n".join(b64(text)[i:i + 10] for i in range(0, len(b64(text)), 10))
    assert sc.decode_content("  " + wrapped + "\r\n", "base64") == text.encode()
    assert sc.decode_content(wrapped, "auto") == text.encode()
    assert sc.decode_content(text, "auto") == text.encode()
    # Base64 of something that is not JSON stays plain text in auto mode.
    assert sc.decode_content("aGVsbG8=", "auto") == b"aGVsbG8="
    # A plain word that happens to be valid base64 stays plain too.
    assert sc.decode_content("abcd", "auto") == b"abcd"
    assert sc.decode_content("aGVsbG8=", "base64") == b"hello"


@pytest.mark.parametrize("bad", ["not base64!", "abc", "ab=c", "", "@@@@"])
def test_base64_format_rejects_invalid(bad):
    with pytest.raises(sc.ContentError) as err:
        sc.decode_content(bad, "base64")
    assert "content_format=base64" in str(err.value)


def test_unknown_format():
    with pytest.raises(sc.ContentError):
        sc.decode_content("x", "hex")


def test_desired_content_validates_license_shaped_json():
    assert sc.desired_content({"content": json.dumps(LICENSE_DOC), "content_format": "auto"}) == json.dumps(LICENSE_DOC).encode()
    with pytest.raises(sc.ContentError) as err:
        sc.desired_content({"content": b64(json.dumps(dict(LICENSE_DOC, pwsPort=0))), "content_format": "auto"})
    assert "content.pwsPort" in str(err.value)
    with pytest.raises(sc.ContentError) as err:
        sc.desired_content({"content": json.dumps({"cid": "x"}), "content_format": "plain"})
    assert "aid, pwsUrl, pwsPort" in str(err.value)
    # Other JSON (credentials for a connector) is not a license.
    creds = json.dumps({"login": "u", "password": "p"})
    assert sc.desired_content({"content": creds, "content_format": "plain"}) == creds.encode()
    assert sc.desired_content({}) is None


def test_credentials_and_sizes():
    assert json.loads(sc.desired_content({"credentials": {"login": "u", "password": "p", "port": 1}})) == {
        "login": "u", "password": "p", "port": 1}
    with pytest.raises(sc.ContentError):
        sc.credentials_bytes({})
    with pytest.raises(sc.ContentError) as err:
        sc.desired_content({"content": "x" * (sc.MAX_CONTENT_BYTES + 1), "content_format": "plain"})
    assert "at most" in str(err.value)
    with pytest.raises(sc.ContentError):
        sc.desired_content({"content": "", "content_format": "plain"})


def test_semantic_comparison():
    compact = json.dumps(LICENSE_DOC, separators=(",", ":")).encode()
    pretty = json.dumps(dict(reversed(list(LICENSE_DOC.items()))), indent=4).encode()
    as_string_port = json.dumps(dict(LICENSE_DOC, pwsPort="443")).encode()
    assert sc.same_content(compact, pretty)
    assert sc.same_content(compact, as_string_port)
    assert sc.fingerprint(compact) == sc.fingerprint(pretty) == sc.fingerprint(as_string_port)
    assert not sc.same_content(compact, json.dumps(dict(LICENSE_DOC, aid="other")).encode())
    assert not sc.same_content(b"text", b"text ")
    assert sc.same_content(b"text", b"text")
    assert not sc.same_content(None, b"x")
    # Non-license JSON keeps value types: "1" and 1 differ.
    assert not sc.same_content(b'{"a": 1}', b'{"a": "1"}')
    assert sc.same_content(b'[1, 2]', b'[1,2]')


def test_fingerprint_is_a_short_prefix():
    value = sc.fingerprint(b"secret")
    assert len(value) == sc.FINGERPRINT_CHARS and int(value, 16) >= 0
    assert sc.fingerprint(None) is None


def test_bundle_roundtrip():
    assert sc.from_base64(sc.to_base64(b"\x00\xffdata")) == b"\x00\xffdata"
    with pytest.raises(sc.ContentError):
        sc.from_base64("%%%")


LICENSE_JSON = json.dumps(LICENSE_DOC)


@pytest.mark.parametrize("cut", [1, 2, 5, 17])
def test_truncated_base64_license_is_refused_under_auto_not_stored_as_text(cut):
    damaged = b64(LICENSE_JSON)[:-cut]
    with pytest.raises(sc.ContentError, match="looks like base64-encoded JSON"):
        sc.desired_content({"content": damaged, "content_format": "auto"})
    with pytest.raises(sc.ContentError, match="looks like base64-encoded JSON"):
        sc.desired_content({"content": damaged, "content_format": "auto", "content_kind": "license"})


def test_base64_license_declared_plain_is_refused():
    with pytest.raises(sc.ContentError, match="encoded twice"):
        sc.desired_content({"content": b64(LICENSE_JSON), "content_format": "plain"})


@pytest.mark.parametrize("content_format, content", [("plain", LICENSE_JSON), ("base64", b64(LICENSE_JSON)),
                                                     ("auto", LICENSE_JSON), ("auto", b64(LICENSE_JSON))])
def test_a_license_is_validated_as_a_license_in_every_form(content_format, content):
    params = {"content": content, "content_format": content_format, "content_kind": "license"}
    assert json.loads(sc.desired_content(params)) == LICENSE_DOC
    broken = json.loads(LICENSE_JSON)
    broken["pwsPort"] = 70000
    text = json.dumps(broken)
    params["content"] = b64(text) if content == b64(LICENSE_JSON) else text
    with pytest.raises(sc.ContentError, match="content.pwsPort"):
        sc.desired_content(params)


@pytest.mark.parametrize("content", ["just some text", json.dumps({"other": 1}), "[1, 2]"])
def test_content_kind_license_refuses_what_is_not_a_license(content):
    with pytest.raises(sc.ContentError, match="content_kind=license|missing|JSON object"):
        sc.desired_content({"content": content, "content_format": "auto", "content_kind": "license"})


@pytest.mark.parametrize("text", ["Secret-Token-12345", "abcdefghijklmnop", "plain text with spaces"])
def test_ordinary_text_is_still_plain_under_auto(text):
    assert sc.desired_content({"content": text, "content_format": "auto"}) == text.encode()
