# -*- coding: utf-8 -*-
# Copyright (c) scanops.qualys contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""VM asset groups (``/api/2.0/fo/asset/group/``) as plain, comparable dicts.

Shared by ``qualys_asset_group`` and ``qualys_asset_group_info``: which
``show_attributes`` a set of fields needs, the listing with WARNING 1980
paging, and the mapping of an ``ASSET_GROUP`` element to a dict whose values
are normalised the same way as the module's desired state, so that a plain
``!=`` tells what changed. The service user modules (does a group exist, do
these credentials work) and the tenant check find groups here too: this is
the one place that knows the path and reads a list reply.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.scanops.qualys.plugins.module_utils import ip_sets
from ansible_collections.scanops.qualys.plugins.module_utils import qualys_formats as formats
from ansible_collections.scanops.qualys.plugins.module_utils.qualys_errors import QualysError

ASSET_GROUP_PATH = "/api/2.0/fo/asset/group/"

# The built-in group holding every asset; Qualys refuses to change it.
ALL_GROUP_TITLE = "All"

STRING_FIELDS = ("comments", "division", "function", "location")
# Accepted by add and edit, but carried by no documented list reply (public clients written against live
# replies have no such fields). They are read, and compared, only when a reply does carry them.
WRITE_ONLY_FIELDS = ("division", "function", "location")
LIST_FIELDS = ("ips", "appliance_ids", "domains", "dns_names", "netbios_names")
CVSS_FIELDS = ("cvss_enviro_cdp", "cvss_enviro_td", "cvss_enviro_cr", "cvss_enviro_ir", "cvss_enviro_ar")
FIELDS = ("title",) + STRING_FIELDS + ("business_impact", "default_appliance_id") + LIST_FIELDS + CVSS_FIELDS

# The documented show_attributes value that returns each field. division,
# function and location have none: a read that manages them asks for ALL, the
# only request that could return them, and takes them only when they come.
ATTRIBUTE_OF = {
    "title": "TITLE",
    "comments": "COMMENTS",
    "business_impact": "BUSINESS_IMPACT",
    "default_appliance_id": "APPLIANCE_LIST",
    "appliance_ids": "APPLIANCE_LIST",
    "ips": "IP_SET",
    "domains": "DOMAIN_LIST",
    "dns_names": "DNS_LIST",
    "netbios_names": "NETBIOS_LIST",
}
ATTRIBUTE_OF.update((name, "CVSS") for name in CVSS_FIELDS)

BUSINESS_IMPACTS = ("critical", "high", "medium", "low", "minor")
# The lowest level is "Minor" in the UI and "none" in the API reference: the
# module calls it minor, sends none, and reads either as minor.
BUSINESS_IMPACT_WIRE = {"minor": "none"}
BUSINESS_IMPACT_READ = {"none": "minor"}

CVSS_CHOICES = {
    "cvss_enviro_cdp": ("high", "medium-high", "low-medium", "low", "none"),
    "cvss_enviro_td": ("high", "medium", "low", "none"),
    "cvss_enviro_cr": ("high", "medium", "low"),
    "cvss_enviro_ir": ("high", "medium", "low"),
    "cvss_enviro_ar": ("high", "medium", "low"),
}

MAX_PAGES = 10000
# The cheapest call of the API: at most one group id. It tells whether a caller may use the VM/PC API.
ACCESS_CHECK = {"action": "list", "show_attributes": "ID", "truncation_limit": "1"}
# The same call for a service user's credentials, which also tells its scope: up to two group titles are enough
# to tell "exactly its one group" (or none, for a tag scope) from "more than that".
SCOPE_CHECK = {"action": "list", "show_attributes": "ID,TITLE", "truncation_limit": "2"}


def is_all_group(title):
    """True for the built-in "All" group, however it is spelled."""
    return title is not None and title.strip().lower() == ALL_GROUP_TITLE.lower()


def show_attributes(fields):
    """The smallest ``show_attributes`` value that returns ``fields`` (plus ID and TITLE)."""
    if any(name not in ATTRIBUTE_OF for name in fields if name != "title"):
        return "ALL"
    wanted = set(ATTRIBUTE_OF[name] for name in fields)
    wanted.add("TITLE")
    return ",".join(sorted(wanted))


# -- normalisation (shared with the module's desired state) ------------------

def names_list(values):
    """A list of names compared as a set: stripped, de-duplicated, sorted."""
    return sorted(set(str(value).strip() for value in values or [] if str(value).strip()))


def domain_entry(value):
    """``example.com`` or ``example.com:[10.0.0.0-10.0.0.255]``, spaces removed."""
    name, sep, netblock = str(value).strip().partition(":")
    netblock = netblock.strip().lstrip("[").rstrip("]").strip()
    if not sep or not netblock:
        return name.strip()
    return "%s:[%s]" % (name.strip(), netblock)


def business_impact(value):
    if not value:
        return None
    value = value.strip().lower()
    return BUSINESS_IMPACT_READ.get(value, value)


def cvss_value(value):
    """``Medium-High`` -> ``medium-high``; ``Not Defined`` (unset) -> None."""
    if not value or value.strip().lower() in ("not defined", "not_defined"):
        return None
    return value.strip().lower().replace(" ", "-")


# -- reading ----------------------------------------------------------------

def parse_asset_group(element, fields):
    """An ``ASSET_GROUP`` element as a dict of ``id``, ``title`` and ``fields``.

    A write-only field (``WRITE_ONLY_FIELDS``) is left out unless the element
    carries it: its value is then unknown, which is not the same as empty.
    """
    group = {
        "id": _int(formats.text_of(element, "ID")),
        "title": formats.text_of(element, "TITLE", ""),
    }
    for name in fields:
        if name in WRITE_ONLY_FIELDS:
            if element.find(name.upper()) is not None:
                group[name] = formats.text_of(element, name.upper(), "")
        elif name in STRING_FIELDS:
            group[name] = formats.text_of(element, name.upper(), "")
        elif name == "business_impact":
            group[name] = business_impact(formats.text_of(element, "BUSINESS_IMPACT"))
        elif name == "default_appliance_id":
            group[name] = _int(formats.text_of(element, "DEFAULT_APPLIANCE_ID"))
        elif name == "appliance_ids":
            text = formats.text_of(element, "APPLIANCE_IDS", "")
            group[name] = sorted(set(_int(item) for item in text.split(",") if _int(item) is not None))
        elif name == "ips":
            entries = [formats.text_of(item, ".") for item in element.findall("IP_SET/*")
                       if item.tag in ("IP", "IP_RANGE")]
            group[name] = ip_sets.normalize(entries, "IP_SET reported by Qualys")
        elif name == "domains":
            group[name] = names_list(_domain_text(item) for item in element.findall("DOMAIN_LIST/DOMAIN"))
        elif name == "dns_names":
            group[name] = names_list(formats.text_of(item, ".") for item in element.findall("DNS_LIST/DNS"))
        elif name == "netbios_names":
            group[name] = names_list(formats.text_of(item, ".") for item in element.findall("NETBIOS_LIST/NETBIOS"))
        elif name in CVSS_FIELDS:
            group[name] = cvss_value(formats.text_of(element, name.upper()))
    return group


def group_elements(root):
    """The ``ASSET_GROUP`` elements of a list reply (none for a reply that lists only ids)."""
    return root.findall("RESPONSE/ASSET_GROUP_LIST/ASSET_GROUP")


def check_access(client, credentials, with_titles=False):
    """One cheap read (``ACCESS_CHECK``, or ``SCOPE_CHECK`` ``with_titles``) as ``credentials`` (login, password).

    Returns the reply's root. Raises the QualysError of a refusal, which says whether the credentials are at fault.
    """
    return client.fo(ASSET_GROUP_PATH, dict(SCOPE_CHECK if with_titles else ACCESS_CHECK), credentials=credentials)


def seen_titles(root):
    """The group titles of a SCOPE_CHECK reply: at most two (two stands for two or more)."""
    return [formats.text_of(element, "TITLE", "") for element in group_elements(root)]


def list_asset_groups(client, filters, fields):
    """Every group matching the server-side ``filters``, following WARNING 1980 pages.

    ``filters`` holds list parameters such as ``ids`` or ``title``; only the
    attributes needed for ``fields`` are requested.
    """
    params = dict(filters)
    params.update(action="list", show_attributes=show_attributes(fields))
    groups = []
    seen_pages = set()
    for dummy in range(MAX_PAGES):
        root = client.fo(ASSET_GROUP_PATH, params)
        groups.extend(parse_asset_group(element, fields) for element in group_elements(root))
        page = formats.next_page_params(root)
        if not page or not page.get("id_min"):
            return groups
        if page["id_min"] in seen_pages:
            raise QualysError("Qualys asked for the same page of asset groups twice (id_min=%s); stopping." % page["id_min"],
                              kind="format")
        seen_pages.add(page["id_min"])
        params["id_min"] = page["id_min"]
    raise QualysError("More than %d pages of asset groups; stopping." % MAX_PAGES, kind="format")


def _domain_text(element):
    name = formats.text_of(element, ".", "")
    netblock = (element.get("netblock") or "").strip()
    return domain_entry("%s:[%s]" % (name, netblock) if netblock else name)


def _int(value):
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return None
