"""The real responses in ``tests/fixtures/live/``, read without their source header.

Each file starts with ``# `` lines naming where it comes from (repository@commit:path or URL,
and licence), or saying that only a format description exists, closed by a ``# ---`` line.
"""

from __future__ import annotations

from pathlib import Path

FOLDER = Path(__file__).parent / "fixtures" / "live"


def sample(name: str) -> bytes:
    """The body of a sample, its header removed."""
    data = (FOLDER / name).read_bytes()
    marker = b"# ---\n"
    if not data.startswith(b"# ") or marker not in data:
        raise ValueError(f"{name}: no source header (every sample names its source)")
    return data.split(marker, 1)[1]


def header(name: str) -> str:
    """The source header of a sample."""
    return (FOLDER / name).read_text(encoding="utf-8").split("# ---\n", 1)[0]
