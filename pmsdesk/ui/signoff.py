"""The visit editor's sign-off controls: Sign (neurologists), Amend\u2026 (a signed visit, with a
reason), History\u2026 (the visit's audit trail), and the read-only state of a signed visit; and the
signature dialog the editor and the review desk share: what is signed, what the signature means, the
signer's password once. The services enforce every rule; these controls only show what is possible
and say why not."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from pmsdesk.domain.permissions import Action, Actor
from pmsdesk.domain.refusals import Refusal
from pmsdesk.domain.signatures import DEFAULT_MEANING, SignatureMeaning
from pmsdesk.domain.vocab import VisitStatus
from pmsdesk.services.review import signature_text
from pmsdesk.ui.audit_viewer import HistoryDialog
from pmsdesk.ui.operations import guarded
from pmsdesk.ui.permissions import allow

if TYPE_CHECKING:
    from pmsdesk.ui.visit_editor import VisitEditor


class SignatureDialog(QDialog):
    """Sign one or several visits: names what is signed and who signs, states each meaning a signature
    can have (one chosen), and asks the signer's password once. ``sign(meaning, password)`` does the
    signing; a refusal (a wrong password, a locked account) is shown here and the dialog stays open."""

    def __init__(self, parent: QWidget | None, actor: Actor, visits: Sequence[str],
                 sign: Callable[[SignatureMeaning, str], object]):
        super().__init__(parent)
        self.setWindowTitle("Sign visit" if len(visits) == 1 else f"Sign {len(visits)} visits")
        self._sign = sign
        self.result_of_signing: object = None
        what = "this visit" if len(visits) == 1 else f"these {len(visits)} visits"
        intro = QLabel(f"You sign {what} as <b>{actor.display_name}</b>; the record will show this name, "
                       "the date and time, and the meaning you choose. A later change is an amendment with a "
                       "reason, and needs a new signature.")
        intro.setWordWrap(True)
        listed = QLabel("\n".join(visits[:12]) + (f"\n\u2026 and {len(visits) - 12} more" if len(visits) > 12 else ""))
        listed.setStyleSheet("color: #333;")
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(listed)
        layout.addWidget(QLabel("Meaning of your signature:"))
        self.meanings = QButtonGroup(self)
        for meaning in SignatureMeaning:
            choice = QRadioButton(meaning.label)
            choice.setObjectName(f"meaning_{meaning.value}")
            choice.setChecked(meaning is DEFAULT_MEANING)
            self.meanings.addButton(choice)
            choice.setProperty("meaning", meaning.value)
            layout.addWidget(choice)
        layout.addWidget(QLabel("Your password (signing asks for it again, so that only you sign in your name):"))
        self.password = QLineEdit()
        self.password.setObjectName("signature_password")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        layout.addWidget(self.password)
        self.message = QLabel()
        self.message.setObjectName("signature_message")
        self.message.setWordWrap(True)
        self.message.setStyleSheet("color: #a00000;")
        self.message.hide()
        layout.addWidget(self.message)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.sign_button = buttons.addButton("Sign", QDialogButtonBox.ButtonRole.AcceptRole)
        self.sign_button.setObjectName("signature_sign")
        buttons.accepted.connect(self.try_to_sign)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.password.setFocus()

    @property
    def meaning(self) -> SignatureMeaning:
        return SignatureMeaning(self.meanings.checkedButton().property("meaning"))

    def try_to_sign(self) -> None:
        try:
            self.result_of_signing = self._sign(self.meaning, self.password.text())
        except Refusal as refusal:
            self.password.clear()
            self.message.setText(str(refusal))
            self.message.show()
            self.password.setFocus()
            return
        self.accept()


class SignOffBar(QWidget):
    def __init__(self, editor: VisitEditor):
        super().__init__(editor)
        self.editor = editor
        self.amendment_reason: str | None = None  # set while a signed visit is being amended
        self._visit_id: int | None = None
        self.sign_button = QPushButton("Sign visit")
        self.sign_button.setObjectName("sign_visit")
        self.amend_button = QPushButton("Amend\u2026")
        self.amend_button.setObjectName("amend_visit")
        self.history_button = QPushButton("History\u2026")
        self.history_button.setObjectName("visit_history")
        self.signed_label = QLabel()  # "Signed by Dr X on 2026-11-20 14:05 \u2013 Reviewed and approved", local time
        self.signed_label.setObjectName("signed_by")
        self.signed_label.setWordWrap(True)  # at 200 % text size the line wraps rather than widening the editor
        self.sign_button.clicked.connect(self.sign)
        self.amend_button.clicked.connect(self.amend)
        self.history_button.clicked.connect(self.show_history)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.signed_label)
        for button in (self.history_button, self.amend_button, self.sign_button):
            layout.addWidget(button)
        editor.saved.connect(self._saved)


    @property
    def signed(self) -> bool:
        record = self.editor.record
        return record is not None and record.visit.status == VisitStatus.SIGNED

    @property
    def read_only(self) -> bool:
        return self.signed and self.amendment_reason is None

    def show_state(self) -> None:
        """Called whenever the editor shows a visit (loaded, saved, or a new one)."""
        record = self.editor.record
        visit_id = record.visit.id if record is not None else None
        if visit_id != self._visit_id:
            self._visit_id, self.amendment_reason = visit_id, None
        self.sign_button.setVisible(record is not None and not self.signed)
        actor = self.editor.clinic.actor
        allow(self.sign_button, actor, Action.SIGN_VISIT)
        self.amend_button.setVisible(self.read_only)
        allow(self.amend_button, actor, Action.AMEND_SIGNED_VISIT)
        self.history_button.setEnabled(record is not None)
        signature = signature_text(record.visit, self.editor.clinic.user_names()) if self.signed else ""
        self.signed_label.setText(signature)
        self.signed_label.setVisible(bool(signature))
        editor, editable = self.editor, not self.read_only
        for form in editor.forms:
            form.setEnabled(editable)
        for widget in (editor.course, editor.adverse_events):
            widget.setEnabled(editable)
        allow(editor.save_button, actor, Action.RECORD, also=editable)  # an administrator sees why not
        allow(editor.edss_form, actor, Action.EDIT_EDSS, also=editable)  # a nurse sees why it is read-only
        if self.signed:
            editor.status.setText(f"Amending (reason: {self.amendment_reason})" if self.amendment_reason
                                  else "Signed \u2013 read-only")
        editor.show_editable()  # the stopwatch, Discard, and a role that may not record

    def _saved(self, _visit_id: int) -> None:
        self.amendment_reason = None
        self.show_state()

    def sign(self) -> None:
        editor = self.editor
        if editor.dirty:
            QMessageBox.information(self, "Sign visit", "Save the visit first: a signature confirms what is saved.")
            return
        visit = editor.record.visit
        clinic = editor.clinic
        dialog = SignatureDialog(self, clinic.actor, [f"{visit.visit_date.isoformat()}  {editor.patient.display_name}"],
                                 lambda meaning, password: clinic.sign_visit(visit.id, visit.version,
                                                                             password=password, meaning=meaning))
        with guarded(self, "signing the visit", title="Visit not signed") as shown:
            signed = dialog.exec() == QDialog.DialogCode.Accepted
        if shown and signed:
            editor.open_visit(visit.id)

    def amend(self) -> None:
        reason, given = QInputDialog.getMultiLineText(
            self, "Amend a signed visit",
            "This visit is signed. Say why it must change; the reason is kept with the amendment and "
            "shown in the visit's history and on its summary:")
        if given and reason.strip():
            self.amendment_reason = reason.strip()
            self.show_state()

    def show_history(self) -> None:
        record = self.editor.record
        if record is None:
            return
        with guarded(self, "reading the visit's history", title="History") as read:
            lines = self.editor.clinic.visit_history_lines(record.visit.id)
        if read:
            HistoryDialog(f"History of the visit of {record.visit.visit_date.isoformat()}", lines, self).exec()
