"""Names people type: a misspelled or partial name is refused with what it may have meant, an
ambiguous one with the candidates; nothing is ever done on a guess. Exact names (any case),
emails and ids still work. On SQLite and PostgreSQL, through the command line."""

from __future__ import annotations

import pytest

from leaddesk.errors import NotFoundError
from leaddesk.store.lookup import find_group, find_office, find_status, find_user, suggest_names
from tests.helpers.cli_run import run, run_refused
from tests.helpers.demo_names import user_id
from tests.helpers.engine_checks import full_snapshot

MARIA = "Maria Manager"


def test_suggestions_put_partial_names_first_then_close_spellings():
    names = ["Ada Admin", "Jane Doe", "John Smith", "Maria Manager", "Marie Manager"]
    assert suggest_names("Maria Manger", names) == ["Maria Manager", "Marie Manager"]
    assert suggest_names("smith", names) == ["John Smith"]
    assert suggest_names("j", names) == ["Jane Doe", "John Smith"]
    # Close to one word of a name counts; a letter inside a word is no word start.
    assert suggest_names("Smiht", names) == ["John Smith"]
    assert suggest_names("n", names) == []
    assert suggest_names("Zebra Crossing", names) == []
    assert suggest_names("  ", names) == []


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("Maria Manger", "There is no user called 'Maria Manger'. Did you mean 'Maria Manager'?"),
        ("maria", "There is no user called 'maria'. Did you mean 'Maria Manager'?"),
        ("Jon Smith", "There is no user called 'Jon Smith'. Did you mean 'John Smith'?"),
        (
            "J",
            "There is no user called 'J'. It could be 'Jane Doe' or 'John Smith': type it in full.",
        ),
        ("Nobody Here", "There is no user called 'Nobody Here'."),
        (
            "maria.manager@exmple.com",
            "There is no user with the email address 'maria.manager@exmple.com'. "
            "Did you mean 'maria.manager@example.com'?",
        ),
    ],
)
def test_a_user_name_that_does_not_match_gets_suggestions(database, typed, message):
    with database.read() as session, pytest.raises(NotFoundError) as refused:
        find_user(session, typed)
    assert str(refused.value) == message


def test_exact_names_in_any_case_emails_and_ids_still_work(database):
    maria = user_id(database, MARIA)
    with database.read() as session:
        assert find_user(session, "maria manager").id == maria
        assert find_user(session, "MARIA.MANAGER@EXAMPLE.COM").id == maria
        assert find_user(session, str(maria)).id == maria
        assert find_office(session, "downtown office").name == "Downtown Office"
        assert find_group(session, "INBOUND TEAM").name == "Inbound Team"
        assert find_status(session, "opportunity").name == "OPPORTUNITY"


def test_offices_pass_groups_and_statuses_get_suggestions_too(database):
    with database.read() as session:
        for find, typed, message in (
            (find_office, "Downtown", "Did you mean 'Downtown Office'?"),
            (find_group, "Inbund Team", "Did you mean 'Inbound Team'?"),
            (find_status, "LEED", "no status called 'LEED'. Did you mean 'LEAD'?"),
            (find_status, "lost", "Did you mean 'NO SALE/LOST'?"),
        ):
            with pytest.raises(NotFoundError, match=message.replace("?", r"\?")):
                find(session, typed)


def test_the_command_line_never_acts_on_a_guess(db_url, database, capsys):
    before = full_snapshot(database)
    err = run_refused(capsys, db_url, 'pass --as "Maria Manger" --user "John Smith" --to-user Jane')
    assert err == (
        "leaddesk: error: There is no user called 'Maria Manger'. Did you mean 'Maria Manager'?\n"
    )
    err = run_refused(capsys, db_url, f'pass --as "{MARIA}" --user "John Smith" --to-user Jane')
    assert err == "leaddesk: error: There is no user called 'Jane'. Did you mean 'Jane Doe'?\n"
    err = run_refused(capsys, db_url, f'pass --as "{MARIA}" --user "John Smith" --to-office Office')
    assert "Did you mean 'Downtown Office'?" in err
    assert full_snapshot(database) == before


def test_an_import_file_with_a_misspelled_place_says_what_it_may_mean(
    db_url, database, capsys, tmp_path
):
    data = tmp_path / "leads.csv"
    data.write_text(
        "name,company,status,owner,office,pass_group\n"
        "A,B,LEAD,Jon Smith,,\n"
        "C,D,LEAD,,Downtown,\n"
        "E,F,LEAD,,,Inbund Team\n"
        "G,H,LEAD,,Zebra Crossing,\n",
        encoding="utf-8",
    )
    before = full_snapshot(database)
    code, _out, err = run(capsys, "--db", db_url, "import", "leads", str(data), "--as", "Ada Admin")
    assert code == 1
    assert "line 2: unknown owner 'Jon Smith' (did you mean John Smith <" in err
    assert "line 3: unknown office 'Downtown' (did you mean 'Downtown Office'?)." in err
    assert "line 4: unknown pass group 'Inbund Team' (did you mean 'Inbound Team'?)." in err
    assert "line 5: unknown office 'Zebra Crossing'." in err
    assert full_snapshot(database) == before
