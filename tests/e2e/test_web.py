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
# The wall's soak (e2e/wall.spec.ts): 18,000 alerts, 30 minutes at 10× the normal rate, on PostgreSQL
# + Redis; the embedded pass runs the same soak shorter (the page's memory does not depend on storage).
EMBEDDED_SOAK_EVENTS = 3000


@pytest.mark.timeout(1800)  # every page of the clients, built and driven in one run: 3 minutes when quiet
def test_client_pages_in_chromium(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    if not Path(CHROMIUM).exists():
        services.missing(f"Chromium at {CHROMIUM} (apt-get install chromium)")
    sizes = build_pages()  # fails over the mobile pages' 200 KB budget
    shutil.rmtree(WEB_DIR / "test-results", ignore_errors=True)
    with web_stack(tmp_path) as stack:
        env = stack.env()
        if services.STORAGE == "embedded":  # the wall's 30-minute-equivalent soak runs in the real pass
            env.setdefault("DCMS_WALL_SOAK_EVENTS", str(EMBEDDED_SOAK_EVENTS))
        result = subprocess.run(
            ["npx", "playwright", "test"], cwd=WEB_DIR, env=env, capture_output=True, text=True
        )
    (WEB_DIR / "test-results" / "playwright.log").write_text(result.stdout + result.stderr)
    with capsys.disabled():  # the figures the issue asks to see printed, also when the test passes
        print(f"\n{sizes}")
        print("\n".join(line for line in result.stdout.splitlines() if " ms" in line and "→" in line))
    assert result.returncode == 0, f"{result.stdout[-20000:]}\n{result.stderr[-5000:]}"
