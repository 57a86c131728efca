"""`dcms backup` / `dcms restore` (subgraphs/backup.py, docs/backup.md): the restore drill on the
run's storage (PostgreSQL in the real pass, SQLite in the embedded one), all through the command
line in production mode: migrate, seed, mutate through the schemas (so the audit chains have
records), back up, drop the database and the key files, restore, and every table's count, the
migrations and every audit chain's head are as before and the chains verify. Then what is refused:
a tampered, truncated or foreign archive, a wrong key, a non-empty database without --force.
And the encrypted stream itself, without services."""

from __future__ import annotations

import asyncio
import contextlib
import io
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlparse, urlunparse

import pytest

from subgraphs.backup import (
    HEADER_BYTES,
    TAG_BYTES,
    BackupError,
    DecryptingReader,
    EncryptingWriter,
    Refused,
    backup_secret,
    current_facts,
    restore_backup,
)
from subgraphs.provision import init_secrets
from subgraphs.settings import Settings
from tests.support import services
from tests.support.place import Place

SECRET = b"a-test-backup-secret-of-enough-characters-0123456789"


@dataclass(frozen=True)
class Drill:
    place: Place
    archive: Path
    key_file: Path
    facts: dict[str, Any]  # every subgraph's tables, migrations and audit heads when backed up
    keys: dict[str, bytes]  # the key files when backed up

    def dcms(self, *args: str, key_file: Path | None = None) -> subprocess.CompletedProcess[str]:
        return self.place.dcms(*args, DCMS_BACKUP_KEY_FILE=str(key_file or self.key_file))

    def settings(self) -> Settings:
        return Settings(
            database_url=self.place.database_url, redis_url=None, var_dir=self.place.var_dir,
            host="127.0.0.1", port=0, gateway_port=0, keys_dir=self.place.keys_dir,
        )  # fmt: skip

    def now(self) -> dict[str, Any]:
        return asyncio.run(current_facts(self.settings()))


def ok(result: subprocess.CompletedProcess[str]) -> subprocess.CompletedProcess[str]:
    assert result.returncode == 0, result.stderr[-2000:]
    return result


def read_keys(directory: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted(directory.iterdir()) if path.is_file()}


async def _admin(url: str, *statements: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(url)
    try:
        for statement in statements:
            await conn.execute(statement)
    finally:
        await conn.close()


def wipe(place: Place) -> None:
    """Lose everything: the database (dropped and created empty) and the key files."""
    if place.database_url:
        name = urlparse(place.database_url).path.lstrip("/")
        admin = urlunparse(urlparse(place.database_url)._replace(path="/postgres"))
        asyncio.run(_admin(admin, f'DROP DATABASE "{name}" WITH (FORCE)', f'CREATE DATABASE "{name}"'))
    else:
        shutil.rmtree(place.var_dir)
    shutil.rmtree(place.keys_dir)


@pytest.fixture(scope="module")
def drill(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Drill]:
    """A production deployment with data and an audit trail, and its backup."""
    root = tmp_path_factory.mktemp("drill")
    key_file = root / "backup.key"
    key_file.write_bytes(SECRET + b"\n")
    with contextlib.ExitStack() as cleanup:
        database_url = None
        if services.STORAGE == "real":
            database_url = cleanup.enter_context(services.scratch_database("dcms_drill"))
        place = Place(root / "var", root / "keys", database_url, None)
        init_secrets(place.keys_dir)  # what `dcms secrets init` writes
        ok(place.dcms("migrate"))
        ok(place.dcms("seed", "--demo", "--customers", "30"))
        done = subprocess.run(
            [sys.executable, "-m", "tests.support.drill"],
            env=place.env(),
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0 and int(done.stdout.split()[-1]) == 6, done.stderr[-2000:]
        archive = root / "out" / "drill.dcmsbak"
        drill = Drill(place, archive, key_file, {}, read_keys(place.keys_dir))
        facts = drill.now()
        ok(drill.dcms("backup", "--out", str(archive)))
        yield Drill(place, archive, key_file, facts, drill.keys)


def assert_as_backed_up(drill: Drill) -> None:
    now = drill.now()
    for name, facts in drill.facts.items():
        assert now[name]["tables"] == facts["tables"], name
        assert now[name]["migrations"] == facts["migrations"] and facts["migrations"], name
        assert now[name]["audit_heads"] == facts["audit_heads"], name
    assert read_keys(drill.place.keys_dir) == drill.keys


@pytest.mark.integration
def test_restore_drill(drill: Drill) -> None:
    facts = drill.facts
    assert (
        facts["customers"]["tables"]["audit_record"] == 3
        and facts["marketing"]["tables"]["audit_record"] == 3
    )
    assert facts["customers"]["tables"]["customer"] == 30 and facts["operations"]["tables"]["app_user"] > 10
    assert drill.archive.stat().st_mode & 0o777 == 0o600
    data = drill.archive.read_bytes()
    assert "黔农e贷".encode() not in data and b"BEGIN PRIVATE KEY" not in data  # encrypted at rest

    wipe(drill.place)
    result = ok(drill.dcms("restore", str(drill.archive)))
    assert (
        "every audit chain verifies" in result.stdout and SECRET.decode() not in result.stdout + result.stderr
    )
    assert_as_backed_up(drill)
    assert all(path.stat().st_mode & 0o777 == 0o600 for path in drill.place.keys_dir.iterdir())
    ok(drill.dcms("audit", "verify"))  # the command an operator runs, besides restore's own check

    # Into a non-empty database: refused without --force; with it, replaced by the backup.
    refused = drill.dcms("restore", str(drill.archive))
    assert refused.returncode == 2 and "not empty" in refused.stderr and "--force" in refused.stderr
    ok(drill.dcms("restore", str(drill.archive), "--force"))
    assert_as_backed_up(drill)


@pytest.mark.integration
def test_a_tampered_truncated_or_foreign_archive_and_a_wrong_key_are_refused(
    drill: Drill, tmp_path: Path
) -> None:
    before = drill.now()
    data = drill.archive.read_bytes()
    middle = len(data) // 2
    cases = {
        "altered or truncated": data[:middle] + bytes([data[middle] ^ 1]) + data[middle + 1 :],
        "truncated": data[: len(data) - 100],
        "the archive was altered": data + data[-TAG_BYTES:],  # a chunk appended
        "not a DCMS backup": b"PGDMP" + data[5:],
    }
    for expected, content in cases.items():
        path = tmp_path / "bad.dcmsbak"
        path.write_bytes(content)
        with pytest.raises(Refused, match=expected):
            asyncio.run(restore_backup(drill.settings(), path, SECRET, force=True))

    # The command line: a wrong key, a weak one; exit status 2, the reason, never the secret.
    wrong = tmp_path / "wrong.key"
    wrong.write_text("another-secret-of-enough-characters-0123456789\n")
    result = drill.dcms("restore", str(drill.archive), "--force", key_file=wrong)
    assert (
        result.returncode == 2
        and "wrong backup key" in result.stderr
        and "another-secret" not in result.stderr
    )
    weak = tmp_path / "weak.key"
    weak.write_text("short\n")
    with pytest.raises(BackupError, match="fewer than 32") as error:
        backup_secret({"DCMS_BACKUP_KEY_FILE": str(weak)})
    assert "short" not in str(error.value)
    assert drill.now() == before  # nothing refused changed anything


# The encrypted stream alone (no services).


def encrypt(plain: bytes, chunk: int) -> bytes:
    sink = io.BytesIO()
    writer = EncryptingWriter(sink, SECRET, chunk=chunk)
    for start in range(0, len(plain), 7):  # in pieces of another size than a chunk
        writer.write(plain[start : start + 7])
    writer.close()
    return sink.getvalue()


def decrypt(data: bytes, secret: bytes = SECRET) -> bytes:
    return DecryptingReader(io.BytesIO(data), secret).read()


@pytest.mark.unit
@pytest.mark.parametrize("size", [0, 1, 63, 64, 65, 128, 1000])
def test_the_stream_round_trips_in_chunks(size: int) -> None:
    plain = os.urandom(size)
    data = encrypt(plain, chunk=64)
    assert len(data) == HEADER_BYTES + (max(size - 1, 0) // 64 + 1) * TAG_BYTES + size
    assert decrypt(data) == plain


@pytest.mark.unit
def test_the_stream_refuses_reordered_dropped_or_foreign_chunks() -> None:
    plain = os.urandom(64 * 3 + 10)
    data = encrypt(plain, chunk=64)
    block = 64 + TAG_BYTES
    chunks = [data[HEADER_BYTES + i * block : HEADER_BYTES + (i + 1) * block] for i in range(4)]
    header = data[:HEADER_BYTES]
    other = encrypt(plain, chunk=64)  # the same plaintext: another salt, another key
    for bad in (
        header + chunks[1] + chunks[0] + chunks[2] + chunks[3],  # reordered
        header + chunks[0] + chunks[2] + chunks[3],  # one dropped
        header + chunks[0] + chunks[1] + chunks[2],  # the last dropped: a full chunk is not the last
        header + other[HEADER_BYTES : HEADER_BYTES + block] + b"".join(chunks[1:]),  # from another archive
    ):
        with pytest.raises(Refused, match="altered or truncated"):
            decrypt(bad)
    with pytest.raises(Refused, match="wrong backup key"):
        decrypt(data, b"x" * 40)
