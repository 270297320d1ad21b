"""Confirmed-event labels on the report's charts never print over each other, the dots, the relapse
marks or the frame, however close the events are (their boxes computed from the drawing)."""

from __future__ import annotations

import dataclasses
import itertools

import pytest
from report_samples import history, report_data
from reportlab.graphics.shapes import String
from reportlab.pdfbase.pdfmetrics import stringWidth

from pmsdesk.domain.scoring import EventKind
from pmsdesk.reports.charts import EVENT_ASCENT, EVENT_DESCENT, place_labels, trajectory_chart


def _boxes(drawing, texts):
    boxes = []
    for item in drawing.contents:
        if isinstance(item, String) and item.text in texts:
            width = stringWidth(item.text, item.fontName, item.fontSize)
            left = {"start": item.x, "middle": item.x - width / 2, "end": item.x - width}[item.textAnchor]
            boxes.append((left, item.y - EVENT_DESCENT, left + width, item.y + EVENT_ASCENT))
    return boxes


def _overlap(a, b) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


@pytest.mark.parametrize("crowd", [2, 3, 5])
def test_close_events_stagger_their_labels(crowd):
    series = report_data(history()).series  # with its relapse (an "R" at the top)
    edss = series.measures["edss"]
    (event, *_rest) = edss.events
    # events at the first `crowd` visits, a few weeks apart: their labels would print on top of each other
    events = tuple(dataclasses.replace(event, onset=point, kind=(EventKind.CDW, EventKind.CDI)[n % 2])
                   for n, point in enumerate(edss.completed[:crowd]))
    series.measures["edss"] = dataclasses.replace(edss, events=events)
    width, height = 170, 108
    drawing = trajectory_chart(series, "edss", (), edss.completed[-1].visit_id, width, height)
    labels = _boxes(drawing, {"CDW", "CDI"})
    assert len(labels) == crowd
    for a, b in itertools.combinations(labels, 2):
        assert not _overlap(a, b), (a, b)
    relapses = _boxes(drawing, {"R"})
    assert relapses and not any(_overlap(label, r) for label in labels for r in relapses)
    assert all(0 <= box[0] and box[2] <= width and box[3] <= drawing.height for box in labels)


def test_a_label_keeps_its_place_when_it_is_free_and_moves_when_not():
    frame = (0, 0, 200, 100)
    (alone,) = place_labels([(50, 40, 20)], [], frame)
    assert alone == (40, 40 - EVENT_DESCENT, 60, 40 + EVENT_ASCENT)
    first, second = place_labels([(50, 40, 20), (52, 40, 20)], [], frame)
    assert first == alone and not _overlap(first, second) and second[1] > first[1]  # stepped up
    (at_top,) = place_labels([(50, 97, 20)], [], frame)
    assert at_top[3] <= 99  # inside the frame
