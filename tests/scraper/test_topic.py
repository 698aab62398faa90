import pytest

from scraper.topic import TopicQuery, TopicQueryError, fold

ISTANBUL = (
    "(Istanbul* OR İstanbul* OR Стамбул*) AND (talk* OR переговор* OR перемовин* OR müzakere*)"
)


def test_empty_query_matches_everything() -> None:
    assert TopicQuery("").matches("anything at all")
    assert TopicQuery("   ").matches(None)


@pytest.mark.parametrize(
    "text",
    [
        "Envoys arrive in ISTANBUL for a second round of talks",
        "Переговоры в Стамбуле завершились обменом пленными",
        "Перемовини у Стамбулі тривали дві години",
        "İSTANBUL'da müzakereler sürüyor",
        "istanbul'daki MÜZAKERELER",
    ],
)
def test_the_istanbul_query_matches_every_language(text: str) -> None:
    assert TopicQuery(ISTANBUL).matches(text)


def test_word_boundaries_and_prefixes() -> None:
    assert not TopicQuery("talk").matches("the talks resumed")
    assert TopicQuery("talk*").matches("the talks resumed")
    assert not TopicQuery("peace").matches("a peaceful morning")
    # A prefix starts a word: "talk*" is not found inside "stalking" or "sidewalk".
    assert not TopicQuery("talk*").matches("stalking on a sidewalk")
    assert TopicQuery('"peace talk*"').matches("peace talking")
    assert not TopicQuery('"peace talk*"').matches("peace stalking")


def test_a_phrase_never_spans_two_fields() -> None:
    query = TopicQuery('"peace talks"')
    assert not query.matches("A fragile peace", "Talks resume")
    assert query.matches("A fragile peace", "Peace talks resume")
    assert TopicQuery("peace talk*").matches("A fragile peace", "Talks resume")


def test_phrases_not_and_or() -> None:
    query = TopicQuery('"peace talks" AND NOT football')
    assert query.matches("Peace   talks resume")
    assert not query.matches("peace talks and football")
    assert not query.matches("talks about peace")
    assert TopicQuery('"peace talks" -football').matches("peace talks")
    assert TopicQuery("a OR b").matches("only b here")
    assert not TopicQuery("a b").matches("only b here")  # adjacent terms mean AND


def test_folding_handles_turkish_cyrillic_and_diacritics() -> None:
    assert fold("İSTANBUL") == fold("istanbul")
    assert fold("ıstanbul") == "istanbul"
    assert fold("Ёлка") == fold("елка")
    assert fold("Straße") == fold("STRASSE") == "strasse"
    assert fold("Ünlü ŞEHİR") == "unlu sehir"
    assert fold("Plain ASCII, Mixed Case") == "plain ascii, mixed case"
    assert TopicQuery("Zelenskyi").matches("Zelenskyí")
    assert TopicQuery("київ").matches("КИЇВ")


@pytest.mark.parametrize(
    ("query", "position"),
    [
        ("(talks OR", 9),
        ("talks)", 5),
        ('"unclosed phrase', 0),
        ("AND talks", 0),
        ("(a b", 0),
        ("***", 0),
        ("(" * 400 + "a" + ")" * 400, 33),
        ("NOT " * 40 + "a", 132),
    ],
)
def test_bad_queries_say_where(query: str, position: int) -> None:
    with pytest.raises(TopicQueryError) as caught:
        TopicQuery(query)
    assert caught.value.position == position
    assert "^" in str(caught.value)
