"""History, notes and the outbox are shown only to those who may see them (issue 8, item 10)."""

from __future__ import annotations

import json

from leaddesk import cli
from leaddesk.store.database import open_database
from tests.helpers.demo_names import lead_by_name
from tests.helpers.engine_checks import pass_all_leads

SECRET_NOTE = "customer asked for a discount, keep it quiet"


def run(capsys, db_url, *args):
    code = cli.main(["--db", db_url, *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def _pass_with_note(db_url: str) -> int:
    """Maria passes John's first lead to Jane with a note; returns the lead id."""
    database = open_database(db_url)
    try:
        lead = lead_by_name(database, "Harbor Logistics renewal")
        pass_all_leads(database, "John Smith", to_user="Jane Doe", note=SECRET_NOTE)
        return lead.id
    finally:
        database.dispose()


def test_history_needs_an_actor(db_url, capsys):
    lead_id = _pass_with_note(db_url)
    assert run(capsys, db_url, "history", "--lead", str(lead_id)) == (
        1,
        "",
        "leaddesk: error: Say who acts with --as NAME.\n",
    )


def test_history_and_its_notes_only_for_those_who_may_see_the_lead(db_url, capsys):
    lead_id = _pass_with_note(db_url)
    for outsider in ("Victor Outside", "Olivia Office", "Pat Group"):
        code, out, err = run(capsys, db_url, "history", "--lead", str(lead_id), "--as", outsider)
        assert (code, out) == (1, "")
        assert err == f"leaddesk: error: {outsider} may not see lead {lead_id}.\n"
        assert SECRET_NOTE not in err
    for insider in ("Maria Manager", "Jane Doe", "Ada Admin"):
        code, out, err = run(
            capsys, db_url, "history", "--lead", str(lead_id), "--as", insider, "--wide"
        )
        assert (code, err) == (0, ""), (insider, err)
        assert SECRET_NOTE in out


def test_a_bucket_lead_history_is_for_those_who_see_the_bucket(db_url, capsys):
    database = open_database(db_url)
    try:
        lead_id = lead_by_name(database, "Walk-in: Corner Florist website").id
    finally:
        database.dispose()
    code, _out, err = run(
        capsys, db_url, "history", "--lead", str(lead_id), "--as", "Olivia Office"
    )
    assert (code, err) == (0, "")
    code, _out, err = run(capsys, db_url, "history", "--lead", str(lead_id), "--as", "Pat Group")
    assert (code, err) == (1, f"leaddesk: error: Pat Group may not see lead {lead_id}.\n")


def test_outbox_needs_an_actor_and_lists_only_their_own_rows(db_url, capsys):
    _pass_with_note(db_url)
    assert run(capsys, db_url, "outbox") == (
        1,
        "",
        "leaddesk: error: Say who acts with --as NAME.\n",
    )

    code, out, err = run(capsys, db_url, "outbox", "--as", "Jane Doe", "--json")
    assert (code, err) == (0, "")
    [row] = json.loads(out)
    assert row["recipient"] == "jane.doe@example.com"
    assert SECRET_NOTE in row["body"]

    for other in ("Maria Manager", "Victor Outside"):
        code, out, err = run(capsys, db_url, "outbox", "--as", other, "--json")
        assert (code, err, json.loads(out)) == (0, "", [])
        code, out, err = run(capsys, db_url, "outbox", "--as", other)
        assert (code, out, err) == (0, "The outbox holds no emails to you.\n", "")

    code, out, err = run(capsys, db_url, "outbox", "--as", "Ada Admin", "--json")
    assert (code, err) == (0, "")
    assert [r["recipient"] for r in json.loads(out)] == ["jane.doe@example.com"]
