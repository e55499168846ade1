"""CSV import and export of leads, users and history, on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import io

import pytest
from sqlalchemy import func, select

from leaddesk.admin import users as admin_users
from leaddesk.data_io.export import export_history, export_leads
from leaddesk.data_io.lead_import import import_leads
from leaddesk.data_io.user_import import import_users
from leaddesk.errors import PermissionDeniedError
from leaddesk.reassignment.controller import pass_leads
from leaddesk.reassignment.requests import PassMethod, Selection, Target
from leaddesk.store.database import open_database
from leaddesk.store.models import (
    AuditEntry,
    Lead,
    ManagerRight,
    Office,
    OfficeMember,
    OutboxMessage,
    PassBatch,
    PassHistory,
    Status,
    User,
)
from tests.helpers.demo_names import snapshot, user_id

HEADER = "name,company,email,phone,status,owner,office,pass_group\r\n"


def csv_bytes(*lines: str, header: str = HEADER, encoding: str = "utf-8") -> bytes:
    return (header + "".join(line + "\r\n" for line in lines)).encode(encoding)


def run_import(database, data: bytes, actor: str = "Ada Admin", **options):
    with database.write() as session:
        return import_leads(
            session, actor_id=user_id(database, actor), data=data, source_name="t.csv", **options
        )


def lead_count(database) -> int:
    with database.read() as session:
        return session.scalar(select(func.count()).select_from(Lead)) or 0


def test_import_writes_leads_history_and_one_notification_per_owner(database):
    data = csv_bytes(
        "Acme roof,Acme,buyer@acme.example,+1 555 1,LEAD,John Smith,,",
        "Acme gutters,Acme,,,opportunity,jane.doe@example.com,,",
        "Acme doors,Acme,,,LEAD,JOHN SMITH,,",
        "Walk-in,Corner Shop,,,LEAD,,Downtown Office,",
        "Web form,Velvet,,,LEAD,,,Inbound Team",
    )
    report = run_import(database, data)
    assert report.problems == []
    assert report.imported == 5
    with database.read() as session:
        batch = session.get(PassBatch, report.batch_id)
        history = list(session.scalars(select(PassHistory).where(PassHistory.batch_id == batch.id)))
        outbox = {
            (m.recipient_id, m.kind, m.lead_count)
            for m in session.scalars(
                select(OutboxMessage).where(OutboxMessage.batch_id == batch.id)
            )
        }
        roof = session.scalars(select(Lead).where(Lead.name == "Acme roof")).one()
        audit = session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc())).first()
    assert batch.method == PassMethod.IMPORT.value
    assert batch.lead_count == 5
    assert len(history) == 5
    assert all(h.from_owner_id is None and h.from_office_id is None for h in history)
    assert (roof.owner_id, roof.email, roof.phone) == (
        user_id(database, "John Smith"),
        "buyer@acme.example",
        "+1 555 1",
    )
    john, jane = user_id(database, "John Smith"), user_id(database, "Jane Doe")
    olivia, pat = user_id(database, "Olivia Office"), user_id(database, "Pat Group")
    assert outbox == {
        (john, "owner", 2),
        (jane, "owner", 1),
        (olivia, "bucket", 1),
        (pat, "bucket", 1),
    }
    assert audit.action == "lead.import"


def test_windows_1252_file_from_excel_is_detected(database):
    data = csv_bytes(
        "Café Müller espresso,Café Müller,,,LEAD,Sam Field,,",
        "Señor Ñandú – déco,Ñandú,,,LEAD,Sam Field,,",
        encoding="cp1252",
    )
    report = run_import(database, data)
    assert (report.encoding, report.imported, report.problems) == ("Windows-1252", 2, [])
    with database.read() as session:
        names = set(session.scalars(select(Lead.company).where(Lead.company.like("%ü%"))))
        dash = session.scalars(select(Lead.name).where(Lead.company == "Ñandú")).one()
    assert names == {"Café Müller"}
    assert dash == "Señor Ñandú – déco"


def test_utf8_with_bom_semicolons_and_mixed_case_headers(database):
    data = (
        "\ufeffNAME;Company;E-Mail;Phone;Status;Owner\r\n"
        "Zürich office;Kaffee GmbH;;;Lead;Sam Field\r\n"
    )
    report = run_import(database, data.encode("utf-8"))
    assert (report.encoding, report.imported, report.problems) == ("UTF-8 with BOM", 1, [])
    with database.read() as session:
        assert session.scalars(select(Lead.company).where(Lead.name == "Zürich office")).one() == (
            "Kaffee GmbH"
        )


def _inactive_user(database) -> None:
    ada = user_id(database, "Ada Admin")
    with database.write() as session:
        zoe = admin_users.add_user(session, ada, name="Zoe Gone", email="zoe@example.com").id
        admin_users.deactivate_user(session, ada, zoe)


@pytest.mark.parametrize(
    ("data", "line", "message"),
    [
        (
            csv_bytes("A,B,,,LEAD,John Smith", header="name,company,email,phone,owner\r\n"),
            1,
            "missing required column(s): status",
        ),
        (
            csv_bytes("A,B,,,LEAD,", header="name,company,email,phone,status\r\n"),
            1,
            "missing required column(s): owner (or office / pass_group)",
        ),
        (
            csv_bytes("A,B,,,LEAD,John Smith,,", "C,D,,,LEAD,Nobody Here,,"),
            3,
            "unknown owner 'Nobody Here'",
        ),
        (
            csv_bytes("A,B,,,LEAD,John Smith,,", "C,D,,,PENDING,John Smith,,"),
            3,
            "unknown status 'PENDING' (known: LEAD, OPPORTUNITY",
        ),
        (csv_bytes("A,B,,,LEAD,,Uptown,"), 2, "unknown office 'Uptown'"),
        (csv_bytes("A,B,,,LEAD,,,Outbound"), 2, "unknown pass group 'Outbound'"),
        ("inactive", 2, "owner Zoe Gone is inactive"),
        (
            csv_bytes(
                "A,B,a@x.example,,LEAD,John Smith,,",
                "Z,Y,,,LEAD,John Smith,,",
                "a,b,A@X.EXAMPLE,,LEAD,Jane Doe,,",
            ),
            4,
            "duplicates line 2",
        ),
        (
            HEADER.encode()
            + "Caf\u00e9,B,,,LEAD,John Smith,,\r\n".encode()
            + b"Bad \xff\xfe byte,B,,,LEAD,John Smith,,\r\n",
            3,
            "is not valid UTF-8",
        ),
        (
            HEADER.encode() + b"Ok,B,,,LEAD,John Smith,,\r\nBad \x81,B,,,LEAD,John Smith,,\r\n",
            3,
            "byte 0x81 is neither UTF-8 nor Windows-1252",
        ),
        (csv_bytes("A" * 201 + ",B,,,LEAD,John Smith,,"), 2, "name has 201 characters"),
        (
            csv_bytes(
                "A,B,,+1 555 0100 0100 0100 0100 0100 0100 0100 0100 0100 0100,LEAD,John Smith,,"
            ),
            2,
            "phone has 56 characters",
        ),
        (
            csv_bytes("A,B,not-an-email,,LEAD,John Smith,,"),
            2,
            "'not-an-email' is not a valid email",
        ),
        (csv_bytes("A,B,,,LEAD,John Smith,Downtown Office,"), 2, "exactly one of owner"),
        (csv_bytes(",B,,,LEAD,John Smith,,"), 2, "the lead name is empty"),
        (csv_bytes("A,B,,,LEAD,John Smith,,,extra"), 2, "has 9 values but the header has 8"),
        (b"", 1, "the file is empty"),
        (b"PK\x03\x04rest-of-zip", 1, "Excel workbook"),
    ],
)
def test_every_validation_error_has_its_line_number_and_nothing_is_written(
    database, data, line, message
):
    if data == "inactive":
        _inactive_user(database)
        data = csv_bytes("A,B,,,LEAD,zoe@example.com,,")
    before = snapshot(database)
    leads = lead_count(database)
    report = run_import(database, data)
    assert report.imported == 0
    assert any(p.line == line and message in p.message for p in report.problems), report.problems
    assert snapshot(database) == before
    assert lead_count(database) == leads


def test_skip_invalid_writes_the_valid_rows_and_reports_the_rest(database):
    data = csv_bytes(
        "Good one,A,,,LEAD,John Smith,,",
        "Bad owner,B,,,LEAD,Nobody,,",
        "Good two,C,,,WON,Jane Doe,,",
        "Bad status,D,,,MAYBE,Jane Doe,,",
    )
    leads = lead_count(database)
    report = run_import(database, data, skip_invalid=True)
    assert report.imported == 2
    assert [p.line for p in report.problems] == [3, 5]
    assert lead_count(database) == leads + 2


def test_dry_run_writes_nothing(database):
    before = snapshot(database)
    report = run_import(database, csv_bytes("A,B,,,LEAD,John Smith,,"), dry_run=True)
    assert (report.valid_rows, report.imported, report.batch_id) == (1, 0, None)
    assert snapshot(database) == before


def test_non_admins_cannot_import(database):
    before = snapshot(database)
    with pytest.raises(PermissionDeniedError, match="Only administrators"):
        run_import(database, csv_bytes("A,B,,,LEAD,John Smith,,"), actor="Maria Manager")
    assert snapshot(database) == before


def test_exported_file_is_utf8_bom_crlf_and_quoted(database, tmp_path):
    ada = user_id(database, "Ada Admin")
    run_import(
        database,
        csv_bytes(
            '"Comma, quote "" and\nnewline",Acme,,,LEAD,John Smith,,',
            "=SUM(A1),X,,,LEAD,John Smith,,",
        ),
    )
    path = tmp_path / "leads.csv"
    with database.read() as session:
        count = export_leads(session, actor_id=ada, path=path)
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbfname,company,email,phone,status,owner,office,pass_group")
    assert raw.count(b"\r\n") == count + 1  # header + rows
    # A line break in a lead name is a space once imported (names are one line of text).
    assert b'"Comma, quote "" and newline"' in raw
    assert b"'=SUM(A1)" in raw  # a spreadsheet must not run it as a formula
    with database.read() as session:
        assert count == session.scalar(select(func.count()).select_from(Lead))


def test_round_trip_export_then_import_reproduces_the_leads(make_db_url, tmp_path):
    source = open_database(make_db_url())
    target = open_database(make_db_url())
    try:
        run_import(source, csv_bytes("=cmd|x,Ünïcode Ltd,a@b.example,-5,LEAD,Sam Field,,"))
        path = tmp_path / "leads.csv"
        with source.read() as session:
            export_leads(session, actor_id=user_id(source, "Ada Admin"), path=path)
        with target.write() as session:
            session.execute(PassHistory.__table__.delete())
            session.execute(Lead.__table__.delete())
        report = run_import(target, path.read_bytes())
        assert report.problems == []
        assert report.ignored_columns == ["updated_at"]

        def leads(database):
            with database.read() as session:
                return sorted(
                    session.execute(
                        select(
                            Lead.name,
                            Lead.company,
                            Lead.email,
                            Lead.phone,
                            Status.name,
                            User.name,
                            Lead.bucket_office_id,
                            Lead.bucket_group_id,
                        )
                        .join(Status, Status.id == Lead.status_id)
                        .outerjoin(User, User.id == Lead.owner_id)
                    ).all(),
                    key=lambda row: tuple(str(v) for v in row),
                )

        assert leads(target) == leads(source)
        assert len(leads(target)) == 20
    finally:
        source.dispose()
        target.dispose()


def test_export_filters_and_non_admin_visibility(database, tmp_path):
    path = tmp_path / "x.csv"
    with database.read() as session:
        john_count = export_leads(
            session,
            actor_id=user_id(database, "Ada Admin"),
            path=path,
            owner_id=user_id(database, "John Smith"),
        )
        victor_count = export_leads(
            session, actor_id=user_id(database, "Victor Outside"), path=path
        )
        with pytest.raises(PermissionDeniedError, match="no manager right"):
            export_leads(
                session,
                actor_id=user_id(database, "Victor Outside"),
                path=path,
                owner_id=user_id(database, "John Smith"),
            )
    assert (john_count, victor_count) == (3, 2)
    rows = list(csv.DictReader(io.StringIO(path.read_text("utf-8-sig"))))
    assert {row["owner"] for row in rows} == {"Victor Outside"}


def test_export_history_since_a_date(database, tmp_path):
    maria, john, jane = (user_id(database, n) for n in ("Maria Manager", "John Smith", "Jane Doe"))
    with database.write() as session:
        pass_leads(
            session,
            actor_id=maria,
            selection=Selection.all_of_user(john),
            target=Target.user(jane),
            note="handover, with comma",
        )
    path = tmp_path / "history.csv"
    with database.read() as session:
        count = export_history(session, actor_id=user_id(database, "Ada Admin"), path=path)
        none_left = export_history(
            session,
            actor_id=user_id(database, "Ada Admin"),
            path=tmp_path / "empty.csv",
            since=__import__("datetime").datetime(2999, 1, 1),
        )
        victor = export_history(
            session, actor_id=user_id(database, "Victor Outside"), path=tmp_path / "v.csv"
        )
    rows = list(csv.DictReader(io.StringIO(path.read_text("utf-8-sig"))))
    assert (count, none_left, victor) == (3, 0, 0)
    assert {(r["by"], r["from"], r["to"], r["note"]) for r in rows} == {
        ("Maria Manager", "John Smith", "Jane Doe", "handover, with comma")
    }


USERS_CSV = (
    "Name,Email,Admin,Office,Office Manager,Manages\r\n"
    "Uma Uptown,uma@example.com,no,Uptown Office,yes,Ulf Uptown;john.smith@example.com\r\n"
    "Ulf Uptown,ulf@example.com,,Uptown Office,,\r\n"
    "Ida Ops,ida@example.com,yes,,,\r\n"
)


def test_import_users_creates_people_offices_and_rights(database):
    with database.write() as session:
        report = import_users(
            session, actor_id=user_id(database, "Ada Admin"), data=USERS_CSV.encode()
        )
    assert report.problems == []
    assert (report.imported, report.rights, report.new_offices) == (3, 2, ["Uptown Office"])
    uma = user_id(database, "Uma Uptown")
    with database.read() as session:
        office = session.scalars(select(Office).where(Office.name == "Uptown Office")).one()
        members = {
            (m.user_id, m.is_office_manager)
            for m in session.scalars(
                select(OfficeMember).where(OfficeMember.office_id == office.id)
            )
        }
        rights = set(
            session.scalars(select(ManagerRight.user_id).where(ManagerRight.manager_id == uma))
        )
        ida = session.scalars(select(User).where(User.name == "Ida Ops")).one()
    assert members == {(uma, True), (user_id(database, "Ulf Uptown"), False)}
    assert rights == {user_id(database, "Ulf Uptown"), user_id(database, "John Smith")}
    assert ida.is_admin


def test_import_users_reports_problems_by_line_and_writes_nothing(database):
    data = (
        b"name,email,admin,office,office_manager,manages\r\n"
        b"Jane Doe,new@example.com,,,,\r\n"
        b"Nina,not-an-email,,,,\r\n"
        b"Otto,otto@example.com,maybe,,,\r\n"
        b"Pia,pia@example.com,,,yes,\r\n"
        b"Quin,quin@example.com,,,,Nobody\r\n"
        b"Rae,otto@example.com,,,,\r\n"
    )
    with database.read() as session:
        users_before = session.scalar(select(func.count()).select_from(User))
    with database.write() as session:
        report = import_users(session, actor_id=user_id(database, "Ada Admin"), data=data)
    assert report.imported == 0
    found = {(p.line, p.message.split(" ")[0]) for p in report.problems}
    assert {line for line, _ in found} == {2, 3, 4, 5, 6, 7}
    messages = " | ".join(str(p) for p in report.problems)
    for fragment in (
        "line 2: there is already a user with the name 'Jane Doe'",
        "line 3: 'not-an-email' is not a valid email",
        "line 4: admin must be yes or no",
        "line 5: office_manager is yes but no office",
        "line 6: manages unknown user 'Nobody'",
        "line 7: the email address 'otto@example.com' is already used on line 4",
    ):
        assert fragment in messages
    with database.read() as session:
        assert session.scalar(select(func.count()).select_from(User)) == users_before


@pytest.mark.parametrize(
    ("data", "encoding", "delimiter"),
    [
        ("name\tstatus\r\nCafé\tLEAD\r\n".encode("utf-16"), "UTF-16", "\t"),
        ("name;status\nCafé;LEAD\n".encode(), "UTF-8", ";"),
        ("name,status\nCafé,LEAD\n".encode("cp1252"), "Windows-1252", ","),
        (b"\xef\xbb\xbfname,status\r\nCaf\xc3\xa9,LEAD\r\n", "UTF-8 with BOM", ","),
    ],
)
def test_reading_the_files_people_have(data, encoding, delimiter):
    from leaddesk.data_io.csv_text import read_table

    table = read_table(data)
    assert (table.encoding, table.delimiter, table.problems) == (encoding, delimiter, [])
    assert table.headers == ["name", "status"]
    assert table.rows == [(2, ["Café", "LEAD"])]


def test_multi_line_records_report_the_line_they_start_on():
    from leaddesk.data_io.csv_text import read_table

    table = read_table(b'name,status\n"two\nlines",LEAD\nnext,LEAD\n')
    assert [line for line, _cells in table.rows] == [2, 4]


@pytest.mark.parametrize(
    "value",
    ["=1+1", "@SUM(A1)", "+cmd", "-2+3", "plain", "+1 555 0100", "-12.5", "'quoted", "'=x", "'"],
)
def test_formula_escaping_round_trips(value):
    from leaddesk.data_io.csv_text import escape_cell, unescape_cell

    escaped = escape_cell(value)
    assert unescape_cell(escaped) == value
    # A spreadsheet runs cells starting with = @ + - as formulas; numbers and phones stay.
    assert not escaped.startswith(("=", "@", "+c", "-2+"))
    assert escaped in (value, "'" + value)


def test_duplicate_header_columns_are_a_problem_on_line_1(database):
    report = run_import(database, b"name,status,owner,owner\r\nA,LEAD,John Smith,Jane Doe\r\n")
    assert [(p.line, p.message) for p in report.problems] == [(1, "column(s) owner appear twice.")]


def test_an_import_is_not_undoable_and_undo_skips_it(database):
    """Imported leads had no earlier place; undo must say so, not hit the database check."""
    from leaddesk.errors import InvalidInputError
    from leaddesk.reassignment.controller import undo_batch
    from leaddesk.reassignment.undo_rules import last_undoable_batch

    report = run_import(database, csv_bytes("Acme roof,Acme,,,LEAD,John Smith,,"))
    ada = user_id(database, "Ada Admin")
    before = snapshot(database)
    with pytest.raises(InvalidInputError, match="is an import"), database.write() as session:
        undo_batch(session, actor_id=ada, batch_id=report.batch_id)
    assert snapshot(database) == before
    with database.read() as session:
        assert last_undoable_batch(session, actor_id=ada) is None
