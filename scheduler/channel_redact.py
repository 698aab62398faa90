"""Masking an alert channel's URL by what its apprise plug-in says is private.

For many services the token *is* the host or a path segment (``opsgenie://APIKEY``,
``pover://USER@TOKEN``, ``tgram://BOT:TOKEN/chat``), so masking a URL's password is not enough.
Each apprise plug-in declares its URL's parts (``template_tokens``, ``template_args``,
``template_kwargs``), some of them ``"private": True``. The plug-in's own parser splits the URL
into those parts; a part of the URL is shown only when it is the value of a part the plug-in
declares public (host, port, targets, options) and contains nothing private. Everything else
is masked, so a plug-in that forgot to declare a token private, or a URL shape we did not
foresee, fails closed. Parts are also private when their name says so (``token``,
``apikey``…, for plug-ins that forgot the flag) and for a few services listed in
:data:`ALSO_PRIVATE` (an ntfy topic is all it takes to read or post to a public ntfy server).

Our own schemes mask the password, credential query values and (``webhook+``) the path, which
is how hooks usually carry their token. A scheme nobody knows is masked whole.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import unquote_plus, urlsplit

from scheduler.redact import MIN_SECRET_LENGTH, is_secret_name, mask, redact_url, url_secrets

# Plug-in class name → more of its parts to treat as private than it declares.
ALSO_PRIVATE: Mapping[str, frozenset[str]] = {
    "NotifyNtfy": frozenset({"topic", "targets"}),
}
# A generic webhook's path is often its only credential (``json://host/hooks/T0K3N``).
_CAPABILITY_PATHS = frozenset({"path", "fullpath"})
_PLACEHOLDER = re.compile(r"{(\w+)}")
# Where an apprise URL splits into words; each word is shown or masked on its own.
_DELIMITERS = re.compile(r"([/:@#,+\s])")
_TEXT_TYPES = ("string", "list:string")
# A masked word this long is remembered as a secret for the logs, whatever its part.
_REMEMBER = 6


@dataclass(frozen=True, slots=True)
class MaskedChannel:
    """A channel URL fit for logs and screens, and the secret strings it held."""

    label: str
    secrets: frozenset[str]


def redact_channel(url: str) -> str:
    """The channel URL with every private part masked (see the module docstring)."""
    return mask_channel(url).label


def channel_secrets(url: str) -> frozenset[str]:
    """The secret strings in a channel URL, to mask wherever they turn up."""
    return mask_channel(url).secrets


def mask_channel(url: str) -> MaskedChannel:
    """Split ``url`` into what may be shown and what must not."""
    scheme, sep, rest = url.partition("://")
    scheme = scheme.lower()
    if not sep:
        return _opaque("", url)
    if scheme in ("console", "jsonl"):
        return MaskedChannel(redact_url(url), url_secrets(url))
    if scheme in ("webhook+http", "webhook+https"):
        return _webhook(scheme, rest)
    return _apprise(url) or _opaque(scheme, rest)


def _opaque(scheme: str, rest: str) -> MaskedChannel:
    words = {w for w in _DELIMITERS.split(rest) if len(w) >= _REMEMBER}
    return MaskedChannel(
        f"{scheme}://{mask(rest)}" if scheme else mask(rest), frozenset({rest, *words})
    )


def _webhook(scheme: str, rest: str) -> MaskedChannel:
    target = rest if "://" in rest else f"{scheme.partition('+')[2]}://{rest}"
    try:
        parts = urlsplit(target)
        host = parts.hostname or ""
        port = f":{parts.port}" if parts.port else ""
    except ValueError:
        return _opaque(scheme, rest)
    tail = parts.path.strip("/") or parts.query
    secret_tail = target[len(f"{parts.scheme}://{parts.netloc}") :]
    label = f"{scheme}://{host}{port}" + (f"/{mask(secret_tail)}" if tail else "")
    secrets = url_secrets(target) | ({secret_tail, parts.path} if tail else set())
    return MaskedChannel(label, frozenset(secrets))


@dataclass(frozen=True, slots=True)
class _Declared:
    """What one plug-in declares about its URL's parts."""

    private: frozenset[str]  # names (and map_to names) of private tokens and args
    public: frozenset[str]
    args: frozenset[str]  # every query argument name it accepts (lower case)
    kwargs: Mapping[str, tuple[str, bool]]  # prefix → (results key, all values private)
    # Places ("user", "password", "host") where a template puts a private token, each with
    # whether that template has an "@" (the URL's shape must match for the place to count).
    positions: frozenset[tuple[str, bool]]


def _declared(plugin: Any) -> _Declared:
    also = ALSO_PRIVATE.get(plugin.__name__, frozenset())
    private: set[str] = set()
    public: set[str] = set()
    flagged: set[str] = set()  # private by the plug-in's own word

    def sort(name: str, spec: Mapping[str, Any]) -> None:
        names = {name, str(spec.get("map_to", name))}
        if spec.get("private"):
            flagged.update(names)
        secret = (
            bool(spec.get("private"))
            or name in also
            or bool(names & _CAPABILITY_PATHS)
            or (spec.get("type", "string") in _TEXT_TYPES and is_secret_name(name))
        )
        (private if secret else public).update(names)

    for name, spec in plugin.template_tokens.items():
        sort(name, spec)
    aliases: dict[str, tuple[str, ...]] = {}
    for name, spec in plugin.template_args.items():
        alias = spec.get("alias_of")
        if alias is None:
            sort(name, spec)
        else:
            aliases[name] = tuple(alias) if isinstance(alias, list | tuple) else (alias,)
    for name, targets in aliases.items():
        (private if private & set(targets) or is_secret_name(name) else public).add(name)
    kwargs = {
        str(spec.get("prefix", "")): (str(spec.get("map_to", name)), name == "headers")
        for name, spec in getattr(plugin, "template_kwargs", {}).items()
    }
    # Apprise's parser may file a token under the name of what usually stands there (ntfy's
    # ``{token}@{host}`` comes back as the user name): a place any template gives a private
    # token is private whatever the parse says.
    positions = {
        (place, "@" in template)
        for template in plugin.templates
        for place, names in _places(template).items()
        if names & flagged
    }
    if not any(_places(template)["password"] for template in plugin.templates):
        # A password no template expects: nothing says it is harmless.
        positions |= {("password", True), ("password", False)}
    return _Declared(
        private=frozenset(private),
        public=frozenset(public - private),
        args=frozenset(n.lower() for n in (*plugin.template_args, *aliases)),
        kwargs=kwargs,
        positions=frozenset(positions),
    )


def _authority(rest: str) -> tuple[str, str, str, str]:
    """``user``, ``password``, ``host`` and what follows them, from a URL without scheme."""
    end = min((i for i in (rest.find(c) for c in "/?#") if i >= 0), default=len(rest))
    userinfo, _, hostport = rest[:end].rpartition("@")
    user, _, password = userinfo.partition(":")
    host, colon, port = hostport.partition(":")
    return user, password, host, colon + port + rest[end:]


def _places(template: str) -> dict[str, set[str]]:
    """The token names a template puts in the user, password and host places of its URL
    (only the first of ``{host}{path}{token}``: the others follow as the path)."""
    user, password, host, _ = _authority(template.partition("://")[2])
    return {
        place: {found.group(1)} if (found := _PLACEHOLDER.match(text)) else set()
        for place, text in (("user", user), ("password", password), ("host", host))
    }


def _apprise(url: str) -> MaskedChannel | None:
    try:
        from apprise.manager_plugins import NotificationManager
        from apprise.plugins import url_to_dict

        results = url_to_dict(url, secure_logging=True)  # type: ignore[no-untyped-call]
        plugins = NotificationManager()  # type: ignore[no-untyped-call]
        plugin = plugins[results["schema"]] if results else None
    except Exception:  # any URL apprise chokes on is masked whole by the caller
        return None
    if plugin is None:
        return None
    declared = _declared(plugin)
    secrets = set(_values(results, declared.private))
    for key, everything in declared.kwargs.values():
        for name, value in (results.get(key) or {}).items():
            if everything or is_secret_name(str(name)):
                secrets |= set(_values({"v": value}, {"v"}))
    public = {
        w.lower()
        for value in _values(results, declared.public)
        for w in (value, *_DELIMITERS.split(value))
        if w
    }
    scheme, _, rest = url.partition("://")
    if results.get("schema") != scheme.lower():
        # A service's own https:// URL: its host is the service's, its places not the
        # templates'.
        public.add((urlsplit(url).hostname or "").lower())
        declared = replace(declared, positions=frozenset())
    return _Masker(declared, public, secrets).label(scheme, rest)


def _values(results: Mapping[str, Any], names: Iterable[str]) -> list[str]:
    found: list[str] = []
    for name in names:
        value = results.get(name)
        items = value if isinstance(value, list | tuple | set | frozenset) else [value]
        found += [
            str(v) for v in items if isinstance(v, str | int) and not isinstance(v, bool) and str(v)
        ]
    return found


class _Masker:
    """Shows a word of the URL only when it is public and overlaps no secret."""

    def __init__(self, declared: _Declared, public: set[str], secrets: set[str]) -> None:
        self._declared = declared
        self._public = public
        self._secrets = {s.lower() for s in secrets if len(s) >= 3}
        self._known = set(secrets)  # declared private: remembered from four characters
        self._unsure: set[str] = set()  # merely not declared public: remembered when long

    def label(self, scheme: str, rest: str) -> MaskedChannel:
        user, password, host, tail = _authority(rest)
        head, _, query = tail.partition("?")
        shape = "@" in rest.partition("/")[0]
        shown = self._place(user, ("user", shape))
        shown += (":" + self._place(password, ("password", shape))) if password else ""
        shown += "@" if user or password else ""
        shown += self._place(host, ("host", shape)) + self._words(head)
        if query:
            shown += "?" + "&".join(self._param(pair) for pair in query.split("&"))
        secrets = {s for s in self._known if len(s) >= MIN_SECRET_LENGTH}
        secrets |= {w for w in self._unsure if len(w) >= _REMEMBER}
        return MaskedChannel(f"{scheme}://{shown}", frozenset(secrets))

    def _place(self, text: str, place: tuple[str, bool]) -> str:
        if text and place in self._declared.positions:
            return self._hide(text, secret=True)
        return self._words(text)

    def _words(self, text: str) -> str:
        return "".join(
            self._word(w) if i % 2 == 0 else w for i, w in enumerate(_DELIMITERS.split(text))
        )

    def _overlaps(self, word: str) -> bool:
        low = word.lower()
        return any(s in low or (len(low) >= 3 and low in s) for s in self._secrets)

    def _hide(self, raw: str, *, secret: bool) -> str:
        (self._known if secret else self._unsure).update({raw, unquote_plus(raw)})
        return mask(unquote_plus(raw))

    def _word(self, raw: str) -> str:
        word = unquote_plus(raw)
        if not word:
            return raw
        if self._overlaps(word):
            return self._hide(raw, secret=True)
        return raw if word.lower() in self._public else self._hide(raw, secret=False)

    def _param(self, pair: str) -> str:
        raw_key, eq, raw_value = pair.partition("=")
        key = unquote_plus(raw_key)
        prefix = key[:1] if key[:1] in self._declared.kwargs else ""
        if prefix:
            everything = self._declared.kwargs[prefix][1]
            known, secret = True, everything or is_secret_name(key[1:])
        else:
            known = key.lower() in self._declared.args
            secret = key.lower() in self._declared.private or is_secret_name(key)
        shown_key = raw_key if known or eq else self._hide(raw_key, secret=False)
        if not raw_value:
            return shown_key + eq
        if secret or self._overlaps(unquote_plus(raw_value)):
            return f"{shown_key}{eq}{self._hide(raw_value, secret=True)}"
        if not known:
            return f"{shown_key}{eq}{self._hide(raw_value, secret=False)}"
        return f"{shown_key}{eq}{raw_value}"
