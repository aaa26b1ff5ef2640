"""Administration → Users → Provisioning in a real browser, on the example product.

An organization admin generates a key on the page, an IdP uses it over real
HTTP, the admin sees the request in the activity list, revokes the key, and
the IdP's next request is answered 401 (RFC 7644 §3.12, RFC 6750 §3.1).
Another organization's admin can neither see nor revoke that key.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any

import pytest
from accounts.models import Membership, Organization, Subscription, User

from scim_provisioning.constants import USER_SCHEMA
from scim_provisioning.models import ProvisioningKey

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "correct horse battery staple"
PAGE = "/orgs/{slug}/administration/users/provisioning/"

# Every visible form control must have an accessible name, the document a
# language and exactly one h1: a cheap, always-on accessibility floor.
ACCESSIBILITY_PROBLEMS = """() => {
  const problems = [];
  if (!document.documentElement.lang) problems.push("<html> has no lang");
  const h1 = document.querySelectorAll("h1").length;
  if (h1 !== 1) problems.push(`${h1} h1 elements`);
  for (const el of document.querySelectorAll("input, select, textarea, button")) {
    if (el.type === "hidden" || el.hidden || el.offsetParent === null) continue;
    const named = (el.labels && el.labels.length) || el.getAttribute("aria-label") ||
                  el.getAttribute("aria-labelledby") || (el.tagName === "BUTTON" && el.textContent.trim());
    if (!named) problems.push(el.outerHTML.slice(0, 120));
  }
  return problems;
}"""


def make_organization(slug: str, name: str, admin_email: str, seats: int = 5) -> tuple[Organization, User]:
    organization = Organization.objects.create(slug=slug, name=name)
    Subscription.objects.create(organization=organization, plan="Enterprise", seats=seats)
    admin = User.objects.create_user(admin_email, PASSWORD, first_name="Org", last_name="Admin")
    Membership.objects.create(user=admin, organization=organization, is_admin=True)
    return organization, admin


@pytest.fixture
def acme() -> tuple[Organization, User]:
    return make_organization("acme", "Acme", "alice@acme.example")


@pytest.fixture
def globex() -> tuple[Organization, User]:
    return make_organization("globex", "Globex", "bob@globex.example")


@pytest.fixture
def open_context(chromium: Any, live_server: Any) -> Any:
    contexts = []

    def open_context(javascript: bool = True) -> Any:
        context = chromium.new_context(
            base_url=live_server.url, viewport={"width": 1280, "height": 900}, java_script_enabled=javascript
        )
        context.set_default_timeout(10_000)
        if javascript:
            context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
        contexts.append(context)
        return context

    yield open_context
    for context in contexts:
        context.close()


def log_in(context: Any, email: str) -> Any:
    page = context.new_page()
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/")
    return page


def scim_request(base_url: str, key: str, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
    """One SCIM request over real HTTP, as an IdP sends it; returns (status, parsed body)."""
    request = urllib.request.Request(
        base_url + path,
        data=json.dumps(body).encode() if body is not None else None,
        method=method,
        headers={
            "Authorization": f"Bearer {key}",
            "Content-Type": "application/scim+json",
            "User-Agent": "Okta SCIM Client 1.0.0",
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null")


def new_user(user_name: str) -> dict[str, Any]:
    return {
        "schemas": [USER_SCHEMA],
        "userName": user_name,
        "name": {"givenName": "Jane", "familyName": "Doe"},
        "emails": [{"value": user_name, "type": "work", "primary": True}],
        "active": True,
    }


def assert_accessible(page: Any) -> None:
    assert page.evaluate(ACCESSIBILITY_PROBLEMS) == []


def test_admin_generates_uses_and_revokes_a_key(open_context, acme, globex, screenshot) -> None:
    organization, alice = acme
    page = log_in(open_context(), alice.email)

    # The product's own navigation leads to the page.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Provisioning").click()
    page.wait_for_url(f"**{PAGE.format(slug='acme')}")
    assert page.get_by_role("heading", level=1).inner_text().startswith("Provisioning")
    assert page.get_by_text("1 of 5 seats in use, 4 available.").is_visible()
    assert_accessible(page)
    screenshot(page, "provisioning-page")

    page.get_by_label("Key name").fill("Okta")
    page.get_by_role("button", name="Generate key").click()
    raw_key = page.get_by_role("textbox", name="Provisioning key").input_value()
    scim_url = page.get_by_role("textbox", name="SCIM base URL (Tenant URL)").input_value()
    assert raw_key.startswith("scim_")
    assert page.get_by_role("alert").inner_text().startswith("Copy this key now. It will not be shown again.")
    assert_accessible(page)
    screenshot(page, "key-generated")

    # The copy button puts exactly the key on the clipboard.
    page.get_by_role("button", name="Copy Provisioning key", exact=True).click()
    page.get_by_role("status").filter(has_text="Copied").wait_for()
    assert page.evaluate("navigator.clipboard.readText()") == raw_key

    status, body = scim_request(scim_url, raw_key, "POST", "/Users", new_user("jane@acme.example"))
    assert status == 201, body
    status, body = scim_request(scim_url, raw_key, "GET", "/Users?filter=userName%20eq%20%22JANE@acme.example%22")
    assert (status, body["totalResults"]) == (200, 1)

    page.get_by_role("link", name="Back to provisioning").click()
    assert raw_key not in page.content()  # shown once, never again
    activity = page.get_by_role("table", name="Provisioning activity, newest first")
    first_row = activity.get_by_role("row").nth(1)
    assert "provisioned" in first_row.inner_text()
    assert "jane@acme.example" in first_row.inner_text()
    assert "Okta SCIM Client" in first_row.inner_text()
    keys = page.get_by_role("table", name="Provisioning keys, active first")
    assert "never" not in keys.get_by_role("row").nth(1).inner_text()  # last used is recorded
    screenshot(page, "activity")

    # Another organization's admin sees none of it and can revoke nothing.
    key = ProvisioningKey.objects.get(tenant=organization)
    bob_page = log_in(open_context(), globex[1].email)
    bob_page.goto(PAGE.format(slug="globex"))
    assert key.key_prefix not in bob_page.content()
    assert "jane@acme.example" not in bob_page.content()
    screenshot(bob_page, "other-organization")
    assert bob_page.goto(PAGE.format(slug="acme")).status == 404
    assert bob_page.goto(PAGE.format(slug="acme") + f"keys/{key.pk}/revoke/").status == 404
    assert bob_page.goto(PAGE.format(slug="globex") + f"keys/{key.pk}/revoke/").status == 404
    bob_page.goto(PAGE.format(slug="globex"))
    revoke_status = bob_page.evaluate(
        """async (url) => {
            const token = document.querySelector("input[name=csrfmiddlewaretoken]").value;
            const response = await fetch(url, {method: "POST", headers: {"X-CSRFToken": token}});
            return response.status;
        }""",
        PAGE.format(slug="globex") + f"keys/{key.pk}/revoke/",
    )
    assert revoke_status == 404
    assert scim_request(scim_url, raw_key, "GET", "/Users")[0] == 200

    page.get_by_role("link", name=f"Revoke key Okta ({key.key_prefix}…)").click()
    assert_accessible(page)
    screenshot(page, "revoke-confirmation")
    page.get_by_role("button", name="Revoke key").click()
    assert page.get_by_text(f"Key Okta ({key.key_prefix}…) revoked.").is_visible()
    screenshot(page, "revoked")

    status, body = scim_request(scim_url, raw_key, "GET", "/Users")
    assert status == 401
    assert body["schemas"] == ["urn:ietf:params:scim:api:messages:2.0:Error"]

    page.reload()
    page.get_by_label("Outcome").select_option("failed")
    page.get_by_role("button", name="Filter").click()
    rows = page.get_by_role("table", name="Provisioning activity, newest first").get_by_role("row")
    assert rows.count() == 2  # the header and the refused request
    assert "401" in rows.nth(1).inner_text()
    assert key.key_prefix in rows.nth(1).inner_text()
    screenshot(page, "activity-failed")


def test_rotation_keeps_both_keys_working_until_the_old_one_is_revoked(open_context, acme, screenshot) -> None:
    page = log_in(open_context(), acme[1].email)
    page.goto(PAGE.format(slug="acme"))
    page.get_by_label("Key name").fill("Entra ID")
    page.get_by_role("button", name="Generate key").click()
    old_key = page.get_by_role("textbox", name="Provisioning key").input_value()
    scim_url = page.get_by_role("textbox", name="SCIM base URL (Tenant URL)").input_value()
    page.get_by_role("link", name="Back to provisioning").click()

    old = ProvisioningKey.objects.get()
    page.get_by_role("button", name=f"Rotate key Entra ID ({old.key_prefix}…)").click()
    new_key = page.get_by_role("textbox", name="Provisioning key").input_value()
    assert new_key != old_key
    assert "keeps working until you revoke it" in page.content()
    screenshot(page, "rotated")
    assert scim_request(scim_url, old_key, "GET", "/Users")[0] == 200
    assert scim_request(scim_url, new_key, "GET", "/Users")[0] == 200

    page.get_by_role("link", name=f"Revoke the old key {old.key_prefix}…").click()
    page.get_by_role("button", name="Revoke key").click()
    assert scim_request(scim_url, old_key, "GET", "/Users")[0] == 401
    assert scim_request(scim_url, new_key, "GET", "/Users")[0] == 200


def test_the_page_works_without_javascript(open_context, acme, screenshot) -> None:
    """Everything but the copy buttons works with JavaScript off; the buttons are hidden then."""
    page = log_in(open_context(javascript=False), acme[1].email)
    page.goto(PAGE.format(slug="acme"))
    page.get_by_label("Key name").fill("OneLogin")
    page.get_by_role("button", name="Generate key").click()
    assert page.get_by_role("textbox", name="Provisioning key").input_value().startswith("scim_")
    assert page.get_by_role("button", name="Copy Provisioning key").count() == 0  # hidden, so not offered
    screenshot(page, "no-javascript-key")
    page.get_by_role("link", name="Back to provisioning").click()
    key = ProvisioningKey.objects.get()
    page.get_by_role("link", name=f"Revoke key OneLogin ({key.key_prefix}…)").click()
    page.get_by_role("button", name="Revoke key").click()
    key.refresh_from_db()
    assert not key.is_active


def test_a_failed_form_is_explained_next_to_its_field(open_context, acme, screenshot) -> None:
    page = log_in(open_context(), acme[1].email)
    page.goto(PAGE.format(slug="acme"))
    page.get_by_role("button", name="Generate key").click()
    field = page.get_by_label("Key name")
    assert field.get_attribute("aria-invalid") == "true"
    assert "This field is required." in page.get_by_role("alert").inner_text()
    assert ProvisioningKey.objects.count() == 0
    screenshot(page, "form-error")
