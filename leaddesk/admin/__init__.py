"""Administration services: users, manager rights, offices, pass groups, statuses, audit.

Qt-free. Every function takes ``(session, actor_id, ...)``, refuses anyone who is not an
active administrator with :class:`~leaddesk.errors.PermissionDeniedError`, validates before
changing anything and records each change in the audit log in the caller's transaction.
"""
