# -*- coding: utf-8 -*-
# Copyright (c) scanops.qualys contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The import rules of docs/architecture.md, checked on the source (no plugin is imported).

- A module file imports neither ``requests`` nor ``oci``: HTTP and the SDK live in module_utils.
- A Qualys module (``qualys_*.py``) reaches no OCI code: no ``oci_*`` module_utils and no ``oci``
  import anywhere in what it loads.
- An OCI module (``oci_*.py``) reaches neither ``qualys_client`` nor ``requests``.

"Reaches" follows the collection's own imports transitively, so a rule cannot be dodged
through a helper module.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import ast
import os

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
MODULES = os.path.join(ROOT, "plugins", "modules")
MODULE_UTILS = os.path.join(ROOT, "plugins", "module_utils")
PREFIX = "ansible_collections.scanops.qualys.plugins.module_utils"


def imports_of(source):
    """(top-level names of third-party imports, names of this collection's module_utils) of a source text."""
    outside, utils = set(), set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith(PREFIX + "."):
                    utils.add(alias.name[len(PREFIX) + 1:].split(".")[0])
                else:
                    outside.add(alias.name.split(".")[0])
        elif isinstance(node, ast.ImportFrom) and node.module:
            if node.module == PREFIX:
                utils.update(alias.name for alias in node.names)
            elif node.module.startswith(PREFIX + "."):
                utils.add(node.module[len(PREFIX) + 1:].split(".")[0])
            elif node.level == 0:
                outside.add(node.module.split(".")[0])
    return outside, utils


def _read(path):
    with open(path) as handle:
        return handle.read()


def reach(source, read_util=None):
    """Everything ``source`` loads: (third-party top-level names, module_utils names), transitively."""
    read_util = read_util or (lambda name: _read(os.path.join(MODULE_UTILS, name + ".py")))
    outside, utils = imports_of(source)
    todo, seen = list(utils), set()
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        more_outside, more_utils = imports_of(read_util(name))
        outside |= more_outside
        todo.extend(more_utils - seen)
    return outside, seen


def violations(name, source, read_util=None):
    """The rules broken by module file ``name`` with text ``source``."""
    problems = []
    direct, _utils = imports_of(source)
    for lib in ("requests", "oci"):
        if lib in direct:
            problems.append("%s imports %s directly; only module_utils may" % (name, lib))
    outside, utils = reach(source, read_util)
    if name.startswith("qualys_"):
        oci_utils = sorted(util for util in utils if util.startswith("oci_"))
        if oci_utils:
            problems.append("Qualys module %s loads OCI code: %s" % (name, ", ".join(oci_utils)))
        if "oci" in outside:
            problems.append("Qualys module %s loads the oci SDK" % name)
    if name.startswith("oci_"):
        if "qualys_client" in utils:
            problems.append("OCI module %s loads qualys_client" % name)
        if "requests" in outside:
            problems.append("OCI module %s loads requests" % name)
    return problems


def module_files():
    return sorted(name for name in os.listdir(MODULES) if name.endswith(".py") and name != "__init__.py")


def test_there_are_modules_of_both_services():
    names = module_files()
    assert any(n.startswith("qualys_") for n in names) and any(n.startswith("oci_") for n in names)


@pytest.mark.parametrize("name", module_files())
def test_module_follows_the_import_rules(name):
    assert violations(name, _read(os.path.join(MODULES, name))) == []


# The checker itself, on made-up files: each rule must catch what it is meant to.
FAKE_UTILS = {
    "qualys_module": "from ansible_collections.scanops.qualys.plugins.module_utils.qualys_client import QualysClient\n",
    "qualys_client": "import requests\n",
    "oci_module": "from ansible_collections.scanops.qualys.plugins.module_utils import oci_client\n",
    "oci_client": "import importlib\n",
    "sneaky": "from ansible_collections.scanops.qualys.plugins.module_utils.oci_client import OciClient\n",
    "sdk_user": "import oci.vault\n",
}


@pytest.mark.parametrize("name, source, expected", [
    ("qualys_x.py", "import requests\n", "imports requests directly"),
    ("oci_x.py", "import oci\n", "imports oci directly"),
    ("oci_x.py", "from oci.vault import models\n", "imports oci directly"),
    ("qualys_x.py", "def f():\n    import oci\n", "imports oci directly"),
    ("qualys_x.py", "from ansible_collections.scanops.qualys.plugins.module_utils import oci_module\n", "loads OCI code"),
    ("qualys_x.py", "from ansible_collections.scanops.qualys.plugins.module_utils.sneaky import OciClient\n",
     "loads OCI code: oci_client"),
    ("qualys_x.py", "import ansible_collections.scanops.qualys.plugins.module_utils.sdk_user\n", "loads the oci SDK"),
    ("oci_x.py", "from ansible_collections.scanops.qualys.plugins.module_utils.qualys_module import QualysModule\n",
     "loads qualys_client"),
    ("oci_x.py", "from ansible_collections.scanops.qualys.plugins.module_utils.qualys_module import QualysModule\n",
     "loads requests"),
])
def test_the_checker_catches(name, source, expected):
    problems = violations(name, source, read_util=FAKE_UTILS.get)
    assert any(expected in problem for problem in problems), problems


def test_the_checker_passes_clean_files():
    assert violations("oci_x.py", "from ansible_collections.scanops.qualys.plugins.module_utils import oci_module\n",
                      read_util=FAKE_UTILS.get) == []
    assert violations("qualys_x.py", "from ansible_collections.scanops.qualys.plugins.module_utils.qualys_module "
                                     "import QualysModule\n", read_util=FAKE_UTILS.get) == []
