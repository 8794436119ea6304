# -*- coding: utf-8 -*-
# Copyright (c) scanops.qualys contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The tenant self-check: the facts the collection relies on, checked once against a subscription.

Every assumption gets one verdict: ``confirmed``, ``contradicted`` or
``not_checked``, with short evidence that never holds a secret. A failing call
is a verdict, never an exception: only bad input (and a connection setting
that names no server at all) stops the check.

The reads come first; the write checks (a throwaway tag and asset group,
created, read back and deleted, and the password reset of a throwaway user
the caller names) run only when asked for and never in check mode. Their
observations also feed the field checks, since a field the check itself has
set is the only proof that a reply carries it.

The verdicts are computed by the ``judge_*`` functions from plain
observations, so they can be tested without a server.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import binascii
import os
import re

from ansible_collections.scanops.qualys.plugins.module_utils import ip_sets
from ansible_collections.scanops.qualys.plugins.module_utils import qualys_admin_users as admin_users
from ansible_collections.scanops.qualys.plugins.module_utils import qualys_adminui as adminui
from ansible_collections.scanops.qualys.plugins.module_utils import qualys_asset_groups as groups
from ansible_collections.scanops.qualys.plugins.module_utils import qualys_formats as formats
from ansible_collections.scanops.qualys.plugins.module_utils import qualys_tags as tags
from ansible_collections.scanops.qualys.plugins.module_utils.qualys_client import QualysClient
from ansible_collections.scanops.qualys.plugins.module_utils.qualys_errors import QualysError
from ansible_collections.scanops.qualys.plugins.module_utils.qualys_role_adapter import RoleAdapter, RoleApiUnavailable

CONFIRMED = "confirmed"
CONTRADICTED = "contradicted"
NOT_CHECKED = "not_checked"
VERDICTS = (CONFIRMED, CONTRADICTED, NOT_CHECKED)

# Every object the check creates is named with this prefix and a random suffix.
PREFIX = "scanops-tenant-check-"
EVIDENCE_MAX = 400
MASK = "********"

# Errors that say nothing about the assumption itself: no reply, or a limit that outlasted max_wait.
NO_ANSWER_KINDS = frozenset(["dns", "tls", "transport", "timeout", "limit", "config", "dependency"])

LIMIT_HEADERS = ("X-RateLimit-Limit", "X-RateLimit-Window-Sec", "X-RateLimit-Remaining", "X-RateLimit-ToWait-Sec",
                 "X-Concurrency-Limit-Limit", "X-Concurrency-Limit-Running")
RUNNING_HEADER = "X-Concurrency-Limit-Running"

# The asset group list: the elements of the fields the collection compares, and those it treats as write-only.
WRITE_ONLY_ELEMENTS = ("DIVISION", "FUNCTION", "LOCATION")
COMPARED_ELEMENTS = ("TITLE", "COMMENTS", "BUSINESS_IMPACT", "IP_SET", "DNS_LIST", "NETBIOS_LIST", "DOMAIN_LIST",
                     "APPLIANCE_IDS", "DEFAULT_APPLIANCE_ID", "CVSS_ENVIRO_CDP", "CVSS_ENVIRO_TD", "CVSS_ENVIRO_CR",
                     "CVSS_ENVIRO_IR", "CVSS_ENVIRO_AR")
# Without writes, these must each be seen in some group before the list counts as confirmed: the fields the
# collection's asset-group scope relies on. The rest are reported, not required (few groups have them).
CORE_ELEMENTS = ("TITLE", "COMMENTS", "BUSINESS_IMPACT", "IP_SET")
# How many groups (and tags) one read looks at: enough to see the fields, not a full listing.
SAMPLE = 100
CHILD_SAMPLE = 50
RULE_SAMPLE = 5

# The throwaway objects: values that need nothing from the subscription (no scanner appliance, no domain).
PROBE_GROUP = {
    "comments": "Created by the scanops.qualys tenant check; deleted at once. Safe to delete.",
    "division": "scanops-tenant-check",
    "function": "scanops-tenant-check",
    "location": "scanops-tenant-check",
    "business_impact": "low",
    "dns_names": ["scanops-tenant-check.invalid"],
    "netbios_names": ["SCANOPSTCHECK"],
}
# Documentation range (RFC 5737): no real asset matches the rule.
PROBE_RULE = tags.network_rule_text(["192.0.2.0/24"], "rule_text")
SYSTEM_PARENTS = (("Asset Groups", "srcAssetGroupId"), ("Business Units", "srcBusinessUnitId"))

ASSUMPTIONS = (
    {
        "id": "api_server_reachable",
        "title": "The API server answers and accepts these credentials",
        "source": "platform or url; Basic authentication on /api/2.0 (Qualys API authentication guide)",
        "why": "Every module calls the API server; without it nothing else can be checked.",
    },
    {
        "id": "gateway_token",
        "title": "The gateway issues a token for the username and password (POST /auth)",
        "source": "gateway of the platform, or gateway_url; Qualys JWT authentication guide",
        "why": "auth_method=jwt and the FIM, PM and ETM checks of qualys_connection_info need a gateway token.",
    },
    {
        "id": "limit_headers",
        "title": "VM/PC replies carry the X-RateLimit-* and X-Concurrency-Limit-* headers",
        "source": "Qualys API limits documentation; recorded replies",
        "why": "The client waits as long as X-RateLimit-ToWait-Sec says and tells a refusal from a served call by them.",
    },
    {
        "id": "concurrency_running_counts_self",
        "title": "X-Concurrency-Limit-Running counts the call itself (1 for a lone call, as documented)",
        "source": "Qualys API limits documentation (counts the current call); recorded live replies show 0",
        "why": "Says which reading this subscription follows. The client accepts both; a tool that reads "
               "Running >= Limit as a refusal needs the documented one.",
    },
    {
        "id": "asset_group_list_fields",
        "title": "An asset group list with show_attributes=ALL carries the fields the collection compares, "
                 "and not division, function or location",
        "source": "asset group list reference; a public client written against live replies has no "
                  "division, function or location",
        "why": "qualys_asset_group compares what the list carries; a compared field missing from it would be "
               "re-sent on every run, and division, function and location are treated as write-only.",
    },
    {
        "id": "tag_search_fields",
        "title": "Tag search replies carry ruleType, ruleText and parentTagId",
        "source": "tag.xsd and public clients (full Tag objects in search replies); one client claims they are slim",
        "why": "qualys_tag and qualys_tag_info decide from one search; without these fields every tag would "
               "look changed or misplaced.",
    },
    {
        "id": "system_tag_markers",
        "title": "Tags under Asset Groups and Business Units carry srcAssetGroupId and srcBusinessUnitId",
        "source": "tag.xsd field names (their meaning is read from the names)",
        "why": "qualys_tag never changes the tags Qualys owns; it knows them by these markers and by their parent.",
    },
    {
        "id": "role_api_not_offered",
        "title": "The role definition API (the collection's guess: search am/role) is not offered",
        "source": "no public Qualys documentation of a role API; plugins/module_utils/qualys_role_adapter.py",
        "why": "qualys_role then checks roles made by hand; if it is offered, confirm its shape before "
               "letting qualys_role define roles.",
    },
    {
        "id": "classic_user_api",
        "title": "The classic user APIs answer (/msp/user_list.php): not an enhanced-RBAC subscription",
        "source": "Qualys Administration release notes: enhanced RBAC retires user.php and user_list.php",
        "why": "qualys_service_user creates and edits users with the classic APIs.",
    },
    {
        "id": "oidc_client",
        "title": "The OIDC client gets a token at /auth/oidc and can read with it",
        "source": "Qualys OAuth client documentation (host and reply shape not public)",
        "why": "auth_method=oidc (client_id, client_secret) depends on it.",
    },
    {
        "id": "tag_write_cycle",
        "title": "A tag with a NETWORK_RANGE rule and a child can be created, read back unchanged and deleted",
        "source": "tag API reference; NETWORK_RANGE rule text as the collection writes it (a range)",
        "why": "qualys_tag writes tags this way; a rule text read back differently would be re-sent on every run.",
    },
    {
        "id": "asset_group_write_cycle",
        "title": "An asset group can be created, found by title and deleted",
        "source": "asset group API reference (add, list by title, delete)",
        "why": "qualys_asset_group creates, finds and deletes groups this way.",
    },
    {
        "id": "password_reset_returns_password",
        "title": "/msp/password_change.php with email=0 returns the new PASSWORD",
        "source": "current Qualys pages and public clients (email=0); an older page names send_email",
        "why": "qualys_service_user obtains and rotates the service user's password this way.",
    },
)
ASSUMPTION_IDS = tuple(item["id"] for item in ASSUMPTIONS)
WRITE_CHECKS = ("tag_write_cycle", "asset_group_write_cycle", "password_reset_returns_password")


def validate(params):
    """Refuse bad input before any call: raise ValueError naming the option."""
    login = params.get("throwaway_user")
    if login is None:
        return
    text = login.strip()
    if not text:
        raise ValueError("throwaway_user must be a login, got an empty text (leave it out to skip the password check).")
    if "," in text or re.search(r"\s|[\x00-\x1f]", text):
        raise ValueError("throwaway_user must be one login (no comma, space or control character), got %r." % login)
    if text.lower() == "all":
        raise ValueError("throwaway_user must name one throwaway user; 'all' would reset every user's password.")
    caller = params.get("username")
    if caller and text.lower() == caller.strip().lower():
        raise ValueError("throwaway_user must not be the user the check runs as (%s): name a throwaway service user."
                         % caller)


def random_suffix():
    return binascii.hexlify(os.urandom(4)).decode("ascii")


def summary(assumptions):
    counts = dict((verdict, 0) for verdict in VERDICTS)
    for item in assumptions:
        counts[item["verdict"]] += 1
    counts["total"] = len(assumptions)
    return counts


def short(text, secrets=()):
    """One line of at most EVIDENCE_MAX characters, with every known secret masked."""
    text = re.sub(r"\s+", " ", str(text or "")).strip()
    for secret in sorted((s for s in secrets if s), key=len, reverse=True):
        text = text.replace(secret, MASK)
    return text if len(text) <= EVIDENCE_MAX else text[:EVIDENCE_MAX - 3] + "..."


def error_text(exc):
    """A QualysError as its message (plus its code when the message lacks it); anything else with its type."""
    if not isinstance(exc, QualysError):
        return "unexpected failure (%s: %s)" % (type(exc).__name__, exc)
    code = " (code %s)" % exc.code if exc.code is not None and str(exc.code) not in str(exc) else ""
    return "%s%s" % (exc, code)


# -- verdicts from observations ---------------------------------------------------------------

def judge_limit_headers(replies):
    """``replies``: the header dicts of the VM/PC replies this run got."""
    if not replies:
        return NOT_CHECKED, "No VM/PC reply was received."
    lacking = {}
    for headers in replies:
        for name in LIMIT_HEADERS:
            if headers.get(name) is None:
                lacking[name] = lacking.get(name, 0) + 1
    if lacking:
        return CONTRADICTED, "Missing in %d VM/PC replies: %s." % (
            len(replies), ", ".join("%s (%d)" % (name, count) for name, count in sorted(lacking.items())))
    sample = replies[0]
    return CONFIRMED, "All %d in each of %d VM/PC replies (first: %s)." % (
        len(LIMIT_HEADERS), len(replies), ", ".join("%s=%s" % (name.split("-", 1)[1], sample.get(name))
                                                    for name in LIMIT_HEADERS))


def judge_running(values):
    """``values``: X-Concurrency-Limit-Running of this run's served VM/PC replies (one call at a time)."""
    numbers = [int(value) for value in values if str(value).strip().isdigit()]
    if not numbers:
        return NOT_CHECKED, "No served VM/PC reply carried X-Concurrency-Limit-Running."
    lowest = min(numbers)
    seen = "Running was %s on %d lone calls" % ("/".join(str(n) for n in sorted(set(numbers))), len(numbers))
    if lowest == 0:
        return CONTRADICTED, ("%s: it counts only the other running calls (as recorded live replies show), "
                              "not the call itself. The client reads both ways." % seen)
    if lowest == 1:
        return CONFIRMED, ("%s: it counts the call itself, as documented (unless another client's call ran "
                           "alongside each of these)." % seen)
    return NOT_CHECKED, "%s: other calls were running at the same time; run the check when the subscription is idle." % seen


def judge_asset_group_fields(read, probe):
    """``read``: {count, seen: {ELEMENT: n}, error, refused}; ``probe``: the throwaway group's observation or None."""
    notes, problems = [], []
    proven = False
    if read is not None and read.get("error"):
        (problems if read.get("refused") else notes).append("list failed: %s" % read["error"])
    elif read is not None:
        seen = read.get("seen") or {}
        carried = [name for name in COMPARED_ELEMENTS if name in seen]
        unseen = [name for name in COMPARED_ELEMENTS if name not in seen]
        notes.append("groups listed: %d; carried: %s; in no group: %s" % (
            read.get("count", 0), ", ".join(carried) or "none", ", ".join(unseen) or "none"))
        for name in WRITE_ONLY_ELEMENTS:
            if seen.get(name):
                problems.append("%s carried by %d of %d groups" % (name, seen[name], read.get("count", 0)))
    if probe is not None and probe.get("back") is not None:
        carried = set(probe.get("carried") or ())
        sent, back = probe["sent"], probe["back"]
        differing = sorted(name for name in sent if name not in groups.WRITE_ONLY_FIELDS and back.get(name) != sent[name])
        if differing:
            problems.append("throwaway group read back differently: %s" % ", ".join(
                "%s sent %r, read %r" % (name, sent[name], back.get(name)) for name in differing))
        for name in WRITE_ONLY_ELEMENTS:
            if name in carried:
                problems.append("%s carried for the throwaway group that set it" % name)
        if not differing:
            proven = True
            notes.append("throwaway group: %s read back as sent%s; division, function and location set, %s" % (
                ", ".join(sorted(name for name in sent if name not in groups.WRITE_ONLY_FIELDS)),
                "" if "ips" in sent else " (ips not tried: no listed group had an IP to borrow)",
                "and carried" if any(name in carried for name in WRITE_ONLY_ELEMENTS) else "not carried"))
    elif probe is not None and probe.get("error"):
        notes.append("throwaway group not read back: %s" % probe["error"])
    if problems:
        return CONTRADICTED, "; ".join(problems + notes) + "."
    if proven:
        return CONFIRMED, "; ".join(notes) + "."
    if read is None or read.get("error") or not read.get("count"):
        return NOT_CHECKED, "; ".join(notes or ["no asset group to look at"]) + "; writes: true checks with a throwaway group."
    missing = [name for name in CORE_ELEMENTS if not (read.get("seen") or {}).get(name)]
    if missing:
        return NOT_CHECKED, "; ".join(notes) + ("; for %s: no group has a value, or the list does not carry it "
                                                "(writes: true tells)." % ", ".join(missing))
    return CONFIRMED, "; ".join(notes) + "; division, function and location in no group."


def judge_tag_fields(read, probe):
    """``read``: {rule_tags: [raw], children: {parent name: [raw]}, error}; ``probe``: the throwaway tag's observation."""
    problems, notes = [], []
    rule_ok = parent_ok = False
    if read is not None and read.get("error"):
        notes.append("search failed: %s" % read["error"])
    elif read is not None:
        rule_tags = read.get("rule_tags") or []
        bare = [tag for tag in rule_tags if not tag.get("ruleType") or not tag.get("ruleText")]
        if bare:
            problems.append("%d of %d NETWORK_RANGE tags found by a ruleType search lack ruleType or ruleText" % (
                len(bare), len(rule_tags)))
        elif rule_tags:
            rule_ok = True
            notes.append("%d NETWORK_RANGE tags with ruleType and ruleText" % len(rule_tags))
        else:
            notes.append("no NETWORK_RANGE tag to look at")
        children = [tag for found in (read.get("children") or {}).values() for tag in found]
        orphans = [tag for tag in children if not tag.get("parentTagId")]
        if orphans:
            problems.append("%d of %d tags found by a parent search lack parentTagId" % (len(orphans), len(children)))
        elif children:
            parent_ok = True
            notes.append("%d child tags with parentTagId" % len(children))
        else:
            notes.append("no child tag to look at")
    if probe is not None and (probe.get("parent_raw") or probe.get("child_raw")):
        parent, child = probe.get("parent_raw") or {}, probe.get("child_raw") or {}
        if not parent:
            problems.append("the throwaway tag was not found by name")
        elif parent.get("ruleType") != "NETWORK_RANGE" or not tags.same_rule("NETWORK_RANGE", parent.get("ruleText"),
                                                                             PROBE_RULE):
            problems.append("the throwaway tag came back with ruleType %r and ruleText %r (sent NETWORK_RANGE, %r)" % (
                parent.get("ruleType"), parent.get("ruleText"), PROBE_RULE))
        else:
            rule_ok = True
            notes.append("throwaway tag: ruleType and ruleText as sent%s" % (
                "" if parent.get("ruleText") == PROBE_RULE else " (rewritten as %r)" % parent.get("ruleText")))
        if not child:
            problems.append("the child of the throwaway tag was not found by name")
        elif tags.to_int(child.get("parentTagId")) != probe.get("id"):
            problems.append("the child of the throwaway tag has parentTagId %r, not %s" % (
                child.get("parentTagId"), probe.get("id")))
        else:
            parent_ok = True
            notes.append("its child: parentTagId as expected")
    elif probe is not None and probe.get("error"):
        notes.append("throwaway tag not read back: %s" % probe["error"])
    if problems:
        return CONTRADICTED, "; ".join(problems + notes) + "."
    if rule_ok and parent_ok:
        return CONFIRMED, "; ".join(notes) + "."
    return NOT_CHECKED, "; ".join(notes or ["nothing to look at"]) + "; writes: true checks with a throwaway tag."


def judge_system_markers(read, probe):
    """``read``: as for judge_tag_fields plus parents {name: id or None}; ``probe``: the throwaway group's observation."""
    problems, notes = [], []
    checked = 0
    if read is not None and read.get("error"):
        notes.append("search failed: %s" % read["error"])
    elif read is not None:
        for name, marker in SYSTEM_PARENTS:
            if not (read.get("parents") or {}).get(name):
                notes.append("no %r tag at the root" % name)
                continue
            children = (read.get("children") or {}).get(name) or []
            unmarked = [tag for tag in children if tags.to_int(tag.get(marker)) is None]
            checked += len(children)
            if unmarked:
                problems.append("%d of %d children of %r lack %s (e.g. %r)" % (
                    len(unmarked), len(children), name, marker, unmarked[0].get("name")))
            elif children:
                notes.append("%d children of %r, each with %s" % (len(children), name, marker))
            else:
                notes.append("no child under %r" % name)
    tag = (probe or {}).get("tag")
    if tag is not None:
        if tag.get("error"):
            notes.append("the throwaway group's tag was not looked up: %s" % tag["error"])
        elif not tag.get("found"):
            notes.append("no tag for the throwaway group under 'Asset Groups' (Qualys may add it later)")
        elif tags.to_int(tag.get("src")) != (probe or {}).get("id"):
            problems.append("the tag for the throwaway group has srcAssetGroupId %r, not its id %s" % (
                tag.get("src"), probe.get("id")))
        else:
            checked += 1
            notes.append("the throwaway group's tag carries its id as srcAssetGroupId")
    if problems:
        return CONTRADICTED, "; ".join(problems + notes) + " (the collection still treats them as Qualys' own by parent)."
    if checked:
        return CONFIRMED, "; ".join(notes) + "."
    return NOT_CHECKED, "; ".join(notes or ["no child tag to look at"]) + "."


def judge_write_cycle(probe, what):
    """The create / read back / delete steps of a throwaway object."""
    steps = ["created" if probe.get("created") else "not created", "found" if probe.get("found") else "not found",
             "deleted" if probe.get("deleted") else "not deleted", "gone" if probe.get("gone") else "not gone"]
    text = "%s %r: %s" % (what, probe.get("name"), ", ".join(steps))
    if probe.get("error"):
        text += "; %s" % probe["error"]
    if probe.get("leftover"):
        text += "; LEFT BEHIND: delete it by hand"
    if all((probe.get("created"), probe.get("found"), probe.get("deleted"), probe.get("gone"))) and not probe.get("error"):
        return CONFIRMED, text + "."
    if probe.get("no_answer"):
        return NOT_CHECKED, text + "."
    return CONTRADICTED, text + "."


# -- the check -------------------------------------------------------------------------------

class TenantCheck:
    """Runs every check with one client; ``run()`` returns the module result."""

    def __init__(self, client, params, check_mode=False, keep_secret=None, client_factory=None, suffix=None, warn=None):
        self.client = client
        self.params = params
        self.check_mode = check_mode
        self._keep = keep_secret or (lambda value: None)
        self._factory = client_factory or (lambda overrides: QualysClient(dict(params, **overrides), warn=warn))
        self.warn = warn or (lambda message: None)
        self.suffix = suffix or random_suffix()
        self.secrets = set(value for value in (params.get("password"), params.get("client_secret")) if value)
        self.verdicts = {}
        self.vmpc_headers = []
        self.running = []
        self.api_ok = False
        self.wrote = False
        self.leftovers = []
        # Which user back-end answers (RV(user_backend)): back-end -> (True/False/None, evidence).
        self.backends = {}

    # -- plumbing -----------------------------------------------------------------------

    def keep_secret(self, value):
        if value:
            self.secrets.add(value)
            self._keep(value)

    def set(self, key, verdict, evidence):
        self.verdicts[key] = (verdict, short(evidence, self.secrets))

    def failure(self, exc):
        return short(error_text(exc), self.secrets)

    def record(self, client):
        """Keep the limit headers of the VM/PC reply ``client`` just got."""
        response = getattr(client, "last_response", None)
        if response is None:
            return
        headers = dict((name, response.headers.get(name)) for name in LIMIT_HEADERS)
        self.vmpc_headers.append(headers)
        if 200 <= response.status < 300 and headers.get(RUNNING_HEADER) is not None:
            self.running.append(headers[RUNNING_HEADER])

    def fo(self, params, write=False, client=None):
        client = client or self.client
        if write:
            self.wrote = True
        root = client.fo(groups.ASSET_GROUP_PATH, params, write=write, idempotent=not write)
        self.record(client)
        return root

    def qps(self, operation, object_type, object_id=None, body=None, write=False, credentials=None):
        if write:
            self.wrote = True
        return self.client.qps(operation, object_type, object_id=object_id, body=body, write=write,
                               idempotent=True if operation == "delete" else None, credentials=credentials)

    def basic_credentials(self):
        if self.params.get("username") and self.params.get("password"):
            return (self.params["username"], self.params["password"])
        return None

    def judge(self, key, judge, *observations):
        """Set a verdict from observations; a judge that trips over an odd reply gives not_checked."""
        try:
            self.set(key, *judge(*observations))
        except Exception as exc:  # pylint: disable=broad-except
            self.set(key, NOT_CHECKED, "The check itself failed (%s: %s)." % (type(exc).__name__, exc))

    def guarded(self, key, check):
        """Run one check; whatever goes wrong becomes this assumption's verdict."""
        try:
            check()
        except QualysError as exc:
            self.set(key, NOT_CHECKED if exc.kind in NO_ANSWER_KINDS else CONTRADICTED, self.failure(exc))
        except Exception as exc:  # pylint: disable=broad-except
            # A diagnostic run reports, it does not stop: an unexpected reply shape is a finding too.
            self.set(key, NOT_CHECKED, "The check itself failed (%s: %s)." % (type(exc).__name__, exc))

    # -- run -----------------------------------------------------------------------------

    def run(self):
        want_writes = bool(self.params.get("writes")) and not self.check_mode
        self.guarded("api_server_reachable", self.check_api_server)
        self.guarded("gateway_token", self.check_gateway)
        group_read = tag_read = None
        if self.api_ok:
            group_read = self.read_asset_groups()
            tag_read = self.read_tags()
            self.guarded("role_api_not_offered", self.check_role_api)
            self.guarded("classic_user_api", self.check_user_apis)
            self.check_adminui()
        else:
            for key in ("role_api_not_offered", "classic_user_api"):
                self.set(key, NOT_CHECKED, "The API server could not be used (see api_server_reachable).")
        self.guarded("oidc_client", self.check_oidc)

        group_probe = tag_probe = None
        if not want_writes:
            reason = ("Check mode: no write is made." if self.check_mode and self.params.get("writes")
                      else "Writes are off (writes: true, or -e tenant_check_writes=true, runs them).")
            for key in WRITE_CHECKS:
                self.set(key, NOT_CHECKED, reason)
        elif not self.api_ok:
            for key in WRITE_CHECKS:
                self.set(key, NOT_CHECKED, "The API server could not be used (see api_server_reachable).")
        else:
            group_probe = self.probe_asset_group(borrow_ip=(group_read or {}).get("borrow_ip"))
            self.judge("asset_group_write_cycle", judge_write_cycle, group_probe, "asset group")
            tag_probe = self.probe_tag()
            self.judge("tag_write_cycle", judge_write_cycle, tag_probe, "tag")
            self.guarded("password_reset_returns_password", self.check_password_reset)

        if self.api_ok:
            self.judge("asset_group_list_fields", judge_asset_group_fields, group_read, group_probe)
            self.judge("tag_search_fields", judge_tag_fields, tag_read, tag_probe)
            self.judge("system_tag_markers", judge_system_markers, tag_read, group_probe)
        else:
            for key in ("asset_group_list_fields", "tag_search_fields", "system_tag_markers"):
                self.set(key, NOT_CHECKED, "The API server could not be used (see api_server_reachable).")
        self.judge("limit_headers", judge_limit_headers, self.vmpc_headers)
        self.judge("concurrency_running_counts_self", judge_running, self.running)

        assumptions = []
        for item in ASSUMPTIONS:
            verdict, evidence = self.verdicts.get(item["id"], (NOT_CHECKED, "Not run."))
            assumptions.append(dict(item, verdict=verdict, evidence=evidence))
        return {
            "changed": self.wrote,
            "assumptions": assumptions,
            "summary": summary(assumptions),
            "writes": want_writes,
            "leftovers": list(self.leftovers),
            "endpoints": {"api_url": self.client.api_url, "gateway_url": self.client.gateway_url},
            "user_backend": self.user_backend(),
        }

    # -- reads ---------------------------------------------------------------------------------

    def check_api_server(self):
        try:
            self.fo(dict(groups.ACCESS_CHECK))
        except QualysError as exc:
            if exc.kind in ("dns", "tls", "transport", "timeout"):
                self.set("api_server_reachable", CONTRADICTED, "No reply from %s: %s" % (
                    self.client.api_url, self.failure(exc)))
            elif exc.kind in ("limit", "config", "dependency"):
                self.set("api_server_reachable", NOT_CHECKED, self.failure(exc))
            else:
                self.set("api_server_reachable", CONTRADICTED, "%s answered but refused the call: %s" % (
                    self.client.api_url, self.failure(exc)))
            return
        self.api_ok = True
        response = self.client.last_response
        powered = (response.headers.get("X-Powered-By") or "").split(":") if response is not None else []
        pod = " (pod %s)" % powered[1] if len(powered) > 1 and powered[0] == "Qualys" and powered[1] else ""
        self.set("api_server_reachable", CONFIRMED, "%s answered an asset group list with HTTP %s%s." % (
            self.client.api_url, response.status if response is not None else "?", pod))

    def check_gateway(self):
        if not self.basic_credentials():
            self.set("gateway_token", NOT_CHECKED, "No username and password given: only an OIDC client (see oidc_client).")
            return
        gateway = self._factory({"auth_method": "jwt"})
        token = gateway.issue_token()
        self.keep_secret(token)
        self.set("gateway_token", CONFIRMED, "%s/auth issued a token (not shown)." % gateway.gateway_url)

    def read_asset_groups(self):
        """One page of groups with every attribute: which elements occur, and an IP the subscription holds."""
        observed = {"count": 0, "seen": {}, "borrow_ip": None, "error": None, "refused": False}
        try:
            root = self.fo({"action": "list", "show_attributes": "ALL", "truncation_limit": str(SAMPLE)})
        except QualysError as exc:
            observed["error"] = self.failure(exc)
            # Qualys answered and refused the very request the assumption is about.
            observed["refused"] = exc.kind not in NO_ANSWER_KINDS
            return observed
        for element in groups.group_elements(root):
            observed["count"] += 1
            for name in set(child.tag for child in element):
                observed["seen"][name] = observed["seen"].get(name, 0) + 1
            if observed["borrow_ip"] is None:
                observed["borrow_ip"] = _first_address(element)
        if observed["borrow_ip"] is not None:
            try:
                ip_sets.normalize([observed["borrow_ip"]], "ips")
            except ValueError:
                observed["borrow_ip"] = None
        return observed

    def read_tags(self):
        """The system parents, some of their children, and some NETWORK_RANGE tags, as raw search replies."""
        observed = {"parents": {}, "children": {}, "rule_tags": [], "error": None}
        try:
            for name, _marker in SYSTEM_PARENTS:
                found = [raw for raw in self.search_tags([("name", "EQUALS", name)], 10)
                         if raw.get("name") == name and not tags.to_int(raw.get("parentTagId"))]
                parent_id = tags.to_int(found[0].get("id")) if found else None
                observed["parents"][name] = parent_id
                if parent_id:
                    observed["children"][name] = self.search_tags([("parent", "EQUALS", str(parent_id))], CHILD_SAMPLE)
            observed["rule_tags"] = self.search_tags([("ruleType", "EQUALS", "NETWORK_RANGE")], RULE_SAMPLE)
        except QualysError as exc:
            observed["error"] = self.failure(exc)
        except Exception as exc:  # pylint: disable=broad-except
            observed["error"] = "unexpected reply (%s: %s)" % (type(exc).__name__, exc)
        return observed

    def search_tags(self, criteria, limit):
        """One page of raw Tag objects (no paging: a sample is enough)."""
        body = formats.qps_request(criteria=criteria, preferences={"limitResults": limit})
        return [raw for raw in self.qps("search", tags.OBJECT_TYPE, body=body)["data"] if isinstance(raw, dict)]

    def check_role_api(self):
        adapter = RoleAdapter(self.client)
        try:
            adapter.find(PREFIX + self.suffix)
        except RoleApiUnavailable as exc:
            self.set("role_api_not_offered", CONFIRMED, self.failure(exc))
            return
        except QualysError as exc:
            self.set("role_api_not_offered", NOT_CHECKED, self.failure(exc))
            return
        self.set("role_api_not_offered", CONTRADICTED,
                 "search am/role answered a clean QPS SUCCESS: the guessed role API looks offered; confirm its "
                 "paths and fields with the Administration API guide before relying on qualys_role definitions.")

    def check_user_apis(self):
        try:
            root = self.client.msp("user_list.php", {"external_id_contains": PREFIX + self.suffix})
        except QualysError as exc:
            if exc.kind in NO_ANSWER_KINDS:
                self.backends["classic"] = (None, "/msp/user_list.php could not be asked: %s" % self.failure(exc))
                self.set("classic_user_api", NOT_CHECKED, self.failure(exc))
                return
            classic = self.failure(exc)
        else:
            if root.tag == "USER_LIST_OUTPUT":
                self.backends["classic"] = (True, "/msp/user_list.php answered a user list")
                self.set("classic_user_api", CONFIRMED, "/msp/user_list.php answered a user list (%d users match "
                         "a random external id filter)." % len(root.findall("USER_LIST/USER")))
                return
            classic = "unexpected reply element %s" % root.tag
        self.backends["classic"] = (False, "/msp/user_list.php refused: %s" % classic)
        # The classic API refused: does the subscription look like enhanced RBAC?
        try:
            reply = admin_users.search(self.client, [("id", "GREATER", "0")], 1,
                                       credentials=self.basic_credentials())
            rbac = "search am/user (id GREATER 0) answered (%s users): this looks like enhanced RBAC" % reply["count"]
        except QualysError as exc:
            rbac = "search am/user (id GREATER 0) refused too: %s" % self.failure(exc)
        self.set("classic_user_api", CONTRADICTED, "/msp/user_list.php refused: %s; %s." % (classic, rbac))

    def check_adminui(self):
        """Does the Administration user list (the rbac back-end's find) answer? One page of one user, read-only."""
        where = "POST %s%s/users" % (getattr(self.client, "admin_url", None) or self.client.api_url, adminui.PREFIX)
        try:
            total, _users = adminui.AdminUi(self.client).users_page(limit=1)
        except QualysError as exc:
            answered = None if exc.kind in NO_ANSWER_KINDS or exc.kind == "config" else False
            self.backends["rbac"] = (answered, "%s %s: %s" % (
                where, "could not be asked" if answered is None else "refused", self.failure(exc)))
            return
        except Exception as exc:  # pylint: disable=broad-except
            # A diagnostic run reports, it does not stop.
            self.backends["rbac"] = (None, "The check itself failed (%s: %s)." % (type(exc).__name__, exc))
            return
        self.backends["rbac"] = (True, "%s answered a user list (totalCount %d)" % (where, total))

    def user_backend(self):
        """RV(user_backend): which user back-end answers, and whether it is the one O(user_api) chose."""
        classic, classic_said = self.backends.get("classic", (None, "Not run."))
        rbac, rbac_said = self.backends.get("rbac", (None, "Not run."))
        if classic and rbac:
            answers = "both"
        elif classic or rbac:
            answers = "classic" if classic else "rbac"
        elif classic is False and rbac is False:
            answers = "none"
        else:
            answers = "unknown"
        configured = getattr(self.client, "user_api", None) or self.params.get("user_api") or "classic"
        report = {
            "configured": configured,
            "answers": answers,
            "classic": classic,
            "rbac": rbac,
            "evidence": short("%s; %s." % (classic_said, rbac_said), self.secrets),
        }
        if answers in ("classic", "rbac") and answers != configured:
            self.warn("user_api is %s, but only the %s user back-end answers on this subscription: set user_api: %s "
                      "(or QUALYS_USER_API=%s) for qualys_service_user." % (configured, answers, answers, answers))
        return report

    def check_oidc(self):
        if not (self.params.get("client_id") and self.params.get("client_secret")):
            self.set("oidc_client", NOT_CHECKED, "No client_id and client_secret given.")
            return
        oidc = self._factory({"auth_method": "oidc"})
        try:
            token = oidc.issue_token()
        except QualysError as exc:
            verdict = NOT_CHECKED if exc.kind in NO_ANSWER_KINDS else CONTRADICTED
            self.set("oidc_client", verdict, "No token from /auth/oidc: %s" % self.failure(exc))
            return
        self.keep_secret(token)
        try:
            self.fo(dict(groups.ACCESS_CHECK), client=oidc)
        except QualysError as exc:
            verdict = NOT_CHECKED if exc.kind in NO_ANSWER_KINDS else CONTRADICTED
            self.set("oidc_client", verdict, "A token was issued (not shown), but an asset group list with it "
                                             "failed: %s" % self.failure(exc))
            return
        self.set("oidc_client", CONFIRMED, "%s/auth/oidc issued a token (not shown); an asset group list with it "
                                           "answered." % oidc.gateway_url)

    # -- writes ----------------------------------------------------------------------------------

    def probe_asset_group(self, borrow_ip=None):
        """Create a throwaway group, read it back with every attribute, look for its tag, delete it."""
        title = PREFIX + "group-" + self.suffix
        sent = dict(PROBE_GROUP)
        if borrow_ip:
            # Qualys takes only IPs the subscription holds: one from an existing group.
            sent["ips"] = ip_sets.normalize([borrow_ip], "ips")
        probe = {"name": title, "sent": sent, "created": False, "found": False, "deleted": False, "gone": False,
                 "error": None, "back": None, "carried": [], "id": None, "tag": None}
        params = {"action": "add", "title": title}
        for name, value in sent.items():
            params[name] = ip_sets.to_qualys(value) if name == "ips" else ",".join(value) if isinstance(value, list) else value
        try:
            reply = formats.simple_return(self.fo(params, write=True))
            probe["created"] = True
            probe["id"] = tags.to_int(reply["items"].get("ID"))
            element = self.find_group(title)
            if element is not None:
                probe["found"] = True
                probe["id"] = tags.to_int(formats.text_of(element, "ID"))
                probe["carried"] = sorted(set(child.tag for child in element))
                probe["back"] = groups.parse_asset_group(element, list(sent))
                probe["back"].pop("id", None)
            try:
                probe["tag"] = self.find_group_tag(title)
            except QualysError as exc:
                # About the tag markers, not about the group: noted there.
                probe["tag"] = {"found": False, "error": self.failure(exc)}
        except QualysError as exc:
            probe["error"] = self.failure(exc)
            probe["no_answer"] = exc.kind in NO_ANSWER_KINDS and not probe["created"]
        except Exception as exc:  # pylint: disable=broad-except
            probe["error"] = "unexpected reply (%s: %s)" % (type(exc).__name__, exc)
        finally:
            self.delete_group(probe)
        return probe

    def find_group(self, title):
        root = self.fo({"action": "list", "title": title, "show_attributes": "ALL"})
        for element in groups.group_elements(root):
            if formats.text_of(element, "TITLE") == title:
                return element
        return None

    def find_group_tag(self, title):
        """The tag Qualys keeps for the group under "Asset Groups": {found, src}."""
        parents = [raw for raw in self.search_tags([("name", "EQUALS", tags.ASSET_GROUPS_TAG)], 10)
                   if raw.get("name") == tags.ASSET_GROUPS_TAG and not tags.to_int(raw.get("parentTagId"))]
        if not parents:
            return {"found": False, "src": None}
        found = [raw for raw in self.search_tags([("name", "EQUALS", title), ("parent", "EQUALS", str(parents[0]["id"]))], 10)
                 if raw.get("name") == title]
        return {"found": bool(found), "src": found[0].get("srcAssetGroupId") if found else None}

    def delete_group(self, probe):
        title = probe["name"]
        try:
            group_id = probe.get("id")
            if group_id is None:
                # The create reply may have been lost after the group was made.
                element = self.find_group(title)
                group_id = tags.to_int(formats.text_of(element, "ID")) if element is not None else None
            if group_id is None:
                probe["gone"] = True
                return
            self.fo({"action": "delete", "id": str(group_id)}, write=True)
            probe["deleted"] = True
            probe["gone"] = self.find_group(title) is None
        except Exception as exc:  # pylint: disable=broad-except
            # Whatever failed, the group may still be there: say so rather than stop.
            probe["error"] = "; ".join(filter(None, [probe.get("error"), "delete: %s" % self.failure(exc)]))
        if not probe["gone"]:
            probe["leftover"] = True
            self.leftovers.append("asset group %r" % title)

    def probe_tag(self):
        """Create a throwaway NETWORK_RANGE tag with one child, read both back by name, delete them."""
        # Not the group's name: Qualys names the tag it keeps for a group after the group.
        name = PREFIX + "tag-" + self.suffix
        child = name + "-child"
        probe = {"name": name, "child": child, "created": False, "found": False, "deleted": False, "gone": False,
                 "error": None, "id": None, "parent_raw": None, "child_raw": None}
        fields = {"name": name, "ruleType": "NETWORK_RANGE", "ruleText": PROBE_RULE,
                  "children": tags.children_collection("set", [{"name": child}])}
        try:
            reply = self.qps("create", tags.OBJECT_TYPE, body=tags.tag_request(fields), write=True)
            probe["created"] = True
            probe["id"] = tags.to_int(reply["data"][0].get("id")) if reply["data"] else None
            probe["parent_raw"] = self.find_tag(name, root=True)
            probe["child_raw"] = self.find_tag(child)
            probe["found"] = probe["parent_raw"] is not None and probe["child_raw"] is not None
            if probe["parent_raw"] is not None:
                probe["id"] = tags.to_int(probe["parent_raw"].get("id"))
        except QualysError as exc:
            probe["error"] = self.failure(exc)
            probe["no_answer"] = exc.kind in NO_ANSWER_KINDS and not probe["created"]
        except Exception as exc:  # pylint: disable=broad-except
            probe["error"] = "unexpected reply (%s: %s)" % (type(exc).__name__, exc)
        finally:
            self.delete_tags(probe)
        return probe

    def find_tag(self, name, root=False):
        """The tag called exactly ``name`` (at the root only, with ``root``), or None; never a system tag."""
        found = [raw for raw in self.search_tags([("name", "EQUALS", name)], 10) if raw.get("name") == name
                 and not raw.get("srcAssetGroupId") and not raw.get("srcBusinessUnitId")
                 and not (root and tags.to_int(raw.get("parentTagId")))]
        return found[0] if found else None

    def delete_tags(self, probe):
        """The child first, then the parent; each looked up by name, so a lost create reply leaves nothing."""
        deleted = True
        for name in (probe["child"], probe["name"]):
            try:
                is_child = name == probe["child"]
                raw = (probe["child_raw"] if is_child else probe["parent_raw"]) or self.find_tag(name, root=not is_child)
                if raw is None:
                    continue
                try:
                    self.qps("delete", tags.OBJECT_TYPE, object_id=raw.get("id"), body=formats.qps_request(), write=True)
                except QualysError as exc:
                    if exc.kind != "not_found":
                        raise
                if self.find_tag(name, root=not is_child) is not None:
                    deleted = False
                    self.leftovers.append("tag %r" % name)
            except Exception as exc:  # pylint: disable=broad-except
                deleted = False
                probe["error"] = "; ".join(filter(None, [probe.get("error"), "delete %r: %s" % (name, self.failure(exc))]))
                self.leftovers.append("tag %r" % name)
        probe["deleted"] = probe["created"] and deleted
        probe["gone"] = deleted
        probe["leftover"] = not deleted

    def check_password_reset(self):
        login = (self.params.get("throwaway_user") or "").strip()
        key = "password_reset_returns_password"
        if not login:
            self.set(key, NOT_CHECKED, "No throwaway_user named (the check never resets a password it was not given).")
            return
        self.wrote = True
        try:
            root = self.client.msp("password_change.php", {"user_logins": login, "email": "0"}, write=True,
                                   idempotent=False, sensitive=True)
        except QualysError as exc:
            code = str(exc.code) if exc.code is not None else ""
            # 1901: a parameter was not recognised (email=0 itself); the rest say nothing about the reply's shape.
            verdict = CONTRADICTED if code == "1901" else NOT_CHECKED
            self.set(key, verdict, "password_change.php for %s refused: %s" % (login, self.failure(exc)))
            return
        password = None
        for element in root.iter("USER"):
            if formats.text_of(element, "USER_LOGIN") == login and formats.text_of(element, "PASSWORD"):
                password = formats.text_of(element, "PASSWORD")
        if password:
            self.keep_secret(password)
            password = None
            self.set(key, CONFIRMED, "A PASSWORD for %s came back (not shown); its old password no longer works." % login)
            return
        mailed = root.find(".//PASSWORD") is None
        self.set(key, CONTRADICTED, "password_change.php for %s answered %s without a PASSWORD for it%s; its "
                                    "password was changed." % (
                                        login, root.tag, ": Qualys e-mailed the new one" if mailed else ""))


def _first_address(element):
    """The first address of a group's IP_SET, or None."""
    for item in element.findall("IP_SET/*"):
        text = formats.text_of(item, ".") or ""
        first = text.split("-", 1)[0].strip()
        if first and "/" not in first:
            return first
    return None
