"""A crowded history for looking at the web page as a journalist would: 50 outlets, 2,000
articles in English, Russian, Ukrainian and Turkish over six weeks, wire stories that a dozen
outlets carry, and edits (corrected names, rewritten headlines).

Stored through storage's own ``record`` (so stories are clustered and alerts queued as the
daemon would), with a fixed random seed: the same database every time.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import storage

LANGUAGES = {"en": 0.45, "ru": 0.25, "uk": 0.2, "tr": 0.1}
NAMES = {
    "en": [
        "Bosphorus Herald",
        "Daily Courier",
        "Morning Ledger",
        "Evening Standard Post",
        "Global Wire",
        "Capital Times",
        "Northern Chronicle",
        "Harbour Gazette",
        "Pacific Observer",
        "Continental Review",
        "Atlantic Dispatch",
        "City Tribune",
        "Weekly Sentinel",
        "Metro Journal",
        "Frontier Report",
        "Union Bulletin",
        "Coastal Mail",
        "National Monitor",
        "Diplomatic Digest",
        "World Desk",
        "Policy Record",
        "Sunday Inquirer",
    ],
    "ru": [
        "Вестник дня",
        "Новая газета Юга",
        "Известия Востока",
        "Московский обзор",
        "Деловой курьер",
        "Вечерний город",
        "Голос регионов",
        "Северная правда",
        "Столичные новости",
        "Независимый взгляд",
        "Телеграф",
    ],
    "uk": [
        "Денний огляд",
        "Київський кур'єр",
        "Голос Поділля",
        "Дзеркало подій",
        "Українська хвиля",
        "Вечірній Львів",
        "Новини Півдня",
        "Громадський вісник",
        "Слово і діло",
        "Час новин",
    ],
    "tr": [
        "Boğaziçi Gazetesi",
        "Günlük Haber",
        "Anadolu Postası",
        "Marmara Bülteni",
        "Akşam Yorumu",
        "Yeni Gündem",
        "Ege Ekspres",
    ],
}
TITLES = {
    "en": [
        "Istanbul talks: {a} and {b} discuss {c}",
        "{a} delegation arrives for {c}",
        "What the {c} means for {b}",
        "Analysis: why {a} wants {c}",
        "Negotiators from {a} and {b} agree on {c}",
        "Live: second round of {c}",
    ],
    "ru": [
        "Переговоры в Стамбуле: {a} и {b} обсуждают {c}",
        "Делегация {a} прибыла на {c}",
        "Что означает {c} для {b}",
        "Аналитика: зачем {a} нужен {c}",
    ],
    "uk": [
        "Перемовини у Стамбулі: {a} і {b} обговорюють {c}",
        "Делегація {a} прибула на {c}",
        "Що означає {c} для {b}",
        "Аналітика: навіщо {a} {c}",
    ],
    "tr": [
        "İstanbul görüşmeleri: {a} ve {b} {c} konusunu ele aldı",
        "{a} heyeti {c} için geldi",
        "{c} {b} için ne anlama geliyor",
        "Analiz: {a} neden {c} istiyor",
    ],
}
WORDS = {
    "en": (
        "Russia Ukraine Turkey ceasefire prisoners memorandum talks summit envoys "
        "guarantees sanctions corridor grain exchange Medinsky Umerov Fidan"
    ).split(),
    "ru": (
        "Россия Украина Турция перемирие пленные меморандум переговоры саммит делегация "
        "гарантии санкции коридор обмен Мединский Умеров Фидан"
    ).split(),
    "uk": (
        "Росія Україна Туреччина перемир'я полонені меморандум перемовини саміт делегація "
        "гарантії санкції коридор обмін Мединський Умєров Фідан"
    ).split(),
    "tr": (
        "Rusya Ukrayna Türkiye ateşkes esirler mutabakat müzakere zirve heyet garantiler "
        "yaptırımlar koridor takas Medinski Umerov Fidan"
    ).split(),
}


@dataclass(frozen=True, slots=True)
class Outlet:
    name: str
    language: str
    hosts: tuple[str, ...]
    weight: float


def outlets(rng: random.Random) -> list[Outlet]:
    """50 outlets; a few large ones, many small; some on two hosts (www. and news.)."""
    found = []
    rank = 0
    for language, names in NAMES.items():
        for name in names:
            rank += 1
            slug = (
                "".join(ch for ch in name.lower() if ch.isascii() and ch.isalnum())[:18]
                or f"outlet{rank}"
            )
            slug = f"{slug}{rank}"
            hosts = (
                (f"www.{slug}.example", f"news.{slug}.example")
                if rank % 4 == 0
                else (f"www.{slug}.example",)
            )
            found.append(Outlet(name, language, hosts, 1 / rank**0.8))
    rng.shuffle(found)
    return found


def _sentence(rng: random.Random, language: str, n: int = 14) -> str:
    # Made-up words between the real ones: articles that are not copies must not look alike.
    words = [rng.choice(WORDS[language]) if i % 3 == 0 else _made_up(rng) for i in range(n)]
    return " ".join(words).capitalize() + "."


def _made_up(rng: random.Random) -> str:
    return "".join(
        rng.choice("bcdfghklmnprstvz") + rng.choice("aeiou") for _ in range(rng.randint(2, 4))
    )


def _title(rng: random.Random, language: str) -> str:
    words = WORDS[language]
    return rng.choice(TITLES[language]).format(
        a=rng.choice(words), b=rng.choice(words), c=rng.choice(words)
    )


def fill(url: str, *, articles: int = 2000, seed: int = 17, days: int = 42) -> int:
    """Store ``articles`` articles from 50 outlets into the database at ``url``; returns how
    many edits were recorded."""
    rng = random.Random(seed)
    crowd = outlets(rng)
    weights = [o.weight for o in crowd]
    start = datetime(2025, 5, 1, 6, tzinfo=UTC)
    now = start + timedelta(days=days)
    # Wire stories: the same text carried by many outlets (of one language each).
    wires = [
        (rng.choice(list(LANGUAGES)), [_sentence(rng, "en", 30) for _ in range(4)])
        for _ in range(14)
    ]
    edits = 0
    with storage.open_database(url) as db:
        for batch in range(0, articles, 100):
            with db.transaction() as session:
                for n in range(batch, min(batch + 100, articles)):
                    outlet = rng.choices(crowd, weights)[0]
                    language = outlet.language
                    # Coverage peaks around the rounds of talks (days 15 and 32).
                    day = min(
                        days - 1,
                        max(0, int(rng.choice((15, 32, rng.randrange(days))) + rng.gauss(0, 3))),
                    )
                    published = start + timedelta(days=day, minutes=rng.randrange(16 * 60))
                    wire = wires[n % len(wires)] if n % 5 == 0 else None
                    if wire is not None:
                        language = wire[0]
                        body = "\n".join(wire[1])
                    else:
                        body = "\n".join(_sentence(rng, language) for _ in range(5))
                    host = rng.choice(outlet.hosts)
                    link = f"https://{host}/{published:%Y/%m/%d}/story-{n}.html"
                    [article_id] = storage.add_candidates(
                        session,
                        candidates=[storage.Candidate(url=link)],
                        source_id=None,
                        now=published,
                    )
                    fields = storage.ArticleFields(
                        title=_title(rng, language),
                        body=body,
                        published=published,
                        language=language,
                        site_name=outlet.name,
                        authors=("Staff",),
                    )
                    storage.record(
                        session,
                        article_id=article_id,
                        fields=fields,
                        snapshot=None,
                        fetched_at=min(published, now),
                    )
                    if n % 9 == 0:  # a quiet correction, or a new headline
                        edited = (
                            fields.body.replace(fields.body.split()[3], "Medinsky", 1)
                            if n % 2
                            else fields.body
                        )
                        title = fields.title if n % 2 else f"{fields.title} (updated)"
                        storage.record(
                            session,
                            article_id=article_id,
                            snapshot=None,
                            fields=storage.ArticleFields(
                                title=title,
                                body=edited,
                                published=published,
                                language=language,
                                site_name=outlet.name,
                                authors=("Staff",),
                            ),
                            fetched_at=min(published + timedelta(hours=3), now),
                        )
                        edits += 1
    return edits
