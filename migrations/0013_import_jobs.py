"""Import jobs: an upload's bytes and its progress in the database, so any web process can run or show it.

Frozen copy of ``quizzer.store.import_models`` at this revision (``user`` stands in for the existing
table). A partial unique index keeps one running import per user, on both engines.
"""
import peewee as pw

# Frozen copy of quizzer.store.import_models.RUNNING_PHASES at this revision.
RUNNING_PHASES = ("queued", "reading", "diffing", "apply-queued", "applying")


def upgrade(db, migrator):
    class Base(pw.Model):
        class Meta:
            database = db
            legacy_table_names = False

    class User(Base):
        pass

    class ImportJob(Base):
        owner = pw.ForeignKeyField(User, on_delete="CASCADE")
        filename = pw.CharField(max_length=255)
        data = pw.BlobField()
        options = pw.TextField()
        phase = pw.CharField(max_length=16)
        notes_done = pw.IntegerField(default=0)
        notes_total = pw.IntegerField(default=0)
        result = pw.TextField(null=True)
        error = pw.TextField(null=True)
        holder = pw.CharField(max_length=128, default="")
        lease_until = pw.DateTimeField(null=True)
        created_at = pw.DateTimeField()
        updated_at = pw.DateTimeField()

        class Meta:
            indexes = ((("phase", "id"), False),)

    db.create_tables([ImportJob])
    phases = ", ".join(f"'{phase}'" for phase in RUNNING_PHASES)
    db.execute_sql(f"CREATE UNIQUE INDEX import_job_one_running ON import_job (owner_id) WHERE phase IN ({phases})")
