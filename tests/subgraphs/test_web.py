"""`dcms up`'s client pages: served from the build as static files, named in the banner."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import httpx
import pytest

from subgraphs import web
from subgraphs.cli import banner
from subgraphs.gateway import wait_until_up
from testkit.factories import offline_settings
from tests.support import services
from tests.support.stack import free_port

pytestmark = pytest.mark.unit


def test_the_banner_names_each_page_and_its_demo_user_once_built(tmp_path: Path) -> None:
    settings = replace(offline_settings(tmp_path, dev_mode=True), web_port=5199, web_dist=tmp_path / "dist")
    assert "not built (`make web` builds them)" in banner(settings)
    (tmp_path / "dist").mkdir()
    (tmp_path / "dist" / "index.html").write_text("<!doctype html>")
    shown = banner(settings)
    for page, _title, user in web.PAGES:
        assert f"http://127.0.0.1:5199/{page}" in shown and f"log in as {user}" in shown


def test_the_built_pages_are_served_and_nothing_when_not_built(tmp_path: Path) -> None:
    settings = replace(
        offline_settings(tmp_path, dev_mode=True), web_port=free_port(), web_dist=tmp_path / "dist"
    )
    assert web.start_web(settings) is None
    (tmp_path / "dist").mkdir()
    (tmp_path / "dist" / "index.html").write_text(
        "<!doctype html><title>DCMS 客户端</title>", encoding="utf-8"
    )
    server = web.start_web(settings)
    try:
        wait_until_up(f"{web.web_url(settings)}/index.html", server)
        page = httpx.get(f"{web.web_url(settings)}/index.html")
        assert page.status_code == 200 and "DCMS 客户端" in page.text
    finally:
        services.stop(server)
