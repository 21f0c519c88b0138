"""How long a batch will take on one lane, calibrated per model from observed batches.

Autoregressive decoding runs one step per output token of the longest output in the
batch; each step costs a fixed part (reading the weights: dominant at small batches on a
CPU) plus a part per decoded row (items x beams). Measured on Opus-MT base with
CTranslate2 int8 on one thread, beam 4, 256 tokens (docs/engines.md), step time is linear
in rows within a few percent: 17 / 43 / 151 ms at 4 / 16 / 64 rows. So::

    seconds = steps * (step_s + row_s * rows)

``step_s`` and ``row_s`` are fitted by least squares over recent batches (older ones
fade out); until two batch shapes have been seen, ``step_s = PRIOR_STEP_ROWS * row_s``.
``steps`` is known when the output length is forced (``min_new_tokens``), else
estimated as a ratio of the longest source (fitted from the longest output of recent
batches), within ``[min_new_tokens, max_new_tokens]``.

Estimates are None until the model has run one batch: before that the scheduler bounds
batches by items and tokens only.
"""

from __future__ import annotations

from service.engines.base import Decoding

#: Fixed cost of a decoding step in rows, until the fit has two batch shapes to go on
#: (CTranslate2 int8 about 4, transformers fp32 about 17 on a 2-core CPU).
PRIOR_STEP_ROWS = 8.0
#: Output tokens per source token before any batch has been observed.
PRIOR_OUTPUT_RATIO = 1.5
#: Weight kept by the older observations at each new batch.
DECAY = 0.9


class CostModel:
    """Expected seconds of a batch on one lane of one model."""

    def __init__(self, decay: float = DECAY) -> None:
        self._decay = decay
        # Decayed normal equations of seconds ~ steps*step_s + steps*rows*row_s.
        self._sxx = [[0.0, 0.0], [0.0, 0.0]]
        self._sxy = [0.0, 0.0]
        self._observed = 0
        self._output_ratio = PRIOR_OUTPUT_RATIO
        self._coef: tuple[float, float] | None = None

    @property
    def calibrated(self) -> bool:
        """True once one batch has been observed."""
        return self._coef is not None

    @property
    def coefficients(self) -> tuple[float, float] | None:
        """``(step_s, row_s)`` of the current fit, or None."""
        return self._coef

    def steps(self, longest_source: int, decoding: Decoding) -> float:
        """Expected decoding steps for a batch whose longest source has this many tokens."""
        steps = self._output_ratio * max(1, longest_source)
        steps = max(steps, float(decoding.min_new_tokens), 1.0)
        if decoding.max_new_tokens:
            steps = min(steps, float(decoding.max_new_tokens))
        return steps

    def seconds(self, items: int, longest_source: int, decoding: Decoding) -> float | None:
        """Expected seconds of a batch of ``items`` (None: not calibrated yet)."""
        if self._coef is None or items <= 0:
            return None if self._coef is None else 0.0
        step_s, row_s = self._coef
        rows = items * max(1, decoding.beams)
        return self.steps(longest_source, decoding) * (step_s + row_s * rows)

    def observe(self, items: int, longest_source: int, decoding: Decoding,
                longest_output: int, seconds: float) -> None:
        """Account one batch that ran ``seconds`` and whose longest output had
        ``longest_output`` tokens."""
        if items <= 0 or seconds <= 0:
            return
        if longest_output > 0 and longest_source > 0 and not decoding.min_new_tokens:
            ratio = longest_output / longest_source
            self._output_ratio = 0.7 * self._output_ratio + 0.3 * ratio
        steps = float(max(1, longest_output or self.steps(longest_source, decoding)))
        x = (steps, steps * items * max(1, decoding.beams))
        d = self._decay
        for i in range(2):
            self._sxy[i] = d * self._sxy[i] + x[i] * seconds
            for j in range(2):
                self._sxx[i][j] = d * self._sxx[i][j] + x[i] * x[j]
        self._observed += 1
        self._coef = self._fit()

    def _fit(self) -> tuple[float, float]:
        (a, b), (_, c) = self._sxx
        det = a * c - b * b
        # Well conditioned only when batches of different sizes were seen.
        if det > 1e-6 * a * c:
            step_s = (self._sxy[0] * c - self._sxy[1] * b) / det
            row_s = (self._sxy[1] * a - self._sxy[0] * b) / det
            if step_s > 0 and row_s > 0:
                return step_s, row_s
        # One shape (or a fit that makes no physical sense): scale the prior shape.
        # seconds = row_s * (PRIOR*steps + steps*rows) -> least squares on one factor.
        u0, u1 = PRIOR_STEP_ROWS, 1.0
        num = u0 * self._sxy[0] + u1 * self._sxy[1]
        den = u0 * u0 * a + 2 * u0 * u1 * b + u1 * u1 * c
        row_s = num / den if den > 0 else 0.0
        return PRIOR_STEP_ROWS * row_s, row_s
