#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) scanops.qualys contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

# Documentation only: the action plugin of the same name (plugins/action/drift_report.py) does the work on the
# controller, so writing a report starts no module process.

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: drift_report
short_description: Write a run or drift report as JSON and Markdown files on the controller
version_added: 0.1.0
description:
  - Writes O(report) as C(<name>.json) and O(markdown) as C(<name>.md) in O(dir) on the controller, in one step and
    without starting a module process. The C(scanops.qualys.restricted_api_user) role uses it for its report; the
    Markdown is rendered by the caller (the role renders its C(drift_report.md.j2) template with the
    C(ansible.builtin.template) lookup).
  - Each file is replaced atomically, and only when its content or mode differs, so a report that says the same
    as the last one leaves the files untouched and the task unchanged.
  - O(dir) is created, with mode C(0750), when it does not exist. The mode of an existing directory is left alone.
  - The report must hold no secrets; the module writes what it is given.
author:
  - scanops.qualys maintainers (@scanops)
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
  - ansible.builtin.action_common_attributes.flow
attributes:
  action:
    support: full
  async:
    support: none
  bypass_host_loop:
    support: none
  check_mode:
    support: full
    details: In check mode nothing is written; C(changed) says whether a file would change. The role runs its report
      task with C(check_mode=false), because a drift report is output of a check-mode run, not managed state.
  diff_mode:
    support: none
  platform:
    support: full
    platforms: all
    details: The files are written on the controller, whatever host the task runs for.
options:
  dir:
    description:
      - The directory to write the two files to. A relative path is taken from the directory C(ansible-playbook)
        runs in.
    type: path
    required: true
  name:
    description:
      - The name of both files, without the C(.json) and C(.md) suffixes.
      - A plain file name; path separators are refused.
    type: str
    default: drift_report
  report:
    description:
      - The report, written as JSON with the keys sorted and four spaces of indentation (what the
        C(ansible.builtin.to_nice_json) filter makes), followed by a newline.
    type: dict
    required: true
  markdown:
    description:
      - The Markdown text of the report, written as given.
    type: str
    required: true
  mode:
    description:
      - The mode of the two files.
    type: str
    default: "0640"
seealso:
  - module: scanops.qualys.qualys_service_user
"""

EXAMPLES = r"""
- name: Write the report of the run beside the playbook
  scanops.qualys.drift_report:
    dir: "{{ playbook_dir }}/reports"
    report: "{{ my_report }}"
    markdown: "{{ lookup('ansible.builtin.template', 'my_report.md.j2') }}"

- name: One pair of files per host, written even in check mode (a compliance run)
  scanops.qualys.drift_report:
    dir: /var/lib/qualys-reports
    name: "drift_report-{{ inventory_hostname }}"
    report: "{{ my_report }}"
    markdown: "{{ lookup('ansible.builtin.template', 'my_report.md.j2') }}"
  check_mode: false
  changed_when: false
"""

RETURN = r"""
json_path:
  description: The absolute path of the JSON file.
  returned: always
  type: str
  sample: /var/lib/qualys-reports/drift_report.json
markdown_path:
  description: The absolute path of the Markdown file.
  returned: always
  type: str
  sample: /var/lib/qualys-reports/drift_report.md
written:
  description: The files whose content or mode was (or, in check mode, would be) written.
  returned: always
  type: list
  elements: str
  sample: [/var/lib/qualys-reports/drift_report.md]
"""
