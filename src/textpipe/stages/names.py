"""The ``names`` stage: find names, their labels, languages and base forms.

Two sources of names, in the blocks of ``scope``:

* **Cyrillic runs.** A run of Cyrillic words in a sentence whose main script is not Cyrillic
  ("Movement of the Future (Движение Будущего)") is a name in the page's foreign script. Its label is
  what the recognizer of its language says when the recognizer finds exactly that run to be one
  name (``label_runs``), else ``MISC``.
* **Trained recognizers** (``ner_langs``): consecutive sentences of a block whose language is one of
  those go, as one stretch of text, through that language's spaCy NER model (trained on SlavicNER
  by ``training/train_ner.py``; labels PER, LOC, ORG, PRO, EVT).

Where a run and a recognized name overlap, the longer span stays (the recognized one on a tie). A
recognized person, place or organisation written all in lower case ("демократы", "американских") is
dropped (``capital_labels``; :func:`written_in_lower_case` says why).

A name's language is its segment's, corrected by its letters (ў → be; ї, є, ґ → uk): a Belarusian
name quoted in an English article is Belarusian. A recognized name's ``lemma`` (base form) comes
from the suffix rules of its language (:mod:`textpipe.lemmas`); a Cyrillic run's lemma is its text
(a name quoted in another script stands in its base form) unless ``lemmatize_runs``, and so is the
lemma of a name of a language without rules (Belarusian). The transliteration stage romanizes the
lemma.

The Russian recognizer also reads what pymorphy3's dictionary knows of each capitalized word as a
name (:class:`NameCodes`, put in the lexemes by :func:`install_name_codes` when ``load_ner`` loads
a model trained with them): held-out-topic PER/LOC/ORG F1 0.703 -> 0.751. So do the second models
of Ukrainian (pymorphy3's optional Ukrainian dictionary; 0.690 -> 0.765) and Polish (Morfeusz 2,
:class:`PolishNameCodes`; 0.739 -> 0.791), ``ner/<lang>-dictionary``, taken where their dictionary
is installed (``dictionary_models``).

Measured (``benchmarks/names.py``, five held-out-topic folds, the shipped settings): the Russian
recognizer, given a capitalized Cyrillic SlavicNER mention alone, gives the right label to 80% of
them and a wrong one to 4.5% (precision 0.95); the rest stay ``MISC``. Hence ``label_runs``.

A batch of documents goes through the recognizers together; each document is then charged its share
of the batch's time (by length) against its own budget, not the earliest document's.

Where the time goes (300 SlavicNER news pages of 1,000-6,000 characters, CPU time): the stage takes
about 13 ms a page, 12 ms of it inside the recognizers' ``nlp.pipe`` (the tok2vec CNN two thirds
of the model's time, the transition parser the rest; the tokenizer adds about 1.5 ms a page on
words a fresh process has not seen yet) and 0.8 ms in the Python here (runs, stretches,
consistency, lemmas). ``nlp.pipe`` batch sizes from 32 to 1,024 texts change nothing measurable,
numpy (OpenBLAS) instead of blis for the matrix products is slower, and a narrower model (width 48)
loses held-out F1 (ru brexit fold 0.767 → 0.721): a faster stage needs a cheaper model that is as
accurate, not less Python.
"""

from __future__ import annotations

import bisect
import threading
import warnings
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from threadpoolctl import ThreadpoolController

from ..document import Block, Document, Name, Segment
from ..langid import UNDETERMINED
from ..lemmas import Lemmatizer, load_lemmatizer
from ..pieces import Piece, main_script, pieces_of, sentences_of
from ..resources import package_path
from ..scripts import CYRILLIC, CYRILLIC_LETTER, stressed_span, without_stress
from ..stage import ConfigError, Stage

#: letters that settle a Cyrillic name's language whatever its segment says
_LETTER_LANGS = (("ў", "be"), ("ї", "uk"), ("є", "uk"), ("ґ", "uk"))
RUN_LABEL = "MISC"
#: the most characters a recognizer reads at once: consecutive sentences of one language go to it as
#: one stretch up to this length, a longer sentence in pieces cut at spaces (spaCy refuses a text
#: over ``nlp.max_length``, 1,000,000, and needs memory in proportion to it)
MAX_STRETCH = 100_000


@dataclass
class NamesConfig:
    #: look for names in the body blocks only, or in every block
    scope: Literal["body", "all"]
    #: longest Cyrillic run, in words, that is still taken for a name (longer ones are quotations)
    max_words: int
    #: a Cyrillic run must start with a capital letter to be a name
    require_capital: bool
    #: labels whose recognized names are dropped when written all in lower case ("демократы",
    #: "американских"; see :func:`written_in_lower_case`); events ("брексит") are written so
    capital_labels: list[str]
    #: languages whose sentences go through their trained recognizer (models/ner/<lang>)
    ner_langs: list[str]
    #: where the models are: "builtin" (shipped in the package) or a folder with ner/<lang>/ and lemmas/<lang>.json
    models: str
    #: where a language's dictionary of word forms is installed (pymorphy3-dicts-<lang>) and the
    #: models hold a recognizer that reads it (ner/<lang>-dictionary/), use that recognizer instead
    #: of ner/<lang>/ (Ukrainian, with the extra ``ukrainian``; Polish, with morfeusz2)
    dictionary_models: bool
    #: recognized labels that are kept (of PER, LOC, ORG, PRO, EVT)
    labels: list[str]
    #: label a Cyrillic run by its language's recognizer when it finds exactly that run, else MISC
    label_runs: bool
    #: give recognized names a base form (lemma) by their language's rules
    lemmas: bool
    #: also put Cyrillic runs through the rules; if false a run's lemma is its text (a name quoted
    #: in another script stands in its base form, and the rules alter 6% of base forms)
    lemmatize_runs: bool
    #: documents processed together; their texts go through each recognizer as one nlp.pipe stream
    batch_size: int


#: the lexical attributes the NER models read: their HashEmbedCNN embeds NORM, PREFIX, SUFFIX and
#: SHAPE, the transition system checks IS_SPACE (a model with name codes embeds LOWER, which then
#: holds them: see :class:`NameCodes`). spaCy computes every attribute it has a getter for on each
#: word it has not seen before: 14% of a fresh recognizer's CPU time on 150 SlavicNER pages.
_NER_ATTRS = frozenset({"LOWER", "NORM", "PREFIX", "SUFFIX", "SHAPE", "IS_SPACE", "LANG"})

#: the dictionary's grammemes of names (pymorphy3's OpenCorpora tags) that a name code tells
NAME_GRAMMEMES = ("Name", "Surn", "Patr", "Geox", "Orgn", "Abbr", "Trad")
#: the ``nlp.meta`` key of a model whose tok2vec embeds name codes: {"attr": "LOWER", "lang": "ru"}
NAME_CODES_META = "textpipe_name_codes"
#: the lexeme attribute that holds the name codes. spaCy 3 has no free integer lexeme attribute
#: (CLUSTER is no longer one), and LOWER is one the models never read otherwise (their NORM is
#: the lower-case word): in a recognizer with name codes ``token.lower_`` is the code, not the word.
NAME_CODES_ATTR = "LOWER"
#: the name code of a capitalized word the dictionary does not know
UNKNOWN_CODE = "#?"
#: ``ner/<lang><suffix>``: a recognizer with name codes for a language whose dictionary is optional
DICTIONARY_MODEL_SUFFIX = "-dictionary"


class NameCodes:
    """A lexeme attribute getter: what the language's dictionary of word forms knows of a capitalized
    word as a name, as a short string. None (no code: the attribute stays 0, "") for a word not
    capitalized or a language without an installed dictionary; :data:`UNKNOWN_CODE` for a word the
    dictionary does not know; else "#" and the :data:`NAME_GRAMMEMES` of its readings ("Лондон":
    "#Geox"; "Королев": "#Surn+Geox"; "Европейский": "#", a known common word). The word is looked
    up in lower case, "е" also as "ё", among the dictionary's own words only (pymorphy3's guesses
    for unknown words are not read): about 15 µs a word type.

    spaCy calls it once per new word type (``nlp.vocab.lex_attr_getters``); the NER models that
    embed the codes (``training/train_ner.py --name-codes``) get it at training and at run time
    alike from :func:`install_name_codes`."""

    def __init__(self, analyzer: Any | None) -> None:
        self.dictionary = analyzer.dictionary if analyzer is not None else None
        self.substitutes = analyzer.char_substitutes if analyzer is not None else None
        self._tag_bits: dict[int, int] = {}

    @classmethod
    def of(cls, lang: str) -> NameCodes:
        """The codes of ``lang``'s dictionary; no codes where it has none (or it is not installed):
        pymorphy3's for Russian and Ukrainian, Morfeusz's for Polish (:class:`PolishNameCodes`)."""
        if lang == "pl":
            return PolishNameCodes(_morfeusz())
        from ..lemmas import _analyzer

        return cls(_analyzer(lang))

    @property
    def available(self) -> bool:
        """Whether the dictionary is installed (else every code is None)."""
        return self.dictionary is not None

    def __call__(self, text: str) -> str | None:
        if self.dictionary is None or not text[:1].isupper():
            return None
        return self.dictionary_code(text)

    def dictionary_code(self, text: str) -> str:
        """The code of a capitalized word, the dictionary being installed."""
        found = self.dictionary.words.similar_items(text.lower(), self.substitutes)
        if not found:
            return UNKNOWN_CODE
        bits = 0
        for _, readings in found:
            for paradigm_id, index in readings:
                bits |= self._bits(paradigm_id, index)
        return "#" + "+".join(grammeme for i, grammeme in enumerate(NAME_GRAMMEMES) if bits >> i & 1)

    def _bits(self, paradigm_id: int, index: int) -> int:
        """The grammemes of :data:`NAME_GRAMMEMES` in a reading's tag, one bit each (kept per tag)."""
        paradigm = self.dictionary.paradigms[paradigm_id]
        tag_id = paradigm[len(paradigm) // 3 + index]
        bits = self._tag_bits.get(tag_id)
        if bits is None:
            grammemes = self.dictionary.gramtab[tag_id].grammemes
            bits = sum(1 << i for i, grammeme in enumerate(NAME_GRAMMEMES) if grammeme in grammemes)
            self._tag_bits[tag_id] = bits
        return bits


@lru_cache(maxsize=1)
def _morfeusz() -> Any | None:
    """Morfeusz 2 with its SGJP dictionary (the morfeusz2 wheel holds both, nothing is downloaded; a
    dependency on the platforms it has wheels for), or None where it is not installed."""
    try:
        import morfeusz2
    except ImportError:
        return None
    return morfeusz2.Morfeusz()


class PolishNameCodes(NameCodes):
    """:class:`NameCodes` from Morfeusz 2's dictionary of Polish (SGJP): "#" and the kinds of proper
    name its readings of the word as written carry ("Warszawa": "#nazwa_geograficzna+nazwisko",
    "Orlen": "#nazwa_firmy"; a common word: "#"), :data:`UNKNOWN_CODE` for a word it does not
    know ("Pfizer")."""

    def __init__(self, morfeusz: Any | None) -> None:
        self.dictionary = morfeusz

    def dictionary_code(self, text: str) -> str:
        try:
            readings = self.dictionary.analyse(text)
        except (TypeError, UnicodeError):  # text UTF-8 cannot encode (a lone surrogate): no word it knows
            return UNKNOWN_CODE
        kinds: set[str] = set()
        known = False
        for _, _, (_, _, tag, names, _) in readings:
            known = known or tag != "ign"
            kinds.update(names)
        if not known:
            return UNKNOWN_CODE
        return "#" + "+".join(sorted(kinds - {"nazwa_pospolita"}))


def install_name_codes(nlp: Any, lang: str | None = None) -> None:
    """Give ``nlp`` the name-code getter its model reads (as its ``nlp.meta[NAME_CODES_META]`` says),
    or, with ``lang``, the one of ``lang`` (recorded in its meta: a model about to be trained); the
    words already in its vocabulary get their codes too. Nothing for a model without name codes.

    Without the language's dictionary (uninstalled) every code is "none", with a warning: the model
    then misses most names (Ukrainian models trained with codes, held-out PER/LOC/ORG F1 0.765 with
    the dictionary, 0.413 without it; hence the Ukrainian model that reads them is a second one,
    ``ner/uk-dictionary``, used only where the dictionary is installed)."""
    from spacy.attrs import IDS

    if lang is not None:
        nlp.meta[NAME_CODES_META] = {"attr": NAME_CODES_ATTR, "lang": lang}
    spec = nlp.meta.get(NAME_CODES_META)
    if not spec:
        return
    if spec["attr"] != NAME_CODES_ATTR:
        raise ValueError(f"a model with name codes in {spec['attr']}: this textpipe puts them in {NAME_CODES_ATTR}")
    codes = NameCodes.of(spec["lang"])
    if not codes.available:  # the model still runs, much worse: it never saw a name without a code
        warnings.warn(f"no {spec['lang']} dictionary of word forms (textpipe's extras): the recognizer gets no name codes")
    nlp.vocab.lex_attr_getters[IDS[NAME_CODES_ATTR]] = codes
    for lexeme in nlp.vocab:
        code = codes(lexeme.orth_)
        if code is None:
            lexeme.lower = 0
        else:
            lexeme.lower_ = code


@lru_cache(maxsize=8)
def load_ner(path: str) -> Any:
    """The spaCy pipeline at ``path``, loaded once per process (never downloads anything), computing
    only the lexical attributes its model reads.

    Its matrix products go through numpy's BLAS rather than thinc's default, BLIS: the recognizers
    took 24 % less CPU that way over the Russian and Polish text of the 204 boilerplate-dev pages
    (0.96 -> 0.73 s), with the same entities, on one thread as BLIS has (see ``one_blas_thread``)."""
    import spacy
    from spacy.attrs import IDS
    from thinc.api import use_ops

    with use_ops("numpy", use_blis=False):
        nlp = spacy.load(path)
    install_name_codes(nlp)
    names = {value: key for key, value in IDS.items()}
    getters = nlp.vocab.lex_attr_getters
    for attr in [attr for attr in getters if names.get(attr) not in _NER_ATTRS]:
        del getters[attr]
    return nlp


class _OneBlasThread:
    """A context in which the BLAS libraries keep to one thread. The recognizers' matrices are
    small: a second thread saves little time and spins on a core meanwhile (on 2 cores, twice the
    CPU time of the names stage); and a batch run has a worker per core already. Where the BLAS has
    one setting for the whole process, uses that overlap (threads) share it, and the last one out
    restores it."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._inside = 0
        self._limits: Any = None

    def __enter__(self) -> None:
        with self._lock:
            if self._inside == 0:  # the libraries loaded by now (spaCy's too)
                self._limits = ThreadpoolController().limit(limits=1, user_api="blas")
            self._inside += 1

    def __exit__(self, *exc: object) -> None:
        with self._lock:
            self._inside -= 1
            if self._inside == 0:
                self._limits.restore_original_limits()
                self._limits = None


@lru_cache(maxsize=1)
def one_blas_thread() -> _OneBlasThread:
    """The process's ``_OneBlasThread`` (BLAS threads are a setting of the process)."""
    return _OneBlasThread()


class Names(Stage):
    name = "names"
    Config = NamesConfig

    def __init__(self, config: NamesConfig) -> None:
        super().__init__(config)
        self.root = package_path("models") if config.models == "builtin" else Path(config.models)
        self._lemmatizers: dict[str, Lemmatizer | None] = {}
        self._recognizer_paths: dict[str, Path] = {}
        missing = [lang for lang in config.ner_langs if not (self.root / "ner" / lang / "meta.json").is_file()]
        if missing:
            raise ConfigError(f"stage 'names': no NER model for {', '.join(missing)} under {self.root / 'ner'}")

    # -- models -------------------------------------------------------------------------------------
    def recognizer(self, lang: str) -> Any | None:
        if lang not in self.config.ner_langs:
            return None
        return load_ner(str(self.recognizer_path(lang)))

    def recognizer_path(self, lang: str) -> Path:
        """``ner/<lang>``, or with ``dictionary_models`` ``ner/<lang>-dictionary`` where there is one
        and the language's dictionary is installed (a model trained with name codes misses most
        names without them). Decided once per language."""
        if lang not in self._recognizer_paths:
            with_dictionary = self.root / "ner" / f"{lang}{DICTIONARY_MODEL_SUFFIX}"
            use = self.config.dictionary_models and (with_dictionary / "meta.json").is_file() and NameCodes.of(lang).available
            self._recognizer_paths[lang] = with_dictionary if use else self.root / "ner" / lang
        return self._recognizer_paths[lang]

    def lemmatizer(self, lang: str) -> Lemmatizer | None:
        if lang not in self._lemmatizers:
            self._lemmatizers[lang] = load_lemmatizer(str(self.root / "lemmas" / f"{lang}.json"))
        return self._lemmatizers[lang]

    # -- the stage ----------------------------------------------------------------------------------
    def process(self, doc: Document) -> Document:
        self._process_batch([doc])
        return doc

    def run(self, docs: Iterable[Document]) -> Iterator[Document]:
        """Documents ``batch_size`` at a time: their texts go through each recognizer together."""
        return self.run_in_batches(docs, self.config.batch_size, self._process_batch)

    def _process_batch(self, docs: list[Document]) -> None:
        runs: list[list[Name]] = []
        found: list[list[Name]] = [[] for _ in docs]
        stretches: dict[str, list[tuple[int, int, int]]] = {}  # lang -> (doc index, start, end)
        starts = [[s.start for s in doc.segments] for doc in docs]
        for index, doc in enumerate(docs):
            runs.append(self._scan(doc, index, starts[index], stretches))
        with one_blas_thread():
            for lang, spans in stretches.items():
                self._recognize(docs, lang, spans, starts, found)
            if self.config.label_runs:
                self._label_runs([run for doc_runs in runs for run in doc_runs])
        for index, doc in enumerate(docs):
            regions = [(start, end, lang) for lang, spans in stretches.items() for i, start, end in spans if i == index]
            found[index] = self._consistent(doc, found[index], regions, starts[index])
        for doc, doc_found, doc_runs in zip(docs, found, runs):
            doc.names = _deduplicate(doc_found + doc_runs)
            if self.config.lemmas:
                self._lemmatize(doc.names, {id(run) for run in doc_runs})

    def _scan(self, doc: Document, index: int, starts: list[int], stretches: dict[str, list[tuple[int, int, int]]]) -> list[Name]:
        """The document's Cyrillic runs; its stretches of one recognizer language go to ``stretches``."""
        blocks = doc.blocks if self.config.scope == "all" else doc.body_blocks
        runs: list[Name] = []
        for block in blocks:
            if not self._may_hold_names(doc, block, starts):
                continue
            current: tuple[str, int, int] | None = None
            for sentence in sentences_of(pieces_of(doc.text, block)):
                script = main_script(sentence)
                if script != CYRILLIC:
                    runs.extend(self._runs(doc, sentence, starts))
                lang = _sentence_lang(doc.segments, starts, sentence, script)
                if current is not None and current[0] == lang and sentence[-1].end - current[1] <= MAX_STRETCH:
                    current = (lang, current[1], sentence[-1].end)
                    continue
                if current is not None and current[0] in self.config.ner_langs:
                    _add_stretch(stretches.setdefault(current[0], []), doc.text, index, current[1], current[2])
                current = (lang, sentence[0].start, sentence[-1].end)
            if current is not None and current[0] in self.config.ner_langs:
                _add_stretch(stretches.setdefault(current[0], []), doc.text, index, current[1], current[2])
        return runs

    def _may_hold_names(self, doc: Document, block: Block, starts: list[int]) -> bool:
        """False for a block with no Cyrillic letter and no segment in a recognizer's language:
        it has no Cyrillic run and no stretch for a recognizer, so its pieces need not be cut."""
        if CYRILLIC_LETTER.search(doc.text, block.start, block.end):
            return True
        segments = doc.segments
        i = max(0, bisect.bisect_right(starts, block.start) - 1)
        while i < len(segments) and segments[i].start < block.end:
            if segments[i].end > block.start and segments[i].lang in self.config.ner_langs:
                return True
            i += 1
        return False

    def _lemmatize(self, names: list[Name], run_ids: set[int]) -> None:
        """Base forms, without stress marks (no romanization writes them; a base form is looked up
        without them). A page's names of one language go to its lemmatizer together: where a word's
        rules disagree, the base form the page's other forms share wins (``Lemmatizer.lemmas``)."""
        by_lang: dict[str, list[tuple[Name, str]]] = {}
        for name in names:
            text = without_stress(name.text)[0]
            if id(name) in run_ids and not self.config.lemmatize_runs:
                name.lemma = text
                continue
            by_lang.setdefault(name.lang, []).append((name, text))
        for lang, group in by_lang.items():
            lemmatizer = self.lemmatizer(lang)
            if lemmatizer is None:
                lemmas = [text for _, text in group]
            else:
                lemmas = lemmatizer.lemmas([(text, name.label) for name, text in group])
            for (name, _), lemma in zip(group, lemmas):
                name.lemma = lemma

    def _runs(self, doc: Document, sentence: list[Piece], starts: list[int]) -> list[Name]:
        out = []
        for piece in sentence:
            text = doc.text[piece.start : piece.end]
            if piece.script == CYRILLIC and self._is_name(text, piece.words):
                out.append(Name(piece.start, piece.end, text, RUN_LABEL, name_language(text, doc.segments, piece.start, starts)))
        return out

    def _is_name(self, text: str, words: int) -> bool:
        return words <= self.config.max_words and (not self.config.require_capital or text[0].isupper())

    def _recognize(
        self, docs: list[Document], lang: str, spans: list[tuple[int, int, int]], starts: list[list[int]], found: list[list[Name]]
    ) -> None:
        nlp = self.recognizer(lang)
        if nlp is None:
            return
        originals = [docs[index].text[start:end] for index, start, end in spans]
        plain = [without_stress(text) for text in originals]  # the models never saw stress marks
        parsed_texts = nlp.pipe((text for text, _ in plain), batch_size=self.config.batch_size)
        for (index, offset, _), original, (_, kept), parsed in zip(spans, originals, plain, parsed_texts):
            doc = docs[index]
            for ent in parsed.ents:
                if ent.label_ not in self.config.labels or (ent.label_ in self.config.capital_labels and written_in_lower_case(ent.text)):
                    continue
                start, end = stressed_span(original, kept, ent.start_char, ent.end_char)
                start, end = offset + start, offset + end
                text = doc.text[start:end]
                segment_lang = name_language(text, doc.segments, start, starts[index])
                found[index].append(Name(start, end, text, ent.label_, segment_lang if segment_lang != UNDETERMINED else lang))

    def _consistent(self, doc: Document, names: list[Name], regions: list[tuple[int, int, str]], starts: list[int]) -> list[Name]:
        """The recognized names made consistent within the document (see :func:`consistent_spans`);
        a name found that way gets its language as a recognized one does."""
        known = {(n.start, n.end): n for n in names}
        spans = consistent_spans(doc.text, [(n.start, n.end, n.label) for n in names], [(start, end) for start, end, _ in regions])
        out = []
        for start, end, label in spans:
            name = known.get((start, end))
            if name is None:
                text = doc.text[start:end]
                lang = name_language(text, doc.segments, start, starts)
                if lang == UNDETERMINED:
                    lang = next(lang for low, high, lang in regions if low <= start and end <= high)
                name = Name(start, end, text, label, lang)
            name.label = label
            out.append(name)
        return out

    def _label_runs(self, runs: list[Name]) -> None:
        by_lang: dict[str, list[Name]] = {}
        for run in runs:
            if run.lang in self.config.ner_langs:
                by_lang.setdefault(run.lang, []).append(run)
        for lang, names in by_lang.items():
            nlp = self.recognizer(lang)
            plain = [without_stress(name.text)[0] for name in names]
            for name, text, parsed in zip(names, plain, nlp.pipe(plain, batch_size=self.config.batch_size)):
                ents = [e for e in parsed.ents if e.label_ in self.config.labels]
                if len(ents) == 1 and ents[0].start_char == 0 and ents[0].end_char == len(text):
                    name.label = ents[0].label_


def written_in_lower_case(text: str) -> bool:
    """Whether a name's letters are all lower-case ones ("демократы", "коллегии выборщиков": yes;
    "Пфайзер", "easyJet", "«Байонтек»", and a name in a script without case: no).

    SlavicNER annotates lower-case words derived from names of people, places and organisations
    (party members, adjectives of countries) in one topic (Russian us_election_2020: 2,743 such
    mentions, 20 to 333 in each other topic), so on a held-out topic the Russian recognizer's PER,
    LOC and ORG names without a capital are mostly wrong: 323 of 1,675 right (five held-out folds,
    the shipped settings); dropping them lifts pooled PER/LOC/ORG F1 0.751 -> 0.763 (every topic up;
    Polish and Ukrainian +0.000 to +0.001). Events are another matter: "брексит", "brexit" are
    written in lower case, and dropping those halves EVT recall."""
    return text.islower()


def consistent_spans(text: str, spans: list[tuple[int, int, str]], regions: list[tuple[int, int]]) -> list[tuple[int, int, str]]:
    """Recognized names ``(start, end, label)`` made consistent within one document: every name of
    the same text gets the label most of them have (the earliest one's on a tie), the last word of a
    person's name of several words is a person wherever it stands alone ("Мэй" after "Терезы Мэй",
    whatever label the recognizer gave it there), and every other occurrence of a name's text that
    stands as whole words inside ``regions`` and overlaps no name is a name too.

    Measured on held-out topics (``benchmarks/names.py``): +0.01 to +0.02 F1 on PER/LOC/ORG; a
    recognizer that misses a name once tends to find it elsewhere in the same page. The surname
    overruling the recognizer's other labels (ninth session; before, it only labelled occurrences
    the recognizer had left out): ru 0.763 -> 0.764, pl 0.791 -> 0.799 (asia_bibi 0.693 -> 0.758:
    "Bibi" after "Asia Bibi" had been an organisation), uk 0.765 -> 0.770.
    """
    votes: dict[str, Counter[str]] = {}
    for start, end, label in sorted(spans):
        votes.setdefault(text[start:end], Counter())[label] += 1
    labels = {name: counter.most_common(1)[0][0] for name, counter in votes.items()}  # ties: first seen
    for name, label in list(labels.items()):  # the labels voted, so one stray PER does not decide
        words = name.split()
        if label == "PER" and len(words) > 1 and len(words[-1]) > 2 and words[-1][0].isupper():
            labels[words[-1]] = "PER"
    out = [(start, end, labels[text[start:end]]) for start, end, _ in spans]
    taken = sorted((start, end) for start, end, _ in spans)
    for name in sorted(labels, key=len, reverse=True):
        if len(name) < 2:
            continue
        start = text.find(name)
        while start >= 0:
            end = start + len(name)
            if _whole_words(text, start, end) and _inside(regions, start, end) and not _overlaps(taken, start, end):
                out.append((start, end, labels[name]))
                bisect.insort(taken, (start, end))
            start = text.find(name, start + 1)
    return sorted(out)


def _add_stretch(stretches: list[tuple[int, int, int]], text: str, index: int, start: int, end: int) -> None:
    """``(index, start, end)`` onto ``stretches``, cut into pieces of at most :data:`MAX_STRETCH`
    characters, each ending at a space where the piece has one (a sentence that long is rare)."""
    while end - start > MAX_STRETCH:
        cut = text.rfind(" ", start + 1, start + MAX_STRETCH)
        cut = cut if cut > start else start + MAX_STRETCH
        stretches.append((index, start, cut))
        start = cut
    stretches.append((index, start, end))


def _whole_words(text: str, start: int, end: int) -> bool:
    return not (start > 0 and text[start - 1].isalnum()) and not (end < len(text) and text[end].isalnum())


def _inside(regions: list[tuple[int, int]], start: int, end: int) -> bool:
    return any(low <= start and end <= high for low, high in regions)


def _overlaps(taken: list[tuple[int, int]], start: int, end: int) -> bool:
    """Whether [start, end) overlaps a span of ``taken`` (sorted, non-overlapping)."""
    index = bisect.bisect_left(taken, (start, start))
    return any(s < end and start < e for s, e in taken[max(0, index - 1) : index + 1])


def _sentence_lang(segments: list[Segment], starts: list[int], sentence: list[Piece], script: str) -> str:
    """The language of most of the sentence's letters in its main script."""
    tally: Counter[str] = Counter()
    for piece in sentence:
        if piece.script == script:
            tally[_segment_at(segments, starts, piece.start)] += piece.end - piece.start
    return tally.most_common(1)[0][0] if tally else UNDETERMINED


def _segment_at(segments: list[Segment], starts: list[int], offset: int) -> str:
    index = bisect.bisect_right(starts, offset) - 1
    if index >= 0 and segments[index].start <= offset < segments[index].end:
        return segments[index].lang
    return UNDETERMINED


def _deduplicate(names: list[Name]) -> list[Name]:
    """No two names overlap: of overlapping ones the longer stays (a recognized one on a tie)."""
    ranked = sorted(enumerate(names), key=lambda item: (-(item[1].end - item[1].start), item[0]))
    kept: list[Name] = []
    for _, name in ranked:
        if all(name.end <= other.start or other.end <= name.start for other in kept):
            kept.append(name)
    return sorted(kept, key=lambda n: (n.start, n.end))


def name_language(text: str, segments: list[Segment], start: int, starts: list[int] | None = None) -> str:
    """The language of a name: its segment's, unless its letters settle it."""
    lowered = text.lower()
    for letter, lang in _LETTER_LANGS:
        if letter in lowered:
            return lang
    if starts is None:
        starts = [s.start for s in segments]
    return _segment_at(segments, starts, start)


__all__ = ["Names", "NamesConfig", "NameCodes", "consistent_spans", "written_in_lower_case", "install_name_codes", "name_language", "load_ner", "RUN_LABEL"]
