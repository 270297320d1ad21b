"""A field's message never widens its form (pmsdesk.ui.forms): it wraps in the width its line has, the
messages of a row of fields under the whole row; a long choice may shrink in a narrow column, whole on
hover and in the open list. The layout test (tests/ui/test_layout.py) checks whole screens."""

from __future__ import annotations

from pmsdesk.domain.assessments.timed import T25FW_FIELDS
from pmsdesk.domain.vocab import WalkingAid
from pmsdesk.ui.forms import MIN_CHOICE_CHARACTERS, FieldForm

MESSAGE = ("T25FW trial 1: this value is not allowed; enter a number from 0 to 180 s with at most 2 decimal "
           "places, as the stopwatch showed it")


def test_messages_under_a_row_of_fields_wrap_in_the_row_and_never_widen_the_form(qtbot):
    form = FieldForm(T25FW_FIELDS, rows=[("trial1_s", "trial2_s"), ("walking_aid", "more_than_two_attempts")])
    qtbot.addWidget(form)
    form.show()
    narrowest = form.minimumSizeHint().width()
    form.show_problems({name: [MESSAGE] for name in form.editors})
    qtbot.wait(10)
    assert form.minimumSizeHint().width() <= narrowest + 4  # a refused box's red border, no more
    form.resize(form.minimumSizeHint().width(), form.heightForWidth(form.minimumSizeHint().width()))
    qtbot.wait(10)
    first, second = form.editor("trial1_s"), form.editor("trial2_s")
    assert first.error.isVisible() and second.error.isVisible()
    assert first.error.parentWidget() is second.error.parentWidget(), "both messages under the row"
    assert first.error.width() > first.input.width() * 2, "wrapped in the row's width, not the trial box's"
    for editor in (first, second):
        assert editor.error.height() >= editor.error.heightForWidth(editor.error.width()) - 2


def test_a_long_choice_shrinks_in_a_narrow_column_whole_on_hover_and_in_the_open_list(qtbot):
    form = FieldForm(T25FW_FIELDS)
    qtbot.addWidget(form)
    aid = form.editor("walking_aid")
    longest = max(WalkingAid, key=lambda member: len(member.label))
    aid.set_value(longest.value)
    box = aid.input
    needed = box.fontMetrics().horizontalAdvance(longest.label)
    assert box.minimumSizeHint().width() < needed
    assert box.minimumSizeHint().width() >= box.fontMetrics().averageCharWidth() * MIN_CHOICE_CHARACTERS
    assert box.sizeHint().width() > needed, "where there is room, the choice is seen whole"
    assert box.toolTip().split("\n")[0] == longest.label
    assert box.view().minimumWidth() > needed
