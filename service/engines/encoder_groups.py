"""Run a seq2seq encoder over a padded batch in groups of similar source lengths.

A batch of sentences is padded to its longest source: on a CPU every pad position
costs the encoder as much as a real token (32 NTREX sentences in one batch: 2,080
positions for 1,062 tokens). Sorting the rows by length and encoding them in groups of
:data:`GROUP_ROWS`, each padded only to its own longest row, skips most of that work;
the decoder then reads the outputs through the batch's own attention mask, so what it
computes is unchanged (pad positions are masked out of cross-attention whatever they
hold). Measured on the Opus-MT-base architecture, 2 CPU cores, 32 sentences, 32
forced output tokens (one run each): encoder 0.54 -> 0.34 s, ``generate`` 2.68 ->
2.46 s, identical tokens.
"""

from __future__ import annotations

from typing import Any

#: Rows per encoder call: groups of 4-8 gave the shortest encoder time in that
#: measurement (16: 0.39 s; all 32: 0.54 s); smaller groups make skinnier matrix
#: products.
GROUP_ROWS = 8
#: Group only when it skips at least this share of the padded positions.
MIN_SAVING = 0.2


def grouped_lengths(lengths: list[int], group_rows: int = GROUP_ROWS) -> list[list[int]]:
    """Row indices sorted by length and cut into groups of ``group_rows``."""
    order = sorted(range(len(lengths)), key=lengths.__getitem__)
    return [order[i:i + group_rows] for i in range(0, len(order), group_rows)]


def encoder_outputs_in_groups(model: Any, input_ids: Any, attention_mask: Any,
                              group_rows: int = GROUP_ROWS,
                              min_saving: float = MIN_SAVING) -> Any | None:
    """The encoder's ``BaseModelOutput`` for a right-padded batch, computed in groups of
    similar lengths; ``None`` when grouping would skip less than ``min_saving`` of the
    padded positions (a small or even batch), or the padding is not on the right."""
    import torch
    from transformers.modeling_outputs import BaseModelOutput

    rows, width = input_ids.shape
    if rows <= group_rows:
        return None
    lengths = attention_mask.sum(dim=1)
    # Right padding: every row's mask is ones then zeros (its real tokens are a prefix).
    positions = torch.arange(width, device=attention_mask.device)
    if not torch.equal(attention_mask.bool(), positions < lengths[:, None]):
        return None
    groups = grouped_lengths(lengths.tolist(), group_rows)
    longest = [int(lengths[group].max()) for group in groups]
    if sum(len(group) * n for group, n in zip(groups, longest)) > (1.0 - min_saving) * rows * width:
        return None
    encoder = model.get_encoder()
    hidden = None
    for group, length in zip(groups, longest):
        index = torch.tensor(group, device=input_ids.device)
        out = encoder(input_ids=input_ids[index, :length],
                      attention_mask=attention_mask[index, :length]).last_hidden_state
        if hidden is None:
            hidden = out.new_zeros((rows, width, out.shape[-1]))
        hidden[index, :length] = out
    return BaseModelOutput(last_hidden_state=hidden)
