"""Building blocks of the synthetic police extract generator.

Each module simulates one part of a fictional force area "shaped like the West Midlands":
geography, population, schools and their catchments, offences, persons, and the deliberately
broken rows. `scripts/generate_synthetic_extract.py` wires them together and writes the files.
"""

GENERATOR_VERSION = "1.0.0"
