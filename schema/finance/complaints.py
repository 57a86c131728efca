"""投诉: an applicant's complaint about how an institution handles their order (受理单). The
institution handles it (处理), the regulator reviews it (复核), and the result — verdict and
comment — is seen by both sides through the same row scope as the handling it hangs on."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import strawberry

from models.finance import ComplaintKind, ComplaintStatus, ReviewVerdict

if TYPE_CHECKING:
    from schema.finance.institutions import Institution
    from schema.finance.orders import Handling

ComplaintKindEnum = strawberry.enum(ComplaintKind, name="ComplaintKind", description="投诉类型")
ComplaintStatusEnum = strawberry.enum(
    ComplaintStatus, name="ComplaintStatus", description="投诉状态: 待处理 → 机构已处理 → 监管已复核"
)
ReviewVerdictEnum = strawberry.enum(
    ReviewVerdict, name="ReviewVerdict", description="复核结论: 投诉成立 / 投诉不成立"
)

_Institution = Annotated["Institution", strawberry.lazy("schema.finance.institutions")]
_Handling = Annotated["Handling", strawberry.lazy("schema.finance.orders")]


@strawberry.type(description="投诉: 申请人提交, 机构处理, 监管复核, 结果告知双方")
class Complaint:
    id: strawberry.ID
    order_no: str = strawberry.field(description="订单号")
    kind: ComplaintKindEnum = strawberry.field(description="投诉类型")
    content: str = strawberry.field(description="投诉内容")
    status: ComplaintStatusEnum = strawberry.field(description="投诉状态")
    reply: str = strawberry.field(description="机构处理意见 (empty until handled)")
    handled_at: datetime | None = strawberry.field(description="机构处理时间")
    verdict: ReviewVerdictEnum | None = strawberry.field(description="监管复核结论")
    review_comment: str = strawberry.field(description="监管复核意见: the result told to both sides")
    reviewed_at: datetime | None = strawberry.field(description="监管复核时间")
    created_at: datetime = strawberry.field(description="提交时间")

    @strawberry.field(description="被投诉的受理单")
    async def handling(self, info: strawberry.Info) -> _Handling | None:
        return await info.context.loaders.handling.load(self.handling_id)  # type: ignore[attr-defined]

    @strawberry.field(description="被投诉机构")
    async def institution(self, info: strawberry.Info) -> _Institution | None:
        return await info.context.loaders.institution.load(self.institution_id)  # type: ignore[attr-defined]
