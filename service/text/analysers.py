"""Text analysers (pysbd, kiwipiepy), one instance per thread.

Neither library documents its analyser objects as thread-safe (pysbd's ``Segmenter``
keeps the text being segmented on the instance), and text work runs in a pool of
threads (``Runtime.off_loop``). One instance per thread makes them safe without a
lock that would serialise every request's analysis; the pool is bounded
(``text_workers``), so is the number of instances.
"""

from __future__ import annotations

import threading
from typing import Any

_local = threading.local()


def pysbd_en() -> Any:
    """This thread's English pysbd segmenter (character spans, no cleaning)."""
    segmenter = getattr(_local, "pysbd_en", None)
    if segmenter is None:
        import pysbd

        segmenter = _local.pysbd_en = pysbd.Segmenter(language="en", clean=False,
                                                      char_span=True)
    return segmenter


def kiwi() -> Any:
    """This thread's kiwipiepy analyser (Korean sentences and morphemes)."""
    analyser = getattr(_local, "kiwi", None)
    if analyser is None:
        from kiwipiepy import Kiwi

        analyser = _local.kiwi = Kiwi()
    return analyser
