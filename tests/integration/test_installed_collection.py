# -*- coding: utf-8 -*-
# Copyright (c) scanops.qualys contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The documented commands, typed as a user types them: from a clone, and from the installed tarball."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os

import requests
import yaml

from harness import QUALYS_ADMIN, REPO, SCOPE_TITLE, awx_env, role_vars, run_command, run_role


def drift_the_scope(qualys_sim):
    group = [g for g in qualys_sim.state()["asset_groups"] if g["title"] == SCOPE_TITLE][0]
    edited = requests.post(qualys_sim.url + "/api/2.0/fo/asset/group/",
                           data={"action": "edit", "id": str(group["id"]), "set_ips": "172.16.0.1-172.16.0.9"},
                           auth=QUALYS_ADMIN, headers={"X-Requested-With": "test"}, verify=qualys_sim.ca_path, timeout=30)
    assert edited.status_code == 200, edited.text


def write_vars(directory, oci_ids):
    """vars.yml as the role README shows it: no report directory."""
    path = os.path.join(str(directory), "vars.yml")
    with open(path, "w") as handle:
        yaml.safe_dump(role_vars(oci_ids), handle)
    return path


def assert_drift_reported(result, qualys_sim, oci_sim, report_dir):
    assert result.rc == 0, result
    assert "Recursive loop" not in result.output
    assert qualys_sim.writes() == 0 and oci_sim.writes() == 0
    assert os.path.exists(os.path.join(str(report_dir), "drift_report.json")), result.stdout
    with open(os.path.join(str(report_dir), "drift_report.json")) as handle:
        report = json.load(handle)
    assert report["check_mode"] is True and report["drift"] == ["servicenow"], report
    with open(os.path.join(str(report_dir), "drift_report.md")) as handle:
        assert "Differs from the definition: servicenow" in handle.read()


def test_documented_drift_commands(run_play, installed_collection, qualys_sim, oci_sim, oci_ids, tmp_path):
    """The role README's compliance command, from a clone and from the installed tarball, with vars.yml
    as the README shows it (no report directory): no recursion, nothing written, the report in the
    current directory (or where -e says)."""
    assert run_role(run_play, qualys_sim, oci_sim, role_vars(oci_ids)).rc == 0
    drift_the_scope(qualys_sim)
    vars_file = write_vars(tmp_path, oci_ids)
    env = awx_env(qualys_sim, oci_sim)

    # `ansible-playbook playbooks/drift_report.yml -e @vars.yml --check --diff`, in the clone.
    report_files = [os.path.join(REPO, name) for name in ("drift_report.json", "drift_report.md")]
    qualys_sim.reset_stats()
    oci_sim.reset_stats()
    try:
        result = run_command(["playbooks/drift_report.yml", "-e", "@" + vars_file, "--check", "--diff"], cwd=REPO, env=env)
        assert_drift_reported(result, qualys_sim, oci_sim, REPO)
    finally:
        for path in report_files:
            if os.path.exists(path):
                os.unlink(path)

    # `ansible-playbook scanops.qualys.drift_report -e @vars.yml --check --diff`, only the tarball installed.
    qualys_sim.reset_stats()
    oci_sim.reset_stats()
    result = run_command(["scanops.qualys.drift_report", "-e", "@vars.yml", "--check", "--diff"],
                         cwd=str(tmp_path), env=env, collections_path=installed_collection)
    assert_drift_reported(result, qualys_sim, oci_sim, tmp_path)
    for root, _dirs, files in os.walk(installed_collection):
        assert "drift_report.json" not in files, "report written inside the installed collection: %s" % root

    # A directory of one's own, relative to where the command runs.
    qualys_sim.reset_stats()
    oci_sim.reset_stats()
    result = run_command(["scanops.qualys.drift_report", "-e", "@vars.yml", "-e", "drift_report_dir=reports", "--check"],
                         cwd=str(tmp_path), env=env, collections_path=installed_collection)
    assert_drift_reported(result, qualys_sim, oci_sim, tmp_path / "reports")


def test_the_tarball_ships_what_users_need_and_no_development_files(installed_collection):
    root = os.path.join(installed_collection, "ansible_collections", "scanops", "qualys")
    for needed in ("README.md", "COPYING", "requirements.txt", "meta/runtime.yml", "meta/execution-environment.yml",
                   "plugins/modules/qualys_service_user.py", "roles/restricted_api_user/meta/argument_specs.yml",
                   "playbooks/restricted_api_user.yml", "playbooks/drift_report.yml", "extensions/awx/job_template.yml",
                   "changelogs/changelog.yaml"):
        assert os.path.exists(os.path.join(root, needed)), needed
    for development in ("Makefile", "ansible.cfg", ".ansible-lint", "bench", "tools", "requirements-dev.txt",
                        "constraints.txt", ".ci", ".venv", ".build"):
        assert not os.path.exists(os.path.join(root, development)), development
