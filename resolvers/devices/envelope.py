"""The wire format of a device's messages (MQTT and the HTTP batch endpoint alike).

Topics: ``dcms/<tenant id>/<unit code>/<kind>`` up (kind: ``heartbeat``, ``telemetry``, ``event``,
``ack``), ``dcms/<tenant id>/<unit code>/command`` down. The unit is the device holding the
credential: an interaction unit (智能互动单元) or a device that connects by itself.

A message is a UTF-8 JSON object::

    {"id": "<1–64 chars, unique per unit>", "at": "<ISO-8601 with offset>",
     "device": "<a child's code, optional>", "data": {...}, "sig": "<base64url Ed25519 signature>"}

signed over ``topic + "\\n" + the JSON without "sig", keys sorted, compact``. The signature binds the
message to its topic, so it cannot be replayed as another unit's or another kind.

Why Ed25519 and not a shared secret: the server keeps only the public key (and its hash), so a
copy of the database cannot sign anything; a device signs with the private key it was given once
(resolvers/devices/credentials.py). ``cryptography`` is already a dependency.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import math
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

import orjson
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat, PublicFormat

PREFIX = "dcms"
UP_KINDS = frozenset({"heartbeat", "telemetry", "event", "ack"})
COMMAND = "command"
UP_TOPICS = f"{PREFIX}/+/+/+"  # the bridge subscribes to this (shared); it skips COMMAND topics
MAX_PAYLOAD = 64 * 1024  # bytes of one message


def up_topic(tenant_id: UUID | str, code: str, kind: str) -> str:
    return f"{PREFIX}/{tenant_id}/{code}/{kind}"


def command_topic(tenant_id: UUID | str, code: str) -> str:
    return f"{PREFIX}/{tenant_id}/{code}/{COMMAND}"


# -- credentials -------------------------------------------------------------------------------


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def new_credential() -> tuple[str, str]:
    """A fresh key pair: (private key, public key), each the base64url of its 32 raw bytes."""
    key = Ed25519PrivateKey.generate()
    private = key.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
    public = key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    return _b64(private), _b64(public)


def fingerprint(public_key: str) -> str:
    return hashlib.sha256(_unb64(public_key)).hexdigest()


def load_private(private_key: str) -> Ed25519PrivateKey:
    return Ed25519PrivateKey.from_private_bytes(_unb64(private_key))


_public_keys: dict[str, Ed25519PublicKey] = {}  # parsed once per process: pure, safe to keep


def _public(public_key: str) -> Ed25519PublicKey:
    key = _public_keys.get(public_key)
    if key is None:
        if len(_public_keys) > 100_000:
            _public_keys.clear()
        key = _public_keys[public_key] = Ed25519PublicKey.from_public_bytes(_unb64(public_key))
    return key


def _signed_bytes(topic: str, message: dict[str, Any]) -> bytes:
    body = {k: v for k, v in message.items() if k != "sig"}
    return topic.encode() + b"\n" + orjson.dumps(body, option=orjson.OPT_SORT_KEYS)


def signed(topic: str, message: dict[str, Any], key: Ed25519PrivateKey) -> bytes:
    """The payload to publish on ``topic``: ``message`` with its signature."""
    return orjson.dumps({**message, "sig": _b64(key.sign(_signed_bytes(topic, message)))})


def verify(topic: str, message: dict[str, Any], public_key: str) -> bool:
    sig = message.get("sig")
    if not isinstance(sig, str):
        return False
    try:
        _public(public_key).verify(_unb64(sig), _signed_bytes(topic, message))
    except (InvalidSignature, ValueError, binascii.Error):
        return False
    return True


# -- parsing -----------------------------------------------------------------------------------


class Malformed(ValueError):
    """A message that is not one: counted and dropped."""


@dataclass(frozen=True, slots=True)
class Envelope:
    topic: str
    tenant: str
    unit: str  # the code of the unit whose credential signed it
    kind: str
    id: str
    at: datetime
    device: str | None  # a child's code, or None: the unit itself
    data: dict[str, Any]
    message: dict[str, Any]  # as received, for the signature check


def parse(topic: str, payload: bytes) -> Envelope:
    """The envelope of one message; ``Malformed`` says why not."""
    parts = topic.split("/")
    if len(parts) != 4 or parts[0] != PREFIX or parts[3] not in UP_KINDS or not parts[1] or not parts[2]:
        raise Malformed("topic")
    if len(payload) > MAX_PAYLOAD:
        raise Malformed("too large")
    try:
        message = orjson.loads(payload)
    except orjson.JSONDecodeError as error:
        raise Malformed("not JSON") from error
    if not isinstance(message, dict):
        raise Malformed("not an object")
    ident, at, device, data = message.get("id"), message.get("at"), message.get("device"), message.get("data")
    if not isinstance(ident, str) or not 1 <= len(ident) <= 64:
        raise Malformed("id")
    if not isinstance(data, dict):
        raise Malformed("data")
    if device is not None and (not isinstance(device, str) or not 1 <= len(device) <= 40):
        raise Malformed("device")
    try:
        moment = datetime.fromisoformat(at) if isinstance(at, str) else None
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        raise Malformed("at")
    return Envelope(topic, parts[1], parts[2], parts[3], ident, moment, device, data, message)


def number(value: object) -> float | None:
    """A finite number from JSON, or None."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) if math.isfinite(value) else None
