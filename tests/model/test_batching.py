"""Length-sorted packing under a token budget, and padded batches."""

from hypothesis import given, settings
from hypothesis import strategies as st

from maskaug.model.batching import Batch, pack


@settings(max_examples=300, deadline=None)
@given(st.lists(st.integers(1, 40), max_size=60), st.integers(1, 200), st.one_of(st.none(), st.integers(1, 8)),
       st.booleans())
def test_every_item_once_in_budget_sorted(lengths, budget, max_rows, longest_first):
    groups = pack(lengths, budget, max_rows, longest_first)
    flat = [i for g in groups for i in g]
    assert sorted(flat) == list(range(len(lengths)))
    order = [lengths[i] for i in flat]
    assert order == sorted(order, reverse=longest_first)
    for g in groups:
        assert len(g) == 1 or len(g) * max(lengths[i] for i in g) <= budget
        assert max_rows is None or len(g) <= max_rows
    for a, b in zip(groups, groups[1:]):  # a batch closes only when the next item does not fit
        wide = max(lengths[i] for i in a + b[:1])
        assert (len(a) + 1) * wide > budget or (max_rows is not None and len(a) >= max_rows)


def test_pad_selects_positions_in_row_major_order_and_splits_in_halves():
    b = Batch.pad([[5, 6, 7], [8]], 0, [[2, 0], [0]], labels=[1, 0])
    assert b.input_ids.tolist() == [[5, 6, 7], [8, 0, 0]] and b.attention_mask.tolist() == [[1, 1, 1], [1, 0, 0]]
    assert b.select.nonzero().tolist() == [[0, 0], [0, 2], [1, 0]] and b.labels.tolist() == [1, 0]
    first, second = b.split()
    assert first.input_ids.tolist() == [[5, 6, 7]] and second.input_ids.tolist() == [[8]]  # trimmed to its row
    assert second.select.tolist() == [[True]] and second.labels.tolist() == [0]
