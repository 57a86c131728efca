"""PII encryption primitives (security/crypto.py) and the encrypted field's guards (models/common.py)."""

from __future__ import annotations

import base64
import json
import os
import stat
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

import models.common
from models.common import CipherNotSet, blind_index, set_cipher
from models.customers import Customer, CustomerKind
from security.crypto import DecryptionError, FieldCipher, Keyring, KeyringError, load_cipher, normalise
from subgraphs.settings import Settings
from testkit.factories import offline_settings

pytestmark = pytest.mark.unit

PHONE = "customers.customer.phone"
ADDRESS = "customers.customer.address"


@pytest.fixture
def cipher() -> FieldCipher:
    return FieldCipher(Keyring.generate())


@pytest.fixture
def installed() -> Iterator[None]:
    """Restore whatever cipher the session had installed after a test swaps it."""
    before = models.common._cipher
    yield
    set_cipher(before)


def _settings(tmp_path: Path, dev_mode: bool) -> Settings:
    return offline_settings(tmp_path, dev_mode)


def test_round_trip_and_format(cipher: FieldCipher) -> None:
    token = cipher.encrypt("13812345678", PHONE)
    version, key_id, body = token.split(":", 2)
    assert (version, key_id) == ("v1", "k1")
    raw = base64.b64decode(body)
    assert len(raw) == 12 + len("13812345678") + 16  # nonce ‖ ciphertext ‖ GCM tag
    assert "13812345678" not in token
    assert cipher.decrypt(token, PHONE) == "13812345678"
    assert (
        cipher.decrypt(cipher.encrypt("贵阳市南明区人民路1号", ADDRESS), ADDRESS) == "贵阳市南明区人民路1号"
    )
    assert cipher.decrypt(cipher.encrypt("", PHONE), PHONE) == ""


def test_random_nonce_per_value(cipher: FieldCipher) -> None:
    tokens = {cipher.encrypt("13812345678", PHONE) for _ in range(50)}
    assert len(tokens) == 50
    nonces = {base64.b64decode(t.split(":", 2)[2])[:12] for t in tokens}
    assert len(nonces) == 50


def test_tampered_ciphertext_fails(cipher: FieldCipher) -> None:
    token = cipher.encrypt("13812345678", PHONE)
    prefix, body = token.rsplit(":", 1)
    raw = bytearray(base64.b64decode(body))
    for position in (0, 12, len(raw) - 1):  # nonce, ciphertext, tag
        altered = bytearray(raw)
        altered[position] ^= 0x01
        with pytest.raises(DecryptionError):
            cipher.decrypt(f"{prefix}:{base64.b64encode(bytes(altered)).decode()}", PHONE)
    with pytest.raises(DecryptionError):
        cipher.decrypt(f"{prefix}:{base64.b64encode(bytes(raw[:-1])).decode()}", PHONE)  # truncated
    for malformed in ("v1:k1:not base64!", "v2:k1:" + body, "v1::" + body, "13812345678", "v1:k1"):
        with pytest.raises(DecryptionError):
            cipher.decrypt(malformed, PHONE)


def test_wrong_column_fails(cipher: FieldCipher) -> None:
    token = cipher.encrypt("13812345678", PHONE)
    with pytest.raises(DecryptionError, match="wrong column"):
        cipher.decrypt(token, ADDRESS)
    with pytest.raises(DecryptionError):
        cipher.decrypt(token, "finance.financing_need.phone")


def test_unknown_key_id_fails(cipher: FieldCipher) -> None:
    token = cipher.encrypt("13812345678", PHONE)
    with pytest.raises(DecryptionError, match="unknown key id 'k9'"):
        cipher.decrypt(token.replace("v1:k1:", "v1:k9:"), PHONE)
    other = FieldCipher(Keyring.generate())  # same key id, different key
    with pytest.raises(DecryptionError):
        other.decrypt(token, PHONE)


def test_rotation_keeps_old_keys_readable(cipher: FieldCipher) -> None:
    old = cipher.encrypt("13812345678", PHONE)
    cipher.replace(cipher.keyring.with_new_key())
    new = cipher.encrypt("13812345678", PHONE)
    assert (cipher.key_id(old), cipher.key_id(new)) == ("k1", "k2")
    assert cipher.decrypt(old, PHONE) == cipher.decrypt(new, PHONE) == "13812345678"
    cipher.replace(cipher.keyring.without({"k1"}))
    with pytest.raises(DecryptionError):
        cipher.decrypt(old, PHONE)
    with pytest.raises(KeyringError):
        cipher.keyring.without({"k2"})


def test_blind_index_normalises(cipher: FieldCipher) -> None:
    assert normalise(" 138-1234 5678 ") == "13812345678"
    phones = ("13812345678", "138 1234 5678", "138-1234-5678", "１３８１２３４５６７８", " 138\t1234—5678 ")
    assert len({cipher.blind_index(p, PHONE) for p in phones}) == 1
    ids = ("52010219900101123X", "52010219900101123x", "520102 19900101 123x", "520102-19900101-123X")
    assert len({cipher.blind_index(i, "customers.customer.id_number") for i in ids}) == 1
    digest = cipher.blind_index("13812345678", PHONE)
    assert len(digest) == 64 and "13812345678" not in digest
    assert digest != cipher.blind_index("13812345679", PHONE)
    assert digest != cipher.blind_index("13812345678", "customers.customer.id_number")  # per column
    assert digest != FieldCipher(Keyring.generate()).blind_index("13812345678", PHONE)  # keyed


def test_keyring_file(tmp_path: Path) -> None:
    settings = _settings(tmp_path, dev_mode=True)
    cipher = load_cipher(settings)  # dev mode: generated on first use
    path = tmp_path / "keys" / "pii-keyring.json"
    assert settings.pii_keyring_path == path and path.exists()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    data = json.loads(path.read_text())
    assert data["current"] == "k1" and set(data["keys"]) == {"k1"}
    assert base64.b64decode(data["index_key"]) != base64.b64decode(data["keys"]["k1"])
    assert load_cipher(settings).keyring == cipher.keyring  # second use reads, never regenerates

    explicit = tmp_path / "elsewhere.json"
    Keyring.generate().with_new_key().save(explicit)
    assert load_cipher(replace(settings, pii_keyring_file=explicit)).current == "k2"

    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"current": "k3", "keys": {"k1": data["keys"]["k1"]}, "index_key": "x"}))
    with pytest.raises(KeyringError):
        load_cipher(replace(settings, pii_keyring_file=bad))
    bad.write_text(json.dumps({"current": "k1", "keys": {"k1": "c2hvcnQ="}, "index_key": data["index_key"]}))
    with pytest.raises(KeyringError, match="32 bytes"):
        load_cipher(replace(settings, pii_keyring_file=bad))


def test_missing_keyring_outside_dev_mode_is_a_startup_error(tmp_path: Path) -> None:
    settings = _settings(tmp_path, dev_mode=False)
    with pytest.raises(KeyringError, match=r"pii-keyring\.json is missing"):
        load_cipher(settings)
    from subgraphs.app import build_app

    with pytest.raises(KeyringError):
        build_app(settings, ("customers",))
    env = {**os.environ, "DCMS_VAR_DIR": str(tmp_path), "DCMS_DEV": "0", "DCMS_KEYS_DIR": str(tmp_path / "k")}
    env.pop("DATABASE_URL", None)
    cli = subprocess.run(
        [sys.executable, "-m", "subgraphs.cli", "keys", "rotate"], env=env, capture_output=True, text=True
    )
    assert cli.returncode != 0 and "PII keyring" in cli.stderr and "is missing" in cli.stderr
    assert not (tmp_path / "k").exists()


def test_cipher_follows_the_keyring_file(tmp_path: Path) -> None:
    path = tmp_path / "keyring.json"
    Keyring.generate().save(path)
    server, rotator = FieldCipher.from_file(path), FieldCipher.from_file(path)
    rotator.replace(rotator.keyring.with_new_key())
    token = rotator.encrypt("13812345678", PHONE)
    assert server.decrypt(token, PHONE) == "13812345678"  # unknown key id → re-read the file
    assert server.current == "k2"


def test_encrypted_field_needs_the_cipher(installed: None, cipher: FieldCipher) -> None:
    field = Customer._meta.fields_map["phone"]
    customer = Customer(name="张三", kind=CustomerKind.RETAIL, phone="13812345678")
    set_cipher(None)
    with pytest.raises(CipherNotSet, match="set_cipher"):
        field.to_db_value("13812345678", customer)
    with pytest.raises(CipherNotSet):
        field.to_python_value("v1:k1:AAAA")
    set_cipher(cipher)
    token = field.to_db_value("13812345678", customer)
    assert token.startswith("v1:k1:") and field.to_python_value(token) == "13812345678"
    with pytest.raises(DecryptionError):
        Customer._meta.fields_map["address"].to_python_value(token)  # AAD names the column
    with pytest.raises(TypeError, match="blind index"):
        field.to_db_value("13812345678", Customer)  # filter(phone=…) would compare random ciphertexts
    bidx = Customer._meta.fields_map["phone_bidx"]
    assert bidx.to_db_value(None, customer) == cipher.blind_index("13812345678", PHONE)
    assert customer.phone_bidx == blind_index(Customer, "phone", "138 1234 5678")
    customer.phone = ""
    assert bidx.to_db_value("stale", customer) is None
