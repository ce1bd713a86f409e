"""Change password, language preference, user administration, CLI."""

from __future__ import annotations

import re

from portal.accounts.models import StaffSession, User
from portal.extensions import db
from tests.factories import PASSWORD, login


def test_change_password_signs_out_other_sessions(app, factory):
    user = factory.user("compliance")
    first, second = app.test_client(), app.test_client()
    login(first, user)
    login(second, user)
    response = first.post(
        "/account",
        data={
            "pw-current_password": PASSWORD,
            "pw-new_password": "a brand new passphrase",
            "pw-confirm": "a brand new passphrase",
        },
    )
    assert response.status_code == 302
    assert first.get("/home").status_code == 200  # this session stays
    assert second.get("/home").status_code == 302  # the other one is signed out
    with app.app_context():  # only this browser's sign-in record is left
        assert db.session.query(StaffSession).count() == 1
    first.post("/logout")
    assert login(first, user, "a brand new passphrase").status_code == 302
    first.post("/logout")
    assert login(first, user, PASSWORD).status_code == 401


def test_change_password_errors_are_explained(client, factory):
    user = factory.user("monitor")
    login(client, user)
    wrong = client.post(
        "/account",
        data={"pw-current_password": "not it at all", "pw-new_password": "long enough pass",
              "pw-confirm": "long enough pass"},
    )  # fmt: skip
    assert wrong.status_code == 400
    assert b"Your current password is not correct." in wrong.data
    short = client.post(
        "/account",
        data={"pw-current_password": PASSWORD, "pw-new_password": "short",
              "pw-confirm": "short"},
    )  # fmt: skip
    assert short.status_code == 400
    assert b"Use between 10 and 128 characters." in short.data
    mismatch = client.post(
        "/account",
        data={"pw-current_password": PASSWORD, "pw-new_password": "long enough pass",
              "pw-confirm": "long enough pazz"},
    )  # fmt: skip
    assert b"The two new passwords do not match." in mismatch.data


def test_language_preference_applies_to_every_page(client, factory):
    user = factory.user("compliance")
    login(client, user)
    assert b'<html lang="en" dir="ltr">' in client.get("/home").data
    response = client.post("/account", data={"lang-locale": "ar"})
    assert response.status_code == 302
    page = client.get("/home").data
    assert b'<html lang="ar" dir="rtl">' in page
    # An explicit ?lang= choice wins over the stored preference.
    assert b'<html lang="fr" dir="ltr">' in client.get("/home?lang=fr").data
    response = client.post("/account", data={"lang-locale": "klingon"})
    assert response.status_code == 400


def test_admin_creates_a_supplier_account_scoped_to_one_supplier(app, client, factory):
    admin = factory.user("admin")
    supplier = factory.supplier("Scoped Supplier")
    login(client, admin)
    form = client.get("/users/new")
    assert form.status_code == 200 and b"Scoped Supplier" in form.data
    missing_supplier = client.post(
        "/users/new",
        data={"email": "new@test.example", "name": "New", "role": "supplier",
              "supplier_id": "0", "password": "long enough pass", "locale": "", "active": "y"},
    )  # fmt: skip
    assert missing_supplier.status_code == 400
    assert b"Choose the supplier this account belongs to." in missing_supplier.data
    assert b"new@test.example" in missing_supplier.data
    created = client.post(
        "/users/new",
        data={"email": "New@Test.Example", "name": "New", "role": "supplier",
              "supplier_id": str(supplier.id), "password": "long enough pass", "locale": "bn",
              "active": "y"},
    )  # fmt: skip
    assert created.status_code == 302
    with app.app_context():
        user = db.session.scalar(db.select(User).where(User.email == "new@test.example"))
        assert user.supplier_id == supplier.id and user.locale == "bn"
    duplicate = client.post(
        "/users/new",
        data={"email": "new@test.example", "name": "Again", "role": "compliance",
              "supplier_id": "0", "password": "long enough pass", "locale": "", "active": "y"},
    )  # fmt: skip
    assert duplicate.status_code == 400
    assert b"Another account already uses this email address." in duplicate.data


def test_admin_assigns_monitor_sites_and_cannot_demote_the_last_admin(app, client, factory):
    admin = factory.user("admin")
    site = factory.site()
    monitor = factory.user("monitor")
    login(client, admin)
    response = client.post(
        f"/users/{monitor.id}/edit",
        data={"email": monitor.email, "name": "Mon", "role": "monitor", "supplier_id": "0",
              "site_ids": [str(site.id)], "locale": "", "active": "y"},
    )  # fmt: skip
    assert response.status_code == 302
    with app.app_context():
        assert [s.id for s in db.session.get(User, monitor.id).sites] == [site.id]
    response = client.post(
        f"/users/{admin.id}/edit",
        data={"email": admin.email, "name": "Admin", "role": "compliance", "supplier_id": "0",
              "locale": "", "active": "y"},
    )  # fmt: skip
    assert response.status_code == 400
    assert b"last active administrator" in response.data


def test_settings_change_the_organisation_name(client, factory):
    login(client, factory.user("admin"))
    assert client.post("/settings", data={"organisation_name": ""}).status_code == 400
    assert client.post("/settings", data={"organisation_name": "Acme Buying"}).status_code == 302
    assert b"Acme Buying" in client.get("/").data


def test_cli_users_create_list_and_set_password(app, factory, client):
    supplier = factory.supplier("CLI Supplier")
    site = factory.site(supplier)
    runner = app.test_cli_runner()
    result = runner.invoke(
        args=["users", "create", "--email", "mon@test.example", "--name", "Mon",
              "--role", "monitor", "--site", site.code.lower(), "--password", "long enough pass"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    result = runner.invoke(
        args=["users", "create", "--email", "sup@test.example", "--name", "Sup",
              "--role", "supplier", "--password", "long enough pass"],
    )  # fmt: skip
    assert result.exit_code != 0 and "--supplier is required" in result.output
    result = runner.invoke(
        args=["users", "create", "--email", "sup@test.example", "--name", "Sup",
              "--role", "supplier", "--supplier", "CLI Supplier", "--password", "short"],
    )  # fmt: skip
    assert result.exit_code != 0 and "too short" in result.output
    listing = runner.invoke(args=["users", "list"]).output
    assert re.search(r"monitor\s+mon@test.example\s+" + site.code, listing)
    result = runner.invoke(
        args=["users", "set-password", "mon@test.example", "--password", "another long one"]
    )
    assert result.exit_code == 0
    assert login(client, "mon@test.example", "another long one").status_code == 302
