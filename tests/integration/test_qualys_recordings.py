# Copyright (c) scanops.qualys contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Replay the real Qualys recordings against the simulator and compare the replies.

The HAR files are read in place from ../shared/qualys-samples/ (beside the
repository; override with QUALYS_SAMPLES_DIR) and never copied.  For each
recorded request the simulator serves, the test checks the status, the
headers that matter and the body's shape (element structure, codes, texts).
"""

import csv
import json
import os
import re
import warnings
from urllib.parse import parse_qsl, urlencode, urlsplit

import pytest
import requests
from defusedxml import ElementTree

from simulators.common import SimulatorProcess

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SAMPLES = os.environ.get("QUALYS_SAMPLES_DIR") or os.path.join(os.path.dirname(REPO), "shared", "qualys-samples")
ADMIN = ("scanops_admin", "scanops-demo-Admin1!")
LIMIT_HEADERS = ("x-ratelimit-limit", "x-ratelimit-window-sec", "x-ratelimit-remaining", "x-ratelimit-towait-sec",
                 "x-concurrency-limit-limit", "x-concurrency-limit-running")
# Request headers that belong to the recording's transport, not to the API call.
DROPPED_HEADERS = {"authorization", "host", "content-length", "connection", "accept-encoding", "user-agent"}
MISSING = ("Qualys recordings not found at %s: the replay of real Qualys replies did not run (expected "
           "../shared/qualys-samples beside the repository; set QUALYS_SAMPLES_DIR to point elsewhere)" % SAMPLES)
if not os.path.isdir(SAMPLES):
    # A skip's reason shows in the summary only with -rs; a warning shows in every run's warnings summary
    # (a builtin category: pytest-xdist imports a warning's category module, which would be this skipped one).
    warnings.warn(MISSING, UserWarning)
    pytest.skip(MISSING, allow_module_level=True)


def har(name):
    path = os.path.join(SAMPLES, name)
    if not os.path.exists(path):
        pytest.skip("recording %s is missing from %s" % (name, SAMPLES))
    with open(path, encoding="utf-8") as handle:
        return json.load(handle)["log"]["entries"]


@pytest.fixture(scope="module")
def sim(tmp_path_factory):
    process = SimulatorProcess("qualys", str(tmp_path_factory.mktemp("recordings") / "qualys"), ["--seed", "5"])
    process.start()
    yield process
    process.stop()


@pytest.fixture
def session(sim):
    client = requests.Session()
    client.trust_env = False
    client.verify = sim.ca_path
    for path in ("state/reset", "limits/reset", "stats/reset"):
        client.post(sim.url + "/_sim/" + path, timeout=10).raise_for_status()
    client.delete(sim.url + "/_sim/faults", timeout=10).raise_for_status()
    return client


def replay(session, sim, entry, auth=ADMIN, path=None, query=None, body=None):
    """Send the recorded request to the simulator; ``query`` overrides query parameters."""
    request = entry["request"]
    url = urlsplit(request["url"])
    params = dict(parse_qsl(url.query, keep_blank_values=True))
    params.update(query or {})
    target = sim.url + (path or url.path) + ("?" + urlencode(params) if params else "")
    headers = {h["name"]: h["value"] for h in request["headers"] if h["name"].lower() not in DROPPED_HEADERS}
    data = body if body is not None else (request.get("postData") or {}).get("text")
    return session.request(request["method"], target, headers=headers, data=data, auth=auth, timeout=15)


def recorded(entry):
    response = entry["response"]
    headers = {h["name"].lower(): h["value"] for h in response["headers"]}
    return response["status"], headers, response["content"].get("text", "")


def shape(element, depth=99):
    """Element structure without texts: (tag, (child shapes...))."""
    if depth == 0:
        return (element.tag,)
    return (element.tag, tuple(shape(child, depth - 1) for child in element))


def parse(text):
    return ElementTree.fromstring(text.encode("utf-8") if isinstance(text, str) else text)


def add_user(session, sim):
    data = {"action": "add", "user_role": "manager", "business_unit": "Unassigned", "first_name": "Rec",
            "last_name": "Orded", "title": "t", "phone": "1", "email": "r@example.invalid", "address1": "a",
            "city": "c", "country": "Germany", "send_email": "0"}
    reply = parse(session.post(sim.url + "/msp/user.php", data=data, auth=ADMIN, timeout=10).content)
    login, password = reply.findtext("USER/USER_LOGIN"), reply.findtext("USER/PASSWORD")
    session.post(sim.url + "/msp/acceptEULA.php", auth=(login, password), timeout=10).raise_for_status()
    return login, password


def test_bad_credentials_on_portal_version(session, sim):
    # Named "..._code2000_bad_login_http401" upstream, this recording is in fact a QPS
    # portal/version call with bad credentials: HTTP 200 and INVALID_CREDENTIALS.
    entry = har("vmpc_simple_return_code2000_bad_login_http401.har")[0]
    status, headers, text = recorded(entry)
    response = replay(session, sim, entry, auth=("scanops_admin", "not-the-password"))
    assert response.status_code == status
    assert response.headers["Content-Type"] == headers["content-type"]
    mine, theirs = parse(response.content), parse(text)
    assert shape(mine) == shape(theirs)
    for path in ("responseCode", "responseErrorDetails/errorMessage", "responseErrorDetails/errorResolution"):
        assert mine.findtext(path) == theirs.findtext(path)
    assert "x-powered-by" not in {name.lower() for name in response.headers}
    assert LIMIT_HEADERS[0] not in {name.lower() for name in response.headers}


def test_account_expired_2001(session, sim):
    entry = har("vmpc_simple_return_code2001_account_expired.har")[0]
    status, headers, text = recorded(entry)
    login, password = add_user(session, sim)
    session.post(sim.url + "/_sim/users/" + login, json={"expired": True}, timeout=10).raise_for_status()
    response = replay(session, sim, entry, auth=(login, password), query={"username": login})
    assert response.status_code == status == 200
    assert response.headers["Content-Type"] == headers["content-type"]
    mine, theirs = parse(response.content), parse(text)
    assert shape(mine) == shape(theirs)
    assert (mine.findtext("RESPONSE/CODE"), mine.findtext("RESPONSE/TEXT")) == (
        theirs.findtext("RESPONSE/CODE"), theirs.findtext("RESPONSE/TEXT"))
    lower = {name.lower() for name in response.headers}
    assert not any(name in lower for name in LIMIT_HEADERS) and not any(name in headers for name in LIMIT_HEADERS)


def test_invalid_parameter_1905_carries_limit_headers(session, sim):
    entry = har("vmpc_simple_return_code1905_invalid_param_http400_with_limit_headers.har")[0]
    status, headers, text = recorded(entry)
    response = replay(session, sim, entry)
    assert response.status_code == status == 400
    mine, theirs = parse(response.content), parse(text)
    assert shape(mine) == shape(theirs)
    assert mine.findtext("RESPONSE/CODE") == theirs.findtext("RESPONSE/CODE") == "1905"
    assert mine.findtext("RESPONSE/TEXT") == theirs.findtext("RESPONSE/TEXT")
    for name in LIMIT_HEADERS:
        assert name in headers and response.headers[name].isdigit()
    assert re.match(r"^Qualys:\w+:[0-9a-f-]{36}:[0-9a-f-]{36}$", response.headers["X-Powered-By"])


def test_activity_log_csv_with_warning_1980(session, sim):
    entry = har("vmpc_limit_headers_and_warning1980_truncation_csv.har")[0]
    status, headers, text = recorded(entry)
    session.get(sim.url + "/msp/about.php", auth=ADMIN, timeout=10).raise_for_status()  # one more log line
    response = replay(session, sim, entry, query={"username": ADMIN[0]})
    assert response.status_code == status == 200
    assert response.headers["Content-Type"] == headers["content-type"]
    for name in LIMIT_HEADERS + ("x-powered-by",):
        assert name in headers and name in {h.lower() for h in response.headers}
    mine, theirs = response.text.strip().splitlines(), text.strip().splitlines()
    markers = [line for line in theirs if line.startswith("----")]
    assert [line for line in mine if line.startswith("----")] == markers
    assert mine[1] == theirs[1]  # CSV column header row
    assert len(mine) == len(theirs)
    assert mine[-4:-2] == theirs[-4:-2] == ["WARNING", '"CODE","TEXT","URL"']
    code, warning_text, url = next(csv.reader([mine[-2]]))
    their_code, their_text, their_url = next(csv.reader([theirs[-2]]))
    assert (code, warning_text) == (their_code, their_text)
    mine_url, their_split = urlsplit(url), urlsplit(their_url)
    assert mine_url.path == their_split.path and sim.url.endswith(mine_url.netloc)
    mine_params, their_params = dict(parse_qsl(mine_url.query)), dict(parse_qsl(their_split.query))
    assert set(mine_params) == set(their_params) and mine_params["id_max"].isdigit()
    assert {k: v for k, v in mine_params.items() if k not in ("username", "id_max")} == {
        k: v for k, v in their_params.items() if k not in ("username", "id_max")}


def test_qps_invalid_request_is_http_200(session, sim):
    entry = har("qps_invalid_request_http200_am_hostasset.har")[0]
    status, headers, text = recorded(entry)
    response = replay(session, sim, entry)
    assert response.status_code == status == 200
    assert response.headers["Content-Type"] == headers["content-type"]
    mine, theirs = parse(response.content), parse(text)
    assert shape(mine) == shape(theirs)
    for path in ("responseCode", "responseErrorDetails/errorMessage", "responseErrorDetails/errorResolution"):
        assert mine.findtext(path) == theirs.findtext(path)
    schema = "{http://www.w3.org/2001/XMLSchema-instance}noNamespaceSchemaLocation"
    assert mine.get(schema).endswith("/qps/xsd/2.0/am/hostasset.xsd") and theirs.get(schema).endswith(
        "/qps/xsd/2.0/am/hostasset.xsd")
    assert not any(name.lower().startswith("x-ratelimit") for name in response.headers)


def test_portal_version(session, sim):
    entry = har("qps_portal_version.har")[0]
    status, headers, text = recorded(entry)
    response = replay(session, sim, entry)
    assert response.status_code == status
    assert response.headers["Content-Type"] == headers["content-type"]
    mine, theirs = parse(response.content), parse(text)
    assert shape(mine, 3)[:1] == shape(theirs, 3)[:1]
    assert [child.tag for child in mine] == [child.tag for child in theirs] == ["responseCode", "count", "data"]
    assert [child.tag for child in mine.find("data")] == [child.tag for child in theirs.find("data")]
    assert shape(mine.find("data/QWeb-Version")) == shape(theirs.find("data/QWeb-Version"))
    portal = [child.tag for child in mine.find("data/Portal-Version")]
    assert portal[0] == "PortalApplication-VERSION" and all(tag.endswith("-VERSION") for tag in portal)
    assert set(portal) & {child.tag for child in theirs.find("data/Portal-Version")} >= {"VM-VERSION", "FIM-VERSION"}
    assert mine.findtext("count") == theirs.findtext("count") == "1"


def test_search_paging_shape_matches_recorded_webapp_paging(session, sim):
    """The WAS webapp paging recording, compared by shape against the tag search."""
    entries = har("qps_search_pagination_hasMoreRecords_lastId.har")
    recorded_pages = [parse(recorded(entry)[2]) for entry in entries]
    their_more = [[child.tag for child in page] for page in recorded_pages if page.findtext("hasMoreRecords") == "true"]
    their_last = [[child.tag for child in page] for page in recorded_pages if page.findtext("hasMoreRecords") != "true"]
    total = int(parse(session.post(sim.url + "/qps/rest/2.0/count/am/tag", auth=ADMIN, timeout=10,
                                   headers={"Content-Type": "text/xml"}).content).findtext("count"))
    assert total >= 3
    for offset in range(1, total + 1):
        body = (entries[0]["request"]["postData"]["text"]
                .replace("<startFromOffset>1</startFromOffset>", "<startFromOffset>%d</startFromOffset>" % offset))
        response = replay(session, sim, entries[0], path="/qps/rest/2.0/search/am/tag", body=body)
        assert response.status_code == 200 and response.headers["Content-Type"] == "application/xml"
        page = parse(response.content)
        tags = [child.tag for child in page]
        assert page.findtext("count") == "1"
        if offset < total:
            assert tags == their_more[0] and page.findtext("hasMoreRecords") == "true"
            assert page.findtext("lastId") == page.findtext("data/Tag/id")
        else:
            assert tags == their_last[0] and page.findtext("hasMoreRecords") == "false"


def test_empty_search_has_no_data(session, sim):
    entry = har("qps_search_success_count0_no_data.har")[0]
    _status, _headers, text = recorded(entry)
    # The webapp-only criterion isScanned has no tag equivalent; the id criterion is kept.
    body = re.sub(r'<Criteria field="isScanned"[^<]*</Criteria>', "", entry["request"]["postData"]["text"])
    response = replay(session, sim, entry, path="/qps/rest/2.0/search/am/tag", body=body)
    mine, theirs = parse(response.content), parse(text)
    assert response.status_code == 200
    assert shape(mine) == shape(theirs)
    assert (mine.findtext("responseCode"), mine.findtext("count")) == ("SUCCESS", "0")
