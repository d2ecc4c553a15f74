"""Reading and checking the data files: ``languages.toml`` and ``schemes/*.toml``.

Everything here is parsed once and cached; the returned objects are immutable.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from types import MappingProxyType
from typing import Any

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib  # type: ignore[no-redef,import-not-found,unused-ignore]

LANGUAGES: tuple[str, ...] = ("ru", "be", "uk")

#: Apostrophe characters that may stand inside a word; rules see all of them as ``'``.
APOSTROPHES = "'\u02bc\u2019"
APOSTROPHE = "'"

#: Class names every rule may use besides those a scheme defines under ``[classes]``.
BUILTIN_CLASSES = ("vowel", "consonant", "apostrophe")
START = "<start>"
END = "<end>"

_HEADER_KEYS = {"name", "standard", "edition", "source", "reversible"}
_TOP_KEYS = _HEADER_KEYS | {"language", "languages", "letters", "other_letters", "classes", "rules"}
_RULE_KEYS = {"match", "after", "before", "out", "note"}


class UnknownScheme(ValueError):
    """An unknown language or scheme name; the message lists what is available."""


class SchemeDataError(ValueError):
    """A scheme data file breaks the format described in the package docstring."""


@dataclass(frozen=True)
class Language:
    code: str
    name: str
    schemes: tuple[str, ...]
    alphabet: str
    vowels: str
    consonants: str


@dataclass(frozen=True)
class RuleData:
    """One context rule as written in a data file (classes not yet expanded)."""

    match: str
    after: tuple[str, ...] | None
    before: tuple[str, ...] | None
    out: str


@dataclass(frozen=True)
class SchemeData:
    """One scheme file: header, tables and rules."""

    name: str
    languages: tuple[str, ...]
    standard: str
    edition: str
    source: str
    reversible: bool
    letters: Mapping[str, str]
    other_letters: Mapping[str, str]
    classes: Mapping[str, str]
    rules: tuple[RuleData, ...]


def _read_toml(*parts: str) -> dict[str, Any]:
    node = resources.files(__package__)
    for part in parts:
        node = node / part
    with node.open("rb") as fh:
        parsed: dict[str, Any] = tomllib.load(fh)
    return parsed


def _has_file(*parts: str) -> bool:
    node = resources.files(__package__)
    for part in parts:
        node = node / part
    return node.is_file()


@cache
def languages() -> Mapping[str, Language]:
    """The languages of ``languages.toml``, in the order of :data:`LANGUAGES`."""
    raw = _read_toml("languages.toml")
    if tuple(raw) != LANGUAGES:
        raise SchemeDataError(f"languages.toml lists {tuple(raw)}, the code expects {LANGUAGES}")
    out = {}
    for code, entry in raw.items():
        out[code] = Language(
            code=code,
            name=entry["name"],
            schemes=tuple(entry["schemes"]),
            alphabet=entry["alphabet"],
            vowels=entry["vowels"],
            consonants=entry["consonants"],
        )
    return MappingProxyType(out)


def language(lang: str) -> Language:
    """The language ``lang``, or :class:`UnknownScheme` naming the available ones."""
    try:
        return languages()[lang]
    except (KeyError, TypeError):
        raise UnknownScheme(
            f"unknown language {lang!r}; available languages: {', '.join(LANGUAGES)}"
        ) from None


def check_scheme(lang: str, scheme: str) -> None:
    """Raise :class:`UnknownScheme` unless ``scheme`` is a scheme of ``lang``."""
    info = language(lang)
    if scheme not in info.schemes:
        raise UnknownScheme(
            f"unknown scheme {scheme!r} for language {lang!r} ({info.name}); "
            f"available schemes: {', '.join(info.schemes)} (default {info.schemes[0]})"
        )


def scheme_file(lang: str, scheme: str) -> str:
    """The file name holding ``scheme`` of ``lang``: ``LANG_NAME.toml`` or shared ``NAME.toml``."""
    check_scheme(lang, scheme)
    own = f"{lang}_{scheme}.toml"
    return own if _has_file("schemes", own) else f"{scheme}.toml"


@cache
def load_scheme(filename: str) -> SchemeData:
    """Parse and check one scheme file."""
    try:
        raw = _read_toml("schemes", filename)
    except FileNotFoundError:
        raise SchemeDataError(f"scheme file {filename} is missing") from None
    return _parse_scheme(filename, raw)


def scheme_data(lang: str, scheme: str) -> SchemeData:
    data = load_scheme(scheme_file(lang, scheme))
    if lang not in data.languages:
        raise SchemeDataError(f"{scheme_file(lang, scheme)} does not declare language {lang!r}")
    return data


def _parse_scheme(filename: str, raw: dict[str, Any]) -> SchemeData:
    where = f"schemes/{filename}"
    unknown = set(raw) - _TOP_KEYS
    if unknown:
        raise SchemeDataError(f"{where}: unknown keys {sorted(unknown)}")
    missing = _HEADER_KEYS - set(raw)
    if missing:
        raise SchemeDataError(f"{where}: missing header keys {sorted(missing)}")
    if "languages" in raw:
        langs = tuple(raw["languages"])
    elif "language" in raw:
        langs = (raw["language"],)
    else:
        raise SchemeDataError(f"{where}: needs `language` or `languages`")
    letters = _table(where, raw.get("letters", {}), "letters")
    other = _table(where, raw.get("other_letters", {}), "other_letters")
    classes = dict(raw.get("classes", {}))
    for cname, chars in classes.items():
        if cname in BUILTIN_CLASSES or not isinstance(chars, str):
            raise SchemeDataError(f"{where}: bad class {cname!r}")
    rules = tuple(_rule(where, i, r, classes) for i, r in enumerate(raw.get("rules", [])))
    return SchemeData(
        name=raw["name"],
        languages=langs,
        standard=raw["standard"],
        edition=raw["edition"],
        source=raw["source"],
        reversible=bool(raw["reversible"]),
        letters=MappingProxyType(letters),
        other_letters=MappingProxyType(other),
        classes=MappingProxyType(classes),
        rules=rules,
    )


def _table(where: str, table: dict[str, Any], section: str) -> dict[str, str]:
    out = {}
    for key, value in table.items():
        if not isinstance(value, str):
            raise SchemeDataError(f"{where} [{section}] {key!r}: output must be a string")
        if key != APOSTROPHE and (
            len(key) != 1 or not is_cyrillic_letter(key) or key != key.lower()
        ):
            raise SchemeDataError(f"{where} [{section}] {key!r}: keys are single lowercase letters")
        _check_output(where, value)
        out[key] = unicodedata.normalize("NFC", value)
    return out


def _condition(where: str, value: Any, edge: str, classes: Mapping[str, str]) -> tuple[str, ...]:
    items = [value] if isinstance(value, str) else list(value)
    for item in items:
        if item.startswith("<"):
            name = item[1:-1]
            if item != edge and name not in BUILTIN_CLASSES and name not in classes:
                raise SchemeDataError(f"{where}: unknown class {item!r}")
    return tuple(items)


def _rule(where: str, index: int, raw: dict[str, Any], classes: Mapping[str, str]) -> RuleData:
    where = f"{where} rule #{index + 1}"
    unknown = set(raw) - _RULE_KEYS
    if unknown or "match" not in raw or "out" not in raw:
        raise SchemeDataError(f"{where}: a rule has `match`, `out` and optional `after`, `before`")
    match = raw["match"]
    if not match or match != match.lower():
        raise SchemeDataError(f"{where}: `match` must be lowercase letters")
    _check_output(where, raw["out"])
    after = _condition(where, raw["after"], START, classes) if "after" in raw else None
    before = _condition(where, raw["before"], END, classes) if "before" in raw else None
    return RuleData(match, after, before, unicodedata.normalize("NFC", raw["out"]))


def _check_output(where: str, value: str) -> None:
    if any(is_cyrillic(ch) for ch in value):
        raise SchemeDataError(f"{where}: output {value!r} contains Cyrillic")


def is_cyrillic(ch: str) -> bool:
    return unicodedata.name(ch, "").startswith("CYRILLIC") or "\u0400" <= ch <= "\u04ff"


def is_cyrillic_letter(ch: str) -> bool:
    return is_cyrillic(ch) and unicodedata.category(ch).startswith("L")
