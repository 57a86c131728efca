"""Token keys (security/keys.py): generated in dev mode only, read back, rotated with old and new public keys."""

from __future__ import annotations

import uuid
from dataclasses import replace
from pathlib import Path

import pytest

from models.operations import Org, OrgKind, User
from resolvers.operations.identity import principal_for
from security.keys import KeyConfigError, TokenKeys, load_token_keys
from security.tokens import issue_token, read_token
from subgraphs.settings import Settings
from testkit.factories import offline_settings


def _key_settings(tmp_path: Path, dev: bool) -> Settings:
    return offline_settings(tmp_path, dev)


@pytest.mark.unit
def test_keys_are_generated_in_dev_mode_only(tmp_path: Path) -> None:
    with pytest.raises(KeyConfigError, match="DCMS_TOKEN_PUBLIC_KEY_FILE"):
        load_token_keys(_key_settings(tmp_path, dev=False))
    dev = _key_settings(tmp_path, dev=True)
    keys = load_token_keys(dev)
    assert dev.token_private_key_path.stat().st_mode & 0o077 == 0  # private key readable by owner only
    again = load_token_keys(dev)  # the second start reads the same pair
    assert again.public_keys == keys.public_keys and again.signing_key_id == keys.signing_key_id
    # Outside dev mode the same files load; a verifier needs only the public one.
    dev.token_private_key_path.rename(tmp_path / "elsewhere.pem")
    verifier = load_token_keys(_key_settings(tmp_path, dev=False), signing=False)
    assert verifier.private_key is None and verifier.public_keys == keys.public_keys
    with pytest.raises(KeyConfigError, match="signing key not found"):
        load_token_keys(_key_settings(tmp_path, dev=False))


@pytest.mark.unit
def test_key_rotation_accepts_old_and_new_keys(tmp_path: Path) -> None:
    """The public key file carries the new and the old key while old tokens run out."""
    old, new = TokenKeys.generate(), TokenKeys.generate()
    principal = principal_for(_user(), _org())
    old_token = issue_token(principal, old)
    public = tmp_path / "token-es256.pub.pem"
    public.write_bytes(_pem(new) + _pem(old))
    private = tmp_path / "token-es256.pem"
    private.write_bytes(_private_pem(new))
    settings = replace(
        _key_settings(tmp_path, dev=False), token_private_key_file=private, token_public_key_file=public
    )
    both = load_token_keys(settings)
    assert read_token(old_token, both).user_id == principal.user_id
    assert read_token(issue_token(principal, both), both).user_id == principal.user_id
    public.write_bytes(_pem(old))  # the signing key's public half is missing: refuse to start
    with pytest.raises(KeyConfigError, match="does not match"):
        load_token_keys(settings)


def _org() -> Org:
    return Org(id=uuid.uuid4(), code="X", name="x", kind=OrgKind.BRANCH, path="/x", tenant_id=None)


def _user() -> User:
    return User(id=uuid.uuid4(), username="u", display_name="u", roles=["CUSTOMER_MANAGER"], grid_ids=[])


def _pem(keys: TokenKeys) -> bytes:
    from cryptography.hazmat.primitives import serialization

    public = next(iter(keys.public_keys.values()))
    return public.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)


def _private_pem(keys: TokenKeys) -> bytes:
    from cryptography.hazmat.primitives import serialization

    assert keys.private_key is not None
    return keys.private_key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
