"""The client pages in real Chromium (Playwright, `clients/web/e2e/`) against the real gateway
and subgraphs with the demo data. The pages are built first (codegen + type check + build, so
a schema change that breaks a page fails here). Screenshots of every page are left under
`clients/web/test-results/screenshots/`."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from tests.support import services
from tests.support.webstack import WEB_DIR, build_pages, web_stack

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"


def test_client_pages_in_chromium(tmp_path: Path) -> None:
    if not Path(CHROMIUM).exists():
        services.missing(f"Chromium at {CHROMIUM} (apt-get install chromium)")
    build_pages()
    shutil.rmtree(WEB_DIR / "test-results", ignore_errors=True)
    with web_stack(tmp_path) as stack:
        result = subprocess.run(
            ["npx", "playwright", "test"], cwd=WEB_DIR, env=stack.env(), capture_output=True, text=True
        )
    print(result.stdout[-20000:])
    assert result.returncode == 0, f"{result.stdout[-20000:]}\n{result.stderr[-5000:]}"
