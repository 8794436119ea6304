# -*- coding: utf-8 -*-
# Copyright (c) scanops.qualys contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Helpers shared by the reliability and security tests (issue 8).

- ``light_role_vars``: the light role configuration of the soak (one asset
  group user, one tag user, the agent license).
- ``normalised_state``: what both simulators hold, keyed by what a user
  asked for (names, external ids), with generated values left out, so two
  runs can be compared and duplicates show up as lists longer than one.
- ``secret_values`` / ``find_leaks``: the leak scan.
- ``CLEAR_FAILURES`` / ``unclear_failures``: the shapes a failure message may take.

The playbook runner (``run_playbook_file``), ``awx_env`` and ``ROLE_TASK`` are the harness's
(tests/harness); they are importable from here too.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import base64
import collections
import json
import os
import re

from harness import QUALYS_ADMIN, REPO

SCOPE_GROUP = "Soak scope"
SCOPE_TAG = "Soak Linux servers"
LICENSE = {"cid": "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0", "aid": "a1b2c3d4-e5f6-4789-9abc-def012345678",
           "pws_url": "https://qagpublic.qg2.apps.qualys.com/CloudAgent/", "pws_port": 443}
CONTACT = {"email": "secops@example.com", "phone": "+1 555 0100", "address1": "1 Example Street", "city": "New York",
           "country": "United States of America", "address_state": "New York", "zip_code": "10004"}


def service_user(name, scope, first_name="Service", last_name="Account"):
    user = dict(CONTACT, name=name, first_name=first_name, last_name=last_name, scope=scope,
                role={"name": "API Read Only", "permissions": {"VM": ["View"]}, "manage_definition": True})
    return user


SCOPES = {
    "asset_group": ("soakgroup", {"type": "asset_group", "name": SCOPE_GROUP, "ips": ["192.168.10.1-192.168.10.50", "10.30.0.0/24"]}),
    "tag": ("soaktag", {"type": "tag", "name": SCOPE_TAG, "os_contains": "Linux"}),
}


def light_role_vars(oci_ids, scopes=("asset_group", "tag"), **overrides):
    """Service users with the given scope types (one asset-group user, one tag user by default) and the license."""
    variables = {
        "restricted_api_user_service_users": [service_user(SCOPES[scope][0], SCOPES[scope][1], "Soak", scope.title())
                                              for scope in scopes],
        "restricted_api_user_oci_compartment_id": oci_ids["compartment_id"],
        "restricted_api_user_oci_vault_id": oci_ids["vault_id"],
        "restricted_api_user_oci_key_id": oci_ids["key_id"],
        "restricted_api_user_license": dict(LICENSE),
    }
    variables.update(overrides)
    return variables


def oci_ids_of(oci_sim):
    return dict((key, oci_sim.fixtures[key]) for key in ("compartment_id", "vault_id", "key_id"))


# -- state ---------------------------------------------------------------------------------------

def _grouped(items, key, view):
    grouped = collections.defaultdict(list)
    for item in items:
        grouped[key(item)].append(view(item))
    for values in grouped.values():
        values.sort(key=lambda value: json.dumps(value, sort_keys=True))
    return dict(grouped)


def _decoded(content_b64):
    text = base64.b64decode(content_b64).decode("utf-8")
    try:
        return json.loads(text)
    except ValueError:
        return text


def normalised_state(qualys_sim, oci_sim):
    """Both simulators' objects as comparable plain data (no ids, dates or generated passwords).

    Every key maps to a list: one element where one object was asked for.
    A stored credentials secret is reduced to whether its password is the
    user's current password, which is what makes it usable.
    """
    qualys = qualys_sim.state()
    tag_names = dict((tag["id"], tag["name"]) for tag in qualys["tags"])
    passwords = dict((user["login"], user["password"]) for user in qualys["users"])
    user_fields = ("login", "status", "user_role", "eula_accepted", "expired", "first_name", "last_name", "title", "email",
                   "phone", "address1", "city", "country", "state", "zip_code", "business_unit", "api_access", "ui_access")
    state = {
        "users": _grouped(
            qualys["users"], lambda u: u.get("external_id") or u["login"],
            lambda u: dict([(k, u.get(k)) for k in user_fields]
                           + [(k, sorted(u.get(k) or [])) for k in ("asset_groups", "roles", "scope_tags")])),
        "asset_groups": _grouped(
            qualys["asset_groups"], lambda g: g["title"],
            lambda g: dict((k, g.get(k)) for k in ("ips", "comments", "business_impact", "division", "function", "location"))),
        "tags": _grouped(
            qualys["tags"], lambda t: "%s/%s" % (tag_names.get(t.get("parentTagId"), ""), t["name"]),
            lambda t: dict((k, t.get(k)) for k in ("ruleType", "ruleText", "description", "color", "criticalityScore"))),
        "roles": _grouped(
            qualys["roles"], lambda r: r["name"],
            lambda r: dict(description=r.get("description"), apiAccess=r.get("apiAccess"), uiAccess=r.get("uiAccess"),
                           permissions=sorted("%s/%s" % (p["module"], p["name"]) for p in r.get("permissions") or []))),
    }
    secrets = []
    for secret in oci_sim.state()["secrets"].values():
        if secret.get("lifecycleState") == "DELETED":
            continue
        current = [v for v in secret["versions"] if "CURRENT" in (v.get("stages") or [])]
        content = _decoded(current[0]["content"]) if len(current) == 1 else None
        versions = len(secret["versions"])
        if isinstance(content, dict) and "password" in content:
            content = dict(content, password_is_current=passwords.get(content.get("username")) == content["password"],
                           rotated_at=bool(content.get("rotated_at")))
            del content["password"]
            # How many versions credentials took depends on where faults stopped a run (a rotation after the
            # creation that a fault cut short is started again, or not needed any more): what counts is that
            # CURRENT holds the live password.
            versions = None
        secrets.append(dict(name=secret["secretName"], state=secret.get("lifecycleState"), description=secret.get("description"),
                            versions=versions, current_versions=len(current), content=content))
    state["secrets"] = _grouped(secrets, lambda s: s["name"], lambda s: dict((k, v) for k, v in s.items() if k != "name"))
    state["recipes"] = _grouped([r for r in oci_sim.state()["recipes"].values() if r.get("lifecycleState") != "DELETED"],
                                lambda r: r.get("displayName"), lambda r: r.get("lifecycleState"))
    return state


def duplicates(state):
    """Names of objects that exist more than once."""
    found = []
    for kind, objects in state.items():
        found.extend("%s %s x%d" % (kind, key, len(values)) for key, values in objects.items() if len(values) > 1)
    return found


def state_difference(expected, actual):
    """Human-readable differences between two normalised states."""
    lines = []
    for kind in sorted(set(expected) | set(actual)):
        left, right = expected.get(kind, {}), actual.get(kind, {})
        for key in sorted(set(left) | set(right)):
            if left.get(key) != right.get(key):
                lines.append("%s %s: expected %s, got %s" % (kind, key, left.get(key), right.get(key)))
    return lines


# -- leaks -----------------------------------------------------------------------------------------

ISO_TIME = re.compile(r"^\d{4}-\d\d-\d\dT[\d:.]+Z?$")


def secret_values(qualys_sim, oci_sim, extra=()):
    """Every secret value both simulators hold, plus ``extra``.

    Left out, because they are not secret by nature and the run shows them on
    purpose: user logins (the summary names each service user's login),
    timestamps (``rotated_at``) and the Qualys and OCI URLs; also values under
    6 characters, which would match by chance.
    """
    values = set(qualys_sim.secrets()["secrets"]) | set(oci_sim.secret_values()) | set(extra)
    values.add(QUALYS_ADMIN[1])
    public = set(user["login"] for user in qualys_sim.state()["users"])
    public.update([qualys_sim.url, oci_sim.url])
    return sorted(value for value in values
                  if value and len(value) >= 6 and value not in public and not ISO_TIME.match(value)
                  and not value.startswith("https://"))


def forms_of(value):
    """The value and its base64 forms (standard, URL-safe, without padding)."""
    encoded = base64.b64encode(value.encode("utf-8")).decode("ascii")
    urlsafe = base64.urlsafe_b64encode(value.encode("utf-8")).decode("ascii")
    forms = set([value, encoded, encoded.rstrip("="), urlsafe, urlsafe.rstrip("=")])
    return [form for form in forms if len(form) >= 6]


def find_leaks(texts, secrets):
    """[(where, which secret form)] for every secret form found in ``texts`` ({where: text})."""
    hits = []
    for where, text in texts.items():
        if not text:
            continue
        for value in secrets:
            for form in forms_of(value):
                if form in text:
                    hits.append((where, "%s...(%d chars)" % (form[:3], len(form))))
    return hits


def play_texts(result, log_path=None, label="run"):
    """Everything a run left for a person to read: stdout, stderr, recorded results, the log file."""
    texts = {
        "%s stdout" % label: result.stdout,
        "%s stderr" % label: result.stderr,
        "%s results" % label: json.dumps(result.tasks),
    }
    if log_path:
        try:
            with open(log_path) as handle:
                texts["%s log file" % label] = handle.read()
        except IOError:
            texts["%s log file" % label] = ""
    return texts


# -- failure messages ---------------------------------------------------------------------------------

# What a run that gave up may say. Each names what failed and why, in words.
CLEAR_FAILURES = [
    re.compile(r"Qualys error \w+: .+"),
    re.compile(r"Unexpected reply from Qualys: HTTP \d{3}, .+"),
    re.compile(r"Qualys sent (XML|JSON) that cannot be parsed"),
    re.compile(r"(GET|POST|PUT|DELETE) /\S+ (timed out after \d+s|kept failing after \d+ retries)"),
    re.compile(r"Connection to \S+ failed during (GET|POST|PUT|DELETE) /\S+"),
    re.compile(r"Qualys did not return a new password for \S+"),
    re.compile(r"[a-z ]+(failed: HTTP \d{3} \w+: .+|: cannot reach OCI: \w+)"),
    re.compile(r"[a-z ]+: [A-Z]\w*(Error|Exception|Timeout)\b: .*"),
    re.compile(r"The reply to (GET|POST|PUT|DELETE) /\S+ was cut off|the reply was not complete after \d+s"),
    re.compile(r"The service user \S+ (cannot use the VMDR API|sees the asset groups)"),
]
UNCLEAR_MARKERS = ("Traceback (most recent call last)", "MODULE FAILURE", "MODULE_FAILURE", "Module result deserialization",
                   "An exception occurred during task execution", "module_stderr")


RESCUE_TASK = "Say why the run stopped"
HIDDEN = "the output has been hidden"


def failure_messages(result):
    """(task, message) of each failed task of a run."""
    failed = []
    for entry in result.tasks:
        if "failed" not in entry["status"]:
            continue
        res = entry["result"]
        # A loop task says only "One or more items failed"; the output shows each failed item's own message.
        items = [item for item in res.get("results") or [] if isinstance(item, dict) and item.get("failed")]
        if items:
            res = items[0]
        message = res.get("msg") or res.get("censored") or json.dumps(res)[:300]
        failed.append((entry["task"], message))
    return failed


def final_failure(result):
    """The message a person reads to learn why a failed run stopped (the role's rescue repeats hidden ones)."""
    failures = failure_messages(result)
    return failures[-1][1] if failures else None


def unclear_failures(result):
    """Failures of a run whose message is not of a known clear shape, and any raw crash in the output.

    A message hidden by no_log is acceptable only when the role's rescue
    repeats it right after, in a clear shape.
    """
    unclear = []
    failures = failure_messages(result)
    for index, (task, message) in enumerate(failures):
        if HIDDEN in message:
            explained = [m for t, m in failures[index + 1:] if t.endswith(RESCUE_TASK)]
            if not explained:
                unclear.append((task, message))
            continue
        if not any(pattern.search(message) for pattern in CLEAR_FAILURES):
            unclear.append((task, message))
    for marker in UNCLEAR_MARKERS:
        if marker in result.output:
            unclear.append(("output", marker))
    return unclear


# -- figures -------------------------------------------------------------------------------------------

FIGURES_DIR = os.path.join(REPO, ".build", "reliability")


def record_figures(name, data):
    """Write the measured figures of a test to .build/reliability/<name>.json (README "Reliability figures")."""
    os.makedirs(FIGURES_DIR, exist_ok=True)
    with open(os.path.join(FIGURES_DIR, name + ".json"), "w") as handle:
        json.dump(data, handle, indent=1, sort_keys=True)
