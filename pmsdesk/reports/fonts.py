"""The reports' typeface: DejaVu Sans (resources/fonts, Bitstream Vera licence), embedded in every PDF.

One family covers Latin (Weiß, Jürgen), Greek with its accents, Cyrillic, Hebrew and Arabic, so a name
prints in the letters it is stored in.

Right-to-left text is put in visual order before reportlab lays it out: Arabic letters are joined by
arabic-reshaper (their contextual forms, lam-alef ligatures), then the Unicode bidirectional
algorithm (python-bidi, base direction left to right: the page is) orders each line. reportlab 5 has
bidi and HarfBuzz shaping of its own, but its bidi needs ``rlbidi``, which is not on PyPI, and without
it shaping alone keeps the words of a right-to-left name in the wrong order; these two small, well-kept
libraries do the whole job. A paragraph is broken into lines in logical order (joined Arabic
measured as drawn) and each line is then put in visual order on its own (:func:`visual_lines`), so a
long Hebrew note that wraps starts on its first line. A paragraph written mainly right to left
(:func:`paragraph_direction`) has that base direction on every line and is set against the right
margin; the page's other paragraphs stay left to right against the left margin.

The joined Arabic forms are the Arabic Presentation Forms code points; the text layer (ToUnicode)
maps them back to the letters they stand for, so that copying or searching a report's text
(``pdftotext``) gives the characters stored in the database.
"""

from __future__ import annotations

import copy
import re
import unicodedata
from collections.abc import Iterable
from functools import cache

import arabic_reshaper
from bidi import get_display
from reportlab.graphics.shapes import STATE_DEFAULTS
from reportlab.pdfbase import pdfmetrics, ttfonts
from reportlab.pdfbase.ttfonts import TTFont

from pmsdesk.resources import resource_path

FONT = "DejaVuSans"
BOLD = "DejaVuSans-Bold"
_FILES = {FONT: "DejaVuSans.ttf", BOLD: "DejaVuSans-Bold.ttf"}

# Hebrew, Arabic (with its supplements and presentation forms), Syriac, Thaana, NKo: text that needs
# the bidirectional algorithm and, for Arabic, shaping.
_RIGHT_TO_LEFT = re.compile("[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufeff]")
_PRESENTATION_FORMS = ((0xFB50, 0xFDFF), (0xFE70, 0xFEFF))


def _text_layer_code(code_point: int) -> str:
    """The characters a drawn glyph stands for in the text layer: a joined Arabic form its letter(s)."""
    if any(low <= code_point <= high for low, high in _PRESENTATION_FORMS):
        return "".join(f"{ord(c):04X}" for c in unicodedata.normalize("NFKC", chr(code_point)))
    return f"{code_point:04X}"


def _to_unicode_cmap(fontname: str, subset) -> str:
    """reportlab's ToUnicode CMap, with presentation forms mapped back to their letters."""
    return "\n".join([
        "/CIDInit /ProcSet findresource begin", "12 dict begin", "begincmap",
        "/CIDSystemInfo", f"<< /Registry ({fontname})", f"/Ordering ({fontname})", "/Supplement 0", ">> def",
        f"/CMapName /{fontname} def", "/CMapType 2 def",
        "1 begincodespacerange", f"<00> <{len(subset) - 1:02X}>", "endcodespacerange",
        f"{len(subset)} beginbfchar",
        *(f"<{code:02X}> <{_text_layer_code(point)}>" for code, point in enumerate(subset)),
        "endbfchar", "endcmap", "CMapName currentdict /CMap defineresource pop", "end", "end",
    ])


@cache
def register_fonts() -> None:
    """Register the report fonts with reportlab once per process (bold for ``<b>``)."""
    ttfonts.makeToUnicodeCMap = _to_unicode_cmap  # reportlab calls it when it embeds a subset
    for name, file in _FILES.items():
        pdfmetrics.registerFont(TTFont(name, str(resource_path("fonts", file))))
    pdfmetrics.registerFontFamily(FONT, normal=FONT, bold=BOLD, italic=FONT, boldItalic=BOLD)
    # A chart (reportlab.graphics) starts in Helvetica before its strings set their font, which puts
    # an unembedded Helvetica into the PDF: start it in the report font instead.
    STATE_DEFAULTS["fontName"] = FONT


def shaped(text: str) -> str:
    """``text`` in logical order with Arabic letters joined: what a paragraph breaks into lines."""
    return text if _RIGHT_TO_LEFT.search(text) is None else arabic_reshaper.reshape(text)


def visual_order(text: str, base_dir: str = "L") -> str:
    """``text`` as it is drawn on one line: Arabic joined, right-to-left runs in visual order; other
    text as it is. The base direction is the page's (left to right) unless ``base_dir`` says "R"."""
    if _RIGHT_TO_LEFT.search(text) is None:
        return text
    return get_display(arabic_reshaper.reshape(text), base_dir=base_dir)


def _first_strong(text: str) -> str | None:
    for char in text:
        kind = unicodedata.bidirectional(char)
        if kind == "L":
            return "L"
        if kind in ("R", "AL"):
            return "R"
    return None


def paragraph_direction(texts: Iterable[str]) -> str:
    """"R" for a paragraph whose words are mostly right to left, else "L"; a tie goes by its first
    strong letter (the bidi algorithm's rule P2). Counting words rather than taking the first letter
    alone keeps a Hebrew note that starts with a drug's Latin abbreviation ("MTX ניתן ...") right to
    left, while "Dr. כהן" stays left to right. Words, not letters: Hebrew and Arabic words are
    written with fewer letters (short vowels are not written) than the English ones beside them."""
    texts = [text for text in texts if text]
    if not any(_RIGHT_TO_LEFT.search(text) for text in texts):
        return "L"
    words = [kind for text in texts for word in text.split() if (kind := _first_strong(word))]
    right = words.count("R")
    left = len(words) - right
    if right == left:
        return words[0] if words else "L"
    return "R" if right > left else "L"


def visual_lines(para, direction: str):
    """A copy of a paragraph's broken lines (reportlab's ``blPara``, in logical order) with each line
    in visual order in the paragraph's base ``direction`` (:func:`paragraph_direction` of its whole
    text, so the lines of a paragraph split across pages agree): a simple paragraph's words, or each
    style run of a line of a marked-up one (a right-to-left run seldom spans two styles). None when no
    line holds right-to-left text."""
    if para.kind == 0:
        if not any(_RIGHT_TO_LEFT.search(word) for _, words in para.lines for word in words):
            return None
        lines = [(extra, visual_order(" ".join(words), direction).split(" ")) for extra, words in para.lines]
    else:
        if not any(_RIGHT_TO_LEFT.search(getattr(frag, "text", "")) for line in para.lines for frag in line.words):
            return None
        lines = []
        for line in para.lines:
            line = copy.copy(line)
            line.words = [_reordered(frag, direction) for frag in line.words]
            lines.append(line)
    visual = copy.copy(para)
    visual.lines = lines
    return visual


def _reordered(frag, direction: str):
    text = getattr(frag, "text", "")
    if not _RIGHT_TO_LEFT.search(text):
        return frag
    frag = frag.clone() if hasattr(frag, "clone") else copy.copy(frag)
    frag.text = visual_order(text, direction)
    return frag
