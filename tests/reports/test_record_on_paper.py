"""What a printed summary must get right wherever it is filed: names in their own script, read back
from the PDF with pdftotext; the record's status (amended after signing) on every page; and no
curation note of the reference library in a medical record. Real clinic databases, real PDFs."""

from __future__ import annotations

import datetime as dt
import inspect
import re
import subprocess
import unicodedata

import pytest
from people import signed
from pdf_reading import pdf_pages, pdf_text, printed_name, word_boxes
from report_samples import history, report_data
from sample_data import PATIENT, TODAY

from pmsdesk.cli import main
from pmsdesk.domain.permissions import Actor, Role
from pmsdesk.domain.references import load_reference_library
from pmsdesk.reports.assemble import ReportAssembler
from pmsdesk.reports.content import is_curation_note
from pmsdesk.reports.visit_report import batch_report_pdf, visit_report_pdf
from pmsdesk.services.clinic import Clinic
from pmsdesk.services.accounts import Accounts
from pmsdesk.store.database import Database

NAMES = {  # script: (family name, given names), as a clinic would store them
    "Hebrew": ("כהן", "נועה"),
    "Arabic": ("الحسيني", "نور الهدى"),  # two joined words, one of them with a lam-alef
    "Cyrillic": ("Смирнова", "Анна Сергеевна"),
    "Greek": ("Παπαδοπούλου", "Ελένη"),
    "German": ("Weiß", "Jürgen"),
}
# pdftotext marks right-to-left runs with embedding controls (U+202A..U+202E, U+2066..U+2069).
_BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")


@pytest.fixture(scope="module")
def named_clinic(tmp_path_factory):
    """A clinic database with one patient per script, each with a baseline and a follow-up visit."""
    path = tmp_path_factory.mktemp("scripts") / "clinic.sqlite3"
    database = Database.open(str(path))
    clinic = Clinic(database, today=lambda: TODAY)
    visits = {}
    for number, (script, (family, given)) in enumerate(NAMES.items(), start=1):
        patient = clinic.create_patient({**PATIENT, "clinic_id": f"MS-{number:04d}", "family_name": family,
                                         "given_names": given})
        clinic.create_visit(patient.id, {"visit_date": "2026-01-05", "kind": "baseline", "edss.edss": "4.0"})
        visits[script] = clinic.create_visit(patient.id, {"visit_date": "2026-03-02", "kind": "follow_up",
                                                          "edss.edss": "4.5"}).visit.id
    database.close()
    return path, visits


def _pdftotext(path, *options: str) -> str:
    return subprocess.run(["pdftotext", *options, str(path), "-"], check=True, capture_output=True,
                          text=True).stdout


@pytest.mark.parametrize("script", NAMES)
def test_pdftotext_gives_back_the_stored_name(named_clinic, tmp_path, script):
    path, visits = named_clinic
    output = tmp_path / "summary.pdf"
    assert main(signed(["report", str(visits[script]), "-o", str(output), "--database", str(path)])) == 0
    family, given = NAMES[script]
    # pdftotext -layout keeps each printed line together (a table's label beside its value) and gives
    # right-to-left runs back in logical order, marked with embedding controls that are not part of the
    # name (with -raw, in the order drawn, a two-word RTL name would read word-reversed).
    text = re.sub(r"[ \t]+", " ", _BIDI_CONTROLS.sub("", _pdftotext(output, "-layout")))
    text = re.sub(r"(?m)^ | $", "", text)
    for label, name in (("Family name", family), ("Given names", given)):  # the Visit column may follow
        assert re.search(rf"^{label} {re.escape(name)}( |$)", text, re.MULTILINE), (label, name)
    # Joined Arabic letters are drawn as presentation forms; the text layer maps them back to letters.
    assert not re.search("[\ufb50-\ufdff\ufe70-\ufeff]", text)
    if script in ("Cyrillic", "Greek", "German"):  # left to right: the whole name, as stored, on every page
        assert text.count(f"{family}, {given} · MS-") == text.count("\f")
    assert unicodedata.normalize("NFC", text) == text


def test_every_font_is_embedded(named_clinic, tmp_path):
    path, visits = named_clinic
    output = tmp_path / "summary.pdf"
    assert main(signed(["report", str(visits["Arabic"]), "-o", str(output), "--database", str(path)])) == 0
    fonts = subprocess.run(["pdffonts", str(output)], check=True, capture_output=True, text=True).stdout
    rows = [line.split() for line in fonts.splitlines()[2:]]
    assert rows and all("DejaVuSans" in row[0] for row in rows), fonts
    assert all(row[-5] == "yes" for row in rows), fonts  # the "emb" column


PASSWORD = "a neurologist's own password"
REASON = "EDSS mistyped at the visit: 4.5, not 5.0"


def _sign(neurologist: Clinic, visit) -> None:
    # The electronic signature asks for the signer's password again where pmsdesk has it.
    if "password" in inspect.signature(neurologist.sign_visit).parameters:
        neurologist.sign_visit(visit.id, visit.version, password=PASSWORD)
    else:
        neurologist.sign_visit(visit.id, visit.version)


@pytest.fixture
def amended(database):
    """A follow-up visit signed by a neurologist, then amended with a reason (and signed again)."""
    Accounts(database, Actor.system("tests")).create_user("nora", "Dr Nora Neuro", Role.NEUROLOGIST, PASSWORD)
    neurologist = Clinic(database, actor=Accounts(database).sign_in("nora", PASSWORD), today=lambda: TODAY)
    patient = neurologist.create_patient(PATIENT)
    neurologist.create_visit(patient.id, {"visit_date": "2026-01-05", "kind": "baseline", "edss.edss": "4.0"})
    record = neurologist.create_visit(patient.id, {"visit_date": "2026-03-02", "kind": "follow_up", "edss.edss": "5.0"})
    _sign(neurologist, record.visit)
    signed = neurologist.visit_record(record.visit.id)
    neurologist.update_visit(signed.visit.id, signed.visit.version, {**signed.form_values(), "edss.edss": "4.5"},
                             amendment_reason=REASON)
    again = neurologist.visit_record(record.visit.id).visit
    if again.status != "signed":  # an amendment voids the signature: the neurologist signs again
        _sign(neurologist, again)
    return neurologist, record.visit.id


def test_an_amended_visit_says_so_on_every_page_and_before_its_signature(amended):
    clinic, visit_id = amended
    data = ReportAssembler(clinic, printed_at=dt.datetime(2026, 11, 20, 9, 0)).visit(visit_id)
    pages = pdf_pages(visit_report_pdf(data))
    for page in pages:  # the status in the running header of every page: who, when, why
        assert "Signed by Dr Nora Neuro on " in page
        assert "AMENDED after signing by Dr Nora Neuro on " in page and REASON in page
    last = pages[-1]
    said = "Amended by Dr Nora Neuro on "
    assert said in last and f"Reason: {REASON}." in last and "EDSS" in last[last.index(said):]
    # the signature block ends the document, after the amendment it attests
    assert last.index(said) < last.index("aids to the clinician's judgement") < last.index("after the amendments")
    cover = pdf_pages(batch_report_pdf([data], data.visit_date, data.visit_date,
                                       printed_at=dt.datetime(2026, 11, 20, 9, 0), version="x"))[0]
    assert f"{printed_name(data.patient)} {data.patient.clinic_id}" in cover
    assert "Amended after signing" in cover


@pytest.fixture(scope="module")
def long_history(tmp_path_factory):
    """One patient with a year of treatment visits, in a clinic database."""
    path = tmp_path_factory.mktemp("history") / "clinic.sqlite3"
    database = Database.open(str(path))
    clinic = Clinic(database, today=lambda: TODAY)
    patient = clinic.create_patient(PATIENT)
    visit_ids = []
    for number, (day, edss, walk) in enumerate([("2025-09-01", "4.0", "8.0"), ("2025-12-01", "4.5", "8.6"),
                                                 ("2026-03-02", "5.0", "9.7"), ("2026-06-01", "5.0", "10.1")]):
        visit_ids.append(clinic.create_visit(patient.id, {
            "visit_date": day, "kind": "baseline" if number == 0 else "follow_up", "edss.edss": edss,
            "t25fw.trial1_s": walk, "t25fw.trial2_s": walk, "t25fw.walking_aid": "none"}).visit.id)
    yield clinic, visit_ids
    database.close()


def test_no_curation_note_is_ever_printed(long_history):
    """Every cohort of the library on every chart of a long history: the literature is cited, the
    maintainers' notes about it ("[Unconfirmed: ...]", "per neurotrials.ai") stay in resources/."""
    library = load_reference_library()
    assert any(is_curation_note(cohort.citation.text()) for cohort in library.cohorts)  # there are some to hide
    clinic, visit_ids = long_history
    data = ReportAssembler(clinic, cohort_ids=[cohort.id for cohort in library.cohorts]).visit(visit_ids[-1])
    text = pdf_text(visit_report_pdf(data))
    assert "References and criteria" in text
    for phrase in ("Unconfirmed", "check before citing", "neurotrials.ai", "source does not say which"):
        assert phrase not in text


def _words(letters: str) -> list[str]:
    """Forty-eight distinct three-letter words, long enough together to wrap a note onto several lines."""
    return [letters[i // 6] + letters[6 + i % 6] + letters[12 + i % 6] for i in range(48)]


@pytest.mark.parametrize("letters", ["אבגדהוזחטיכלמנסעפצ",
                                     "بتثجحخسشصضطظعغفقكل"],
                         ids=["Hebrew", "Arabic"])
def test_a_wrapped_right_to_left_note_reads_line_by_line(tmp_path, letters):
    words = _words(letters)
    records = history()
    records[-1].visit.notes = " ".join(words)
    output = tmp_path / "summary.pdf"
    output.write_bytes(visit_report_pdf(report_data(records)))
    text = _BIDI_CONTROLS.sub("", _pdftotext(output, "-layout"))
    found = [[words.index(token) for token in line.split() if token in words] for line in text.splitlines()]
    found = [line for line in found if line]
    assert len(found) >= 2, found  # the note wraps
    # broken into lines first, then each line ordered: the first line holds the first words, in order
    assert [n for line in found for n in line] == list(range(len(words))), found


@pytest.mark.parametrize(("text", "direction"), [
    ("שלום עולם.", "R"),
    ("MTX ניתן ללא תופעות לוואי", "R"),  # a Hebrew note that starts with a drug's abbreviation
    ("كهن، نور", "R"),
    ("Dr. כהן", "L"),  # one word each: the first letter decides
    ("כהן Dr.", "R"),
    ("Signed by Dr. כהן", "L"),
    ("Tolerated well.", "L"),
    ("12.5 mg", "L"),
])
def test_a_paragraph_takes_the_direction_of_most_of_its_words(text, direction):
    from pmsdesk.reports.fonts import paragraph_direction

    assert paragraph_direction([text]) == direction


def test_each_line_is_drawn_in_its_paragraphs_direction():
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import Paragraph

    from pmsdesk.reports.fonts import FONT, paragraph_direction, register_fonts, visual_lines

    register_fonts()
    style = ParagraphStyle("note", fontName=FONT, fontSize=9)

    def drawn(text: str) -> list[str]:
        paragraph = Paragraph(text, style)
        paragraph.wrap(400, 100)
        return visual_lines(paragraph.blPara, paragraph_direction([text])).lines[0][1]

    # a Hebrew sentence is right to left: its full stop is drawn at its left end
    assert drawn("\u05e9\u05dc\u05d5\u05dd \u05e2\u05d5\u05dc\u05dd.") == [".\u05dd\u05dc\u05d5\u05e2", "\u05dd\u05d5\u05dc\u05e9"]
    # a line that starts in Latin letters stays left to right around the Hebrew name
    assert drawn("Dr. \u05db\u05d4\u05df.") == ["Dr.", "\u05df\u05d4\u05db."]


def _lines(words) -> list[list]:
    """Words on one baseline together, top to bottom."""
    lines: dict[float, list] = {}
    for word in words:
        lines.setdefault(round(word.bottom, 1), []).append(word)
    return [lines[y] for y in sorted(lines)]


def test_a_right_to_left_note_is_set_right_and_an_english_one_left(tmp_path):
    """A Hebrew note's lines end at the frame's right edge (its short last line too), the English
    line under it starts at the left edge: each line of a note is a paragraph of its own direction."""
    from reportlab.lib.pagesizes import A4

    from pmsdesk.reports.document import MARGIN

    hebrew = _words("אבגדהוזחטיכלמנסעפצ")
    english = "Walked in unaided, cheerful, asked about the next appointment."
    records = history()
    records[-1].visit.notes = " ".join(hebrew) + "\n" + english
    pdf = visit_report_pdf(report_data(records))
    left, right = MARGIN + 6, A4[0] - MARGIN - 6  # 6 pt: the padding of reportlab's page frame
    [words] = [words for _, _, words in word_boxes(pdf) if any(w.text[::-1] == hebrew[0] for w in words)]
    drawn = {w.text[::-1] for w in words} & set(hebrew)
    assert drawn == set(hebrew)  # every word of the note, each drawn right to left
    lines = _lines(w for w in words if w.text[::-1] in hebrew)
    assert len(lines) >= 2  # the note wraps
    for line in lines:
        assert max(w.right for w in line) == pytest.approx(right, abs=0.5)
    assert min(w.left for w in lines[-1]) > left + 100  # short, and set right rather than justified
    below = [line for line in _lines(words) if line[0].top > lines[-1][-1].bottom]
    assert " ".join(w.text for w in sorted(below[0], key=lambda w: w.left)) == english
    assert min(w.left for w in below[0]) == pytest.approx(left, abs=0.5)
    assert max(w.right for w in below[0]) < right - 100


def test_both_halves_of_a_right_to_left_paragraph_split_across_pages_stay_right_to_left():
    from reportlab.lib.enums import TA_RIGHT

    from pmsdesk.reports.document import Styles
    from pmsdesk.reports.visit_report import _Paragraph

    paragraph = _Paragraph(" ".join(_words("אבגדהוזחטיכלמנסעפצ") * 4), Styles.body)
    paragraph.wrap(300, 1000)
    halves = paragraph.split(300, Styles.body.leading * 3)
    assert len(halves) == 2
    assert [(half.direction, half.style.alignment) for half in halves] == [("R", TA_RIGHT)] * 2
