"""Keyed pseudonymisation of person references, and the key that drives it.

Person references from a force extract are replaced at ingest by HMAC-SHA256(key, reference),
truncated to 32 hex characters (128 bits). The key is read from the environment only:

- `SCHOOL_EXPOSURE_PSEUDONYMISATION_KEY`: the key itself (at least 32 characters), or
- `SCHOOL_EXPOSURE_PSEUDONYMISATION_KEY_FILE`: a file holding it.

It never appears in SQL, dbt logs, the database or the docs. The staging model hashes in SQL
(macro `pseudonymise`: HMAC as RFC 2104 defines it, from DuckDB's own vectorised sha256 on
every thread) and takes the key's two padded blocks from `pseudonymisation_key_pad(kind)`,
which the dbt-duckdb plugin (`school_exposure_plugin.py`) registers and which reads the key
here. `make_pseudonymiser` is the same function in Python (the standard library's hmac), which
the tests hold the SQL to. The demo (`make build`) writes a random key into the git-ignored
`.secrets/` folder; a real deployment supplies its own and keeps it (the same key gives the same
pseudonyms, so results can be linked across runs; a new key breaks that link).

    python scripts/pseudonymisation.py make-demo-key .secrets/demo_pseudonymisation.key
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import os
import secrets
import sys
from pathlib import Path

KEY_ENV = "SCHOOL_EXPOSURE_PSEUDONYMISATION_KEY"
KEY_FILE_ENV = "SCHOOL_EXPOSURE_PSEUDONYMISATION_KEY_FILE"
MIN_KEY_LENGTH = 32
PSEUDONYM_HEX_CHARS = 32
# SHA-256's block size: HMAC pads (or first hashes) the key to one block.
HMAC_BLOCK_BYTES = 64
# What str.strip() removes (every character for which str.isspace() is true), so that the SQL
# macro trims a reference exactly as make_pseudonymiser does.
WHITESPACE = "".join(c for c in map(chr, range(0x110000)) if c.isspace())


class MissingKeyError(RuntimeError):
    """No usable pseudonymisation key in the environment."""


def load_key(environ: dict[str, str] | None = None) -> bytes:
    """The key from the environment; MissingKeyError with the remedy if there is none."""
    env = os.environ if environ is None else environ
    key = env.get(KEY_ENV, "")
    if not key and env.get(KEY_FILE_ENV):
        path = Path(env[KEY_FILE_ENV])
        if not path.is_file():
            raise MissingKeyError(f"{KEY_FILE_ENV} names {path}, which does not exist.")
        key = path.read_text(encoding="utf-8").strip()
    if not key:
        raise MissingKeyError(
            f"No pseudonymisation key: set {KEY_ENV} (or {KEY_FILE_ENV} to a file holding it) "
            "before building. The demo (`make build`) creates one in .secrets/; a real "
            "extract needs the force's own key, kept outside the project."
        )
    if len(key) < MIN_KEY_LENGTH:
        raise MissingKeyError(
            f"The pseudonymisation key is shorter than {MIN_KEY_LENGTH} characters."
        )
    return key.encode("utf-8")


def make_pseudonymiser(key: bytes):
    """A function from a person reference to its pseudonym (None stays None)."""

    keyed = hmac.new(key, digestmod=hashlib.sha256)  # copied per reference: no re-keying

    def pseudonymise(reference: str | None) -> str | None:
        if reference is None:
            return None
        digest = keyed.copy()
        digest.update(reference.strip().encode("utf-8"))
        return digest.hexdigest()[:PSEUDONYM_HEX_CHARS]

    return pseudonymise


def hmac_key_pads(key: bytes) -> dict[str, bytes]:
    """HMAC-SHA256's inner and outer padded keys (RFC 2104): the key, hashed first if longer
    than a block, padded with zeros to one block, XOR 0x36 (inner) and 0x5c (outer). Then
    HMAC(key, m) = sha256(outer || sha256(inner || m)), which macro `pseudonymise` computes."""
    if len(key) > HMAC_BLOCK_BYTES:
        key = hashlib.sha256(key).digest()
    block = key.ljust(HMAC_BLOCK_BYTES, b"\0")
    return {
        "inner": bytes(b ^ 0x36 for b in block),
        "outer": bytes(b ^ 0x5C for b in block),
    }


def make_demo_key(path: Path) -> bool:
    """Write a random key to `path` unless it exists; True if a key was written."""
    if path.exists():
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(secrets.token_hex(32) + "\n", encoding="utf-8")
    path.chmod(0o600)
    return True


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Manage the demo pseudonymisation key.")
    sub = parser.add_subparsers(dest="command", required=True)
    demo = sub.add_parser("make-demo-key", help="write a random key file if none exists")
    demo.add_argument("path", type=Path)
    args = parser.parse_args(argv)
    if make_demo_key(args.path):
        print(f"[setup] wrote a new demo pseudonymisation key to {args.path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
