"""The import workflow: upload → preview → commit, all-or-nothing."""

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from houqin.imports.importers import IMPORTERS, Plan
from houqin.imports.models import ImportBatch, ImportKind, ImportStatus


def importer_for(batch: ImportBatch, user):
    return IMPORTERS[batch.kind](school=batch.school, user=user)


def import_batch_create(*, school, user, kind: str, upload, row_count: int) -> ImportBatch:
    """Keep the uploaded file on the server; the preview and the commit read it from there,
    never from the client again."""
    return ImportBatch.objects.create(
        school=school,
        kind=kind,
        created_by=user,
        file=upload,
        original_name=upload.name[:200],
        row_count=row_count,
    )


def import_batch_plan(*, batch: ImportBatch, user) -> Plan:
    """Read and check every row of the batch's file; writes nothing. Raises
    ``ImportFileError`` when the file cannot be read."""
    return _plan(importer_for(batch, user), batch)


def _plan(importer, batch):
    with batch.file.open("rb") as fileobj:
        rows = importer.read(fileobj)
    return importer.plan(rows)


def import_batch_commit(*, batch: ImportBatch, user) -> Plan:
    """Check the file again and, when no row has an error, write every row in one
    transaction. The returned plan has the errors when nothing was written."""
    with transaction.atomic():
        batch = ImportBatch.objects.select_for_update().get(pk=batch.pk)
        if batch.is_committed:
            return Plan()
        importer = importer_for(batch, user)
        plan = _plan(importer, batch)
        if plan.ok:
            importer.apply(plan)
            batch.status = ImportStatus.COMMITTED
            batch.committed_at = timezone.now()
        batch.row_count = plan.row_count + len({error.row for error in plan.errors})
        batch.created_count = len(plan.creates)
        batch.updated_count = len(plan.updates)
        batch.error_count = len(plan.errors)
        batch.save()
    if batch.is_committed and batch.kind == ImportKind.PEOPLE:
        _forget_passwords(importer, batch)
    return plan


def _forget_passwords(importer, batch):
    with batch.file.open("rb") as fileobj:
        content = importer.forget_passwords(fileobj)
    if content is not None:
        storage, name = batch.file.storage, batch.file.name
        storage.delete(name)
        batch.file.name = storage.save(name, ContentFile(content))
        batch.save(update_fields=["file", "updated_at"])
