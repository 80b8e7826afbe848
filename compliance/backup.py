"""Keeping the database and the photo storage whole: backup and restore archives, and the audit of photo files.

An archive is one tar.gz: `manifest.json` (counts, SHA-256 of every member, when and by which version it was made),
`data.json` (Django's `dumpdata`, so it loads into SQLite or PostgreSQL alike) and `files/<storage name>` for every
photo and thumbnail a Photo row names. Files are read and written through the storage API, so a local folder and
an S3 bucket are backed up the same way.
"""

from __future__ import annotations

import datetime
import hashlib
import importlib.metadata
import io
import json
import os
import tarfile
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.apps import apps
from django.contrib.auth.models import User
from django.core.files.base import ContentFile
from django.core.files.storage import Storage, default_storage
from django.core.management import call_command
from django.db import connection, models, transaction
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

from compliance import scoreboard, tallies
from compliance.models import Photo

ARCHIVE_FORMAT = 1
MANIFEST = "manifest.json"
DATA = "data.json"
FILES = "files/"
# Rebuilt by `migrate` on any instance, or private to one running server, or drawn again on demand (the PDFs workers
# keep, megabytes of derived bytes): not worth carrying across.
EXCLUDED = ("contenttypes", "auth.permission", "sessions", "admin.logentry", "compliance.rendereddocument")
# Folders of default_storage that hold photos (see Photo.new_image_name and Photo.new_thumbnail_name).
PHOTO_FOLDERS = ("photos", "thumbs")
# An upload writes its files before it commits its rows: a file younger than this may be an upload in flight.
DEFAULT_GRACE_MINUTES = 60


class ArchiveError(Exception):
    """The archive cannot be restored: unreadable, damaged, from a newer schema, or the database is not empty."""


@dataclass(frozen=True)
class BackupSummary:
    """What an archive holds."""

    path: Path
    rows: int
    files: int
    bytes: int
    missing_files: tuple[str, ...]

    def __str__(self) -> str:
        missing = f"; {len(self.missing_files)} files named by rows were missing" if self.missing_files else ""
        files = f"{self.files:,} photo files ({self.bytes:,} bytes)"
        return f"Backed up {self.rows:,} rows and {files} to {self.path}{missing}."


@dataclass(frozen=True)
class RestoreSummary:
    """What a restore put back."""

    rows: int
    files: int
    files_already_present: int
    replaced: bool

    def __str__(self) -> str:
        present = f" ({self.files_already_present:,} already present)" if self.files_already_present else ""
        how = "replacing the previous data" if self.replaced else "into an empty database"
        return f"Restored {self.rows:,} rows and {self.files:,} photo files{present}, {how}; every hash verified."


@dataclass(frozen=True)
class PhotoFileAudit:
    """Photo files without a row (orphans old enough to remove) and rows whose files are gone."""

    orphans: tuple[str, ...]
    recent_orphans: int
    missing: tuple[str, ...]
    referenced: int


def sha256(data: bytes) -> str:
    """The hex SHA-256 of some bytes."""
    return hashlib.sha256(data).hexdigest()


def app_version() -> str:
    """The installed SignWatch version, as pip knows it."""
    try:
        return importlib.metadata.version("signwatch")
    except importlib.metadata.PackageNotFoundError:
        return "unknown"


def photo_file_names(objects: Iterable[dict[str, Any]]) -> list[str]:
    """The storage names of every photo and thumbnail in serialised data, in order, each once."""
    names = (
        obj["fields"][name] for obj in objects if obj["model"] == "compliance.photo" for name in ("image", "thumbnail")
    )
    return list(dict.fromkeys(name for name in names if name))


def _row_counts(objects: Iterable[dict[str, Any]]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for obj in objects:
        counts[obj["model"]] = counts.get(obj["model"], 0) + 1
    return dict(sorted(counts.items()))


def _applied_migrations() -> list[list[str]]:
    return sorted([app, name] for app, name in MigrationRecorder(connection).applied_migrations())


def _dump_data() -> bytes:
    """The whole database but EXCLUDED, as JSON, read from one consistent snapshot."""
    outermost = not connection.in_atomic_block
    with tempfile.TemporaryDirectory() as folder, transaction.atomic():
        if connection.vendor == "postgresql" and outermost:
            # One snapshot for every table: otherwise an upload committing mid-dump can leave a photo without its
            # observation. (SQLite's IMMEDIATE transaction already holds writers off for the dump's few seconds.)
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        output = Path(folder) / DATA
        call_command(
            "dumpdata",
            *[f"--exclude={label}" for label in EXCLUDED],
            natural_foreign=True,
            natural_primary=True,
            output=str(output),
            verbosity=0,
        )
        return output.read_bytes()


def _add(archive: tarfile.TarFile, name: str, data: bytes, when: datetime.datetime) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mtime = int(when.timestamp())
    info.mode = 0o600
    archive.addfile(info, io.BytesIO(data))


def create_backup(path: Path, *, storage: Storage | None = None) -> BackupSummary:
    """Write one tar.gz of the database and every photo file its rows name; the file appears whole or not at all."""
    storage = storage or default_storage
    created_at = timezone.now()
    data = _dump_data()
    objects = json.loads(data)
    path = Path(path)
    partial = path.with_name(f".{path.name}.partial")
    files: dict[str, dict[str, Any]] = {}
    missing: list[str] = []
    try:
        # The photos go in after the dump: stored files are never rewritten (fresh random names), so each
        # is the one its row named when the dump was taken.
        with tarfile.open(partial, "w:gz") as archive:
            _add(archive, DATA, data, created_at)
            for name in photo_file_names(objects):
                try:
                    with storage.open(name, "rb") as stored:
                        content = stored.read()
                except FileNotFoundError:
                    missing.append(name)
                    continue
                _add(archive, FILES + name, content, created_at)
                files[name] = {"sha256": sha256(content), "bytes": len(content)}
            manifest = {
                "format": ARCHIVE_FORMAT,
                "created_at": created_at.isoformat(),
                "app_version": app_version(),
                "database_vendor": connection.vendor,
                "migrations": _applied_migrations(),
                "counts": _row_counts(objects),
                "data_sha256": sha256(data),
                "files": files,
                "missing_files": missing,
            }
            _add(archive, MANIFEST, json.dumps(manifest, indent=2).encode(), created_at)
        os.chmod(partial, 0o600)  # it holds password hashes and who submitted what
        os.replace(partial, path)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return BackupSummary(
        path=path,
        rows=len(objects),
        files=len(files),
        bytes=sum(entry["bytes"] for entry in files.values()),
        missing_files=tuple(missing),
    )


def read_manifest(path: Path) -> dict[str, Any]:
    """The manifest of an archive."""
    try:
        with tarfile.open(path, "r:gz") as archive:
            member = archive.extractfile(MANIFEST)
            if member is None:
                raise KeyError(MANIFEST)
            manifest = json.loads(member.read())
    except (OSError, tarfile.TarError, KeyError, ValueError) as error:
        raise ArchiveError(f"{path} is not a SignWatch backup archive: {error}") from None
    if manifest.get("format") != ARCHIVE_FORMAT:
        raise ArchiveError(f"{path} has archive format {manifest.get('format')!r}; this version reads {ARCHIVE_FORMAT}")
    return manifest


def _members(path: Path) -> Iterator[tuple[str, bytes]]:
    """Each regular member of an archive with its bytes, in archive order (one pass through the gzip stream)."""
    with tarfile.open(path, "r:gz") as archive:
        for member in archive:
            if member.isfile():
                extracted = archive.extractfile(member)
                assert extracted is not None
                yield member.name, extracted.read()


def verify_archive(path: Path, manifest: dict[str, Any]) -> None:
    """Check every member against the manifest's hashes, before anything is written anywhere."""
    if strays := [name for name in manifest["files"] if name.split("/")[0] not in PHOTO_FOLDERS or ".." in name]:
        raise ArchiveError(f"The manifest names a file outside the photo folders: {strays[0]}")
    expected = {FILES + name: entry["sha256"] for name, entry in manifest["files"].items()}
    expected[DATA] = manifest["data_sha256"]
    seen: set[str] = set()
    try:
        for name, content in _members(path):
            if name == MANIFEST:
                continue
            if name not in expected:
                raise ArchiveError(f"{name} is in the archive but not in its manifest")
            if sha256(content) != expected[name]:
                raise ArchiveError(f"{name} does not match the SHA-256 in the manifest: the archive is damaged")
            seen.add(name)
    except (OSError, tarfile.TarError, EOFError) as error:
        raise ArchiveError(f"{path} cannot be read to the end: {error}") from None
    if absent := sorted(set(expected) - seen):
        raise ArchiveError(f"{len(absent)} members listed in the manifest are not in the archive, e.g. {absent[0]}")


def database_is_empty() -> bool:
    """True when there is nothing a restore could collide with: no accounts and no SignWatch rows of any kind."""
    if User.objects.exists():
        return False
    return not any(model._default_manager.exists() for model in apps.get_app_config("compliance").get_models())


def _check_schema(manifest: dict[str, Any]) -> None:
    archived = {tuple(item) for item in manifest["migrations"]}
    if absent := sorted(archived - set(MigrationRecorder(connection).applied_migrations())):
        app, name = absent[0]
        raise ArchiveError(
            f"The archive was made with migration {app}.{name}, not applied here: update SignWatch and run migrate"
        )


def _write_file(storage: Storage, name: str, content: bytes, expected: str) -> bool:
    """Put one file back under its own name; False when an identical file is already there."""
    if storage.exists(name):
        with storage.open(name, "rb") as present:
            if sha256(present.read()) == expected:
                return False
        raise ArchiveError(f"{name} already exists in storage with different content; it was left untouched")
    saved = storage.save(name, ContentFile(content))
    if saved != name:
        storage.delete(saved)
        raise ArchiveError(f"The storage saved {name} as {saved}: rows would point at the wrong file")
    with storage.open(name, "rb") as written:
        intact = sha256(written.read()) == expected
    if not intact:
        storage.delete(name)
        raise ArchiveError(f"{name} reads back different from what was written")
    return True


def restore_backup(path: Path, *, force: bool = False, storage: Storage | None = None) -> RestoreSummary:
    """Load an archive's rows and photo files, every hash checked; refuses a non-empty database unless forced."""
    storage = storage or default_storage
    path = Path(path)
    manifest = read_manifest(path)
    verify_archive(path, manifest)
    _check_schema(manifest)
    empty = database_is_empty()
    if not empty and not force:
        raise ArchiveError(
            "The database already holds data. Restore into a freshly migrated database (before load_reference_data), "
            "or pass --force to replace everything in it with the archive's contents."
        )
    written: list[str] = []
    already_present = 0
    try:
        with tempfile.TemporaryDirectory() as folder, transaction.atomic():
            if not empty:
                # Replace, don't merge: rows with the same key would be overwritten and the rest kept, a mixture
                # that never existed. flush re-creates content types and permissions as migrate does.
                call_command("flush", interactive=False, verbosity=0)
            for name, content in _members(path):
                if name == DATA:
                    fixture = Path(folder) / DATA
                    fixture.write_bytes(content)
                    call_command("loaddata", str(fixture), verbosity=0)
                elif name.startswith(FILES):
                    storage_name = name.removeprefix(FILES)
                    if _write_file(storage, storage_name, content, manifest["files"][storage_name]["sha256"]):
                        written.append(storage_name)
                    else:
                        already_present += 1
    except BaseException:
        for name in written:
            storage.delete(name)
        raise
    tallies.forget()  # counted on the backup's day, perhaps under other laws: recount before the figures are read
    scoreboard.invalidate()
    return RestoreSummary(
        rows=sum(manifest["counts"].values()),
        files=len(written) + already_present,
        files_already_present=already_present,
        replaced=not empty,
    )


# --- photo files and their rows ---


def _walk(storage: Storage, folder: str) -> Iterator[str]:
    try:
        folders, files = storage.listdir(folder)
    except FileNotFoundError:
        return
    for name in files:
        yield f"{folder}/{name}"
    for sub in folders:
        yield from _walk(storage, f"{folder}/{sub}")


def stored_photo_files(storage: Storage | None = None) -> list[str]:
    """Every file under the photo folders of a storage."""
    storage = storage or default_storage
    return sorted(name for folder in PHOTO_FOLDERS for name in _walk(storage, folder))


def audit_photo_files(
    *,
    older_than: datetime.timedelta = datetime.timedelta(minutes=DEFAULT_GRACE_MINUTES),
    storage: Storage | None = None,
    now: datetime.datetime | None = None,
) -> PhotoFileAudit:
    """Compare the photo files in storage with the Photo rows: files no row names, and rows whose files are gone."""
    storage = storage or default_storage
    now = now or timezone.now()
    # Storage first, rows second: a file written and committed in between is then seen with its row.
    on_storage = set(stored_photo_files(storage))
    referenced = {name for pair in Photo.objects.values_list("image", "thumbnail") for name in pair if name}
    orphans, recent = [], 0
    for name in sorted(on_storage - referenced):
        if now - storage.get_modified_time(name) >= older_than:
            orphans.append(name)
        else:
            recent += 1
    return PhotoFileAudit(
        orphans=tuple(orphans),
        recent_orphans=recent,
        missing=tuple(sorted(referenced - on_storage)),
        referenced=len(referenced),
    )


def photos_missing_files(storage: Storage | None = None) -> list[Photo]:
    """Photo rows whose image or thumbnail is not in storage (the check for rows without their files)."""
    missing = audit_photo_files(storage=storage).missing
    return list(Photo.objects.filter(models.Q(image__in=missing) | models.Q(thumbnail__in=missing))) if missing else []


def prune_orphan_photos(
    *,
    older_than: datetime.timedelta = datetime.timedelta(minutes=DEFAULT_GRACE_MINUTES),
    dry_run: bool = False,
    storage: Storage | None = None,
) -> PhotoFileAudit:
    """Delete photo files that no row names and that are older than the grace period; answers the audit it acted on."""
    storage = storage or default_storage
    audit = audit_photo_files(older_than=older_than, storage=storage)
    if not dry_run:
        for name in audit.orphans:
            storage.delete(name)
    return audit
