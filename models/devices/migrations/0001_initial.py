from tortoise import migrations
from tortoise.migrations import operations as ops
from models.devices import DeviceKind, DeviceStatus
from uuid import uuid4
from tortoise import fields

class Migration(migrations.Migration):
    initial = True

    operations = [
        ops.CreateModel(
            name='Device',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
                ('code', fields.CharField(unique=True, max_length=40)),
                ('name', fields.CharField(max_length=100)),
                ('kind', fields.CharEnumField(description='SELF_SERVICE_TERMINAL: SELF_SERVICE_TERMINAL\nVTM: VTM\nPAYMENT_KIOSK: PAYMENT_KIOSK\nGUIDE_SCREEN: GUIDE_SCREEN\nLED_SCREEN: LED_SCREEN\nQUEUE_MACHINE: QUEUE_MACHINE\nRATING_DEVICE: RATING_DEVICE\nCCTV: CCTV\nINTERACTION_UNIT: INTERACTION_UNIT\nSERVER: SERVER\nNETWORK: NETWORK', enum_type=DeviceKind, max_length=24)),
                ('vendor', fields.CharField(default='', max_length=60)),
                ('model', fields.CharField(default='', max_length=60)),
                ('hall_id', fields.UUIDField(db_index=True)),
                ('org_path', fields.CharField(db_index=True, max_length=400)),
                ('status', fields.CharEnumField(default=DeviceStatus.OFFLINE, description='ONLINE: ONLINE\nOFFLINE: OFFLINE\nFAULT: FAULT\nMAINTENANCE: MAINTENANCE', enum_type=DeviceStatus, max_length=12)),
                ('last_heartbeat_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('cpu', fields.FloatField(null=True)),
                ('memory', fields.FloatField(null=True)),
            ],
            options={'table': 'device', 'app': 'devices', 'pk_attr': 'id'},
            bases=['Entity'],
        ),
    ]
