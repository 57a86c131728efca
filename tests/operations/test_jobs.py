"""Operations' background work on other subgraphs' feeds: each finance supervision event raises one alert."""

from __future__ import annotations

import pytest

from models.operations import Alert
from realtime.events import Event
from resolvers.operations.jobs import alert_from_supervision
from subgraphs.settings import Settings
from tests.support.marketplace import grabbed, make_market


@pytest.mark.integration
async def test_operations_raises_each_supervision_event_as_one_alert(database: Settings) -> None:
    market = await make_market(database, banks=1, managers=1)
    _, handling, _ = await grabbed(market)
    institution = market.banks[0].institution
    event = Event(
        type="warning.raised",
        payload={"id": str(handling.id)},
        scope={
            "org_id": str(institution.org_id),
            "level": "WARNING",
            "title": "督办预警：测试",
            "detail": "d",
        },
    )
    assert await alert_from_supervision(event) is True
    assert await alert_from_supervision(event) is False  # a repeat raises nothing
    (alert,) = await Alert.filter(source_event_id=event.id)
    assert (alert.org_id, alert.org_path, alert.source) == (
        institution.org_id,
        market.banks[0].org.path,
        "supervision",
    )
