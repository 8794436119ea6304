# -*- coding: utf-8 -*-
# Copyright (c) scanops.qualys contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""qualys_users: classic user XML to user dicts, lookups, writes and credential checks (client mocked)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime
import re

import pytest

from ansible_collections.scanops.qualys.plugins.module_utils import qualys_asset_groups as groups
from ansible_collections.scanops.qualys.plugins.module_utils import qualys_formats as formats
from ansible_collections.scanops.qualys.plugins.module_utils import qualys_users as users
from ansible_collections.scanops.qualys.plugins.module_utils.qualys_errors import QualysError

USER_LIST = """<?xml version="1.0" encoding="UTF-8" ?>
<!DOCTYPE USER_LIST_OUTPUT SYSTEM "https://qualysapi.qualys.com/user_list_output.dtd">
<USER_LIST_OUTPUT>
  <USER_LIST>
    <USER>
      <USER_LOGIN>quays_sp1</USER_LOGIN>
      <USER_ID>7000002</USER_ID>
      <EXTERNAL_ID><![CDATA[svc-scanner]]></EXTERNAL_ID>
      <CONTACT_INFO>
        <FIRSTNAME><![CDATA[Scan]]></FIRSTNAME>
        <LASTNAME><![CDATA[Pipeline]]></LASTNAME>
        <TITLE><![CDATA[Scan automation]]></TITLE>
        <PHONE><![CDATA[555-0100]]></PHONE>
        <EMAIL><![CDATA[secops@example.invalid]]></EMAIL>
        <ADDRESS1><![CDATA[1 Main St]]></ADDRESS1>
        <ADDRESS2><![CDATA[]]></ADDRESS2>
        <CITY><![CDATA[Springfield]]></CITY>
        <COUNTRY><![CDATA[United States of America]]></COUNTRY>
        <STATE><![CDATA[Illinois]]></STATE>
      </CONTACT_INFO>
      <ASSIGNED_ASSET_GROUPS>
        <ASSET_GROUP_TITLE><![CDATA[Prod web]]></ASSET_GROUP_TITLE>
        <ASSET_GROUP_TITLE><![CDATA[Prod db]]></ASSET_GROUP_TITLE>
      </ASSIGNED_ASSET_GROUPS>
      <USER_STATUS>Pending Activation</USER_STATUS>
      <CREATION_DATE>2025-01-31T12:00:00Z</CREATION_DATE>
      <LAST_LOGIN_DATE>N/A</LAST_LOGIN_DATE>
      <USER_ROLE>Reader</USER_ROLE>
      <BUSINESS_UNIT><![CDATA[Unassigned]]></BUSINESS_UNIT>
    </USER>
    <USER>
      <USER_LOGIN>quays_ad</USER_LOGIN>
      <USER_ID>7000001</USER_ID>
      <CONTACT_INFO><FIRSTNAME>Ad</FIRSTNAME></CONTACT_INFO>
      <USER_STATUS>Active</USER_STATUS>
      <LAST_LOGIN_DATE>2025-02-01T08:30:00Z</LAST_LOGIN_DATE>
      <USER_ROLE>Unit Manager</USER_ROLE>
    </USER>
    <USER>
      <USER_LOGIN>quays_sp2</USER_LOGIN>
      <USER_ID>7000003</USER_ID>
      <EXTERNAL_ID>svc-scanner-2</EXTERNAL_ID>
      <USER_STATUS>Inactive</USER_STATUS>
      <USER_ROLE>Scanner</USER_ROLE>
    </USER>
  </USER_LIST>
</USER_LIST_OUTPUT>
"""

# Shape of a recorded password_change.php report (email=0).
PASSWORD_REPORT = """<?xml version="1.0" encoding="UTF-8" ?>
<PASSWORD_CHANGE_OUTPUT>
  <API name="password_change.php" username="admin" at="2025-01-31T12:00:00Z" />
  <RETURN status="SUCCESS">
    <MESSAGE>The operation was successfully completed</MESSAGE>
    <CHANGES count="1">
      <USER_LIST>
        <USER>
          <USER_LOGIN>quays_sp1</USER_LOGIN>
          <PASSWORD>
            <![CDATA[N3w-Pass!word]]>
          </PASSWORD>
        </USER>
      </USER_LIST>
    </CHANGES>
  </RETURN>
</PASSWORD_CHANGE_OUTPUT>
"""

ADD_REPLY = """<?xml version="1.0" encoding="UTF-8" ?>
<USER_OUTPUT>
  <API name="user.php" username="admin" at="2025-01-31T12:00:00Z" />
  <RETURN status="SUCCESS"><MESSAGE>quays_sp1 user has been successfully created.</MESSAGE></RETURN>
  <USER><USER_LOGIN>quays_sp1</USER_LOGIN><PASSWORD>Gen3rated!pw</PASSWORD></USER>
</USER_OUTPUT>
"""


class FakeClient:
    """Replies by script/path; records every call."""

    api_url = "https://qualysapi.example.invalid"

    def __init__(self, replies=None, error=None):
        self.replies = replies or {}
        self.error = error
        self.calls = []

    def msp(self, script, params, **kwargs):
        self.calls.append(("msp", script, dict(params), kwargs))
        return formats.parse_xml(self.replies[script])

    def fo(self, path, params, **kwargs):
        self.calls.append(("fo", path, dict(params), kwargs))
        if self.error is not None:
            raise self.error
        return formats.parse_xml(self.replies.get(params.get("title"), self.replies.get(path)))


def test_user_list_elements_become_comparable_dicts():
    found = users.list_users(FakeClient({"user_list.php": USER_LIST}))
    first, second, third = found
    assert first == {
        "id": 7000002, "login": "quays_sp1", "external_id": "svc-scanner",
        "first_name": "Scan", "last_name": "Pipeline", "title": "Scan automation", "email": "secops@example.invalid",
        "phone": "555-0100", "address1": "1 Main St", "address2": "", "city": "Springfield", "zip_code": "",
        "country": "United States of America", "address_state": "Illinois", "business_unit": "Unassigned",
        "user_role": "reader", "asset_groups": ["Prod db", "Prod web"], "status": "pending_activation",
        "creation_date": "2025-01-31T12:00:00Z", "last_login_date": None,
    }
    # Missing elements (a Manager has no ASSIGNED_ASSET_GROUPS) read as empty, never as errors.
    assert second["user_role"] == "unit_manager" and second["asset_groups"] == [] and second["external_id"] is None
    assert second["last_login_date"] == "2025-02-01T08:30:00Z" and second["business_unit"] == "Unassigned"
    assert third["status"] == "inactive" and third["title"] == ""


def test_find_by_external_id_filters_server_side_and_matches_exactly():
    client = FakeClient({"user_list.php": USER_LIST})
    user = users.find_user(client, external_id="svc-scanner")
    # "svc-scanner-2" contains the id too: only the exact match counts.
    assert user["login"] == "quays_sp1"
    assert client.calls[0][2] == {"external_id_contains": "svc-scanner"}
    assert users.find_user(client, external_id="svc-scan") is None


def test_duplicate_external_ids_are_an_error_not_a_guess():
    doubled = USER_LIST.replace("<EXTERNAL_ID>svc-scanner-2</EXTERNAL_ID>", "<EXTERNAL_ID>svc-scanner</EXTERNAL_ID>")
    with pytest.raises(QualysError) as info:
        users.find_user(FakeClient({"user_list.php": doubled}), external_id="svc-scanner")
    assert info.value.kind == "ambiguous" and "quays_sp1, quays_sp2" in info.value.message


def test_find_by_login_lists_without_filter():
    client = FakeClient({"user_list.php": USER_LIST})
    assert users.find_user(client, login="quays_sp2")["id"] == 7000003
    assert client.calls[0][2] == {}
    assert users.find_user(client, login="quays_zz9") is None


def test_add_user_asks_for_the_password_and_reads_it_as_sensitive():
    client = FakeClient({"user.php": ADD_REPLY})
    assert users.add_user(client, {"first_name": "Scan"}) == ("quays_sp1", "Gen3rated!pw")
    _kind, script, params, options = client.calls[0]
    assert script == "user.php" and params == {"first_name": "Scan", "action": "add", "send_email": "0"}
    assert options == {"write": True, "idempotent": False, "sensitive": True}


def test_add_user_without_password_in_reply_fails_clearly():
    reply = ADD_REPLY.replace("<PASSWORD>Gen3rated!pw</PASSWORD>", "")
    with pytest.raises(QualysError) as info:
        users.add_user(FakeClient({"user.php": reply}), {})
    assert "reset the password" in info.value.message


@pytest.mark.parametrize("report", [
    PASSWORD_REPORT,
    # The same pairs directly under the root.
    PASSWORD_REPORT.replace("<CHANGES count=\"1\">", "").replace("</CHANGES>", ""),
])
def test_reset_password_finds_the_new_password_of_that_login(report):
    client = FakeClient({"password_change.php": report})
    assert users.reset_password(client, "quays_sp1") == "N3w-Pass!word"
    _kind, _script, params, options = client.calls[0]
    # email=0 is the switch the current docs and the public clients use (not send_email).
    assert params == {"user_logins": "quays_sp1", "email": "0"}
    assert options["sensitive"] and options["write"] and not options["idempotent"]


def test_reset_password_without_the_login_in_report_fails():
    with pytest.raises(QualysError) as info:
        users.reset_password(FakeClient({"password_change.php": PASSWORD_REPORT}), "quays_other1")
    assert "did not return a new password for quays_other1" in info.value.message


@pytest.mark.parametrize("report", [
    # The recorded reply when the password went out by e-mail: the login only.
    re.sub(r"\s*<PASSWORD>.*?</PASSWORD>", "", PASSWORD_REPORT, flags=re.S),
    # No user list at all.
    re.sub(r"\s*<CHANGES.*?</CHANGES>", "", PASSWORD_REPORT, flags=re.S),
])
def test_reset_reply_without_a_password_says_it_was_emailed(report):
    assert "<PASSWORD>" not in report and "SUCCESS" in report
    with pytest.raises(QualysError) as info:
        users.reset_password(FakeClient({"password_change.php": report}), "quays_sp1")
    message = info.value.message
    assert message.startswith("Qualys did not return a new password for quays_sp1")
    assert "e-mailed" in message and "no longer work" in message
    assert "stored credentials" in message and "password_mode=reset_if_invalid" in message
    assert "N3w-Pass!word" not in message and "send_email" not in message


def test_accept_eula_is_called_as_the_user():
    client = FakeClient({"acceptEULA.php": "<GENERIC_RETURN><RETURN status=\"SUCCESS\">TNC accepted</RETURN></GENERIC_RETURN>"})
    users.accept_eula(client, "quays_sp1", "pw")
    assert client.calls[0][3]["credentials"] == ("quays_sp1", "pw") and client.calls[0][3]["write"]


@pytest.mark.parametrize("kind", ["auth", "expired", "eula", "no_api_access"])
def test_credential_errors_make_a_check_false(kind):
    client = FakeClient(error=QualysError("Qualys error 2000: Bad Login/Password", code="2000", kind=kind))
    valid, error = users.check_credentials(client, "quays_sp1", "wrong")
    assert valid is False and error == {"kind": kind, "code": "2000", "message": "Qualys error 2000: Bad Login/Password"}
    _kind, _path, params, options = client.calls[0]
    assert options == {"credentials": ("quays_sp1", "wrong")} and params["show_attributes"] == "ID,TITLE"
    assert params["truncation_limit"] == "2"


@pytest.mark.parametrize("kind", ["timeout", "transport", "tls", "limit", "format"])
def test_other_errors_are_not_a_verdict_on_the_credentials(kind):
    client = FakeClient(error=QualysError("boom", kind=kind))
    with pytest.raises(QualysError):
        users.check_credentials(client, "quays_sp1", "pw")


def test_working_credentials_check_true():
    reply = "<ASSET_GROUP_LIST_OUTPUT><RESPONSE><ID_SET/></RESPONSE></ASSET_GROUP_LIST_OUTPUT>"
    client = FakeClient({groups.ASSET_GROUP_PATH: reply})
    assert users.check_credentials(client, "quays_sp1", "pw") == (True, None)


def test_the_credential_check_says_which_groups_the_user_sees_in_the_same_call():
    reply = ("<ASSET_GROUP_LIST_OUTPUT><RESPONSE><ASSET_GROUP_LIST><ASSET_GROUP><ID>7</ID><TITLE><![CDATA[Connector scope]]>"
             "</TITLE></ASSET_GROUP></ASSET_GROUP_LIST></RESPONSE></ASSET_GROUP_LIST_OUTPUT>")
    client = FakeClient({groups.ASSET_GROUP_PATH: reply})
    check = users.check_credentials_and_scope(client, "quays_sp1", "pw")
    assert check == {"valid": True, "error": None, "asset_groups": ["Connector scope"]} and len(client.calls) == 1


def test_missing_asset_groups_uses_the_title_filter():
    found = "<ASSET_GROUP_LIST_OUTPUT><RESPONSE><ASSET_GROUP_LIST><ASSET_GROUP><TITLE><![CDATA[Prod web]]></TITLE>" \
            "</ASSET_GROUP></ASSET_GROUP_LIST></RESPONSE></ASSET_GROUP_LIST_OUTPUT>"
    empty = "<ASSET_GROUP_LIST_OUTPUT><RESPONSE><ASSET_GROUP_LIST/></RESPONSE></ASSET_GROUP_LIST_OUTPUT>"
    client = FakeClient({"Prod web": found, "Nope": empty})
    assert users.missing_asset_groups(client, ["Prod web", "Nope"]) == ["Nope"]
    assert [call[2]["title"] for call in client.calls] == ["Prod web", "Nope"]


def test_countries_are_matched_without_case_and_sent_in_qualys_spelling():
    assert users.canonical_country("united states of america") == "United States of America"
    assert users.canonical_country(" Cote D'Ivoire ") == "Cote D'Ivoire"
    with pytest.raises(ValueError) as info:
        users.canonical_country("USA")
    assert "full country name" in str(info.value) and "United States of America" in str(info.value)
    with pytest.raises(ValueError) as info:
        users.canonical_country("Germny")
    assert "Did you mean 'Germany'" in str(info.value)


def test_timestamps_in_iso_8601_forms():
    expected = datetime.datetime(2025, 1, 31, 12, 0, tzinfo=datetime.timezone.utc)
    assert users.parse_timestamp("2025-01-31T12:00:00Z") == expected
    assert users.parse_timestamp("2025-01-31T12:00:00") == expected
    assert users.parse_timestamp("2025-01-31T14:00:00+02:00") == expected
    assert users.parse_timestamp("2025-01-31") == expected.replace(hour=0)
    assert users.iso_timestamp(expected) == "2025-01-31T12:00:00Z"
    for text in ("", "yesterday", "31/01/2025"):
        with pytest.raises(ValueError):
            users.parse_timestamp(text)
