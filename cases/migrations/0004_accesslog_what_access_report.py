# The privacy app's two kinds of access-log entry: the access report (GDPR Art. 15) and
# the case's data protection page. Only the choices change; no column does.

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0003_access_log_vocabulary'),
    ]

    operations = [
        migrations.AlterField(
            model_name='accesslog',
            name='what',
            field=models.CharField(choices=[('case_list', 'case list'), ('case_search', 'case search (hit list)'), ('case_detail', 'case page'), ('consent_pdf', 'consent form (PDF)'), ('consent_scan', 'consent scan'), ('conference', 'Beteiligtenkonferenz'), ('invitation_letter', 'invitation letter to the family (PDF)'), ('conference_pdf', 'conference protocol (PDF)'), ('access_log', 'access log'), ('admin', 'administration (superuser)'), ('access_report', 'access report for a family member (Art. 15 GDPR)'), ('privacy_case', 'data protection page of the case')], max_length=100, verbose_name='what was viewed'),
        ),
    ]
