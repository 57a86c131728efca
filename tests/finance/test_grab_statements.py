"""What one grab costs in SQL statements (counted in process, testkit/sqlcount.py), won and lost,
so the count cannot grow back: in a grab storm nine grabs in ten lose, and a loser is answered
from one read (resolvers/finance/orders.py ``_GRAB_VIEW``) plus its failure's audit record."""

from __future__ import annotations

import uuid

import pytest

from models.finance import Handling, NeedMatch
from subgraphs.settings import Settings
from testkit.inprocess import codes, execute, records_of
from testkit.sqlcount import count_statements
from tests.support.marketplace import apply_input, make_bank, make_market, posted_need

pytestmark = pytest.mark.integration

GRAB = "mutation($id: ID!) { grabNeed(id: $id) { id status } }"
GRAB_APPLICATION = "mutation($id: ID!) { grabApplication(id: $id) { id status } }"
APPLY = "mutation($i: ApplyInput!) { applyForProduct(input: $i) { id } }"

# The audit record of the mutation: claim a chain (reading its head), insert the record.
AUDIT = 2
# A loser: the one read of _GRAB_VIEW, then the record of its failure.
LOST = 1 + AUDIT
# A winner: that read; the thresholds (policy, calendar) and the institutions to tell, before the
# transaction; in it, take the place, insert the handling, the two events (grab pool, the
# applicant's order), then the audit record. (A need with a project adds the duplicate check.)
WON = 1 + 3 + 2 + 2 + AUDIT
# An application: that read, the handling in full, the thresholds and the duplicate check (an
# application names its project); in the transaction, claim the handling, move the application,
# the two events, the audit record.
WON_APPLICATION = 1 + 1 + 2 + 1 + 2 + 2 + AUDIT


async def _grab(
    token: str, order_id: object, settings: Settings, document: str = GRAB
) -> tuple[int, list[str], list[str]]:
    """One grab in process: its statement count, its error codes, and its statements."""
    request_id = uuid.uuid4().hex
    with count_statements() as counter:
        result = await execute(
            "finance", document, {"id": str(order_id)}, token, settings=settings, request_id=request_id
        )
    assert len(await records_of("finance", request_id)) == 1  # every grab leaves one audit record
    return counter.count, codes(result), counter.statements


async def test_a_grab_won_and_lost_takes_a_fixed_number_of_statements(database: Settings) -> None:
    market = await make_market(database, banks=2, managers=2)
    need = await posted_need(market, max_institutions=1)
    for bank in market.banks:
        await NeedMatch.create(need=need, institution_id=bank.institution.id)
    (first, first_token), (_, colleague_token) = market.banks[0].managers
    rival_token = market.banks[1].managers[0][1]

    won, won_codes, statements = await _grab(first_token, need.id, database)
    assert won_codes == [], won_codes
    assert won == WON, statements
    for token in (colleague_token, rival_token):  # a colleague's handling; the one place is taken
        lost, lost_codes, statements = await _grab(token, need.id, database)
        assert lost_codes == ["CONFLICT"], lost_codes
        assert lost == LOST, statements
    assert await Handling.filter(need_id=need.id).values_list("handler_id", flat=True) == [first.id]

    # The refusals before any choice are answered from the same one read.
    uncertified = await make_bank(database, managers=1, certified=False)
    unmatched = await make_bank(database, managers=1)
    for token, code in (
        (uncertified.managers[0][1], "FORBIDDEN"),
        (unmatched.managers[0][1], "NOT_FOUND"),
    ):
        refused, refused_codes, statements = await _grab(token, need.id, database)
        assert refused_codes == [code], refused_codes
        assert refused == LOST, statements


async def test_an_application_grab_won_and_lost_takes_a_fixed_number_of_statements(
    database: Settings,
) -> None:
    market = await make_market(database, banks=2, managers=2)
    bank = market.banks[0]
    applied = await execute(
        "finance", APPLY, {"i": apply_input(str(bank.product.id))}, market.applicant[1], settings=database
    )
    assert applied.errors is None, applied.errors
    application_id = applied.data["applyForProduct"]["id"]

    won, won_codes, statements = await _grab(bank.managers[0][1], application_id, database, GRAB_APPLICATION)
    assert won_codes == [], won_codes
    assert won == WON_APPLICATION, statements
    for token, code in ((bank.managers[1][1], "CONFLICT"), (market.banks[1].managers[0][1], "NOT_FOUND")):
        lost, lost_codes, statements = await _grab(token, application_id, database, GRAB_APPLICATION)
        assert lost_codes == [code], lost_codes
        assert lost == LOST, statements
