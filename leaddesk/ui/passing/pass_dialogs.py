"""The pass flow the help article describes, shared by every drop and menu in the window.

confirmation ("are you sure?", with how many leads, from whom, to whom) -> note dialog
(Submit a note, or "Pass without note") -> the pass runs on the operation runner (off
the GUI thread; a progress dialog for big batches) -> "Lead pass successful", or a clear
message when the controller refuses. The views refresh from ``runner.changed``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QProgressDialog,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.orm import Session

from leaddesk.reassignment.controller import (
    assign_from_bucket,
    pass_leads,
    preview_pass,
    undo_batch,
)
from leaddesk.reassignment.requests import PassPreview, PassResult, Target, TargetKind
from leaddesk.reassignment.undo_rules import last_undoable_batch
from leaddesk.store.models import NOTE_MAX_LENGTH
from leaddesk.ui.common.context import WindowContext
from leaddesk.ui.common.feedback import ask_yes_no, show_outcome
from leaddesk.ui.passing.note_field import NoteField
from leaddesk.ui.passing.pass_source import PassSource, SourceKind

# From this many leads on, a progress dialog says the pass is running (smaller passes
# finish before anyone could read it).
BIG_BATCH = 500


class PassNoteDialog(QDialog):
    """``passNoteDialog``: accept = Submit (with the note), reject = "Pass without note"."""

    def __init__(self, count: int, target_name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("passNoteDialog")
        self.setWindowTitle("Add a note")
        self.setModal(True)
        intro = QLabel(
            f"Add a note for {target_name}. It is added to "
            f"{'the lead' if count == 1 else f'all {count:,} leads'} and sent in the email "
            "notification. “Pass without note” passes with none.",
            self,
        )
        intro.setObjectName("passNoteIntro")
        intro.setWordWrap(True)
        self.field = NoteField(f"Note (optional, up to {NOTE_MAX_LENGTH:,} characters)", self)
        self.note_edit = self.field.edit
        self.buttons = QDialogButtonBox(self)
        self.submit = self.buttons.addButton("Submit", QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.addButton(
            "Pass without note", QDialogButtonBox.ButtonRole.RejectRole
        ).setObjectName("passWithoutNoteButton")
        self.submit.setObjectName("submitNoteButton")
        self.submit.setDefault(True)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.field.validity_changed.connect(self.submit.setEnabled)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.field, 1)
        layout.addWidget(self.buttons)
        self.resize(480, 300)
        self.note_edit.setFocus()

    def accept(self) -> None:
        # Refuse an over-long note here (the counter already shows it in red) rather than
        # letting the controller refuse the whole pass afterwards.
        if not self.field.is_valid():
            return
        super().accept()

    def note(self) -> str:
        return self.field.text().strip() if self.result() == QDialog.DialogCode.Accepted else ""


def ask_note(count: int, target_name: str, parent: QWidget | None) -> str:
    dialog = PassNoteDialog(count, target_name, parent)
    dialog.exec()
    note = dialog.note()
    dialog.deleteLater()
    return note


class PassFlow(QObject):
    """One pass in flight; ``finished`` carries the PassResult, or None if it failed."""

    finished = Signal(object)


def _describe(preview: PassPreview, source: PassSource) -> str:
    count = preview.count
    what = "1 lead" if count == 1 else f"{count:,} leads"
    if source.kind is SourceKind.STATUS and source.label:
        what = f"{what} ({source.label})"
    origin = ", ".join(preview.source_names) or "?"
    return f"Pass {what} from {origin} to {preview.target_name}?"


def confirmation_detail(preview: PassPreview, target: Target) -> str:
    """The line under the question: one lead "goes", several "go"."""
    where = _target_phrase(target, preview.target_name)
    if preview.count == 1:
        detail = f"The lead goes to {where}; Edit > Undo pass puts it back."
    else:
        detail = (
            f"The {preview.count:,} leads go to {where} as one batch; "
            "Edit > Undo pass puts them back."
        )
    if preview.unwatched_bucket:
        nobody = "no office manager" if target.kind is TargetKind.OFFICE else "no members"
        waiting = (
            "the lead waits until someone takes it"
            if preview.count == 1
            else "the leads wait until someone takes them"
        )
        detail += (
            f"\n\nNobody watches that bucket: {preview.target_name} has {nobody} and no rule "
            f"assigns its leads, so no one is emailed and {waiting}."
        )
    return detail


def _target_phrase(target: Target, name: str) -> str:
    if target.kind is TargetKind.USER:
        return name
    return f"the Leads to be Assigned bucket of {name}"


def run_pass_flow(
    context: WindowContext,
    source: PassSource,
    target: Target,
    parent: QWidget | None,
    *,
    on_finished: Callable[[PassResult | None], None] | None = None,
    on_checked: Callable[[], None] | None = None,
) -> None:
    """Read the preview off the GUI thread, then confirm, ask for the note, and pass.

    Over a slow link the preview is several round trips; the window keeps painting while it
    is read (and says so until ``on_checked``, called when the preview's answer or error
    arrives, before any dialog opens). A newer drop replaces an older one still being
    previewed (its answer is dropped).
    """
    selection = source.selection()
    actor_id = context.actor_id

    def read(session: Session) -> PassPreview:
        return preview_pass(session, actor_id=actor_id, selection=selection, target=target)

    def refused(message: str, _exc: BaseException) -> None:
        if on_checked is not None:
            on_checked()
        show_outcome(parent, "passErrorDialog", "Lead pass refused", message, error=True)
        # The view the drag came from may be stale (for example, after a conflict).
        context.runner.changed.emit()

    def previewed(preview: PassPreview) -> None:
        if on_checked is not None:
            on_checked()
        _confirm_and_start(context, source, target, preview, parent, on_finished)

    # The answer is for ``parent``: once that window is gone, no dialog opens for it.
    context.runner.query(read, previewed, on_error=refused, key="pass-preview", receiver=parent)


def _confirm_and_start(
    context: WindowContext,
    source: PassSource,
    target: Target,
    preview: PassPreview,
    parent: QWidget | None,
    on_finished: Callable[[PassResult | None], None] | None,
) -> PassFlow | None:
    if preview.count == 0:
        show_outcome(
            parent,
            "passErrorDialog",
            "Nothing to pass",
            f"There are no leads in {source.label or 'the selection'} any more; nothing was "
            "passed.",
            error=True,
        )
        context.runner.changed.emit()
        return None
    question = _describe(preview, source)
    if not ask_yes_no(
        parent, "confirmPassDialog", "Pass leads", question, confirmation_detail(preview, target)
    ):
        return None
    note = ask_note(preview.count, preview.target_name, parent)
    return _start(context, source, target, note, preview, parent, on_finished)


def _start(
    context: WindowContext,
    source: PassSource,
    target: Target,
    note: str,
    preview: PassPreview,
    parent: QWidget | None,
    on_finished: Callable[[PassResult | None], None] | None,
) -> PassFlow:
    flow = PassFlow(parent)
    progress = _progress(parent, preview.count) if preview.count >= BIG_BATCH else None

    def work(session: Session) -> PassResult:
        if source.kind is SourceKind.BUCKET_LEADS and target.kind is TargetKind.USER:
            return assign_from_bucket(
                session,
                actor_id=context.actor_id,
                leads=source.leads,
                user_id=target.id,
                note=note,
            )
        return pass_leads(
            session,
            actor_id=context.actor_id,
            selection=source.selection(),
            target=target,
            note=note,
            method=source.method(),
        )

    def succeeded(result: PassResult) -> None:
        _close(progress)
        moved = "1 lead" if result.moved == 1 else f"{result.moved:,} leads"
        told = (
            f" {result.target_name} gets an email with your note."
            if target.kind is TargetKind.USER and note
            else ""
        )
        show_outcome(
            parent,
            "passDoneDialog",
            "Lead pass successful",
            "Lead pass successful.",
            detail=f"{moved} passed to {_target_phrase(target, result.target_name)}.{told}",
        )
        _finish(flow, result, on_finished)

    def failed(message: str, _exc: BaseException) -> None:
        _close(progress)
        show_outcome(
            parent,
            "passErrorDialog",
            "Lead pass refused",
            message,
            error=True,
            detail="Nothing was passed. The view now shows the current state.",
        )
        _finish(flow, None, on_finished)

    context.runner.run(work, on_success=succeeded, on_error=failed)
    return flow


def _finish(
    flow: PassFlow,
    result: PassResult | None,
    on_finished: Callable[[PassResult | None], None] | None,
) -> None:
    if on_finished is not None:
        on_finished(result)
    flow.finished.emit(result)
    flow.deleteLater()


def _progress(parent: QWidget | None, count: int) -> QProgressDialog:
    dialog = QProgressDialog(f"Passing {count:,} leads…", "", 0, 0, parent)
    dialog.setObjectName("passProgressDialog")
    dialog.setWindowTitle("Passing leads")
    dialog.setCancelButton(None)  # a pass is one transaction: it cannot stop half way
    dialog.setWindowModality(Qt.WindowModality.WindowModal)
    dialog.setMinimumDuration(0)
    dialog.setAutoClose(False)
    dialog.setAutoReset(False)
    dialog.show()
    return dialog


def _close(progress: QProgressDialog | None) -> None:
    if progress is not None:
        progress.close()
        progress.deleteLater()


def run_undo_flow(
    context: WindowContext,
    parent: QWidget | None,
    *,
    on_finished: Callable[[Any], None] | None = None,
) -> None:
    """Edit > Undo pass: read the actor's last batch off the GUI thread, then undo it after
    the same kind of confirmation (the undo itself runs on the write lane)."""
    actor_id = context.actor_id

    def read(session: Session) -> tuple[int, int, datetime] | None:
        batch = last_undoable_batch(session, actor_id=actor_id)
        return None if batch is None else (batch.id, batch.lead_count, batch.created_at)

    def refused(message: str, _exc: BaseException) -> None:
        show_outcome(parent, "passErrorDialog", "Undo refused", message, error=True)

    def offered(info: tuple[int, int, datetime] | None) -> None:
        _confirm_undo(context, info, parent, on_finished)

    context.runner.query(read, offered, on_error=refused, key="undo-pass", receiver=parent)


def _confirm_undo(
    context: WindowContext,
    info: tuple[int, int, datetime] | None,
    parent: QWidget | None,
    on_finished: Callable[[Any], None] | None,
) -> None:
    if info is None:
        show_outcome(parent, "nothingToUndoDialog", "Undo pass", "You have no pass to undo.")
        return
    batch_id, count, when = info
    what = "1 lead" if count == 1 else f"{count:,} leads"
    if not ask_yes_no(
        parent,
        "confirmPassDialog",
        "Undo pass",
        f"Undo pass {batch_id} of {when:%Y-%m-%d %H:%M}: put its {what} back where they were?",
        "This is refused if any of those leads changed since the pass.",
    ):
        return
    flow = PassFlow(parent)

    def succeeded(result: PassResult) -> None:
        show_outcome(
            parent,
            "passDoneDialog",
            "Pass undone",
            "Pass undone.",
            detail=f"{result.moved:,} lead(s) are back with their previous owners.",
        )
        _finish(flow, result, on_finished)

    def failed(message: str, _exc: BaseException) -> None:
        show_outcome(
            parent,
            "passErrorDialog",
            "Undo refused",
            message,
            error=True,
            detail="Nothing was changed.",
        )
        _finish(flow, None, on_finished)

    context.runner.run(
        lambda session: undo_batch(session, actor_id=context.actor_id, batch_id=batch_id),
        on_success=succeeded,
        on_error=failed,
    )
