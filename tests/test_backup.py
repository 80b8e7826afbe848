"""Backup and restore: one archive of the database and the photo files, restored whole into a fresh instance.

The source is the test database (SQLite or PostgreSQL, whichever the suite runs on); the restore goes into a second,
freshly migrated SignWatch process on a SQLite file and media folder of its own, read back directly.
"""

from __future__ import annotations

import hashlib
import io
import json
import sqlite3
import subprocess
import tarfile
from pathlib import Path

import pytest
from django.apps import apps
from django.contrib.auth.models import User
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from compliance import backup, letters, observations, roles
from compliance.models import Jurisdiction, Letter, Observation, Photo, Venue
from tests import images
from tests.conftest import stored_files
from tests.test_faults import Instance, new_instance


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def report(api, seed: int, point: tuple[float, float] = images.AUSTIN, status: str = "posted") -> Observation:
    data = {"lat": point[0], "lon": point[1], "venue_type": "truck_stop", "sign_status": status}
    data["photos"] = [SimpleUploadedFile("IMG_1.jpg", images.jpeg(images.photo_like(640, 480, seed=seed)))]
    response = api.post("/api/observations/", data, format="multipart")
    assert response.status_code == 201, response.json()
    return Observation.objects.get(public_id=response.json()["id"])


def stored_sha256(name: str) -> str:
    with default_storage.open(name, "rb") as stored:
        return sha256(stored.read())


def backed_up_models() -> list:
    """Every model whose rows an archive carries (all but the ones `migrate` rebuilds or that are per-server)."""
    excluded = {label for label in backup.EXCLUDED if "." in label}
    excluded_apps = {label for label in backup.EXCLUDED if "." not in label}
    return [
        model
        for model in apps.get_models()
        if model._meta.label_lower not in excluded and model._meta.app_label not in excluded_apps
    ]


def rows(instance: Instance, query: str, *params) -> list[tuple]:
    with sqlite3.connect(instance.database) as connection:
        return connection.execute(query, params).fetchall()


@pytest.fixture
def fresh(tmp_path) -> Instance:
    """A second SignWatch, migrated and nothing else: what an operator restores into."""
    return new_instance(tmp_path / "restored", reference_data=False)


@pytest.mark.django_db(transaction=True)
def test_backup_restored_into_a_fresh_instance_holds_the_same_rows_photos_status_and_letter(
    committed_registry, api, moderator, fresh, tmp_path
):
    first = report(api, seed=1, status="missing")
    second = report(api, seed=2, point=(32.7767, -96.7970))
    for observation in (first, second):
        observations.moderate(observation=observation, moderator=moderator, action="approve")
    advocate = User.objects.create_user("advocate", password="pw-for-tests-only")
    advocate.groups.add(roles.advocates_group())
    letter = letters.compose(
        jurisdiction=Jurisdiction.objects.get(code="CA"),
        kind=Letter.Kind.ENFORCEMENT,
        author=advocate,
        report_url="https://signwatch.example/reports/CA/",
    )
    archive = tmp_path / "signwatch.tar.gz"

    call_command("backup", str(archive), stdout=io.StringIO())

    manifest = backup.read_manifest(archive)
    photos = list(Photo.objects.all())
    assert len(photos) == 2
    names = {name for photo in photos for name in (photo.image.name, photo.thumbnail.name)}
    assert set(manifest["files"]) == names and manifest["missing_files"] == []
    assert all(manifest["files"][name]["sha256"] == stored_sha256(name) for name in names)
    assert manifest["app_version"] and manifest["created_at"]

    output = fresh.manage("restore", str(archive)).stdout
    assert output.startswith(f"Restored {sum(manifest['counts'].values()):,} rows and 4 photo files")

    for model in backed_up_models():
        count = rows(fresh, f"SELECT COUNT(*) FROM {model._meta.db_table}")[0][0]
        assert count == model._default_manager.count(), model._meta.label
    assert manifest["counts"]["compliance.observation"] == 2
    assert {
        (uuid.replace("-", ""), image, thumbnail, clean)
        for uuid, image, thumbnail, clean in rows(
            fresh, "SELECT public_id, image, thumbnail, clean_sha256 FROM compliance_photo"
        )
    } == {(photo.public_id.hex, photo.image.name, photo.thumbnail.name, photo.clean_sha256) for photo in photos}
    assert fresh.files() == names
    for name in names:
        assert sha256((fresh.media_root / name).read_bytes()) == stored_sha256(name)
    for photo in photos:
        assert sha256((fresh.media_root / photo.image.name).read_bytes()) == photo.clean_sha256

    venue = Venue.objects.get(pk=first.venue_id)
    assert venue.current_status == "missing"
    assert rows(fresh, "SELECT current_status, latest_photo_id FROM compliance_venue WHERE id = ?", venue.pk) == [
        ("missing", venue.latest_photo_id)
    ]
    assert rows(fresh, "SELECT subject, body FROM compliance_letter") == [(letter.subject, letter.body)]
    assert rows(
        fresh,
        "SELECT g.name FROM auth_user u JOIN auth_user_groups ug ON ug.user_id = u.id "
        "JOIN auth_group g ON g.id = ug.group_id WHERE u.username = ?",
        "moderator",
    ) == [(roles.moderators_group().name,)]

    # A second restore would mix two states of the data: refused, unless asked to replace everything.
    with pytest.raises(subprocess.CalledProcessError) as refused:
        fresh.manage("restore", str(archive))
    assert "already holds data" in refused.value.stderr
    output = fresh.manage("restore", "--force", str(archive)).stdout
    assert "replacing the previous data" in output and "4 already present" in output
    assert rows(fresh, "SELECT COUNT(*) FROM compliance_observation") == [(2,)]
    assert rows(fresh, "SELECT COUNT(*) FROM auth_user") == [(User.objects.count(),)]


def _damaged_copy(archive: Path, target: Path) -> str:
    """The archive with one photo's bytes changed, its manifest untouched; answers the damaged file's name."""
    damaged = ""
    with tarfile.open(archive, "r:gz") as source, tarfile.open(target, "w:gz") as copy:
        for member in source:
            content = source.extractfile(member).read()
            if member.name.startswith(backup.FILES) and not damaged:
                damaged = member.name.removeprefix(backup.FILES)
                content = content[:-1] + bytes([content[-1] ^ 0xFF])
            member.size = len(content)
            copy.addfile(member, io.BytesIO(content))
    return damaged


def test_damaged_archive_is_refused_before_anything_is_written(api, tmp_path, settings):
    report(api, seed=3)
    archive = tmp_path / "signwatch.tar.gz"
    backup.create_backup(archive)
    damaged = _damaged_copy(archive, tmp_path / "damaged.tar.gz")
    Observation.objects.all().delete()
    settings.MEDIA_ROOT = tmp_path / "empty-media"

    with pytest.raises(backup.ArchiveError, match=f"files/{damaged} does not match the SHA-256"):
        backup.restore_backup(tmp_path / "damaged.tar.gz", force=True)

    assert stored_files(settings.MEDIA_ROOT) == []
    assert Observation.objects.exists() is False


def test_restore_into_a_database_with_data_is_refused_without_force(api, tmp_path):
    report(api, seed=4)
    archive = tmp_path / "signwatch.tar.gz"
    summary = backup.create_backup(archive)
    assert summary.files == 2 and summary.rows == sum(backup.read_manifest(archive)["counts"].values())

    with pytest.raises(backup.ArchiveError, match="already holds data"):
        backup.restore_backup(archive)


def test_archive_is_not_readable_by_others_and_names_no_excluded_table(api, tmp_path):
    report(api, seed=5)
    archive = tmp_path / "signwatch.tar.gz"
    backup.create_backup(archive)
    assert archive.stat().st_mode & 0o077 == 0  # password hashes and who submitted what
    with tarfile.open(archive, "r:gz") as opened:
        data = json.loads(opened.extractfile(backup.DATA).read())
    models = {obj["model"] for obj in data}
    assert not models & {"contenttypes.contenttype", "auth.permission", "sessions.session", "admin.logentry"}
    assert {"compliance.jurisdiction", "compliance.observation", "compliance.photo"} <= models


def test_operations_guide_documents_every_command_and_answer():
    guide = (Path(__file__).resolve().parent.parent / "docs" / "operations.md").read_text()
    for needed in ("manage.py backup", "manage.py restore", "--force", "prune_orphan_photos", "--older-than"):
        assert needed in guide
    for code in ("database_unavailable", "storage_unavailable", "Retry-After"):
        assert code in guide
