"""``leaddesk users|user|rights|office|group|status|audit``: administration from the shell.

Every command needs ``--as`` an active administrator; anyone else gets one clear line and
exit status 1 (the admin services refuse them; nothing changes).

One module for all administration commands (about twenty handlers of a few lines each,
sharing ``_admin`` and ``_write``), which is why it is longer than most.
"""

from __future__ import annotations

import argparse
import getpass
from collections.abc import Callable

from sqlalchemy.orm import Session

from leaddesk.admin import groups, offices, rights, statuses, users
from leaddesk.admin.audit import audit_entries, require_admin
from leaddesk.cli import bucket_rule_options
from leaddesk.cli.common import actor_of, common_options, opened, print_json, print_table
from leaddesk.errors import InvalidInputError
from leaddesk.reassignment.offboarding import offboard_user
from leaddesk.reassignment.requests import Target
from leaddesk.reassignment.retry import write_with_retry
from leaddesk.server.identity import connected_login
from leaddesk.store.lookup import find_group, find_office, find_status, find_user
from leaddesk.store.models import User


def register(subparsers: argparse._SubParsersAction) -> None:
    acting = common_options(actor=True, json_output=True)
    listing = common_options(actor=True, json_output=True, table=True)

    def leaf(
        parent: argparse._SubParsersAction,
        name: str,
        handler: Callable,
        help_text: str,
        *,
        table: bool = False,
    ):
        parser = parent.add_parser(name, parents=[listing if table else acting], help=help_text)
        parser.set_defaults(handler=handler)
        return parser

    leaf(subparsers, "users", run_users, "list users (admins only)", table=True)

    user = subparsers.add_parser("user", help="add, change or deactivate a user (admins only)")
    user_sub = user.add_subparsers(dest="user_command", metavar="ACTION", required=True)
    add = leaf(
        user_sub,
        "add",
        run_user_add,
        "add a user (on an empty database, without --as: the first administrator)",
    )
    add.add_argument("--name", required=True)
    add.add_argument("--email", required=True)
    add.add_argument("--admin", action="store_true", help="make them an administrator")
    _login_options(add)
    change = leaf(user_sub, "set", run_user_set, "rename, change email, admin or active flag")
    change.add_argument("user", metavar="NAME")
    change.add_argument("--name", dest="new_name")
    change.add_argument("--email")
    change.add_argument("--admin", action=argparse.BooleanOptionalAction, default=None)
    active = change.add_mutually_exclusive_group()
    active.add_argument("--active", dest="active", action="store_const", const=True)
    active.add_argument("--inactive", dest="active", action="store_const", const=False)
    _login_options(change, unlink=True)
    bucket_rule_options.add_away_options(change)
    leave = leaf(
        user_sub,
        "deactivate",
        run_user_deactivate,
        "deactivate a user, passing all their leads on first (offboarding)",
    )
    leave.add_argument("user", metavar="NAME")
    target = leave.add_mutually_exclusive_group()
    target.add_argument("--to-user", metavar="NAME")
    target.add_argument("--to-office", metavar="NAME")
    target.add_argument("--to-group", metavar="NAME")
    leave.add_argument("--note", default="", metavar="TEXT")
    back = leaf(user_sub, "activate", run_user_activate, "activate a user again")
    back.add_argument("user", metavar="NAME")

    rights_parser = subparsers.add_parser("rights", help="manager rights (admins only)")
    rights_sub = rights_parser.add_subparsers(
        dest="rights_command", metavar="ACTION", required=True
    )
    rights_list = leaf(rights_sub, "list", run_rights_list, "who manages whom", table=True)
    rights_list.add_argument("--manager", metavar="NAME")
    for action, handler in (("grant", run_rights_grant), ("revoke", run_rights_revoke)):
        parser = leaf(rights_sub, action, handler, f"{action} a manager right")
        parser.add_argument("--manager", required=True, metavar="NAME")
        whom = parser.add_mutually_exclusive_group(required=True)
        whom.add_argument("--user", metavar="NAME")
        whom.add_argument("--office", metavar="NAME", help="every member of this office")

    office = subparsers.add_parser("office", help="offices and their members (admins only)")
    office_sub = office.add_subparsers(dest="office_command", metavar="ACTION", required=True)
    leaf(office_sub, "list", run_office_list, "offices with members")
    leaf(office_sub, "add", run_office_add, "add an office").add_argument("name")
    renaming = leaf(office_sub, "rename", run_office_rename, "rename an office")
    renaming.add_argument("office", metavar="OFFICE")
    renaming.add_argument("name", metavar="NEW_NAME")
    joining = leaf(office_sub, "add-member", run_office_add_member, "add a member")
    joining.add_argument("office", metavar="OFFICE")
    joining.add_argument("user", metavar="USER")
    joining.add_argument("--manager", action="store_true", help="flag them office manager")
    parting = leaf(office_sub, "remove-member", run_office_remove_member, "remove a member")
    parting.add_argument("office", metavar="OFFICE")
    parting.add_argument("user", metavar="USER")
    flagging = leaf(office_sub, "set-manager", run_office_set_manager, "office-manager flag")
    flagging.add_argument("office", metavar="OFFICE")
    flagging.add_argument("user", metavar="USER")
    flagging.add_argument("--off", action="store_true", help="remove the flag instead")
    bucket_rule_options.add_set_parser(office_sub, "office", acting)

    group = subparsers.add_parser("group", help="pass groups and their members (admins only)")
    group_sub = group.add_subparsers(dest="group_command", metavar="ACTION", required=True)
    leaf(group_sub, "list", run_group_list, "pass groups with members")
    leaf(group_sub, "add", run_group_add, "add a pass group").add_argument("name")
    renaming = leaf(group_sub, "rename", run_group_rename, "rename a pass group")
    renaming.add_argument("group", metavar="GROUP")
    renaming.add_argument("name", metavar="NEW_NAME")
    for action, handler in (
        ("add-member", run_group_add_member),
        ("remove-member", run_group_remove_member),
    ):
        parser = leaf(group_sub, action, handler, action.replace("-", " "))
        parser.add_argument("group", metavar="GROUP")
        parser.add_argument("user", metavar="USER")
    bucket_rule_options.add_set_parser(group_sub, "group", acting)

    status = subparsers.add_parser("status", help="the status list (admins only)")
    status_sub = status.add_subparsers(dest="status_command", metavar="ACTION", required=True)
    leaf(status_sub, "list", run_status_list, "statuses in order", table=True)
    adding = leaf(status_sub, "add", run_status_add, "add a status")
    adding.add_argument("name")
    adding.add_argument("--closed", action="store_true", help="a closed status (won, lost)")
    adding.add_argument("--position", type=int, metavar="N", help="1 = first (default: last)")
    renaming = leaf(status_sub, "rename", run_status_rename, "rename a status")
    renaming.add_argument("status", metavar="STATUS")
    renaming.add_argument("name", metavar="NEW_NAME")
    moving = leaf(status_sub, "move", run_status_move, "move a status to a position")
    moving.add_argument("status", metavar="STATUS")
    moving.add_argument("position", type=int, metavar="POSITION", help="1 = first")
    closing = leaf(status_sub, "close", run_status_close, "mark a status closed")
    closing.add_argument("status", metavar="STATUS")
    closing.add_argument("--reopen", action="store_true", help="mark it open again")

    audit = leaf(subparsers, "audit", run_audit, "the administration audit log (admins only)")
    audit.add_argument("--limit", type=int, default=100, metavar="N")


def _login_options(parser: argparse.ArgumentParser, *, unlink: bool = False) -> None:
    extra = " ('' unlinks)" if unlink else ""
    parser.add_argument(
        "--db-login",
        metavar="LOGIN",
        help=f"link the PostgreSQL login this person connects with{extra}",
    )
    parser.add_argument(
        "--create-login",
        action="store_true",
        help="create that login too (its password is asked for, never taken from arguments)",
    )


def _login_password(args: argparse.Namespace) -> str | None:
    """The new login's password, typed twice at a prompt (never on the command line)."""
    if not args.create_login:
        return None
    if not args.db_login:
        raise InvalidInputError("--create-login needs --db-login LOGIN.")
    first = getpass.getpass(f"Password for the new login {args.db_login}: ")
    if not first:
        raise InvalidInputError("No password was entered; nothing was changed.")
    if getpass.getpass("The same password again: ") != first:
        raise InvalidInputError("The two passwords differ; nothing was changed.")
    return first


def _admin(session: Session, args: argparse.Namespace) -> User:
    """Sign in and refuse non-admins before touching anything else."""
    actor = actor_of(session, args)
    require_admin(session, actor.id)
    return actor


def _write(args: argparse.Namespace, work: Callable[[Session, User], str]) -> int:
    with opened(args) as database:
        message = write_with_retry(database, lambda session: work(session, _admin(session, args)))
    if args.json:
        print_json({"ok": True, "message": message})
    else:
        print(message)
    return 0


# -- users ------------------------------------------------------------------------------


def run_users(args: argparse.Namespace) -> int:
    with opened(args) as database, database.read() as session:
        rows = users.list_users(session, _admin(session, args).id)
    if args.json:
        print_json([row.as_json() for row in rows])
        return 0
    print_table(
        ["ID", "NAME", "EMAIL", "ADMIN", "ACTIVE", "LEADS", "OFFICES"],
        [
            [
                r.id,
                r.name,
                r.email,
                "yes" if r.is_admin else "",
                "yes" if r.active else "no",
                r.lead_count,
                ", ".join(r.offices),
            ]
            for r in rows
        ],
        wide=args.wide,
    )
    return 0


def run_user_add(args: argparse.Namespace) -> int:
    if not getattr(args, "actor", None) and not _acts_by_login(args):
        return _first_admin(args)
    password = _login_password(args)

    def work(session: Session, actor: User) -> str:
        user = users.add_user(
            session,
            actor.id,
            name=args.name,
            email=args.email,
            is_admin=args.admin,
            db_login=args.db_login,
            login_password=password,
        )
        role = " (administrator)" if user.is_admin else ""
        login = f", login {user.db_login}" if user.db_login else ""
        return f"Added user {user.name} <{user.email}>{role}, id {user.id}{login}."

    return _write(args, work)


def _acts_by_login(args: argparse.Namespace) -> bool:
    """On a server a linked login acts without --as; otherwise no --as means the first
    administrator of an empty database."""
    with opened(args) as database, database.read() as session:
        login = connected_login(session)
        return login is not None and login.user is not None


def _first_admin(args: argparse.Namespace) -> int:
    """``leaddesk user add`` without ``--as`` on an empty database: the first administrator."""
    with opened(args) as database, database.write() as session:
        user = users.create_first_admin(session, name=args.name, email=args.email)
        message = (
            f"Set up this database: {user.name} <{user.email}> is its first administrator "
            f'(id {user.id}). From now on, act with --as "{user.name}".'
        )
    if args.json:
        print_json({"ok": True, "message": message})
    else:
        print(message)
    return 0


def run_user_set(args: argparse.Namespace) -> int:
    def work(session: Session, actor: User) -> str:
        user = find_user(session, args.user)
        if (
            args.new_name is None
            and args.email is None
            and args.admin is None
            and (args.active is None)
            and args.db_login is None
            and not bucket_rule_options.wants_away_change(args)
        ):
            raise InvalidInputError(
                "Say what to change: --name, --email, --admin/--no-admin, --active/--inactive, "
                "--db-login, --away-from/--away-until/--not-away."
            )
        away = ""
        if bucket_rule_options.wants_away_change(args):
            away = "; " + bucket_rule_options.apply_away(session, actor.id, user.id, args)
        users.update_user(
            session,
            actor.id,
            user.id,
            name=args.new_name,
            email=args.email,
            is_admin=args.admin,
            active=args.active,
            db_login=args.db_login,
            login_password=password,
        )
        state = "active" if user.active else "inactive"
        admin = ", administrator" if user.is_admin else ""
        login = f", login {user.db_login}" if user.db_login else ""
        return f"User {user.name} <{user.email}>: {state}{admin}{login}{away}."

    password = _login_password(args)
    return _write(args, work)


def run_user_deactivate(args: argparse.Namespace) -> int:
    def work(session: Session, actor: User) -> str:
        user = find_user(session, args.user)
        target: Target | None = None
        if args.to_user:
            target = Target.user(find_user(session, args.to_user).id)
        elif args.to_office:
            target = Target.office(find_office(session, args.to_office).id)
        elif args.to_group:
            target = Target.group(find_group(session, args.to_group).id)
        if target is None and users.owned_lead_count(session, user.id):
            raise InvalidInputError(
                f"{user.name} still owns {users.owned_lead_count(session, user.id):,} lead(s); "
                "choose where they go with --to-user, --to-office or --to-group (and --note)."
            )
        result = offboard_user(
            session, actor_id=actor.id, user_id=user.id, target=target, note=args.note
        )
        if result.pass_result is None:
            return f"Deactivated {user.name} (they owned no leads)."
        passed = result.pass_result
        return (
            f"Deactivated {user.name}; passed {passed.moved:,} lead(s) to {passed.target_name} "
            f"(batch {passed.batch_id}, {passed.notifications} notification(s) queued)."
        )

    return _write(args, work)


def run_user_activate(args: argparse.Namespace) -> int:
    def work(session: Session, actor: User) -> str:
        user = users.activate_user(session, actor.id, find_user(session, args.user).id)
        return f"Activated {user.name}."

    return _write(args, work)


# -- manager rights ---------------------------------------------------------------------


def run_rights_list(args: argparse.Namespace) -> int:
    with opened(args) as database, database.read() as session:
        actor = _admin(session, args)
        manager = find_user(session, args.manager).id if args.manager else None
        rows = rights.list_rights(session, actor.id, manager_id=manager)
    if args.json:
        print_json([row.as_json() for row in rows])
    elif not rows:
        print("No manager rights match.")
    else:
        print_table(["MANAGER", "MAY MANAGE"], [[r.manager, r.user] for r in rows], wide=args.wide)
    return 0


def run_rights_grant(args: argparse.Namespace) -> int:
    def work(session: Session, actor: User) -> str:
        manager = find_user(session, args.manager)
        if args.office:
            office = find_office(session, args.office)
            added = rights.grant_office(
                session, actor.id, manager_id=manager.id, office_id=office.id
            )
            return f"{manager.name} may now manage all of {office.name} ({added} new right(s))."
        user = find_user(session, args.user)
        rights.grant_right(session, actor.id, manager_id=manager.id, user_id=user.id)
        return f"{manager.name} may now manage {user.name}."

    return _write(args, work)


def run_rights_revoke(args: argparse.Namespace) -> int:
    def work(session: Session, actor: User) -> str:
        manager = find_user(session, args.manager)
        if args.office:
            office = find_office(session, args.office)
            removed = rights.revoke_office(
                session, actor.id, manager_id=manager.id, office_id=office.id
            )
            return (
                f"{manager.name} may no longer manage the members of {office.name} "
                f"({removed} right(s) removed)."
            )
        user = find_user(session, args.user)
        rights.revoke_right(session, actor.id, manager_id=manager.id, user_id=user.id)
        return f"{manager.name} may no longer manage {user.name}."

    return _write(args, work)


# -- offices and pass groups -------------------------------------------------------------


def _print_places(args: argparse.Namespace, rows: list, with_flag: bool) -> None:
    if args.json:
        print_json([row.as_json() for row in rows])
        return
    if not rows:
        print("None yet.")
    for row in rows:
        members = ", ".join(
            m.name
            + (" (office manager)" if with_flag and m.is_office_manager else "")
            + ("" if m.active else " (inactive)")
            for m in row.members
        )
        print(f"{row.name}: {len(row.members)} member(s), {row.waiting_leads} lead(s) waiting")
        if members:
            print(f"  {members}")


def run_office_list(args: argparse.Namespace) -> int:
    with opened(args) as database, database.read() as session:
        rows = offices.list_offices(session, _admin(session, args).id)
    _print_places(args, rows, with_flag=True)
    return 0


def run_office_add(args: argparse.Namespace) -> int:
    return _write(
        args, lambda s, a: f"Added office {offices.add_office(s, a.id, name=args.name).name}."
    )


def run_office_rename(args: argparse.Namespace) -> int:
    def work(session: Session, actor: User) -> str:
        office = find_office(session, args.office)
        old = office.name
        offices.rename_office(session, actor.id, office.id, name=args.name)
        return f"Renamed office {old} to {office.name}."

    return _write(args, work)


def run_office_add_member(args: argparse.Namespace) -> int:
    def work(session: Session, actor: User) -> str:
        office, user = find_office(session, args.office), find_user(session, args.user)
        offices.add_office_member(
            session, actor.id, office.id, user.id, office_manager=args.manager
        )
        role = " as office manager" if args.manager else ""
        return f"Added {user.name} to {office.name}{role}."

    return _write(args, work)


def run_office_remove_member(args: argparse.Namespace) -> int:
    def work(session: Session, actor: User) -> str:
        office, user = find_office(session, args.office), find_user(session, args.user)
        offices.remove_office_member(session, actor.id, office.id, user.id)
        return f"Removed {user.name} from {office.name}."

    return _write(args, work)


def run_office_set_manager(args: argparse.Namespace) -> int:
    def work(session: Session, actor: User) -> str:
        office, user = find_office(session, args.office), find_user(session, args.user)
        offices.set_office_manager(
            session, actor.id, office.id, user.id, office_manager=not args.off
        )
        state = "no longer" if args.off else "now"
        return f"{user.name} is {state} an office manager of {office.name}."

    return _write(args, work)


def run_group_list(args: argparse.Namespace) -> int:
    with opened(args) as database, database.read() as session:
        rows = groups.list_groups(session, _admin(session, args).id)
    _print_places(args, rows, with_flag=False)
    return 0


def run_group_add(args: argparse.Namespace) -> int:
    return _write(
        args, lambda s, a: f"Added pass group {groups.add_group(s, a.id, name=args.name).name}."
    )


def run_group_rename(args: argparse.Namespace) -> int:
    def work(session: Session, actor: User) -> str:
        group = find_group(session, args.group)
        old = group.name
        groups.rename_group(session, actor.id, group.id, name=args.name)
        return f"Renamed pass group {old} to {group.name}."

    return _write(args, work)


def run_group_add_member(args: argparse.Namespace) -> int:
    def work(session: Session, actor: User) -> str:
        group, user = find_group(session, args.group), find_user(session, args.user)
        groups.add_group_member(session, actor.id, group.id, user.id)
        return f"Added {user.name} to pass group {group.name}."

    return _write(args, work)


def run_group_remove_member(args: argparse.Namespace) -> int:
    def work(session: Session, actor: User) -> str:
        group, user = find_group(session, args.group), find_user(session, args.user)
        groups.remove_group_member(session, actor.id, group.id, user.id)
        return f"Removed {user.name} from pass group {group.name}."

    return _write(args, work)


# -- statuses ---------------------------------------------------------------------------


def run_status_list(args: argparse.Namespace) -> int:
    with opened(args) as database, database.read() as session:
        rows = statuses.list_statuses(session, _admin(session, args).id)
    if args.json:
        print_json([row.as_json() for row in rows])
        return 0
    print_table(
        ["POSITION", "STATUS", "CLOSED", "LEADS"],
        [[r.position, r.name, "yes" if r.is_closed else "", r.lead_count] for r in rows],
        wide=args.wide,
    )
    return 0


def run_status_add(args: argparse.Namespace) -> int:
    def work(session: Session, actor: User) -> str:
        status = statuses.add_status(
            session, actor.id, name=args.name, closed=args.closed, position=args.position
        )
        return f"Added status {status.name} at position {status.position + 1}."

    return _write(args, work)


def run_status_rename(args: argparse.Namespace) -> int:
    def work(session: Session, actor: User) -> str:
        status = find_status(session, args.status)
        old = status.name
        statuses.rename_status(session, actor.id, status.id, name=args.name)
        return f"Renamed status {old} to {status.name}."

    return _write(args, work)


def run_status_move(args: argparse.Namespace) -> int:
    def work(session: Session, actor: User) -> str:
        status = find_status(session, args.status)
        statuses.move_status(session, actor.id, status.id, position=args.position)
        return f"Moved status {status.name} to position {args.position}."

    return _write(args, work)


def run_status_close(args: argparse.Namespace) -> int:
    def work(session: Session, actor: User) -> str:
        status = find_status(session, args.status)
        statuses.set_status_closed(session, actor.id, status.id, closed=not args.reopen)
        return f"Status {status.name} is now {'open' if args.reopen else 'closed'}."

    return _write(args, work)


# -- audit ------------------------------------------------------------------------------


def run_audit(args: argparse.Namespace) -> int:
    with opened(args) as database, database.read() as session:
        rows = audit_entries(session, _admin(session, args).id, limit=args.limit)
    if args.json:
        print_json([row.as_json() for row in rows])
        return 0
    if not rows:
        print("The audit log is empty.")
        return 0
    # Not a table: the detail is the point of the log and must not be cut off.
    for r in rows:
        print(f"{r.when.strftime('%Y-%m-%d %H:%M')}  {r.actor_label}  [{r.action}]  {r.detail}")
    return 0
