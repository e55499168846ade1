"""The SQL that makes a PostgreSQL database safe to share: roles, grants, helpers, policies.

Everything here is idempotent (``CREATE OR REPLACE``, ``DROP POLICY IF EXISTS`` before
``CREATE POLICY``, roles created only when missing), so ``leaddesk server setup`` can run
again after an upgrade.

The shape, and why:

- ``leaddesk_user`` (every linked login) reads the organisation (users, rights, offices,
  groups, statuses) and, row by row, only the leads it may see; it may move leads it may
  pass, append batches, history, notes and outbox rows in its own name, and update outbox
  rows of its own batches (sending). ``leaddesk_admin`` (logins of LeadDesk administrators)
  may also change the organisation, import leads (and update the details of leads an import
  finds again) and append to the audit log. Nobody but
  the owner may update or delete history, batches or the audit log, or delete leads.
- Every policy is written for its cost: the acting user is looked up once per statement
  (``(SELECT leaddesk_actor_id())`` becomes an InitPlan), the sets a row is compared with come
  from ``SECURITY DEFINER`` functions evaluated once as hashed subplans (they read tables the
  caller's own policies would otherwise be applied to, recursively), and every column a
  policy filters on is indexed (see models.py). A batch's rows are checked by one look-up
  of that batch (``leaddesk_batch_actor``), not against the set of all the person's
  batches, which grows with every pass. The helpers are PL/pgSQL so that their plans are
  kept for the session.
- ``FORCE ROW LEVEL SECURITY`` puts the owner under policies too; an owner policy on every
  table lets the database owner (or a superuser) through, which is how set-up and scripts
  act for anyone.
"""

from __future__ import annotations

USER_ROLE = "leaddesk_user"
ADMIN_ROLE = "leaddesk_admin"
NOTIFY_CHANNEL = "leaddesk_changes"

# Tables everyone reads and only administrators change.
ORGANISATION_TABLES = (
    "users",
    "manager_rights",
    "offices",
    "office_members",
    "pass_groups",
    "pass_group_members",
    "statuses",
    "bucket_rules",
)
# One key column per organisation table: what the lock grant above names.
LOCK_COLUMNS = {
    "users": "id",
    "manager_rights": "manager_id",
    "offices": "id",
    "office_members": "office_id",
    "pass_groups": "id",
    "pass_group_members": "group_id",
    "statuses": "id",
    "bucket_rules": "id",
}
ACTIVITY_TABLES = ("leads", "lead_notes", "pass_batches", "pass_history", "outbox", "audit_log")
ALL_TABLES = ORGANISATION_TABLES + ACTIVITY_TABLES

ACTOR = "(SELECT leaddesk_actor_id())"
IS_ADMIN = "(SELECT leaddesk_actor_is_admin())"
OWN_BATCHES = f"(SELECT leaddesk_own_batches({ACTOR}))"
# Row by row, one key look-up: for the rows a pass writes and reads back (its own batch's),
# and last in an OR so that a scan reaches it only for rows the cheaper arms refused. The
# set OWN_BATCHES grows with every pass the person makes; it is left only in the leads
# policy, whose earlier arms let a pass's leads through before it is built.
OWN_BATCH = f"leaddesk_batch_actor(batch_id) = {ACTOR}"
LEAD_IS_VISIBLE = "EXISTS (SELECT 1 FROM leads AS visible WHERE visible.id = lead_id)"

ROLES = f"""
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{USER_ROLE}') THEN
        CREATE ROLE {USER_ROLE} NOLOGIN;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{ADMIN_ROLE}') THEN
        CREATE ROLE {ADMIN_ROLE} NOLOGIN IN ROLE {USER_ROLE};
    END IF;
END $$
"""

# (name, arguments, returns, language, security, body); the search path is fixed on all.
# Each body is one query; those the policies call are wrapped as PL/pgSQL (see below).
_FUNCTIONS: tuple[tuple[str, str, str, str, str, str], ...] = (
    (
        # Invoker: current_user is the caller's login here (inside a SECURITY DEFINER
        # function it would be the owner). users is readable by every LeadDesk login.
        "leaddesk_actor_id",
        "",
        "integer",
        "plpgsql STABLE",
        "INVOKER",
        "SELECT id FROM users WHERE db_login = current_user AND active",
    ),
    (
        "leaddesk_actor_is_admin",
        "",
        "boolean",
        "plpgsql STABLE",
        "INVOKER",
        "SELECT coalesce(bool_or(is_admin), false) FROM users"
        " WHERE db_login = current_user AND active",
    ),
    (
        # The database owner (or a superuser) is not limited by the LeadDesk policies.
        "leaddesk_unrestricted",
        "",
        "boolean",
        "plpgsql STABLE",
        "INVOKER",
        "SELECT r.rolsuper OR r.rolbypassrls OR pg_has_role(current_user, d.datdba, 'MEMBER')"
        " FROM pg_roles AS r, pg_database AS d"
        " WHERE r.rolname = current_user AND d.datname = current_database()",
    ),
    (
        # Whose leads p_actor sees and may pass (every user's for an administrator).
        "leaddesk_managed_ids",
        "p_actor integer",
        "SETOF integer",
        "plpgsql STABLE ROWS 100",
        "DEFINER",
        "SELECT u.id FROM users AS u WHERE EXISTS"
        " (SELECT 1 FROM users AS a WHERE a.id = p_actor AND a.is_admin AND a.active)"
        " UNION SELECT r.user_id FROM manager_rights AS r WHERE r.manager_id = p_actor",
    ),
    (
        # Who p_actor may pass leads to: active users they manage.
        "leaddesk_pass_target_ids",
        "p_actor integer",
        "SETOF integer",
        "plpgsql STABLE ROWS 100",
        "DEFINER",
        "SELECT u.id FROM users AS u WHERE u.active"
        " AND u.id IN (SELECT leaddesk_managed_ids(p_actor))",
    ),
    (
        "leaddesk_visible_office_ids",
        "p_actor integer",
        "SETOF integer",
        "plpgsql STABLE ROWS 10",
        "DEFINER",
        "SELECT o.id FROM offices AS o WHERE EXISTS"
        " (SELECT 1 FROM users AS a WHERE a.id = p_actor AND a.is_admin AND a.active)"
        " UNION SELECT m.office_id FROM office_members AS m"
        " WHERE m.user_id = p_actor AND m.is_office_manager",
    ),
    (
        "leaddesk_visible_group_ids",
        "p_actor integer",
        "SETOF integer",
        "plpgsql STABLE ROWS 10",
        "DEFINER",
        "SELECT g.id FROM pass_groups AS g WHERE EXISTS"
        " (SELECT 1 FROM users AS a WHERE a.id = p_actor AND a.is_admin AND a.active)"
        " UNION SELECT m.group_id FROM pass_group_members AS m WHERE m.user_id = p_actor",
    ),
    (
        # DEFINER also breaks the cycle leads -> pass_batches -> pass_history -> leads.
        "leaddesk_own_batches",
        "p_actor integer",
        "SETOF integer",
        "plpgsql STABLE ROWS 100",
        "DEFINER",
        "SELECT id FROM pass_batches WHERE actor_id = p_actor",
    ),
    (
        # Whose batch p_batch is, for checks on the few rows a statement writes: one key
        # look-up per row instead of building every batch the person ever made (which
        # grew with each pass). DEFINER for the same cycle as leaddesk_own_batches.
        "leaddesk_batch_actor",
        "p_batch integer",
        "integer",
        "plpgsql STABLE",
        "DEFINER",
        "SELECT actor_id FROM pass_batches WHERE id = p_batch",
    ),
    (
        # The leads written or deleted since a replica's last pull (ids only), whether or
        # not the caller still sees them: a replica drops those that left its person's view.
        "leaddesk_changed_lead_ids",
        "p_xmin bigint, p_snapshot text",
        "SETOF integer",
        "sql STABLE ROWS 1000",
        "DEFINER",
        "SELECT id FROM leads WHERE change_seq >= p_xmin"
        " AND NOT pg_visible_in_snapshot(change_seq::text::xid8, p_snapshot::pg_snapshot)"
        " UNION ALL SELECT lead_id FROM lead_tombstones WHERE change_seq >= p_xmin"
        " AND NOT pg_visible_in_snapshot(change_seq::text::xid8, p_snapshot::pg_snapshot)",
    ),
    (
        # A lead waiting in a bucket p_actor sees may go to any active member of that
        # office or pass group. Evaluated per row, but only for an owner the cheap checks
        # refused. STABLE: it reads the statement's snapshot, i.e. the lead's old place.
        # A bucket with automatic assignment gives its arrivals to its members whoever
        # passed them there (the passer need not see the bucket; the leads policy's USING
        # still asks that the lead be theirs to pass, e.g. their own batch moved it last).
        "leaddesk_may_assign_from_bucket",
        "p_actor integer, p_lead integer, p_owner integer",
        "boolean",
        "plpgsql STABLE",
        "DEFINER",
        "SELECT EXISTS (SELECT 1 FROM leads AS l"
        " JOIN users AS u ON u.id = p_owner AND u.active WHERE l.id = p_lead AND ("
        "((l.bucket_office_id IN (SELECT leaddesk_visible_office_ids(p_actor))"
        " OR l.bucket_office_id IN (SELECT office_id FROM bucket_rules WHERE auto)) AND EXISTS"
        " (SELECT 1 FROM office_members AS m"
        " WHERE m.office_id = l.bucket_office_id AND m.user_id = p_owner))"
        " OR ((l.bucket_group_id IN (SELECT leaddesk_visible_group_ids(p_actor))"
        " OR l.bucket_group_id IN (SELECT group_id FROM bucket_rules WHERE auto)) AND EXISTS"
        " (SELECT 1 FROM pass_group_members AS m"
        " WHERE m.group_id = l.bucket_group_id AND m.user_id = p_owner))))",
    ),
)

# Login management: only the owner and leaddesk_admin may execute these (EXECUTE is the
# gate: inside a SECURITY DEFINER function the caller cannot be asked who they are).
# Logins with powers beyond LeadDesk's (superuser, CREATEROLE, BYPASSRLS, the owner) are
# never touched, so an administrator cannot lock out or take over the database owner.
LOGIN_FUNCTIONS = f"""
CREATE OR REPLACE FUNCTION leaddesk_check_login(p_login text) RETURNS void
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, {{schema}}, pg_temp AS $$
DECLARE
    r record;
BEGIN
    SELECT rolsuper OR rolcreaterole OR rolbypassrls AS powerful INTO r
        FROM pg_roles WHERE rolname = p_login;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'There is no PostgreSQL login %.', p_login;
    END IF;
    IF r.powerful OR pg_has_role(p_login,
            (SELECT datdba FROM pg_database WHERE datname = current_database()), 'MEMBER') THEN
        RAISE EXCEPTION 'The login % owns the database or has server-wide powers; '
            'LeadDesk does not manage it.', p_login;
    END IF;
END $$;

CREATE OR REPLACE FUNCTION leaddesk_create_login(p_login text, p_password text) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, {{schema}}, pg_temp AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = p_login) THEN
        RAISE EXCEPTION 'The PostgreSQL login % already exists.', p_login;
    END IF;
    EXECUTE format('CREATE ROLE %I LOGIN PASSWORD %L IN ROLE {USER_ROLE}', p_login, p_password);
END $$;

CREATE OR REPLACE FUNCTION leaddesk_sync_login(p_login text) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, {{schema}}, pg_temp AS $$
DECLARE
    person record;
BEGIN
    PERFORM leaddesk_check_login(p_login);
    SELECT active, is_admin INTO person FROM users WHERE db_login = p_login;
    IF NOT FOUND THEN
        EXECUTE format('REVOKE {ADMIN_ROLE} FROM %I', p_login);
        EXECUTE format('REVOKE {USER_ROLE} FROM %I', p_login);
        RETURN;
    END IF;
    EXECUTE format('GRANT {USER_ROLE} TO %I', p_login);
    IF person.active AND person.is_admin THEN
        EXECUTE format('GRANT {ADMIN_ROLE} TO %I', p_login);
    ELSE
        EXECUTE format('REVOKE {ADMIN_ROLE} FROM %I', p_login);
    END IF;
    EXECUTE format('ALTER ROLE %I %s', p_login,
        CASE WHEN person.active THEN 'LOGIN' ELSE 'NOLOGIN' END);
END $$
"""


def function_statements(schema: str) -> list[str]:
    statements = []
    for name, arguments, returns, language, security, body in _FUNCTIONS:
        if language.startswith("plpgsql"):
            body = _plpgsql_body(returns, body)
        statements.append(
            f"CREATE OR REPLACE FUNCTION {name}({arguments}) RETURNS {returns}\n"
            f"LANGUAGE {language} SECURITY {security}\n"
            f"SET search_path = pg_catalog, {schema}, pg_temp\n"
            f"AS $$ {body} $$"
        )
        signature = f"{name}({_argument_types(arguments)})"
        statements.append(f"REVOKE ALL ON FUNCTION {signature} FROM PUBLIC")
        statements.append(f"GRANT EXECUTE ON FUNCTION {signature} TO {USER_ROLE}")
    statements.extend(part.strip() for part in LOGIN_FUNCTIONS.format(schema=schema).split(";\n\n"))
    for signature in (
        "leaddesk_check_login(text)",
        "leaddesk_create_login(text, text)",
        "leaddesk_sync_login(text)",
    ):
        statements.append(f"REVOKE ALL ON FUNCTION {signature} FROM PUBLIC")
        statements.append(f"GRANT EXECUTE ON FUNCTION {signature} TO {ADMIN_ROLE}")
    statements.append(f"GRANT EXECUTE ON FUNCTION leaddesk_close_batch(integer) TO {USER_ROLE}")
    statements.append(
        f"GRANT EXECUTE ON FUNCTION leaddesk_bucket_load(integer, integer) TO {USER_ROLE}"
    )
    return statements


def _plpgsql_body(returns: str, query: str) -> str:
    """A policy helper's query as PL/pgSQL: its plan is kept for the session, where a SQL
    function (not inlinable: it has a SET clause) is parsed and planned on every call, and
    the policies call them dozens of times per pass (~35 µs each as SQL, ~24 as PL/pgSQL)."""
    if returns.startswith("SETOF"):
        return f"BEGIN RETURN QUERY {query}; END"
    return f"BEGIN RETURN ({query}); END"


def _argument_types(arguments: str) -> str:
    return ", ".join(part.split()[-1] for part in arguments.split(",") if part.strip())


def grant_statements(schema: str, database: str) -> list[str]:
    organisation = ", ".join(ORGANISATION_TABLES)
    return [
        f"GRANT CONNECT ON DATABASE {database} TO {USER_ROLE}",
        f"GRANT USAGE ON SCHEMA {schema} TO {USER_ROLE}",
        f"REVOKE ALL ON ALL TABLES IN SCHEMA {schema} FROM PUBLIC",
        f"GRANT SELECT ON ALL TABLES IN SCHEMA {schema} TO {USER_ROLE}",
        # Deleted leads' ids reach a replica through leaddesk_changed_lead_ids only.
        f"REVOKE ALL ON lead_tombstones FROM {USER_ROLE}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {schema} TO {USER_ROLE}",
        # Passing moves a lead: its place, version and last batch; nothing else.
        f"GRANT UPDATE (owner_id, bucket_office_id, bucket_group_id, version, last_batch_id,"
        f" updated_at) ON leads TO {USER_ROLE}",
        f"GRANT INSERT ON pass_batches, pass_history, lead_notes, outbox TO {USER_ROLE}",
        # Sending settles outbox rows; what was queued (recipient, batch) stays as it was.
        f"GRANT UPDATE (status, attempts, next_attempt_at, claimed_by, claimed_at, last_error,"
        f" sent_at) ON outbox TO {USER_ROLE}",
        f"GRANT INSERT, UPDATE, DELETE ON {organisation} TO {ADMIN_ROLE}",
        # Assigning by a bucket's rule moves its round-robin cursor (leaddesk_cursor below).
        f"GRANT UPDATE (last_assigned_user_id) ON bucket_rules TO {USER_ROLE}",
        # A pass holds FOR SHARE locks on the rows it checked (actor, target, rights,
        # memberships), and PostgreSQL asks UPDATE privilege on a column for that; the
        # leaddesk_lock policies below let no such UPDATE through.
        *(
            f"GRANT UPDATE ({column}) ON {table} TO {USER_ROLE}"
            for table, column in LOCK_COLUMNS.items()
        ),
        f"GRANT INSERT ON leads, audit_log TO {ADMIN_ROLE}",
        # An import may update the details of leads it finds again (--on-duplicate update).
        f"GRANT UPDATE (name, company, email, phone, status_id) ON leads TO {ADMIN_ROLE}",
    ]


def _policy(
    table: str, name: str, command: str, role: str, using: str | None, check: str | None
) -> list[str]:
    parts = [f"CREATE POLICY {name} ON {table} AS PERMISSIVE FOR {command} TO {role}"]
    if using is not None:
        parts.append(f"USING ({using})")
    if check is not None:
        parts.append(f"WITH CHECK ({check})")
    return [f"DROP POLICY IF EXISTS {name} ON {table}", "\n    ".join(parts)]


def policy_statements() -> list[str]:
    actor = ACTOR
    managed = f"(SELECT leaddesk_managed_ids({actor}))"
    offices = f"(SELECT leaddesk_visible_office_ids({actor}))"
    groups = f"(SELECT leaddesk_visible_group_ids({actor}))"
    targets = f"(SELECT leaddesk_pass_target_ids({actor}))"
    # A lead the actor may pass: a managed owner's, in a bucket they see, or one their own
    # batch moved last (a pass into a bucket they do not see can still be undone).
    passable = (
        f"owner_id IN {managed} OR bucket_office_id IN {offices}"
        f" OR bucket_group_id IN {groups} OR last_batch_id IN {OWN_BATCHES}"
    )
    allowed_place = (
        f"bucket_office_id IS NOT NULL OR bucket_group_id IS NOT NULL OR owner_id IN {targets}"
        f" OR leaddesk_may_assign_from_bucket({actor}, id, owner_id)"
    )
    same_login = "db_login = current_user::text"
    # A reminder (no batch) belongs to its bucket: those who see the bucket queue and send it.
    seen_bucket = f"(office_id IN {offices} OR group_id IN {groups})"
    reminder = f"(batch_id IS NULL AND {seen_bucket})"
    statements: list[str] = []
    for table in ALL_TABLES:
        statements.append(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
        statements.append(f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY")
        statements += _policy(
            table,
            "leaddesk_owner",
            "ALL",
            "PUBLIC",
            "(SELECT leaddesk_unrestricted())",
            "(SELECT leaddesk_unrestricted())",
        )
    for table in ORGANISATION_TABLES:
        statements += _policy(table, "leaddesk_read", "SELECT", USER_ROLE, "true", None)
        # Row locks (FOR SHARE) pass the UPDATE policy's USING; a real UPDATE never passes
        # its WITH CHECK (administrators' go through the leaddesk_admin policy).
        statements += _policy(table, "leaddesk_lock", "UPDATE", USER_ROLE, "true", "false")
        statements += _policy(table, "leaddesk_admin", "ALL", ADMIN_ROLE, IS_ADMIN, IS_ADMIN)
    # The round-robin cursor of a bucket the login sees, or of one assigning on arrival
    # (whoever passes a lead there moves it); the column grant keeps the rule itself fixed.
    cursor_bucket = f"auto OR {seen_bucket}"
    statements += _policy(
        "bucket_rules", "leaddesk_cursor", "UPDATE", USER_ROLE, cursor_bucket, cursor_bucket
    )
    statements += _policy(
        "leads", "leaddesk_read", "SELECT", USER_ROLE, f"owner_id = {actor} OR {passable}", None
    )
    statements += _policy("leads", "leaddesk_pass", "UPDATE", USER_ROLE, passable, allowed_place)
    statements += _policy("leads", "leaddesk_import", "INSERT", ADMIN_ROLE, None, IS_ADMIN)
    statements += _policy("leads", "leaddesk_reimport", "UPDATE", ADMIN_ROLE, IS_ADMIN, IS_ADMIN)
    statements += _policy("lead_notes", "leaddesk_read", "SELECT", USER_ROLE, LEAD_IS_VISIBLE, None)
    statements += _policy(
        "lead_notes",
        "leaddesk_write",
        "INSERT",
        USER_ROLE,
        None,
        f"author_id = {actor} AND {LEAD_IS_VISIBLE}",
    )
    statements += _policy(
        "pass_batches",
        "leaddesk_read",
        "SELECT",
        USER_ROLE,
        f"actor_id = {actor} OR {IS_ADMIN}"
        " OR EXISTS (SELECT 1 FROM pass_history AS h WHERE h.batch_id = pass_batches.id)",
        None,
    )
    statements += _policy(
        "pass_batches",
        "leaddesk_write",
        "INSERT",
        USER_ROLE,
        None,
        f"actor_id = {actor} AND {same_login}"
        f" AND (undoes_id IS NULL OR {IS_ADMIN} OR leaddesk_batch_actor(undoes_id) = {actor})",
    )
    statements += _policy(
        "pass_history",
        "leaddesk_read",
        "SELECT",
        USER_ROLE,
        f"{LEAD_IS_VISIBLE} OR {OWN_BATCH}",
        None,
    )
    statements += _policy(
        "pass_history",
        "leaddesk_write",
        "INSERT",
        USER_ROLE,
        None,
        f"{OWN_BATCH} AND {LEAD_IS_VISIBLE}",
    )
    own_outbox = f"{IS_ADMIN} OR {OWN_BATCH} OR {reminder}"
    statements += _policy("outbox", "leaddesk_read", "SELECT", USER_ROLE, own_outbox, None)
    statements += _policy(
        "outbox",
        "leaddesk_queue",
        "INSERT",
        USER_ROLE,
        None,
        f"{OWN_BATCH} OR {reminder}",
    )
    statements += _policy("outbox", "leaddesk_send", "UPDATE", USER_ROLE, own_outbox, own_outbox)
    statements += _policy("audit_log", "leaddesk_read", "SELECT", USER_ROLE, IS_ADMIN, None)
    statements += _policy(
        "audit_log",
        "leaddesk_write",
        "INSERT",
        ADMIN_ROLE,
        None,
        f"{IS_ADMIN} AND actor_id = {actor} AND {same_login}",
    )
    return statements


def setup_statements(schema: str, database: str) -> list[str]:
    """Every statement ``leaddesk server setup`` runs after migrating, in order."""
    return [
        ROLES.strip(),
        *function_statements(schema),
        *grant_statements(schema, database),
        *policy_statements(),
    ]


def disable_statements() -> list[str]:
    """Turn the policies off again (the benchmark measures with and without them)."""
    statements = []
    for table in ALL_TABLES:
        statements.append(f"ALTER TABLE {table} NO FORCE ROW LEVEL SECURITY")
        statements.append(f"ALTER TABLE {table} DISABLE ROW LEVEL SECURITY")
    return statements
