# Copyright (c) scanops.qualys contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Cheap reads and the endpoints the real recordings exercise.

/qps/rest/portal/version and /msp/about.php (connection checks),
/api/2.0/fo/activity_log/ (CSV with WARNING 1980 paging),
/api/2.0/fo/asset/host/vm/detection/ (ids validation, CODE 1905),
/qps/rest/2.0/search/am/hostasset (criteria type errors), and the one
modelled UI page, /fo/login.php.
"""

from urllib.parse import urlencode

from simulators.common import Response

from . import qps
from .asset_groups import ApiError, parse_ids
from .context import html_page
from .qps import QpsError
from .xmlgen import node, now_iso, simple_return, xml_response

MODULE_VERSIONS = (
    ("CSAM", "ITAM-VERSION", "1.2.1.0-1"),
    ("CA", "CA-VERSION", "2.23.0.0"),
    ("WAS", "WAS-VERSION", "6.13.1.0"),
    ("FIM", "FIM-VERSION", "2.3.1.0"),
    ("VM", "VM-VERSION", "1.0.3"),
    ("PM", "PM-VERSION", "1.4.3.0-289"),
    ("ETM", "ETM-VERSION", "1.0.0.0"),
)
QWEB_VERSIONS = (("WEB-VERSION", "10.3.0.2-2"), ("SCANNER-VERSION", "12.1.67-1"), ("VULNSIGS-VERSION", "2.4.993-2"))


def portal_version(ctx):
    modules = set(ctx.config.get("modules") or [])
    portal = {"PortalApplication-VERSION": "3.1.2.0-2 OFFICIAL (scanops simulator)"}
    for module, tag, version in MODULE_VERSIONS:
        if module in modules:
            portal[tag] = version
    payload = {"responseCode": "SUCCESS", "count": 1,
               "data": [{"Portal-Version": portal}, {"QWeb-Version": dict(QWEB_VERSIONS)}]}
    return qps.respond(ctx.request, ctx.base_url, payload, "version")


def about(ctx):
    """/msp/about.php: element names are a modelled guess."""
    children = [node("API-VERSION", None, {"MAJOR": "1", "MINOR": "0"})]
    children += [node(tag, value) for tag, value in QWEB_VERSIONS]
    return xml_response(node("ABOUT", children), 200, ctx.base_url + "/about.dtd")


def _csv(value):
    return '"%s"' % str(value).replace('"', '""')


def activity_log(ctx):
    params = ctx.params
    if params.get("action") != "list":
        return simple_return(ctx.base_url, "parameter action has invalid value: %s" % params.get("action", ""),
                             1905, status=400)
    if params.get("output_format", "csv").lower() != "csv":
        return simple_return(ctx.base_url, "parameter output_format has invalid value: %s (the simulator serves "
                             "csv only)" % params["output_format"], 1905, status=400)
    try:
        limit = int(params.get("truncation_limit", "1000"))
        id_max = int(params["id_max"]) if params.get("id_max") else None
    except ValueError:
        return simple_return(ctx.base_url, "parameter truncation_limit/id_max has an invalid value", 1905, status=400)
    username = params.get("username")
    with ctx.app.activity_lock:
        entries = [entry for entry in reversed(ctx.app.activity)
                   if (not username or entry["user"] == username) and (id_max is None or entry["id"] <= id_max)]
    shown = entries[:limit] if limit else entries
    lines = ["----BEGIN_RESPONSE_BODY_CSV",
             ",".join(_csv(h) for h in ("Date", "Action", "Module", "Details", "User Name", "User Role", "User IP"))]
    for entry in shown:
        lines.append(",".join(_csv(entry[key]) for key in ("date", "action", "module", "details", "user", "role", "ip")))
    lines.append("----END_RESPONSE_BODY_CSV")
    if limit and len(entries) > limit:
        next_params = dict(params)
        next_params["id_max"] = str(shown[-1]["id"] - 1)
        url = "%s%s?%s" % (ctx.base_url, ctx.path, urlencode(next_params))
        lines += ["----BEGIN_RESPONSE_FOOTER_CSV", "WARNING", '"CODE","TEXT","URL"',
                  ",".join([_csv("1980"), _csv("%d record limit exceeded. Use URL to get next batch of results."
                                               % limit), _csv(url)]),
                  "----END_RESPONSE_FOOTER_CSV"]
    return Response(200, "\n".join(lines) + "\n\n", "text/csv;charset=UTF-8")


def host_detection(ctx):
    """Only what the recording needs: ids validation and an empty host list."""
    ids = ctx.params.get("ids")
    try:
        if ids:
            parse_ids("ids", ids)
    except ApiError as exc:
        return simple_return(ctx.base_url, exc.text, exc.code, status=exc.status)
    root = node("HOST_LIST_VM_DETECTION_OUTPUT", [node("RESPONSE", [node("DATETIME", now_iso())])])
    return xml_response(root, 200, ctx.base_url + "/api/2.0/fo/asset/host/vm/detection/host_list_vm_detection_output.dtd")


LONG_FIELDS = {"id", "qwebHostId", "trackingMethod.id"}


def hostasset(ctx):
    """Host assets are not modelled: criteria are type-checked, results are empty."""
    operation = ctx.qps_parts[0]
    if operation not in ("search", "count", "get"):
        raise QpsError("INVALID_REQUEST", "Operation %s is not supported for HostAsset." % operation)
    if operation == "get":
        raise QpsError("OBJECT_NOT_FOUND", "HostAsset with id %s does not exist." % ctx.qps_parts[2])
    service_request = qps.parse_service_request(ctx.request)
    for field, operator, value in qps.criteria(service_request):
        if field in LONG_FIELDS:
            values = str(value).split(",") if operator == "IN" else [value]
            for item in values:
                qps.to_long(field, item)
    return qps.respond(ctx.request, ctx.base_url, {"responseCode": "SUCCESS", "count": 0}, "hostasset")


def ui_login(ctx):
    """The modelled UI endpoint: refused when the user's roles lack UI access."""
    if not ctx.sub.ui_access(ctx.user):
        return html_page(403, "Access denied", "UI access is not enabled for this account.")
    return html_page(200, "Qualys Enterprise", "Welcome, %s." % ctx.login)
