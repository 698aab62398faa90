"""Body lines that are not prose: captions, credits and the labels of boxes set in the text."""

from __future__ import annotations

import pytest

from scraper.extract.body import Line
from scraper.extract.lines import clean_lines

_PROSE = "Negotiators from both countries met for three hours on Monday in the Ottoman palace."


def _kept(line: str) -> list[str]:
    """The lines kept of ``line`` set between two lines of prose."""
    lines = [Line(_PROSE, False, 0.0), Line(line, False, 0.0), Line(_PROSE, False, 0.0)]
    return [kept.text for kept in clean_lines(lines).lines]


@pytest.mark.parametrize(
    "line",
    [
        "Abbildung 4: klassische Schwachschicht.",
        "Abb. 2 - Der Gletscher im Vergleich",
        "Abbildung: Vergleich auf dem Aletschgletscher. Unsere Variationen der Schneehöhe"
        " (links) stimmen gut mit den Messungen (rechts) überein, auch in steilem Gelände.",
        "Figure 3: Snow depth in the valley",
        "Titelbild: Geyres Christophe/ABACA/picture-alliance",
        "Copyright: Gisele Wender",
        "Lesen Sie auch die folgenden Beiträge:",
        "Zum Weiterlesen:",
        "Über den Autor",
        "Quellenangaben:",
        "À lire aussi : la grève s'étend",
        "Lee también: el paro llega a los puertos",
        "Anzeige, enthält Affiliate Links",
        "Werbung",
    ],
)
def test_captions_credits_and_box_labels_in_the_text_are_dropped(line: str) -> None:
    assert _kept(line) == [_PROSE, _PROSE]


@pytest.mark.parametrize(
    "line",
    [
        "Figures from the ministry show a rise of three percent since May.",
        "Abbildungen wie diese zeigen, wie stark der Gletscher geschrumpft ist.",
        "Sources close to the delegation said the talks would resume in June.",
    ],
)
def test_sentences_that_start_like_captions_are_kept(line: str) -> None:
    assert _kept(line) == [_PROSE, line, _PROSE]
