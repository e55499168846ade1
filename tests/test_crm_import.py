"""Moving in from another CRM: each source's export (hand-written fixtures from the documented
column names) imported on SQLite and PostgreSQL, mapping, owners, statuses, and a second
import that matches the first instead of duplicating it."""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError

from leaddesk import cli
from leaddesk.data_io.crm_profiles import PROFILES, detect_profile, parse_created
from leaddesk.data_io.csv_text import read_table
from leaddesk.data_io.lead_import import ImportOptions, OnDuplicate, import_leads
from leaddesk.errors import InvalidInputError
from leaddesk.store.models import (
    Lead,
    LeadNote,
    Office,
    OutboxMessage,
    PassBatch,
    PassHistory,
    Status,
    User,
)
from tests.helpers.demo_names import snapshot, user_id
from tests.helpers.engine_checks import full_snapshot, set_active

FIXTURES = Path(__file__).parent / "fixtures" / "crm"

# fixture, profile, the status mapping it needs, and (external id, name, company, email,
# owner or bucket, status, created) for each row, as LeadDesk must store them.
SOURCES = {
    "salesforce": (
        "salesforce_leads.csv",
        {
            "Open - Not Contacted": "LEAD",
            "Working - Contacted": "OPPORTUNITY",
            "Closed - Converted": "WON",
        },
        [
            (
                "00Q5g00000AbCdEAAA",
                "Zoë Müller-Lüdenscheidt",
                "Müller & Söhne, GmbH",
                "zoe.mueller@mueller-soehne.example",
                "John Smith",
                "LEAD",
                datetime(2026, 11, 3),
            ),
            (
                "00Q5g00000AbCdFAAB",
                "José Núñez",
                'Núñez "El Rápido" Transportes',
                "jose@rapido.example",
                "Jane Doe",
                "OPPORTUNITY",
                datetime(2026, 11, 14, 15, 5),
            ),
            (
                "00Q5g00000AbCdGAAC",
                "Sam O'Brien",
                "Acme, Inc.",
                "",
                "Sam Field",
                "WON",
                datetime(2026, 10, 30),
            ),
            (
                "00Q5g00000AbCdHAAD",
                "Åsa Lindström",
                "Fjällräven Friluft AB",
                "asa@fjall.example",
                "John Smith",
                "LEAD",
                datetime(2026, 1, 2, 9, 15),
            ),
        ],
    ),
    "zoho": (
        "zoho_leads.csv",
        {"Not Contacted": "LEAD", "Contacted": "LEAD", "Pre-Qualified": "OPPORTUNITY"},
        [
            (
                "zcrm_4876876000000452001",
                "Björn Ångström",
                "Björk & Co, AB",
                "bjorn@bjork.example",
                "John Smith",
                "LEAD",
                datetime(2026, 10, 5, 14, 22, 10),
            ),
            (
                "zcrm_4876876000000452002",
                "春香 中村",
                'Nakamura "Sakura" Trading',
                "haruka@sakura.example",
                "Jane Doe",
                "LEAD",
                datetime(2026, 10, 6, 9),
            ),
            (
                "zcrm_4876876000000452003",
                "Kowalczyk",
                "Żabka Delikatesy",
                "",
                "Sam Field",
                "OPPORTUNITY",
                datetime(2026, 11, 1, 18, 45, 59),
            ),
        ],
    ),
    "hubspot": (
        "hubspot_contacts.csv",
        {"New": "LEAD", "In progress": "LEAD", "Open deal": "OPPORTUNITY"},
        [
            (
                "51",
                "Chloé Dubois",
                "Dubois, Fils & Cie",
                "chloe@dubois.example",
                "Jane Doe",
                "LEAD",
                datetime(2026, 9, 12, 8, 30),
            ),
            (
                "52",
                "Þór Guðmundsson",
                'Eldfjall "Volcano" ehf.',
                "thor@eldfjall.example",
                "John Smith",
                "LEAD",
                datetime(2026, 9, 13, 17, 2),
            ),
            ("53", "Ana Şahin", "", "", "Sam Field", "OPPORTUNITY", datetime(2026, 10, 1)),
        ],
    ),
    "suitecrm": (
        "suitecrm_leads.csv",
        {"New": "LEAD", "In Process": "OPPORTUNITY", "Converted": "WON"},
        [
            (
                "1b2c3d4e-0000-4a5b-8c9d-000000000001",
                "Łukasz Wiśniewski",
                "Wiśniewski, Sp. z o.o.",
                "lukasz@wisniewski.example",
                "John Smith",
                "LEAD",
                datetime(2026, 11, 2, 14, 5),
            ),
            (
                "1b2c3d4e-0000-4a5b-8c9d-000000000002",
                "Ingrid Ødegård",
                'Fjord "Nord" AS',
                "ingrid@fjord.example",
                "Jane Doe",
                "OPPORTUNITY",
                datetime(2026, 10, 28, 9, 30),
            ),
            (
                "1b2c3d4e-0000-4a5b-8c9d-000000000003",
                "Kofi Mensah",
                "Accra Freight, Ltd.",
                "",
                "John Smith",
                "WON",
                datetime(2026, 9, 1, 23, 59),
            ),
        ],
    ),
    "odoo": (
        "odoo_leads.csv",
        {"New": "LEAD", "Qualified": "OPPORTUNITY"},
        [
            (
                "__export__.crm_lead_41_8f2a1c3d",
                "Ωmega Bürostühle – 40 chairs",
                "Ωmega Office, S.A.",
                "dimitra@omega.example",
                "John Smith",
                "LEAD",
                datetime(2026, 8, 19, 10, 11, 12),
            ),
            (
                "__export__.crm_lead_42_0b9e7d11",
                'Café Lumière, "grand" espresso machine',
                "Café Lumière",
                "elodie@lumiere.example",
                "Jane Doe",
                "OPPORTUNITY",
                datetime(2026, 8, 20, 16),
            ),
            (
                "__export__.crm_lead_43_77aa01cd",
                "Renewal 2027",
                "Sampo Oy",
                "",
                "Sam Field",
                "WON",
                datetime(2026, 8, 21, 7, 45, 30),
            ),
        ],
    ),
    "leaddesk": (
        "leaddesk_leads.csv",
        {},
        [
            (
                "101",
                "Crêperie Bretonne, new oven",
                "Crêperie Bretonne",
                "yann@creperie.example",
                "John Smith",
                "LEAD",
                datetime(2026, 7, 1, 8),
            ),
            (
                "102",
                'Walk-in "VIP" lounge',
                "Ünal Holding",
                "",
                "Leads to be Assigned: Downtown Office",
                "OPPORTUNITY",
                datetime(2026, 7, 2, 9, 30),
            ),
            (
                "00Q5g00000ZzZzZAAA",
                "Moved in from Salesforce",
                "Acme, Inc.",
                "",
                "Jane Doe",
                "LEAD",
                datetime(2026, 7, 3, 12),
            ),
        ],
    ),
}
# SuiteCRM exports the owner's login name, which LeadDesk does not keep.
OWNER_MAPS = {"suitecrm": {"john.smith": "John Smith", "jane.doe": "jane.doe@example.com"}}


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def run_import(database, data: bytes, **options):
    dry_run = options.pop("dry_run", False)
    with database.write() as session:
        return import_leads(
            session,
            actor_id=user_id(database, "Ada Admin"),
            data=data,
            source_name="export.csv",
            options=ImportOptions(**options),
            dry_run=dry_run,
        )


def imported_rows(database, batch_id: int) -> list[tuple]:
    with database.read() as session:
        rows = session.execute(
            select(
                Lead.external_source,
                Lead.external_id,
                Lead.name,
                Lead.company,
                Lead.email,
                User.name,
                Office.name,
                Status.name,
                Lead.created_at,
            )
            .join(PassHistory, PassHistory.lead_id == Lead.id)
            .join(Status, Status.id == Lead.status_id)
            .outerjoin(User, User.id == Lead.owner_id)
            .outerjoin(Office, Office.id == Lead.bucket_office_id)
            .where(PassHistory.batch_id == batch_id)
            .order_by(Lead.id)
        ).all()
    return [
        (source, ext, name, company, email, owner or f"Leads to be Assigned: {office}", st, when)
        for source, ext, name, company, email, owner, office, st, when in rows
    ]


@pytest.mark.parametrize("source", list(SOURCES))
def test_each_sources_export_imports_with_at_most_a_status_mapping(database, source):
    file_name, status_map, expected = SOURCES[source]
    report = run_import(
        database,
        fixture(file_name),
        status_map=status_map,
        owner_map=OWNER_MAPS.get(source, {}),
    )
    assert report.problems == []
    assert report.profile.key == source
    assert report.imported == len(expected)
    with database.read() as session:
        batch = session.get(PassBatch, report.batch_id)
        history = session.scalar(
            select(func.count()).where(PassHistory.batch_id == report.batch_id)
        )
    assert (batch.method, batch.lead_count, history) == ("import", len(expected), len(expected))
    sources = {row[1]: row[0] for row in imported_rows(database, report.batch_id)}
    assert imported_rows(database, report.batch_id) == [(sources[row[0]], *row) for row in expected]
    # The system is recorded with each id: the profile's, or a LeadDesk file's own column.
    expected_sources = {"leaddesk": {"101": "leaddesk", "102": "leaddesk"}}.get(source, {})
    for ext_id, recorded in sources.items():
        assert recorded == expected_sources.get(
            ext_id, "salesforce" if source == "leaddesk" else source
        )


@pytest.mark.parametrize("source", list(SOURCES))
def test_auto_detection_recognises_each_source(source):
    headers = read_table(fixture(SOURCES[source][0])).headers
    detection = detect_profile(headers)
    assert detection.profile.key == source
    assert detection.sentence().startswith("Recognised a")
    assert PROFILES[source].label in detection.sentence()


def test_a_header_no_profile_knows_is_refused_with_the_way_out():
    with pytest.raises(InvalidInputError, match="Cannot tell which system"):
        detect_profile(["Foo", "Bar", "Baz"])


@pytest.mark.parametrize(
    ("text", "source", "expected"),
    [
        ("11/14/2026, 3:05 PM", "salesforce", datetime(2026, 11, 14, 15, 5)),
        ("2026-11-14T15:05:00.000Z", "salesforce", datetime(2026, 11, 14, 15, 5)),
        ("2026-11-14T16:05:00+01:00", "hubspot", datetime(2026, 11, 14, 15, 5)),
        ("11/02/2026 14:05", "suitecrm", datetime(2026, 11, 2, 14, 5)),
        ("11/02/2026 02:05 pm", "suitecrm", datetime(2026, 11, 2, 14, 5)),
        ("2026-10-05 14:22:10", "zoho", datetime(2026, 10, 5, 14, 22, 10)),
    ],
)
def test_each_sources_date_format(text, source, expected):
    assert parse_created(text, PROFILES[source]) == expected


def test_unreadable_dates_and_unknown_statuses_are_line_problems(database):
    data = fixture("zoho_leads.csv").replace(b"2026-10-06 09:00:00", b"next tuesday")
    before = snapshot(database)
    report = run_import(database, data, status_map={"Not Contacted": "LEAD"})
    messages = {(p.line, p.message.split(" (")[0].split(";")[0]) for p in report.problems}
    assert (3, "'next tuesday' is not a date LeadDesk can read.") in messages
    assert (3, "unknown status 'Contacted'") in messages
    assert (4, "unknown status 'Pre-Qualified'") in messages
    assert report.imported == 0
    assert snapshot(database) == before


def test_create_statuses_adds_the_unknown_values_once(database):
    report = run_import(
        database,
        fixture("salesforce_leads.csv"),
        status_map={"Closed - Converted": "WON"},
        create_statuses=True,
    )
    assert report.problems == []
    assert report.new_statuses == ["Open - Not Contacted", "Working - Contacted"]
    with database.read() as session:
        names = list(session.scalars(select(Status.name).order_by(Status.position)))
        counts = dict(
            session.execute(
                select(Status.name, func.count(Lead.id))
                .join(Lead, Lead.status_id == Status.id)
                .where(Lead.external_source == "salesforce")
                .group_by(Status.name)
            ).all()
        )
    assert names[-2:] == ["Open - Not Contacted", "Working - Contacted"]
    assert counts == {"Open - Not Contacted": 2, "Working - Contacted": 1, "WON": 1}


def test_status_mapping_to_a_status_that_does_not_exist_is_refused_up_front(database):
    before = snapshot(database)
    with pytest.raises(InvalidInputError, match="there is no status called 'HOT'"):
        run_import(database, fixture("odoo_leads.csv"), status_map={"New": "HOT"})
    assert snapshot(database) == before


def test_unknown_and_inactive_owners_go_to_the_fallback_bucket(database):
    set_active(database, "Jane Doe", False)
    data = fixture("hubspot_contacts.csv").replace(b'"John Smith"', b'"Nobody Known"')
    report = run_import(
        database,
        data,
        status_map=SOURCES["hubspot"][1],
        owner_fallback_office="Downtown Office",
    )
    assert report.problems == []
    counts = report.owners
    assert (counts.by_email, counts.by_name, counts.to_fallback, counts.refused) == (1, 0, 2, 0)
    places = [row[5] for row in imported_rows(database, report.batch_id)]
    assert places == ["Leads to be Assigned: Downtown Office"] * 2 + ["Sam Field"]
    with database.read() as session:
        olivia = session.scalar(
            select(OutboxMessage.lead_count).where(
                OutboxMessage.batch_id == report.batch_id,
                OutboxMessage.recipient_id == user_id(database, "Olivia Office"),
            )
        )
    assert olivia == 2  # the office manager hears of the two waiting leads


def test_unknown_owner_without_fallback_is_refused_with_a_suggestion(database):
    report = run_import(database, fixture("suitecrm_leads.csv"), status_map=SOURCES["suitecrm"][1])
    assert report.imported == 0
    assert report.owners.refused == 3
    assert any(
        p.line == 2
        and "unknown owner 'john.smith' (did you mean John Smith <john.smith@example.com>?)"
        in p.message
        for p in report.problems
    )


def test_second_import_default_error_lists_every_matching_line_and_writes_nothing(database):
    file_name, status_map, expected = SOURCES["salesforce"]
    run_import(database, fixture(file_name), status_map=status_map)
    before = snapshot(database)
    report = run_import(database, fixture(file_name), status_map=status_map)
    assert report.imported == 0
    assert [(p.line, p.message.split(",")[0]) for p in report.problems] == [
        (line, f"is already in LeadDesk as lead {lead_id} ({row[1]})")
        for line, row, lead_id in zip(
            range(2, 6), expected, [m.id for _p, m in report.matches], strict=True
        )
    ]
    assert all("matched by salesforce id" in p.message for p in report.problems)
    assert snapshot(database) == before


def test_second_import_with_skip_duplicates_nothing(database):
    file_name, status_map, _expected = SOURCES["zoho"]
    run_import(database, fixture(file_name), status_map=status_map)
    before = snapshot(database)
    report = run_import(
        database, fixture(file_name), status_map=status_map, on_duplicate=OnDuplicate.SKIP
    )
    assert (report.imported, report.skipped, report.problems) == (0, 3, [])
    assert snapshot(database) == before


def test_second_import_with_update_changes_fields_and_status_but_not_the_owner(database):
    file_name, status_map, _expected = SOURCES["odoo"]
    first = run_import(database, fixture(file_name), status_map=status_map)
    changed = (
        fixture(file_name)
        .replace(b'"Renewal 2027","","Sampo Oy"', b'"Renewal 2028","","Sampo Group Oy"')
        .replace(b'"Qualified","Jane Doe"', b'"Won","John Smith"')
        .replace(b"\n", b"\n", 1)
    )
    # A new row in the second file is imported as a new lead next to the updates.
    changed += b'"__export__.crm_lead_44_1234abcd","Fresh one","","","","","New","Sam Field",""\n'
    with database.read() as session:
        versions = dict(session.execute(select(Lead.external_id, Lead.version)).all())
    report = run_import(database, changed, status_map=status_map, on_duplicate=OnDuplicate.UPDATE)
    assert report.problems == []
    assert (report.imported, report.updated, report.owners_changed) == (1, 2, 0)
    with database.read() as session:
        leads = {
            lead.external_id: lead
            for lead in session.scalars(select(Lead).where(Lead.external_source == "odoo"))
        }
        notes = list(
            session.scalars(select(LeadNote.body).where(LeadNote.batch_id == report.batch_id))
        )
        moved = session.scalar(
            select(func.count()).where(
                PassHistory.batch_id == report.batch_id, PassHistory.from_owner_id.is_not(None)
            )
        )
        won = session.scalar(select(Status.id).where(Status.name == "WON"))
    renewal = leads["__export__.crm_lead_43_77aa01cd"]
    cafe = leads["__export__.crm_lead_42_0b9e7d11"]
    assert (renewal.name, renewal.company) == ("Renewal 2028", "Sampo Group Oy")
    assert renewal.version == versions[renewal.external_id] + 1
    assert (cafe.status_id, cafe.owner_id) == (won, user_id(database, "Jane Doe"))
    assert leads["__export__.crm_lead_41_8f2a1c3d"].version == 1  # unchanged row untouched
    assert notes == ["Status changed from OPPORTUNITY to WON by an import."]
    assert moved == 0
    assert len(leads) == 4
    assert first.batch_id != report.batch_id


def test_update_owner_moves_through_the_controller_with_history_and_email(database):
    file_name, status_map, _expected = SOURCES["hubspot"]
    run_import(database, fixture(file_name), status_map=status_map)
    changed = fixture(file_name).replace(b'"Jane Doe"', b'"Sam Field"')
    report = run_import(
        database,
        changed,
        status_map=status_map,
        on_duplicate=OnDuplicate.UPDATE,
        update_owner=True,
    )
    assert report.problems == []
    assert (report.imported, report.owners_changed) == (0, 1)
    jane, sam = user_id(database, "Jane Doe"), user_id(database, "Sam Field")
    with database.read() as session:
        history = session.execute(
            select(PassHistory.from_owner_id, PassHistory.to_owner_id).where(
                PassHistory.batch_id == report.batch_id
            )
        ).all()
        outbox = session.execute(
            select(OutboxMessage.recipient_id, OutboxMessage.lead_count).where(
                OutboxMessage.batch_id == report.batch_id
            )
        ).all()
        batch = session.get(PassBatch, report.batch_id)
    assert history == [(jane, sam)]
    assert outbox == [(sam, 1)]
    assert (batch.method, batch.lead_count) == ("import", 1)


def test_natural_key_matches_a_leaddesk_file_without_id_columns(database):
    data = (
        "name,company,email,status,owner\r\n"
        "Ölmühle press,Ölmühle GmbH,kontakt@oelmuehle.example,LEAD,John Smith\r\n"
    ).encode()
    first = run_import(database, data)
    assert first.imported == 1
    # Case is ignored for ASCII letters; other letters are compared as written.
    again = run_import(database, data.replace(b"press", b"PRESS"))
    assert again.imported == 0
    assert [p.message.split(",")[0] for p in again.problems] == [
        f"is already in LeadDesk as lead {again.matches[0][1].id} (Ölmühle press)"
    ]
    assert "matched by name, company and email" in again.problems[0].message


def test_the_database_refuses_two_leads_with_the_same_external_id(database):
    with database.write() as session:
        lead = session.scalars(select(Lead).order_by(Lead.id)).first()
        session.execute(
            text("UPDATE leads SET external_source = 'zoho', external_id = 'X1' WHERE id = :id"),
            {"id": lead.id},
        )
    with pytest.raises(IntegrityError), database.write() as session:
        session.execute(
            text(
                "UPDATE leads SET external_source = 'zoho', external_id = 'X1' "
                "WHERE id = (SELECT MAX(id) FROM leads)"
            )
        )
    with database.write() as session:  # the same id from another system is another lead
        session.execute(
            text(
                "UPDATE leads SET external_source = 'odoo', external_id = 'X1' "
                "WHERE id = (SELECT MAX(id) FROM leads)"
            )
        )


# -- the command line -----------------------------------------------------------------------


def run_cli(capsys, db_url, *args):
    code = cli.main(["--db", db_url, "import", "leads", *args, "--as", "Ada Admin"])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_cli_dry_run_prints_the_mapping_with_counts(db_url, capsys):
    code, out, err = run_cli(
        capsys,
        db_url,
        str(FIXTURES / "salesforce_leads.csv"),
        "--dry-run",
        "--map-status",
        "Open - Not Contacted=LEAD",
        "--map-status",
        "Working - Contacted=OPPORTUNITY",
        "--create-statuses",
    )
    assert (code, err) == (0, "")
    lines = out.splitlines()
    # Under the report's heading "How the file is read:", indented.
    assert lines[2:4] == [
        "How the file is read:",
        "  Recognised a Salesforce export (9 known columns).",
    ]
    assert "    Lead Owner    -> owner (Owner (email or name)), 4 value(s)" in lines
    assert "    Lead Source   (ignored), 3 value(s)" in lines
    assert "    Open - Not Contacted: 2 row(s) -> LEAD (--map-status)" in lines
    assert "    Closed - Converted: 1 row(s) -> Closed - Converted (new status)" in lines
    assert "  Owners: 1 matched by email, 3 by name, 0 refused." in lines
    assert lines[-1].startswith("  Dry run of salesforce_leads.csv (UTF-8): all 4 row(s) valid")


def test_cli_mapping_given_on_the_command_line(db_url, database, capsys, tmp_path):
    path = tmp_path / "sheet.csv"
    path.write_text(
        "Kunde;Ansprechpartner;Phase;Betreuer;Angelegt\r\n"
        "Bäckerei Schmidt;Jürgen Schmidt;Neu;john.smith@example.com;2026-03-04\r\n",
        encoding="utf-8",
    )
    code, out, err = run_cli(
        capsys,
        db_url,
        str(path),
        "--from",
        "leaddesk",
        "--map",
        "Kunde=company",
        "--map",
        "Ansprechpartner=name",
        "--map",
        "Phase=status",
        "--map",
        "Betreuer=owner",
        "--map",
        "Angelegt=created_at",
        "--map-status",
        "Neu=LEAD",
        "--json",
    )
    assert (code, err) == (0, ""), err
    result = json.loads(out)
    assert (result["imported"], result["source"]) == (1, "leaddesk")
    assert result["mapping"] == {
        "company": "Kunde",
        "name": "Ansprechpartner",
        "status": "Phase",
        "owner": "Betreuer",
        "created_at": "Angelegt",
    }
    with database.read() as session:
        lead = session.scalars(select(Lead).where(Lead.name == "Jürgen Schmidt")).one()
    assert (lead.company, lead.owner_id, lead.created_at) == (
        "Bäckerei Schmidt",
        user_id(database, "John Smith"),
        datetime(2026, 3, 4),
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--map", "Nope=name"], "--map names the column 'Nope'"),
        (["--map", "Lead Owner=boss"], "'boss' is not a LeadDesk field"),
        (["--map-status", "novalue"], 'write it as "Value=Target"'),
        (["--owner-fallback-office", "Atlantis"], "There is no office called 'Atlantis'"),
        (["--update-owner"], "--update-owner only works with --on-duplicate update"),
    ],
)
def test_cli_bad_options_are_one_line_and_change_nothing(db_url, database, capsys, args, message):
    before = full_snapshot(database)
    code, _out, err = run_cli(capsys, db_url, str(FIXTURES / "salesforce_leads.csv"), *args)
    assert code != 0
    assert message in err
    assert len(err.strip().splitlines()) == 1
    assert full_snapshot(database) == before


def test_the_link_to_the_old_system_survives_export_and_import_elsewhere(make_db_url, tmp_path):
    from leaddesk.data_io.export import export_leads
    from leaddesk.store.database import open_database

    first, second = open_database(make_db_url()), open_database(make_db_url())
    try:
        file_name, status_map, expected = SOURCES["salesforce"]
        run_import(first, fixture(file_name), status_map=status_map)
        path = tmp_path / "moved.csv"
        with first.read() as session:
            export_leads(session, actor_id=user_id(first, "Ada Admin"), path=path)
        rows = list(csv.reader(io.StringIO(path.read_text("utf-8-sig"))))
        header = rows[0]
        assert header[-4:] == ["external_source", "external_id", "created_at", "updated_at"]
        zoe = next(row for row in rows if row[0] == "Zoë Müller-Lüdenscheidt")
        assert zoe[-4:-1] == ["salesforce", "00Q5g00000AbCdEAAA", "2026-11-03 00:00:00"]

        report = run_import(second, path.read_bytes())
        assert report.problems == []
        with second.read() as session:
            moved = dict(
                session.execute(
                    select(Lead.external_id, Lead.created_at).where(
                        Lead.external_source == "salesforce"
                    )
                ).all()
            )
        assert moved == {row[0]: row[6] for row in expected}
        # The original Salesforce file now matches the leads that came via LeadDesk.
        again = run_import(second, fixture(file_name), status_map=status_map)
        assert again.imported == 0
        assert len(again.matches) == 4
    finally:
        first.dispose()
        second.dispose()


def test_cli_suitecrm_login_names_mapped_to_users(db_url, database, capsys):
    code, out, err = run_cli(
        capsys,
        db_url,
        str(FIXTURES / "suitecrm_leads.csv"),
        "--map-status",
        "New=LEAD",
        "--map-status",
        "In Process=OPPORTUNITY",
        "--map-status",
        "Converted=WON",
        "--map-owner",
        "john.smith=John Smith",
        "--map-owner",
        "jane.doe=jane.doe@example.com",
    )
    assert (code, err) == (0, ""), err
    assert "Owners: 0 matched by email, 0 by name, 3 by --map-owner, 0 refused." in out
    assert out.splitlines()[-1].startswith("  Imported 3 lead(s) from suitecrm_leads.csv (batch ")
    with database.read() as session:
        owners = sorted(
            session.scalars(
                select(User.name)
                .join(Lead, Lead.owner_id == User.id)
                .where(Lead.external_source == "suitecrm")
            )
        )
    assert owners == ["Jane Doe", "John Smith", "John Smith"]
