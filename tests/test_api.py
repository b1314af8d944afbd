import pandas as pd
from datasets import Dataset

from maskaug import Augmenter, augment, map_function


def test_lists_dataframes_and_datasets(tiny_mlms):
    aug = Augmenter("substitute", model=tiny_mlms["wordpiece"], n=2)
    texts = ["The movie was great.", "Who invented the telephone?"]
    recs = augment(texts, augmenter=aug)
    assert len(recs) == 4 and {r["aug_source_row"] for r in recs} == {0, 1}
    df = pd.DataFrame({"text": texts, "label": [1, 0]}, index=[10, 11])
    out = augment(df, augmenter=aug, keep_original=True)
    assert isinstance(out, pd.DataFrame) and len(out) == 6 and set(out["aug_source_row"]) == {10, 11}
    ds = Dataset.from_dict({"text": texts, "label": [1, 0]})
    out_ds = augment(ds, augmenter=aug)
    assert isinstance(out_ds, Dataset) and out_ds.num_rows == 4


def test_dataset_map(tiny_mlms):
    aug = Augmenter("insert", model=tiny_mlms["bytebpe"], n=2)
    ds = Dataset.from_dict({"text": ["The movie was great.", "Who invented the telephone?"], "label": [1, 0]})
    fn = map_function(aug, "text", keep_original=True)
    out = ds.map(fn, batched=True, with_indices=True, remove_columns=ds.column_names, batch_size=1)
    assert out.num_rows == 6 and sorted(set(out["aug_source_row"])) == [0, 1]
    assert out["label"].count(1) == 3
