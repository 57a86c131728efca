"""`dcms backup` and `dcms restore`: every subgraph's data and the keys it cannot be read without,
in one archive encrypted at rest (docs/backup.md).

What an archive holds (a tar, then encrypted):

- ``manifest.json``: format, app version, created time, storage, server and pg_dump versions, per
  subgraph the migrations applied, the row count of every table and the head of every audit chain,
  and the size and SHA-256 of every other part;
- ``db/<subgraph>.dump``: PostgreSQL, ``pg_dump --format=custom --schema=<subgraph>`` (each subgraph
  is one schema of one database, subgraphs/database.py). All five dumps and the manifest's counts
  are read in one snapshot (``pg_export_snapshot`` + ``pg_dump --snapshot``), so they agree with each
  other even while the API writes;
- ``db/<subgraph>.sqlite3``: embedded SQLite, a copy made with SQLite's online backup API;
- ``keys/<role>``: the PII keyring (without it the encrypted columns are lost), the token key pair
  and the gateway HMAC secret, whichever of them are files.

Encryption: AES-256-GCM in 1 MiB chunks (the STREAM construction), so neither side holds a dump
in memory. The file is ``MAGIC ‖ salt (16) ‖ chunk size (4) ‖ key check (16)`` and then the chunks,
each ``ciphertext ‖ tag``; chunk ``i``'s nonce is ``i`` (11 bytes) ‖ 1 for the last chunk, else 0,
and its associated data is the header. A reordered, dropped, appended or altered chunk fails its
tag; a truncated archive lacks its last chunk. The AES key and the key check come from HKDF-SHA256
over the backup secret and the salt, so every archive has its own key and a wrong secret is told
apart from a tampered archive before any chunk is read.

The backup secret is read from the file ``DCMS_BACKUP_KEY_FILE`` or the variable ``DCMS_BACKUP_KEY``
(at least 32 characters, e.g. ``openssl rand -base64 32``); it is never printed or logged.

Restore decrypts into a private temporary directory, checks every part's hash against the
manifest, refuses a non-empty database (unless ``force``), puts the data back, puts the keys back,
then counts every table and walks every audit chain: the counts must equal the manifest's and every
chain must verify and end at the head it had.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import json
import os
import secrets
import shutil
import sqlite3
import struct
import tarfile
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import IO, Any
from urllib.parse import unquote, urlparse, urlunparse

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from subgraphs.settings import HMAC_SECRET_FILE, SUBGRAPHS, Settings

FORMAT = 1
MAGIC = b"DCMSBAK1"
SALT_BYTES = 16
CHECK_BYTES = 16
CHUNK = 1 << 20  # plaintext bytes per encrypted chunk
TAG_BYTES = 16
HEADER_BYTES = len(MAGIC) + SALT_BYTES + 4 + CHECK_BYTES
MIN_SECRET = 32  # characters of backup secret, at least
MANIFEST = "manifest.json"
MIGRATIONS_TABLE = "tortoise_migrations"
AUDIT_TABLE = "audit_record"
# SQLite's own bookkeeping, not data of ours
SQLITE_INTERNAL = ("sqlite_sequence", "sqlite_stat1", "sqlite_stat4")


class BackupError(RuntimeError):
    """A backup or restore that cannot go on: the message says why (never a secret)."""


class Refused(BackupError):
    """Restore refused before anything was changed: wrong key, tampered archive, non-empty target."""


class VerifyFailed(BackupError):
    """The data was restored but does not match the manifest: counts differ or a chain is broken."""


# ---------------------------------------------------------------------------------------------
# The backup secret and the encrypted stream


def backup_secret(env: dict[str, str] | os._Environ[str] | None = None) -> bytes:
    """The backup secret from ``DCMS_BACKUP_KEY_FILE`` (a file) or ``DCMS_BACKUP_KEY``."""
    env = os.environ if env is None else env
    if path := env.get("DCMS_BACKUP_KEY_FILE"):
        try:
            text = Path(path).read_text().strip()
        except (OSError, UnicodeError) as error:
            raise BackupError(
                f"cannot read the backup key file {path}: {error.__class__.__name__}"
            ) from error
        where = f"the backup key file {path}"
    elif env.get("DCMS_BACKUP_KEY"):
        text, where = env["DCMS_BACKUP_KEY"].strip(), "DCMS_BACKUP_KEY"
    else:
        raise BackupError(
            "no backup key: set DCMS_BACKUP_KEY_FILE to a file holding a secret of at least "
            f"{MIN_SECRET} characters (e.g. `openssl rand -base64 32 > backup.key`), or DCMS_BACKUP_KEY"
        )
    if len(text) < MIN_SECRET:
        raise BackupError(f"{where} holds fewer than {MIN_SECRET} characters: too weak for a backup key")
    return text.encode()


def _derive(secret: bytes, salt: bytes) -> tuple[bytes, bytes]:
    """(AES-256 key, key check) of one archive."""
    material = HKDF(
        algorithm=hashes.SHA256(), length=32 + CHECK_BYTES, salt=salt, info=b"dcms-backup v1"
    ).derive(secret)
    return material[:32], material[32:]


def _nonce(index: int, last: bool) -> bytes:
    return index.to_bytes(11, "big") + (b"\x01" if last else b"\x00")


class EncryptingWriter:
    """A write-only file object: what is written goes out to ``sink`` encrypted, chunk by chunk."""

    def __init__(self, sink: IO[bytes], secret: bytes, chunk: int = CHUNK) -> None:
        salt = secrets.token_bytes(SALT_BYTES)
        key, check = _derive(secret, salt)
        self._aead = AESGCM(key)
        self._header = MAGIC + salt + struct.pack(">I", chunk) + check
        self._sink = sink
        self._chunk = chunk
        self._buffer = bytearray()
        self._index = 0
        self._closed = False
        sink.write(self._header)

    def write(self, data: bytes | bytearray | memoryview) -> int:
        self._buffer += data
        while len(self._buffer) > self._chunk:  # a full chunk with more after it: not the last
            self._emit(bytes(self._buffer[: self._chunk]), last=False)
            del self._buffer[: self._chunk]
        return len(data)

    def close(self) -> None:
        """Write the last chunk (possibly empty): without it a reader knows the archive was cut."""
        if not self._closed:
            self._emit(bytes(self._buffer), last=True)
            self._buffer.clear()
            self._closed = True

    def _emit(self, plain: bytes, last: bool) -> None:
        self._sink.write(self._aead.encrypt(_nonce(self._index, last), plain, self._header))
        self._index += 1


class DecryptingReader:
    """A read-only file object over an encrypted archive; raises ``Refused`` on a wrong key, and on
    any altered, reordered, missing or extra chunk."""

    def __init__(self, source: IO[bytes], secret: bytes) -> None:
        header = source.read(HEADER_BYTES)
        if len(header) < HEADER_BYTES or not header.startswith(MAGIC):
            raise Refused("not a DCMS backup archive (or it is cut short)")
        salt = header[len(MAGIC) : len(MAGIC) + SALT_BYTES]
        (self._chunk,) = struct.unpack(">I", header[len(MAGIC) + SALT_BYTES : len(MAGIC) + SALT_BYTES + 4])
        if not 0 < self._chunk <= 64 * CHUNK:
            raise Refused("the archive's header is damaged")
        key, check = _derive(secret, salt)
        if not hmac.compare_digest(check, header[-CHECK_BYTES:]):
            raise Refused("wrong backup key: this archive was made with another DCMS_BACKUP_KEY(_FILE)")
        self._aead = AESGCM(key)
        self._header = header
        self._source = source
        self._index = 0
        self._next = source.read(self._chunk + TAG_BYTES)
        self._plain = bytearray()
        self._done = False

    def _pull(self) -> None:
        current = self._next
        if not current:
            raise Refused("the archive is truncated (its last chunk is missing)")
        self._next = self._source.read(self._chunk + TAG_BYTES)
        last = not self._next
        try:
            self._plain += self._aead.decrypt(_nonce(self._index, last), current, self._header)
        except InvalidTag as error:
            raise Refused(
                f"the archive was altered or truncated (chunk {self._index} fails its tag)"
            ) from error
        self._index += 1
        self._done = last

    def read(self, size: int = -1) -> bytes:
        while not self._done and (size < 0 or len(self._plain) < size):
            self._pull()
        if size < 0:
            size = len(self._plain)
        out = bytes(self._plain[:size])
        del self._plain[:size]
        return out


# ---------------------------------------------------------------------------------------------
# What is backed up


@dataclass(frozen=True)
class KeyFile:
    role: str  # its name in the archive: keys/<role>
    path: Path  # where this deployment keeps it (settings)


def key_files(settings: Settings) -> list[KeyFile]:
    """This deployment's key files by role (a DCMS_GATEWAY_HMAC_SECRET variable is no file)."""
    return [
        KeyFile("pii-keyring.json", settings.pii_keyring_path),
        KeyFile("token-es256.pem", settings.token_private_key_path),
        KeyFile("token-es256.pub.pem", settings.token_public_key_path),
        KeyFile(HMAC_SECRET_FILE, settings.keys_dir / HMAC_SECRET_FILE),
    ]


def _storage(settings: Settings) -> str:
    return "postgresql" if settings.database_url else "sqlite"


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(CHUNK):
            digest.update(block)
    return digest.hexdigest()


def app_version() -> str:
    try:
        return version("dcms-graph")
    except PackageNotFoundError:
        return "unknown"


def _pg_client_env(database_url: str) -> tuple[str, dict[str, str]]:
    """(the URL without its password, an environment with PGPASSWORD): pg_dump / pg_restore never
    see the password in their argument list (visible to every user in ps)."""
    url = urlparse(database_url)
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = unquote(url.password)
    netloc = url.hostname or "127.0.0.1"
    if ":" in netloc:  # IPv6
        netloc = f"[{netloc}]"
    if url.port:
        netloc += f":{url.port}"
    if url.username:
        netloc = f"{url.username}@{netloc}"
    return urlunparse(url._replace(scheme="postgresql", netloc=netloc)), env


async def _run(*command: str, env: dict[str, str]) -> str:
    process = await asyncio.create_subprocess_exec(
        *command, env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
    )
    out, err = await process.communicate()
    if process.returncode != 0:
        message = err.decode(errors="replace").strip().splitlines()
        raise BackupError(f"{Path(command[0]).name} failed: {' / '.join(message[-3:]) or process.returncode}")
    return out.decode(errors="replace")


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(
            f"{name} not found: install the PostgreSQL client (Debian: apt-get install postgresql-client)"
        )
    return path


# Row counts, migrations and audit chain heads, the same queries on both storages (a schema prefix on
# PostgreSQL). Table names come from the catalogue, never from input.
_HEADS = (
    "SELECT chain, seq, hash FROM {table} r "
    "WHERE seq = (SELECT max(seq) FROM {table} WHERE chain = r.chain) ORDER BY chain"
)


async def _pg_facts(conn: Any, name: str) -> dict[str, Any]:
    rows = await conn.fetch(
        "SELECT table_name FROM information_schema.tables "
        "WHERE table_schema = $1 AND table_type = 'BASE TABLE' ORDER BY table_name",
        name,
    )
    tables = {}
    for row in rows:
        table = row["table_name"]
        tables[table] = int(await conn.fetchval(f'SELECT count(*) FROM "{name}"."{table}"'))
    facts: dict[str, Any] = {"tables": tables, "migrations": [], "audit_heads": []}
    if MIGRATIONS_TABLE in tables:
        facts["migrations"] = [
            f"{r['app']}.{r['name']}"
            for r in await conn.fetch(f'SELECT app, name FROM "{name}".{MIGRATIONS_TABLE} ORDER BY id')
        ]
    if AUDIT_TABLE in tables:
        heads = await conn.fetch(_HEADS.format(table=f'"{name}".{AUDIT_TABLE}'))
        facts["audit_heads"] = [[int(r["chain"]), int(r["seq"]), r["hash"]] for r in heads]
    return facts


def _sqlite_facts(conn: sqlite3.Connection) -> dict[str, Any]:
    names = [
        row[0]
        for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
        if row[0] not in SQLITE_INTERNAL
    ]
    tables = {table: int(conn.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0]) for table in names}
    facts: dict[str, Any] = {"tables": tables, "migrations": [], "audit_heads": []}
    if MIGRATIONS_TABLE in tables:
        facts["migrations"] = [
            f"{app}.{name}"
            for app, name in conn.execute(f"SELECT app, name FROM {MIGRATIONS_TABLE} ORDER BY id")
        ]
    if AUDIT_TABLE in tables:
        heads = conn.execute(_HEADS.format(table=AUDIT_TABLE))
        facts["audit_heads"] = [[int(chain), int(seq), hash_] for chain, seq, hash_ in heads]
    return facts


@contextlib.contextmanager
def _workdir() -> Iterator[Path]:
    """A private (0700) temporary directory for the plaintext parts, removed afterwards.
    ``DCMS_BACKUP_TMP`` names where (default: the system's temporary directory)."""
    base = os.environ.get("DCMS_BACKUP_TMP") or None
    path = Path(tempfile.mkdtemp(prefix="dcms-backup-", dir=base))
    try:
        path.chmod(0o700)
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


# ---------------------------------------------------------------------------------------------
# Backup


@dataclass(frozen=True)
class BackupResult:
    path: Path
    manifest: dict[str, Any]
    size: int


async def _dump_postgres(settings: Settings, work: Path) -> tuple[dict[str, Any], dict[str, Any]]:
    """pg_dump of every subgraph's schema, all in one exported snapshot, and their facts from it."""
    import asyncpg

    assert settings.database_url
    pg_dump = _tool("pg_dump")
    url, env = _pg_client_env(settings.database_url)
    conn = await asyncpg.connect(settings.database_url)
    try:
        async with conn.transaction(isolation="repeatable_read", readonly=True):
            snapshot = await conn.fetchval("SELECT pg_export_snapshot()")
            server = await conn.fetchval("SHOW server_version")
            present = {
                r["schema_name"]
                for r in await conn.fetch(
                    "SELECT schema_name FROM information_schema.schemata WHERE schema_name = ANY($1)",
                    list(SUBGRAPHS),
                )
            }
            if missing := [name for name in SUBGRAPHS if name not in present]:
                raise BackupError(f"no schema {', '.join(missing)} in the database: run `dcms migrate` first")
            facts = {name: await _pg_facts(conn, name) for name in SUBGRAPHS}
            for name in SUBGRAPHS:
                await _run(
                    pg_dump, "--format=custom", f"--schema={name}", f"--snapshot={snapshot}",
                    f"--file={work / 'db' / f'{name}.dump'}", f"--dbname={url}", env=env,
                )  # fmt: skip
    finally:
        await conn.close()
    client = (await _run(pg_dump, "--version", env=env)).strip()
    return facts, {"server_version": server, "pg_dump_version": client}


def _copy_sqlite(settings: Settings, work: Path) -> tuple[dict[str, Any], dict[str, Any]]:
    facts = {}
    for name in SUBGRAPHS:
        source_path = settings.var_dir / f"{name}.sqlite3"
        if not source_path.exists():
            raise BackupError(f"no {source_path}: run `dcms migrate` first")
        target_path = work / "db" / f"{name}.sqlite3"
        source = sqlite3.connect(f"file:{source_path}?mode=ro", uri=True)
        target = sqlite3.connect(target_path)
        try:
            source.backup(target)  # the online backup API: a consistent copy while others write
            facts[name] = _sqlite_facts(target)
        finally:
            target.close()
            source.close()
    return facts, {"server_version": f"SQLite {sqlite3.sqlite_version}"}


async def create_backup(settings: Settings, out: Path, secret: bytes) -> BackupResult:
    """Write an encrypted archive of every subgraph's data and the key files to ``out`` (0600;
    written beside it first and renamed, so ``out`` is never a half archive)."""
    out = _prepare(out)
    with _workdir() as work:
        (work / "db").mkdir()
        (work / "keys").mkdir()
        if settings.database_url:
            facts, versions = await _dump_postgres(settings, work)
            suffix = "dump"
        else:
            facts, versions = await asyncio.to_thread(_copy_sqlite, settings, work)
            suffix = "sqlite3"
        parts = [f"db/{name}.{suffix}" for name in SUBGRAPHS]
        for key in key_files(settings):
            if key.path.is_file():
                shutil.copyfile(key.path, work / "keys" / key.role)
                parts.append(f"keys/{key.role}")
        manifest = {
            "format": FORMAT,
            "app_version": app_version(),
            "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "storage": _storage(settings),
            **versions,
            "subgraphs": facts,
            "parts": {
                part: {"bytes": (work / part).stat().st_size, "sha256": _sha256(work / part)}
                for part in parts
            },
        }
        (work / MANIFEST).write_text(json.dumps(manifest, indent=2, ensure_ascii=False))
        partial = out.with_name(f".{out.name}.partial")
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            with os.fdopen(fd, "wb") as sink:
                await asyncio.to_thread(_write_archive, sink, secret, work, [MANIFEST, *parts])
                sink.flush()
                os.fsync(sink.fileno())
            os.replace(partial, out)
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
    return BackupResult(out, manifest, out.stat().st_size)


def _prepare(out: Path) -> Path:
    out = out.resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    return out


def _write_archive(sink: IO[bytes], secret: bytes, work: Path, parts: list[str]) -> None:
    writer = EncryptingWriter(sink, secret)
    with tarfile.open(fileobj=writer, mode="w|") as archive:  # type: ignore[call-overload]
        for part in parts:
            info = archive.gettarinfo(str(work / part), arcname=part)
            info.uid = info.gid = 0
            info.uname = info.gname = ""
            info.mode = 0o600
            with (work / part).open("rb") as handle:
                archive.addfile(info, handle)
    writer.close()


# ---------------------------------------------------------------------------------------------
# Restore


@dataclass(frozen=True)
class RestoreResult:
    manifest: dict[str, Any]
    tables: int
    rows: int
    audit_records: int
    keys: list[str]


def _allowed(name: str) -> bool:
    if name == MANIFEST:
        return True
    folder, _, file = name.partition("/")
    if folder == "db":
        return file in {f"{n}.{s}" for n in SUBGRAPHS for s in ("dump", "sqlite3")}
    return folder == "keys" and file in {
        "pii-keyring.json",
        "token-es256.pem",
        "token-es256.pub.pem",
        HMAC_SECRET_FILE,
    }


def _unpack(archive: Path, secret: bytes, work: Path) -> dict[str, Any]:
    """Decrypt and unpack ``archive`` into ``work``; check every part against the manifest."""
    try:
        source = archive.open("rb")
    except OSError as error:
        raise Refused(f"cannot open {archive}: {error.strerror}") from error
    with source:
        reader = DecryptingReader(source, secret)
        (work / "db").mkdir()
        (work / "keys").mkdir()
        seen: set[str] = set()
        try:
            with tarfile.open(fileobj=reader, mode="r|") as tar:  # type: ignore[call-overload]
                for member in tar:
                    if not member.isfile() or not _allowed(member.name) or member.name in seen:
                        raise Refused(f"unexpected entry {member.name!r} in the archive")
                    seen.add(member.name)
                    extracted = tar.extractfile(member)
                    assert extracted is not None
                    with (work / member.name).open("wb") as handle:
                        shutil.copyfileobj(extracted, handle, CHUNK)
        except tarfile.TarError as error:
            raise Refused(f"the archive's contents are damaged: {error}") from error
        # After the tar's end-of-archive blocks comes only its padding to a whole record (zeros,
        # up to 10 KiB, read or not by tarfile depending on the archive's size): anything else is
        # refused, though the chunks' authentication already vouches for every byte.
        if reader.read().strip(b"\0"):
            raise Refused("the archive has data after its end")
    if MANIFEST not in seen:
        raise Refused("the archive has no manifest")
    manifest: dict[str, Any] = json.loads((work / MANIFEST).read_text())
    if manifest.get("format") != FORMAT:
        raise Refused(
            f"archive format {manifest.get('format')} is not {FORMAT}: restore it with its own release"
        )
    parts = manifest.get("parts", {})
    if set(parts) != seen - {MANIFEST}:
        raise Refused("the archive's parts differ from its manifest")
    for part, expected in parts.items():
        if _sha256(work / part) != expected["sha256"]:
            raise Refused(f"{part} does not match its SHA-256 in the manifest")
    return manifest


async def _pg_nonempty(database_url: str) -> list[str]:
    import asyncpg

    conn = await asyncpg.connect(database_url)
    try:
        rows = await conn.fetch(
            "SELECT DISTINCT table_schema FROM information_schema.tables WHERE table_schema = ANY($1)",
            list(SUBGRAPHS),
        )
        return sorted(r["table_schema"] for r in rows)
    finally:
        await conn.close()


def _sqlite_nonempty(settings: Settings) -> list[str]:
    found = []
    for name in SUBGRAPHS:
        path = settings.var_dir / f"{name}.sqlite3"
        if path.exists():
            with contextlib.closing(sqlite3.connect(path)) as conn:
                if conn.execute("SELECT count(*) FROM sqlite_master WHERE type = 'table'").fetchone()[0]:
                    found.append(name)
    return found


def _key_changes(settings: Settings, manifest: dict[str, Any], work: Path) -> list[tuple[KeyFile, bool]]:
    """(key file, whether a different one is in place) for each key in the archive."""
    changes = []
    for key in key_files(settings):
        part = f"keys/{key.role}"
        if part in manifest["parts"]:
            differs = key.path.exists() and key.path.read_bytes() != (work / part).read_bytes()
            if not key.path.exists() or differs:
                changes.append((key, differs))
    return changes


def _put_key(source: Path, key: KeyFile, stamp: str) -> None:
    key.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    if key.path.exists():  # --force: the replaced key is kept beside it, never lost
        key.path.rename(key.path.with_name(f"{key.path.name}.replaced-{stamp}"))
    partial = key.path.with_name(f".{key.path.name}.restoring")
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(source.read_bytes())
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(partial, key.path)


async def _restore_postgres(settings: Settings, work: Path, force: bool) -> None:
    import asyncpg

    assert settings.database_url
    pg_restore = _tool("pg_restore")
    url, env = _pg_client_env(settings.database_url)
    if force:
        conn = await asyncpg.connect(settings.database_url)
        try:
            async with conn.transaction():
                for name in SUBGRAPHS:
                    await conn.execute(f'DROP SCHEMA IF EXISTS "{name}" CASCADE')
        finally:
            await conn.close()
    for name in SUBGRAPHS:
        dump = str(work / "db" / f"{name}.dump")
        await _run(pg_restore, "--exit-on-error", "--single-transaction", f"--dbname={url}", dump, env=env)


def _restore_sqlite(settings: Settings, work: Path) -> None:
    settings.var_dir.mkdir(parents=True, exist_ok=True)
    for name in SUBGRAPHS:
        source = sqlite3.connect(work / "db" / f"{name}.sqlite3")
        target = sqlite3.connect(settings.var_dir / f"{name}.sqlite3")
        try:
            source.backup(target)  # replaces every page of the target, WAL included
        finally:
            target.close()
            source.close()


async def current_facts(settings: Settings) -> dict[str, Any]:
    """Row counts, migrations and audit heads of every subgraph as the database is now."""
    if settings.database_url:
        import asyncpg

        conn = await asyncpg.connect(settings.database_url)
        try:
            return {name: await _pg_facts(conn, name) for name in SUBGRAPHS}
        finally:
            await conn.close()
    facts = {}
    for name in SUBGRAPHS:
        with contextlib.closing(sqlite3.connect(settings.var_dir / f"{name}.sqlite3")) as conn:
            facts[name] = _sqlite_facts(conn)
    return facts


async def verify_restored(settings: Settings, manifest: dict[str, Any]) -> list[str]:
    """What differs between the database and the manifest, and every break of an audit chain."""
    from subgraphs.audit_storage import verify

    problems = []
    now = await current_facts(settings)
    for name, expected in manifest["subgraphs"].items():
        got = now.get(name, {})
        for table, count in expected["tables"].items():
            if got.get("tables", {}).get(table) != count:
                problems.append(
                    f"{name}.{table}: {got.get('tables', {}).get(table)} rows, the backup had {count}"
                )
        if extra := set(got.get("tables", {})) - set(expected["tables"]):
            problems.append(f"{name}: tables not in the backup: {', '.join(sorted(extra))}")
        if got.get("audit_heads") != expected["audit_heads"]:
            problems.append(f"{name}: the audit chains do not end where they did at the backup")
    problems += [str(problem) for problem in await verify(settings)]
    return problems


async def restore_backup(
    settings: Settings, archive: Path, secret: bytes, force: bool = False
) -> RestoreResult:
    """Restore ``archive`` into this deployment's (empty) database and key files, then verify."""
    with _workdir() as work:
        manifest = await asyncio.to_thread(_unpack, archive, secret, work)
        if manifest["storage"] != _storage(settings):
            raise Refused(
                f"the archive holds {manifest['storage']} data but this deployment uses {_storage(settings)}"
            )
        nonempty = (
            await _pg_nonempty(settings.database_url) if settings.database_url else _sqlite_nonempty(settings)
        )
        if nonempty and not force:
            raise Refused(
                f"the database is not empty (tables in {', '.join(nonempty)}): restore into an empty one, "
                "or pass --force to replace what is there"
            )
        changes = _key_changes(settings, manifest, work)
        if (differ := [str(k.path) for k, differs in changes if differs]) and not force:
            raise Refused(
                f"key file(s) {', '.join(differ)} differ from the backup's: pass --force to replace them "
                "(the old ones are kept beside them as *.replaced-<time>)"
            )
        if settings.database_url:
            await _restore_postgres(settings, work, force)
        else:
            await asyncio.to_thread(_restore_sqlite, settings, work)
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        for key, _ in changes:
            _put_key(work / "keys" / key.role, key, stamp)
    if problems := await verify_restored(settings, manifest):
        raise VerifyFailed("restored, but the check failed:\n  " + "\n  ".join(problems))
    subgraphs = manifest["subgraphs"].values()
    return RestoreResult(
        manifest=manifest,
        tables=sum(len(s["tables"]) for s in subgraphs),
        rows=sum(sum(s["tables"].values()) for s in subgraphs),
        audit_records=sum(s["tables"].get(AUDIT_TABLE, 0) for s in subgraphs),
        keys=[str(k.path) for k, _ in changes],
    )


def default_out(settings: Settings) -> Path:
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    return settings.var_dir / "backups" / f"dcms-{stamp}.dcmsbak"
