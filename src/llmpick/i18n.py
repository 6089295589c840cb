"""The one translation layer: gettext catalogs for English and Simplified Chinese.

Source strings are English. `LANGUAGES` lists what `--lang` accepts.
"""

from __future__ import annotations

import gettext
import os
from pathlib import Path

DOMAIN = "llmpick"
# typer (0.29) translates its help headings ("Options", "[default: ...]") through the
# standard library's global gettext domain, named "messages", so llmpick ships a small
# catalog for it. Click's "Usage:" line and its parser errors are not translatable.
FRAMEWORK_DOMAIN = "messages"
LOCALE_DIR = Path(__file__).parent / "locale"
LANGUAGES = ("en", "zh-CN")
ENV_VARIABLE = "LLMPICK_LANG"

_translation: gettext.NullTranslations = gettext.NullTranslations()
_language = "en"


def normalize_language(value: str | None) -> str | None:
    """Map a locale name such as `zh_CN.UTF-8`, `zh-Hans` or `en_US` to a supported language."""
    if not value:
        return None
    base = value.split(".")[0].split("@")[0].replace("_", "-").lower()
    if base in ("", "c", "posix"):
        return None
    if base.startswith("zh"):
        return "zh-CN"
    if base.startswith("en"):
        return "en"
    return None


def detect_language(explicit: str | None = None, environ: dict[str, str] | None = None) -> str:
    """Choose the language: `--lang`, then LLMPICK_LANG, then the gettext locale variables."""
    environ = os.environ if environ is None else environ
    if explicit:
        return normalize_language(explicit) or "en"
    for variable in (ENV_VARIABLE, "LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = environ.get(variable)
        if not value:
            continue
        # LANGUAGE may hold a priority list such as "zh_CN:en".
        for item in value.split(":"):
            language = normalize_language(item)
            if language:
                return language
    return "en"


def set_language(language: str) -> None:
    """Activate the catalog for `language` ("en" or "zh-CN")."""
    global _translation, _language
    _language = language if language in LANGUAGES else "en"
    locale_name = _language.replace("-", "_")
    if _language == "en":
        _translation = gettext.NullTranslations()
    else:
        _translation = gettext.translation(DOMAIN, localedir=LOCALE_DIR, languages=[locale_name], fallback=True)
    # The global domain finds its language through LANGUAGE, so the choice made here
    # (perhaps by --lang) must be visible there too.
    gettext.bindtextdomain(FRAMEWORK_DOMAIN, str(LOCALE_DIR))
    os.environ["LANGUAGE"] = locale_name


def current_language() -> str:
    return _language


def _(message: str) -> str:
    """Translate `message` into the active language."""
    return _translation.gettext(message)


def ngettext(singular: str, plural: str, count: int) -> str:
    return _translation.ngettext(singular, plural, count)


def N_(message: str) -> str:
    """Mark `message` for extraction without translating it now."""
    return message


def join(items) -> str:
    """Join list items with the active language's separator: "; " or the full-width "；"."""
    return ("；" if _language == "zh-CN" else "; ").join(items)


def format_count(count: float) -> str:
    """Write a large count in the active language's units: 700 million, or 7 亿 (10^8)."""
    if _language == "zh-CN":
        if count >= 1e8:
            return f"{count / 1e8:g} 亿"
        if count >= 1e4:
            return f"{count / 1e4:g} 万"
        return f"{count:g}"
    if count >= 1e9:
        return f"{count / 1e9:g} billion"
    if count >= 1e6:
        return f"{count / 1e6:g} million"
    return f"{count:,.0f}"
