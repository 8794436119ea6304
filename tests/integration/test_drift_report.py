# -*- coding: utf-8 -*-
# Copyright (c) scanops.qualys contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""scanops.qualys.drift_report: the report files written on the controller in one step, no module process."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os
import stat

from harness import REPO

TEMPLATE = os.path.join(REPO, "roles", "restricted_api_user", "templates", "drift_report.md.j2")

# A report with everything the role's template shows: drift, field changes with awkward values, a check-mode
# assumption and the license.
REPORT = {
    "check_mode": True,
    "drift": ["servicenow"],
    "license": {"secret_changed": False},
    "password_policy": {"rotation": "two_phase", "rotation_days": "90"},
    "service_users": [
        {"name": "servicenow", "login": "scnsv3ab", "changed": ["scope"], "parts": [
            {"part": "scope", "changed": True, "changes": [
                {"field": "ips", "before": ["10.0.0.0/24"], "after": ["10.0.0.0/24", "10.0.1.0/24"]},
                {"field": "title", "before": "a|b\nc", "after": ""},
                {"field": "comments", "before": None, "after": {"k": "v|w"}},
                {"field": "count", "before": 1, "after": []}]},
            {"part": "role", "changed": False, "assumed": {"scope_tags": ["New tag"], "asset_groups": []}},
        ]},
    ],
}


def write_task(directory, **extra):
    args = {"dir": directory, "report": "{{ restricted_api_user_report }}",
            "markdown": "{{ lookup('ansible.builtin.template', '%s') }}" % TEMPLATE}
    args.update(extra)
    return {"name": "write", "scanops.qualys.drift_report": args}


def mode_of(path):
    return stat.S_IMODE(os.stat(path).st_mode)


def test_writes_the_same_files_as_the_copy_and_template_modules_did_then_nothing_on_a_second_run(run_play, tmp_path):
    before = str(tmp_path / "modules")
    after = str(tmp_path / "reports")
    os.mkdir(before)
    old_way = [
        {"name": "json", "ansible.builtin.copy": {
            "dest": before + "/drift_report.json", "mode": "0640",
            "content": "{{ restricted_api_user_report | to_nice_json }}\n"}},
        {"name": "markdown", "ansible.builtin.template": {
            "src": TEMPLATE, "dest": before + "/drift_report.md", "mode": "0640"}},
    ]
    run = run_play(old_way + [write_task(after)], play_vars={"restricted_api_user_report": REPORT})
    assert run.rc == 0, run
    result = run.task("write")
    assert result["changed"] is True
    assert sorted(os.path.basename(path) for path in result["written"]) == ["drift_report.json", "drift_report.md"]
    for name in ("drift_report.json", "drift_report.md"):
        with open(os.path.join(before, name), "rb") as old, open(os.path.join(after, name), "rb") as new:
            assert new.read() == old.read(), name
        assert mode_of(os.path.join(after, name)) == 0o640
    assert mode_of(after) == 0o750
    with open(os.path.join(after, "drift_report.json")) as handle:
        assert json.load(handle) == REPORT

    again = run_play([write_task(after)], play_vars={"restricted_api_user_report": REPORT})
    assert again.rc == 0, again
    assert again.task("write")["changed"] is False
    assert again.task("write")["written"] == []


def test_check_mode_writes_nothing_and_says_what_would_change(run_play, tmp_path):
    directory = str(tmp_path / "reports")
    run = run_play([write_task(directory, name="drift_report-host1")], check=True,
                   play_vars={"restricted_api_user_report": REPORT})
    assert run.rc == 0, run
    result = run.task("write")
    assert result["changed"] is True
    assert result["json_path"] == os.path.join(directory, "drift_report-host1.json")
    assert not os.path.exists(directory)


def test_a_changed_report_rewrites_only_its_changed_file(run_play, tmp_path):
    directory = str(tmp_path)
    first = run_play([write_task(directory, markdown="first\n")], play_vars={"restricted_api_user_report": REPORT})
    assert first.rc == 0, first
    second = run_play([write_task(directory, markdown="second\n")], play_vars={"restricted_api_user_report": REPORT})
    assert second.rc == 0, second
    assert second.task("write")["written"] == [os.path.join(directory, "drift_report.md")]
    with open(os.path.join(directory, "drift_report.md")) as handle:
        assert handle.read() == "second\n"
    assert [name for name in os.listdir(directory) if name.startswith(".")] == []


def test_bad_options_are_refused_naming_them(run_play, tmp_path):
    directory = str(tmp_path / "reports")
    cases = [
        ({"name": "../elsewhere"}, "name must be a plain file name"),
        ({"mode": "rw-r-----"}, "mode must be an octal file mode"),
        ({"report": "not a mapping"}, "report"),
        ({"colour": "blue"}, "colour"),
    ]
    for extra, message in cases:
        run = run_play([write_task(directory, **extra)], play_vars={"restricted_api_user_report": REPORT})
        assert run.rc != 0, extra
        assert message in run.task("write")["msg"], (extra, run.task("write")["msg"])
    assert not os.path.exists(directory)
