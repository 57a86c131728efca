"""Every job's advisory lock key is its own: all subgraphs share one PostgreSQL database, where an
advisory lock is database-wide, so two jobs on one key would each skip runs while the other holds it
(resolvers/common/jobs.py ``exclusive``)."""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path

RESOLVERS = Path(__file__).resolve().parents[2] / "resolvers"
LOCK = re.compile(r"^([A-Z_]*_LOCK) = (0x[0-9A-Fa-f_]+|\d[\d_]*)\b", re.M)


def test_no_two_jobs_share_a_lock_key() -> None:
    owners: dict[int, list[str]] = defaultdict(list)
    for path in RESOLVERS.rglob("*.py"):
        for name, value in LOCK.findall(path.read_text()):
            owners[int(value, 0)].append(f"{path.relative_to(RESOLVERS)}:{name}")
    assert sum(len(names) for names in owners.values()) >= 15  # the pattern still finds them
    assert not {hex(key): names for key, names in owners.items() if len(names) > 1}
