"""What schemes (营销方案) use of two shared interfaces: the approvals engine
(resolvers/common/approvals.py, owned by operations) and stored audiences (目标客群,
resolvers/marketing/audiences.py). Schemes import them from here only."""

from __future__ import annotations

from models.approvals import ApprovalFunction
from resolvers.common.approvals import ApprovalOutcome, decide_approval, open_approval
from resolvers.marketing.audiences import (
    AudienceCriteria,
    AudienceMember,
    audience_chunk,
    count_audience,
    criteria_of,
    json_of,
    stored_criteria,
)

MARKETING_SCHEME = ApprovalFunction.MARKETING_SCHEME

__all__ = [
    "MARKETING_SCHEME",
    "ApprovalOutcome",
    "AudienceCriteria",
    "AudienceMember",
    "audience_chunk",
    "count_audience",
    "criteria_of",
    "decide_approval",
    "json_of",
    "open_approval",
    "stored_criteria",
]
