# -*- coding: utf-8 -*-
# Copyright (c) scanops.qualys contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""IP list parsing, normalisation and set operations."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.scanops.qualys.plugins.module_utils import ip_sets


@pytest.mark.parametrize("values", [
    ["10.0.0.0/30"],
    ["10.0.0.0-10.0.0.3"],
    ["10.0.0.0", "10.0.0.1", "10.0.0.2", "10.0.0.3"],
    ["10.0.0.3", "10.0.0.1", "10.0.0.2", "10.0.0.0"],
    ["10.0.0.0,10.0.0.1", " 10.0.0.2 , 10.0.0.3 "],
    "10.0.0.0-10.0.0.1,10.0.0.2-10.0.0.3",
    ["10.0.0.0-10.0.0.2", "10.0.0.1-10.0.0.3"],
    ["10.0.0.0/31", "10.0.0.2/31", "10.0.0.1"],
    ["10.0.0.0 - 10.0.0.3"],
    ["10.0.0.0/255.255.255.252"],
])
def test_equivalent_forms_normalise_alike(values):
    assert ip_sets.normalize(values, "ips") == ["10.0.0.0-10.0.0.3"]


@pytest.mark.parametrize("values, expected", [
    ([], []),
    (None, []),
    (["", " ", ","], []),
    (["10.0.0.5"], ["10.0.0.5"]),
    (["10.0.0.5/32"], ["10.0.0.5"]),
    (["10.0.0.5-10.0.0.5"], ["10.0.0.5"]),
    (["10.0.0.9", "10.0.0.1"], ["10.0.0.1", "10.0.0.9"]),
    # adjacent ranges merge, gaps stay
    (["10.0.0.1-10.0.0.4", "10.0.0.5-10.0.0.8", "10.0.0.10"], ["10.0.0.1-10.0.0.8", "10.0.0.10"]),
    # numeric, not lexical, order
    (["10.0.0.20", "10.0.0.9", "9.255.255.255"], ["9.255.255.255", "10.0.0.9", "10.0.0.20"]),
    # across an octet boundary
    (["10.0.0.255", "10.0.1.0"], ["10.0.0.255-10.0.1.0"]),
    (["192.168.0.0/16"], ["192.168.0.0-192.168.255.255"]),
    (["0.0.0.0/0"], ["0.0.0.0-255.255.255.255"]),
    # duplicates and containment
    (["10.0.0.0/24", "10.0.0.7", "10.0.0.7"], ["10.0.0.0-10.0.0.255"]),
    # IPv6, compressed; IPv4 sorts first
    (["2001:db8::/126"], ["2001:db8::-2001:db8::3"]),
    (["2001:0db8:0000::1", "10.0.0.1"], ["10.0.0.1", "2001:db8::1"]),
    (["2001:db8::1-2001:db8::2", "2001:db8::3"], ["2001:db8::1-2001:db8::3"]),
])
def test_normalize(values, expected):
    assert ip_sets.normalize(values, "ips") == expected


@pytest.mark.parametrize("entry, reason", [
    ("10.0.0.256", "not an IP address, range or CIDR block"),
    ("10.0.0", "not an IP address, range or CIDR block"),
    ("abc", "not an IP address, range or CIDR block"),
    ("10.0.0.1/33", "not an IP address, range or CIDR block"),
    ("10.0.0.0/x", "not an IP address, range or CIDR block"),
    ("/24", "not an IP address, range or CIDR block"),
    ("10.0.0.1-", "not an IP address, range or CIDR block"),
    ("-10.0.0.1", "not an IP address, range or CIDR block"),
    ("10.0.0.1-10.0.0.2-10.0.0.3", "not an IP address, range or CIDR block"),
    ("10.0.0.1-10.0.0.0/24", "not an IP address, range or CIDR block"),
    ("010.0.0.1", "not an IP address, range or CIDR block"),
    ("10.0.0.1/24", "host bits are set, the block is 10.0.0.0/24"),
    ("2001:db8::1/64", "host bits are set, the block is 2001:db8::/64"),
    ("10.0.0.9-10.0.0.1", "the range ends before it starts"),
    ("10.0.0.1-2001:db8::1", "the range mixes IPv4 and IPv6"),
])
def test_bad_entries_name_the_parameter_and_the_accepted_forms(entry, reason):
    with pytest.raises(ValueError) as caught:
        ip_sets.normalize(["10.0.0.1", entry], "scope_ips")
    message = str(caught.value)
    assert message.startswith("scope_ips: %r is invalid: %s." % (entry, reason))
    assert "a single address (10.0.0.1), a range (10.0.0.1-10.0.0.9) or a CIDR block (10.0.0.0/24)" in message


def test_error_names_the_default_parameter():
    with pytest.raises(ValueError, match=r"^ips: 'x' is invalid"):
        ip_sets.union(["10.0.0.1"], ["x"])


def test_union():
    assert ip_sets.union(["10.0.0.0/30"], ["10.0.0.4"]) == ["10.0.0.0-10.0.0.4"]
    assert ip_sets.union([], ["10.0.0.1"]) == ["10.0.0.1"]
    assert ip_sets.union(["10.0.0.1"], []) == ["10.0.0.1"]
    assert ip_sets.union(["10.0.0.1"], ["10.0.0.3"]) == ["10.0.0.1", "10.0.0.3"]
    assert ip_sets.union(["10.0.0.0-10.0.0.3"], ["10.0.0.1"]) == ["10.0.0.0-10.0.0.3"]


def test_difference():
    assert ip_sets.difference(["10.0.0.0/24"], ["10.0.0.5"]) == ["10.0.0.0-10.0.0.4", "10.0.0.6-10.0.0.255"]
    assert ip_sets.difference(["10.0.0.0-10.0.0.3"], ["10.0.0.0/30"]) == []
    assert ip_sets.difference(["10.0.0.0-10.0.0.3"], ["10.0.0.0", "10.0.0.3"]) == ["10.0.0.1-10.0.0.2"]
    assert ip_sets.difference(["10.0.0.1"], ["10.0.0.2"]) == ["10.0.0.1"]
    assert ip_sets.difference([], ["10.0.0.2"]) == []
    assert ip_sets.difference(["10.0.0.5-10.0.0.9"], ["10.0.0.0-10.0.0.6", "10.0.0.9-10.0.1.0"]) == ["10.0.0.7-10.0.0.8"]
    # families never cancel each other
    assert ip_sets.difference(["10.0.0.1", "::1"], ["::1"]) == ["10.0.0.1"]


def test_intersection():
    assert ip_sets.intersection(["10.0.0.0/24"], ["10.0.0.250-10.0.1.5"]) == ["10.0.0.250-10.0.0.255"]
    assert ip_sets.intersection(["10.0.0.1"], ["10.0.0.2"]) == []
    assert ip_sets.intersection(["10.0.0.0-10.0.0.9"], ["10.0.0.2", "10.0.0.4-10.0.0.5"]) == ["10.0.0.2", "10.0.0.4-10.0.0.5"]


def test_to_qualys():
    assert ip_sets.to_qualys(["10.0.0.2", "10.0.0.1", "10.0.0.8/29"]) == "10.0.0.1-10.0.0.2,10.0.0.8-10.0.0.15"
    assert ip_sets.to_qualys([]) == ""


def test_short_range_gets_a_write_it_in_full_hint():
    with pytest.raises(ValueError, match=r"write the range in full.*192\.168\.1\.1-192\.168\.1\.100"):
        ip_sets.normalize(["192.168.1.1-100"])


@pytest.mark.parametrize("values, expected", [
    (["0.0.0.0/0"], [4]),
    (["0.0.0.0-255.255.255.255"], [4]),
    (["::/0"], [6]),
    (["::-ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"], [6]),
    # entries that together leave nothing out
    (["0.0.0.0/1", "128.0.0.0/1"], [4]),
    (["0.0.0.0-10.0.0.0", "10.0.0.1-255.255.255.255", "10.0.0.1"], [4]),
    ("0.0.0.0/0,::/0", [4, 6]),
    (["::/0", "10.0.0.0/8"], [6]),
    # wide, but not everything
    (["0.0.0.0/1"], []),
    (["0.0.0.1-255.255.255.255"], []),
    (["0.0.0.0-255.255.255.254"], []),
    (["0.0.0.0/1", "128.0.0.0/2", "192.0.0.0/3", "224.0.0.0/4"], []),
    (["::/1"], []),
    (["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"], []),
    ([], []),
    (None, []),
])
def test_covers_everything(values, expected):
    assert ip_sets.covers_everything(values, "ips") == expected


def test_covers_everything_names_the_parameter_of_a_bad_entry():
    with pytest.raises(ValueError, match=r"scope\.ips: '0\.0\.0\.0/33' is invalid"):
        ip_sets.covers_everything(["0.0.0.0/33"], "scope.ips")
