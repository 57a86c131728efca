from tortoise import migrations
from tortoise.migrations import operations as ops
from models.operations.announcements import AnnouncementStatus
from tortoise.fields.base import OnDelete
from uuid import uuid4
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('operations', '0017_platform_admin')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Announcement',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
                ('org', fields.ForeignKeyField('operations.Org', source_field='org_id', db_constraint=True, to_field='id', related_name='announcements', on_delete=OnDelete.RESTRICT)),
                ('org_path', fields.CharField(db_index=True, max_length=400)),
                ('title', fields.CharField(max_length=200)),
                ('body', fields.TextField(unique=False)),
                ('roles', fields.CharField(default='', max_length=400)),
                ('status', fields.CharEnumField(default=AnnouncementStatus.DRAFT, description='DRAFT: DRAFT\nPUBLISHED: PUBLISHED\nWITHDRAWN: WITHDRAWN', enum_type=AnnouncementStatus, max_length=10)),
                ('published_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('withdrawn_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('created_by', fields.UUIDField()),
                ('idempotency_key', fields.CharField(null=True, max_length=64)),
            ],
            options={'table': 'announcement', 'app': 'operations', 'unique_together': (('created_by', 'idempotency_key'),), 'indexes': [Index(fields=['org_id', 'status'])], 'pk_attr': 'id', 'table_description': "One announcement for the users of ``org``'s subtree holding one of ``roles`` (none: all)."},
            bases=['Entity'],
        ),
        ops.CreateModel(
            name='AnnouncementRead',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
                ('announcement', fields.ForeignKeyField('operations.Announcement', source_field='announcement_id', db_constraint=True, to_field='id', related_name='reads', on_delete=OnDelete.CASCADE)),
                ('user_id', fields.UUIDField(db_index=True)),
                ('org_path', fields.CharField(max_length=400)),
            ],
            options={'table': 'announcement_read', 'app': 'operations', 'unique_together': (('announcement', 'user_id'),), 'pk_attr': 'id', 'table_description': '已读回执: ``user_id`` read ``announcement`` (once: a second mark-read changes nothing).'},
            bases=['Entity'],
        ),
    ]
