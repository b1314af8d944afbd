"""maskaug: new, label-preserving training rows from a masked language model.

  maskaug augment data.jsonl -o out.jsonl --n 2      write 2 augmentations per row
  maskaug review out.jsonl -o review.html            look at sampled outputs beside their sources
  maskaug methods                                    the methods and what they do
  maskaug evaluate train.jsonl --test test.jsonl     does it help a classifier?
  maskaug finetune train.jsonl -o mlm --conditioning prepend
  maskaug models score --data test.jsonl             an MLM's masked-token accuracy

Run `maskaug COMMAND --help` for a command's options."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from maskaug import __version__

EXIT_BAD_INPUT = 2


def _value(text: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        return text


def _augment_parser(sub) -> None:
    p = sub.add_parser("augment", help="write augmented rows for a dataset",
                       description="Make n new, label-preserving rows per input row with a masked LM.")
    p.add_argument("input", type=Path,
                   help="CSV, TSV, JSONL, JSON, Parquet, CoNLL (.conll) file (.gz/.zst compressed text formats too), a "
                        "datasets save_to_disk folder, or - for standard input (see --input-format)")
    p.add_argument("-o", "--output", type=Path, help="output file, by suffix (a path without one is a datasets "
                   "folder; .json is one JSON array), or - for standard output; default: INPUT's name + "
                   ".augmented.jsonl")
    p.add_argument("--input-format", choices=["jsonl", "json", "csv", "tsv", "conll", "parquet", "hf"],
                   help="the input's format when its name does not say (standard input: default jsonl)")
    p.add_argument("--output-format", choices=["jsonl", "json", "csv", "tsv"],
                   help="the format written to standard output (-o -; default jsonl)")
    p.add_argument("--limit", type=int, metavar="N", help="augment only the first N rows of the input")
    p.add_argument("--dry-run", nargs="?", type=int, const=3, metavar="K",
                   help="augment the first K rows (default 3), print them with their outputs, write nothing")
    p.add_argument("--method", help="a registered method (see `maskaug methods`); default: insert for rows with a "
                   "sentence label (the measured recipe, docs/results.md), else substitute")
    p.add_argument("--config", type=Path, help="JSON/TOML method config: {\"method\": ..., params...}")
    p.add_argument("--n", type=int, default=1, help="outputs per input row (default 1)")
    p.add_argument("--model", default=None, help="MLM name or local folder (default: built-in "
                   "maskaug/minilm-l6-mlm)")
    p.add_argument("--seed", type=int, default=0, help="randomness of every output (default 0); same seed, same "
                                                        "output")
    p.add_argument("--text-column", action="append", dest="text_columns",
                   help="text field to augment (repeat for pairs; default: text; QA: context and/or question)")
    p.add_argument("--label-column", help="label field, present on every row (default: label or labels when the "
                   "first row has one, or a 🤗 ClassLabel column; none: the rows have no label)")
    p.add_argument("--tokens-column", help="token/tag (NER) records: the list-of-tokens field (default: tokens, "
                   "used when rows have list-valued tokens and tags)")
    p.add_argument("--tags-column", help="token/tag records: the BIO tags field, one per token (default: tags)")
    p.add_argument("--keep-original", action="store_true", help="also write each input row")
    p.add_argument("--label-words", choices=["keep", "off"],
                   help="keep: never mask the words most tied to each row's label, scored from the input's labelled "
                        "rows (the default for labelled rows); off: mask them like any word")
    p.add_argument("--skip-bad-rows", action="store_true",
                   help="set bad rows (empty or missing fields, bad labels) aside in OUTPUT.rejected.jsonl instead "
                        "of failing")
    for flag, kind, hlp in [("--rate", float, "fraction of units masked"),
                            ("--unit", str, "token | word | span | insert"),
                            ("--strategy", str, "sample | argmax | rank"),
                            ("--top-k", int, "sample among the k best fills"),
                            ("--top-p", float, "nucleus sampling threshold"),
                            ("--temperature", float, "sampling temperature")]:
        p.add_argument(flag, type=kind, help=hlp)
    p.add_argument("--protect", action="append", help="regex whose matches are never masked (repeatable)")
    p.add_argument("--param", action="append", default=[], metavar="KEY=VALUE",
                   help="any method parameter, VALUE parsed as JSON when it can be")
    p.add_argument("--max-attempts", type=int, default=10, help="tries per output before a shortfall")
    p.add_argument("--restart", action="store_true",
                   help="discard the partial output of an interrupted run (in .OUTPUT.maskaug/) instead of resuming it")
    p.add_argument("--overwrite", action="store_true",
                   help="replace an existing output file (a folder maskaug did not write is never replaced)")
    p.add_argument("--record", choices=["text", "tagged", "qa"],
                   help="the rows' shape (default: detected): text or pairs, token/tag (NER), or extractive QA")
    c = p.add_argument_group("constraints (rejected candidates are retried; counts in the summary)")
    c.add_argument("--teacher", nargs="?", const="train", metavar="FOLDER|FILE",
                   help="keep outputs a classifier labels like the source: a 🤗 sequence-classification FOLDER, a "
                        "logistic regression on sentence embeddings trained on a FILE of labelled rows (with "
                        "--teacher-mode hard: pseudo-labels for unlabelled INPUT), or with no value one trained on "
                        "INPUT's labels")
    c.add_argument("--teacher-mode", choices=["filter", "hard", "soft"], default="filter",
                   help="filter (default), or keep all and attach the teacher's label (hard) or probabilities (soft)")
    c.add_argument("--min-confidence", type=float, metavar="P",
                   help="the teacher rejects outputs whose top class probability is below P (kept rows carry "
                        "aug_teacher_confidence with --teacher-mode hard or soft)")
    c.add_argument("--choose", type=int, default=1, metavar="K",
                   help="draw K candidates per output in one batched pass and keep the one --choose-by prefers")
    c.add_argument("--choose-by", metavar="SCORER",
                   help="teacher (its probability of the source label), similarity, fluency, or a weighted mix "
                        "such as teacher=1,similarity=0.5")
    c.add_argument("--min-similarity", type=float, help="cosine of MiniLM sentence embeddings to the source")
    c.add_argument("--max-fluency-drop", type=float, help="max drop in per-token pseudo-log-likelihood vs source")
    c.add_argument("--min-edit-rate", type=float, help="word edit distance / source words, at least")
    c.add_argument("--max-edit-rate", type=float, help="word edit distance / source words, at most")
    p.add_argument("--device", default=None, help="cpu, cuda, cuda:1, mps (default: best available)")
    p.add_argument("--dtype", default=None,
                   help="auto, fp32, bf16, fp16; int8 with --backend onnx (default: fp32 on CPU, bf16/fp16 on GPU)")
    p.add_argument("--backend", default=None, choices=["torch", "onnx"],
                   help='torch (default) or onnx: ONNX Runtime on the CPU (pip install ".[onnx]" in a clone)')
    p.add_argument("--token-budget", type=int, default=8192, help="padded tokens per forward pass")
    r = p.add_argument_group("scale-out on Ray Data (same output file as a local run)")
    r.add_argument("--ray", nargs="?", const="local", metavar="ADDRESS",
                   help="run on Ray actors: a local Ray, or the cluster at ADDRESS ('auto' joins a running one)")
    r.add_argument("--workers", type=int, default=2, help="--ray: actors, one model each (default 2)")
    r.add_argument("--gpus-per-worker", type=float, default=0, help="--ray: GPUs per actor (default 0)")
    r.add_argument("--cpus-per-worker", type=float, default=1, help="--ray: CPUs per actor (default 1)")
    p.add_argument("--review", type=Path, metavar="PAGE",
                   help="after the run, write an HTML page of sampled outputs beside their sources, edits marked "
                        "(as maskaug review OUTPUT -o PAGE does)")
    p.add_argument("--quiet", action="store_true", help="no progress bar or preview")


def _method_params(args) -> tuple[str, dict[str, Any]]:
    """The method and its parameters from ``--config``, ``--method NAME:KEY=VALUE``, the named flags and ``--param``
    (in that order), each source routed (``maskaug.settings.route``): a key that is not a method parameter, or a
    value of the wrong type, is one line naming the source."""
    from maskaug.methods.registry import load_config, split_spec
    from maskaug.settings import route

    method, sources = args.method, []
    if args.config:
        cfg = load_config(args.config)
        method = cfg.pop("method", method)
        sources.append((str(args.config), cfg))
    if method and ":" in method:  # --method substitute:rate=0.3,top_k=10, as evaluate takes it
        method, given = split_spec(method)
        sources.append((f"--method {args.method}", given))
    sources.append(("", {name: getattr(args, name) for name in ("rate", "unit", "strategy", "top_k", "top_p",
                                                                "temperature", "protect")
                         if getattr(args, name) is not None}))
    for item in args.param:
        if "=" not in item:
            raise ValueError(f"--param needs KEY=VALUE, got {item!r}")
        key, value = item.split("=", 1)
        sources.append((f"--param {item}", {key.replace("-", "_"): _value(value)}))
    params: dict[str, Any] = {}
    for where, options in sources:  # later sources override earlier ones
        try:
            routed = route(options)
            routed.only("method")
        except ValueError as exc:
            raise ValueError(f"{where}: {exc}") from None
        params.update(routed.method)
    if args.config:
        from maskaug.methods.registry import effective_params
        from maskaug.settings import default_method

        try:
            effective_params(method or default_method(None, args.label_column), **params)
        except (ValueError, KeyError) as exc:
            msg = exc.args[0] if isinstance(exc, KeyError) else str(exc)
            raise ValueError(f"{args.config}: {msg}") from None
    return method, params


def job_config(args) -> Any:
    """``maskaug augment``'s flags as a ``JobConfig``."""
    from maskaug.constraints import ConstraintSpec
    from maskaug.settings import JobConfig, RaySpec

    method, params = _method_params(args)
    constraints = ConstraintSpec(min_edit_rate=args.min_edit_rate, max_edit_rate=args.max_edit_rate,
                                 min_similarity=args.min_similarity, max_fluency_drop=args.max_fluency_drop,
                                 teacher=args.teacher, teacher_mode=args.teacher_mode,
                                 min_confidence=args.min_confidence)
    ray = (RaySpec(args.ray, args.workers, args.gpus_per_worker, args.cpus_per_worker) if args.ray else None)
    return JobConfig(input=args.input, output=args.output, method=method, params=params, n=args.n, seed=args.seed,
                     model=args.model, device=args.device, dtype=args.dtype, backend=args.backend,
                     token_budget=args.token_budget, max_attempts=args.max_attempts,
                     text_columns=tuple(args.text_columns or ()),
                     label_column=args.label_column, tokens_column=args.tokens_column, tags_column=args.tags_column,
                     record=args.record, keep_original=args.keep_original, skip_bad_rows=args.skip_bad_rows,
                     restart=args.restart, overwrite=args.overwrite, constraints=constraints, ray=ray,
                     progress=not args.quiet, limit=args.limit, input_format=args.input_format,
                     output_format=args.output_format, dry_run=args.dry_run,
                     label_words=None if args.label_words is None else args.label_words == "keep",
                     choose=args.choose, choose_by=args.choose_by)


def cmd_augment(args) -> int:
    """``maskaug augment``: run the job, print the preview (or the dry run) and the summary."""
    from maskaug.job import AugmentJob

    job = AugmentJob(job_config(args))
    if args.review:
        _check_review(args)
    result = job.run()
    if result.dry_run:
        _print_dry_run(job, result)
    elif not args.quiet:
        for before, after in result.preview:
            print(f"  {before!r}\n  -> {after!r}", file=sys.stderr)
    print(result.summary(), file=sys.stderr)
    if args.review:
        _write_review(args, result)
    return 0


def _print_dry_run(job, result) -> None:
    """Each previewed row with every output (standard output: this is what a dry run is for)."""
    by_row: dict[Any, list[dict]] = {}
    for rec in result.records:
        by_row.setdefault(rec["aug_source_row"], []).append(rec)
    for i, row in enumerate(job.rows):
        outs = [r for r in by_row.get(i, []) if not r["aug_is_original"]]
        for before, _ in job.record.preview(row, row):
            print(f"row {i + 1}: {before!r}")
        if not outs:
            print("  (no output)")
        for out in outs:
            for _, after in job.record.preview(row, out):
                print(f"  -> {after!r}")


def _review_parser(sub) -> None:
    p = sub.add_parser("review", help="an HTML page to look at outputs: sampled sources and outputs, edits marked",
                       description="Write one self-contained HTML page (no script, no external files): a seeded "
                                   "sample of input rows, each with its outputs, every edit marked, and what the run "
                                   "recorded (method, score, teacher label and confidence, the shortfall reason "
                                   "from OUTPUT.shortfall.jsonl beside it).")
    p.add_argument("output", type=Path, help="what maskaug augment wrote: .jsonl, .json, .parquet or a datasets folder")
    p.add_argument("-o", "--page", type=Path, help="the page to write (default: OUTPUT's name + .review.html); a page "
                                                   "maskaug review wrote is replaced, any other file never")
    p.add_argument("--source", type=Path, help="the input OUTPUT was made from: shows the rows that got no output and "
                                               "checks every source rebuilt from the edits against it")
    p.add_argument("--sample", type=int, default=50, help="input rows shown, a seeded random sample (default 50)")
    p.add_argument("--seed", type=int, default=0, help="which rows the sample draws (default 0); same seed, same page")


def cmd_review(args) -> int:
    """``maskaug review``: write the HTML page of an augment output."""
    from maskaug.review import default_page, write_review

    page = args.page or default_page(args.output)
    review = write_review(args.output, page, sample=args.sample, seed=args.seed, source=args.source)
    print(f"{review.summary()}; wrote {page}", file=sys.stderr)
    return 0


def _check_review(args) -> None:
    """``augment --review``: refuse before the run what the page could not be made from."""
    from maskaug.io.formats import split_suffix
    from maskaug.review import check_page

    if args.dry_run is not None:
        raise ValueError("--review reads the written output; a dry run (--dry-run) writes nothing")
    if args.output is not None and str(args.output) == "-":
        raise ValueError("--review reads the written output; give -o FILE instead of standard output (-o -)")
    if args.output is not None and split_suffix(args.output)[0] in ("csv", "tsv"):
        raise ValueError(f"--review reads the output's edits, which CSV and TSV keep as text ({args.output.name}): "
                         f"write .jsonl, .json or .parquet")
    check_page(args.review, [p for p in (args.input, args.output) if p is not None and str(p) != "-"])


def _write_review(args, result) -> None:
    """``augment --review``: the page of the output just written (its input read back as the source)."""
    from maskaug.review import write_review

    source = args.input if str(args.input) != "-" and args.input_format is None else None
    review = write_review(result.output, args.review, source=source)
    print(f"review: {review.summary()}; wrote {args.review}", file=sys.stderr)


def _finetune_parser(sub) -> None:
    p = sub.add_parser("finetune", help="fine-tune an MLM on a dataset (plain or label-conditional)",
                       description="MLM fine-tuning with early stopping on dev MLM loss. --conditioning prepend "
                                   "(label text before the sentence), expand (a new label token), cbert (label "
                                   "as segment embedding) or none (domain-adaptive). The saved folder records "
                                   "its conditioning; `maskaug augment --model FOLDER` conditions each row on "
                                   "its own label.")
    p.add_argument("input", type=Path, help="training data (CSV, TSV, JSONL, Parquet, folder)")
    p.add_argument("-o", "--output", type=Path, required=True, help="model folder to write")
    p.add_argument("--conditioning", choices=["none", "prepend", "expand", "cbert", "melm"], default="none",
                   help="melm: token/tag (NER) records, entity-type markers around entity tokens, only entity "
                        "tokens masked (--rate 0.7 unless given)")
    p.add_argument("--model", default=None, help="base MLM (default: built-in)")
    p.add_argument("--text-column", default="text", help="the text field (default: text)")
    p.add_argument("--label-column", default="label", help="the label field for conditioning (default: label)")
    p.add_argument("--tokens-column", default="tokens", help="melm: the list-of-tokens field")
    p.add_argument("--tags-column", default="tags", help="melm: the BIO tags field")
    p.add_argument("--dev", type=Path, help="dev file (default: a stratified 15%% of INPUT)")
    p.add_argument("--max-epochs", type=int, default=20, help="at most this many epochs (default 20)")
    p.add_argument("--patience", type=int, default=3, help="stop after this many epochs without a lower dev loss")
    p.add_argument("--max-minutes", type=float, default=None, help="stop after this much training time")
    p.add_argument("--lr", type=float, default=1e-4, help="learning rate (default 1e-4)")
    p.add_argument("--label-lr", type=float, default=None,
                   help="cbert: learning rate of the new label embedding (default 1e-2)")
    p.add_argument("--label-text", action="append", default=[], metavar="LABEL=TEXT",
                   help="prepend: the words written for a label (repeatable), e.g. 1=positive; default: the label")
    p.add_argument("--batch-size", type=int, default=16, help="rows per training step (default 16)")
    p.add_argument("--rate", type=float, default=None,
                   help="share of text tokens predicted per example (default 0.15; melm: of entity tokens, 0.7)")
    p.add_argument("--seed", type=int, default=0, help="randomness of masks, order and initialisation (default 0)")
    p.add_argument("--quiet", action="store_true", help="no progress bar")


def _label_text(items: list[str]) -> dict[str, str]:
    out = {}
    for item in items:
        label, eq, text = item.partition("=")
        if not eq or not text.strip():
            raise ValueError(f"--label-text {item!r}: use LABEL=TEXT, e.g. 1=positive")
        out[label] = text.strip()
    return out


def cmd_finetune(args) -> int:
    """``maskaug finetune``: fine-tune an MLM (plain, label-conditional or MELM) and save it."""
    from maskaug.finetune import finetune
    from maskaug.io import read_rows, validate

    rows = read_rows(args.input)
    common = dict(model=args.model, max_epochs=args.max_epochs, patience=args.patience, lr=args.lr,
                  batch_size=args.batch_size, seed=args.seed, max_minutes=args.max_minutes, progress=not args.quiet)
    if args.conditioning == "melm":
        from maskaug.finetune import finetune_melm
        from maskaug.records.tagged import check_record

        if args.dev:
            raise ValueError("--conditioning melm splits its dev rows from INPUT; drop --dev")
        for i, row in enumerate(rows):
            check_record(args.input, i + 1, row, args.tokens_column, args.tags_column)
        records = [(r[args.tokens_column], r[args.tags_column]) for r in rows]
        report = finetune_melm(records, args.output, rate=0.7 if args.rate is None else args.rate, **common)
        print(f"finetune (melm): {report.summary()}; saved {args.output}", file=sys.stderr)
        return 0
    label = args.label_column if args.conditioning != "none" else None
    good, _ = validate(args.input, rows, [args.text_column], label)
    dev = None
    if args.dev:
        drows = read_rows(args.dev)
        dgood, _ = validate(args.dev, drows, [args.text_column], label)
        dev = ([drows[i][args.text_column] for i in dgood],
               [str(drows[i][label]) if label else "" for i in dgood])
    extra = {"label_lr": args.label_lr} if args.label_lr is not None else {}
    report = finetune([rows[i][args.text_column] for i in good],
                      [str(rows[i][label]) for i in good] if label else None, args.output, args.conditioning,
                      dev=dev, label_text=_label_text(args.label_text), rate=0.15 if args.rate is None else args.rate,
                      label_column=args.label_column, **common, **extra)
    print(f"finetune ({args.conditioning}): {report.summary()}; saved {args.output}", file=sys.stderr)
    return 0


def _shown(v: Any) -> str:
    if isinstance(v, float):
        return f"{v:.3g}"
    return json.dumps(list(v) if isinstance(v, tuple) else v)


def cmd_methods(args) -> int:
    """``maskaug methods``: one line per method, or every parameter with ``--verbose``."""
    import shutil
    import textwrap

    from maskaug.methods.registry import PARAM_HELP, entries, family, resolve

    width = max(60, min(110, shutil.get_terminal_size((100, 20)).columns))
    if args.verbose:
        for e in entries():
            print(f"{e.name}\n" + textwrap.fill(e.doc, width, initial_indent="  ", subsequent_indent="  "))
            for k, v in e.params.items():
                print(f"    {k} = {_shown(v)}  -- {PARAM_HELP.get(k, '')}")
        return 0
    families: dict[str, list] = {}  # one line per method: its versions, and what its newest one does
    for e in entries():
        families.setdefault(family(e.name), []).append(e)
    tags = {name: " ".join(e.name.removeprefix(name + ".") for e in versions) for name, versions in families.items()}
    left = max(map(len, families)) + 1
    mid = max(map(len, tags.values())) + 2
    for name in families:
        print(f"{name:<{left}}{tags[name]:<{mid}}" + textwrap.shorten(resolve(name).doc, width - left - mid,
                                                                    placeholder=" ..."))
    newest = resolve("insert").name
    older = f"insert.v{int(newest.rpartition('.v')[2]) - 1}"
    print(f"\nA name runs its newest version (insert = {newest}; {older} names an older one). maskaug methods "
          "--verbose: every parameter and its default. Use one: maskaug augment IN -o OUT --method NAME "
          "[--param KEY=VALUE]")
    return 0


def cmd_models(args) -> int:
    """``maskaug models list | score``."""
    from maskaug.model.builtin import BUILTIN_NAME, asset_dir

    if args.action == "list":
        print(f"{BUILTIN_NAME}  (built-in; {asset_dir() / 'MODEL_CARD.md'})")
        print("any Hugging Face AutoModelForMaskedLM folder: --model PATH")
        return 0
    from maskaug.io import read_rows
    from maskaug.model.loading import load_mlm
    from maskaug.model.mlm_accuracy import masked_accuracy

    if args.data is None:
        raise ValueError("models score needs --data FILE with a text column")
    texts = [r[args.text_column] for r in read_rows(args.data)][: args.limit]
    mlm = load_mlm(args.model, device=args.device, dtype=args.dtype, backend=args.backend)
    for unit in args.unit:
        s = masked_accuracy(mlm.backend, mlm.tokenizer, texts, unit=unit, rate=args.rate, seed=args.seed)
        print(f"{mlm.name} on {args.data} ({len(texts)} texts), {args.rate:.0%} masked {unit}s: "
              f"top-1 {s['top1']:.1%}  top-5 {s['top5']:.1%}  (n={s['n']})")
    return 0


def _evaluate_parser(sub) -> None:
    from maskaug.evaluate.arms import arms_help
    from maskaug.evaluate.protocols import PROTOCOLS, methods_help

    p = sub.add_parser("evaluate", help="measure downstream gains of methods under a low-resource protocol",
                       description="Run kumar2020 (k examples per class, S splits, test at the best dev setting) "
                                   "or eda2019 (training subsets of N) for no-aug, EDA and maskaug methods; "
                                   "write report.md, report.html, results.json and config.json to --output.")
    p.add_argument("data", type=Path, nargs="?", help="labelled training data (CSV, TSV, JSONL, Parquet, folder)")
    p.add_argument("-o", "--output", type=Path, default=Path("maskaug-eval"), help="report folder")
    p.add_argument("--test", type=Path, help="test file (default: a stratified 20%% of DATA held out)")
    p.add_argument("--config", type=Path, help="a config.json from an earlier run (flags override it)")
    p.add_argument("--protocol", choices=list(PROTOCOLS),
                   help="melm2022: NER token/tag records, training subsets of --size sentences, tagger micro F1")
    p.add_argument("--k", type=int, action="append", help="kumar2020: examples per class (repeat for a sweep)")
    p.add_argument("--size", type=int, action="append", dest="sizes",
                   help="eda2019 / melm2022: training-set size N (repeat)")
    p.add_argument("--splits", type=int, help="random splits (default 15; melm2022: 5)")
    p.add_argument("--seeds", type=int, help="classifier seeds per split (default 1); a split's accuracy is their "
                                            "mean, so batch-order noise shrinks while pairs stay splits")
    p.add_argument("--n", type=int,
                   help="outputs per training example (kumar2020: 1; eda2019: 16/8/4 by N; melm2022: 3)")
    p.add_argument("--seed", type=int, help="randomness of splits, augmentations and classifiers (default 0)")
    p.add_argument("--methods", help=f"comma-separated arms: {arms_help()} or registered methods with optional "
                                     "':KEY=VALUE' params, e.g. none,copy,eda,substitute,ssmba (default: "
                                     f"{methods_help()})")
    p.add_argument("--method", action="append", default=[], dest="method_specs",
                   help="one method spec (repeatable; use for specs with commas: 'substitute:rate=0.3,top_k=5')")
    p.add_argument("--classifier", choices=["logreg", "finetune"],
                   help="kumar2020 / eda2019: logreg (fast, default) or finetune (melm2022 trains a token tagger)")
    p.add_argument("--encoder", help="sentence encoder / classifier backbone folder (default: MiniLM package)")
    p.add_argument("--model", help="MLM for the methods (default: built-in)")
    p.add_argument("--epochs", type=int, help="finetune / melm2022 tagger: epochs (default 10)")
    p.add_argument("--steps", type=int, help="finetune / melm2022 tagger: step-matched, every run takes exactly STEPS "
                   "optimiser "
                   "steps (dev checked EPOCHS times); default: EPOCHS passes over each run's rows")
    p.add_argument("--text-column", action="append", help="the text field (default: text); give two for sentence "
                                                          "pairs (NLI), classified and judged as pairs")
    p.add_argument("--label-column", help="the label field (default: label)")
    p.add_argument("--tokens-column", help="melm2022: the list-of-tokens field (default: tokens)")
    p.add_argument("--tags-column", help="melm2022: the BIO tags field (default: tags)")
    p.add_argument("--device", help="where the MLM generates: cpu, cuda, cuda:1, mps (default: best available)")
    p.add_argument("--dtype", help="the MLM's autocast dtype: auto, fp32, bf16, fp16 (default: fp32 on CPU)")
    p.add_argument("--max-attempts", type=int, help="tries per output before a shortfall (default 10)")
    p.add_argument("--test-limit", type=int, help="evaluate on a fixed random subset of the test rows")
    p.add_argument("--unlabelled", metavar="FILE|rest",
                   help="the unlabelled pool for selftrain / uda / tapt: a file (labels, if any, dropped; another "
                        "domain's file makes it domain adaptation) or rest (the DATA rows a split did not draw)")
    p.add_argument("--unlabelled-size", type=int, metavar="U",
                   help="at most U unlabelled rows per split, a fixed random draw (default 2000)")
    p.add_argument("--no-quality", action="store_true", help="skip intrinsic quality metrics")
    p.add_argument("--label-text", action="append", default=[], metavar="LABEL=TEXT",
                   help="prepend: the words written for a label when fine-tuning (repeatable), e.g. 1=positive")
    p.add_argument("--flip-reference", help="method spec whose label flips every other method's are compared with, "
                                            "output by output (default: the first substitute spec)")
    p.add_argument("--cache-dir", help="cache for augmentations, embeddings, oracles (default $MASKAUG_CACHE/evaluate, "
                        "else ~/.cache/maskaug/evaluate)")
    p.add_argument("--quick", action="store_true", help="smoke run: 3 splits, 300 test rows, small fluency sample")
    p.add_argument("--quiet", action="store_true", help="no progress bars")


def _eval_config(args):
    """The evaluation's settings: ``--config``'s file (or DATA's defaults) with every flag given on top."""
    from maskaug.evaluate.config import EvalConfig

    if args.config:
        cfg = EvalConfig.from_file(args.config)
    elif args.data is None:
        raise ValueError("evaluate needs DATA or --config FILE")
    else:
        cfg = EvalConfig(data=str(args.data))
    if args.data is not None:
        cfg.data = str(args.data)
    overrides = {"test": str(args.test) if args.test else None, "protocol": args.protocol, "k": args.k,
                 "sizes": args.sizes, "splits": args.splits, "seeds": args.seeds, "n": args.n, "seed": args.seed,
                 "classifier": args.classifier, "encoder": args.encoder, "model": args.model, "epochs": args.epochs,
                 "steps": args.steps, "device": args.device, "dtype": args.dtype, "max_attempts": args.max_attempts,
                 "text_column": (args.text_column[0] if len(args.text_column) == 1 else args.text_column)
                 if args.text_column else None, "label_column": args.label_column,
                 "tokens_column": args.tokens_column, "tags_column": args.tags_column, "test_limit": args.test_limit,
                 "cache_dir": args.cache_dir, "flip_reference": args.flip_reference,
                 "label_text": _label_text(args.label_text) or None,
                 "unlabelled": str(args.unlabelled) if args.unlabelled else None,
                 "unlabelled_size": args.unlabelled_size}
    listed = [m.strip() for m in args.methods.split(",") if m.strip()] if args.methods else []
    stray = next((m for m in listed if "=" in m.split(":")[0]), None)  # a spec's parameter split off at a comma
    if stray:
        raise ValueError(f"--methods is a comma-separated list of arms; {stray!r} is a parameter: give a spec with "
                         f"several parameters on its own, as --method 'NAME:KEY=VALUE,KEY=VALUE'")
    methods = listed + args.method_specs
    if methods:
        overrides["methods"] = methods
    for key, value in overrides.items():
        if value is not None:
            setattr(cfg, key, value)
    if args.no_quality:
        cfg.quality = False
    return cfg.quick() if args.quick else cfg  # --quick: the protocol's smoke run


def cmd_evaluate(args) -> int:
    """``maskaug evaluate``: run a protocol (kumar2020, eda2019, melm2022) and write the report."""
    from dataclasses import asdict

    from maskaug.evaluate.report import markdown, write
    from maskaug.evaluate.runner import Evaluation

    cfg = _eval_config(args)
    import shlex

    command = "maskaug " + shlex.join(getattr(args, "argv", None) or sys.argv[1:])
    evaluation = Evaluation(cfg, progress=not args.quiet, command=command)  # checks the settings; creates nothing
    created = not args.output.exists()
    args.output.mkdir(parents=True, exist_ok=True)
    (args.output / "config.json").write_text(json.dumps({"config": asdict(evaluation.cfg)}, indent=1) + "\n")
    try:
        results = evaluation.run()
    except Exception:
        if created:  # a run refused on its data (too few rows for a split, ...) leaves no report folder behind
            import shutil

            shutil.rmtree(args.output, ignore_errors=True)
        raise
    paths = write(results, args.output)
    print(markdown(results))
    print(f"wrote {paths['md']}, {paths['html']}, {paths['json']}; rerun with --config {args.output / 'config.json'}",
          file=sys.stderr)
    return 0


class _Parser(argparse.ArgumentParser):
    """An argument parser whose errors are one line (usage is one ``--help`` away)."""

    def error(self, message: str):
        self.exit(EXIT_BAD_INPUT, f"maskaug: error: {self.prog}: {message} (see {self.prog} --help)\n")


def build_parser() -> argparse.ArgumentParser:
    """The ``maskaug`` argument parser (every flag has help; errors are one line)."""
    parser = _Parser(prog="maskaug", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", action="version", version=f"maskaug {__version__}",
                        help="print maskaug's version and exit")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    _augment_parser(sub)
    _evaluate_parser(sub)
    _finetune_parser(sub)
    _review_parser(sub)
    mp = sub.add_parser("methods", help="list methods and their parameters",
                        description="The registered methods, one line each; --verbose for every parameter.")
    mp.add_argument("--verbose", "-v", action="store_true", help="every parameter with its default and meaning")
    m = sub.add_parser("models", help="list models or score an MLM's masked-token accuracy",
                       description="models list: the built-in model and how to use others. models score --data "
                                   "FILE: top-1 / top-5 accuracy on 15% masked tokens and whole words.")
    m.add_argument("action", choices=["list", "score"], nargs="?", default="list", help="list (default) or score")
    m.add_argument("--model", default=None, help="MLM name or local folder (default: built-in)")
    m.add_argument("--data", type=Path, help="score: a file with a text column")
    m.add_argument("--text-column", default="text", help="score: the text field (default: text)")
    m.add_argument("--unit", action="append", choices=["token", "word"], help="score tokens, words, or both "
                                                                              "(default: both; repeatable)")
    m.add_argument("--rate", type=float, default=0.15, help="share of units masked (default 0.15)")
    m.add_argument("--seed", type=int, default=0, help="which units are masked (default 0)")
    m.add_argument("--limit", type=int, default=None, help="score only the first N texts")
    m.add_argument("--device", default=None, help="cpu, cuda, cuda:1, mps (default: best available)")
    m.add_argument("--dtype", default=None, help="auto, fp32, bf16, fp16; int8 with --backend onnx")
    m.add_argument("--backend", default=None, choices=["torch", "onnx"], help="torch (default) or onnx")
    return parser


def _interrupted(exc: KeyboardInterrupt) -> str:
    where = getattr(exc, "where", None)
    if getattr(exc, "resumable", False) and where is not None:
        return f"maskaug: interrupted; finished rows are kept in {where} -- rerun the same command to resume"
    return "maskaug: interrupted"


def _terminate(signum, frame):
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    """The ``maskaug`` command: every failure is one line on stderr (exit 2); Ctrl-C or SIGTERM exits 130 after
    keeping finished rows for a rerun to resume."""
    import signal
    import threading

    main_thread = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGTERM, _terminate) if main_thread else None
    try:
        return _main(argv)
    finally:
        if main_thread:
            signal.signal(signal.SIGTERM, previous)


def _main(argv: list[str] | None) -> int:
    try:
        parser = build_parser()
        try:
            import argcomplete  # shell completion: eval "$(register-python-argcomplete maskaug)"

            argcomplete.autocomplete(parser)
        except ImportError:  # pragma: no cover - a dependency
            pass
        args = parser.parse_args(argv)
        args.argv = list(argv) if argv is not None else sys.argv[1:]
        if getattr(args, "unit", None) is None and args.command == "models":
            args.unit = ["token", "word"]
        handlers = {"augment": cmd_augment, "evaluate": cmd_evaluate, "finetune": cmd_finetune,
                    "methods": cmd_methods, "models": cmd_models, "review": cmd_review}
        from maskaug.io import InputError, OutputError, os_error_line
        from maskaug.methods.eda import WordNetMissing
        from maskaug.model.names import ModelLoadError

        try:
            return handlers[args.command](args)
        except (InputError, OutputError, ModelLoadError, WordNetMissing, ValueError, KeyError) as exc:
            msg = exc.args[0] if isinstance(exc, KeyError) and exc.args else str(exc)
            print(f"maskaug: error: {msg}", file=sys.stderr)
            return EXIT_BAD_INPUT
        except BrokenPipeError:  # `maskaug augment - -o - | head`: the reader has what it wanted
            import os

            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())  # no second error when Python flushes stdout at exit
            return 0
        except OSError as exc:
            print(f"maskaug: error: {os_error_line(exc)}", file=sys.stderr)
            return EXIT_BAD_INPUT
    except KeyboardInterrupt as exc:
        print(_interrupted(exc), file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
