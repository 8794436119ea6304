# Copyright (c) scanops.qualys contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""IP lists of asset groups: parse what clients send, report what Qualys shows.

Accepted input: single addresses, ``a-b`` ranges and CIDR blocks, comma
separated.  Stored (and reported) as Qualys shows them in ``IP_SET``: merged,
sorted, single addresses as ``IP`` and spans as ``IP_RANGE`` ``a-b``.  The
merging of overlapping/adjacent entries is a modelled guess.
"""

import ipaddress


class IPListError(ValueError):
    """An entry that is not an IP, range or CIDR; the message is the entry."""


def _span(entry):
    entry = entry.strip()
    if not entry:
        raise IPListError(entry)
    try:
        if "/" in entry:
            net = ipaddress.ip_network(entry, strict=False)
            return net.version, int(net.network_address), int(net.broadcast_address)
        if "-" in entry:
            low_text, high_text = entry.split("-", 1)
            low = ipaddress.ip_address(low_text.strip())
            high = ipaddress.ip_address(high_text.strip())
            if low.version != high.version or int(low) > int(high):
                raise IPListError(entry)
            return low.version, int(low), int(high)
        addr = ipaddress.ip_address(entry)
        return addr.version, int(addr), int(addr)
    except ValueError as exc:
        raise IPListError(entry) from exc


def parse(text_or_list):
    """Spans (version, low, high) from a comma string or a list of entries."""
    if isinstance(text_or_list, str):
        entries = [item for item in text_or_list.split(",") if item.strip()]
    else:
        entries = [item for item in text_or_list if str(item).strip()]
    return [_span(str(entry)) for entry in entries]


def _merge(spans):
    merged = []
    for version, low, high in sorted(spans):
        if merged and merged[-1][0] == version and low <= merged[-1][2] + 1:
            if high > merged[-1][2]:
                merged[-1][2] = high
            continue
        merged.append([version, low, high])
    return merged


def _addr(version, value):
    return str(ipaddress.IPv4Address(value) if version == 4 else ipaddress.IPv6Address(value))


def normalise(spans):
    """Merged, sorted entries as strings: ``"10.0.0.1"`` or ``"10.0.0.2-10.0.0.9"``."""
    out = []
    for version, low, high in _merge(spans):
        if low == high:
            out.append(_addr(version, low))
        else:
            out.append("%s-%s" % (_addr(version, low), _addr(version, high)))
    return out


def combine(current, add=(), remove=()):
    """``current`` (normalised strings) plus ``add`` minus ``remove`` spans."""
    spans = _merge(parse(current) + list(add))
    for r_version, r_low, r_high in remove:
        kept = []
        for version, low, high in spans:
            if version != r_version or r_high < low or r_low > high:
                kept.append([version, low, high])
                continue
            if low < r_low:
                kept.append([version, low, r_low - 1])
            if high > r_high:
                kept.append([version, r_high + 1, high])
        spans = kept
    return normalise([tuple(span) for span in spans])
