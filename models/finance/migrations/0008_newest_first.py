from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('finance', '0007_audit_chains')]

    initial = False

    operations = [
        ops.AddIndex(
            model_name='Complaint',
            index=Index(fields=['created_at', 'id']),
        ),
        ops.AddIndex(
            model_name='FinancingNeed',
            index=Index(fields=['created_at', 'id']),
        ),
        ops.AddIndex(
            model_name='Handling',
            index=Index(fields=['created_at', 'id']),
        ),
        ops.AddIndex(
            model_name='ProductApplication',
            index=Index(fields=['created_at', 'id']),
        ),
        ops.AddIndex(
            model_name='SupervisionWarning',
            index=Index(fields=['created_at', 'id']),
        ),
        ops.AlterModelOptions(
            name='WechatBinding',
            options={'table': 'wechat_binding', 'app': 'finance', 'pk_attr': 'id', 'table_description': '微信绑定: the WeChat identity of an account manager (who grabs orders over a WeChat account).'},
        ),
    ]
