"""The course editor's account of the chosen protocol template (issue 19): its doses, assessments,
visit window (said to be a clinic choice when the source publishes none) and citation."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel

from pmsdesk.domain.assessments.model import REGISTRY
from pmsdesk.domain.protocols import SEED_PROTOCOLS, ProtocolTemplate
from pmsdesk.ui.forms import FieldForm

_BY_KEY = {p.key: p for p in SEED_PROTOCOLS}


def _titles(keys) -> str:
    return ", ".join(REGISTRY.get(key).short_title for key in keys)


def template_summary(protocol: ProtocolTemplate) -> str:
    lines = [f"Doses: {protocol.doses.describe()}; {protocol.product.rstrip('.')}."]
    lines += [f"Month {s.month}: {_titles(s.assessments)}" + (f" ({s.note})" if s.note else "")
              for s in protocol.assessments]
    if protocol.at_every_dose:
        lines.append(f"At every dose: {_titles(protocol.at_every_dose)}")
    window = protocol.window
    lines.append(f"Window: \u2212{window.days_before}/+{window.days_after} days"
                 + ("" if window.published else f". {window.basis}"))
    lines.append(f"Source: {protocol.citation.text()}")
    return "\n".join(lines)


def attach_template_summary(form: FieldForm) -> QLabel:
    """A line under the form's 'Protocol template' choice that follows the choice (empty when none)."""
    label = QLabel()
    label.setObjectName("protocol_template_summary")
    label.setWordWrap(True)
    box = form.editor("protocol_template").input

    def follow() -> None:
        protocol = _BY_KEY.get(form.editor("protocol_template").raw() or "")
        label.setText(template_summary(protocol) if protocol else "")
        label.setVisible(protocol is not None)

    box.currentIndexChanged.connect(follow)
    form.add_line_after("protocol_template", label)
    follow()
    return label
