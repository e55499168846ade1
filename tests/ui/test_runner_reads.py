"""The runner's read lane: reads run off the GUI thread, answer on it, and stale answers drop."""

from __future__ import annotations

import threading

import shiboken6
from PySide6.QtCore import QThread
from PySide6.QtWidgets import QApplication
from sqlalchemy import event, func, select

from leaddesk.errors import DatabaseUnavailableError, InvalidInputError
from leaddesk.store.models import Lead
from leaddesk.ui.common.operations import OperationRunner


def count_leads(session) -> int:
    return session.scalar(select(func.count()).select_from(Lead))


def test_a_read_runs_off_the_gui_thread_and_answers_on_it(qtbot, database):
    runner = OperationRunner(database)
    threads: dict[str, QThread] = {}
    answers: list[int] = []

    def read(session) -> int:
        threads["read"] = QThread.currentThread()
        return count_leads(session)

    def done(result: int) -> None:
        threads["done"] = QThread.currentThread()
        answers.append(result)

    with qtbot.assertNotEmitted(runner.changed), qtbot.assertNotEmitted(runner.busy_changed):
        runner.query(read, done)
        qtbot.waitUntil(lambda: bool(answers), timeout=10_000)
    gui = QApplication.instance().thread()
    assert threads["read"] is not gui
    assert threads["done"] is gui
    with database.read() as session:
        assert answers == [count_leads(session)]
    runner.wait_idle()


def test_a_newer_read_under_the_same_key_drops_the_older_answer(qtbot, database):
    runner = OperationRunner(database)
    release_first = threading.Event()
    answers: list[str] = []

    def slow_read(session) -> str:
        # Held until the newer read has answered: the older answer arrives last.
        release_first.wait(10)
        return "first"

    runner.query(slow_read, answers.append, key="owners")
    runner.query(lambda session: "second", answers.append, key="owners")
    qtbot.waitUntil(lambda: answers == ["second"], timeout=10_000)
    release_first.set()
    runner.wait_idle()
    QApplication.processEvents()
    assert answers == ["second"]


def test_reads_under_other_keys_all_answer(qtbot, database):
    runner = OperationRunner(database)
    answers: list[str] = []
    runner.query(lambda session: "owners", answers.append, key="owners")
    runner.query(lambda session: "targets", answers.append, key="targets")
    qtbot.waitUntil(lambda: sorted(answers) == ["owners", "targets"], timeout=10_000)
    runner.wait_idle()


def test_a_forgotten_key_drops_its_answer(qtbot, database):
    runner = OperationRunner(database)
    release = threading.Event()
    answers: list[str] = []

    def held(session) -> str:
        release.wait(10)
        return "late"

    runner.query(held, answers.append, key="lead 7")
    runner.forget_reads("lead 7")
    release.set()
    runner.wait_idle()
    QApplication.processEvents()
    assert answers == []


def test_a_failed_read_answers_with_one_sentence(qtbot, database):
    runner = OperationRunner(database)
    errors: list[str] = []

    def refused(session) -> None:
        raise InvalidInputError("There is no lead 999.")

    runner.query(refused, lambda _result: None, on_error=lambda text, _exc: errors.append(text))
    qtbot.waitUntil(lambda: bool(errors), timeout=10_000)
    assert errors == ["There is no lead 999."]
    runner.wait_idle()


def test_a_read_does_not_wait_behind_a_running_write(qtbot, database):
    runner = OperationRunner(database)
    release_write = threading.Event()
    answers: list[int] = []

    def long_write(session) -> None:
        release_write.wait(10)

    runner.run(long_write)
    runner.query(count_leads, answers.append)
    try:
        qtbot.waitUntil(lambda: bool(answers), timeout=10_000)
        assert runner.busy  # the write was still running when the read answered
    finally:
        release_write.set()
        runner.wait_idle()
    qtbot.waitUntil(lambda: not runner.busy, timeout=10_000)


def test_an_unreachable_answer_after_the_runner_was_deleted_is_dropped(qtbot, database):
    """A window switched away (deleted on close) can still have a failed read's answer queued
    for the GUI thread; it must not raise in the event loop."""
    runner = OperationRunner(database)
    failures: list[str] = []

    def unreachable(_session) -> None:
        raise DatabaseUnavailableError("The database server cannot be reached.")

    runner.query(unreachable, lambda _result: None, on_error=lambda m, _e: failures.append(m))
    runner.wait_idle()  # the answer is now queued for the GUI thread
    shiboken6.delete(runner)
    qtbot.waitUntil(lambda: bool(failures), timeout=10_000)
    assert failures == ["The database server cannot be reached."]


def test_a_read_answers_before_its_closing_rollback(qtbot, database):
    """Behind a slow link a read's closing ROLLBACK is a round trip of its own: the answer
    is handed to the GUI thread first, and the ROLLBACK follows while it is shown."""
    runner = OperationRunner(database)
    answered = threading.Event()
    answered_before_rollback: list[bool] = []

    def closing(_connection) -> None:
        if threading.current_thread() is not threading.main_thread():
            answered_before_rollback.append(answered.wait(5))

    event.listen(database.engine, "rollback", closing)
    try:
        runner.query(count_leads, lambda _count: answered.set())
        qtbot.waitUntil(answered.is_set, timeout=10_000)
        assert runner.wait_idle()
    finally:
        event.remove(database.engine, "rollback", closing)
    assert answered_before_rollback == [True]
