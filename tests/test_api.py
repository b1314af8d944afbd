import pandas as pd
import pytest
from datasets import Dataset

from maskaug import Augmenter, augment, map_function


def test_lists_dataframes_and_datasets(tiny_mlms):
    aug = Augmenter("substitute.v2", model=tiny_mlms["wordpiece"], n=2)
    texts = ["The movie was great.", "Who invented the telephone?"]
    recs = augment([{"text": t} for t in texts], augmenter=aug)
    assert len(recs) == 4 and {r["aug_source_row"] for r in recs} == {0, 1}
    df = pd.DataFrame({"text": texts, "label": [1, 0]}, index=[10, 11])
    out = augment(df, augmenter=aug, keep_original=True)
    assert isinstance(out, pd.DataFrame) and len(out) == 6 and set(out["aug_source_row"]) == {10, 11}
    ds = Dataset.from_dict({"text": texts, "label": [1, 0]})
    out_ds = augment(ds, augmenter=aug)
    assert isinstance(out_ds, Dataset) and out_ds.num_rows == 4


def test_dataset_map(tiny_mlms):
    aug = Augmenter("insert.v2", model=tiny_mlms["bytebpe"], n=2)
    ds = Dataset.from_dict({"text": ["The movie was great.", "Who invented the telephone?"], "label": [1, 0]})
    fn = map_function(aug, "text", keep_original=True)
    out = ds.map(fn, batched=True, with_indices=True, remove_columns=ds.column_names, batch_size=1)
    assert out.num_rows == 6 and sorted(set(out["aug_source_row"])) == [0, 1]
    assert out["label"].count(1) == 3
    plain = ds.map(map_function(aug), batched=True, remove_columns=ds.column_names)  # no indices: text-hash ids
    assert plain.num_rows == 4 and not any(plain["aug_is_original"])
    again = ds.map(map_function(aug), batched=True, batch_size=1, remove_columns=ds.column_names)
    assert again["text"] == plain["text"]  # the same outputs whatever the batching


def test_nlpaug_style_calls(tiny_mlms):
    aug = Augmenter("substitute.v2", model=tiny_mlms["wordpiece"], n=2)
    one = aug.augment("The movie was great and the actors were wonderful.")
    assert isinstance(one, list) and len(one) == 2 and all(isinstance(t, str) and len(t) > 10 for t in one)
    three = aug.augment(["The movie was great and the actors were wonderful.", "Who invented the telephone?"], n=3)
    assert [len(x) for x in three] == [3, 3] and aug.n == 2  # n per call; the augmenter keeps its own
    assert augment("The movie was great and the actors were wonderful.", augmenter=aug, n=1) == [one[0]]
    assert len(augment(["Who invented the telephone?"], augmenter=aug)) == 1
    df = pd.DataFrame({"text": ["The movie was great.", "Who invented the telephone?"]})
    assert len(augment(df, augmenter=aug, n=3)) == 6  # n=3 is not ignored


@pytest.mark.parametrize("bad,message", [(b"bytes", "not bytes"), (3, "not int"), ({"text": "x"}, "not dict"),
                                         (["a", 3], "item 1 is int")])
def test_other_types_get_a_clear_error(tiny_mlms, bad, message):
    aug = Augmenter("substitute.v2", model=tiny_mlms["wordpiece"])
    with pytest.raises(TypeError, match=message):
        augment(bad, augmenter=aug)
    with pytest.raises(TypeError, match="use maskaug.augment"):
        aug.augment(pd.DataFrame({"text": ["x"]}))
