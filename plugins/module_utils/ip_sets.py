# -*- coding: utf-8 -*-
# Copyright (c) scanops.qualys contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""IP address lists as Qualys writes them, compared by the addresses they cover.

Accepted entries: a single address (``10.0.0.1``), a range (``10.0.0.1-10.0.0.9``)
or a CIDR block (``10.0.0.0/30``), IPv4 or IPv6. A list is normalised to the
fewest ranges that cover the same addresses, sorted, each written the way
Qualys reports it (``a`` or ``a-b``), so that ``10.0.0.0/30``,
``10.0.0.0-10.0.0.3`` and the four single addresses are equal.

Public API: ``normalize``, ``union``, ``difference``, ``intersection``,
``to_qualys``, ``covers_everything``. Bad input raises ``ValueError`` naming
the parameter.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import ipaddress

# The last address of each IP version.
LAST_ADDRESS = {4: 2 ** 32 - 1, 6: 2 ** 128 - 1}

ACCEPTED_FORMS = "a single address (10.0.0.1), a range (10.0.0.1-10.0.0.9) or a CIDR block (10.0.0.0/24)"


def _entries(values):
    """Entries of a list (or one string), each item possibly a comma list."""
    if values is None:
        return []
    if not isinstance(values, (list, tuple)):
        values = [values]
    entries = []
    for value in values:
        entries.extend(part.strip() for part in str(value).split(","))
    return [entry for entry in entries if entry]


def _address(text):
    return ipaddress.ip_address(str(text).strip())


class InvalidIPEntry(ValueError):
    """An entry that is not an address, range or CIDR block."""


def _span(entry, param_name):
    """(version, first, last) as integers for one entry."""
    try:
        if "/" in entry:
            network = ipaddress.ip_network(entry, strict=False)
            if int(network.network_address) != int(ipaddress.ip_interface(entry).ip):
                raise InvalidIPEntry("host bits are set, the block is %s" % network)
            return network.version, int(network.network_address), int(network.broadcast_address)
        if "-" in entry:
            first_text, last_text = entry.split("-", 1)
            first = _address(first_text)
            if first.version == 4 and last_text.strip().isdigit():
                # 192.168.1.1-100: a shorthand Qualys does not take.
                raise InvalidIPEntry("write the range in full, with both addresses (for example %s-%s)" % (
                    first, ".".join(str(first).split(".")[:3] + [last_text.strip()])))
            last = _address(last_text)
            if first.version != last.version:
                raise InvalidIPEntry("the range mixes IPv4 and IPv6")
            if int(first) > int(last):
                raise InvalidIPEntry("the range ends before it starts")
            return first.version, int(first), int(last)
        address = _address(entry)
        return address.version, int(address), int(address)
    except InvalidIPEntry as exc:
        reason = str(exc)
    except ValueError:
        reason = "not an IP address, range or CIDR block"
    raise InvalidIPEntry("%s: %r is invalid: %s. Use %s." % (param_name, entry, reason, ACCEPTED_FORMS))


def _merge(spans):
    """Sorted spans with overlapping and adjacent ones joined."""
    merged = []
    for version, first, last in sorted(spans):
        if merged and merged[-1][0] == version and first <= merged[-1][2] + 1:
            merged[-1][2] = max(merged[-1][2], last)
        else:
            merged.append([version, first, last])
    return [tuple(span) for span in merged]


def _spans(values, param_name):
    return _merge(_span(entry, param_name) for entry in _entries(values))


def _render(spans):
    out = []
    for version, first, last in spans:
        factory = ipaddress.IPv4Address if version == 4 else ipaddress.IPv6Address
        if first == last:
            out.append(str(factory(first)))
        else:
            out.append("%s-%s" % (factory(first), factory(last)))
    return out


def _subtract(spans, removed):
    kept = list(spans)
    for r_version, r_first, r_last in removed:
        result = []
        for version, first, last in kept:
            if version != r_version or r_last < first or r_first > last:
                result.append((version, first, last))
                continue
            if first < r_first:
                result.append((version, first, r_first - 1))
            if last > r_last:
                result.append((version, r_last + 1, last))
        kept = result
    return kept


def normalize(values, param_name="ips"):
    """The canonical form of ``values``: merged, sorted ``a`` / ``a-b`` strings.

    ``values`` is a list of entries (or one string); an item may hold several
    entries separated by commas. IPv4 sorts before IPv6.
    """
    return _render(_spans(values, param_name))


def union(a, b, param_name="ips"):
    """Addresses in ``a`` or ``b``, normalised."""
    return _render(_merge(_spans(a, param_name) + _spans(b, param_name)))


def difference(a, b, param_name="ips"):
    """Addresses in ``a`` that are not in ``b``, normalised."""
    return _render(_subtract(_spans(a, param_name), _spans(b, param_name)))


def intersection(a, b, param_name="ips"):
    """Addresses in both ``a`` and ``b``, normalised."""
    spans_a = _spans(a, param_name)
    return _render(_subtract(spans_a, _subtract(spans_a, _spans(b, param_name))))


def to_qualys(values):
    """A normalised list as the comma-separated string Qualys expects."""
    return ",".join(normalize(values))


def covers_everything(values, param_name="ips"):
    """The IP versions (4, 6) of which ``values`` covers every address, in order; [] when none.

    ``0.0.0.0/0``, ``0.0.0.0-255.255.255.255``, ``::/0`` and any list whose
    entries together leave no address of a version out are "everything".
    """
    return [version for version, first, last in _spans(values, param_name)
            if first == 0 and last == LAST_ADDRESS[version]]
