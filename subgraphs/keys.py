"""Key rotation of the PII keyring (``dcms keys rotate``).

``rotate_keys(settings)`` adds a new current key to the keyring file, then re-encrypts every
encrypted column of every model with it: batches ordered by primary key, each batch one
transaction that locks its rows (``SELECT … FOR UPDATE`` on PostgreSQL) so a concurrent edit is
not overwritten with a stale value. Rows already on the current key are skipped, so an interrupted
run continues with ``--resume`` (no new key). Old keys stay in the keyring, readable, until
``--retire``: it finishes any leftovers, counts which key ids rows still use and drops the others.
Legacy plaintext (rows written before encryption) is encrypted by the same pass, and blind indexes
are recomputed on the way.

Running servers follow the keyring file (security/crypto.py re-reads it when it changes and on an
unknown key id), so they read the new ciphertexts and write with the new key within seconds. With
several hosts, distribute the new keyring file before rotating, and retire only once every host
has it.

The ORM must be open (``open_database``) with every subgraph whose models hold encrypted fields.
"""

from __future__ import annotations

import sys
from functools import reduce
from operator import or_
from typing import Any

from tortoise import Tortoise
from tortoise.expressions import Q
from tortoise.models import Model
from tortoise.transactions import in_transaction
from tqdm import tqdm

from models.common import CIPHERTEXT_PREFIX, blind_index_fields, encrypted_fields, set_cipher
from security.crypto import FieldCipher, load_cipher
from subgraphs.settings import Settings

BATCH_SIZE = 500


def encrypted_models() -> list[type[Model]]:
    """Every registered model with at least one encrypted field."""
    return [
        model
        for app in Tortoise.apps.values()
        for model in app.values()
        if not model._meta.abstract and encrypted_fields(model)
    ]


def _label(model: type[Model]) -> str:
    return f"{model._meta.app}.{model._meta.db_table}"


def _stale(model: type[Model], key_id: str) -> Q:
    """Rows holding any encrypted value not on ``key_id`` (older keys or legacy plaintext)."""
    prefix = f"{CIPHERTEXT_PREFIX[:-1]}:{key_id}:"
    stale = []
    for name in encrypted_fields(model):
        present: dict[str, Any] = {f"{name}__isnull": False}
        current: dict[str, Any] = {f"{name}__startswith": prefix}
        stale.append(Q(**present) & ~Q(**current))
    return reduce(or_, stale)


async def _reencrypt(model: type[Model], key_id: str, batch_size: int, progress: bool) -> int:
    names = encrypted_fields(model)
    written = names + list(blind_index_fields(model))
    connection = model._meta.default_connection
    pk = model._meta.pk_attr
    total = await model.filter(_stale(model, key_id)).count()
    done = 0
    last = None
    with tqdm(
        total=total, desc=f"re-encrypt {_label(model)}", unit="row", file=sys.stderr, disable=not progress
    ) as bar:
        while True:
            async with in_transaction(connection) as conn:
                query = model.filter(_stale(model, key_id))
                if last is not None:
                    query = query.filter(**{f"{pk}__gt": last})
                rows = await query.order_by(pk).limit(batch_size).select_for_update().using_db(conn)
                if not rows:
                    break
                # Loading decrypted them with whichever key they name; writing encrypts with the
                # current key and recomputes the blind indexes (models/common.py).
                await model.bulk_update(rows, fields=written, batch_size=batch_size, using_db=conn)
            last = rows[-1].pk
            done += len(rows)
            bar.update(len(rows))
    return done


async def key_usage(cipher: FieldCipher) -> dict[str, int]:
    """Encrypted values per key id of the keyring, over every encrypted column."""
    usage = dict.fromkeys(cipher.keyring.keys, 0)
    for model in encrypted_models():
        for name in encrypted_fields(model):
            for key_id in usage:
                prefix = f"{CIPHERTEXT_PREFIX[:-1]}:{key_id}:"
                usage[key_id] += await model.filter(**{f"{name}__startswith": prefix}).count()
    return usage


async def rotate_keys(
    settings: Settings,
    *,
    resume: bool = False,
    retire: bool = False,
    batch_size: int = BATCH_SIZE,
    progress: bool = True,
) -> dict[str, int]:
    """Rotate the PII keys; returns rows re-encrypted per ``<app>.<table>`` and, with ``retire``,
    ``retired`` (keys dropped) and ``kept`` (old keys still in use).

    Without ``resume``/``retire`` a new current key is generated first; ``resume`` continues an
    interrupted rotation to the current key; ``retire`` finishes it and drops unused old keys.
    """
    cipher = load_cipher(settings)
    if not (resume or retire):
        cipher.replace(cipher.keyring.with_new_key())
    set_cipher(cipher)  # this process writes with the (new) current key
    key_id = cipher.current
    counts: dict[str, int] = {}
    for model in encrypted_models():
        counts[_label(model)] = await _reencrypt(model, key_id, batch_size, progress)
    if retire:
        usage = await key_usage(cipher)
        unused = {k for k, used in usage.items() if used == 0 and k != key_id}
        if unused:
            cipher.replace(cipher.keyring.without(unused))
        counts["retired"] = len(unused)
        counts["kept"] = sum(1 for k, used in usage.items() if used and k != key_id)
    return counts
