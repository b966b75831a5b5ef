"""EMAIL_URL=smtp://… settings deliver real mail: Django's SMTP backend talks to an aiosmtpd server."""

import re

import pytest
from django.core import mail

from kinship.accounts import services as accounts
from kinship.accounts.models import User
from kinship.core.errors import Invalid
from kinship.core.smtp_testing import smtp_server
from kinship.env import email_from_url

PASSWORD = "a long walk on new crutches"


@pytest.fixture
def inbox(settings):
    with smtp_server() as server:
        for name, value in email_from_url(f"smtp://{server.host}:{server.port}").items():
            setattr(settings, name, value)
        settings.DEFAULT_FROM_EMAIL = "Kinship <no-reply@kinship.test>"
        yield server


def test_smtp_url_points_django_at_the_server(inbox):
    config = email_from_url(f"smtp://127.0.0.1:{inbox.port}")

    assert config["EMAIL_BACKEND"] == "django.core.mail.backends.smtp.EmailBackend"
    assert (config["EMAIL_HOST"], config["EMAIL_PORT"]) == ("127.0.0.1", inbox.port)
    assert config["EMAIL_USE_TLS"] is False
    assert config["EMAIL_USE_SSL"] is False


def test_send_mail_is_delivered_over_smtp(inbox):
    sent = mail.send_mail("Meeting tonight", "See you at seven.", None, ["mia@example.org"])

    assert sent == 1
    (message,) = inbox.wait_for(1)
    assert message["Subject"] == "Meeting tonight"
    assert message["To"] == "mia@example.org"
    assert message["From"] == "Kinship <no-reply@kinship.test>"
    assert inbox.text_of(message).strip() == "See you at seven."
    assert inbox.envelopes[0] == ("no-reply@kinship.test", ["mia@example.org"])


@pytest.mark.django_db
def test_sign_up_verification_email_arrives_and_its_link_verifies(inbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        user = accounts.sign_up(
            email="New.Member@Example.org",
            password=PASSWORD,
            display_name="Noor",
            role=User.PATIENT,
            accept_terms=True,
            base_url="https://kinship.test/",
            address="127.0.0.1",
        )

    (message,) = inbox.wait_for(1)
    assert message["To"] == "new.member@example.org"
    assert message["Subject"] == "Confirm your email for Kinship"
    assert inbox.envelopes[0][1] == ["new.member@example.org"]
    body = inbox.text_of(message)
    found = re.search(r"https://kinship\.test/accounts/verify/([^/\s]+)/", body)
    assert found, body
    assert not User.objects.get(pk=user.pk).is_verified

    verified = accounts.verify_email(token=found.group(1))

    assert verified.pk == user.pk
    assert User.objects.get(pk=user.pk).is_verified


@pytest.mark.django_db
def test_refused_sign_up_sends_nothing(inbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(Invalid):
        accounts.sign_up(
            email="someone@example.org",
            password=PASSWORD,
            display_name="Someone",
            role=User.PATIENT,
            accept_terms=False,
            base_url="https://kinship.test/",
            address="127.0.0.1",
        )

    mail.send_mail("Marker", "after the refusal", None, ["marker@example.org"])
    (message,) = inbox.wait_for(1)
    assert message["Subject"] == "Marker"
