"""One channel URL per apprise service, with a unique fake secret in each of its private parts.

The URLs are built from what each installed plug-in declares (its URL templates and their
tokens, each token's type and pattern), so a new apprise release is covered without editing
this file. Secrets go into every token the plug-in flags ``private`` and every token whose name
says it is a credential (some plug-ins forgot the flag, e.g. Mastodon's ``token``); hosts are
loopback and ports unused, so a delivery fails at once and offline.
"""

from __future__ import annotations

import random
import re
import socket
import string
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from re import _constants as sre  # type: ignore[attr-defined]
from re import _parser as sre_parse  # type: ignore[attr-defined]
from typing import Any
from urllib.parse import quote

import apprise
from apprise.manager_plugins import NotificationManager

# Named like a credential: the test's own rule, independent of the code under test.
CREDENTIAL_NAME = re.compile(r"token|key|secret|password|sid|webhook", re.I)
_TEXT = ("string", "list:string")
_PLACEHOLDER = re.compile(r"{(\w+)}")
_ALNUM = string.ascii_lowercase + string.digits
# Parts a plug-in checks in its code rather than by a declared pattern: a value that passes.
_HINTS: Mapping[tuple[str, str], str] = {
    ("NotifyACS", "endpoint"): "newswatch.communication.example.org",
    ("NotifyPagerTree", "integration"): "int_nw{tag:.10}",
    ("NotifyThreema", "gateway_id"): "*nw{tag:.5}",
}


@dataclass(frozen=True)
class ServiceURL:
    """A channel URL for one apprise plug-in and the fake secrets planted in it."""

    service: str  # the plug-in class name, e.g. NotifyOpsgenie
    url: str
    secrets: tuple[str, ...]


@dataclass
class Catalogue:
    """Every plug-in, sorted into those with a URL and those left out (with the reason)."""

    urls: list[ServiceURL] = field(default_factory=list)
    disabled: dict[str, str] = field(default_factory=dict)  # lacks a package or an OS service
    no_secret: list[str] = field(default_factory=list)  # declares nothing private
    unbuildable: dict[str, str] = field(default_factory=dict)


def unused_port() -> int:
    """A loopback port nothing listens on: connecting is refused at once."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def catalogue(*, include_disabled: bool = False) -> Catalogue:
    """Build a URL for every installed apprise plug-in."""
    manager = NotificationManager()  # type: ignore[no-untyped-call]
    port = unused_port()
    found = Catalogue()
    plugins = manager.plugins()  # type: ignore[no-untyped-call]
    for plugin in sorted(set(plugins), key=lambda p: p.__name__):
        name = plugin.__name__
        if not plugin.enabled and not include_disabled:
            needs = plugin.requirements.get("packages_required") or "an OS service"
            found.disabled[name] = str(needs)
            continue
        if not _private_tokens(plugin):
            found.no_secret.append(name)
            continue
        built = _build(plugin, port, check=plugin.enabled)
        if isinstance(built, str):
            found.unbuildable[name] = built
        else:
            found.urls.append(built)
    return found


def is_private(name: str, spec: Mapping[str, Any]) -> bool:
    """Private as the plug-in declares it, or by its name (for a text token)."""
    return bool(spec.get("private")) or (
        spec.get("type", "string") in _TEXT and bool(CREDENTIAL_NAME.search(name))
    )


def _private_tokens(plugin: Any) -> set[str]:
    return {n for n, s in plugin.template_tokens.items() if is_private(n, s)}


def _schemes(plugin: Any) -> list[str]:
    found: list[str] = []
    for attr in ("protocol", "secure_protocol"):
        value = getattr(plugin, attr, None)
        found += [value] if isinstance(value, str) else list(value or ())
    return found


@dataclass(frozen=True)
class _Style:
    """One way to fill a template's parts: plug-ins validate hosts, phones and keys
    differently, so a few are tried in turn."""

    host: str = "127.0.0.1"  # loopback: a connection is refused at once
    secret: str = "random"  # random | hex
    digits: bool = False  # targets as numbers (chat and container ids)


_STYLES = (
    _Style(),
    _Style(host="example.org"),
    _Style(digits=True),
    _Style(secret="hex"),
    _Style(host="example.org", secret="hex"),
    _Style(host="1000002", digits=True),
)


def _build(plugin: Any, port: int, *, check: bool) -> ServiceURL | str:
    """The first template that yields a URL apprise accepts, private parts filled."""
    private = _private_tokens(plugin)
    templates = sorted(
        plugin.templates, key=lambda t: (-len(private & set(_PLACEHOLDER.findall(t))), len(t))
    )
    schemes = _schemes(plugin)
    if not schemes:
        return "declares no URL scheme"
    private_args = [
        n for n, s in plugin.template_args.items() if "alias_of" not in s and is_private(n, s)
    ]
    last = "no template"
    for template in templates:
        for style in _STYLES:
            for with_args in (True, False) if private_args else (False,):
                rng = random.Random(f"{plugin.__name__}:{template}:{style}:{with_args}")
                secrets: list[str] = []
                try:
                    url = _fill(plugin, template, schemes[0], port, style, rng, secrets)
                except ValueError as error:
                    last = str(error)
                    continue
                if with_args:
                    query = []
                    for arg in private_args:
                        value = _value(arg, plugin.template_args[arg], rng, style, secret=True)
                        secrets.append(value)
                        query.append(f"{arg}={quote(value, safe='')}")
                    url += ("&" if "?" in url else "?") + "&".join(query)
                refusal = _refusal(url) if check else None
                if secrets and refusal is None:
                    return ServiceURL(plugin.__name__, url, tuple(secrets))
                last = f"apprise refuses every filling of {template}: {refusal}"
    return last


def _refusal(url: str) -> str | None:
    """Why apprise will not take ``url`` (None: it does)."""
    try:
        taken = apprise.Apprise.instantiate(url, suppress_exceptions=False)
    except Exception as error:
        return str(error)
    return None if taken is not None else "not parsed"


def _fill(
    plugin: Any,
    template: str,
    scheme: str,
    port: int,
    style: _Style,
    rng: random.Random,
    secrets: list[str],
) -> str:
    tokens = plugin.template_tokens

    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        if name == "schema":
            return scheme
        spec = tokens.get(name)
        if spec is None:
            raise ValueError(f"{template}: {{{name}}} is not declared")
        hint = _HINTS.get((plugin.__name__, name))
        if hint is not None:
            shown = hint.format(tag="".join(rng.choice(_ALNUM) for _ in range(20)))
            if is_private(name, spec):
                secrets.append(shown)
            return shown
        if is_private(name, spec):
            secret = _value(name, spec, rng, style, secret=True)
            secrets.append(secret)
            return quote(secret, safe="@" if spec.get("type") == "email" else "")
        if name == "host" and "regex" not in spec:
            return style.host
        if name == "port":
            return str(port)
        if name == "path":
            return "/newswatch/" if f"/{{{name}}}" not in template else "newswatch"
        if name == "targets":
            return _target(tokens, rng, style)
        return quote(_value(name, spec, rng, style), safe="@+#")

    return _PLACEHOLDER.sub(value, template)


def _target(tokens: Mapping[str, Any], rng: random.Random, style: _Style) -> str:
    if style.digits:
        return "1000001"
    for name, spec in tokens.items():
        if spec.get("map_to") == "targets" and not is_private(name, spec):
            return quote(spec.get("prefix", "") + _value(name, spec, rng, style), safe="@+#")
    return "newswatch"


def _phone(rng: random.Random) -> str:
    return "1555" + "".join(rng.choice(string.digits) for _ in range(7))


def _value(
    name: str, spec: Mapping[str, Any], rng: random.Random, style: _Style, *, secret: bool = False
) -> str:
    kind = spec.get("type", "string")
    pattern = spec.get("regex")
    regex, flags = (pattern, "") if isinstance(pattern, str | type(None)) else pattern
    if kind.startswith("choice"):
        values = list(spec.get("values") or ())
        return str(spec.get("default", values[0] if values else ""))
    if kind == "int":
        return str(max(int(spec.get("min", 1)), 1))
    if kind == "bool":
        return "yes"
    tag = "".join(rng.choice(_ALNUM) for _ in range(20))
    if kind == "email":
        return f"nw{tag}@example.org" if secret else "desk@example.org"
    phone_like = "[0-9\\s)(+-]" in (regex or "")
    if not secret and (phone_like or (regex is None and ("phone" in name or "source" in name))):
        return _phone(rng)
    if regex is None:
        if secret and style.secret == "hex":
            return "".join(rng.choice("0123456789abcdef") for _ in range(64))
        return ("nw" if secret else "") + tag
    compiled = re.compile(regex, re.IGNORECASE if "i" in flags else 0)
    sample = _sample(compiled, rng)
    if not compiled.match(sample):
        raise ValueError(f"{name}: cannot make a value matching {regex!r}")
    return sample


def _sample(compiled: re.Pattern[str], rng: random.Random) -> str:
    """A string matching ``compiled``: optional parts left out, repeats ~20 long."""
    return "".join(_emit(sre_parse.parse(compiled.pattern, compiled.flags), rng))


def _emit(items: Any, rng: random.Random) -> Iterator[str]:
    for op, av in items:
        if op is sre.LITERAL:
            yield chr(av)
        elif op is sre.NOT_LITERAL:
            yield next(c for c in _ALNUM if ord(c) != av)
        elif op is sre.IN:
            yield _pick(av, rng)
        elif op is sre.ANY:
            yield rng.choice(_ALNUM)
        elif op in (sre.MAX_REPEAT, sre.MIN_REPEAT, getattr(sre, "POSSESSIVE_REPEAT", None)):
            low, high, sub = av
            count = 0 if low == 0 else min(high, max(low, 20))
            for _ in range(count):
                yield from _emit(sub, rng)
        elif op is sre.SUBPATTERN:
            yield from _emit(av[-1], rng)
        elif op is sre.BRANCH:
            yield from _emit(av[1][0], rng)
        elif op is sre.CATEGORY:
            yield _pick([(op, av)], rng)
        elif op is sre.AT:
            continue
        else:
            raise ValueError(f"cannot generate {op}")


def _pick(choices: Any, rng: random.Random) -> str:
    allowed = [c for c in _ALNUM + "-_." if _member(c, choices)]
    if not allowed:
        raise ValueError("an empty character class")
    letters = [c for c in allowed if c.isalnum()] or allowed
    return rng.choice(letters)


def _member(char: str, choices: Any) -> bool:
    negate = False
    hit = False
    for op, av in choices:
        if op is sre.NEGATE:
            negate = True
        elif op is sre.LITERAL:
            hit |= char.lower() == chr(av).lower()
        elif op is sre.RANGE:
            low, high = av
            hit |= any(low <= ord(c) <= high for c in (char, char.upper()))
        elif op is sre.CATEGORY:
            name = str(av)
            hit |= (
                char.isdigit()
                if "DIGIT" in name
                else (char.isalnum() or char == "_")
                if "WORD" in name
                else False
            )
    return hit != negate
