"""Romanization of Russian, Belarusian and Ukrainian names by named standards.

>>> transliterate("Движение Будущего")
'Dvizheniye Budushchego'
>>> transliterate("Згурський Юлія", "uk")
'Zghurskyi Yuliia'
>>> reverse(transliterate("Щукин", scheme="iso9"))
'Щукин'

Only Cyrillic is touched: Latin, digits, punctuation and spaces pass through unchanged.

Schemes are data
----------------
Each scheme is a TOML file in ``schemes/`` (``LANG_NAME.toml``, or ``NAME.toml`` when shared by
several languages, like ``iso9.toml``); ``languages.toml`` lists each language's schemes, the
default first, its alphabet and its vowel and consonant letters. One engine interprets every
file; no scheme has code of its own. A scheme file holds:

* a header: ``name``, ``language`` (or ``languages``), ``standard``, ``edition``, ``source``,
  ``reversible``;
* ``[letters]``: the context-free output of each lowercase letter of the language (it must cover
  the whole alphabet; the apostrophe may be mapped under the key ``"'"``, else it is kept);
* ``[other_letters]`` (optional): outputs the same standard gives letters of other languages or
  older orthographies (e.g. ICAO's Serbian rows, ALA-LC's pre-1918 Russian letters);
* ``[classes]`` (optional): named letter sets for rules, e.g. ``hushing = "жшчщц"``;
* ``[[rules]]``: context rules, each ``match`` (one or more lowercase letters, e.g. ``"е"``,
  ``"зг"``, ``"ий"``), ``out``, and optional conditions ``after`` / ``before``.

The rule language
~~~~~~~~~~~~~~~~~
``after`` tests the letter just before the match, ``before`` the letter just after it. Each is a
list (or a single string) of alternatives, and holds when any alternative does:

* ``"<start>"`` (in ``after``): the match begins the word; ``"<end>"`` (in ``before``): it ends
  the word. A word is a run of Cyrillic letters; a hyphen, space or any non-letter ends it, an
  apostrophe between letters does not;
* ``"<vowel>"``, ``"<consonant>"``: the language's classes from ``languages.toml``;
  ``"<apostrophe>"``: any of ``'`` U+0027, ``ʼ`` U+02BC, ``’`` U+2019 inside the word;
  ``"<name>"``: a class of the file's ``[classes]``;
* any other string: a set of literal letters, e.g. ``"йъь"``.

At each position the engine tries the rules whose ``match`` starts there, longest ``match``
first and, among equally long ones, in file order; the first whose conditions hold wins and
consumes its letters. With no rule, ``[letters]`` decides. Conditions see lowercase letters and
skip combining marks (e.g. stress accents, which are kept on the output). That is all: there is
no negation, so "е after a consonant except ж ш" is written as an ``е`` rule for ``жш`` followed
by an ``е`` rule for ``<consonant>``.

Letter case
~~~~~~~~~~~
Tables are lowercase; a lowercase letter gets the lowercase output, a capital gets a Title-case
output ("Щукин" -> "Shchukin") unless it is part of an ALL-CAPS run — the next letter is a
capital or, at the end of the word, the previous one is — then the output is in capitals
("ЩУКИН" -> "SHCHUKIN"). A lone capital ("Щ.") is Title case ("Shch."). Diacritics and tie bars
survive (outputs are NFC: "Ĭ", "T͡S").

Letters outside the alphabet
----------------------------
Every Cyrillic letter of Unicode gets a Latin output in every scheme; no Cyrillic is ever passed
through. For a letter that a scheme's ``[letters]`` does not have, the first of these that
applies gives its output (context rules of other files are not used, only their tables):

1. the scheme's own ``[other_letters]`` (the same standard's row for that letter);
2. the same-named scheme of the other languages here, i.e. the same standard's table of the
   language that has the letter (``ru`` ``bgn_pcgn`` writes Ukrainian ``ї`` as BGN/PCGN
   Ukrainian does, ``yi``; Belarusian ``ў`` as ``w``): first their ``[letters]`` in the order
   ru, be, uk, then their ``[other_letters]``;
3. ISO 9:1995: ``iso9.toml`` ``[letters]`` (all Slavic letters: Russian, Belarusian,
   Ukrainian, Serbian, Macedonian, pre-1918), then its ``[other_letters]`` (ISO 9's rows for
   non-Slavic letters, and a few non-ISO scholarly values for Church Slavonic ѡ ѧ ѯ ѱ ...);
4. a letter with a Unicode decomposition (Ѐ, Ӓ, ...): its base letter's output by this same
   chain plus the combining marks (NFC);
5. a letter whose Unicode name contains a plainer letter's name (``KOMI DE``, ``EL WITH TAIL``):
   that letter's output by this chain;
6. last resort: the last word of its Unicode name in ASCII lowercase.

So Russian ы in a Ukrainian ``national`` text is ``y`` (Belarusian national), Ukrainian і in a
Russian ``wikipedia`` text is ``i`` (declared in its ``[other_letters]``), Serbian ђ in Russian
``bgn_pcgn`` is ``đ`` (BGN/PCGN's Serbian row, in ``[other_letters]``).

Reversing
---------
:func:`reverse` turns Latin back into Cyrillic for reversible schemes only (``iso9``: one Latin
letter per Cyrillic letter, primes ʺ U+02BA and ʹ U+02B9 for ъ and ь).
"""

from __future__ import annotations

from . import _data, _engine
from ._data import LANGUAGES, UnknownScheme

__all__ = ["LANGUAGES", "UnknownScheme", "default_scheme", "reverse", "schemes", "transliterate"]


def schemes(lang: str) -> tuple[str, ...]:
    """All scheme names of ``lang``, the default first."""
    return _data.language(lang).schemes


def default_scheme(lang: str) -> str:
    """The scheme :func:`transliterate` uses for ``lang`` when none is given."""
    return _data.language(lang).schemes[0]


def transliterate(text: str, lang: str = "ru", scheme: str | None = None) -> str:
    """Romanize the Cyrillic in ``text`` (NFC) by ``scheme`` of ``lang`` (default: its default).

    Raises :class:`UnknownScheme` for an unknown language or scheme.
    """
    if scheme is None:
        scheme = default_scheme(lang)
    return _engine.convert(text, _engine.compiled(lang, scheme))


def reverse(text: str, lang: str = "ru", scheme: str = "iso9") -> str:
    """Turn ``text`` romanized by a reversible ``scheme`` back into Cyrillic.

    Raises :class:`UnknownScheme` for an unknown language or scheme and :class:`ValueError` for
    a scheme that is not reversible.
    """
    _data.check_scheme(lang, scheme)
    return _engine.reverser(lang, scheme)(text)
