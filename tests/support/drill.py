"""The "mutate" step of the restore drill (tests/operations/test_backup.py): a few audited mutations
through the subgraphs' schemas, as the demo manager, in a process of its own (the test process
keeps the ORM open on the session's database). Run as ``python -m tests.support.drill`` with the
environment of a `dcms` command; prints how many mutations succeeded."""

from __future__ import annotations

import asyncio
import sys

from models.customers import Customer
from models.operations import User
from resolvers.operations.identity import principal_for
from security.crypto import install_cipher
from security.keys import load_token_keys
from security.tokens import issue_token
from subgraphs.database import close_database, open_database
from subgraphs.settings import Settings
from testkit.inprocess import codes, execute

ADD_REMINDER = "mutation($i: AddReminderInput!) { addReminder(input: $i) { id } }"
CREATE_OPPORTUNITY = "mutation($i: CreateOpportunityInput!) { createOpportunity(input: $i) { id } }"


async def mutate(settings: Settings) -> int:
    install_cipher(settings)
    await open_database(settings)
    try:
        user = await User.get(username="manager").prefetch_related("org")
        token = issue_token(principal_for(user, user.org), load_token_keys(settings))
        customers = await Customer.filter(primary_manager_id=user.id).order_by("id").limit(3)
        done = 0
        for index, customer in enumerate(customers):
            for subgraph, document, variables in (
                (
                    "customers",
                    ADD_REMINDER,
                    {"customerId": str(customer.id), "kind": "SCHEDULE", "title": f"回访 {index}"},
                ),
                (
                    "marketing",
                    CREATE_OPPORTUNITY,
                    {"customerId": str(customer.id), "title": "有意向办理黔农e贷"},
                ),
            ):
                result = await execute(subgraph, document, {"i": variables}, token, settings=settings)
                if result.errors:
                    raise SystemExit(f"{subgraph}: {codes(result)} {result.errors}")
                done += 1
        return done
    finally:
        await close_database()


if __name__ == "__main__":
    print(asyncio.run(mutate(Settings.from_env())))
    sys.exit(0)
