# Copyright (c) scanops.qualys contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Classic user management: /msp/user.php, user_list.php, password_change.php,
acceptEULA.php and the self-service /api/2.0/fo/user/change_password/."""

import json

from .model import USER_ROLES
from .xmlgen import CData, generic_return, node, simple_return, v1_api_node, xml_response

CONTACT_FIELDS = (
    ("FIRSTNAME", "first_name"), ("LASTNAME", "last_name"), ("TITLE", "title"), ("PHONE", "phone"),
    ("FAX", "fax"), ("EMAIL", "email"), ("COMPANY", "company"), ("ADDRESS1", "address1"),
    ("ADDRESS2", "address2"), ("CITY", "city"), ("COUNTRY", "country"), ("STATE", "state"),
    ("ZIP_CODE", "zip_code"), ("TIME_ZONE_CODE", "time_zone_code"),
)
PROFILE_PARAMS = (
    "first_name", "last_name", "title", "phone", "fax", "email", "company", "address1", "address2",
    "city", "country", "state", "zip_code", "time_zone_code", "external_id",
)
ADD_PARAMS = set(PROFILE_PARAMS) | {"action", "user_role", "business_unit", "asset_groups", "send_email"}
# Modelled on the public clients' edit schemas: no user_role/business_unit/send_email on edit.
EDIT_PARAMS = set(PROFILE_PARAMS) | {"action", "login", "asset_groups"}
STATUS_PARAMS = {"action", "login"}
REQUIRED_ON_ADD = ("user_role", "business_unit", "first_name", "last_name", "title", "phone", "email",
                   "address1", "city", "country")
STATE_REQUIRED = {"United States of America", "Canada", "India", "Australia"}

# v1 failure numbers (modelled; only the RETURN shape is documented).
UNRECOGNIZED, MISSING, INVALID, COMBINATION, NO_PERMISSION = "1901", "1903", "1905", "1907", "2004"


class Failed(Exception):
    """A ``RETURN status="FAILED"`` reply."""

    def __init__(self, number, message):
        super().__init__(message)
        self.number = number
        self.message = message


def _user_output(ctx, status_word, message, number=None, extra=None):
    children = [v1_api_node("user.php", ctx.login),
                node("RETURN", [node("MESSAGE", message)], {"status": status_word, "number": number})]
    if extra:
        children.append(extra)
    root = node("USER_OUTPUT", children)
    return xml_response(root, 200, ctx.base_url + "/user_output.dtd")


def _check_params(params, allowed):
    unknown = sorted(set(params) - allowed)
    if unknown:
        raise Failed(UNRECOGNIZED, "Unrecognized parameter(s): %s" % ", ".join(unknown))


def _asset_group_ids(ctx, text):
    titles = [title.strip() for title in text.split(",") if title.strip()]
    ids, missing = [], []
    for title in titles:
        group_id = ctx.sub.ag_by_title.get(title)
        if group_id is None:
            missing.append(title)
        elif group_id not in ids:
            ids.append(group_id)
    if missing:
        raise Failed(INVALID, "Invalid asset group title(s): %s" % ", ".join(missing))
    return ids


def _check_country(value):
    # Catch the common misreading: ISO codes instead of the full country name.
    if value and len(value) <= 3 and value.isupper():
        raise Failed(INVALID, "parameter country has invalid value: %s (use the full country name)" % value)


def _may_manage(caller, target_role, target_bu):
    role = caller["user_role"]
    if role == "manager":
        return True
    if role == "administrator":
        return target_role not in ("manager", "administrator")
    if role == "unit_manager":
        return target_role in ("scanner", "reader", "contact") and target_bu == caller["business_unit"]
    return False


def user_php(ctx):
    action = ctx.params.get("action", "")
    try:
        if action == "add":
            return _add(ctx)
        if action == "edit":
            return _edit(ctx)
        if action in ("activate", "deactivate"):
            return _set_status(ctx, action)
        if not action:
            raise Failed(MISSING, "Missing required parameter(s): action")
        raise Failed(INVALID, "parameter action has invalid value: %s" % action)
    except Failed as exc:
        return _user_output(ctx, "FAILED", exc.message, exc.number)


def _add(ctx):
    params = ctx.params
    _check_params(params, ADD_PARAMS)
    missing = [name for name in REQUIRED_ON_ADD if not params.get(name, "").strip()]
    if params.get("country") in STATE_REQUIRED and not params.get("state", "").strip():
        missing.append("state")
    if missing:
        raise Failed(MISSING, "Missing required parameter(s): %s" % ", ".join(missing))
    role = params["user_role"]
    if role not in USER_ROLES:
        raise Failed(INVALID, "parameter user_role has invalid value: %s" % role)
    send_email = params.get("send_email", "1")
    if send_email not in ("0", "1"):
        raise Failed(INVALID, "parameter send_email has invalid value: %s" % send_email)
    if role == "contact" and send_email == "0":
        raise Failed(COMBINATION, "The following combination of key=value pairs is not supported: "
                     "user_role=contact, send_email=0")
    _check_country(params["country"])
    if not _may_manage(ctx.user, role, params["business_unit"]):
        raise Failed(NO_PERMISSION, "You do not have permission to add a user with role %s." % USER_ROLES[role])
    with ctx.sub.lock:
        group_ids = _asset_group_ids(ctx, params.get("asset_groups", ""))
        fields = {name: params.get(name, "").strip() for name in PROFILE_PARAMS}
        fields["user_role"] = role
        fields["business_unit"] = params["business_unit"].strip()
        user = ctx.sub.add_user(fields, group_ids)
        ctx.sub.save()
    extra = None
    if send_email == "0":
        extra = node("USER", [node("USER_LOGIN", user["login"]), node("PASSWORD", user["password"])])
    return _user_output(ctx, "SUCCESS", "%s user has been successfully created." % user["login"], extra=extra)


def _target(ctx):
    login = ctx.params.get("login", "").strip()
    if not login:
        raise Failed(MISSING, "Missing required parameter(s): login")
    user = ctx.sub.user_by_login(login)
    if user is None:
        raise Failed(INVALID, "parameter login has invalid value: %s (no such user)" % login)
    if not _may_manage(ctx.user, user["user_role"], user["business_unit"]):
        raise Failed(NO_PERMISSION, "You do not have permission to modify user %s." % login)
    return user


def _edit(ctx):
    params = ctx.params
    _check_params(params, EDIT_PARAMS)
    with ctx.sub.lock:
        user = _target(ctx)
        changes = {}
        for name in PROFILE_PARAMS:
            if name in params:
                value = params[name].strip()
                if not value and name in REQUIRED_ON_ADD:
                    raise Failed(INVALID, "parameter %s has invalid value: (empty)" % name)
                if name == "country":
                    _check_country(value)
                changes[name] = value
        if "asset_groups" in params:
            changes["asset_group_ids"] = _asset_group_ids(ctx, params["asset_groups"])
        user.update(changes)
        ctx.sub.save()
    return _user_output(ctx, "SUCCESS", "%s user has been successfully updated." % user["login"])


def _set_status(ctx, action):
    _check_params(ctx.params, STATUS_PARAMS)
    with ctx.sub.lock:
        user = _target(ctx)
        if user["id"] == ctx.user["id"]:
            raise Failed(COMBINATION, "You cannot %s your own account." % action)
        wanted_from, new_status = ("Active", "Inactive") if action == "deactivate" else ("Inactive", "Active")
        if user["status"] != wanted_from:
            raise Failed(COMBINATION, "User %s cannot be %sd: current status is %s." % (
                user["login"], action, user["status"]))
        user["status"] = new_status
        ctx.sub.save()
    return _user_output(ctx, "SUCCESS", "%s user has been successfully %sd." % (user["login"], action))


# --- user_list.php --------------------------------------------------------
LIST_PARAMS = {"action", "external_id_contains", "external_id_assigned", "show_access_permissions"}


def _list_error(ctx, number, text):
    root = node("USER_LIST_OUTPUT", [node("ERROR", text, {"number": number})])
    return xml_response(root, 200, ctx.base_url + "/user_list_output.dtd")


def _visible(ctx, user):
    caller = ctx.user
    if caller["user_role"] in ("manager", "administrator"):
        return True
    if caller["user_role"] == "unit_manager":
        return user["business_unit"] == caller["business_unit"]
    return user["id"] == caller["id"]


def _user_node(ctx, user, show_permissions):
    sub = ctx.sub
    children = [node("USER_LOGIN", user["login"]), node("USER_ID", str(user["id"]))]
    if user.get("external_id"):
        children.append(node("EXTERNAL_ID", CData(user["external_id"])))
    children.append(node("CONTACT_INFO", [node(tag, CData(user.get(key) or "")) for tag, key in CONTACT_FIELDS]))
    if user["user_role"] != "manager" and user["asset_group_ids"]:
        titles = [sub.ag_title(group_id) for group_id in user["asset_group_ids"]]
        children.append(node("ASSIGNED_ASSET_GROUPS", [node("ASSET_GROUP_TITLE", CData(t)) for t in titles if t]))
    children += [
        node("USER_STATUS", user["status"]),
        node("CREATION_DATE", user["creation_date"]),
        node("LAST_LOGIN_DATE", user.get("last_login_date") or "N/A"),
        node("USER_ROLE", USER_ROLES.get(user["user_role"], user["user_role"])),
        node("BUSINESS_UNIT", CData(user.get("business_unit") or "Unassigned")),
        node("UNIT_MANAGER_POC", "0"),
        node("MANAGER_POC", "1" if user["user_role"] == "manager" else "0"),
        node("UI_INTERFACE_STYLE", "standard_blue"),
    ]
    if show_permissions:
        api = sub.api_access(user)
        gui = sub.ui_access(user)
        children.append(node("ACCESS_PERMISSIONS", [node("GUI", "1" if gui else "0"), node("API", "1" if api else "0")]))
    manager = "1" if user["user_role"] == "manager" else "0"
    children.append(node("PERMISSIONS", [
        node("CREATE_OPTION_PROFILES", manager), node("PURGE_INFO", manager), node("ADD_ASSETS", manager),
        node("EDIT_REMEDIATION_POLICY", manager), node("EDIT_AUTH_RECORDS", manager),
    ]))
    children.append(node("NOTIFICATIONS", [
        node("LATEST_VULN", "weekly"), node("MAP", "none"), node("SCAN", "none"), node("DAILY_TICKETS", "0"),
    ]))
    return node("USER", children)


def user_list(ctx):
    params = ctx.params
    unknown = sorted(set(params) - LIST_PARAMS)
    if unknown:
        return _list_error(ctx, UNRECOGNIZED, "Unrecognized parameter(s): %s" % ", ".join(unknown))
    contains = params.get("external_id_contains")
    assigned = params.get("external_id_assigned")
    if contains is not None and assigned is not None:
        return _list_error(ctx, "1904", "Please specify only one of these parameters: "
                           "external_id_contains, external_id_assigned")
    if assigned not in (None, "0", "1"):
        return _list_error(ctx, INVALID, "parameter external_id_assigned has invalid value: %s" % assigned)
    show_permissions = params.get("show_access_permissions") == "1"
    with ctx.sub.lock:
        users = []
        for user in ctx.sub.users.values():
            external = user.get("external_id") or ""
            if contains is not None and contains not in external:
                continue
            if assigned is not None and bool(external) != (assigned == "1"):
                continue
            if _visible(ctx, user):
                users.append(_user_node(ctx, user, show_permissions))
    root = node("USER_LIST_OUTPUT", [node("USER_LIST", users)])
    return xml_response(root, 200, ctx.base_url + "/user_list_output.dtd")


# --- password_change.php ---------------------------------------------------
# Report shape of the recorded public replies (qualys-qsc, qg4): RETURN holds
# MESSAGE and CHANGES/USER_LIST/USER{USER_LOGIN, PASSWORD}; the PASSWORD (CDATA)
# is there only when the caller asked for email=0. The WARNING reply (some
# logins reset, some not) and the failure numbers/texts are our guess.
PASSWORD_SWITCH = "email"  # current docs and every public client; send_email is only in an older table
PASSWORD_PARAMS = {"user_logins", PASSWORD_SWITCH, "send_email"}
PASSWORD_CHANGED = "The operation was successfully completed"


def _password_output(ctx, status_word, message, changed=(), number=None):
    """``changed``: (login, password or None); None when the password went out by e-mail."""
    body = [node("MESSAGE", message)]
    if changed:
        users = []
        for login, password in changed:
            fields = [node("USER_LOGIN", login)]
            if password is not None:
                fields.append(node("PASSWORD", CData(password)))
            users.append(node("USER", fields))
        body.append(node("CHANGES", [node("USER_LIST", users)], {"count": str(len(changed))}))
    children = [v1_api_node("password_change.php", ctx.login),
                node("RETURN", body, {"status": status_word, "number": number})]
    root = node("PASSWORD_CHANGE_OUTPUT", children)
    return xml_response(root, 200, ctx.base_url + "/password_change_output.dtd")


def password_change(ctx):
    params = ctx.params
    unknown = sorted(set(params) - PASSWORD_PARAMS)
    if unknown:
        return _password_output(ctx, "FAILED", "Unrecognized parameter(s): %s" % ", ".join(unknown),
                                number=UNRECOGNIZED)
    wanted = params.get("user_logins", "").strip()
    if not wanted:
        return _password_output(ctx, "FAILED", "Missing required parameter(s): user_logins", number=MISSING)
    # Only email=0 turns the e-mail off; anything else (send_email=0 included) e-mails the new password.
    in_report = params.get(PASSWORD_SWITCH) == "0"
    caller = ctx.user
    if caller["user_role"] not in ("manager", "administrator", "unit_manager"):
        return _password_output(ctx, "FAILED", "You do not have permission to change passwords.",
                                number=NO_PERMISSION)
    sub = ctx.sub
    changed, failed = [], []
    with sub.lock:
        if wanted == "all":
            logins = [user["login"] for user in sub.users.values() if user["id"] != caller["id"]]
        else:
            logins = [login.strip() for login in wanted.split(",") if login.strip()]
        for login in logins:
            user = sub.user_by_login(login)
            if user is None:
                failed.append((login, "no such user"))
            elif user["id"] == caller["id"]:
                failed.append((login, "you cannot reset your own password with this API"))
            elif user["user_role"] == "contact":
                failed.append((login, "passwords of Contact users cannot be changed"))
            elif not _may_manage(caller, user["user_role"], user["business_unit"]):
                failed.append((login, "you do not have permission to change this user's password"))
            else:
                password = sub.generate_password()
                sub.set_password(user, password)
                if in_report:
                    # Documented: with the e-mail off, a pending account becomes active.
                    if user["status"] == "Pending Activation":
                        user["status"] = "Active"
                    changed.append((login, password))
                else:
                    user["passwords_emailed"] = user.get("passwords_emailed", 0) + 1
                    changed.append((login, None))
        if changed:
            sub.save()
    reasons = "; ".join("%s: %s" % pair for pair in failed)
    if changed and not failed:
        return _password_output(ctx, "SUCCESS", PASSWORD_CHANGED, changed)
    if changed:
        return _password_output(ctx, "WARNING", "Password changed for %d user(s); not changed for %s." % (
            len(changed), reasons), changed)
    return _password_output(ctx, "FAILED", "No password could be changed (%s)." % reasons, number=INVALID)


def accept_eula(ctx):
    with ctx.sub.lock:
        user = ctx.user
        user["eula_accepted"] = True
        if user["status"] == "Pending Activation":
            user["status"] = "Active"
        ctx.sub.save()
    return generic_return(ctx.base_url, "acceptEULA.php", ctx.login, "SUCCESS", "TNC accepted within MSP")


def change_own_password(ctx):
    """The caller changes its own password (JSON body, Basic auth only)."""
    request = ctx.request
    if request.method != "POST":
        return simple_return(ctx.base_url, "Request method (GET or POST) is incompatible with specified "
                             "parameter(s): use POST", 1908, status=400)
    if ctx.token_auth:
        return simple_return(ctx.base_url, "Please use basic authentication for this API.", 2010, status=400)
    try:
        body = json.loads(request.body.decode("utf-8")) if request.body else {}
    except (ValueError, UnicodeDecodeError):
        body = None
    if not isinstance(body, dict):
        return simple_return(ctx.base_url, "Request body must be JSON: {\"newPassword\": \"...\"}", 1905, status=400)
    new_password = body.get("newPassword")
    if not new_password or not isinstance(new_password, str):
        return simple_return(ctx.base_url, "Missing required parameter(s): newPassword", 1903, status=400)
    weak = (len(new_password) < 8 or not any(c.isalpha() for c in new_password)
            or not any(c.isdigit() for c in new_password) or new_password == ctx.user["password"])
    if weak:
        return simple_return(ctx.base_url, "parameter newPassword has invalid value: the password does not meet "
                             "the subscription's password policy", 1905, status=400)
    with ctx.sub.lock:
        ctx.sub.set_password(ctx.user, new_password)
        ctx.sub.save()
    return simple_return(ctx.base_url, "Password changed successfully")
