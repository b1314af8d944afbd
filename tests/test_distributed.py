"""Ray Data scale-out gives exactly the rows a local run gives, whatever the worker count."""

import json

import pytest

from maskaug import Augmenter, augment
from maskaug.cli import main

ray = pytest.importorskip("ray")

ROWS = [{"id": f"r{i}", "text": t, "label": i % 2, "note": None if i % 3 else {"k": i}} for i, t in enumerate([
    "The movie was great and the actors were wonderful.", "...", "A dull, lifeless film with no heart at all.",
    "Who invented the telephone in the nineteenth century?", "What is the capital city of France?",
    "I loved every minute of this charming comedy.", "短いテキストと絵文字 🙂 も少し。"])]


@pytest.fixture(scope="module")
def local_ray():
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, logging_level="WARNING")
    ray.data.DataContext.get_current().enable_progress_bars = False
    yield ray
    ray.shutdown()


@pytest.fixture
def data(tmp_path, write_jsonl):
    p = tmp_path / "in.jsonl"
    write_jsonl(p, ROWS)
    return p


def test_cli_ray_writes_the_local_file(local_ray, data, tiny_model_dirs, tmp_path, capsys):
    args = ["--n", "2", "--model", str(tiny_model_dirs["wordpiece"]),
            "--method", "substitute.v2", "--keep-original", "--label-column", "label",
            "--max-edit-rate", "0.9", "--seed", "4", "--quiet"]
    assert main(["augment", str(data), "-o", str(tmp_path / "local.jsonl"), *args]) == 0
    local_err = capsys.readouterr().err
    for workers in ("1", "2"):
        out = tmp_path / f"ray{workers}.jsonl"
        assert main(["augment", str(data), "-o", str(out), *args, "--ray", "--workers", workers]) == 0
        assert out.read_bytes() == (tmp_path / "local.jsonl").read_bytes()
        err = capsys.readouterr().err
        assert f"on {workers} Ray workers" in err
    # the "..." row has nothing to mask: both runs report the same shortfall and keep the row itself
    assert "shortfall: 1 row short by 2 outputs" in local_err and "shortfall: 1 row short by 2 outputs" in err
    rows = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()]
    assert [r["id"] for r in rows if r["aug_is_original"]] == [r["id"] for r in ROWS]
    assert rows[0]["note"] == {"k": 0} and rows[0]["label"] == 0


def test_a_local_partial_run_resumes_on_ray(local_ray, data, tiny_model_dirs, tmp_path, interrupted_cli, capsys):
    args = ["--n", "2", "--model", str(tiny_model_dirs["bytebpe"]), "--method", "iterative.v2", "--quiet"]
    assert main(["augment", str(data), "-o", str(tmp_path / "full.jsonl"), *args]) == 0
    out = tmp_path / "out.jsonl"
    assert interrupted_cli(["augment", str(data), "-o", str(out), *args], rows=2) == 130
    capsys.readouterr()
    assert main(["augment", str(data), "-o", str(out), *args[:-1], "--ray", "--workers", "2"]) == 0
    assert "resuming: 2 rows" in capsys.readouterr().err
    assert out.read_bytes() == (tmp_path / "full.jsonl").read_bytes()


def test_augment_dataset_matches_the_python_api(local_ray, tiny_mlms):
    from maskaug.distributed import augment_dataset, content_id

    rows = [{"text": r["text"], "label": r["label"], "rid": i} for i, r in enumerate(ROWS)]
    aug = Augmenter("substitute.v2", model=tiny_mlms["sentencepiece"], n=2, seed=1)
    want = augment(rows, augmenter=aug, keep_original=True)
    ds = ray.data.from_items(rows)
    model = tiny_mlms["sentencepiece"]
    got = augment_dataset(ds, "substitute.v2", n=2, id_column="rid", keep_original=True, concurrency=2, num_cpus=0.5,
                          batch_size=3, model=model, seed=1).take_all()
    assert got == want
    # without an id column a row's id is its text's hash: the same outputs with 1 or 2 workers, any batching
    runs = [augment_dataset(ds, "substitute.v2", n=2, concurrency=c, num_cpus=0.5, batch_size=b, model=model).take_all()
            for c, b in ((1, 7), (2, 2))]
    assert runs[0] == runs[1]
    assert {r["aug_source_row"] for r in runs[0]} == {content_id(r, ["text"]) for r in rows if r["text"] != "..."}


def test_missing_column_is_named(local_ray, tiny_mlms):
    from maskaug.distributed import augment_dataset

    ds = ray.data.from_items([{"sentence": "A fine film."}])
    with pytest.raises(ValueError, match="no column 'text'.*sentence"):
        augment_dataset(ds, model=tiny_mlms["wordpiece"])


def test_actors_taking_every_cpu_are_warned_about(local_ray, tiny_mlms):
    from maskaug.distributed import augment_dataset

    ds = ray.data.from_items([{"text": "A fine film."}])
    with pytest.warns(UserWarning, match="take all 2 CPUs.*num_cpus=0.67"):
        augment_dataset(ds, concurrency=2, model=tiny_mlms["wordpiece"])


def test_the_driver_loads_no_model_and_token_tag_records_run_on_ray(local_ray, tiny_model_dirs, tmp_path, monkeypatch,
                                                                    write_jsonl):
    import maskaug.augmenter
    import maskaug.model.loading

    rows = [{"tokens": ["Peter", "visited", "Paris", "on", "Monday", "."],
             "tags": ["B-PER", "O", "B-LOC", "O", "O", "O"], "doc": i} for i in range(5)]
    data = tmp_path / "ner.jsonl"
    write_jsonl(data, rows)
    args = ["--n", "2", "--model", str(tiny_model_dirs["wordpiece"]), "--method", "substitute.v2", "--quiet"]
    assert main(["augment", str(data), "-o", str(tmp_path / "local.jsonl"), *args]) == 0

    def no_model(*a, **k):
        raise AssertionError("the Ray driver loaded a masked LM")

    monkeypatch.setattr(maskaug.model.loading, "load_mlm", no_model)  # actors are other processes: unaffected
    monkeypatch.setattr(maskaug.augmenter, "load_mlm", no_model)
    out = tmp_path / "ray.jsonl"
    assert main(["augment", str(data), "-o", str(out), *args, "--ray", "--workers", "2"]) == 0
    assert out.read_bytes() == (tmp_path / "local.jsonl").read_bytes()
