from maskaug.model.vocab import TokenizerInfo


def test_word_start_flags_follow_each_tokenizer(tiny_mlms):
    bert = tiny_mlms["wordpiece"].info
    pieces = bert.tokenizer.convert_ids_to_tokens(list(range(len(bert.tokenizer))))
    for i, p in enumerate(pieces):
        assert bert.is_start[i] == (not p.startswith("##"))
    bpe = tiny_mlms["bytebpe"].info
    pieces = bpe.tokenizer.convert_ids_to_tokens(list(range(len(bpe.tokenizer))))
    for i, p in enumerate(pieces):
        assert bpe.is_start[i] == p.startswith("Ġ")
    sp = tiny_mlms["sentencepiece"].info
    pieces = sp.tokenizer.convert_ids_to_tokens(list(range(len(sp.tokenizer))))
    for i, p in enumerate(pieces):
        assert sp.is_start[i] == p.startswith("▁")


def test_specials_are_never_candidates_and_frame_comes_from_tokenizer(tiny_mlm):
    info: TokenizerInfo = tiny_mlm.info
    for sid in info.tokenizer.all_special_ids:
        assert info.bad[sid]
    framed = info.tokenizer("hello")["input_ids"]
    plain = info.tokenizer("hello", add_special_tokens=False)["input_ids"]
    assert info.wrap(plain) == framed


def test_surface_has_no_boundary_markers(tiny_mlm):
    info = tiny_mlm.info
    for i in range(len(info.tokenizer)):
        if info.bad[i]:
            continue
        s = info.surface(i)
        assert not s.startswith("##") and "Ġ" not in s and "▁" not in s
