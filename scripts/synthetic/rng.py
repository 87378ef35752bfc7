"""Independent, reproducible random streams.

Each part of the world draws from its own stream, derived from the user's seed and a fixed
label, so that geography, population and schools are identical at every --scale (only the
offence and person streams consume more numbers when the scale grows).
"""

import zlib

import numpy as np


def stream(seed: int, label: str) -> np.random.Generator:
    """A PCG64 generator keyed by (seed, label); crc32 keeps the label hash stable across runs."""
    sequence = np.random.SeedSequence([seed, zlib.crc32(label.encode("utf-8"))])
    return np.random.Generator(np.random.PCG64(sequence))
