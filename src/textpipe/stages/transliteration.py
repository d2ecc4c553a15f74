"""The ``transliteration`` stage: romanize every Cyrillic name by the named standards of its language."""

from __future__ import annotations

from dataclasses import dataclass

from .. import translit
from ..document import Document, Name
from ..scripts import CYRILLIC, letter_counts
from ..stage import ConfigError, Stage


@dataclass
class TransliterationConfig:
    #: schemes to write into each name's ``translit``, per language (see ``textpipe translit --list``)
    schemes: dict[str, list[str]]
    #: the scheme whose result is the name's ``latin``, per language
    default: dict[str, str]
    #: the language whose tables romanize a Cyrillic name of any other language (bg, sr, mk...)
    fallback_lang: str


class Transliteration(Stage):
    name = "transliteration"
    Config = TransliterationConfig

    def __init__(self, config: TransliterationConfig) -> None:
        super().__init__(config)
        for lang, wanted in config.schemes.items():
            known = translit.schemes(lang)
            unknown = [s for s in wanted if s not in known]
            if unknown or config.default.get(lang) not in wanted:
                raise ConfigError(
                    f"stage 'transliteration': language {lang!r} has schemes {', '.join(known)}; "
                    f"asked for {wanted} with default {config.default.get(lang)!r}"
                )
        if config.fallback_lang not in config.schemes:
            raise ConfigError(f"stage 'transliteration': fallback_lang {config.fallback_lang!r} has no schemes listed")

    def process(self, doc: Document) -> Document:
        for name in doc.names:
            self.romanize(name)
        return doc

    def romanize(self, name: Name) -> None:
        form = name.lemma or name.text
        if CYRILLIC not in letter_counts(form):
            name.latin, name.translit = form, {}
            return
        lang = name.lang if name.lang in self.config.schemes else self.config.fallback_lang
        name.translit = {scheme: translit.transliterate(form, lang, scheme) for scheme in self.config.schemes[lang]}
        name.latin = name.translit[self.config.default[lang]]
