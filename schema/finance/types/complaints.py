"""投诉: an applicant's complaint about how an institution handles their order (受理单). The
institution handles it (处理), the regulator reviews it (复核), and the result — verdict and
comment — is seen by both sides through the same row scope as the handling it hangs on."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated, cast

import strawberry

from models import finance as rows
from schema.finance.context import Info
from schema.finance.enums import ComplaintKind, ComplaintStatus, ReviewVerdict

if TYPE_CHECKING:
    from schema.finance.types.institutions import Institution
    from schema.finance.types.orders import Handling

_Institution = Annotated["Institution", strawberry.lazy("schema.finance.types.institutions")]
_Handling = Annotated["Handling", strawberry.lazy("schema.finance.types.orders")]


@strawberry.type(description="投诉: 申请人提交, 机构处理, 监管复核, 结果告知双方")
class Complaint:
    id: strawberry.ID
    order_no: str = strawberry.field(description="订单号")
    kind: ComplaintKind = strawberry.field(description="投诉类型")
    content: str = strawberry.field(description="投诉内容")
    status: ComplaintStatus = strawberry.field(description="投诉状态")
    reply: str = strawberry.field(description="机构处理意见 (empty until handled)")
    handled_at: datetime | None = strawberry.field(description="机构处理时间")
    verdict: ReviewVerdict | None = strawberry.field(description="监管复核结论")
    review_comment: str = strawberry.field(description="监管复核意见: the result told to both sides")
    reviewed_at: datetime | None = strawberry.field(description="监管复核时间")
    created_at: datetime = strawberry.field(description="提交时间")

    @strawberry.field(description="被投诉的受理单")
    @staticmethod
    async def handling(parent: strawberry.Parent[rows.Complaint], info: Info) -> _Handling | None:
        return cast("Handling | None", await info.context.loaders.handling.load(parent.handling_id))

    @strawberry.field(description="被投诉机构")
    @staticmethod
    async def institution(parent: strawberry.Parent[rows.Complaint], info: Info) -> _Institution | None:
        return cast("Institution | None", await info.context.loaders.institution.load(parent.institution_id))
