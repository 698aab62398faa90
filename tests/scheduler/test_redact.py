"""Masking secrets: channel URLs by what apprise declares private, URLs and text by syntax."""

from __future__ import annotations

import io
import json
import logging
import re
from collections.abc import Iterator

import pytest

from newswatch.logs import configure_logging, parse_level
from scheduler.channel_redact import mask_channel, redact_channel
from scheduler.channels import build_channel
from scheduler.exceptions import ChannelError
from scheduler.redact import Redactor, mask, redact_url, scrub, url_secrets
from storage.exceptions import InvalidDatabaseURL
from tests.apprise_urls import Catalogue, catalogue

# Plug-ins no URL is built for, and why; a new apprise that changes this list needs a look.
UNBUILDABLE = {
    "NotifyAMQP": "needs the pika package, which apprise does not declare and we do not ship",
    "NotifyAprs": "its password is the 5-digit APRS-IS passcode derived from the call sign: "
    "no unique secret can be planted, and 5 digits are found by chance",
}
# Local syslog, desktop pop-ups and a USB light: their URLs hold nothing to hide.
NO_SECRET = {
    "NotifyRSyslog",
    "NotifySyslog",
    "NotifyBlink1",
    "NotifyDBus",
    "NotifyGLib",
    "NotifyGnome",
    "NotifyMacOSX",
    "NotifyWindows",
}


@pytest.fixture(scope="module")
def services() -> Catalogue:
    return catalogue(include_disabled=True)


def test_every_apprise_service_is_covered_or_its_absence_explained(services: Catalogue) -> None:
    assert set(services.unbuildable) == set(UNBUILDABLE), services.unbuildable
    assert set(services.no_secret) == NO_SECRET
    assert len(services.urls) >= 170  # apprise 2.3 has 189 plug-ins; a drop means a bug here


def test_every_apprise_service_url_is_masked_by_its_private_parts(services: Catalogue) -> None:
    for service in services.urls:
        masked = mask_channel(service.url)
        for secret in service.secrets:
            assert secret.lower() not in masked.label.lower(), (service.service, masked.label)
            assert secret in masked.secrets, (service.service, secret)
        assert masked.label.startswith(service.url.partition("://")[0] + "://")
    labels = [redact_channel(service.url) for service in services.urls]
    assert len(set(labels)) == len(labels)  # channels stay distinguishable


@pytest.mark.parametrize(
    ("url", "shown", "hidden"),
    [
        (
            "opsgenie://0a1b2c3d4e5f6a7b8c9d/@oncall",
            ["opsgenie://", "/@oncall"],
            ["0a1b2c3d4e5f6a7b8c9d"],
        ),
        (
            "pover://ukey1234567890abcdef@apptoken1234567890ab",
            ["pover://"],
            ["ukey1234567890abcdef", "apptoken1234567890ab"],
        ),
        (
            "join://abcdef0123456789abcdef0123456789/phone",
            ["join://", "/phone"],
            ["abcdef0123456789abcdef0123456789"],
        ),
        ("mastodon://tok3n5ecret@social.example/@desk", ["@social.example/@desk"], ["tok3n5ecret"]),
        ("ntfy://tk_5ecret12345@ntfy.example.org/alerts", ["ntfy.example.org"], ["tk_5ecret12345"]),
        ("ntfys://ntfy.sh/my-private-topic", ["ntfys://ntfy.sh/"], ["my-private-topic"]),
        (
            "mailtos://desk:hunter2hunter@example.org?to=news@example.org",
            ["mailtos://desk:", "@example.org", "to=news@example.org"],
            ["hunter2hunter"],
        ),
        (
            "json://127.0.0.1:9000/hooks/5ecretpath?+Authorization=Bearer%20abc123xyz",
            ["json://127.0.0.1:9000/", "+Authorization="],
            ["5ecretpath", "abc123xyz"],
        ),
        (
            "https://discord.com/api/webhooks/123456789/tok3nTOK3N",
            ["https://discord.com/"],
            ["123456789", "tok3nTOK3N"],
        ),
        (
            "webhook+https://user:pa55word@hooks.example.org/in/s3cr3tpath?k=1",
            ["webhook+https://hooks.example.org/"],
            ["pa55word", "s3cr3tpath"],
        ),
        (
            "jsonl:///var/lib/newswatch/alerts.jsonl",
            ["jsonl:///var/lib/newswatch/alerts.jsonl"],
            [],
        ),
        ("unknownservice://abc:d3f@ghi/jkl", ["unknownservice://"], ["abc", "d3f", "ghi", "jkl"]),
    ],
)
def test_channel_labels_keep_what_tells_channels_apart_and_nothing_secret(
    url: str, shown: list[str], hidden: list[str]
) -> None:
    label = redact_channel(url)
    for part in shown:
        assert part in label
    for secret in hidden:
        assert secret not in label
    assert re.search(r"\*\*\*[0-9a-f]{4}", label) or not hidden


def test_two_keys_of_one_service_look_different_and_one_key_always_alike() -> None:
    first, second = (
        redact_channel("opsgenie://keyA1234567"),
        redact_channel("opsgenie://keyB1234567"),
    )
    assert first != second and first == redact_channel("opsgenie://keyA1234567")
    assert mask("abc") == mask("abc") != mask("abd")


def test_a_channel_apprise_cannot_use_is_refused_without_its_secret(services: Catalogue) -> None:
    fcm = next(s for s in services.urls if s.service == "NotifyFCM")
    with pytest.raises(ChannelError) as refused:
        build_channel(fcm.url)
    message = str(refused.value)
    assert "cannot use this service" in message and "cryptography" in message
    assert not any(secret in message for secret in fcm.secrets)
    with pytest.raises(ChannelError) as unknown:
        build_channel("nosuchservice://T0KEN@host")
    assert "T0KEN" not in str(unknown.value) and "not a URL apprise understands" in str(
        unknown.value
    )


def test_source_urls_keep_host_and_path_and_lose_credentials() -> None:
    url = "https://reader:pa55@feeds.example.org/private.xml?token=t0k3n&author=jane&sig=5ig"
    shown = redact_url(url)
    assert shown.startswith("https://reader:***") and "@feeds.example.org/private.xml?" in shown
    assert "pa55" not in shown and "t0k3n" not in shown and "5ig" not in shown
    assert "author=jane" in shown
    assert url_secrets(url) >= {"pa55", "t0k3n", "5ig"}
    assert redact_url("https://example.org/rss.xml") == "https://example.org/rss.xml"
    assert "s3cret" not in redact_url("https://u:s3cret@host:notaport/x")


def test_redactor_masks_known_secrets_in_any_spelling_and_credentials_it_recognises() -> None:
    redactor = Redactor({"ab/cd ef99", "k3y"})  # "k3y": too short to mask everywhere
    text = redactor.text("sent ab/cd ef99 and ab%2Fcd%20ef99 and ab%2Fcd+ef99; k3y stays")
    assert "ab/cd" not in text and "ab%2F" not in text and "k3y stays" in text
    assert text.count(mask("ab/cd ef99")) == 3
    line = scrub(
        "POST https://u:pw123@h/x?api_key=K5 {'token': 'tok12345'} "
        "Authorization: Bearer abcdefghij status_code=200 author=jane"
    )
    for secret in ("pw123", "K5", "tok12345", "abcdefghij"):
        assert secret not in line
    assert "status_code=200" in line and "author=jane" in line


def test_a_database_url_that_does_not_parse_is_shown_without_its_password() -> None:
    error = InvalidDatabaseURL("postgresql+psycopg://nw:hunter2@db:notaport/nw", "bad")
    assert "hunter2" not in str(error) and "nw:***@db" in str(error)


@pytest.fixture
def root_logging() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    levels = {name: logging.getLogger(name).level for name in ("httpx", "apprise", "newswatch")}
    yield
    root.handlers[:] = handlers
    root.setLevel(level)
    for name, value in levels.items():
        logging.getLogger(name).setLevel(value)


@pytest.mark.parametrize("json_lines", [False, True])
def test_log_lines_are_masked_in_message_fields_and_traceback(
    root_logging: None, json_lines: bool
) -> None:
    stream = io.StringIO()
    configure_logging(
        "DEBUG", json_lines=json_lines, redactor=Redactor({"0PSGEN1EKEY"}), stream=stream
    )
    log = logging.getLogger("apprise")
    log.setLevel(logging.DEBUG)
    log.warning("Failed to send to %s", "https://api.example/v2?apikey=0PSGEN1EKEY")
    logging.getLogger("newswatch.test").info(
        "poll", extra={"url": "http://u:pa55w0rd@feeds.example/x.xml", "key": "0PSGEN1EKEY"}
    )
    try:
        raise RuntimeError("connection to opsgenie://0PSGEN1EKEY refused")
    except RuntimeError:
        logging.getLogger("newswatch.test").exception("crashed")
    output = stream.getvalue()
    assert "0PSGEN1EKEY" not in output and "pa55w0rd" not in output
    assert "Failed to send to" in output and "RuntimeError" in output
    assert output.count(mask("0PSGEN1EKEY")) >= 3
    if json_lines:
        assert all(json.loads(line) for line in output.splitlines() if line.startswith("{"))


def test_noisy_libraries_stay_at_warning_unless_asked_for_by_name(root_logging: None) -> None:
    configure_logging("DEBUG", stream=io.StringIO())
    assert logging.getLogger("httpx").level == logging.WARNING
    assert logging.getLogger("apprise").level == logging.WARNING
    configure_logging("INFO,httpx=DEBUG", stream=io.StringIO())
    assert logging.getLogger("httpx").level == logging.DEBUG
    assert logging.getLogger().level == logging.INFO
    assert parse_level("warning") == (logging.WARNING, {})
    with pytest.raises(ValueError, match="'LOUD' is not a level"):
        parse_level("INFO,LOUD")
