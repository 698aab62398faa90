"""Judging pages: the real walls of the live web are recognised, real articles are not walls.

The samples are real responses (``newswatch/newsroom/live/``, each with its source in its first
line); the newsroom serves them with their vendors' statuses and headers. The benchmark pages
of ``../shared/bench`` are real articles and pages from hundreds of sites: none may be judged
a wall, because a false wall hides a real edit.
"""

from __future__ import annotations

import gzip
import json
from collections import Counter
from pathlib import Path

import httpx
import pytest

from newswatch.newsroom import Newsroom
from newswatch.newsroom.walls import CHALLENGES, sample
from scraper import ExtractionError, extract
from scraper.charset import decode
from scraper.types import Page
from scraper.verdicts import WALLS, Known, Verdict, judge

SEED = "envoys-arrive-istanbul-second-meeting"
BENCH = Path(__file__).resolve().parents[2].parent / "shared" / "bench"


def page_of(
    text: str,
    *,
    url: str = "https://news.example/2025/06/02/story.html",
    final_url: str | None = None,
    status: int = 200,
    headers: dict[str, str] | None = None,
) -> Page:
    return Page(
        url=url,
        final_url=final_url or url,
        status=status,
        headers=headers or {},
        body=text.encode("utf-8"),
        content_type="text/html",
        elapsed=0.0,
    )


def verdict_on(page: Page, known: Known | None = None) -> Verdict | None:
    try:
        found = extract(page.text, url=page.final_url) if page.text else None
    except ExtractionError:
        found = None
    return judge(page, found, known)


@pytest.mark.parametrize(
    ("name", "kind", "signal"),
    [
        ("cloudflare_managed-challenge_cvId3_2025-02-24.html", "challenge", "_cf_chl_opt"),
        ("cloudflare_managed-challenge_cvId2_2021-11-02.html", "challenge", "Please Wait"),
        ("cloudflare_iuam-jschl_just-a-moment_2020-05-27.html", "challenge", "Just a moment"),
        (
            "cloudflare_attention-required_captcha_2019-12-12.html",
            "challenge",
            "Attention Required",
        ),
        ("datadome_captcha-delivery_block_liverpoolfc.com.html", "challenge", "DataDome"),
        ("perimeterx_block_adorama.com_2018-03.html", "challenge", "verify you are human"),
        ("akamai_sec-cpt_challenge-iframe_2024.html", "challenge", "sec-cpt"),
        ("google-consent_consent.youtube.com_de_2021-03.html", "consent", "consent host"),
        ("paywall_jsonld_google-docs-example.html", "paywall", "locked part (.paywall)"),
    ],
)
def test_real_walls_are_recognised_with_status_200_and_no_header(
    name: str, kind: str, signal: str
) -> None:
    verdict = verdict_on(page_of(sample(name)))
    assert verdict is not None and verdict.kind == kind, verdict
    assert signal in verdict.describe()


@pytest.mark.parametrize(
    "paywall",
    [
        "paywall_jsonld_washingtonpost.com_2024-04-26.jsonld.html",
        "paywall_jsonld_lemonde.fr_2023-08-30_string-False.jsonld.html",
        "paywall_jsonld_rp.pl_2025-02-02.jsonld.html",
    ],
)
def test_real_paywall_markup_makes_a_teaser_of_a_short_page_only(
    newsroom: Newsroom, paywall: str
) -> None:
    """Each publisher's own JSON-LD (a boolean false, or the string "False"), put on the
    newsroom's article: with the locked element holding the text it is a full page; the same
    markup on a page that sends only the lead is a teaser."""
    full = httpx.get(newsroom.url_of(SEED)).text
    script = sample(paywall).split("\n", 1)[1]  # the real <script> element, without its source
    selector = json.loads(script.split(">", 1)[1].rsplit("</script>", 1)[0], strict=False)[
        "hasPart"
    ]["cssSelector"].lstrip(".")
    first = full.index("<p>", full.index("<h1"))
    locked = full.replace("<p>", f'<div class="{selector}"><p>', 1)
    marked = locked.replace("</head>", script + "</head>", 1)
    assert verdict_on(page_of(marked)) is None, "a full text under paywall markup"
    cut = full[:first] + full[first:].split("</p>", 1)[0] + "</p></div></article></body></html>"
    teaser = cut.replace("</head>", script + "</head>", 1)
    verdict = verdict_on(page_of(teaser))
    assert verdict is not None and verdict.kind == "paywall", verdict


def test_the_cloudflare_header_alone_decides() -> None:
    article = page_of(
        "<html><body><article><p>" + "Talks resumed. " * 200 + "</p></article></body></html>",
        status=403,
        headers={"cf-mitigated": "challenge", "server": "cloudflare"},
    )
    verdict = verdict_on(article)
    assert verdict is not None and verdict.kind == "challenge"
    assert verdict.evidence == ("header cf-mitigated: challenge",)


def test_a_challenge_marker_on_a_full_article_is_not_a_wall() -> None:
    """Cloudflare and PerimeterX put their scripts on ordinary pages too."""
    text = (
        "<html><head><title>Talks resume</title><script>window._cf_chl_opt={}</script>"
        "</head><body><article><h1>Talks resume</h1>"
        + "".join(
            f"<p>Delegations met for the {i}th hour in Istanbul on Monday.</p>" for i in range(40)
        )
        + "</article></body></html>"
    )
    assert verdict_on(page_of(text)) is None


@pytest.mark.parametrize(
    ("mode", "opts", "kind"),
    [
        *[("challenge", {"vendor": vendor}, "challenge") for vendor in CHALLENGES],
        ("consent", {"how": "page"}, "consent"),
        ("metered", {"share": 1.0}, "paywall"),
        ("soft_404", {"how": "page"}, "soft_404"),
        ("soft_404", {"how": "front"}, "soft_404"),
        ("soft_404", {"how": "redirect_front"}, "soft_404"),
        ("login_wall", {}, "login"),
        ("script_shell", {}, "not_article"),
    ],
)
def test_the_misbehaving_newsroom_is_judged_as_the_live_web(
    newsroom: Newsroom, mode: str, opts: dict[str, object], kind: str
) -> None:
    newsroom.misbehave(SEED, mode, **opts)
    response = httpx.get(newsroom.url_of(SEED), follow_redirects=True)
    page = page_of(
        response.text,
        url=newsroom.url_of(SEED),
        final_url=str(response.url),
        status=response.status_code,
        headers={k.lower(): v for k, v in response.headers.items()},
    )
    verdict = verdict_on(page, Known(requested_url=newsroom.url_of(SEED)))
    assert verdict is not None and verdict.kind == kind, verdict
    if mode == "script_shell":
        assert verdict.hint is not None and 'render = "browser"' in verdict.hint


def test_a_redirect_to_a_consent_host_is_consent(newsroom: Newsroom) -> None:
    newsroom.misbehave(SEED, "consent")
    response = httpx.get(newsroom.url_of(SEED))
    page = page_of(
        "", status=response.status_code, headers={k.lower(): v for k, v in response.headers.items()}
    )
    verdict = judge(page, None)
    assert verdict is not None and verdict.kind == "consent"
    assert "consent.google.com" in verdict.describe()


def test_the_metered_outlet_sends_the_full_text_too(newsroom: Newsroom) -> None:
    newsroom.misbehave(SEED, "metered", share=0.0)
    assert verdict_on(page_of(httpx.get(newsroom.url_of(SEED)).text)) is None


def test_a_teaser_is_judged_against_the_length_of_the_full_text() -> None:
    lead = (
        "<html><head><title>Talks</title></head><body><article><h1>Talks</h1><p>"
        + "Delegations met in Istanbul on Monday for a second round. " * 12
        + "</p><div class='paywall-box'><p>Subscribe to continue reading.</p></div>"
        "</article></body></html>"
    )
    assert verdict_on(page_of(lead), Known(body_chars=700)) is None, "as long as the full text"
    verdict = verdict_on(page_of(lead), Known(body_chars=6000))
    assert verdict is not None and verdict.kind == "paywall"
    assert "where the full text had 6000" in verdict.describe()


@pytest.mark.parametrize(
    "prompt",
    [
        "SUBSCRIBE TO CONTINUE READING",
        "Already a Subscriber? Log in",
        "Чтобы продолжить чтение, оформите подписку",
        "Оформіть передплату, щоб читати далі",
        "Devamını okumak için abone olun",
        "DEVAMINI OKUMAK İÇİN",
        "Mit Abo weiterlesen",
    ],
)
def test_a_subscription_prompt_is_found_in_any_case_and_language(prompt: str) -> None:
    teaser = (
        "<html><head><title>Talks</title></head><body><article><h1>Talks</h1><p>"
        + "Delegations met in Istanbul on Monday for a second round. " * 12
        + f"</p><div class='paywall-box'><p>{prompt}</p></div></article></body></html>"
    )
    verdict = verdict_on(page_of(teaser), Known(body_chars=6000))
    assert verdict is not None and verdict.kind == "paywall", prompt
    assert "a subscription prompt" in verdict.describe()


def _bench_pages() -> list[tuple[str, str, Path]]:
    pages: list[tuple[str, str, Path]] = []
    truth = json.loads((BENCH / "aeb-dev" / "ground-truth.json").read_text())
    pages += [
        ("aeb-dev", v["url"], BENCH / "aeb-dev" / "html" / f"{k}.html.gz") for k, v in truth.items()
    ]
    fundus = json.loads((BENCH / "fundus-dev" / "truth.json").read_text())
    pages += [
        ("fundus-dev", v["url"], BENCH / "fundus-dev" / "html" / k) for k, v in fundus.items()
    ]
    varied = json.loads((BENCH / "tr-dev" / "evaldata.json").read_text())
    pages += [
        ("tr-dev", url, BENCH / "tr-dev" / "html" / f"{v['file']}.gz") for url, v in varied.items()
    ]
    return pages


@pytest.mark.skipif(not BENCH.is_dir(), reason="../shared/bench is not beside the checkout")
def test_no_real_page_of_the_benchmarks_is_judged_a_wall() -> None:
    verdicts: Counter[tuple[str, str]] = Counter()
    walls = []
    pages = _bench_pages()
    for dataset, url, path in pages:
        raw = gzip.decompress(path.read_bytes())
        text, _ = decode(raw, declared=None)
        verdict = verdict_on(page_of(text, url=url))
        if verdict is not None:
            verdicts[dataset, verdict.kind] += 1
            if verdict.kind in WALLS:
                walls.append((url, verdict.describe()))
    assert len(pages) == 85 + 98 + 458
    assert walls == [], walls
    # News articles are never error pages; a few are teasers (the benchmark kept what a
    # reader without a subscription saw) or pages our extractor reads no text from.
    assert verdicts["aeb-dev", "soft_404"] == verdicts["fundus-dev", "soft_404"] == 0
    assert sum(n for (dataset, _), n in verdicts.items() if dataset != "tr-dev") <= 6, verdicts
