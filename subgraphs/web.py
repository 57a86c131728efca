"""The client pages (`clients/web/`, built into `clients/web/dist`) as `dcms up` serves them:
a static file server beside the gateway, and the lines of the banner that name each page."""

from __future__ import annotations

import subprocess
import sys

from subgraphs.gateway import die_with_parent
from subgraphs.settings import Settings

# (file, what it is, the demo user to log in as): the README's page table says the same.
PAGES = (
    ("h5.html", "客户经理 H5", "manager; 支行行长: bh_gz0101"),
    ("grab.html", "抢单", "grabber"),
    ("applicant.html", "融资服务 (applicant)", "applicant"),
    ("regulator.html", "监管控制台", "regulator"),
    ("wall.html", "营业厅与运维监控大屏", "ops"),
)


def built(settings: Settings) -> bool:
    return (settings.web_dist / "index.html").exists()


def start_web(settings: Settings) -> subprocess.Popen[bytes] | None:
    """Serve the built pages on DCMS_WEB_PORT (None when they were not built: `make up` builds
    them). The standard library's threading file server: the pages are static files, and the
    gateway's CORS settings name this origin."""
    if not built(settings):
        return None
    return subprocess.Popen(
        [sys.executable, "-m", "http.server", str(settings.web_port), "--bind", settings.host],
        cwd=settings.web_dist,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        preexec_fn=die_with_parent,
    )


def web_url(settings: Settings) -> str:
    return f"http://{settings.host}:{settings.web_port}"


def banner_lines(settings: Settings) -> list[str]:
    if not built(settings):
        return ["  Client pages:           not built (`make web` builds them)"]
    lines = [f"  Client pages:           {web_url(settings)}/"]
    # URL first: CJK titles are two columns wide, so padding them would misalign the column.
    base = web_url(settings)
    lines += [f"    {base + '/' + file:<42}{title}, log in as {user}" for file, title, user in PAGES]
    return lines
