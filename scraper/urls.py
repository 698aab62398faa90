"""URL canonicalisation: the same article reached five ways is one article."""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from w3lib.url import canonicalize_url as _w3lib_canonicalize

# Parameters that identify a campaign or a click, never an article. Exact names, plus prefixes.
TRACKING_PARAMETERS = frozenset(
    {
        "fbclid",
        "gclid",
        "dclid",
        "gbraid",
        "wbraid",
        "msclkid",
        "yclid",
        "mc_cid",
        "mc_eid",
        "ocid",
        "cmpid",
        "cmp",
        "ncid",
        "igshid",
        "ito",
        "itm_source",
        "itm_medium",
        "itm_campaign",
        "ref",
        "ref_src",
        "ref_url",
        "smid",
        "partner",
        "ns_mchannel",
        "ns_source",
        "ns_campaign",
        "xtor",
        "at_medium",
        "at_campaign",
        "share",
        "s_cid",
        "_ga",
        "_gl",
        "spm",
        "rss",
        "from",
        "guccounter",
        # E-mail and ad platforms (HubSpot, Marketo, Vero, Omeda, Adobe, TikTok, X, LinkedIn).
        "mkt_tok",
        "_hsenc",
        "_hsmi",
        "vero_id",
        "vero_conv",
        "oly_enc_id",
        "oly_anon_id",
        "rb_clickid",
        "s_kwcid",
        "ef_id",
        "twclid",
        "ttclid",
        "li_fat_id",
        "srsltid",
        "wt.mc_id",
        "wt_mc_id",
        "sc_cid",
        "icid",
        "ns_linkname",
        "ns_fee",
    }
)
TRACKING_PREFIXES = ("utm_", "pk_", "mtm_", "hsa_", "at_")
_DEFAULT_PORTS = {"http": 80, "https": 443}


class InvalidURL(ValueError):
    """A string that is not an absolute http(s) URL."""


def is_tracking_parameter(name: str) -> bool:
    lowered = name.lower()
    return lowered in TRACKING_PARAMETERS or lowered.startswith(TRACKING_PREFIXES)


def canonicalize_url(url: str) -> str:
    """Return the canonical form of an http(s) URL.

    Lower-cased scheme and host, no default port, no fragment, no tracking parameters, query
    sorted and percent-encoding normalised (w3lib). Raises :class:`InvalidURL` for anything else.
    """
    try:
        parts = urlsplit(url.strip())
    except ValueError as exc:  # "http://[::1": an unclosed IPv6 bracket, a bad NFKC host
        raise InvalidURL(f"not a URL ({exc}): {url!r}") from None
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS or not parts.hostname:
        raise InvalidURL(f"not an absolute http(s) URL: {url!r}")
    host = parts.hostname.rstrip(".")
    if ":" in host:  # IPv6 literal
        host = f"[{host}]"
    try:
        port = parts.port
    except ValueError as exc:
        raise InvalidURL(f"bad port in URL: {url!r}") from exc
    netloc = host if port in (None, _DEFAULT_PORTS[scheme]) else f"{host}:{port}"
    if parts.username:
        raise InvalidURL(f"URLs with credentials are not watched: {url!r}")
    query = urlencode(
        [
            (k, v)
            for k, v in parse_qsl(parts.query, keep_blank_values=True)
            if not is_tracking_parameter(k)
        ]
    )
    path = parts.path or "/"
    rebuilt = urlunsplit((scheme, netloc, path, query, ""))
    try:
        return _w3lib_canonicalize(rebuilt, keep_fragments=False)
    except ValueError as exc:  # UnicodeError included: a host IDNA cannot encode
        raise InvalidURL(f"not a URL ({exc}): {url!r}") from None


def site_host(url: str) -> str:
    """The URL's host without a leading ``www.``, for comparing sites (the outlet a stored
    article belongs to is ``storage.outlets``' to say: scraper never names outlets)."""
    host = (urlsplit(url).hostname or "").lower()
    return host.removeprefix("www.")


def same_site(a: str, b: str) -> bool:
    """Whether two URLs are on the same site (ignoring ``www.``, ``m.`` and ``amp.``, and
    http against https); another port is another site, whatever the host."""

    def base(url: str) -> tuple[str, int | None]:
        host = site_host(url)
        for prefix in ("m.", "amp.", "mobile."):
            host = host.removeprefix(prefix)
        return host, _explicit_port(url)

    return base(a) == base(b)


def _explicit_port(url: str) -> int | None:
    """The URL's port unless it is the default of http or https (``None``)."""
    try:
        port = urlsplit(url).port
    except ValueError:
        return -1  # unreadable: never equal to a real port, never the default
    return None if port in (None, 80, 443) else port


# AMP caches and viewers serve a publisher's page from someone else's host.
_AMP_CACHE_SUFFIX = ".cdn.ampproject.org"
_AMP_PATH = re.compile(r"(/amp)(/|$)|\.amp(\.html?)?$|/amp\.html?$", re.I)


def is_amp(url: str) -> bool:
    """Whether a URL looks like an AMP or mobile rendition (``/amp/``, ``.amp``, ``amp.``/``m.``
    host, ``?amp=1``, an AMP cache)."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    query = {k.lower() for k, _ in parse_qsl(parts.query, keep_blank_values=True)}
    return (
        host.endswith(_AMP_CACHE_SUFFIX)
        or host.startswith(("amp.", "m.", "mobile."))
        or bool(_AMP_PATH.search(parts.path))
        or bool(query & {"amp", "outputtype"})
    )


def article_identity(final_url: str, declared_canonical: str | None) -> str:
    """The canonical URL an article is known by, given where a fetch ended and what it declared.

    The page's own ``<link rel=canonical>`` wins when it points to the same site (that is how
    AMP and mobile pages and tracking-laden URLs name their canonical page); a canonical on
    another site (a syndication partner) is ignored, except from an AMP cache, which always
    names the publisher. Without one, the final URL after redirects is the identity.
    """
    final = canonicalize_url(final_url)
    if not declared_canonical:
        return final
    try:
        canonical = canonicalize_url(urljoin(final_url, declared_canonical.strip()))
    except InvalidURL:
        return final
    from_amp_cache = (urlsplit(final).hostname or "").endswith(_AMP_CACHE_SUFFIX)
    return canonical if same_site(canonical, final) or from_amp_cache else final
