"""``leaddesk passes`` and ``leaddesk undo --last``: an actor's recent passes with whether
each can be undone (by the same rules as the undo itself), and undo without a batch number.
On SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from leaddesk import cli
from leaddesk.admin.rights import revoke_right
from leaddesk.errors import LeadDeskError
from leaddesk.reassignment.controller import pass_leads, undo_batch
from leaddesk.reassignment.requests import LeadRef, Selection, Target
from leaddesk.reassignment.undo_rules import recent_passes, undo_offer
from tests.helpers.cli_run import run, run_json
from tests.helpers.demo_names import group_id, lead_by_name, leads_of, office_id, user_id
from tests.helpers.engine_checks import full_snapshot, set_active
from tests.helpers.statements import counting_statements

MARIA = "Maria Manager"


def _pass(database, actor, selection, target, note=""):
    with database.write() as session:
        return pass_leads(
            session,
            actor_id=user_id(database, actor),
            selection=selection,
            target=target,
            note=note,
        )


def test_passes_lists_each_batch_with_whether_it_can_be_undone(db_url, database, capsys):
    maria, jane = user_id(database, MARIA), user_id(database, "Jane Doe")
    assert (
        run(capsys, "--db", db_url, "passes", "--as", MARIA)[1]
        == "Maria Manager has made no passes yet.\n"
    )
    to_jane = _pass(database, MARIA, Selection.all_of_user(user_id(database, "John Smith")),
                    Target.user(jane), note="John left")  # fmt: skip
    sam_lead = leads_of(database, "Sam Field")[0]
    to_office = _pass(database, MARIA, Selection.of_leads([LeadRef(sam_lead.id)]),
                      Target.office(office_id(database)))  # fmt: skip
    # Olivia (office manager) assigns the lead on: Maria's pass to the office can no longer
    # be undone, and says which lead changed.
    _pass(database, "Olivia Office", Selection.of_leads([LeadRef(sam_lead.id)]),
          Target.user(user_id(database, "Sam Field")))  # fmt: skip

    rows = run_json(capsys, "--db", db_url, "passes", "--as", MARIA)
    assert [row["batch_id"] for row in rows] == [to_office.batch_id, to_jane.batch_id]
    office_row, jane_row = rows
    assert office_row["leads"] == 1
    assert office_row["from"] == ["Sam Field"]
    assert office_row["to"] == ["Leads to be Assigned: Downtown Office"]
    assert office_row["undoable"] is False
    assert office_row["why_not"] == (
        f"Pass {to_office.batch_id} cannot be undone: lead(s) {sam_lead.id} changed since."
    )
    assert jane_row == {
        "batch_id": to_jane.batch_id,
        "when": jane_row["when"],
        "method": "command_line",
        "leads": 3,
        "from": ["John Smith"],
        "to": ["Jane Doe"],
        "note": "John left",
        "undoable": True,
        "why_not": None,
    }
    # The reason is the one the undo itself gives.
    with database.write() as session, pytest.raises(LeadDeskError) as refused:
        undo_batch(session, actor_id=maria, batch_id=to_office.batch_id)
    assert str(refused.value) == office_row["why_not"]
    assert [
        r["batch_id"]
        for r in run_json(capsys, "--db", db_url, "passes", "--as", MARIA, "--limit", "1")
    ] == [to_office.batch_id]


def test_passes_explains_inactive_owners_and_undone_passes(db_url, database, capsys):
    maria = user_id(database, MARIA)
    to_sam = _pass(database, MARIA, Selection.all_of_user(user_id(database, "Jane Doe")),
                   Target.user(user_id(database, "Sam Field")))  # fmt: skip
    set_active(database, "Jane Doe", False)
    with database.read() as session:
        [summary] = recent_passes(session, actor_id=maria)
    assert (
        summary.refusal == f"Pass {to_sam.batch_id} cannot be undone: Jane Doe is no longer active."
    )
    set_active(database, "Jane Doe", True)
    with database.write() as session:
        undo = undo_batch(session, actor_id=maria, batch_id=to_sam.batch_id)
    with database.read() as session:
        undo_row, original = recent_passes(session, actor_id=maria)
        assert undo_offer(session, actor_id=maria) is None
    assert undo_row.batch_id == undo.batch_id
    assert (
        undo_row.refusal == f"Pass {undo.batch_id} is itself an undo; pass the leads again instead."
    )
    assert original.refusal == f"Pass {to_sam.batch_id} was already undone by pass {undo.batch_id}."


def test_the_table_wraps_long_notes_and_wide_shows_them_on_one_line(
    db_url, database, capsys, monkeypatch
):
    note = "John left for the Oslo office; Jane knows these customers and calls each of them " * 2
    _pass(database, MARIA, Selection.all_of_user(user_id(database, "John Smith")),
          Target.user(user_id(database, "Jane Doe")), note=note)  # fmt: skip
    monkeypatch.setenv("COLUMNS", "80")
    code, out, _err = run(capsys, "--db", db_url, "passes", "--as", MARIA)
    assert code == 0
    lines = out.splitlines()
    assert max(len(line) for line in lines) <= 80
    assert "…" not in out
    # Every word of the note is there, in order, across the wrapped lines.
    note_column = lines[0].index("NOTE")
    wrapped = " ".join(line[note_column:].split("  ")[0].strip() for line in lines[2:])
    assert " ".join(note.split()) in " ".join(wrapped.split())

    code, out, _err = run(capsys, "--db", db_url, "passes", "--as", MARIA, "--wide")
    assert code == 0
    assert len(out.splitlines()) == 3
    assert " ".join(note.split()) in out


def test_undo_last_undoes_the_newest_pass_and_says_which(db_url, database, capsys):
    first = _pass(database, MARIA, Selection.all_of_user(user_id(database, "John Smith")),
                  Target.user(user_id(database, "Jane Doe")))  # fmt: skip
    riverbend = lead_by_name(database, "Riverbend Hotel Wi-Fi")
    second = _pass(database, MARIA, Selection.of_leads([LeadRef(riverbend.id)]),
                   Target.group(group_id(database)))  # fmt: skip
    code, out, err = run(capsys, "--db", db_url, "undo", "--as", MARIA, "--last")
    assert (code, err) == (0, "")
    assert out.splitlines()[0].startswith(
        f"Undid pass {second.batch_id} (pass of 1 lead to Leads to be Assigned: Inbound Team, "
    )
    assert lead_by_name(database, "Riverbend Hotel Wi-Fi").owner_id == user_id(database, "Jane Doe")
    result = run_json(capsys, "--db", db_url, "undo", "--as", MARIA, "--last")
    assert result["undone_batch_id"] == first.batch_id
    assert result["moved"] == 3
    assert {lead.name for lead in leads_of(database, "John Smith")} >= {
        "Harbor Logistics renewal",
        "Crescent Bakery POS upgrade",
    }
    before = full_snapshot(database)
    code, out, err = run(capsys, "--db", db_url, "undo", "--as", MARIA, "--last")
    assert (code, out) == (1, "")
    assert err == "leaddesk: error: Maria Manager has no pass to undo.\n"
    assert full_snapshot(database) == before


def test_undo_last_refuses_when_the_newest_pass_changed_and_undoes_nothing_older(
    db_url, database, capsys
):
    older = _pass(database, MARIA, Selection.all_of_user(user_id(database, "John Smith")),
                  Target.user(user_id(database, "Jane Doe")))  # fmt: skip
    sam_lead = leads_of(database, "Sam Field")[0]
    newest = _pass(database, MARIA, Selection.of_leads([LeadRef(sam_lead.id)]),
                   Target.office(office_id(database)))  # fmt: skip
    _pass(database, "Olivia Office", Selection.of_leads([LeadRef(sam_lead.id)]),
          Target.user(user_id(database, "Olivia Office")))  # fmt: skip
    before = full_snapshot(database)
    code, out, err = run(capsys, "--db", db_url, "undo", "--as", MARIA, "--last")
    assert (code, out) == (1, "")
    assert err == (
        f"leaddesk: error: Pass {newest.batch_id} cannot be undone: "
        f"lead(s) {sam_lead.id} changed since.\n"
    )
    assert full_snapshot(database) == before
    assert older.batch_id < newest.batch_id


def test_undo_needs_a_batch_or_last(db_url, capsys):
    code = None
    with pytest.raises(SystemExit) as exited:
        cli.main(["--db", db_url, "undo", "--as", MARIA])
    code = exited.value.code
    assert code == 2
    assert "one of the arguments --batch --last is required" in capsys.readouterr().err


def test_a_right_taken_away_since_shows_in_the_list_as_the_undo_would_say_it(
    db_url, database, capsys
):
    maria, ada = user_id(database, MARIA), user_id(database, "Ada Admin")
    to_sam = _pass(database, MARIA, Selection.all_of_user(user_id(database, "Jane Doe")),
                   Target.user(user_id(database, "Sam Field")))  # fmt: skip
    with database.write() as session:
        revoke_right(session, ada, manager_id=maria, user_id=user_id(database, "Jane Doe"))
    with database.read() as session:
        offer = undo_offer(session, actor_id=maria)
    assert offer is not None and offer.batch_id == to_sam.batch_id
    assert offer.refusal == (
        f"Pass {to_sam.batch_id} cannot be undone: "
        "Maria Manager no longer has a manager right over Jane Doe."
    )
    with database.write() as session, pytest.raises(LeadDeskError) as refused:
        undo_batch(session, actor_id=maria, batch_id=to_sam.batch_id)
    assert str(refused.value) == offer.refusal


def test_the_undo_offer_and_the_list_cost_a_fixed_number_of_statements(database):
    """Each is a round trip over a slow link: the count must not grow with leads or passes."""
    maria = user_id(database, MARIA)
    _pass(database, MARIA, Selection.all_of_user(user_id(database, "John Smith")),
          Target.user(user_id(database, "Jane Doe")))  # fmt: skip
    with database.read() as session, counting_statements(database.engine) as one_pass:
        assert undo_offer(session, actor_id=maria) is not None
    for owner in ("Jane Doe", "Sam Field"):
        _pass(database, MARIA, Selection.all_of_user(user_id(database, owner)),
              Target.user(user_id(database, "Maria Manager")))  # fmt: skip
    with database.read() as session, counting_statements(database.engine) as offer:
        assert undo_offer(session, actor_id=maria).lead_count == 3
    # Actor, newest batch, places, changed leads, then the rights check (the moves, their
    # users, the rights among them); BEGIN on SQLite aside.
    assert offer.count == one_pass.count <= 8
    with database.read() as session, counting_statements(database.engine) as listing:
        assert len(recent_passes(session, actor_id=maria)) == 3
    # Actor, batches, places for all of them; then four rule reads per batch still undoable.
    assert listing.count <= 3 + 4 * 3 + 1
