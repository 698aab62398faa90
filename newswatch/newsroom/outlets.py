"""The invented news outlets whose looks the newsroom imitates, with their localised boilerplate.

Each outlet picks one of three page layouts (``pages.py``) and supplies the words around the
article (share, newsletter, cookies…), so the extractor meets boilerplate in four languages.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class Phrases:
    """The boilerplate words of one language."""

    by: str  # before several authors
    by_one: str  # before a single author
    and_: str
    share: str
    newsletter: str
    newsletter_note: str
    subscribe: str
    cookies: str
    accept: str
    related: str
    comments: str  # format with {n}
    readers: str  # format with {n}
    home: str
    rights: str
    gone: str
    not_found: str
    ago: Callable[[int], str]  # minutes -> "Updated 5 minutes ago"
    date: Callable[[datetime], str]


@dataclass(frozen=True)
class Outlet:
    """One invented site: name, layout, menu, words and evergreen related links."""

    key: str
    name: str
    layout: str  # "classic" | "voza" | "vestnik"
    lang: str
    nav: tuple[str, ...]
    phrases: Phrases
    related: tuple[tuple[str, str], ...]  # (path, title)


def _plural_slavic(n: int, one: str, few: str, many: str) -> str:
    if n % 10 == 1 and n % 100 != 11:
        return one
    if 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14:
        return few
    return many


def _split(minutes: int) -> tuple[int, str]:
    if minutes < 60:
        return minutes, "m"
    if minutes < 60 * 24:
        return minutes // 60, "h"
    return minutes // (60 * 24), "d"


def _ago_en(minutes: int) -> str:
    if minutes < 1:
        return "Updated just now"
    n, unit = _split(minutes)
    word = {"m": "minute", "h": "hour", "d": "day"}[unit] + ("" if n == 1 else "s")
    return f"Updated {n} {word} ago"


def _ago_ru(minutes: int) -> str:
    if minutes < 1:
        return "Обновлено только что"
    n, unit = _split(minutes)
    forms = {
        "m": ("минуту", "минуты", "минут"),
        "h": ("час", "часа", "часов"),
        "d": ("день", "дня", "дней"),
    }[unit]
    return f"Обновлено {n} {_plural_slavic(n, *forms)} назад"


def _ago_uk(minutes: int) -> str:
    if minutes < 1:
        return "Оновлено щойно"
    n, unit = _split(minutes)
    forms = {
        "m": ("хвилину", "хвилини", "хвилин"),
        "h": ("годину", "години", "годин"),
        "d": ("день", "дні", "днів"),
    }[unit]
    return f"Оновлено {n} {_plural_slavic(n, *forms)} тому"


def _ago_tr(minutes: int) -> str:
    if minutes < 1:
        return "Az önce güncellendi"
    n, unit = _split(minutes)
    return f"{n} {({'m': 'dakika', 'h': 'saat', 'd': 'gün'})[unit]} önce güncellendi"


_MONTHS = {
    "en": "January February March April May June July August September October November December",
    "ru": "января февраля марта апреля мая июня июля августа сентября октября ноября декабря",
    "uk": "січня лютого березня квітня травня червня липня серпня вересня жовтня листопада грудня",
    "tr": "Ocak Şubat Mart Nisan Mayıs Haziran Temmuz Ağustos Eylül Ekim Kasım Aralık",
}


def _date_en(d: datetime) -> str:
    month = _MONTHS["en"].split()[d.month - 1]
    hour = d.hour % 12 or 12
    return f"{month} {d.day}, {d.year} {hour}:{d.minute:02d} {'am' if d.hour < 12 else 'pm'}"


def _date_dmy(lang: str) -> Callable[[datetime], str]:
    def fmt(d: datetime) -> str:
        month = _MONTHS[lang].split()[d.month - 1]
        return f"{d.day} {month} {d.year}, {d.hour:02d}:{d.minute:02d}"

    return fmt


ENGLISH = Phrases(
    by="By",
    by_one="By",
    and_="and",
    share="Share this article",
    newsletter="Sign up for our newsletter",
    newsletter_note="The day's top stories, every morning in your inbox.",
    subscribe="Subscribe",
    cookies="We use cookies to improve your experience and to show you personalised ads.",
    accept="Accept",
    related="Related",
    comments="Comments ({n}) · Join the conversation",
    readers="{n} people are reading this",
    home="Home",
    rights="All rights reserved.",
    gone="This article is no longer available.",
    not_found="Page not found",
    ago=_ago_en,
    date=_date_en,
)
RUSSIAN = Phrases(
    by="Авторы:",
    by_one="Автор:",
    and_="и",
    share="Поделиться",
    newsletter="Подпишитесь на нашу рассылку",
    newsletter_note="Главные новости дня — каждое утро.",
    subscribe="Подписаться",
    cookies="Мы используем файлы cookie, чтобы сайт работал лучше.",
    accept="Принять",
    related="Читайте также",
    comments="Комментарии ({n})",
    readers="Сейчас читают: {n}",
    home="Главная",
    rights="Все права защищены.",
    gone="Материал удалён.",
    not_found="Страница не найдена",
    ago=_ago_ru,
    date=_date_dmy("ru"),
)
UKRAINIAN = Phrases(
    by="Автори:",
    by_one="Автор:",
    and_="та",
    share="Поділитися",
    newsletter="Підпишіться на нашу розсилку",
    newsletter_note="Головні новини дня — щоранку.",
    subscribe="Підписатися",
    cookies="Ми використовуємо файли cookie, щоб сайт працював краще.",
    accept="Прийняти",
    related="Читайте також",
    comments="Коментарі ({n})",
    readers="Зараз читають: {n}",
    home="Головна",
    rights="Усі права захищено.",
    gone="Матеріал видалено.",
    not_found="Сторінку не знайдено",
    ago=_ago_uk,
    date=_date_dmy("uk"),
)
TURKISH = Phrases(
    by="Yazanlar:",
    by_one="Yazan:",
    and_="ve",
    share="Bu haberi paylaşın",
    newsletter="Bültenimize abone olun",
    newsletter_note="Günün öne çıkan haberleri her sabah e-postanızda.",
    subscribe="Abone ol",
    cookies="Deneyiminizi iyileştirmek için çerezler kullanıyoruz.",
    accept="Kabul et",
    related="İlgili haberler",
    comments="Yorumlar ({n})",
    readers="Şu anda {n} kişi okuyor",
    home="Ana sayfa",
    rights="Tüm hakları saklıdır.",
    gone="Bu haber yayından kaldırıldı.",
    not_found="Sayfa bulunamadı",
    ago=_ago_tr,
    date=_date_dmy("tr"),
)

OUTLETS: dict[str, Outlet] = {
    "herald": Outlet(
        "herald",
        "The Bosphorus Herald",
        "classic",
        "en",
        ("World", "Politics", "Business", "Sport", "Opinion", "Analysis"),
        ENGLISH,
        (
            (
                "/2025/05/20/energy-prices-ease-across-europe.html",
                "Energy prices ease across Europe",
            ),
            ("/2025/05/28/ferry-strike-ends.html", "Ferry strike ends after three days"),
            ("/2025/05/30/central-bank-holds-rates.html", "Central bank holds rates steady"),
            ("/2025/05/31/heatwave-warning-issued.html", "Heatwave warning issued for the coast"),
        ),
    ),
    "voza": Outlet(
        "voza",
        "Voza Media US",
        "voza",
        "en",
        ("Politics", "World", "Economy", "Culture", "Sports", "Opinion"),
        ENGLISH,
        (
            (
                "/en/world/250530/25190/eu-weighs-new-sanctions-package.html",
                "EU weighs a new sanctions package",
            ),
            (
                "/en/politics/250529/25170/senate-budget-vote-delayed.html",
                "Senate budget vote delayed again",
            ),
            (
                "/en/economy/250528/25152/oil-falls-on-supply-outlook.html",
                "Oil falls on supply outlook",
            ),
            (
                "/en/world/250527/25133/nato-ministers-meet-in-brussels.html",
                "NATO ministers meet in Brussels",
            ),
        ),
    ),
    "vestnik": Outlet(
        "vestnik",
        "Вестник дня",
        "vestnik",
        "ru",
        ("Политика", "Экономика", "Общество", "Мир", "Спорт"),
        RUSSIAN,
        (
            ("/ru/economy/rubl-na-torgakh", "Рубль на торгах в понедельник"),
            ("/ru/society/pogoda-na-nedelyu", "Погода на неделю: жара отступает"),
            ("/ru/world/sammit-v-gaage", "Чего ждать от саммита в Гааге"),
            ("/ru/sport/final-kubka", "Финал кубка перенесли на неделю"),
        ),
    ),
    "dennyk": Outlet(
        "dennyk",
        "Денний огляд",
        "vestnik",
        "uk",
        ("Політика", "Економіка", "Суспільство", "Світ", "Спорт"),
        UKRAINIAN,
        (
            ("/uk/ekonomika/kurs-hryvni", "Курс гривні на початку тижня"),
            ("/uk/suspilstvo/zhnyva-pochnutsia-ranishe", "Жнива почнуться раніше"),
            ("/uk/svit/samit-nato", "Чого чекати від саміту НАТО"),
            ("/uk/sport/zbirna-trenuvannia", "Збірна розпочала тренування"),
        ),
    ),
    "bogazici": Outlet(
        "bogazici",
        "Boğaziçi Gazetesi",
        "classic",
        "tr",
        ("Gündem", "Dünya", "Ekonomi", "Spor", "Yaşam"),
        TURKISH,
        (
            (
                "/tr/ekonomi/dolar-kuru-haftaya-nasil-basladi-283001",
                "Dolar kuru haftaya nasıl başladı",
            ),
            ("/tr/gundem/istanbul-da-hava-durumu-283417", "İstanbul'da hava ısınıyor"),
            ("/tr/spor/derbi-oncesi-son-durum-283655", "Derbi öncesi son durum"),
            ("/tr/yasam/bayram-tatili-planlari-284002", "Bayram tatili planları"),
        ),
    ),
}


def outlet_of(key: str) -> Outlet:
    """The outlet for a story's ``outlet`` key."""
    try:
        return OUTLETS[key]
    except KeyError:
        raise ValueError(f"unknown outlet {key!r}; choose one of {', '.join(OUTLETS)}") from None
