"""Export each subgraph's SDL and compose the supergraph (``dcms schema export|check``).

The SDL is what ``{ _service { sdl } }`` answers, so it is exactly what a gateway
composing from live subgraphs would see. Composition runs
``@theguild/federation-composition`` through ``gateway/compose.mjs``.
"""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path

from strawberry.printer import print_schema

from subgraphs.registry import spec_of
from subgraphs.settings import SUBGRAPHS

ROOT = Path(__file__).resolve().parent.parent
SDL_DIR = ROOT / "schema" / "sdl"
GATEWAY_DIR = ROOT / "gateway"
DEFAULT_URL_BASE = "http://127.0.0.1:4001"


def subgraph_sdl(name: str) -> str:
    # What Strawberry's `_service { sdl }` resolver returns (print_schema), printed without
    # executing: the schema's extensions are async (the revocation check) and need no request here.
    return print_schema(spec_of(name).schema).rstrip() + "\n"


def compose(sdl_dir: Path, url_base: str, out: Path, names: tuple[str, ...] = SUBGRAPHS) -> None:
    subprocess.run(
        ["node", "compose.mjs", str(sdl_dir), url_base, str(out), *names], cwd=GATEWAY_DIR, check=True
    )


def write_all(sdl_dir: Path, url_base: str = DEFAULT_URL_BASE) -> Path:
    """Write ``<name>.graphql`` for each subgraph and ``supergraph.graphql`` into ``sdl_dir``."""
    sdl_dir.mkdir(parents=True, exist_ok=True)
    for name in SUBGRAPHS:
        (sdl_dir / f"{name}.graphql").write_text(subgraph_sdl(name))
    supergraph = sdl_dir / "supergraph.graphql"
    compose(sdl_dir, url_base, supergraph)
    return supergraph


def stale_files() -> list[str]:
    """Checked-in files under schema/sdl/ that differ from a fresh export and composition."""
    with tempfile.TemporaryDirectory() as tmp:
        fresh = Path(tmp)
        write_all(fresh)
        return [
            path.name
            for path in sorted(fresh.iterdir())
            if not (SDL_DIR / path.name).exists() or (SDL_DIR / path.name).read_text() != path.read_text()
        ]
