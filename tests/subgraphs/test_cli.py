"""The command line (subgraphs/cli.py): `dcms token` is for dev mode only."""

from __future__ import annotations

import asyncio
import sys

import pytest

from subgraphs.settings import Settings
from tests.support.stack import subprocess_env


@pytest.mark.integration
async def test_dev_token_command_is_refused_outside_dev_mode(database: Settings) -> None:
    env = {**subprocess_env(database), "DCMS_DEV": "0"}
    cli = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "subgraphs.cli", "token", "--username", "manager", env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out, err = await cli.communicate()
    assert cli.returncode != 0 and not out and b"dev mode only" in err
