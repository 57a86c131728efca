"""消息 (messages): the outbox of SMS and app-push sends to customers with their delivery states
(QUEUED → SENT → DELIVERED / FAILED, retried with backoff by the delivery job), and the in-app
inbox (站内信) of staff users with read receipts."""

from __future__ import annotations

from enum import StrEnum

from tortoise import fields

from models.common import Entity


class MessageChannel(StrEnum):
    SMS = "SMS"  # 短信
    APP_PUSH = "APP_PUSH"  # 手机银行推送


class MessageStatus(StrEnum):
    QUEUED = "QUEUED"  # 待发送 (also: waiting for a retry)
    SENT = "SENT"  # 已提交网关
    DELIVERED = "DELIVERED"  # 已送达
    FAILED = "FAILED"  # 发送失败 (retries used up)


class OutboundMessage(Entity):
    tenant_id = fields.UUIDField(db_index=True)
    customer_id = fields.UUIDField(db_index=True)
    channel = fields.CharEnumField(MessageChannel, max_length=8)
    title = fields.CharField(max_length=100, default="")
    body = fields.CharField(max_length=1000)  # with variables ({{surname}} …) filled in at sending
    status = fields.CharEnumField(MessageStatus, max_length=9, default=MessageStatus.QUEUED, db_index=True)
    attempts = fields.IntField(default=0)
    next_attempt_at = fields.DatetimeField(db_index=True)
    last_error = fields.CharField(max_length=300, default="")
    provider_id = fields.CharField(max_length=100, null=True, db_index=True)  # the gateway's message id
    sent_at = fields.DatetimeField(null=True)
    delivered_at = fields.DatetimeField(null=True)
    campaign_id = fields.UUIDField(null=True, db_index=True)
    wave_id = fields.UUIDField(null=True, db_index=True)
    key = fields.CharField(max_length=200, unique=True)  # one message per wave × node × customer

    class Meta:
        table = "outbound_message"


class InboxMessage(Entity):
    """站内信 to one staff user (e.g. a manager asked to call a customer in a campaign)."""

    tenant_id = fields.UUIDField(db_index=True)
    recipient_id = fields.UUIDField(db_index=True)  # operations User
    title = fields.CharField(max_length=100)
    body = fields.CharField(max_length=1000, default="")
    customer_id = fields.UUIDField(null=True)
    campaign_id = fields.UUIDField(null=True)
    read_at = fields.DatetimeField(null=True)  # 已读回执
    key = fields.CharField(max_length=200, unique=True)

    class Meta:
        table = "inbox_message"
