"""The ``languages`` stage: language segments over every letter of the page, and the page's language.

Each block is cut into *pieces* (runs of words in one script that cross no sentence end, bracket or
quote; ``textpipe.pieces``), and the pieces into sentences. Within a sentence, the words of each
script are labelled together:

* Latin and Cyrillic words: each word gets the identifier's per-language log-likelihoods (its
  letters, n-grams, whether it is a known word of a language), and a Viterbi pass picks the labels
  that best explain the words, where changing language between two words costs ``switch_cost``
  inside a piece (``capital_switch_cost`` between unrelated languages where a sentence may start,
  its full stop lost: a Title-case word after a lower-case one) and ``boundary_switch_cost``
  across a bracket, quote or other piece boundary. So a
  Polish phrase in an English sentence gets its own label when its words are Polish enough to pay
  for two changes, and a Cyrillic name inside English prose is labelled by its own letters among the
  Cyrillic languages (ў, і → be; ї, є, ґ → uk; ы, э, ъ → ru...).
  One word's evidence against a language is capped (``max_word_evidence``: names, loans), except
  that a word is never labelled a language that does not write one of its letters (ł, ó are not
  English; ї is not Russian), and a lower-case word unknown to the run's language and best in an
  unrelated one (Polish "zadzwoni" in English) counts twice the cap against it.
  A run whose words' gains over the run's language cannot pay for a stretch's two changes is
  labelled whole, with no search (most runs). All the runs of a page are scored together, and each
  written form is analysed once and kept across pages (``_FormTable``).
  When the whole run is in a language outside textpipe's eight (German, French, ...; see
  ``textpipe.langid_other``), it takes that label whole.
* Words of other scripts (Greek, Arabic, CJK): each piece is identified by langdetect.

Short sentences (fewer than ``short_letters`` letters in one script) take the page's languages of
that script, from its long sentences, as a prior (the dominant one weighs ``context_prior``).
Adjacent words of one language become one segment; segments never cross blocks and cover every
letter of every block. The page's language is the dominant language of its body.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from ..document import Document, Segment
from ..langid import KNOWN_SHARE, ROMANIZED_SHARE, SCRIPT_LANGS, UNDETERMINED, LanguageIdentifier
from ..langid_model import LANGS, excluded_bits_many, words_of_many
from ..pieces import PageWords, page_words
from ..scripts import LATIN, OTHER, script_of
from ..stage import Stage

_INDEX = {lang: i for i, lang in enumerate(LANGS)}
#: the emission (calibrated nats) of a language a word's letters rule out: no path takes it
_IMPOSSIBLE = 1e6
#: groups of closely related languages
_RELATED = (frozenset({"pl", "cs", "sk"}), frozenset({"ru", "uk", "be", "bg"}))
#: the most written forms whose analysis the stage keeps (then it starts afresh: bounded memory)
_MAX_CACHED_FORMS = 200_000
#: URLs, e-mail addresses, tags and entities make ``outside_language`` look at a text afresh
_NOT_TEXT_CHAR = re.compile("[/@<&]")


@dataclass
class LanguagesConfig:
    #: seed of langdetect's random sampling (used for scripts other than Latin and Cyrillic)
    seed: int
    #: a sentence's run of one script with fewer letters than this takes the page's languages as a prior
    short_letters: int
    #: prior weight of the page's dominant language of the script for short runs (0 disables the prior)
    context_prior: float
    #: cost, in calibrated nats, of a change of language between two words of one piece
    switch_cost: float
    #: cost of a change of language across a piece boundary (bracket, quote, colon, dash...)
    boundary_switch_cost: float
    #: cost of a change between unrelated languages before a word in title case that follows a
    #: lower-case one inside a piece (a sentence may start there, its full stop lost)
    capital_switch_cost: float
    #: most evidence, in calibrated nats, one word gives against a language (so that one odd word,
    #: a name say, cannot pay for two changes of language on its own)
    max_word_evidence: float
    #: ...except a foreign word in lower case (unknown to the host's word table, best in an unrelated
    #: language), which may count this many times ``max_word_evidence`` against its host
    foreign_word_cap_factor: float
    #: a stretch of words labelled otherwise than the run it sits in keeps its label only if its own
    #: calibrated score reaches this (else it takes the run's language)
    own_stretch_min_score: float
    #: recognise languages outside textpipe's eight (de, fr, ...) from langdetect's profiles
    other_languages: bool


class _FormTable:
    """What the stage needs of each written form (a word as it stands in the text, in a script),
    read once and kept across pages (up to ``_MAX_CACHED_FORMS``, then it starts afresh).

    Row r: ``tokens[r]`` (its lower-cased words, one as a rule), ``vectors[r]`` (their summed
    log-likelihoods, one per language of LANGS) and ``numbers[r]`` (columns ``NUMBERS``).
    """

    #: its words; their letters; for ``outside_language``: its romanized-Russian words, its words
    #: known to the script's languages, letters none of our languages writes (0/1), a word whose
    #: first letter is in another script (0/1); the languages (bits of LANGS) that never write one
    #: of its letters; written with a capital (a name, often: its evidence is capped); in title case
    #: (a capital, then lower case: "Ptaki", "A"; not "USA")
    NUMBERS = ("tokens", "letters", "romanized", "known", "foreign", "odd_script", "excluded", "capitalized", "titled")

    def __init__(self, identifier: LanguageIdentifier) -> None:
        self.identifier = identifier
        self.index: dict[tuple[str, str], int] = {}
        self.tokens: list[list[str]] = []
        self.vectors = np.zeros((1024, len(LANGS)))
        self.numbers = np.zeros((1024, len(self.NUMBERS)), dtype=np.int64)

    def rows(self, forms: list[str], scripts: list[str]) -> np.ndarray:
        """The rows of the forms (each in its script), reading the new ones."""
        if len(self.index) + len(forms) > _MAX_CACHED_FORMS:
            self.index.clear()
            self.tokens.clear()
        index = self.index
        rows = [index.get(key, -1) for key in zip(forms, scripts)]
        new = [k for k, row in enumerate(rows) if row < 0]
        if new:
            first = len(self.tokens)
            new_forms = [forms[k] for k in new]
            new_scripts = [scripts[k] for k in new]
            tokens = words_of_many(new_forms)
            for k, key, row in zip(new, zip(new_forms, new_scripts), range(first, first + len(new))):
                rows[k] = index[key] = row
            self.tokens += tokens
            self._grow(len(self.tokens))
            self.vectors[first : len(self.tokens)] = self.identifier.model.word_matrix(tokens)
            self.numbers[first : len(self.tokens)] = self._numbers(new_forms, new_scripts, tokens)
        return np.array(rows, dtype=np.int64)

    def _numbers(self, forms: list[str], scripts: list[str], tokens: list[list[str]]) -> np.ndarray:
        """The ``NUMBERS`` columns of new forms (each in its script, with its words)."""
        out = np.empty((len(forms), len(self.NUMBERS)), dtype=np.int64)
        romanized, known, foreign = self.identifier.outside_evidence(tokens, scripts)
        columns = dict(zip(self.NUMBERS, out.T))
        columns["tokens"][:] = np.fromiter(map(len, tokens), dtype=np.int64, count=len(tokens))
        columns["letters"][:] = [sum(map(len, words)) for words in tokens]
        columns["romanized"][:] = romanized
        columns["known"][:] = known
        columns["foreign"][:] = foreign
        columns["odd_script"][:] = [any((script_of(w[0]) or OTHER) != s for w in words) for words, s in zip(tokens, scripts)]
        columns["excluded"][:] = excluded_bits_many(tokens)
        columns["capitalized"][:] = [form[0].isupper() for form in forms]
        columns["titled"][:] = [form[0].isupper() and (len(form) == 1 or form[1].islower()) for form in forms]
        return out

    def _grow(self, size: int) -> None:
        if size > len(self.vectors):
            capacity = max(size, 2 * len(self.vectors))
            self.vectors = np.resize(self.vectors, (capacity, len(LANGS)))
            self.numbers = np.resize(self.numbers, (capacity, len(self.NUMBERS)))

    def column(self, name: str) -> int:
        return self.NUMBERS.index(name)


class _Page:
    """A page's words (``PageWords``), their forms, runs and labels.

    A *run* is a sentence's words of one script (runs are numbered in the order of their first
    word); ``order`` lists the words run by run, in text order within a run.
    """

    def __init__(self, words: PageWords, table: _FormTable, form_rows: np.ndarray, form_scripts: np.ndarray, scripts: list[str]) -> None:
        self.words = words
        self.table = table
        #: each word's row in the form table
        self.rows = form_rows[words.form]
        key = words.sentence * len(scripts) + form_scripts[words.form]
        _, first, inverse = np.unique(key, return_index=True, return_inverse=True)
        rank = np.empty(len(first), dtype=np.int64)
        rank[np.argsort(first)] = np.arange(len(first))
        run_of_word = rank[inverse.reshape(-1)]
        self.order = np.argsort(run_of_word, kind="stable")
        self.run_sizes = np.bincount(run_of_word, minlength=len(first))
        self.run_starts = np.concatenate(([0], np.cumsum(self.run_sizes)[:-1]))
        firsts = self.order[self.run_starts]
        self.run_scripts = [scripts[int(c)] for c in form_scripts[words.form[firsts]]]
        self.run_letters = np.add.reduceat((words.end - words.start)[self.order], self.run_starts)
        self.lang = np.full(words.size, UNDETERMINED, dtype=object)
        self.score = np.zeros(words.size)

    def run_words(self, run: int) -> np.ndarray:
        """The run's words (their places in the page's arrays), in text order."""
        start = int(self.run_starts[run])
        return self.order[start : start + int(self.run_sizes[run])]

    def words_of_runs(self, chosen: np.ndarray) -> np.ndarray:
        """The words of the runs ``chosen`` marks (a bool per run), run by run in run order."""
        return self.order[np.repeat(chosen, self.run_sizes)]

    def run_sums(self, values: np.ndarray) -> np.ndarray:
        """A per-word value summed over each run."""
        return np.add.reduceat(values[self.order], self.run_starts)

    def pieces(self, run: int) -> list[tuple[int, int, np.ndarray]]:
        """The run's pieces: (start, end, its words)."""
        mine = self.run_words(run)
        pieces = self.words.piece[mine]
        cuts = np.flatnonzero(pieces[1:] != pieces[:-1]) + 1
        return [(int(self.words.start[w[0]]), int(self.words.end[w[-1]]), w) for w in np.split(mine, cuts)]

    def run_tokens(self, run: int) -> list[list[str]]:
        """The lower-cased words of each of the run's words."""
        tokens = self.table.tokens
        return [tokens[row] for row in self.rows[self.run_words(run)].tolist()]


class Languages(Stage):
    name = "languages"
    Config = LanguagesConfig

    def __init__(self, config: LanguagesConfig) -> None:
        super().__init__(config)
        self.identifier = LanguageIdentifier(seed=config.seed, other_languages=config.other_languages)
        self._forms = _FormTable(self.identifier)
        self._scripts: dict[str, int] = {}

    def process(self, doc: Document) -> Document:
        text = doc.text
        words, form_scripts = page_words(text, doc.blocks, self._scripts)
        doc.segments = []
        if words.size:
            scripts = list(self._scripts)
            rows = self._forms.rows(words.forms, [scripts[s] for s in form_scripts.tolist()])
            page = _Page(words, self._forms, rows, form_scripts, scripts)
            matrix = self._forms.vectors[page.rows]  # each word's log-likelihoods
            short = self.config.short_letters
            long = [r for r, s in enumerate(page.run_scripts) if page.run_letters[r] >= short or s not in SCRIPT_LANGS]
            outside = self._maybe_outside(text, page)
            self._label_runs(text, page, long, matrix, outside, {})
            priors = {script: self._prior(counts) for script, counts in self._tally(page, long).items()}
            rest = [r for r, s in enumerate(page.run_scripts) if page.run_letters[r] < short and s in SCRIPT_LANGS]
            self._label_runs(text, page, rest, matrix, outside, priors)
            doc.segments = segments_of(page)
        doc.lang = dominant_language(doc)
        return doc

    @staticmethod
    def _tally(page: _Page, runs: list[int]) -> dict[str, Counter[str]]:
        """Letters per language of each script in the runs (languages in order of first appearance)."""
        tally: dict[str, Counter[str]] = {}
        chosen = np.zeros(len(page.run_sizes), dtype=bool)
        chosen[runs] = True
        for script in dict.fromkeys(page.run_scripts[r] for r in runs):
            mine = chosen & np.array([s == script for s in page.run_scripts])
            words = page.words_of_runs(mine)
            langs = page.lang[words]
            sizes = page.words.end[words] - page.words.start[words]
            cuts = np.concatenate(([0], np.flatnonzero(langs[1:] != langs[:-1]) + 1))
            counts = tally.setdefault(script, Counter())
            for lang, size in zip(langs[cuts].tolist(), np.add.reduceat(sizes, cuts).tolist()):
                counts[lang] += size
        return tally

    def _prior(self, tally: Counter[str] | None) -> dict[str, float] | None:
        """The page's languages of a script (from its long runs), as a prior for its short runs:
        the dominant one weighs ``context_prior``, the others share the rest."""
        if not tally or self.config.context_prior <= 0:
            return None
        ranked = [lang for lang, _ in tally.most_common() if lang in _INDEX]
        if not ranked:
            return None
        if len(ranked) == 1:
            return {ranked[0]: self.config.context_prior}
        rest = (1 - self.config.context_prior) / (len(ranked) - 1)
        return {lang: self.config.context_prior if i == 0 else rest for i, lang in enumerate(ranked)}

    def _label_runs(
        self, text: str, page: _Page, runs: list[int], matrix: np.ndarray, outside: np.ndarray, priors: dict[str, dict[str, float] | None]
    ) -> None:
        """Label the runs' words: runs of other scripts by langdetect, runs in a language outside
        our eight whole (``outside``: those that may be), the others script by script, all runs of
        a script at once."""
        by_script: dict[str, list[int]] = {}
        for run in runs:
            script = page.run_scripts[run]
            if script not in SCRIPT_LANGS:
                self._label_other_script(text, page, run)
            elif not (outside[run] and self._label_outside(text, page, run)):
                by_script.setdefault(script, []).append(run)
        for script, group in by_script.items():
            self._label_script(page, script, group, matrix, priors.get(script))

    def _maybe_outside(self, text: str, page: _Page) -> np.ndarray:
        """For each run: may ``outside_language`` find it in a language outside our eight? (Its
        first tests, summed over the run's words; False is certain, True means: ask it.)"""
        ident = self.identifier
        if not self.config.other_languages:
            return np.zeros(len(page.run_sizes), dtype=bool)
        table = page.table
        names = ("tokens", "letters", "romanized", "known", "foreign", "odd_script")
        sums = page.run_sums(table.numbers[page.rows][:, [table.column(n) for n in names]])
        tokens, letters, romanized, known, foreign, odd = sums.T
        with np.errstate(divide="ignore", invalid="ignore"):
            latin = np.array([s == LATIN for s in page.run_scripts])
            romanized_russian = latin & (tokens >= 2) & (romanized / tokens >= ROMANIZED_SHARE)
            other = (letters >= ident.other_min_letters) & ((known / tokens < KNOWN_SHARE) | (foreign > 0))
        marked = np.zeros(len(page.run_sizes), dtype=bool)
        where = [m.start() for m in _NOT_TEXT_CHAR.finditer(text)]
        if where:  # a run holding one of these characters anywhere between its first and last word
            firsts = page.order[page.run_starts]
            lasts = page.order[page.run_starts + page.run_sizes - 1]
            marked = np.searchsorted(where, page.words.end[lasts]) > np.searchsorted(where, page.words.start[firsts])
        return (page.run_letters >= ident.other_min_letters) & (romanized_russian | other | (odd > 0) | marked)

    def _label_other_script(self, text: str, page: _Page, run: int) -> None:
        """Greek, Arabic, CJK...: each piece is identified by langdetect."""
        for start, end, mine in page.pieces(run):
            found = self.identifier.identify(text[start:end])
            page.lang[mine] = found.lang
            page.score[mine] = found.score

    def _label_outside(self, text: str, page: _Page, run: int) -> bool:
        """Label the run whole when it is in a language outside our eight (or romanized Russian)."""
        pieces = page.pieces(run)
        run_text = " ".join(text[start:end] for start, end, _ in pieces)
        whole = self.identifier.outside_language(run_text, [t for word in page.run_tokens(run) for t in word])
        if whole is None:
            return False
        mine = page.run_words(run)
        page.lang[mine] = whole.lang
        page.score[mine] = whole.score
        return True

    def _label_script(self, page: _Page, script: str, runs: list[int], matrix: np.ndarray, prior: dict[str, float] | None) -> None:
        langs = SCRIPT_LANGS[script]
        prior_logs = np.zeros(len(langs))
        if prior:
            floor_weight = min(w for w in prior.values() if w > 0) / 10
            prior_logs = np.log([prior.get(lang, 0.0) or floor_weight for lang in langs])
        scored = _ScriptRuns(self, page, runs, matrix, langs, prior_logs)
        # runs where no stretch can beat the host: the whole run is the host's, with its probability
        hosts = scored.hosts
        probability = scored.probabilities[np.arange(len(hosts)), hosts]
        best = hosts == scored.probabilities.argmax(axis=1)
        score = np.where(best, self.identifier.model.calibrated_many(probability), probability)
        uniform_words = np.repeat(scored.uniform, scored.sizes)
        mine = scored.rows[uniform_words]
        page.lang[mine] = np.array(langs, dtype=object)[np.repeat(hosts, scored.sizes)[uniform_words]]
        page.score[mine] = np.repeat(score, scored.sizes)[uniform_words]
        for k in np.flatnonzero(~scored.uniform).tolist():
            tokens = page.run_tokens(runs[k])
            labels = self._search(script, tokens, scored.emissions(k), scored.costs(k), int(hosts[k]), prior_logs)
            mine = page.run_words(runs[k])
            page.lang[mine] = labels
            page.score[mine] = self._score_stretches(script, tokens, labels, prior)

    def _score_stretches(self, script: str, tokens: list[list[str]], labels: list[str], prior: dict[str, float] | None) -> list[float]:
        """Each stretch of one label gets the calibrated probability of that label for its words."""
        ident = self.identifier
        scores: list[float] = []
        start = 0
        for i in range(1, len(tokens) + 1):
            if i == len(tokens) or labels[i] != labels[start]:
                probs = ident.probabilities_of_words([t for word in tokens[start:i] for t in word], script, prior)
                lang = labels[start]
                score = probs.get(lang, 0.0)
                if lang == max(probs, key=probs.__getitem__):
                    score = ident.model.calibrated(score)
                scores.extend([score] * (i - start))
                start = i
        return scores

    def _search(
        self, script: str, tokens: list[list[str]], emissions: np.ndarray, costs: tuple[list[float], list[float]], host: int, prior_logs: np.ndarray
    ) -> list[str]:
        """The labels of the words that maximise emissions minus the costs of changing language.

        The run's *host* is its best language as a whole; starting or ending the run in another
        language costs ``switch_cost`` as well, so an inserted stretch always pays for two changes.
        (When every word's best emission is the host's, no change of language can pay: such runs,
        most sentences of a page, are labelled whole without a search.)
        A stretch not in the host keeps its label only if it is unlikely to be in the host
        language on its own (``own_stretch_min_score``).
        """
        langs = SCRIPT_LANGS[script]
        path = _best_path(emissions.tolist(), prior_logs.tolist(), host, costs[0], self.config.switch_cost, costs[1], _related_states(langs))
        labels = [langs[s] for s in path]
        # a stretch off the host must also be convincing on its own: unlikely to be in the host
        # language (whichever of the others it is: "na nich" is Polish or Czech, but not English)
        host_lang = langs[host]
        start = 0
        for i in range(1, len(tokens) + 1):
            if i == len(tokens) or labels[i] != labels[start]:
                impossible = (emissions[start:i, host] <= -_IMPOSSIBLE).any()
                if labels[start] != host_lang and i - start < len(tokens) and not impossible:
                    own = self.identifier.probabilities_of_words([t for word in tokens[start:i] for t in word], script)
                    if 1.0 - own.get(host_lang, 0.0) < self.config.own_stretch_min_score:
                        labels[start:i] = [host_lang] * (i - start)
                start = i
        return labels


class _ScriptRuns:
    """The emissions of all the runs of one script on a page, computed together (numpy over the
    page's words rather than over each sentence's few).

    A word's emissions are its log-likelihoods (calibrated nats) for the script's languages; its
    evidence against a language is capped at ``max_word_evidence`` (names, loans), except a foreign
    word in lower case against the host (``uncap_foreign_words``), and a language that does not
    write one of the word's letters, which it can never be (``rule_out``). A run's *host* is its best
    language as a whole (with the prior). It is *uniform* when no stretch of it can beat the host:
    all its words' gains over the host (and the prior's, at its start) stay below what two changes
    of language cost; then the search would label it all host, and is skipped.
    """

    def __init__(self, stage: Languages, page: _Page, runs: list[int], matrix: np.ndarray, langs: tuple[str, ...], prior_logs: np.ndarray) -> None:
        model = stage.identifier.model
        config = stage.config
        columns = [_INDEX[lang] for lang in langs]
        #: the runs' words, run by run
        assert all(a < b for a, b in zip(runs, runs[1:])), "runs must ascend: their words come in the page's order"
        chosen = np.zeros(len(page.run_sizes), dtype=bool)
        chosen[runs] = True
        self.rows = rows = page.words_of_runs(chosen)
        sizes = page.run_sizes[runs]
        self.sizes = sizes
        self.starts = np.concatenate(([0], np.cumsum(sizes)[:-1]))
        totals = matrix[rows][:, columns]
        raw = totals / model.temperature(1)
        capped = np.maximum(raw, raw.max(axis=1, keepdims=True) - config.max_word_evidence)
        self.hosts = np.argmax(np.add.reduceat(capped, self.starts, axis=0) + prior_logs, axis=1)
        word_hosts = np.repeat(self.hosts, sizes)
        table = page.table
        form_rows = page.rows[rows]
        numbers = table.numbers[form_rows]
        uncap_foreign_words(stage, table, form_rows, raw, capped, langs, word_hosts)
        rule_out(capped, numbers[:, table.column("excluded")], columns)
        self.capped = capped
        gains = capped.max(axis=1) - capped[np.arange(len(capped)), word_hosts]
        gains = np.add.reduceat(gains, self.starts) + (prior_logs.max() - prior_logs[self.hosts])
        self.transitions, self.related_transitions = transition_costs(
            page.words.piece[rows], numbers[:, table.column("capitalized")] > 0, numbers[:, table.column("titled")] > 0, config
        )
        least = self._least_cost_of_a_stretch(np.minimum(self.transitions, self.related_transitions), config)
        self.uniform = gains < least - 1e-6
        # each run's probabilities as a whole (softmax of its summed scores at its length's temperature)
        tokens = np.add.reduceat(numbers[:, table.column("tokens")], self.starts)
        temperatures = model.temperatures(tokens)
        z = np.add.reduceat(totals, self.starts, axis=0) / temperatures[:, None] + prior_logs
        exp = np.exp(z - z.max(axis=1, keepdims=True))
        self.probabilities = exp / exp.sum(axis=1, keepdims=True)

    def _least_cost_of_a_stretch(self, transitions: np.ndarray, config: LanguagesConfig) -> np.ndarray:
        """Per run: the least that labelling a stretch of it off the host costs: its two ends, each
        a change of language between two words (``transitions``: the cost before each word) or the
        run's start or end (``switch_cost``)."""
        transitions = transitions.copy()
        transitions[self.starts] = np.inf  # a run's first word: no change before it
        runs = np.repeat(np.arange(len(self.sizes)), self.sizes)
        ordered = transitions[np.lexsort((transitions, runs))]
        first = ordered[self.starts]
        second = np.where(self.sizes >= 2, ordered[np.minimum(self.starts + 1, len(ordered) - 1)], np.inf)
        edge = np.full(len(self.sizes), config.switch_cost)
        ends = np.sort(np.column_stack([first, second, edge, edge]), axis=1)
        return ends[:, 0] + ends[:, 1]

    def emissions(self, k: int) -> np.ndarray:
        start = int(self.starts[k])
        return self.capped[start : start + int(self.sizes[k])]

    def costs(self, k: int) -> tuple[list[float], list[float]]:
        """The costs of a change of language between each two words of run k: between unrelated
        languages, and between related ones."""
        start, end = int(self.starts[k]) + 1, int(self.starts[k] + self.sizes[k])
        return self.transitions[start:end].tolist(), self.related_transitions[start:end].tolist()


def transition_costs(pieces: np.ndarray, capitalized: np.ndarray, titled: np.ndarray, config: LanguagesConfig) -> tuple[np.ndarray, np.ndarray]:
    """The cost of a change of language before each word (from the word before it), between
    unrelated languages and between related ones (ru uk be bg; pl cs sk): across pieces
    ``boundary_switch_cost``; inside one ``switch_cost``, except that a change between unrelated
    languages before a word in title case that follows one in lower case costs
    ``capital_switch_cost``: a sentence may start there, its full stop lost ("Highly recommend A
    ptaki..."), provided the new language goes on past that word (a change right after it costs
    that much more: a name "signed by Jen and..." gains nothing). Not after a capitalized word
    ("By Jen Carlson"), nor before an acronym ("Born in the USA"), nor between related languages
    (a name inside a Belarusian sentence is no cheaper to take for Russian).
    (The entries of a run's first word are meaningless.)"""
    across = np.zeros(len(pieces), dtype=bool)
    across[1:] = pieces[1:] != pieces[:-1]
    starts = np.zeros(len(pieces), dtype=bool)  # a capitalized word after one in lower case
    starts[1:] = titled[1:] & ~capitalized[:-1]
    related = np.where(across, config.boundary_switch_cost, config.switch_cost)
    unrelated = np.where(across, config.boundary_switch_cost, np.where(starts, config.capital_switch_cost, config.switch_cost))
    # ...provided the new language goes on past that word: leaving it right after costs the rebate
    unrelated[1:] += np.where(starts[:-1], max(0.0, config.switch_cost - config.capital_switch_cost), 0.0)
    return unrelated, related


def uncap_foreign_words(
    stage: Languages, table: _FormTable, rows: np.ndarray, raw: np.ndarray, capped: np.ndarray, langs: tuple[str, ...], hosts: np.ndarray
) -> None:
    """Let a word count more against its run's host when it is unlikely to be a name or a host word.

    The cap on a word's evidence is there for names and loans; a word in lower case that the
    host's word table does not know and whose best language is unrelated to the host's (Polish
    "prowadzi" in English) gets ``foreign_word_cap_factor`` times the cap against the host. Between
    related languages (ru uk be bg; pl cs sk) single-word evidence stays capped: they share
    most words, and their word tables are uneven (Belarusian has no frequency list).
    """
    known_bits = stage.identifier.model.known_bits
    wide = stage.config.foreign_word_cap_factor * stage.config.max_word_evidence
    capitalized = table.column("capitalized")
    tops = raw.argmax(axis=1)
    for i in np.flatnonzero(tops != hosts).tolist():
        row, top, host = int(rows[i]), int(tops[i]), int(hosts[i])
        tokens = table.tokens[row]
        if table.numbers[row, capitalized] or len(tokens) != 1 or _related(langs[top], langs[host]):
            continue
        if not known_bits(tokens[0]) & (1 << _INDEX[langs[host]]):
            capped[i, host] = max(raw[i, host], raw[i, top] - wide)


def _best_path(
    emissions: list[list[float]],
    prior_logs: list[float],
    host: int,
    costs: list[float],
    edge_cost: float,
    related_costs: list[float] | None = None,
    related: list[list[bool]] | None = None,
) -> list[int]:
    """Viterbi: the states maximising the emissions less ``costs[i]`` for each change between
    words i and i+1, and less ``edge_cost`` for starting or ending in a state other than ``host``.
    With ``related_costs``, a change between two states that ``related`` pairs costs that instead."""
    states = range(len(prior_logs))
    edge = [0.0 if j == host else -edge_cost for j in states]
    best = [edge[j] + prior_logs[j] + emissions[0][j] for j in states]
    back: list[list[int]] = []
    for i, (emit, cost) in enumerate(zip(emissions[1:], costs)):
        new, pointers = [], []
        if related_costs is None or related is None or related_costs[i] == cost:
            top = max(states, key=best.__getitem__)
            for j in states:
                if best[j] >= best[top] - cost or top == j:
                    new.append(best[j] + emit[j])
                    pointers.append(j)
                else:
                    new.append(best[top] - cost + emit[j])
                    pointers.append(top)
        else:
            for j in states:
                came, value = j, best[j]  # staying wins ties
                for k in states:
                    if k != j:
                        moved = best[k] - (related_costs[i] if related[k][j] else cost)
                        if moved > value:
                            came, value = k, moved
                new.append(value + emit[j])
                pointers.append(came)
        best = new
        back.append(pointers)
    best = [b + edge[j] for j, b in enumerate(best)]
    state = max(states, key=best.__getitem__)
    path = [state]
    for pointers in reversed(back):
        state = pointers[state]
        path.append(state)
    path.reverse()
    return path


def _related(a: str, b: str) -> bool:
    return any(a in group and b in group for group in _RELATED)


@lru_cache(maxsize=8)
def _related_states(langs: tuple[str, ...]) -> list[list[bool]]:
    """Which pairs of the languages are related (read only)."""
    return [[_related(a, b) for b in langs] for a in langs]


def rule_out(emissions: np.ndarray, ruled_out: np.ndarray, columns: list[int]) -> None:
    """A word is never labelled a language that does not write one of its letters (ł is not
    English, ў not Russian): such emissions drop far below any cost of changing language, whatever
    the cap on a word's evidence. A word every candidate excludes (odd spelling) keeps its scores."""
    excluded = (ruled_out[:, None] >> np.array(columns)) & 1 == 1
    excluded[excluded.all(axis=1)] = False
    emissions[excluded] = -_IMPOSSIBLE


def dominant_language(doc: Document) -> str:
    """The language holding most letters of the body; "und" when the body has no letters."""
    spans = sorted((b.start, b.end) for b in doc.body_blocks)
    letters: Counter[str] = Counter()
    first = 0  # segments and blocks are both in order: one sweep over the two
    for seg in sorted(doc.segments, key=lambda s: s.start):
        while first < len(spans) and spans[first][1] <= seg.start:
            first += 1
        if seg.lang == UNDETERMINED:
            continue
        inside = 0
        k = first
        while k < len(spans) and spans[k][0] < seg.end:
            inside += min(seg.end, spans[k][1]) - max(seg.start, spans[k][0])
            k += 1
        if inside > 0:
            letters[seg.lang] += inside
    return letters.most_common(1)[0][0] if letters else UNDETERMINED


def segments_of(page: _Page) -> list[Segment]:
    """Adjacent words of one language in one block become one segment; its score is letter-weighted."""
    words = page.words
    cut = np.ones(words.size, dtype=bool)
    cut[1:] = (words.block[1:] != words.block[:-1]) | (page.lang[1:] != page.lang[:-1])
    firsts = np.flatnonzero(cut)
    lasts = np.concatenate((firsts[1:], [words.size])) - 1
    sizes = (words.end - words.start).astype(np.float64)
    scores = np.add.reduceat(page.score * sizes, firsts) / np.add.reduceat(sizes, firsts)
    return [
        Segment(start, end, lang, score)
        for start, end, lang, score in zip(words.start[firsts].tolist(), words.end[lasts].tolist(), page.lang[firsts].tolist(), scores.tolist())
    ]
