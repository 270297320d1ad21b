"""What the signed-in person may use, decided in one place: :func:`allow`.

The rules themselves live in :mod:`pmsdesk.domain.permissions` and the services enforce them; a
screen only greys out what the service would refuse anyway, and says why (tooltip and status tip:
the sentence of the refusal), so nobody is left wondering why a button does nothing.
"""

from __future__ import annotations

from PySide6.QtGui import QAction
from PySide6.QtWidgets import QWidget

from pmsdesk.domain.permissions import Action, Actor

_OWN_TIP = "pmsdesk_own_tip"  # the tooltip a widget had before allow() first changed it


def allow(target: QAction | QWidget, actor: Actor, action: Action, *, also: bool = True, otherwise: str = "") -> bool:
    """Enable ``target`` when ``actor`` may do ``action`` and ``also`` holds (e.g. "a patient is open").

    When the role may not, the tooltip and status tip give the reason (the refusal's sentence); when
    only ``also`` fails they give ``otherwise``; when allowed, the target's own tooltip comes back.
    Returns whether the role may do the action."""
    permitted = actor.may(action)
    target.setEnabled(permitted and also)
    own = target.property(_OWN_TIP)
    if own is None:
        own = target.toolTip() if isinstance(target, QWidget) else ""
        target.setProperty(_OWN_TIP, own)
    if not permitted:
        tip = action.value
    elif not also and otherwise:
        tip = otherwise
    else:
        tip = own
    target.setToolTip(tip)
    target.setStatusTip(tip)
    return permitted
