# -*- coding: utf-8 -*-
# Copyright (c) scanops.qualys contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The role against service users in odd states, and two runs at once on one user (issue 16 items 1, 6, 7, 8, 10)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import base64
import json

import pytest
import requests

from harness import QUALYS_ADMIN, role_vars, run_role, start_role

SECRET = "qualys-api-servicenow"
EXTERNAL_ID = "scanops-servicenow"


def one_user(oci_ids, tmp_path, **entry):
    variables = role_vars(oci_ids, tmp_path / "report")
    variables["restricted_api_user_service_users"] = [dict(variables["restricted_api_user_service_users"][0], **entry)]
    return variables


def users_of(qualys_sim, external_id=EXTERNAL_ID):
    return [user for user in qualys_sim.state()["users"] if user.get("external_id") == external_id]


def current(oci_sim):
    secret = oci_sim.secret(SECRET)
    version = [v for v in secret["versions"] if "CURRENT" in v["stages"]][0]
    return json.loads(base64.b64decode(version["content"]).decode("utf-8"))


def logs_in(qualys_sim, credentials):
    reply = requests.post(qualys_sim.url + "/api/2.0/fo/asset/group/", data={"action": "list"},
                          auth=(credentials["username"], credentials["password"]), headers={"X-Requested-With": "test"},
                          verify=qualys_sim.ca_path, timeout=30)
    return reply.status_code == 200 and "<CODE>" not in reply.text


def qualys_admin(qualys_sim, script, data):
    reply = requests.post(qualys_sim.url + "/msp/" + script, data=data, auth=QUALYS_ADMIN,
                          headers={"X-Requested-With": "test"}, verify=qualys_sim.ca_path, timeout=30)
    assert reply.status_code == 200 and "SUCCESS" in reply.text, reply.text


def password_resets(qualys_sim):
    return [call for call in qualys_sim.stats()["calls"] if call["path"] == "/msp/password_change.php"]


def settled(run_play, qualys_sim, oci_sim, variables):
    """A run that changes nothing and writes nothing."""
    again = run_role(run_play, qualys_sim, oci_sim, variables)
    assert again.rc == 0 and again.changed == 0, again
    assert qualys_sim.writes() == 0 and oci_sim.writes() == 0, (qualys_sim.stats()["by_endpoint"], oci_sim.calls())


@pytest.fixture
def latency(qualys_sim):
    """Sets the Qualys simulator's latency (ms); the previous value comes back afterwards."""
    saved = qualys_sim.control("GET", "config")["latency_ms"]
    yield lambda milliseconds: qualys_sim.control("POST", "config", {"latency_ms": milliseconds})
    qualys_sim.control("POST", "config", {"latency_ms": saved})


def test_two_runs_creating_the_same_user_at_once_leave_one_active_user_whose_stored_password_works(
        run_play, qualys_sim, oci_sim, oci_ids, tmp_path, latency):
    """Item 1: two AWX jobs on one new user. Whichever interleaving, one active user keeps the external id."""
    variables = one_user(oci_ids, tmp_path)
    for attempt in range(2):
        qualys_sim.reset()
        oci_sim.reset()
        latency(250)  # a few hundred milliseconds per Qualys call: the two runs interleave
        runs = [start_role(qualys_sim, oci_sim, variables, str(tmp_path / ("%d-%d" % (attempt, job)))) for job in (1, 2)]
        codes = [run.wait(600) for run in runs]
        outputs = [(tmp_path / ("%d-%d" % (attempt, job)) / "output.txt").read_text() for job in (1, 2)]
        # A run may lose the race for the secret (it fails, saying so); never both, and nothing is lost.
        assert 0 in codes, outputs
        active = [user for user in users_of(qualys_sim) if user["status"] == "Active"]
        assert len(active) == 1, qualys_sim.state()["users"]
        stored = current(oci_sim)
        assert stored["username"] == active[0]["login"] and logs_in(qualys_sim, stored)
        # Any user set aside is inactive under another external id.
        aside = [user for user in qualys_sim.state()["users"] if user.get("external_id", "").startswith(EXTERNAL_ID + "~")]
        assert all(user["status"] == "Inactive" for user in aside), (aside, outputs)
        latency(0)
        follow_up = run_role(run_play, qualys_sim, oci_sim, variables)
        assert follow_up.rc == 0, follow_up
        if attempt:
            settled(run_play, qualys_sim, oci_sim, variables)
        assert logs_in(qualys_sim, current(oci_sim))


def test_a_deactivated_user_is_reported_and_left_unless_the_definition_reactivates_it(
        run_play, qualys_sim, oci_sim, oci_ids, tmp_path):
    """Item 7: someone deactivated the service user; the role neither reactivates nor resets it on its own."""
    variables = one_user(oci_ids, tmp_path)
    assert run_role(run_play, qualys_sim, oci_sim, variables).rc == 0
    (user,) = users_of(qualys_sim)
    stored = current(oci_sim)
    qualys_admin(qualys_sim, "user.php", {"action": "deactivate", "login": user["login"]})

    left = run_role(run_play, qualys_sim, oci_sim, variables)
    assert left.rc == 0, left
    assert users_of(qualys_sim)[0]["status"] == "Inactive"
    assert password_resets(qualys_sim) == [] and oci_sim.writes() == 0 and current(oci_sim) == stored
    assert "inactive" in left.output.lower()

    reactivated = one_user(oci_ids, tmp_path, reactivate=True)
    back = run_role(run_play, qualys_sim, oci_sim, reactivated)
    assert back.rc == 0, back
    assert users_of(qualys_sim)[0]["status"] == "Active"
    # Its stored password still works: reactivating does not reset it.
    assert password_resets(qualys_sim) == [] and logs_in(qualys_sim, current(oci_sim))
    settled(run_play, qualys_sim, oci_sim, reactivated)


def test_an_external_id_edited_in_qualys_is_put_back_instead_of_making_a_second_user(
        run_play, qualys_sim, oci_sim, oci_ids, tmp_path):
    """Item 8: found again by the login the vault holds; the mismatch is reported and fixed."""
    variables = one_user(oci_ids, tmp_path)
    assert run_role(run_play, qualys_sim, oci_sim, variables).rc == 0
    (user,) = users_of(qualys_sim)
    qualys_admin(qualys_sim, "user.php", {"action": "edit", "login": user["login"], "external_id": "edited-in-the-ui"})

    fixed = run_role(run_play, qualys_sim, oci_sim, variables)
    assert fixed.rc == 0, fixed
    assert [u["login"] for u in users_of(qualys_sim)] == [user["login"]]
    assert users_of(qualys_sim, "edited-in-the-ui") == []
    assert len([u for u in qualys_sim.state()["users"] if u["login"] != QUALYS_ADMIN[0]]) == 1
    assert "edited-in-the-ui" in fixed.output
    assert password_resets(qualys_sim) == [] and logs_in(qualys_sim, current(oci_sim))
    settled(run_play, qualys_sim, oci_sim, variables)


def test_an_expired_user_is_reported_with_what_to_do_and_nothing_is_reset(
        run_play, qualys_sim, oci_sim, oci_ids, tmp_path):
    """Item 10: no reset and no new secret version on every run, each failing; one clear message."""
    variables = one_user(oci_ids, tmp_path)
    assert run_role(run_play, qualys_sim, oci_sim, variables).rc == 0
    (user,) = users_of(qualys_sim)
    versions = len(oci_sim.secret(SECRET)["versions"])
    qualys_sim.control("POST", "users/" + user["login"], {"expired": True})
    for attempt in range(2):
        result = run_role(run_play, qualys_sim, oci_sim, variables)
        assert result.rc != 0
        assert "expired" in result.output and user["login"] in result.output, (attempt, result)
        assert password_resets(qualys_sim) == [] and qualys_sim.writes() == 0 and oci_sim.writes() == 0
    assert len(oci_sim.secret(SECRET)["versions"]) == versions


@pytest.mark.parametrize("content, problem", [
    ("not json at all", "not JSON"),
    (json.dumps({"cid": "00000000-1111-2222-3333-444444444444"}), "username"),
])
def test_stored_content_that_is_not_credentials_fails_naming_the_secret_without_a_reset(
        run_play, qualys_sim, oci_sim, oci_ids, tmp_path, content, problem):
    """Item 6: a clear error that says which secret and what to do; the live password is kept."""
    variables = one_user(oci_ids, tmp_path)
    assert run_role(run_play, qualys_sim, oci_sim, variables).rc == 0
    live = current(oci_sim)
    oci_sim.drift(SECRET, content)
    result = run_role(run_play, qualys_sim, oci_sim, variables)
    assert result.rc != 0
    assert SECRET in result.output and problem in result.output, result
    assert password_resets(qualys_sim) == [] and qualys_sim.writes() == 0 and oci_sim.writes() == 0
    assert logs_in(qualys_sim, live) and live["password"] not in result.output


def test_rotated_at_in_any_iso_8601_form_is_read(run_play, qualys_sim, oci_sim, oci_ids, tmp_path):
    """Item 6: +00:00, fractions and a space instead of T are the same instant; nothing is rotated for them."""
    variables = one_user(oci_ids, tmp_path)
    assert run_role(run_play, qualys_sim, oci_sim, variables).rc == 0
    live = current(oci_sim)
    for form in ("%sT%s+00:00", "%sT%s.123456Z", "%s %s+00:00"):
        date, time_of_day = live["rotated_at"].rstrip("Z").split("T")
        oci_sim.drift(SECRET, json.dumps(dict(live, rotated_at=form % (date, time_of_day))))
        settled(run_play, qualys_sim, oci_sim, variables)
