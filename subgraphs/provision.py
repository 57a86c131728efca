"""Production secrets: written once by ``dcms secrets init``, checked before every start.

The secrets a production deployment (``DCMS_DEV=0``) needs, all in one directory by default
(``DCMS_KEYS_DIR``; each file can also be named on its own, see subgraphs/settings.py):

- ``token-es256.pem`` / ``token-es256.pub.pem``: the ES256 pair that signs and verifies tokens
  (security/keys.py); only the operations subgraph needs the private half;
- ``gateway-hmac-secret``: the secret the gateway signs upstream requests with
  (security/gateway_trust.py), unless ``DCMS_GATEWAY_HMAC_SECRET`` holds it;
- ``pii-keyring.json``: the keys that encrypt PII at rest (security/crypto.py). Back it up:
  without it the encrypted columns cannot be read.

``init_secrets`` writes them with mode 0600 in a 0700 directory and refuses to overwrite any
(an overwritten keyring loses data; an overwritten token key logs everybody out).
``missing_secrets`` is what every start command checks first (subgraphs/cli.py): outside dev
mode a missing or unreadable secret stops the start in one line before anything runs. In dev
mode nothing is required: the development secrets are generated on first use.
"""

from __future__ import annotations

import json
import os
import secrets
from pathlib import Path

from security.crypto import Keyring, KeyringError, load_cipher
from security.keys import KeyConfigError, load_token_keys, new_key_pair_pem
from subgraphs.settings import HMAC_SECRET_FILE, Settings

TOKEN_PRIVATE = "token-es256.pem"
TOKEN_PUBLIC = "token-es256.pub.pem"
KEYRING = "pii-keyring.json"
SECRET_FILES = (TOKEN_PRIVATE, TOKEN_PUBLIC, HMAC_SECRET_FILE, KEYRING)


class SecretsExist(RuntimeError):
    """``init_secrets`` found secrets already there and wrote nothing."""


def init_secrets(directory: Path) -> list[Path]:
    """Write every production secret into ``directory`` (0700), each file 0600; nothing when any
    of them exists already."""
    directory = directory.resolve()
    existing = [directory / name for name in SECRET_FILES if (directory / name).exists()]
    if existing:
        raise SecretsExist(
            f"{', '.join(str(p) for p in existing)} already exist(s) "
            "(overwriting the PII keyring would make encrypted data unreadable)"
        )
    if not directory.exists():
        directory.mkdir(mode=0o700, parents=True)
    elif directory.stat().st_mode & 0o077 and any(directory.iterdir()):
        # Never loosen or tighten a directory in use (`--dir /etc`): only one of our own.
        raise SecretsExist(f"{directory} is open to other users and holds other files: use a new directory")
    directory.chmod(0o700)  # whatever the umask
    private_pem, public_pem = new_key_pair_pem()
    contents = {
        TOKEN_PRIVATE: private_pem,
        TOKEN_PUBLIC: public_pem,
        HMAC_SECRET_FILE: secrets.token_urlsafe(48).encode() + b"\n",
        KEYRING: json.dumps(Keyring.generate().to_json(), indent=2).encode() + b"\n",
    }
    written: list[Path] = []
    try:
        for name, data in contents.items():
            path = directory / name
            # O_EXCL: a file that appeared meanwhile (another init) is never overwritten.
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            written.append(path)
            with os.fdopen(fd, "wb") as handle:
                os.fchmod(handle.fileno(), 0o600)  # exactly 0600, whatever the umask
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
    except OSError:
        for path in written:  # all or nothing: a half set would block the next run
            path.unlink(missing_ok=True)
        raise
    return written


def environment(directory: Path) -> list[str]:
    """The variables every dcms process (and so the gateway) needs to use ``directory``."""
    return ["DCMS_DEV=0", f"DCMS_KEYS_DIR={directory.resolve()}"]


def missing_secrets(settings: Settings, signing: bool = True) -> str | None:
    """Why the secrets of ``settings`` cannot start a production process, in one line, or None.

    ``signing``: the token signing key is needed too (the operations subgraph issues tokens)."""
    if settings.dev_mode:
        return None
    missing = []
    if signing and not settings.token_private_key_path.exists():
        missing.append(f"token signing key {settings.token_private_key_path}")
    if not settings.token_public_key_path.exists():
        missing.append(f"token public key {settings.token_public_key_path}")
    if not settings.hmac_secret:
        where = settings.keys_dir / HMAC_SECRET_FILE
        missing.append(
            f"gateway HMAC secret (DCMS_GATEWAY_HMAC_SECRET, DCMS_GATEWAY_HMAC_SECRET_FILE or {where})"
        )
    if not settings.pii_keyring_path.exists():
        missing.append(f"PII keyring {settings.pii_keyring_path}")
    if missing:
        return (
            f"missing production secrets: {'; '.join(missing)}. Create them with "
            f"`dcms secrets init --dir {settings.keys_dir}` and set DCMS_KEYS_DIR to that directory "
            "(or run with DCMS_DEV=1 for development)"
        )
    try:  # present, but are they usable?
        load_token_keys(settings, signing=signing)
        load_cipher(settings)
    except (KeyConfigError, KeyringError, OSError, ValueError) as error:
        return " ".join(f"unusable production secret: {error}".split())
    return None
