"""A supporter on a phone, in Spanish: supports a campaign and confirms through the emailed link."""

import datetime
import re

import pytest
from django.core import mail
from django.utils import timezone

from compliance import campaigns, roles
from compliance.models import Jurisdiction, Supporter

pytestmark = pytest.mark.browser


@pytest.fixture
def texas_campaign(committed_registry, django_user_model):
    advocate = django_user_model.objects.create_user("advocate", password="pw-for-tests-only")
    advocate.groups.add(roles.advocates_group())
    return campaigns.open_campaign(
        jurisdiction=Jurisdiction.objects.get(code="TX"),
        ask="Share the hotline on your website and in your offices.",
        opened_by=advocate,
        ends_on=timezone.localdate() + datetime.timedelta(days=30),
    )


def test_a_spanish_phone_supports_a_campaign_and_confirms_by_email(
    live_server, texas_campaign, browser, settings, screenshot
):
    settings.SITE_URL = live_server.url
    phone = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True, locale="es-US")
    page = phone.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))

    page.goto(f"{live_server.url}/j/TX/")
    page.click("a[href='/campaigns/TX/']")
    assert "Dígale al Fiscal General de Texas" in page.inner_text("h1")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # nothing wider than the phone

    # A bad ZIP code is marked on its field, in Spanish, and nothing is stored.
    page.fill("#id_name", "Lucía Gómez")
    page.fill("#id_email", "Lucia.Gomez@Example.org")
    page.fill("#id_zip_code", "787")
    page.click("main button[type=submit]")
    page.wait_for_selector("#error-zip_code:not([hidden])")
    assert "cinco dígitos" in page.inner_text("#error-zip_code")
    assert Supporter.objects.count() == 0

    page.fill("#id_zip_code", "78701")
    page.check("#id_public_name")
    page.click("main button[type=submit]")
    page.wait_for_selector("#campaign-status:not([hidden])")
    assert "Revise su correo" in page.inner_text("#campaign-status")
    screenshot(page, "campaign-phone-es")
    assert not Supporter.objects.get().confirmed_at

    [message] = mail.outbox
    assert message.to == ["Lucia.Gomez@Example.org"]
    assert message.subject == "Confirme su apoyo: dígale al Fiscal General de Texas"
    link = re.search(r"(http://\S+/campaigns/confirm/\S+/)", message.body).group(1)

    page.goto(link)
    page.click("main button[type=submit]")
    assert "Gracias: su apoyo ya cuenta" in page.inner_text("h1")
    assert Supporter.objects.get().confirmed_at is not None

    page.goto(f"{live_server.url}/campaigns/TX/")
    assert "1 persona confirmada apoya" in page.inner_text("#campaign-supporters")
    assert "Lucía Gómez" in page.inner_text(".campaign-names")
    assert not errors, errors
    phone.close()


def test_a_sign_up_without_signal_waits_on_the_phone_and_goes_when_it_returns(live_server, texas_campaign, browser):
    phone = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True, locale="en-US")
    page = phone.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{live_server.url}/campaigns/TX/")
    page.fill("#id_name", "Sam Lee")
    page.fill("#id_email", "sam@example.org")
    page.fill("#id_zip_code", "75001")
    phone.set_offline(True)
    page.click("main button[type=submit]")
    page.wait_for_selector("#campaign-status:has-text('No signal')")
    assert Supporter.objects.count() == 0
    phone.set_offline(False)
    page.wait_for_selector("#campaign-status:has-text('Check your email')")
    assert Supporter.objects.get().email == "sam@example.org"
    assert len(mail.outbox) == 1
    assert not errors, errors
    phone.close()


def test_the_maps_state_panel_leads_to_the_campaign(live_server, texas_campaign, page):
    supporter = campaigns.sign_up(campaign=texas_campaign, name="Ana", email="ana@example.org", zip_code="78701")
    campaigns.confirm(campaigns.confirmation_token(supporter))
    page.goto(f"{live_server.url}/")
    page.wait_for_selector("#map[data-ready=true]", timeout=20_000)
    page.click('path[data-code="TX"]')
    page.wait_for_selector("#panel-campaign:not([hidden])")
    assert page.inner_text("#panel-campaign") == "Tell the Attorney General · 1 supporter"
    page.click('path[data-code="OH"]')
    page.wait_for_selector("#panel-title:has-text('Ohio')")
    assert not page.is_visible("#panel-campaign")  # no campaign in Ohio
    page.click('path[data-code="TX"]')
    page.click("#panel-campaign a")
    page.wait_for_url("**/campaigns/TX/")
