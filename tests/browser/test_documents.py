"""A reader clicking "Download as PDF" while task workers draw the PDFs: a page saying so, then the PDF by itself."""

from __future__ import annotations

import pytest
from django.core.management import call_command

pytestmark = [pytest.mark.browser, pytest.mark.database_agnostic]


@pytest.mark.django_db(transaction=True)
def test_pdf_link_shows_a_waiting_page_that_opens_the_pdf_once_a_worker_drew_it(
    page, live_server, committed_registry, settings
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    page.goto(f"{live_server.url}/reports/TX/")
    page.get_by_role("link", name="Download as PDF").click()
    page.wait_for_url(f"{live_server.url}/reports/TX.pdf")
    assert page.get_by_role("heading", level=1).inner_text() == "Your document is being prepared"
    assert page.get_by_role("link", name="Try again now").get_attribute("href") == "/reports/TX.pdf"

    call_command("db_worker", "--batch", "--no-startup-delay", "--interval", "0")

    # The page reloads itself every few seconds (meta refresh, answered 202 while the worker drew); now the PDF.
    with page.expect_response(
        lambda response: response.url.endswith("/reports/TX.pdf") and response.status != 202, timeout=15_000
    ) as answer:
        pass
    response = answer.value
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
