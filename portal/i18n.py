"""Languages, locale selection and text direction (DESIGN §7)."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from urllib.parse import quote_plus

from flask import current_app, g, request, session
from flask_babel import format_date, format_datetime, format_decimal, format_number, get_locale
from flask_login import current_user

#: Shipped UI languages, in picker order, each named in its own script (endonym).
LANGUAGES: dict[str, str] = {
    "en": "English",
    "es": "Español",
    "fr": "Français",
    "ar": "العربية",
    "bn": "বাংলা",
    "hi": "हिन्दी",
    "ur": "اردو",
    "ne": "नेपाली",
    "my": "မြန်မာ",
    "km": "ខ្មែរ",
    "vi": "Tiếng Việt",
    "zh_Hans": "简体中文",
    "id": "Bahasa Indonesia",
    "fil": "Filipino",
    "th": "ไทย",
    "ta": "தமிழ்",
    "si": "සිංහල",
    "pt_BR": "Português (Brasil)",
    "tr": "Türkçe",
    "am": "አማርኛ",
}
RTL_LANGUAGES = frozenset({"ar", "ur"})
DEFAULT_LANGUAGE = "en"


def bcp47(code: str) -> str:
    """``zh_Hans`` → ``zh-Hans``: the form HTML ``lang`` and Accept-Language use."""
    return code.replace("_", "-")


def parse_language(value: str | None) -> str | None:
    """A shipped language code from user input (``zh-Hans``, ``ZH_hans``, ``ar``), else None."""
    if not value:
        return None
    wanted = value.strip().replace("-", "_").lower()
    for code in LANGUAGES:
        if code.lower() == wanted:
            return code
    return None


def text_direction(code: str) -> str:
    if code in RTL_LANGUAGES:
        return "rtl"
    if code in LANGUAGES:
        return "ltr"
    locale = _babel_locale(code)
    return "rtl" if locale is not None and locale.character_order == "right-to-left" else "ltr"


# --- content languages: a survey may be written in any language, not only the 12 catalogs


def _babel_locale(code: str):
    from babel import Locale, UnknownLocaleError

    try:
        return Locale.parse(code.replace("-", "_"))
    except (UnknownLocaleError, ValueError, TypeError):
        return None


def content_language(value: str | None) -> str | None:
    """Any language Unicode CLDR knows, from a code (``sw``, ``pt-BR``, ``zh-Hans``) or a name in
    English or in itself (``Swahili``, ``Kiswahili``): our code (``sw``, ``pt_BR``), else None.

    Shipped catalog languages keep their own codes (``zh`` → ``zh_Hans``)."""
    if not value or not value.strip():
        return None
    text = value.strip()
    shipped = parse_language(text)
    if shipped:
        return shipped
    if re.fullmatch(r"[A-Za-z]{2,3}([-_][A-Za-z0-9]{2,8})*", text):
        locale = _babel_locale(text)
        if locale is not None:
            # en-GB → en, zh-CN → zh_Hans: a shipped language keeps its one code.
            shipped = _ours(locale.language)
            return shipped if shipped in LANGUAGES else str(locale)
        if text.lower() in _english_names():  # known by name, without locale data (tlh)
            return text.lower()
    return _language_names().get(text.casefold())


def _ours(code: str) -> str:
    """A CLDR code, or the one shipped catalog of that bare language (``zh`` → ``zh_Hans``)."""
    primary = [known for known in LANGUAGES if known.split("_")[0] == code]
    return parse_language(code) or (primary[0] if len(primary) == 1 else code)


def _english_names() -> dict[str, str]:
    from babel import Locale

    return Locale("en").languages


def _language_names() -> dict[str, str]:
    """Casefolded language name (English, then each language's own) → our code, from CLDR."""
    cached = getattr(_language_names, "cache", None)
    if cached is None:
        cached = {}
        english = _english_names()
        for code, name in english.items():
            cached.setdefault(name.casefold(), _ours(code))
        for code in english:
            locale = _babel_locale(code)
            own = locale.get_display_name(locale) if locale is not None else None
            if own:
                cached.setdefault(own.casefold(), _ours(code))
        for code, name in LANGUAGES.items():
            cached[name.casefold()] = code
        _language_names.cache = cached  # type: ignore[attr-defined]
    return cached


def language_label(code: str) -> str:
    """A language named in itself: a catalog's endonym, else CLDR's, else the code."""
    if code in LANGUAGES:
        return LANGUAGES[code]
    locale = _babel_locale(code)
    name = locale.get_display_name(locale) if locale is not None else None
    return name[:1].upper() + name[1:] if name else code


def interface_language(code: str) -> str:
    """The shipped catalog closest to a content language: same primary language, else English."""
    if code in LANGUAGES:
        return code
    primary = code.replace("-", "_").split("_")[0]
    same = [known for known in LANGUAGES if known.split("_")[0] == primary]
    return same[0] if same else DEFAULT_LANGUAGE


def _best_accepted(candidates: list[str]) -> str | None:
    """Best match of Accept-Language among ``candidates`` (primary-tag fallback included)."""
    tags = [bcp47(code) for code in candidates]
    best = request.accept_languages.best_match(tags)
    if best is None:
        # zh-CN, zh-TW etc. all land on the one Chinese catalog we ship.
        primaries = {tag.split("-")[0].lower(): tag for tag in reversed(tags)}
        for value, _quality in request.accept_languages:
            primary = value.split("-")[0].lower()
            if primary in primaries:
                best = primaries[primary]
                break
    return parse_language(best)


def select_locale() -> str:
    """Explicit choice → staff preference → site/campaign languages → Accept-Language → en."""
    explicit = parse_language(request.args.get("lang"))
    if explicit:
        session["lang"] = explicit
        return explicit
    chosen = parse_language(session.get("lang"))
    if chosen:
        return chosen
    if current_user and current_user.is_authenticated and current_user.locale in LANGUAGES:
        return current_user.locale
    # A survey in Kiswahili gets the closest interface catalog (here English).
    context = list(dict.fromkeys(map(interface_language, g.get("context_languages", ()))))
    if context:
        return _best_accepted(context) or context[0]
    return _best_accepted(list(LANGUAGES)) or current_app.config["BABEL_DEFAULT_LOCALE"]


def current_language() -> str:
    locale = get_locale()
    return parse_language(str(locale)) or DEFAULT_LANGUAGE


def template_context() -> dict:
    code = current_language()
    return {
        "current_language": code,
        "html_lang": bcp47(code),
        "text_dir": text_direction(code),
        "LANGUAGES": LANGUAGES,
        "bcp47": bcp47,
        "text_direction": text_direction,
        "language_label": language_label,
        "lang_url": lang_url,
        "format_number": format_count,
        "format_decimal": format_decimal,
        "format_date": format_date,
        "format_datetime": format_datetime,
    }


@lru_cache(maxsize=4096)
def _count_in(locale: str, number: int) -> str:
    return format_number(number)


def format_count(number) -> str:
    """``format_number`` for the small whole numbers pages show again and again (question 3 of
    12): Babel parses the locale's number pattern on every call, which was a tenth of a
    survey screen's template time; a whole number's text in a locale never changes."""
    if isinstance(number, int) and not isinstance(number, bool) and 0 <= number < 100_000:
        return _count_in(str(get_locale()), number)
    return format_number(number)


def lang_url(code: str) -> str:
    """The current page in another language (keeps the other query arguments). The rest of
    the query is encoded once per request: the language menu asks for twelve of these."""
    base = g.get("_lang_url_base")
    if base is None:
        from urllib.parse import urlencode

        args = [(k, v) for k, v in request.args.items(multi=True) if k != "lang"]
        base = g._lang_url_base = request.path + "?" + urlencode(args) + ("&" if args else "")
    return f"{base}lang={quote_plus(code)}"


_PLACEHOLDER = re.compile(r"%\((\w+)\)[sdif]")


def _placeholders(text: str) -> set[str]:
    return set(_PLACEHOLDER.findall(text))


def source_messages(root: Path) -> set[str]:
    """Every msgid the code and templates ask for, extracted the way ``i18n extract`` does."""
    from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
    from babel.messages.frontend import parse_mapping_cfg

    with open(root / "babel.cfg") as handle:
        method_map, options_map = parse_mapping_cfg(handle)
    keywords = {**DEFAULT_KEYWORDS, "_l": None, "lazy_gettext": None}
    found = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
        str(root), method_map, options_map, keywords=keywords
    ):
        found.add(message[0] if isinstance(message, tuple) else message)
    return found


def catalog_problems(translations: Path, root: Path) -> list[str]:
    """Untranslated, fuzzy, missing or placeholder-mismatched entries in the shipped catalogs."""
    from babel.messages.pofile import read_po

    wanted = source_messages(root)
    problems: list[str] = []
    for code in LANGUAGES:
        path = translations / code / "LC_MESSAGES" / "messages.po"
        if not path.exists():
            problems.append(f"{code}: no catalog at {path}")
            continue
        with open(path, "rb") as handle:
            catalog = read_po(handle, locale=code)
        present = set()
        for message in catalog:
            if not message.id:
                continue
            ids = message.id if isinstance(message.id, tuple | list) else (message.id,)
            present.add(ids[0])
            label = f"{code}: {ids[0]!r}"
            if message.fuzzy:
                problems.append(f"{label} is fuzzy")
            strings = (
                message.string if isinstance(message.string, tuple | list) else (message.string,)
            )
            if not strings or any(not text.strip() for text in strings):
                problems.append(f"{label} is untranslated")
                continue
            expected = set().union(*(_placeholders(text) for text in ids))
            for text in strings:
                got = _placeholders(text)
                plural = len(ids) > 1
                if (plural and not got <= expected) or (not plural and got != expected):
                    problems.append(
                        f"{label}: placeholders {sorted(got)} instead of {sorted(expected)}"
                    )
        for missing in sorted(wanted - present):
            problems.append(
                f"{code}: {missing!r} is missing (run 'flask --app portal i18n update')"
            )
    return problems
