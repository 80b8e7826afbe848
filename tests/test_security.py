"""Production security: the content security policy, cookie flags, nosniff on photos, sign-in brute-force locks."""

from __future__ import annotations

import subprocess
import sys
import time

import pytest
from django.contrib.auth.models import User
from django.test import Client

from compliance import observations
from tests.test_moderation import submit
from tests.test_settings import PRODUCTION_LIKE, PROJECT, run_manage

PASSWORD = "a-long-test-password"
LOGIN_FORMS = ["/accounts/login/", "/admin/login/"]


def directives(header: str) -> dict[str, list[str]]:
    """A Content-Security-Policy header as {directive: [sources]}."""
    parsed = {}
    for part in header.split(";"):
        name, *sources = part.split()
        parsed[name] = sources
    return parsed


def test_pages_carry_a_strict_content_security_policy(client, db):
    policy = directives(client.get("/").headers["Content-Security-Policy"])
    assert policy == {
        "default-src": ["'self'"],
        "img-src": ["'self'", "data:", "blob:"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }


def test_only_the_api_docs_page_allows_inline_style(client, db):
    docs = directives(client.get("/api/docs/").headers["Content-Security-Policy"])
    assert docs["script-src"] == ["'self'"] and "'unsafe-inline'" in docs["style-src"]
    for path in ["/", "/submit/", "/signs/", "/accounts/login/", "/admin/login/", "/api/jurisdictions/"]:
        policy = client.get(path).headers["Content-Security-Policy"]
        assert "unsafe" not in policy, path


def test_page_templates_have_no_inline_script_or_style(client, db):
    for path in ["/", "/submit/", "/j/TX/", "/signs/", "/accounts/login/"]:
        html = client.get(path).content.decode()
        assert "<style" not in html and " style=" not in html, path
        scripts = html.count("<script")
        assert scripts == html.count("<script src=") + html.count('<script id="'), path  # json_script blocks only


def test_map_tile_origin_joins_img_src():
    result = subprocess.run(
        [sys.executable, "-c", "from backend import settings; print(settings.CONTENT_SECURITY_POLICY)"],
        cwd=PROJECT,
        env={
            **PRODUCTION_LIKE,
            "PATH": "/usr/bin:/bin",
            "MAP_TILE_URL": "https://{s}.tile.example.org/{z}/{x}/{y}.png",
        },
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert "'https://*.tile.example.org'" in result.stdout


def test_a_tile_url_that_is_not_http_fails_at_start_up():
    result = run_manage("check", env={**PRODUCTION_LIKE, "MAP_TILE_URL": "javascript:alert(1)"})
    assert result.returncode != 0
    assert "MAP_TILE_URL must be an http(s) address" in result.stderr


def test_cookie_flags(settings):
    assert settings.SESSION_COOKIE_HTTPONLY is True
    assert settings.SESSION_COOKIE_SAMESITE == "Lax"
    assert settings.CSRF_COOKIE_SAMESITE == "Lax"
    # submit.js and moderate.js read the CSRF cookie, so it must stay readable by scripts.
    assert settings.CSRF_COOKIE_HTTPONLY is False


def test_photos_are_served_nosniff(api, client, moderator):
    observation = submit(api)
    photo = observation.photos.get()
    client.force_login(moderator)
    pending = client.get(f"/photos/{photo.public_id}.jpg")
    assert pending.status_code == 200
    assert pending["X-Content-Type-Options"] == "nosniff"
    observations.moderate(observation=observation, moderator=moderator, action="approve")
    public = Client().get(f"/photos/{photo.public_id}/thumb.jpg")
    assert public.status_code == 200
    assert public["Content-Type"] == "image/jpeg"
    assert public["X-Content-Type-Options"] == "nosniff"


# --- sign-in brute-force protection ---


@pytest.fixture
def staff(db) -> User:
    return User.objects.create_user("sam", password=PASSWORD, is_staff=True)


def sign_in(path: str, username: str, password: str, address: str = "203.0.113.5", **headers):
    return Client().post(path, {"username": username, "password": password}, REMOTE_ADDR=address, **headers)


@pytest.mark.parametrize("path", LOGIN_FORMS)
def test_sixth_attempt_after_five_failures_is_refused_even_with_the_right_password(path, staff):
    for _ in range(5):
        assert sign_in(path, "sam", "wrong").status_code == 200
    refused = sign_in(path, "sam", PASSWORD)
    assert refused.status_code == 429
    assert refused["Retry-After"] == "900"
    assert "Too many failed sign-in attempts. Wait 15 minutes" in refused.content.decode()
    assert "_auth_user_id" not in refused.wsgi_request.session


@pytest.mark.parametrize("path", LOGIN_FORMS)
def test_the_username_lock_holds_from_another_address(path, staff):
    for _ in range(5):
        sign_in(path, "sam", "wrong", address="203.0.113.5")
    assert sign_in(path, "sam", PASSWORD, address="198.51.100.7").status_code == 429
    assert sign_in(path, "SAM ", PASSWORD, address="198.51.100.7").status_code == 429


def test_the_lock_is_shared_by_both_forms(staff):
    for _ in range(5):
        sign_in("/admin/login/", "sam", "wrong")
    assert sign_in("/accounts/login/", "sam", PASSWORD).status_code == 429


def test_four_failures_then_success_clears_the_username_count(staff):
    for _ in range(4):
        sign_in("/accounts/login/", "sam", "wrong")
    assert sign_in("/accounts/login/", "sam", PASSWORD).status_code == 302
    for _ in range(4):
        assert sign_in("/accounts/login/", "sam", "wrong").status_code == 200
    assert sign_in("/accounts/login/", "sam", PASSWORD).status_code == 302


def test_one_address_trying_many_usernames_is_locked_out_but_others_are_not(staff):
    for number in range(20):
        assert sign_in("/accounts/login/", f"guess{number}", "wrong").status_code == 200
    assert sign_in("/accounts/login/", "sam", PASSWORD).status_code == 429
    assert sign_in("/accounts/login/", "sam", PASSWORD, address="198.51.100.7").status_code == 302


def test_a_made_up_forwarded_for_does_not_dodge_the_address_lock(staff):
    for number in range(20):
        sign_in("/accounts/login/", f"guess{number}", "wrong", HTTP_X_FORWARDED_FOR=f"10.0.0.{number}")
    assert sign_in("/accounts/login/", "sam", PASSWORD, HTTP_X_FORWARDED_FOR="10.0.1.1").status_code == 429


def test_behind_a_trusted_proxy_the_forwarded_address_is_counted(staff, settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}
    for number in range(20):
        sign_in("/accounts/login/", f"guess{number}", "wrong", address="10.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.5")
    proxy = "10.0.0.1"
    assert sign_in("/accounts/login/", "sam", PASSWORD, proxy, HTTP_X_FORWARDED_FOR="203.0.113.5").status_code == 429
    assert sign_in("/accounts/login/", "sam", PASSWORD, proxy, HTTP_X_FORWARDED_FOR="198.51.100.7").status_code == 302


def test_the_lock_lifts_when_its_time_is_up(staff, settings):
    settings.LOGIN_LOCK_S = 1
    for _ in range(5):
        sign_in("/accounts/login/", "sam", "wrong")
    assert sign_in("/accounts/login/", "sam", PASSWORD).status_code == 429
    time.sleep(1.1)
    assert sign_in("/accounts/login/", "sam", PASSWORD).status_code == 302


def test_the_site_form_shows_the_lock_message_not_wrong_password(staff):
    for _ in range(5):
        sign_in("/accounts/login/", "sam", "wrong")
    html = sign_in("/accounts/login/", "sam", PASSWORD).content.decode()
    assert "did not match" not in html
    assert "Too many failed sign-in attempts" in html
