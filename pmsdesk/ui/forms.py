"""Entry widgets built from the domain field catalogue.

Every editor keeps exactly what was typed (a refused value is never cleared or "corrected"), says
what is allowed in its tooltip and shows a refusal in red right below itself. A :class:`FieldForm`
lays out a group of fields, reads their raw values for the domain validators and shows every
problem beside its field.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QSizePolicy,
    QStyle,
    QVBoxLayout,
    QWidget,
)

from pmsdesk.domain.fields import Field, FieldError, Kind
from pmsdesk.domain.vocab import Choice

ERROR_STYLE = "color: #b00020;"
INVALID_BORDER = "border: 2px solid #b00020; border-radius: 3px;"
MIN_CHOICE_CHARACTERS = 14  # a choice box in a narrow column shows at least this many characters


def display_text(field: Field, value: Any) -> str:
    """How a stored value is written back into an editor."""
    if value is None:
        return ""
    if isinstance(value, str):  # raw text (a restored draft) is shown exactly as it was typed
        return value
    if isinstance(value, dt.date):
        return value.isoformat()
    if field.allowed_values is not None:  # EDSS is conventionally written with one decimal
        return f"{float(value):.1f}"
    if isinstance(value, float):
        return format(Decimal(str(value)).normalize(), "f")
    return str(value)


class _PlainTextEdit(QPlainTextEdit):
    """A notes box where Tab moves on (as in every other field) instead of typing a tab."""

    def __init__(self):
        super().__init__()
        self.setTabChangesFocus(True)
        self.setFixedHeight(64)


def _widest_value(field: Field) -> str:
    """A sample of the longest value a one-line field usually holds, to size its box."""
    if field.kind is Kind.DATE:
        return "0000-00-00"
    if field.kind in (Kind.INTEGER, Kind.DECIMAL):
        digits = len(str(int(field.maximum))) if field.maximum is not None else 4
        return "0" * digits + ("." + "0" * field.decimals if field.decimals else "")
    return "0" * 10


class _ChoiceBox(QComboBox):
    """A choice box as wide as its chosen text wants where there is room; in a narrow column (the visit
    editor at 1366 px) it may shrink to MIN_CHOICE_CHARACTERS, the chosen text elided and whole on hover
    (see FieldEditor._choice_tooltip). The open list always shows every choice whole."""

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt API
        hint = super().minimumSizeHint()
        metrics = self.fontMetrics()
        widest = max((metrics.horizontalAdvance(self.itemText(i)) for i in range(self.count())), default=0)
        spare = widest - metrics.averageCharWidth() * MIN_CHOICE_CHARACTERS
        return QSize(hint.width() - max(spare, 0), hint.height()) if spare > 0 and \
            self.sizeAdjustPolicy() is QComboBox.SizeAdjustPolicy.AdjustToContents else hint


class FieldEditor(QWidget):
    """One field: its editor, a unit, and the message that refuses a bad value."""

    edited = Signal()

    def __init__(self, field: Field, parent: QWidget | None = None):
        super().__init__(parent)
        self.field = field
        self.setObjectName(f"field:{field.name}")
        self.input = self._make_input()
        self.input.setObjectName(field.name)
        self.input.setToolTip(self._tooltip())
        # What a screen reader announces: the field's full label (the form may show a shorter one under a
        # section heading), then its unit, what is allowed and any refusal (see _describe)
        self.input.setAccessibleName(field.label)
        self._describe(None)
        if isinstance(self.input, QComboBox):
            self.input.currentIndexChanged.connect(self._choice_tooltip)
        self.error = QLabel()
        self._error_for: Any = None  # the value the shown problem is about (see check)
        self.error.setStyleSheet(ERROR_STYLE)
        self.error.setWordWrap(True)
        # The message wraps in the width its field's line has: a long message never widens its column.
        self.error.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.error.setObjectName(f"error:{field.name}")
        self.error.hide()

        self.line = QHBoxLayout()
        self.line.setContentsMargins(0, 0, 0, 0)
        self._fixed_width = self.input.maximumWidth() < 10000
        # In a row of fields, a free-text box takes the width the row has; choices keep their size.
        self.grows = 1 if isinstance(self.input, QLineEdit | QPlainTextEdit) and not self._fixed_width else 0
        self.line.addWidget(self.input, 0 if self._fixed_width else 1)
        if field.unit:
            self.line.addWidget(QLabel(field.unit))
        if self._fixed_width:
            self.line.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(1)
        layout.addLayout(self.line)
        layout.addWidget(self.error)

    def add_beside(self, widget: QWidget) -> None:
        """Show ``widget`` right after the input (and its unit)."""
        position = self.line.count() - 1 if self._fixed_width else self.line.count()
        self.line.insertWidget(position, widget)

    def _choice_tooltip(self) -> None:
        """The whole chosen text first (a closed grade box shows its start only), then the hint."""
        chosen = self.input.currentText()
        self.input.setToolTip(f"{chosen}\n{self._tooltip()}" if chosen else self._tooltip())

    def _tooltip(self) -> str:
        parts = [self.field.hint] if self.field.hint else []
        parts.append("Allowed: " + self.field.allowed_text() + ".")
        return " ".join(parts)

    def _describe(self, refusal: str | None) -> None:
        parts = [f"Not accepted: {refusal}"] if refusal else []
        if self.field.unit:
            parts.append(f"Unit: {self.field.unit}.")
        parts.append("Allowed: " + self.field.allowed_text() + ".")
        self.input.setAccessibleDescription(" ".join(parts))

    def _make_input(self) -> QWidget:
        field = self.field
        if field.kind is Kind.FLAG:
            box = QCheckBox()
            box.toggled.connect(self.edited)
            return box
        if field.kind is Kind.CHOICE or field.grade_labels:
            combo = _ChoiceBox()
            combo.addItem("", None)
            if field.grade_labels:
                for grade, meaning in enumerate(field.grade_labels):
                    combo.addItem(f"{grade} \u2013 {meaning}", grade)
            else:
                for member in field.choices:
                    combo.addItem(member.label, member.value)
            combo.setMaxVisibleItems(20)
            if field.grade_labels:
                # A long grade description must not widen the form: the closed box elides it (the
                # whole text on hover, see _choice_tooltip).
                combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
                combo.setMinimumContentsLength(16)
            else:  # a choice ("Bilateral (two canes or crutches)") is seen whole where there is room
                combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
            widest = max(combo.fontMetrics().horizontalAdvance(combo.itemText(i)) for i in range(combo.count()))
            scrollbar = combo.style().pixelMetric(QStyle.PixelMetric.PM_ScrollBarExtent)
            combo.view().setMinimumWidth(widest + 2 * scrollbar)  # the open list shows every choice whole
            combo.currentIndexChanged.connect(self.edited)
            return combo
        if field.kind is Kind.TEXT and (field.max_length or 0) > 300:
            notes = _PlainTextEdit()
            notes.textChanged.connect(self.edited)
            return notes
        line = QLineEdit()
        if field.kind is Kind.DATE:
            line.setPlaceholderText("YYYY-MM-DD")
            line.setMaximumWidth(130)
        elif field.kind in (Kind.INTEGER, Kind.DECIMAL):
            line.setMaximumWidth(100)
        # Never narrower than a full value: a message beside the field wraps, it does not squeeze the box.
        line.setMinimumWidth(line.fontMetrics().horizontalAdvance(_widest_value(field)) + 20)
        line.textEdited.connect(self.edited)
        line.editingFinished.connect(self.check)
        return line

    # ----- values ---------------------------------------------------------------------------
    def raw(self) -> Any:
        """What the person entered, untouched (text for typed fields)."""
        widget = self.input
        if isinstance(widget, QCheckBox):
            return widget.isChecked()
        if isinstance(widget, QComboBox):
            return widget.currentData()
        if isinstance(widget, QPlainTextEdit):
            return widget.toPlainText()
        return widget.text()

    def set_value(self, value: Any) -> None:
        widget = self.input
        if isinstance(widget, QCheckBox):
            widget.setChecked(bool(value))
        elif isinstance(widget, QComboBox):
            stored = value.value if isinstance(value, Choice) else value
            index = widget.findData(stored)
            widget.setCurrentIndex(max(index, 0))
        elif isinstance(widget, QPlainTextEdit):
            widget.setPlainText(value or "")
        else:
            widget.setText(display_text(self.field, value))
        self.show_error(None)

    def parsed(self) -> Any:
        """The clean value, or None when blank or refused."""
        try:
            return self.field.parse(self.raw())
        except FieldError:
            return None

    # ----- messages -------------------------------------------------------------------------
    def check(self) -> bool:
        """Check this field alone (as the person leaves it); required-ness waits for the save. A problem
        the save found with the value as it still is (a treatment number already used) stays shown."""
        raw = self.raw()
        if self.error.text() and raw == self._error_for:
            try:
                self.field.parse(raw)
                return True
            except FieldError:
                pass
        if raw in (None, "") or (isinstance(raw, str) and not raw.strip()):
            self.show_error(None)
            return True
        try:
            self.field.parse(raw)
        except FieldError as error:
            self.show_error(str(error))
            return False
        self.show_error(None)
        return True

    def show_error(self, message: str | None) -> None:
        self._error_for = self.raw() if message else None  # the value the message is about
        self.error.setText(message or "")
        self.error.setVisible(bool(message))
        self._describe(message)
        self.input.setStyleSheet(INVALID_BORDER if message else "")


class FieldForm(QWidget):
    """A labelled group of field editors whose keys may carry a prefix ("t25fw.").

    ``rows`` puts several fields on one line (``("trial1_s", "trial2_s")``): the first field's label
    labels the line, the others are labelled inline, and their messages wrap under the whole line (under
    each narrow box they would need many lines). Fields in no row get a line of their own.
    """

    edited = Signal()

    def __init__(self, fields: Iterable[Field], *, prefix: str = "", parent: QWidget | None = None,
                 labels: Mapping[str, str] | None = None, rows: Iterable[tuple[str, ...]] = ()):
        super().__init__(parent)
        self.prefix = prefix
        self.layout_ = QFormLayout(self)
        self.layout_.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.layout_.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
        self.editors: dict[str, FieldEditor] = {}
        self._rows: dict[str, QHBoxLayout] = {}
        self._placed: dict[str, QWidget] = {}  # the widget holding each field's line in the form
        labels = labels or {}
        row_of = {name: row for row in rows for name in row}
        for field in fields:
            editor = FieldEditor(field)
            editor.edited.connect(self.edited)
            self.editors[prefix + field.name] = editor
            label = labels.get(field.name, field.label) + ("\u2009*" if field.required else "")
            row = row_of.get(field.name)
            if row is None:
                self.layout_.addRow(label, editor)
                self._placed[prefix + field.name] = editor
            elif field.name == row[0]:
                line = QWidget()
                under = QVBoxLayout(line)  # the fields' line, then their messages
                under.setContentsMargins(0, 0, 0, 0)
                under.setSpacing(1)
                line_layout = QHBoxLayout()
                line_layout.setSpacing(line.style().pixelMetric(QStyle.PixelMetric.PM_LayoutHorizontalSpacing))
                line_layout.addWidget(editor, editor.grows)
                line_layout.addStretch(1)
                under.addLayout(line_layout)
                under.addWidget(editor.error)
                self.layout_.addRow(label, line)
                for name in row:
                    self._rows[prefix + name] = line_layout
                    self._placed[prefix + name] = line
            else:
                line_layout = self._rows[prefix + field.name]
                line_layout.insertWidget(line_layout.count() - 1, self._inline(QLabel(label), editor), 0,
                                         Qt.AlignmentFlag.AlignTop)
                line_layout.insertWidget(line_layout.count() - 1, editor, editor.grows)
                self._placed[prefix + field.name].layout().addWidget(editor.error)

    @staticmethod
    def _inline(label: QLabel, editor: FieldEditor) -> QLabel:
        """A label on a field's line, level with the input (an error message may grow the line below)."""
        label.setFixedHeight(editor.input.sizeHint().height())
        label.setAlignment(Qt.AlignmentFlag.AlignVCenter)
        return label

    def add_to_row(self, key: str, widget: QWidget) -> None:
        """Show ``widget`` at the end of the line holding field ``key`` (a computed mean, say)."""
        if isinstance(widget, QLabel):
            self._inline(widget, self.editors[key])
        line_layout = self._rows.get(key)
        if line_layout is None:
            self.editors[key].add_beside(widget)
        else:
            line_layout.insertWidget(line_layout.count() - 1, widget, 0, Qt.AlignmentFlag.AlignTop)

    def add_line_after(self, key: str, widget: QWidget) -> None:
        """Show ``widget`` on a line of its own, across the form, under the line holding field ``key``."""
        row, _role = self.layout_.getWidgetPosition(self._placed[key])
        self.layout_.insertRow(row + 1, widget)

    def editor(self, key: str) -> FieldEditor:
        return self.editors[key]

    def raw_values(self) -> dict[str, Any]:
        return {key: editor.raw() for key, editor in self.editors.items()}

    def set_values(self, values: Mapping[str, Any]) -> None:
        for key, editor in self.editors.items():
            editor.set_value(values.get(key))

    def show_problems(self, problems: Mapping[str, list[str]]) -> list[FieldEditor]:
        """Show each field's problems beside it (clearing the others); returns the editors with problems."""
        flagged = []
        for key, editor in self.editors.items():
            messages = problems.get(key)
            editor.show_error(" ".join(messages) if messages else None)
            if messages:
                flagged.append(editor)
        return flagged


def problems_by_field(problems) -> dict[str, list[str]]:
    grouped: dict[str, list[str]] = {}
    for problem in problems:
        grouped.setdefault(problem.field, []).append(problem.message)
    return grouped
