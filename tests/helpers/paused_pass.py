"""A command-line pass that stops right after moving the leads, before committing.

Run as ``python -m tests.helpers.paused_pass URL SOURCE TARGET``: it passes every lead of
SOURCE to TARGET through the real ``leaddesk pass`` command, prints ``MOVED`` once the
statement that moves the leads has run inside the open transaction, and then waits for
its standard input to close. A test kills it with SIGKILL at that point: the database must
show none of the pass.
"""

from __future__ import annotations

import sys

from sqlalchemy import Engine, event

from leaddesk.cli import main


def _pause_after_the_move(_conn, _cursor, statement, _params, _context, _many) -> None:
    if "UPDATE leads" in statement:
        print("MOVED", flush=True)
        sys.stdin.read()  # the test kills us here; end of input never comes


if __name__ == "__main__":
    url, source, target = sys.argv[1:4]
    event.listen(Engine, "after_cursor_execute", _pause_after_the_move)
    sys.exit(
        main(["--db", url, "pass", "--as", "Ada Admin", "--user", source, "--to-user", target])
    )
