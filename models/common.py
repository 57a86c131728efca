"""Pieces every subgraph's models share: the entity base, and encrypted PII columns.

Encrypted columns (``EncryptedTextField``) encrypt in ``to_db_value`` and decrypt in
``to_python_value``; the cipher comes from ``set_cipher`` (security/crypto.py builds it from the
keyring; the app, the CLI and the tests install it), because models import nothing of ours.
A ``BlindIndexField(source="phone")`` next to it stores the HMAC blind index of the plaintext for
exact search; it computes itself from its source whenever the row is written (insert, save,
``bulk_create``, ``bulk_update``), so no signal is needed and the seed's bulk inserts are right too.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Protocol
from uuid import uuid4

from tortoise import fields
from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.models import Model

CIPHERTEXT_PREFIX = "v1:"


class PiiCipher(Protocol):
    """What encrypted fields need; security.crypto.FieldCipher is the implementation."""

    def encrypt(self, plaintext: str, column: str) -> str: ...
    def decrypt(self, token: str, column: str) -> str: ...
    def blind_index(self, plaintext: str, column: str) -> str: ...


class CipherNotSet(RuntimeError):
    """An encrypted column was read or written before ``set_cipher``."""


_cipher: PiiCipher | None = None


def set_cipher(cipher: PiiCipher | None) -> None:
    """Install the cipher encrypted fields use (None uninstalls it)."""
    global _cipher
    _cipher = cipher


def get_cipher() -> PiiCipher:
    if _cipher is None:
        raise CipherNotSet(
            "encrypted PII columns need a cipher: call models.common.set_cipher(...) first "
            "(security.crypto.install_cipher(settings) does it)"
        )
    return _cipher


def column_label(model: type[Model], field_name: str) -> str:
    """``<subgraph>.<table>.<field>``: the associated data of a ciphertext and the blind index's domain.

    The subgraph comes from the model's package (``models.customers`` or ``models.finance.orders``
    → ``customers`` / ``finance``), not from Tortoise's app label, so it is the same before
    ``Tortoise.init``, under any configuration, and wherever in the package the model lives."""
    return f"{model.__module__.split('.')[1]}.{model._meta.db_table}.{field_name}"


class EncryptedTextField(fields.TextField):
    """A text column stored as ``v1:<key id>:<base64>`` (AES-256-GCM bound to this column).

    Filter it through its blind index; ``QuerySet.update`` and ``filter`` on it raise, since they
    would bypass the blind index or compare random ciphertexts.
    """

    def _label(self) -> str:
        return column_label(self.model, self.model_field_name)

    def to_db_value(self, value: Any, instance: type[Model] | Model | None) -> str | None:
        if value is None:
            return None
        if not isinstance(instance, Model):
            raise TypeError(
                f"{self._label()} is encrypted: filter by its blind index and write through a model instance"
            )
        return get_cipher().encrypt(str(value), self._label())

    def to_python_value(self, value: Any) -> str | None:
        # Also called with the plaintext of Model(field=…): only ciphertexts are decrypted.
        # Plaintext from before encryption (legacy rows) reads as is until `dcms keys rotate`.
        if value is None or not isinstance(value, str) or not value.startswith(CIPHERTEXT_PREFIX):
            return value
        return get_cipher().decrypt(value, self._label())


class BlindIndexField(fields.CharField):
    """HMAC-SHA256 of ``source``'s normalised plaintext (hex), indexed; None for an empty source.

    Filter with the digest from ``blind_index(Model, "source", value)``.
    """

    def __init__(self, source: str, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 64)
        kwargs.setdefault("null", True)
        kwargs.setdefault("db_index", True)
        self.source = source
        super().__init__(**kwargs)

    def to_db_value(self, value: Any, instance: type[Model] | Model | None) -> str | None:
        if not isinstance(instance, Model):
            return value  # a filter: the caller passes the digest
        digest = blind_index(type(instance), self.source, getattr(instance, self.source))
        instance.__dict__[self.model_field_name] = digest
        return digest


def blind_index(model: type[Model], source: str, plaintext: str | None) -> str | None:
    """The blind index ``model.<source>`` has for ``plaintext`` (None when empty)."""
    if not plaintext:
        return None
    return get_cipher().blind_index(plaintext, column_label(model, source))


def encrypted_fields(model: type[Model]) -> list[str]:
    return [name for name, f in model._meta.fields_map.items() if isinstance(f, EncryptedTextField)]


def blind_index_fields(model: type[Model]) -> dict[str, str]:
    """Blind index field → its source field."""
    return {name: f.source for name, f in model._meta.fields_map.items() if isinstance(f, BlindIndexField)}


class Entity(Model):
    """A UUID primary key (no guessable sequences) and creation/update times."""

    id = fields.UUIDField(primary_key=True, default=uuid4)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        abstract = True

    async def save(
        self,
        using_db: BaseDBAsyncClient | None = None,
        update_fields: Iterable[str] | None = None,
        force_create: bool = False,
        force_update: bool = False,
    ) -> None:
        if update_fields is not None:  # a blind index is written whenever its source is
            update_fields = list(update_fields)
            update_fields += [
                index
                for index, source in blind_index_fields(type(self)).items()
                if source in update_fields and index not in update_fields
            ]
        await super().save(using_db, update_fields, force_create, force_update)
