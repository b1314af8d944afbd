"""The rules that keep an edited sentence a sentence (methods.fluent, the v2 methods): no twin neighbours, the
closing check, no new word at a sentence's edges."""

from __future__ import annotations

import pytest

from maskaug import Augmenter
from maskaug.document import Doc
from maskaug.evaluate.defects import defects
from maskaug.methods import build
from maskaug.methods.fluent import ClosingQuery, closing_drops, masked_at, twin

TEXTS = ["The movie was great and the actors were wonderful .", "Who invented the telephone in the century ?",
         "A dull film , with no heart at all .", "Play some jazz music from the seventies please .",
         "What is the capital city of France ?", "I loved every minute of this charming comedy ."]


def test_twin_compares_normalised_forms():
    assert twin("not", "Not", None) and twin("river", None, "RIVER")
    assert not twin("film", "movie", None) and not twin(None, "x", "x") and not twin("a", None, None)


def _new_kinds(method, mlm, seeds=range(6), **params):
    found = set()
    for seed in seeds:
        rows = Augmenter(method, model=mlm, n=2, seed=seed, **params).augment(TEXTS)
        for text, outs in zip(TEXTS, rows):
            for out in outs:
                found.update(defects(text, out))
    return found


@pytest.mark.parametrize("method", ["substitute", "insert", "iterative", "ssmba", "infill"])
def test_v2_methods_make_no_edge_repeat_or_lowercase_defects(tiny_mlms, method):
    """The untrained tiny model fills at random from its small vocabulary (often a word of the text itself), so
    the v1 rules make repeats and, for insert, edge words; v2 makes none of either."""
    mlm = tiny_mlms["wordpiece"]
    new = _new_kinds(f"{method}.v2", mlm, rate=0.5)
    assert not new & {"start", "lowercase_start", "after_end", "repeat"}, new
    if method in ("substitute", "insert"):
        old = _new_kinds(f"{method}.v1", mlm, rate=0.5)
        assert {"start", "after_end"} <= old if method == "insert" else "repeat" in old


def test_closing_check_decides_every_new_word_before_closing_punctuation(tiny_mlms):
    """closing_drop=-1000 fails every fill right before . , ? (any drop exceeds it); null keeps them."""
    mlm = tiny_mlms["wordpiece"]

    def before_punct(**params):
        outs = Augmenter("insert.v2", model=mlm, n=2, seed=3, rate=1.0, **params).augment(TEXTS)
        return sum(out.split()[i + 1] in ".,?" and out.split()[i] not in text.split()
                   for text, row in zip(TEXTS, outs) for out in row for i in range(len(out.split()) - 1))

    assert before_punct(closing_drop=None) > 0
    assert before_punct(closing_drop=-1000.0) == 0


def test_closing_drops_on_the_builtin_model():
    """The built-in model: "performances were ." leaves the clause open (the full stop falls by > 2 nats), while
    "performances again ." does not."""
    from maskaug.model.engine import FillEngine
    from maskaug.model.loading import load_mlm

    mlm = load_mlm(None)
    info = mlm.info
    source = Doc.parse("and spirited performances .", info)
    queries = []
    for word in ("were", "again"):
        edited = Doc.parse(f"and spirited performances {word} .", info)
        k, at = len(source.ids) - 1, len(edited.ids) - 1
        queries.append(ClosingQuery(masked_at(source.ids, k, info.mask_id), k, masked_at(edited.ids, at, info.mask_id),
                                    at, source.ids[k]))
    were, again = closing_drops(FillEngine(mlm), info, queries)
    assert were > 2.0 > again


def test_v1_stays_available_and_v2_is_the_default():
    assert build("insert.v2").name == "insert.v2" and build("insert.v1").name == "insert.v1"
    assert build("insert.v1").masker.edges and not build("insert.v2").masker.edges
    assert build("substitute.v2").closing_drop == 2.0 and build("substitute.v1").closing_drop is None
    assert "closing check" in repr(build("iterative.v2")) and "closing" not in repr(build("iterative.v1"))


def test_the_next_word_check_drops_insertions_before_any_word(tiny_mlms):
    """next_drop=-1000 fails every inserted word (any drop exceeds it); with closing_drop=-1000 too, no insertion
    survives anywhere, so every row falls short and says so; off (the default), insertions are made."""
    mlm = tiny_mlms["wordpiece"]
    strict = Augmenter("insert.v2", model=mlm, n=1, seed=2, rate=0.5, max_attempts=2, next_drop=-1000.0,
                       closing_drop=-1000.0)
    assert strict.augment(TEXTS) == [[] for _ in TEXTS]
    assert "next-word check" in repr(strict.method) and build("insert.v2").next_drop is None
    assert all(len(row) == 1 for row in Augmenter("insert.v2", model=mlm, n=1, seed=2, rate=0.5).augment(TEXTS))


@pytest.mark.parametrize("limit", [-1000.0, -0.5, 0.0, 0.5, 2.0, 5.0])
def test_closing_failures_say_what_the_drops_say_with_fewer_questions(tiny_mlms, limit):
    """``closing_failures`` skips the source's half when the edited text alone proves a pass; its verdicts are
    exactly ``closing_drops(...) > limit``."""
    from maskaug.document import Doc
    from maskaug.methods.fluent import ClosingQuery, closing_drops, closing_failures, masked_at
    from maskaug.model.engine import FillEngine

    mlm = tiny_mlms["wordpiece"]
    info = mlm.info
    queries = []
    for text in TEXTS:
        source = Doc.parse(text, info)
        for word in ("film", "the", "slowly"):
            edited = Doc.parse(text[:-1].rstrip() + f" {word} " + text[-1], info)
            k, at = len(source.ids) - 1, len(edited.ids) - 1
            queries.append(ClosingQuery(masked_at(source.ids, k, info.mask_id), k,
                                        masked_at(edited.ids, at, info.mask_id), at, source.ids[k]))
    drops = closing_drops(FillEngine(mlm), info, queries)
    assert closing_failures(FillEngine(mlm), info, queries, [limit] * len(queries)) == [d > limit for d in drops]


def test_related_words_in_wordnet():
    from maskaug.methods.fluent import related, stacked

    for a, b in (("currency", "money"), ("movie", "film"), ("psychological", "mental"), ("Money", "money")):
        assert related(a, b) and related(b, a), (a, b)
    for a, b in (("quiet", "film"), ("capital", "city"), ("zqxw", "film"), ("", "film")):
        assert not related(a, b), (a, b)
    assert stacked("money", "What", "currency") and stacked("film", "movie,", None)
    assert not stacked("film", None, None) and not stacked("house", "quiet", "near")


def test_no_fill_echoes_a_word_of_the_text_or_another_fill(tiny_mlms):
    """The untrained tiny model often fills with a word of the text itself; echoes=false never does."""
    from maskaug.text import normalize

    texts = [t.replace(" .", " tonight .") for t in TEXTS]

    def echoes(**params) -> int:
        found = 0
        rows = [outs for seed in range(4) for outs in Augmenter(
            "insert.v3", model=tiny_mlms["wordpiece"], n=3, seed=seed, min_prob=None, vs_original=None,
            **params).augment(texts)]
        for text, outs in zip(texts * 4, rows):
            words = [normalize(w) for w in text.split()]
            for out in outs:
                new = [normalize(w) for w in out.split()]
                added = list(new)
                for w in words:
                    added.remove(w)
                found += sum(w in words for w in added) + len(added) - len(set(added))
        return found

    assert echoes() > 0
    assert echoes(echoes=False) == 0


def test_a_new_word_related_to_its_neighbour_is_refused(builtin_mlm):
    """stacking=false refuses "money" drawn before "currency"; stacking=true takes it."""
    import numpy as np

    from maskaug.methods.base import Job

    info = builtin_mlm.info
    doc = Doc.parse("Which old currency does Argentina use ?", info)
    money = info.tokenizer.convert_tokens_to_ids("money")
    cand = (np.array([money]), np.array([-0.1]))
    for stacking, expected in ((True, 0), (False, None)):
        method = build("insert.v3", stacking=stacking)
        gap = next(s for s in method.masker.candidates(doc, info) if doc.text[s.start:].startswith("currency"))
        job = Job(texts={"text": doc.text}, docs={"text": doc}, rng=np.random.default_rng(0))
        assert method._choose(job, "text", gap, cand, method._reject(info, gap), info) == expected


WORDS = ["the", "film", "unbelievably", "dull", ",", "who", "wrote", "it", "?", "Paris", "e-mail", "don't", "5.99"]


@pytest.mark.parametrize("unit", ["insert", "word"])
def test_context_queries_mask_the_unedited_words_around_each_fill(tiny_mlms, unit):
    """Property: for any text and any fills, each question masks one unedited word with a letter or digit, the same
    pieces in the source and in the edited text (``edited_position`` finds them after the fills), at most ``n``
    words on each side of its fill."""
    from hypothesis import given, settings
    from hypothesis import strategies as st

    from maskaug.masking import Masker
    from maskaug.methods.mask_fill import build_ids, context_queries

    info = tiny_mlms["wordpiece"].info
    masker = Masker(unit=unit, edges=False, rate=1.0)

    @given(st.lists(st.sampled_from(WORDS), min_size=3, max_size=14), st.data(), st.integers(1, 3))
    @settings(max_examples=150, deadline=None)
    def check(words, data, n):
        doc = Doc.parse(" ".join(words), info)
        slots = masker.candidates(doc, info)
        if not slots:
            return
        chosen = sorted(data.draw(st.sets(st.integers(0, len(slots) - 1), min_size=1)))
        fills = {i: data.draw(st.integers(1000, 1100)) for i in chosen}
        edited, _ = build_ids(doc.ids, slots, [fills.get(i) for i in range(len(slots))])
        per_fill: dict[int, list] = {}
        for i, q in context_queries(doc, slots, fills, n, info.mask_id):
            per_fill.setdefault(i, []).append(q)
            assert [doc.ids[k] for k in q.source_at] == q.targets == [edited[m] for m in q.edited_at]
            assert all(q.source[k] == info.mask_id for k in q.source_at)
            assert all(q.edited[m] == info.mask_id for m in q.edited_at)
            assert sum(a != b for a, b in zip(q.source, doc.ids)) == len(q.targets)
            assert sum(a != b for a, b in zip(q.edited, edited)) == len(q.targets)
            assert not any(slots[j].first < q.source_at[-1] + 1 and q.source_at[0] < slots[j].last for j in fills)
        for i, qs in per_fill.items():
            before = [q for q in qs if q.source_at[-1] < slots[i].first]
            assert len(qs) <= 2 * n and len(before) <= n

    check()


def test_context_drops_on_the_builtin_model(builtin_mlm):
    """The built-in model: "How wide long is" costs its neighbours more than 2 nats, "How wide exactly is" does not;
    "no small large amount" fails, "amount of real poetry" passes."""
    from maskaug.methods.fluent import context_drops
    from maskaug.methods.mask_fill import context_queries
    from maskaug.model.engine import FillEngine

    info = builtin_mlm.info
    engine = FillEngine(builtin_mlm)
    method = build("insert.v5")

    def lost(text: str, after: str, word: str) -> float:
        doc = Doc.parse(text, info)
        gap = next(i for i, s in enumerate(method.masker.candidates(doc, info))
                   if doc.text[: s.start].rstrip().endswith(after))
        slots = method.masker.candidates(doc, info)
        queries = [q for _, q in context_queries(doc, slots, {gap: info.tokenizer.convert_tokens_to_ids(word)}, 2,
                                                 info.mask_id)]
        return sum(context_drops(engine, info, queries))

    assert lost("How wide is the Milky Way galaxy ?", "wide", "long") > 2.0 > lost(
        "How wide is the Milky Way galaxy ?", "wide", "exactly")
    assert lost("There is no small amount of poetry in it .", "small", "large") > 2.0 > lost(
        "There is no small amount of poetry in it .", "of", "real")


def test_the_context_check_refuses_fills_its_neighbours_do_not_fit(tiny_mlms):
    """context_drop=-1 (any loss, even none, exceeds it) leaves no fill with a neighbour, so every row falls short;
    a limit no loss reaches writes what the method writes without the check, byte for byte."""
    mlm = tiny_mlms["wordpiece"]
    base = dict(model=mlm, n=2, seed=4, rate=0.5, max_attempts=2, min_prob=None, vs_original=None)
    for name in ("insert.v5", "substitute.v4", "iterative.v4", "ssmba.v4"):
        off = Augmenter(name, **base, context_drop=None).augment(TEXTS)
        assert any(off)
        assert Augmenter(name, **base, context_drop=1e9).augment(TEXTS) == off
        assert Augmenter(name, **base, context_drop=-1.0).augment(TEXTS) == [[] for _ in TEXTS]
    assert "context check" in repr(build("insert.v5")) and build("insert.v4").context_drop is None


def test_a_context_question_two_fills_share_is_asked_once(tiny_mlms):
    """Two fills of one output with a word between them ask about that word in the same edited text: the engine
    reads it once, and each owner gets the loss it would get alone."""
    from maskaug.masking import Masker
    from maskaug.methods.fluent import context_drops
    from maskaug.methods.mask_fill import context_queries
    from maskaug.model.engine import FillEngine

    mlm = tiny_mlms["wordpiece"]
    info = mlm.info
    doc = Doc.parse("the film was great and the actors were wonderful", info)
    slots = Masker(unit="insert", edges=False, rate=1.0).candidates(doc, info)
    pairs = context_queries(doc, slots, {1: doc.ids[0], 3: doc.ids[2]}, 2, info.mask_id)
    queries = [q for _, q in pairs]
    shared = len(queries) - len({(tuple(q.edited), tuple(q.edited_at)) for q in queries})
    assert shared > 0
    engine = FillEngine(mlm)
    engine.trace = []
    together = context_drops(engine, info, queries)
    rows = sum(b.rows for b in engine.trace)
    assert rows == 2 * len(queries) - shared - (len(queries) - len({tuple(q.source) for q in queries}))
    alone = [context_drops(FillEngine(mlm), info, [q])[0] for q in queries]
    assert together == alone


def test_min_edits_refuses_thin_outputs_of_long_texts_only(tiny_mlms):
    """min_edits: an output of a text of 10+ words has at least that many edits; min_edits=3 under a budget of 2
    edits leaves the long text with none, while a shorter text gets the outputs it gets without the rule."""
    from maskaug import augment

    texts = ["The movie was great and the actors were wonderful in every single scene .", "A dull film , sadly ."]

    def outputs(**params):
        rows = augment([{"text": t} for t in texts], method="insert.v5", n=4, seed=1, model=tiny_mlms["wordpiece"],
                       min_prob=None, vs_original=None, context_drop=None, max_attempts=4, **params)
        return ([len(r["aug_edits"]) for r in rows if r["aug_source_row"] == 0],
                [r["text"] for r in rows if r["aug_source_row"] == 1])

    free, two, three = outputs(), outputs(min_edits=2), outputs(min_edits=3)
    assert two[0] and min(two[0]) >= 2 and three[0] == [] and free[0]
    assert free[1] == two[1] == three[1] and free[1]
    assert "at least 2 edits" in repr(build("insert.v5", min_edits=2))


def test_modifier_knows_adjectives_and_adverbs_from_wordnet():
    from maskaug.methods.fluent import modifier

    for word in ("great", "often", "really", "long", "xqzv", ""):
        assert modifier(word), word
    for word in ("movie", "population", "man", "ticket"):
        assert not modifier(word), word


def test_modifiers_only_inserts_no_noun_or_verb(tiny_mlms):
    """The untrained tiny model inserts any word of its vocabulary; modifiers_only=true never a noun or verb only."""
    from maskaug.methods.fluent import modifier
    from maskaug.text import normalize

    def added(**params) -> list[str]:
        words = []
        for seed in range(3):
            rows = Augmenter("insert.v5", model=tiny_mlms["wordpiece"], n=3, seed=seed, min_prob=None,
                             vs_original=None, context_drop=None, **params).augment(TEXTS)
            for text, outs in zip(TEXTS, rows):
                for out in outs:
                    new = [normalize(w) for w in out.split()]
                    for w in text.split():
                        new.remove(normalize(w))
                    words += new
        return words

    assert any(not modifier(w) for w in added())
    kept = added(modifiers_only=True)
    assert kept and all(modifier(w) for w in kept)


def test_the_context_check_on_empty_and_longer_than_the_window_texts(tiny_mlms):
    """A text longer than the model's window (64 pieces) is read in windows by the check as by the fills; an empty
    text is left as it is. A limit no loss reaches writes what the method writes without the check."""
    mlm = tiny_mlms["wordpiece"]
    long = " ".join(TEXTS * 12)  # about 100 words
    texts = [long, "", TEXTS[0]]
    base = dict(model=mlm, n=2, seed=5, max_attempts=3, min_prob=None, vs_original=None)
    off = Augmenter("insert.v5", **base, context_drop=None).augment(texts)
    assert off[0] and off[1] == []
    assert Augmenter("insert.v5", **base, context_drop=1e9).augment(texts) == off
    checked = Augmenter("insert.v5", **base).augment(texts)
    assert checked[1] == [] and all(len(row) <= 2 for row in checked)
    for out in checked[0]:
        assert len(out.split()) - len(long.split()) in (1, 2)


def test_backfill_replaces_dropped_fills(tiny_mlms):
    """backfill=true: a fill the context check drops gives its place to the next most probable one the budget left
    out, so under a limit that drops fills the outputs hold more edits (and more rows get one), never more than the
    budget of 2. With a limit nothing reaches, one everything exceeds, or no budget (no fill left out), the outputs
    are the ones written without backfill, byte for byte."""
    from maskaug import augment

    mlm = tiny_mlms["wordpiece"]
    texts = [t.replace(" .", ".").replace(" ?", "?").replace(" ,", ",") for t in TEXTS]

    def rows(**params):
        return augment([{"text": t} for t in texts], method="insert.v5", n=3, seed=2, model=mlm, min_prob=None,
                       vs_original=None, next_drop=None, closing_drop=None, max_attempts=3, **params)

    limit = 0.005  # the random tiny model's fills cost their neighbours little: a limit some of them exceed
    plain, filled = rows(context_drop=limit), rows(context_drop=limit, backfill=True)
    assert sum(len(r["aug_edits"]) for r in filled) > sum(len(r["aug_edits"]) for r in plain)
    assert len(filled) >= len(plain) and all(1 <= len(r["aug_edits"]) <= 2 for r in filled)
    for extreme in (dict(context_drop=1e9), dict(context_drop=-1.0), dict(context_drop=limit, edits=None)):
        assert rows(**extreme, backfill=True) == rows(**extreme)
    assert "replaced by the next most probable" in repr(build("insert.v5", backfill=True))


def test_no_new_negation_with_negation_fills_false(builtin_mlm):
    """A new "not", "never" or "cannot" turns a sentence's meaning (judged round 13: "If you cannot enjoy more
    thoughtful comedies ..."). With the closed-class rule off, the built-in model inserts negations; with
    negation_fills=false none, and its other fills stay."""
    from maskaug.wordclass import negation

    texts = ["If you enjoy thoughtful comedies with conflicted characters, this one is for you.",
             "I could believe how good the ending was.", "He was funny in this film."]

    def added(negation_fills: bool) -> list[str]:
        words = []
        for seed in range(3):
            aug = Augmenter("insert.v6", model=builtin_mlm, n=3, seed=seed, function_words=False,
                            negation_fills=negation_fills)
            for text, outs in zip(texts, aug.augment(texts)):
                words += [w for out in outs for w in out.split() if w not in text.split()]
        return words

    assert any(negation(w) for w in added(True))
    kept = added(False)
    assert kept and not any(negation(w) for w in kept)
    for word in ("cannot", "not,", "Never", "isn't", "rarely"):
        assert negation(word), word
    for word in ("notable", "can", "nothingness", ""):
        assert not negation(word), word
