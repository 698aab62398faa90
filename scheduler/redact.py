"""Masking secrets in URLs and text before they are logged, shown or stored as an error.

Secrets live in URLs (channel tokens, ``user:password@`` in a source or database URL,
``?token=`` on a private feed) and get echoed by error messages and library logs. Two tools:

- :func:`redact_url` masks what any URL's own syntax marks as secret: the userinfo password
  and the values of query parameters named like credentials (``token``, ``api_key``, ``sig``…).
  The host and path stay, so a person can still tell which feed it is.
- :class:`Redactor` masks every occurrence of secrets it was told about (each configured
  channel's tokens, the database password, the API token) in any text, and then the same
  URL patterns, which catch secrets nobody configured (a source added over the API).

A secret is replaced by ``***`` and four hex digits of its SHA-256, so two different keys stay
distinguishable in a log without revealing either.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from urllib.parse import quote, quote_plus, unquote_plus, urlsplit

MASK = "***"
# Shorter strings are ordinary words too often ("dev", "a1"): replacing each occurrence in every
# log line would garble the log without protecting anything worth the name.
MIN_SECRET_LENGTH = 4

# Query parameter (and settings token) names that carry credentials: whole words such as
# ``key`` or ``sig`` only at a word edge, so ``author`` or ``design`` are left alone.
_SECRET_NAME = re.compile(
    r"token|secret|passw|pwd|signature|credential|apikey|api[-_.]?key|webhook"
    r"|(?:^|[-_.])(?:key|sig|auth|pass|session|sessionid|sid|jwt)$",
    re.IGNORECASE,
)
# ``scheme://user:password@`` anywhere in a text: the password is group 2.
_USERINFO = re.compile(r"(?i)\b([a-z][a-z0-9+.\-]*://[^\s/:@?#]*:)([^\s/@?#]+)(@)")
# ``?name=value`` / ``&name=value`` in a text: masked when the name is a credential's.
_QUERY_PARAM = re.compile(r"([?&;]([\w.\-\[\]+]+)=)([^&#\s\"'<>]+)")
# ``'token': 'value'``, ``"api_key"="value"``, ``password: value``: how libraries print the
# payloads and settings they send.
_KEY_VALUE = re.compile(r"""(['"]?([\w.\-]+)['"]?\s*[:=]\s*)(['"]?)([^'"\s,;&}{)]+)""")
_BEARER = re.compile(r"(?i)\b(bearer|basic|token)(\s+)([A-Za-z0-9._~+/=\-]{8,})")


def mask(secret: str) -> str:
    """``***`` and a short stable fingerprint: different secrets look different."""
    return MASK + hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()[:4]


def is_secret_name(name: str) -> bool:
    """Whether a parameter or setting called ``name`` holds a credential."""
    return bool(_SECRET_NAME.search(name.lstrip("+-:")))


def redact_url(url: str) -> str:
    """``url`` with its userinfo password and credential query values masked.

    A URL that cannot be parsed is masked whole after its scheme: it may be anything.
    """
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018  (raises ValueError on a malformed port)
    except ValueError:
        scheme, sep, rest = url.partition("://")
        return f"{scheme}://{mask(rest)}" if sep else mask(url)
    if parts.password is None and not parts.query:
        return url
    start = url.index(parts.netloc) if parts.netloc else 0
    head, tail = url[:start], url[start + len(parts.netloc) :]
    netloc = parts.netloc
    if parts.password is not None:
        user, _, host = netloc.rpartition("@")
        netloc = f"{user.partition(':')[0]}:{mask(parts.password)}@{host}"
    if parts.query:
        before, _, after = tail.partition("?")
        query, hash_, fragment = after.partition("#")
        tail = before + _QUERY_PARAM.sub(_mask_param, "?" + query) + hash_ + fragment
    return head + netloc + tail


def url_secrets(url: str) -> frozenset[str]:
    """The secret parts of ``url`` as :func:`redact_url` sees them (password, credentials)."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return frozenset({url.partition("://")[2] or url})
    found = [parts.password or ""]
    for pair in re.split(r"[&;]", parts.query):
        name, _, value = pair.partition("=")
        if is_secret_name(unquote_plus(name)):
            found.append(value)
    # Both spellings: the raw one is in the URL, the decoded one in what a library prints.
    return frozenset(form for value in found if value for form in (value, unquote_plus(value)))


def _mask_param(match: re.Match[str]) -> str:
    head, name, value = match.group(1), match.group(2), match.group(3)
    return (
        head + mask(value)
        if is_secret_name(name) and not value.startswith(MASK)
        else (match.group(0))
    )


def _mask_key_value(match: re.Match[str]) -> str:
    head, name, quote_, value = match.group(1), match.group(2), match.group(3), match.group(4)
    if not is_secret_name(name) or value.startswith(MASK) or len(value) < MIN_SECRET_LENGTH:
        return match.group(0)
    return head + quote_ + mask(value)


def _mask_password(match: re.Match[str]) -> str:
    password = match.group(2)
    return (
        match.group(0)
        if password.startswith(MASK)
        else (match.group(1) + mask(password) + match.group(3))
    )


def scrub(text: str) -> str:
    """``text`` with the secrets any URL, header or payload syntax marks as such masked."""
    text = _USERINFO.sub(_mask_password, text)
    text = _QUERY_PARAM.sub(_mask_param, text)
    text = _KEY_VALUE.sub(_mask_key_value, text)
    return _BEARER.sub(lambda m: m.group(1) + m.group(2) + mask(m.group(3)), text)


class Redactor:
    """Masks known secrets (and whatever :func:`scrub` recognises) in any text."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        self.secrets: frozenset[str] = frozenset(s for s in secrets if len(s) >= MIN_SECRET_LENGTH)
        # A secret also travels percent-encoded (in a URL) or form-encoded (in a body).
        spelled: dict[str, str] = {}
        for secret in self.secrets:
            for form in (secret, quote(secret, safe=""), quote_plus(secret)):
                spelled.setdefault(form, mask(secret))
        self._masks = spelled
        self._pattern = (
            re.compile("|".join(re.escape(form) for form in sorted(spelled, key=len, reverse=True)))
            if spelled
            else None
        )

    def __or__(self, other: Redactor) -> Redactor:
        return Redactor(self.secrets | other.secrets)

    def text(self, value: str) -> str:
        """``value`` with every known secret and every recognisable credential masked."""
        if self._pattern is not None:
            value = self._pattern.sub(lambda m: self._masks[m.group(0)], value)
        return scrub(value)

    def optional(self, value: str | None) -> str | None:
        """:meth:`text` for a value that may be missing."""
        return None if value is None else self.text(value)

    def url(self, url: str) -> str:
        """A URL fit to show: its own credentials masked, and any known secret in it."""
        return self.text(redact_url(url))
