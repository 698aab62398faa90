"""The memory-mapped language model identifies exactly as py3langid's own loading of it does."""

from __future__ import annotations

import gzip
import random
import shutil
import tempfile
from pathlib import Path

import numpy as np
import pytest
from py3langid.langid import MODEL_FILE, LanguageIdentifier  # type: ignore[import-untyped]

from scraper import extract
from scraper.extract.language import text_sample
from scraper.extract.language_model import load_identifier

DEV_SETS = Path(__file__).resolve().parents[2].parent / "shared" / "bench"

SENTENCES = [
    "The talks in Istanbul ended without an agreement on a ceasefire, officials said on Friday.",
    "Die Gespräche in Istanbul endeten ohne Einigung auf eine Waffenruhe, sagten Beamte.",
    "Les pourparlers d'Istanbul se sont achevés sans accord sur un cessez-le-feu vendredi.",
    "Las conversaciones en Estambul terminaron sin un acuerdo de alto el fuego, dijeron.",
    "Os diálogos em Istambul terminaram sem acordo sobre um cessar-fogo, disseram fontes.",
    "I colloqui di Istanbul si sono conclusi senza un accordo sul cessate il fuoco.",
    "Rozmowy w Stambule zakończyły się bez porozumienia w sprawie zawieszenia broni.",
    "Переговоры в Стамбуле завершились без соглашения о прекращении огня, сообщили чиновники.",
    "Переговори в Стамбулі завершилися без угоди про припинення вогню, повідомили посадовці.",
    "İstanbul'daki görüşmeler ateşkes konusunda bir anlaşma olmadan sona erdi.",
    "Samtalen i Istanbul avslutades utan en överenskommelse om vapenvila, sade tjänstemän.",
    "Neuvottelut Istanbulissa päättyivät ilman sopimusta tulitauosta, virkamiehet kertoivat.",
    "Οι συνομιλίες στην Κωνσταντινούπολη ολοκληρώθηκαν χωρίς συμφωνία για εκεχειρία.",
    "المحادثات في إسطنبول انتهت دون اتفاق على وقف إطلاق النار، حسبما قال مسؤولون.",
    "伊斯坦布尔的会谈在没有达成停火协议的情况下结束，官员们周五表示。",
    "イスタンブールでの協議は停戦合意のないまま終了したと当局者が金曜日に述べた。",
    "이스탄불 회담은 휴전 합의 없이 끝났다고 관리들이 금요일에 말했다.",
    "इस्तांबुल में वार्ता युद्धविराम पर किसी समझौते के बिना समाप्त हो गई, अधिकारियों ने कहा।",
    "Pregovori u Istanbulu završeni su bez dogovora o prekidu vatre, rekli su dužnosnici.",
    "Forhandlingerne i Istanbul sluttede uden en aftale om våbenhvile, sagde embedsmænd.",
]


def _random_texts(n: int) -> list[str]:
    """Text in mixed scripts, which walks the state table far from any one language's paths."""
    rng = random.Random(20)
    alphabet = (
        "abcdefghijklmnopqrstuvwxyzäöüßéèçñ    .,"
        + "абвгдежзийклмнопрстуфхцчшщыьэюяіїє"
        + "αβγδεζηθικλμνξοπρστυφχψω"
        + "的一是不了人我在有他这中大来上国"
        + "ابتثجحخدذرزسشصضطظعغفقكلمنهوي"
    )
    return ["".join(rng.choice(alphabet) for _ in range(rng.randint(1, 300))) for _ in range(n)]


def _dev_texts() -> list[str]:
    """The text samples our extractor takes from the development pages (when checked out)."""
    texts = []
    for path in sorted(DEV_SETS.glob("*-dev/html/*.html.gz"))[::4]:
        page = extract(gzip.decompress(path.read_bytes()).decode("utf-8", "replace"))
        texts.append(text_sample(page.title, page.body.splitlines()))
    return texts


@pytest.fixture(scope="module")
def theirs() -> LanguageIdentifier:
    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


@pytest.fixture(scope="module")
def ours(tmp_path_factory: pytest.TempPathFactory) -> LanguageIdentifier:
    return load_identifier(tmp_path_factory.mktemp("cache"))


def test_the_mapped_tables_are_py3langids(
    ours: LanguageIdentifier, theirs: LanguageIdentifier
) -> None:
    assert ours.nb_classes == theirs.nb_classes
    assert np.array_equal(ours.nb_pc, theirs.nb_pc)
    assert ours.nb_ptc.dtype == theirs.nb_ptc.dtype
    assert np.array_equal(ours.nb_ptc, theirs.nb_ptc)
    assert ours.tk_output.tolist() == list(theirs.tk_output)
    # Our table merges the byte columns every state treats alike: put back, it is theirs.
    columns = np.frombuffer(ours._byte_classes, dtype=np.uint8)
    width = int(columns.max()) + 1
    merged = np.asarray(ours.tk_nextmove).reshape(-1, width)
    assert np.array_equal(merged[:, columns], np.asarray(theirs.tk_nextmove).reshape(-1, 256))
    rows = np.asarray(theirs._rowbase) >> 8
    assert np.array_equal(np.asarray(ours._rowbase), rows * width)


def test_identification_is_py3langids_to_the_last_bit(
    ours: LanguageIdentifier, theirs: LanguageIdentifier
) -> None:
    texts = SENTENCES + _random_texts(300) + ["", "1234", "   "]
    for text in texts:
        assert ours.classify(text) == theirs.classify(text), text
        assert ours.rank(text) == theirs.rank(text), text


@pytest.mark.skipif(not DEV_SETS.is_dir(), reason=f"no development sets at {DEV_SETS}")
def test_identification_of_the_dev_pages_is_py3langids(
    ours: LanguageIdentifier, theirs: LanguageIdentifier
) -> None:
    texts = _dev_texts()
    assert len(texts) > 100
    assert [ours.classify(t) for t in texts] == [theirs.classify(t) for t in texts]


def test_the_unpacked_copy_is_made_once_and_reused(tmp_path: Path) -> None:
    first = load_identifier(tmp_path)
    (folder,) = [p for p in tmp_path.iterdir()]
    stamps = {p.name: p.stat().st_mtime_ns for p in folder.iterdir()}
    again = load_identifier(tmp_path)
    assert [p for p in tmp_path.iterdir()] == [folder]  # no scratch folder left behind
    assert {p.name: p.stat().st_mtime_ns for p in folder.iterdir()} == stamps
    assert again.classify(SENTENCES[1]) == first.classify(SENTENCES[1])
    assert again.classify(SENTENCES[1])[0] == "de"


def test_without_a_writable_cache_the_model_is_loaded_into_memory(
    tmp_path: Path, theirs: LanguageIdentifier
) -> None:
    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder")
    identifier = load_identifier(blocked / "cache")
    assert isinstance(identifier.tk_nextmove, type(theirs.tk_nextmove))
    assert [identifier.classify(s) for s in SENTENCES] == [theirs.classify(s) for s in SENTENCES]


def test_a_damaged_copy_falls_back_to_loading_into_memory(
    tmp_path: Path, theirs: LanguageIdentifier
) -> None:
    load_identifier(tmp_path)
    (folder,) = [p for p in tmp_path.iterdir()]
    (folder / "ptc.npy").write_bytes(b"\x93NUMPY truncated")
    identifier = load_identifier(tmp_path)
    assert [identifier.classify(s) for s in SENTENCES] == [theirs.classify(s) for s in SENTENCES]


def test_a_new_copy_removes_the_copies_of_other_models_only(tmp_path: Path) -> None:
    def stale_copy(name: str) -> Path:
        folder = tmp_path / name
        folder.mkdir()
        (folder / "classes.json").write_text("[]")
        return folder

    older = stale_copy("langid-2-0123456789abcdef")
    older_format = stale_copy("langid-1-0123456789abcdef")
    scratch = tmp_path / ".langid-being-written"  # another process unpacking right now
    scratch.mkdir()
    unrelated = tmp_path / "langid-notes.txt"
    unrelated.write_text("not a copy")
    load_identifier(tmp_path)
    (ours,) = [p for p in tmp_path.glob("langid-*") if p.is_dir()]
    assert ours.name.startswith("langid-") and (ours / "classes.json").is_file()
    assert not older.exists() and not older_format.exists()
    assert scratch.is_dir() and unrelated.is_file()
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        [ours.name, scratch.name, unrelated.name]
    )


def test_the_copy_of_this_model_in_another_format_is_kept(tmp_path: Path) -> None:
    load_identifier(tmp_path)
    (ours,) = [p for p in tmp_path.iterdir()]
    # The same model, as another newswatch version writes it: it may be mapping it now.
    same_model = tmp_path / f"langid-1-{ours.name.rsplit('-', 1)[1]}"
    same_model.mkdir()
    shutil.rmtree(ours)  # so that this load unpacks and renames a copy into place again
    load_identifier(tmp_path)
    assert same_model.is_dir() and (ours / "classes.json").is_file()


def test_an_existing_copy_removes_nothing(tmp_path: Path) -> None:
    load_identifier(tmp_path)
    older = tmp_path / "langid-2-0123456789abcdef"
    older.mkdir()
    load_identifier(tmp_path)  # found in place: nothing renamed, nothing cleaned
    assert older.is_dir()


def test_the_suite_keeps_out_of_the_users_cache_folder() -> None:
    from scraper.extract.language_model import default_cache_dir

    assert default_cache_dir().is_relative_to(Path(tempfile.gettempdir()))
