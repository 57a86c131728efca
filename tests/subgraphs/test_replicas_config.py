"""The HAProxy configurations of the replicas recipe (subgraphs/replicas.py, docs/deploy.md):
what `dcms replicas up` renders is valid for Debian's HAProxy, and deploy/compose/haproxy.cfg is
the same template rendered for deploy/compose.yaml's service names."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from subgraphs.replicas import ROOT, Layout, compose_haproxy, haproxy_binary, render_haproxy
from tests.support import services

pytestmark = pytest.mark.unit


def test_the_recipe_numbers_its_ports() -> None:
    layout = Layout.numbered(gateways=2, replicas=3, port=8080)
    assert layout.replica_ports == (4101, 4102, 4103) and layout.gateway_ports == (4201, 4202)
    assert layout.subgraphs_url == "http://127.0.0.1:8081" and layout.gateway_url.endswith(":8080/graphql")
    with pytest.raises(ValueError):
        Layout.numbered(gateways=0, replicas=2)


def test_the_rendered_configuration_is_valid_haproxy(tmp_path: Path) -> None:
    try:
        binary = haproxy_binary()
    except SystemExit:
        services.missing("HAProxy (apt-get install haproxy)")
    rendered = render_haproxy(Layout.numbered(gateways=2, replicas=2, port=8080))
    assert "server replica2 127.0.0.1:4102 check" in rendered
    assert "option httpchk GET /healthcheck" in rendered and "option httpchk GET /readyz" in rendered
    config = tmp_path / "haproxy.cfg"
    config.write_text(rendered)
    checked = subprocess.run([binary, "-c", "-f", str(config)], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stderr


def test_the_compose_configuration_is_the_template_rendered() -> None:
    assert (ROOT / "deploy" / "compose" / "haproxy.cfg").read_text() == compose_haproxy(), (
        "regenerate: python -c 'from subgraphs.replicas import compose_haproxy; "
        'print(compose_haproxy(), end="")\' > deploy/compose/haproxy.cfg'
    )
