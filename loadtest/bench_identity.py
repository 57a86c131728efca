"""Python CPU per request of a subgraph's identity check, before and after "verify once" (issue 13).

Before: the gateway signature with its nonce claimed in Redis (``SET NX``), the token's ES256
signature verified, and a Redis round trip for revocation. After: the signature and nonce in
process (a mutation still claims its nonce in Redis), the token read from the per-process cache
of verified tokens, revocation looked up in the in-process set. Both run here, alternating, with
the same token, body and Redis; CPU is this process's (``time.process_time``)::

    .venv/bin/python -m loadtest.bench_identity [--requests 3000] [--redis redis://127.0.0.1:6379/0]

Without ``--redis`` (or ``REDIS_URL``) only the parts without Redis are measured.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import time
import uuid

from security.gateway_trust import GatewayTrust, sign_http
from security.keys import TokenKeys
from security.principal import Principal
from security.sessions import LockoutPolicy, session_store
from security.tokens import issue_token, principal_of, read_claims, read_token

SECRET = "bench-" + "s" * 40
BODY = b'{"query":"query Me { me { id } }"}'


def _principal() -> Principal:
    return Principal(
        user_id=uuid.uuid4(),
        username="cm_bench",
        roles=("CUSTOMER_MANAGER",),
        org_id=uuid.uuid4(),
        org_path="/a/b",
        tenant_id=uuid.uuid4(),
        role="CUSTOMER_MANAGER",
        grid_ids=(uuid.uuid4(),),
        session_id=uuid.uuid4().hex,
    )


async def run(requests: int, redis_url: str | None) -> None:
    keys = TokenKeys.generate()
    token = issue_token(_principal(), keys)
    authorization = f"Bearer {token}"
    trust = GatewayTrust(SECRET, require_signature=True, redis_url=redis_url)
    sessions = session_store(redis_url, LockoutPolicy())
    await sessions.connect(wait=5.0)
    signatures = [sign_http(SECRET, BODY, authorization) for _ in range(requests * 2)]

    async def before(signature: str) -> None:
        assert await trust.check(signature, authorization, BODY) is None
        p = principal_of(read_claims(token, keys))  # ES256 every time
        assert not await sessions.is_revoked(p.session_id, str(p.user_id), p.issued_at)

    async def after(signature: str) -> None:
        assert trust.check_here(signature, authorization, BODY) is None
        p = read_token(token, keys)  # verified once, then from memory
        assert not sessions.revoked(p.session_id, str(p.user_id), p.issued_at)

    async def mutation_after(signature: str) -> None:  # + the nonce claimed across replicas
        await after(signature)
        assert await trust.nonces.first_use_everywhere(signature.split(".")[2])

    kinds = {"before": before, "after": after}
    if redis_url:
        kinds["after, mutation"] = mutation_after
    cpu = {name: 0.0 for name in kinds}
    rounds, per_round = 10, requests // 10
    used = iter(signatures + [sign_http(SECRET, BODY, authorization) for _ in range(requests)])
    for _ in range(rounds):  # alternating, so both see the same machine
        for name, check in kinds.items():
            start = time.process_time()
            for _ in range(per_round):
                await check(next(used))
            cpu[name] += time.process_time() - start
    await trust.close()
    await sessions.close()
    where = f"Redis {redis_url}" if redis_url else "no Redis"
    print(f"identity check, Python CPU per request ({rounds * per_round} requests each, {where}):")
    for name, seconds in cpu.items():
        per = seconds / (rounds * per_round) * 1e6
        print(f"  {name:18} {per:8.1f} µs   before/this {cpu['before'] / seconds:6.1f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--redis", default=os.environ.get("REDIS_URL"))
    args = parser.parse_args()
    asyncio.run(run(args.requests, args.redis))


if __name__ == "__main__":
    main()
