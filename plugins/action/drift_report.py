# -*- coding: utf-8 -*-
# Copyright (c) scanops.qualys contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Write a report's JSON and Markdown files on the controller in one step (see plugins/modules/drift_report.py).

A report is output, not managed state: writing it in the worker, instead of through the file, copy and template
modules, saves three module processes per run.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import re
import stat
import tempfile

from ansible.errors import AnsibleActionFail
from ansible.module_utils.common.text.converters import to_bytes, to_native
from ansible.plugins.action import ActionBase
from ansible.plugins.filter.core import to_nice_json

ARGUMENT_SPEC = {
    "dir": {"type": "path", "required": True},
    "name": {"type": "str", "default": "drift_report"},
    "report": {"type": "dict", "required": True},
    "markdown": {"type": "str", "required": True},
    "mode": {"type": "str", "default": "0640"},
}
DIRECTORY_MODE = 0o750
OCTAL_MODE = re.compile(r"^0?[0-7]{3}$")


def file_mode(text):
    if not OCTAL_MODE.match(text):
        raise AnsibleActionFail("mode must be an octal file mode such as '0640', not %r" % text)
    return int(text, 8)


def needs_write(path, data, mode):
    """Whether ``path`` lacks exactly ``data`` with ``mode``."""
    try:
        with open(path, "rb") as current:
            same = current.read() == data
        return not same or stat.S_IMODE(os.stat(path).st_mode) != mode
    except FileNotFoundError:
        return True


def replace_file(path, data, mode):
    """Write ``data`` beside ``path`` and rename it over ``path``: a reader never sees half a report."""
    handle, temporary = tempfile.mkstemp(dir=os.path.dirname(path), prefix=".%s." % os.path.basename(path))
    try:
        with os.fdopen(handle, "wb") as output:
            output.write(data)
        os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _VALID_ARGS = frozenset(ARGUMENT_SPEC)
    # Everything happens on the controller; no connection to the task's host is opened.
    _requires_connection = False

    def run(self, tmp=None, task_vars=None):
        result = super(ActionModule, self).run(tmp, task_vars)
        dummy, args = self.validate_argument_spec(argument_spec=ARGUMENT_SPEC)
        name = args["name"]
        if not name or os.sep in name or name in (".", ".."):
            raise AnsibleActionFail("name must be a plain file name without '%s', not %r" % (os.sep, name))
        mode = file_mode(args["mode"])
        directory = os.path.abspath(args["dir"])
        contents = {
            os.path.join(directory, name + ".json"): to_bytes(to_nice_json(args["report"]) + "\n"),
            os.path.join(directory, name + ".md"): to_bytes(args["markdown"]),
        }
        written = [path for path, data in contents.items() if needs_write(path, data, mode)]
        if written and not self._task.check_mode:
            try:
                if not os.path.isdir(directory):
                    os.makedirs(directory, DIRECTORY_MODE)
                    os.chmod(directory, DIRECTORY_MODE)
                for path in written:
                    replace_file(path, contents[path], mode)
            except OSError as error:
                raise AnsibleActionFail("could not write the report to %s: %s" % (directory, to_native(error)))
        result.update(changed=bool(written), written=written, json_path=os.path.join(directory, name + ".json"),
                      markdown_path=os.path.join(directory, name + ".md"))
        return result
