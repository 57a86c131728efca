"""PII at rest on the real storage: raw rows hold no plaintext, exact search by blind index works
through the GraphQL field (in process and through the gateway), and `dcms keys rotate` re-encrypts
everything while old ciphertexts stay readable until `--retire`."""

from __future__ import annotations

import json
import random
import sqlite3
import uuid
from collections.abc import Iterator
from dataclasses import replace
from typing import Any, cast

import pytest

import models.common
from clients.python.dcms_client import data, gql
from models.common import blind_index, set_cipher
from models.customers import Customer, CustomerKind
from security.crypto import DecryptionError, FieldCipher, load_cipher
from subgraphs.keys import rotate_keys
from subgraphs.settings import Settings
from testkit.factories import make_tenant
from testkit.inprocess import execute
from tests.support.stack import Stack

pytestmark = pytest.mark.integration

PII = ("phone", "id_number", "address")
SEARCH = "query($p: String, $i: String) { customers(first: 10, phone: $p, idNumber: $i) { edges { node { id phone idNumber } } } }"


# --------------------------------------------------------------------------- raw storage access


async def raw_rows(settings: Settings, ids: list[uuid.UUID]) -> dict[uuid.UUID, dict[str, Any]]:
    """The customer rows straight from PostgreSQL (asyncpg) or SQLite (sqlite3), not via the ORM."""
    if settings.database_url:
        import asyncpg

        conn = await asyncpg.connect(settings.database_url)
        try:
            rows = await conn.fetch("SELECT * FROM customers.customer WHERE id = ANY($1::uuid[])", ids)
        finally:
            await conn.close()
        return {row["id"]: dict(row) for row in rows}
    with sqlite3.connect(settings.var_dir / "customers.sqlite3") as conn:
        conn.row_factory = sqlite3.Row
        marks = ",".join("?" * len(ids))
        rows = conn.execute(f"SELECT * FROM customer WHERE id IN ({marks})", [str(i) for i in ids]).fetchall()
    return {uuid.UUID(row["id"]): dict(row) for row in rows}


async def raw_set(settings: Settings, id_: uuid.UUID, column: str, value: str) -> None:
    assert column in (*PII, "phone_bidx")
    if settings.database_url:
        import asyncpg

        conn = await asyncpg.connect(settings.database_url)
        try:
            await conn.execute(f"UPDATE customers.customer SET {column} = $1 WHERE id = $2", value, id_)
        finally:
            await conn.close()
        return
    with sqlite3.connect(settings.var_dir / "customers.sqlite3") as conn:
        conn.execute(f"UPDATE customer SET {column} = ? WHERE id = ?", (value, str(id_)))


# --------------------------------------------------------------------------- arranging


def _digits(rng: random.Random, n: int) -> str:
    return "".join(rng.choices("0123456789", k=n))


async def make_customers(
    count: int, tenant_id: uuid.UUID | None = None, manager_id: uuid.UUID | None = None
) -> list[Customer]:
    """Customers with unique PII (random phone, ID number ending in X, address), managed (主办)
    by ``manager_id`` when given, so that manager's searches may find them."""
    rng = random.Random()
    tenant_id = tenant_id or uuid.uuid4()
    rows = []
    for _ in range(count):
        rows.append(
            await Customer.create(
                customer_no="P" + uuid.uuid4().hex[:16],
                name="隐私测试客户",
                kind=CustomerKind.RETAIL,
                tenant_id=tenant_id,
                org_id=tenant_id,
                org_path=f"/{tenant_id}",
                phone="139" + _digits(rng, 8),
                id_number="520102" + _digits(rng, 11) + "X",
                address=f"贵阳市南明区花果园{rng.randrange(1, 999)}号{_digits(rng, 4)}室",
                primary_manager_id=manager_id,
            )
        )
    return rows


def assert_no_plaintext(row: dict[str, Any], customer: Customer, key_id: str | None = None) -> None:
    text = json.dumps(row, default=str, ensure_ascii=False)
    for value in (customer.phone, customer.id_number, customer.address, customer.phone[3:], "花果园"):
        assert value not in text, f"plaintext {value!r} in the raw row"
    for column in PII:
        assert row[column].startswith(f"v1:{key_id}:" if key_id else "v1:"), row[column]
    assert row["phone_bidx"] == blind_index(Customer, "phone", customer.phone)
    assert row["id_number_bidx"] == blind_index(Customer, "id_number", customer.id_number)


@pytest.fixture
def restore_cipher(database: Settings) -> Iterator[None]:
    """After a rotation, the session's cipher follows the rotated keyring file: the object from
    before would go on writing with the retired key, which the stack process no longer has."""
    yield
    set_cipher(load_cipher(replace(database, dev_mode=True)))


# --------------------------------------------------------------------------- tests


async def test_raw_rows_hold_no_plaintext(database: Settings) -> None:
    created = await make_customers(3)
    raw = await raw_rows(database, [c.id for c in created])
    assert len(raw) == 3
    for customer in created:
        assert_no_plaintext(raw[customer.id], customer)
        loaded = await Customer.get(id=customer.id)
        assert (loaded.phone, loaded.id_number, loaded.address) == (
            customer.phone,
            customer.id_number,
            customer.address,
        )


async def test_bulk_create_and_partial_save_keep_blind_indexes(database: Settings) -> None:
    """The seed's path (bulk_create fires no signals) and save(update_fields=…) both index."""
    tenant_id = uuid.uuid4()
    batch = [
        Customer(
            customer_no="B" + uuid.uuid4().hex[:16],
            name=f"批量客户{i}",
            kind=CustomerKind.RETAIL,
            tenant_id=tenant_id,
            org_id=tenant_id,
            org_path=f"/{tenant_id}",
            phone=f"1370000{i:04d}",
            id_number=f"52010219800101{i:04d}",
            address="遵义市汇川区上海路1号",
        )
        for i in range(5)
    ]
    await Customer.bulk_create(batch)
    raw = await raw_rows(database, [c.id for c in batch])
    for customer in batch:
        assert_no_plaintext(raw[customer.id], customer)

    first = await Customer.get(id=batch[0].id)
    first.phone = "137 9999 0000"
    await first.save(update_fields=["phone"])  # the blind index follows its source
    row = (await raw_rows(database, [first.id]))[first.id]
    assert row["phone_bidx"] == blind_index(Customer, "phone", "13799990000")
    with pytest.raises(TypeError, match="blind index"):
        await Customer.filter(id=first.id).update(phone="13700000000")  # would leave the index stale


async def test_ciphertext_moved_to_another_column_fails(database: Settings) -> None:
    (customer,) = await make_customers(1)
    row = (await raw_rows(database, [customer.id]))[customer.id]
    try:
        await raw_set(database, customer.id, "address", row["phone"])
        with pytest.raises(DecryptionError, match="wrong column"):
            await Customer.get(id=customer.id)
        tampered = row["phone"][:-4] + ("AAAA" if not row["phone"].endswith("AAAA") else "BBBB")
        await raw_set(database, customer.id, "address", row["address"])
        await raw_set(database, customer.id, "phone", tampered)
        with pytest.raises(DecryptionError):
            await Customer.get(id=customer.id)
    finally:
        await Customer.filter(id=customer.id).delete()  # no undecryptable row for later tests


async def test_exact_search_by_phone_and_id_number(database: Settings) -> None:
    tenant = await make_tenant(database, customers=1, grabbers=0, needs=0)
    target, other = await make_customers(2, manager_id=tenant.manager.id)
    spaced_phone = f"{target.phone[:3]} {target.phone[3:7]}-{target.phone[7:]}"
    for variables in (
        {"p": target.phone},
        {"p": spaced_phone},
        {"i": target.id_number},
        {"i": target.id_number.lower()},
        {"p": target.phone, "i": target.id_number},
    ):
        result = await execute("customers", SEARCH, variables, tenant.manager_token, settings=database)
        assert result.errors is None, result.errors
        nodes = [edge["node"] for edge in result.data["customers"]["edges"]]
        assert nodes == [{"id": str(target.id), "phone": target.phone, "idNumber": target.id_number}], (
            variables
        )
    for variables in ({"p": target.phone, "i": other.id_number}, {"p": target.phone[:-1]}):
        result = await execute("customers", SEARCH, variables, tenant.manager_token, settings=database)
        assert result.data["customers"]["edges"] == [], variables
    empty = await execute("customers", SEARCH, {"p": " - "}, tenant.manager_token, settings=database)
    assert [e.extensions["code"] for e in empty.errors] == ["BAD_USER_INPUT"]


@pytest.mark.e2e
async def test_exact_search_through_the_gateway(stack: Stack) -> None:
    """The subgraph process decrypts and searches with the same keyring file."""
    tenant = await make_tenant(stack.settings, customers=1, grabbers=0, needs=0)
    (target,) = await make_customers(1, manager_id=tenant.manager.id)
    result = data(await gql(stack.gateway_url, SEARCH, {"i": target.id_number.lower()}, tenant.manager_token))
    assert [edge["node"] for edge in result["customers"]["edges"]] == [
        {"id": str(target.id), "phone": target.phone, "idNumber": target.id_number}
    ]


def _current_key() -> str:
    """The id of the installed cipher's current key (set_cipher installs a FieldCipher)."""
    return cast(FieldCipher, models.common.get_cipher()).current


async def test_rotation_reencrypts_resumably_and_retires(
    database: Settings, restore_cipher: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    created = await make_customers(12)
    ids = [c.id for c in created]
    old_key = _current_key()
    legacy = created[0]  # a row from before encryption: plaintext, no blind index
    await raw_set(database, legacy.id, "phone", legacy.phone)
    await raw_set(database, legacy.id, "phone_bidx", "")
    assert (await Customer.get(id=legacy.id)).phone == legacy.phone

    # Interrupted once half of these rows are done (one row per batch, so the cut is exact).
    real_bulk_update = Customer.bulk_update
    done: list[uuid.UUID] = []

    def failing_bulk_update(rows: list[Customer], *args: Any, **kwargs: Any) -> Any:
        if len(done) == len(ids) // 2:
            raise RuntimeError("interrupted")
        done.extend(row.id for row in rows if row.id in ids)
        return real_bulk_update(rows, *args, **kwargs)

    monkeypatch.setattr(Customer, "bulk_update", failing_bulk_update)
    with pytest.raises(RuntimeError, match="interrupted"):
        await rotate_keys(database, batch_size=1, progress=False)
    monkeypatch.undo()
    new_key = _current_key()
    assert new_key != old_key
    keyring = json.loads(database.pii_keyring_path.read_text())
    assert keyring["current"] == new_key and old_key in keyring["keys"]
    raw = await raw_rows(database, ids)
    on_new = sum(all(raw[i][c].startswith(f"v1:{new_key}:") for c in PII) for i in ids)
    assert on_new == len(ids) // 2  # half on the new key, half on the old:
    for customer in created:  # old ciphertexts are still readable during the rotation
        loaded = await Customer.get(id=customer.id)
        assert (loaded.phone, loaded.id_number, loaded.address) == (
            customer.phone,
            customer.id_number,
            customer.address,
        )

    # Resumed: rows already on the new key are skipped.
    resumed = await rotate_keys(database, resume=True, batch_size=5, progress=False)
    assert _current_key() == new_key
    raw = await raw_rows(database, ids)
    for customer in created:
        assert_no_plaintext(raw[customer.id], customer, key_id=new_key)  # the legacy row too, indexed
    assert 0 < resumed["customers.customer"]
    again = await rotate_keys(database, resume=True, progress=False)  # every encrypted table, nothing left
    assert "customers.customer" in again and "finance.financing_need" in again and set(again.values()) == {0}

    # Retired: the old key leaves the keyring file; data intact.
    retired = await rotate_keys(database, retire=True, progress=False)
    assert retired["retired"] >= 1 and retired["kept"] == 0
    keyring = json.loads(database.pii_keyring_path.read_text())
    assert keyring["current"] == new_key and old_key not in keyring["keys"]
    for customer in created:
        loaded = await Customer.get(id=customer.id)
        assert (loaded.phone, loaded.id_number, loaded.address) == (
            customer.phone,
            customer.id_number,
            customer.address,
        )
    assert await Customer.filter(phone_bidx=blind_index(Customer, "phone", legacy.phone)).count() == 1
