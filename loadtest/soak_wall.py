"""The monitoring wall's 30-minute soak (``make soak-wall``): builds the pages, starts a stack with
the demo data (tests/support/webstack.py, the browser tests' own), and runs
``clients/web/scripts/soak-wall.mjs`` against it: alerts raised at 10 a second for 30 minutes
while the wall is open in Chromium, its heap and DOM printed every minute. Arguments after the
command go to the script (``--minutes 30 --rate 10 --max-growth-mb 5``)."""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

from tests.support.webstack import WEB_DIR, build_pages, web_stack


def main() -> int:
    build_pages()
    with web_stack(Path(tempfile.mkdtemp(prefix="dcms-soak-wall-"))) as stack:
        script = ["node", "scripts/soak-wall.mjs", *sys.argv[1:]]
        return subprocess.run(script, cwd=WEB_DIR, env=stack.env(), check=False).returncode


if __name__ == "__main__":
    sys.exit(main())
