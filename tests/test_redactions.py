"""Redacted decision items are shown by their grounds, never by their words, even when a ground is missing."""

import pytest
from django.urls import reverse

from decisions.models import DecisionItem
from tests.factories import DecisionItemFactory, FollowUpFactory

pytestmark = pytest.mark.django_db


def test_an_item_marked_redacted_without_a_redaction_row_is_shown_withheld_not_a_500(client, clerk):
    follow_up = FollowUpFactory(decision__number="1")
    DecisionItemFactory(
        minute=follow_up.decision.minute, number="2", verb=DecisionItem.Verb.NONE, is_redacted=True,
        text="the secret negotiating position on the fisheries quota",
    )
    client.force_login(clerk)
    for url in [follow_up.get_absolute_url(), follow_up.decision.minute.get_absolute_url(),
                follow_up.decision.minute.paper.get_absolute_url()]:
        response = client.get(url)
        content = response.content.decode()
        assert response.status_code == 200, url
        assert "[Withheld (ground not recorded)]" in content, url
        assert "secret negotiating position" not in content, url


def test_search_for_the_words_of_a_wholly_redacted_item_finds_nothing(client, clerk):
    follow_up = FollowUpFactory(decision__number="1")
    DecisionItemFactory(minute=follow_up.decision.minute, number="2", is_redacted=True, text="fisheries quota position")
    client.force_login(clerk)
    response = client.get(reverse("decisions:search"), {"q": "fisheries quota"})
    assert response.status_code == 200
    assert "fisheries quota position" not in response.content.decode().replace('value="fisheries quota"', "")
