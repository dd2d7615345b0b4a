"""The README's pictures are made by docs/make_images.py: running it again gives images
of the same kind and (about) the same size as the committed ones.

Bytes are not compared: Graphviz and matplotlib versions differ in how they encode the
same picture. A renamed, deleted or broken picture, or one whose drawing changed shape
(a node more or less, a lost panel), fails here.
"""

from __future__ import annotations

import re
import shutil
import struct
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "docs" / "make_images.py"
IMAGES = ROOT / "docs" / "images"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def png_size(path: Path) -> tuple[int, int]:
    """(width, height) from a PNG's header; a clear error if the file is not a PNG."""
    head = path.read_bytes()[:24]
    assert head[:8] == PNG_SIGNATURE and head[12:16] == b"IHDR", f"{path.name} is not a PNG"
    return struct.unpack(">II", head[16:24])


def test_readme_shows_every_committed_image() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    shown = sorted(re.findall(r"!\[[^\]]*\]\((docs/images/[^)]+)\)", readme))
    committed = sorted(f"docs/images/{p.name}" for p in IMAGES.iterdir())
    assert shown == committed, "README.md must show each image in docs/images once"


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz dot is not installed")
def test_images_are_made_again_by_their_script(tmp_path: Path) -> None:
    pytest.importorskip("matplotlib")
    result = subprocess.run(
        [sys.executable, str(SCRIPT), str(tmp_path)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr
    made = sorted(p.name for p in tmp_path.iterdir())
    assert made == sorted(p.name for p in IMAGES.iterdir())
    for name in made:
        new, old = png_size(tmp_path / name), png_size(IMAGES / name)
        for a, b in zip(new, old):
            assert abs(a - b) <= 0.1 * b, f"{name}: made {new}, committed {old}"
