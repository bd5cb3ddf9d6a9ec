# The privacy app: retention rules, legal holds, restrictions of access, the deletion log.

import django.db.models.deletion
import django.utils.timezone
import simple_history.models
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('cases', '0004_accesslog_what_access_report'),
        ('cooperation', '0002_cooperation_conference_interval_months_and_more'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='AccessRestriction',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('scope', models.CharField(choices=[('master', 'Master data'), ('family', 'Family situation'), ('health', 'Health, addiction and substitution data'), ('protocols', 'Conference protocols'), ('notes', 'Progress notes'), ('disclosures', 'Disclosures without consent'), ('readers', 'Institutions that read the data'), ('all', 'The whole report (access refused)')], max_length=20, verbose_name='restricted part')),
                ('ground', models.CharField(choices=[('tasks', "The access would endanger the proper performance of the institution's tasks, e.g. the protection of a child (§83 Abs. 1 Nr. 1 with §82a SGB X)"), ('third_party', 'The data must be kept secret by their nature, in particular because of the overriding legitimate interests of a third person (§83 Abs. 1 Nr. 1 with §82a SGB X)'), ('authorities', 'The data was transmitted to a prosecutor, court, police or security authority, which has not agreed to the access (§83 Abs. 5 SGB X)'), ('archive_only', 'The data is kept only because a retention rule forbids deleting it, or only for data security or data-protection control, and access would take disproportionate effort (§83 Abs. 1 Nr. 2 SGB X)'), ('other', 'Another ground, named in the reason')], max_length=20, verbose_name='legal ground')),
                ('reason', models.TextField(help_text='The facts the decision rests on (§83 Abs. 3 Satz 1 SGB X).', verbose_name='reason (documented, not printed)')),
                ('reason_withheld', models.BooleanField(default=False, help_text='Only where telling the ground would defeat the purpose of the restriction (§83 Abs. 3 Satz 2 SGB X); the report then names the supervisory authority only.', verbose_name='do not tell the person the ground')),
                ('recorded_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='recorded at')),
                ('case', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='cases.case')),
                ('institution', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='cooperation.institution', verbose_name='institution')),
                ('member', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='cases.familymember', verbose_name='person')),
                ('recorded_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'verbose_name': 'restriction of the right of access',
                'verbose_name_plural': 'restrictions of the right of access',
                'ordering': ['-recorded_at'],
            },
        ),
        migrations.CreateModel(
            name='HistoricalAccessRestriction',
            fields=[
                ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                ('scope', models.CharField(choices=[('master', 'Master data'), ('family', 'Family situation'), ('health', 'Health, addiction and substitution data'), ('protocols', 'Conference protocols'), ('notes', 'Progress notes'), ('disclosures', 'Disclosures without consent'), ('readers', 'Institutions that read the data'), ('all', 'The whole report (access refused)')], max_length=20, verbose_name='restricted part')),
                ('ground', models.CharField(choices=[('tasks', "The access would endanger the proper performance of the institution's tasks, e.g. the protection of a child (§83 Abs. 1 Nr. 1 with §82a SGB X)"), ('third_party', 'The data must be kept secret by their nature, in particular because of the overriding legitimate interests of a third person (§83 Abs. 1 Nr. 1 with §82a SGB X)'), ('authorities', 'The data was transmitted to a prosecutor, court, police or security authority, which has not agreed to the access (§83 Abs. 5 SGB X)'), ('archive_only', 'The data is kept only because a retention rule forbids deleting it, or only for data security or data-protection control, and access would take disproportionate effort (§83 Abs. 1 Nr. 2 SGB X)'), ('other', 'Another ground, named in the reason')], max_length=20, verbose_name='legal ground')),
                ('reason', models.TextField(help_text='The facts the decision rests on (§83 Abs. 3 Satz 1 SGB X).', verbose_name='reason (documented, not printed)')),
                ('reason_withheld', models.BooleanField(default=False, help_text='Only where telling the ground would defeat the purpose of the restriction (§83 Abs. 3 Satz 2 SGB X); the report then names the supervisory authority only.', verbose_name='do not tell the person the ground')),
                ('recorded_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='recorded at')),
                ('history_id', models.AutoField(primary_key=True, serialize=False)),
                ('history_date', models.DateTimeField(db_index=True)),
                ('history_change_reason', models.CharField(max_length=100, null=True)),
                ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                ('case', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='cases.case')),
                ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('institution', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='cooperation.institution', verbose_name='institution')),
                ('member', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='cases.familymember', verbose_name='person')),
                ('recorded_by', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'verbose_name': 'historical restriction of the right of access',
                'verbose_name_plural': 'historical restrictions of the right of access',
                'ordering': ('-history_date', '-history_id'),
                'get_latest_by': ('history_date', 'history_id'),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name='HistoricalLegalHold',
            fields=[
                ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                ('reason', models.TextField(help_text='Why the case must not be deleted, e.g. a court case or a complaint, with its file number. Do not write names of family members.', verbose_name='reason')),
                ('placed_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='placed at')),
                ('lifted_at', models.DateTimeField(blank=True, null=True, verbose_name='lifted at')),
                ('lift_reason', models.TextField(blank=True, verbose_name='reason for lifting')),
                ('history_id', models.AutoField(primary_key=True, serialize=False)),
                ('history_date', models.DateTimeField(db_index=True)),
                ('history_change_reason', models.CharField(max_length=100, null=True)),
                ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                ('case', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='cases.case')),
                ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('lifted_by', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('placed_by', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'verbose_name': 'historical legal hold',
                'verbose_name_plural': 'historical legal holds',
                'ordering': ('-history_date', '-history_id'),
                'get_latest_by': ('history_date', 'history_id'),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name='HistoricalRetentionRule',
            fields=[
                ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                ('record_type', models.CharField(choices=[('case', 'Case file (case, family members, health data, involvements)'), ('consent', 'Consents and their scans'), ('disclosure', 'Disclosures without consent'), ('conference', 'Beteiligtenkonferenzen and their frozen protocols'), ('note', 'Progress notes'), ('access_log', 'Access-log entries'), ('notification', 'Notifications'), ('committee', 'Committee sittings and their minutes')], max_length=20, verbose_name='kind of record')),
                ('law', models.CharField(choices=[('gdpr', 'GDPR / SGB X'), ('kdg', 'KDG (Catholic data protection law)'), ('dsg_ekd', 'DSG-EKD (Protestant data protection law)')], max_length=10, verbose_name='data protection law')),
                ('institution_kind', models.CharField(blank=True, choices=[('jugendamt_kreis', 'Youth welfare office of a Kreis'), ('jugendamt_stadt', 'Youth welfare office of a city'), ('suchtberatung_ga', 'Addiction counselling of the health office'), ('suchtberatung_frei', 'Addiction counselling of a free welfare organisation'), ('koordination', 'Coordination office'), ('other', 'Other (e.g. substituting practice, school, Kita)')], max_length=30, verbose_name='kind of institution')),
                ('trigger', models.CharField(choices=[('with_case', 'as long as the case file'), ('case_closed', 'after the case was closed'), ('purpose_ended', 'after the purpose ended'), ('record_date', "after the record's date"), ('age_30', 'after the 30th birthday of the youngest child')], max_length=20, verbose_name='period runs')),
                ('months', models.PositiveIntegerField(verbose_name='period in months')),
                ('legal_source', models.CharField(max_length=500, verbose_name='legal source')),
                ('note', models.TextField(blank=True, verbose_name='explanation')),
                ('status', models.CharField(choices=[('proposed', 'proposed, awaiting the data-protection officer'), ('confirmed', 'confirmed'), ('rejected', 'rejected'), ('withdrawn', 'replaced by a newer proposal')], default='proposed', max_length=20, verbose_name='status')),
                ('proposed_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='proposed at')),
                ('decided_at', models.DateTimeField(blank=True, null=True, verbose_name='confirmed or rejected at')),
                ('decision_note', models.TextField(blank=True, verbose_name='reason for the decision')),
                ('history_id', models.AutoField(primary_key=True, serialize=False)),
                ('history_date', models.DateTimeField(db_index=True)),
                ('history_change_reason', models.CharField(max_length=100, null=True)),
                ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                ('cooperation', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='cooperation.cooperation', verbose_name='cooperation')),
                ('decided_by', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='confirmed or rejected by')),
                ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('proposed_by', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='proposed by')),
            ],
            options={
                'verbose_name': 'historical retention rule',
                'verbose_name_plural': 'historical retention rules',
                'ordering': ('-history_date', '-history_id'),
                'get_latest_by': ('history_date', 'history_id'),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name='PendingFile',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('model', models.CharField(max_length=100)),
                ('field', models.CharField(max_length=100)),
                ('name', models.CharField(max_length=500)),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now)),
            ],
            options={
                'constraints': [models.UniqueConstraint(fields=('model', 'field', 'name'), name='pending_file_once')],
            },
        ),
        migrations.CreateModel(
            name='RetentionRule',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('record_type', models.CharField(choices=[('case', 'Case file (case, family members, health data, involvements)'), ('consent', 'Consents and their scans'), ('disclosure', 'Disclosures without consent'), ('conference', 'Beteiligtenkonferenzen and their frozen protocols'), ('note', 'Progress notes'), ('access_log', 'Access-log entries'), ('notification', 'Notifications'), ('committee', 'Committee sittings and their minutes')], max_length=20, verbose_name='kind of record')),
                ('law', models.CharField(choices=[('gdpr', 'GDPR / SGB X'), ('kdg', 'KDG (Catholic data protection law)'), ('dsg_ekd', 'DSG-EKD (Protestant data protection law)')], max_length=10, verbose_name='data protection law')),
                ('institution_kind', models.CharField(blank=True, choices=[('jugendamt_kreis', 'Youth welfare office of a Kreis'), ('jugendamt_stadt', 'Youth welfare office of a city'), ('suchtberatung_ga', 'Addiction counselling of the health office'), ('suchtberatung_frei', 'Addiction counselling of a free welfare organisation'), ('koordination', 'Coordination office'), ('other', 'Other (e.g. substituting practice, school, Kita)')], max_length=30, verbose_name='kind of institution')),
                ('trigger', models.CharField(choices=[('with_case', 'as long as the case file'), ('case_closed', 'after the case was closed'), ('purpose_ended', 'after the purpose ended'), ('record_date', "after the record's date"), ('age_30', 'after the 30th birthday of the youngest child')], max_length=20, verbose_name='period runs')),
                ('months', models.PositiveIntegerField(verbose_name='period in months')),
                ('legal_source', models.CharField(max_length=500, verbose_name='legal source')),
                ('note', models.TextField(blank=True, verbose_name='explanation')),
                ('status', models.CharField(choices=[('proposed', 'proposed, awaiting the data-protection officer'), ('confirmed', 'confirmed'), ('rejected', 'rejected'), ('withdrawn', 'replaced by a newer proposal')], default='proposed', max_length=20, verbose_name='status')),
                ('proposed_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='proposed at')),
                ('decided_at', models.DateTimeField(blank=True, null=True, verbose_name='confirmed or rejected at')),
                ('decision_note', models.TextField(blank=True, verbose_name='reason for the decision')),
                ('cooperation', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='cooperation.cooperation', verbose_name='cooperation')),
                ('decided_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='confirmed or rejected by')),
                ('proposed_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='proposed by')),
            ],
            options={
                'verbose_name': 'retention rule',
                'verbose_name_plural': 'retention rules',
                'ordering': ['cooperation', 'record_type', 'law', 'institution_kind', '-proposed_at'],
            },
        ),
        migrations.CreateModel(
            name='DeletionRecord',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('record_type', models.CharField(choices=[('case', 'Case file (case, family members, health data, involvements)'), ('consent', 'Consents and their scans'), ('disclosure', 'Disclosures without consent'), ('conference', 'Beteiligtenkonferenzen and their frozen protocols'), ('note', 'Progress notes'), ('access_log', 'Access-log entries'), ('notification', 'Notifications'), ('committee', 'Committee sittings and their minutes')], max_length=20, verbose_name='kind of record')),
                ('reference', models.CharField(blank=True, max_length=100, verbose_name='reference')),
                ('count', models.PositiveIntegerField(verbose_name='records deleted')),
                ('details', models.JSONField(default=dict, verbose_name='details')),
                ('first_date', models.DateField(blank=True, null=True, verbose_name='from')),
                ('last_date', models.DateField(blank=True, null=True, verbose_name='until')),
                ('due_on', models.DateField(verbose_name='due on')),
                ('deleted_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='deleted at')),
                ('rule_text', models.CharField(max_length=500, verbose_name='rule')),
                ('legal_source', models.CharField(max_length=500, verbose_name='legal source')),
                ('cooperation', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='cooperation.cooperation', verbose_name='cooperation')),
                ('institution', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='cooperation.institution', verbose_name='institution')),
                ('rule', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='privacy.retentionrule', verbose_name='rule of the cooperation')),
            ],
            options={
                'verbose_name': 'deletion record',
                'verbose_name_plural': 'deletion log',
                'ordering': ['-deleted_at', '-pk'],
            },
        ),
        migrations.CreateModel(
            name='LegalHold',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('reason', models.TextField(help_text='Why the case must not be deleted, e.g. a court case or a complaint, with its file number. Do not write names of family members.', verbose_name='reason')),
                ('placed_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='placed at')),
                ('lifted_at', models.DateTimeField(blank=True, null=True, verbose_name='lifted at')),
                ('lift_reason', models.TextField(blank=True, verbose_name='reason for lifting')),
                ('case', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='cases.case')),
                ('lifted_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('placed_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'verbose_name': 'legal hold',
                'verbose_name_plural': 'legal holds',
                'ordering': ['-placed_at'],
                'constraints': [models.UniqueConstraint(condition=models.Q(('lifted_at__isnull', True)), fields=('case',), name='one_active_hold')],
            },
        ),
        migrations.AddConstraint(
            model_name='retentionrule',
            constraint=models.UniqueConstraint(condition=models.Q(('status', 'proposed')), fields=('cooperation', 'record_type', 'law', 'institution_kind'), name='retention_rule_one_proposal_per_key'),
        ),
        migrations.AddIndex(
            model_name='deletionrecord',
            index=models.Index(fields=['cooperation', '-deleted_at'], name='deletion_log_order'),
        ),
    ]
