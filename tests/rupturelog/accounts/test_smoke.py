from __future__ import annotations

import pytest

from rupturelog.accounts.models import Role, User


@pytest.mark.django_db
def test_a_new_client_gets_a_pseudonym():
    client = User.objects.create_user(
        "Ann@Example.org", "x" * 12, display_name="Ann", role=Role.CLIENT
    )
    assert client.email == "ann@example.org"
    assert client.pseudonym.startswith("C-") and len(client.pseudonym) == 6
