"""PII at rest: AES-256-GCM field encryption with key ids, and HMAC-SHA256 blind indexes.

A ciphertext describes itself: ``v1:<key id>:<base64 of nonce ‖ ciphertext ‖ tag>``. The nonce is
96 random bits per value; the associated data is the column label (``customers.customer.phone``),
so a ciphertext copied into another column does not decrypt. The key id names one key of the
keyring; one key is current (used to encrypt), older ones stay readable until ``dcms keys rotate
--retire`` drops those no row uses any more.

A blind index is ``HMAC-SHA256(index key, column label ‖ 0x00 ‖ normalised value)`` in hex: equal
for equal values (after normalising spaces, dashes, full-width digits and the case of the ID
number's check letter X), so exact search works without decrypting. The index key is separate
from the encryption keys and never rotates with them (changing it means re-indexing every row).

The keyring is a JSON file (``DCMS_PII_KEYRING_FILE``, default ``<keys dir>/pii-keyring.json``)::

    {"current": "k2", "keys": {"k1": "<base64 32 bytes>", "k2": "…"}, "index_key": "<base64>"}

In dev mode a missing keyring is generated on first use; outside dev mode it is a start-up error.

``cryptography``'s AESGCM (OpenSSL underneath) is the primitive: the project already depends on
it, and hand-rolled AES or GCM would be the wrong kind of code to own.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import json
import os
import re
import threading
import time
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from models.common import set_cipher

VERSION = "v1"
NONCE_BYTES = 12  # 96 bits, the size GCM is specified for
KEY_BYTES = 32  # AES-256
KEY_ID = re.compile(r"^[A-Za-z0-9_-]{1,32}$")
RELOAD_INTERVAL = 5.0  # seconds between checks whether the keyring file changed
_STRIP = re.compile(r"[\s\-‐-―－]+")  # whitespace and every kind of dash


class KeyringError(RuntimeError):
    """The keyring file is missing (outside dev mode), unreadable or malformed."""


class DecryptionError(ValueError):
    """A ciphertext is malformed, names an unknown key, was altered, or belongs to another column."""


def normalise(value: str) -> str:
    """What the blind index hashes: NFKC (full-width digits → ASCII), no spaces or dashes, upper case
    (the ID number's check letter ``x`` → ``X``; USCCs are upper case anyway)."""
    return _STRIP.sub("", unicodedata.normalize("NFKC", value)).upper()


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: str, what: str) -> bytes:
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError) as error:
        raise KeyringError(f"{what} is not valid base64") from error


@dataclass(frozen=True)
class Keyring:
    """Named 256-bit encryption keys, the id of the current one, and the blind-index key."""

    current: str
    keys: dict[str, bytes]
    index_key: bytes

    def __post_init__(self) -> None:
        if self.current not in self.keys:
            raise KeyringError(f"current key {self.current!r} is not in the keyring")
        for key_id, key in self.keys.items():
            if not KEY_ID.match(key_id):
                raise KeyringError(f"key id {key_id!r} must match {KEY_ID.pattern}")
            if len(key) != KEY_BYTES:
                raise KeyringError(f"key {key_id!r} must be {KEY_BYTES} bytes, not {len(key)}")
        if len(self.index_key) < KEY_BYTES:
            raise KeyringError(f"index_key must be at least {KEY_BYTES} bytes")

    @classmethod
    def generate(cls) -> Keyring:
        return cls(current="k1", keys={"k1": AESGCM.generate_key(256)}, index_key=os.urandom(KEY_BYTES))

    def with_new_key(self) -> Keyring:
        """A new random key, current from now on; the old ones stay for reading."""
        numbers = [int(key_id[1:]) for key_id in self.keys if re.fullmatch(r"k\d+", key_id)]
        key_id = f"k{max(numbers, default=0) + 1}"
        return Keyring(key_id, {**self.keys, key_id: AESGCM.generate_key(256)}, self.index_key)

    def without(self, key_ids: set[str]) -> Keyring:
        if self.current in key_ids:
            raise KeyringError(f"cannot retire the current key {self.current!r}")
        return Keyring(self.current, {k: v for k, v in self.keys.items() if k not in key_ids}, self.index_key)

    def to_json(self) -> dict[str, Any]:
        return {
            "current": self.current,
            "keys": {key_id: _b64(key) for key_id, key in self.keys.items()},
            "index_key": _b64(self.index_key),
        }

    @classmethod
    def from_json(cls, data: Any) -> Keyring:
        try:
            keys = {str(k): _unb64(v, f"key {k!r}") for k, v in data["keys"].items()}
            return cls(str(data["current"]), keys, _unb64(data["index_key"], "index_key"))
        except (KeyError, TypeError, AttributeError) as error:
            raise KeyringError(f"keyring needs current, keys and index_key ({error!r})") from error

    @classmethod
    def load(cls, path: Path) -> Keyring:
        try:
            return cls.from_json(json.loads(path.read_text()))
        except json.JSONDecodeError as error:
            raise KeyringError(f"{path} is not JSON: {error}") from error

    def save(self, path: Path, exclusive: bool = False) -> None:
        """Write atomically (temp file + rename) with mode 0600, so readers never see half a file.

        ``exclusive``: only if no keyring exists yet (two processes generating at once keep the
        first one's keys instead of one overwriting the other's)."""
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)  # keys are for this user only
        temporary = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as handle:
            json.dump(self.to_json(), handle, indent=2)
            handle.write("\n")
            handle.flush()
            os.fsync(handle.fileno())
        if not exclusive:
            os.replace(temporary, path)
            return
        try:
            os.link(temporary, path)  # fails when the file exists, unlike rename
        except FileExistsError:
            pass
        finally:
            temporary.unlink()


@dataclass
class FieldCipher:
    """Encrypts, decrypts and blind-indexes column values with a keyring.

    When it was loaded from a file it follows that file: an unknown key id makes it re-read the
    file at once, and encrypting re-reads it when it changed (checked every few seconds), so running
    servers pick up the new current key of a rotation and can read what the rotation wrote.
    """

    keyring: Keyring
    path: Path | None = None
    _aead: dict[str, AESGCM] = field(default_factory=dict, init=False, repr=False)
    _mtime: float = field(default=0.0, init=False, repr=False)
    _checked: float = field(default=0.0, init=False, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)

    def __post_init__(self) -> None:
        self._use(self.keyring)
        if self.path is not None:
            self._mtime = self.path.stat().st_mtime
            self._checked = time.monotonic()

    @classmethod
    def from_file(cls, path: Path) -> FieldCipher:
        return cls(Keyring.load(path), path)

    @property
    def current(self) -> str:
        return self.keyring.current

    def _use(self, keyring: Keyring) -> None:
        self._aead = {key_id: AESGCM(key) for key_id, key in keyring.keys.items()}
        self.keyring = keyring

    def reload(self) -> None:
        """Re-read the keyring file (no-op for a cipher built from a keyring in memory)."""
        if self.path is None:
            return
        with self._lock:
            mtime = self.path.stat().st_mtime
            if mtime != self._mtime:
                self._use(Keyring.load(self.path))
                self._mtime = mtime
            self._checked = time.monotonic()

    def replace(self, keyring: Keyring) -> None:
        """Use ``keyring`` from now on and write it to the keyring file (rotation, retirement)."""
        with self._lock:
            if self.path is not None:
                keyring.save(self.path)
                self._mtime = self.path.stat().st_mtime
            self._use(keyring)

    def encrypt(self, plaintext: str, column: str) -> str:
        if self.path is not None and time.monotonic() - self._checked > RELOAD_INTERVAL:
            self.reload()
        key_id = self.keyring.current
        nonce = os.urandom(NONCE_BYTES)
        sealed = self._aead[key_id].encrypt(nonce, plaintext.encode(), column.encode())
        return f"{VERSION}:{key_id}:{_b64(nonce + sealed)}"

    def decrypt(self, token: str, column: str) -> str:
        _, key_id, body = self.parse(token)
        aead = self._aead.get(key_id)
        if aead is None:
            self.reload()
            aead = self._aead.get(key_id)
            if aead is None:
                raise DecryptionError(f"{column}: unknown key id {key_id!r}")
        try:
            data = base64.b64decode(body, validate=True)
        except (binascii.Error, ValueError) as error:
            raise DecryptionError(f"{column}: ciphertext is not base64") from error
        if len(data) < NONCE_BYTES + 16:
            raise DecryptionError(f"{column}: ciphertext too short")
        try:
            return aead.decrypt(data[:NONCE_BYTES], data[NONCE_BYTES:], column.encode()).decode()
        except InvalidTag as error:
            raise DecryptionError(f"{column}: altered ciphertext, wrong key or wrong column") from error

    @staticmethod
    def parse(token: str) -> tuple[str, str, str]:
        """``(version, key id, base64 body)``; raises DecryptionError for anything else."""
        parts = token.split(":", 2)
        if len(parts) != 3 or parts[0] != VERSION or not KEY_ID.match(parts[1]):
            raise DecryptionError(f"not a {VERSION} ciphertext")
        return parts[0], parts[1], parts[2]

    def key_id(self, token: str) -> str:
        return self.parse(token)[1]

    def blind_index(self, plaintext: str, column: str) -> str:
        message = column.encode() + b"\x00" + normalise(plaintext).encode()
        return hmac.digest(self.keyring.index_key, message, "sha256").hex()


class KeyringSettings(Protocol):
    """The part of subgraphs.settings.Settings this module reads."""

    @property
    def dev_mode(self) -> bool: ...
    @property
    def pii_keyring_path(self) -> Path: ...


def load_cipher(settings: KeyringSettings) -> FieldCipher:
    """The cipher for ``settings``; generates the keyring in dev mode, else a missing one is an error."""
    path = settings.pii_keyring_path
    if not path.exists():
        if not settings.dev_mode:
            raise KeyringError(
                f"PII keyring {path} is missing: provision it (DCMS_PII_KEYRING_FILE) before starting; "
                "it is generated only in dev mode (DCMS_DEV=1)"
            )
        Keyring.generate().save(path, exclusive=True)
    return FieldCipher.from_file(path)


def install_cipher(settings: KeyringSettings) -> FieldCipher:
    """Load the keyring for ``settings`` and make the models' encrypted fields use it."""
    cipher = load_cipher(settings)
    set_cipher(cipher)
    return cipher
