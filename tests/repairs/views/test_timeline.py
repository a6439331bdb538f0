"""What the session timeline shows: the pager, the bar (every mark labelled in text and linked
to its card), the "Not sure when" group, moments still open from earlier sessions, and the
crisis notice on client pages."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from pytest_django import Settings

from repairs.codes import Status
from repairs.models import Rupture
from sessions.models import TherapySession
from tests import factories
from tests.repairs.conftest import HTMX, World, text

pytestmark = pytest.mark.django_db

LIVE = {**HTMX, "HTTP_HX_TARGET": "timeline-live"}
BAR = {**HTMX, "HTTP_HX_TARGET": "timeline-bar"}


def page(world: World, persona: str, therapy_session: TherapySession, **headers: str) -> str:
    response = world.login(persona).get(
        reverse("session_detail", args=[therapy_session.pk]), **headers
    )
    assert response.status_code == 200
    return text(response)


def bar_section(html: str) -> str:
    """The timeline bar's <section> (it holds no nested sections)."""
    start = html.index('id="bar-heading"')
    return html[start : html.index("</section>", start)]


def carried_over(html: str) -> str:
    """From "Still open from earlier sessions" on (cards nest their own sections, and this
    is the timeline's last part)."""
    return html[html.index("Still open from earlier sessions") :]


# --- Pager -------------------------------------------------------------------------------


def test_the_pager_links_the_previous_and_next_sessions(world: World) -> None:
    third = factories.make_session(world.cast.case_a)
    first, second = world.cast.session_a, world.later_session

    middle = page(world, "client_a", second)
    assert f'rel="prev" href="{first.get_absolute_url()}"' in middle
    assert f'rel="next" href="{third.get_absolute_url()}"' in middle
    assert "← Session 1" in middle
    assert "Session 3 →" in middle

    opening = page(world, "therapist_a", first)
    assert 'rel="prev"' not in opening
    assert f'rel="next" href="{second.get_absolute_url()}"' in opening

    assert 'rel="next"' not in page(world, "supervisor_a", third)


def test_the_pager_skips_numbers_that_were_never_used(world: World) -> None:
    case = factories.make_case(world.cast.client_a, world.cast.therapist_a)
    first, third, seventh = (factories.make_session(case, n) for n in (1, 3, 7))

    html = page(world, "therapist_a", third)
    assert f'rel="prev" href="{first.get_absolute_url()}">← Session 1<' in html
    assert f'rel="next" href="{seventh.get_absolute_url()}">Session 7 →<' in html


def test_a_boosted_htmx_request_for_the_whole_page_keeps_the_pager(world: World) -> None:
    first, second = world.cast.session_a, world.later_session
    html = page(world, "client_a", second, **HTMX, HTTP_HX_TARGET="main")
    assert f'rel="prev" href="{first.get_absolute_url()}"' in html


def test_the_pager_stays_within_the_case(world: World) -> None:
    html = page(world, "client_b", world.cast.session_b)
    assert 'rel="prev"' not in html
    assert 'rel="next"' not in html


# --- The bar ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "headers", [{}, LIVE, BAR], ids=["full-page", "timeline-live", "timeline-bar"]
)
def test_each_mark_on_the_bar_has_a_text_label_and_links_to_its_card(
    world: World, headers: dict[str, str]
) -> None:
    html = page(world, "therapist_a", world.cast.session_a, **headers)
    bar = bar_section(html)
    placed = {
        "Client, minute 10": world.flag,
        "Therapist, minute 30": world.entry,
        "Therapist, minute 40": world.private_entry,
    }
    for label, rupture in placed.items():
        mark = re.search(
            rf'<a href="#rupture-{rupture.pk}" class="mark [^"]*" aria-label="{label}">', bar
        )
        assert mark, label
        assert f"<title>{label}</title>" in bar
        assert f'<li><a href="#rupture-{rupture.pk}">{label}</a></li>' in bar  # the legend
    assert "C 10\u2032" in bar  # the short label under each mark (\u2032: prime)
    assert "T 30\u2032" in bar


def test_moments_without_a_minute_are_listed_under_not_sure_when(world: World) -> None:
    html = page(world, "client_a", world.cast.session_a)
    not_sure = bar_section(html)[bar_section(html).index("Not sure when") :]
    # The client's draft has no minute; their shared flag has one.
    assert f'href="#rupture-{world.draft.pk}"' in not_sure
    assert f'href="#rupture-{world.flag.pk}"' not in not_sure
    assert "You noted a moment (not sure when)" in not_sure


def test_there_is_no_not_sure_when_group_when_every_moment_has_a_minute(world: World) -> None:
    Rupture.objects.filter(minute__isnull=True).update(minute=5)
    assert "Not sure when" not in page(world, "client_a", world.cast.session_a)


def test_an_empty_timeline_invites_the_client_to_flag_a_moment(world: World) -> None:
    html = page(world, "client_a", world.later_session)
    assert "Nothing has been noted for this session." in html
    assert 'class="bar"' not in html


# --- Still open from earlier sessions -----------------------------------------------------


def test_open_moments_from_earlier_sessions_are_carried_over(world: World) -> None:
    Rupture.objects.filter(pk=world.private_entry.pk).update(status=Status.RESOLVED)
    Rupture.objects.filter(pk=world.flag.pk).update(status=Status.REPAIRING)
    third = factories.make_session(world.cast.case_a)
    later = factories.make_rupture(third, world.cast.therapist_a, account="A later moment.")

    for headers in ({}, LIVE):
        html = page(world, "therapist_a", world.later_session, **headers)
        carried = carried_over(html)
        assert f'id="rupture-{world.flag.pk}"' in carried  # repairing
        assert f'id="rupture-{world.entry.pk}"' in carried  # open
        assert f'id="rupture-{world.private_entry.pk}"' not in carried  # resolved
        assert f'id="rupture-{later.pk}"' not in html  # a later session's moment
        assert "in session 1" in carried


def test_the_first_session_has_nothing_carried_over(world: World) -> None:
    assert "Still open from earlier sessions" not in page(
        world, "therapist_a", world.cast.session_a
    )


def test_the_client_sees_only_their_own_view_of_what_is_carried_over(world: World) -> None:
    html = page(world, "client_a", world.later_session)
    carried = carried_over(html)
    assert f'id="rupture-{world.flag.pk}"' in carried
    assert f'id="rupture-{world.draft.pk}"' in carried  # their own draft
    assert f'id="rupture-{world.private_entry.pk}"' not in html


def test_carried_over_moments_are_in_order_with_not_sure_when_last(world: World) -> None:
    html = carried_over(page(world, "client_a", world.later_session))
    # The flag (minute 10) before the entry (minute 30) before the draft (no minute).
    positions = [html.index(f'id="rupture-{r.pk}"') for r in (world.flag, world.entry, world.draft)]
    assert positions == sorted(positions)


def test_withdrawn_moments_are_not_carried_over(world: World) -> None:
    factories.withdraw(world.entry)
    html = page(world, "therapist_a", world.later_session)
    assert f'id="rupture-{world.entry.pk}"' not in html


# --- The crisis notice ------------------------------------------------------------------


def client_pages(world: World) -> list[str]:
    return [
        reverse("home"),
        reverse("case_detail", args=[world.cast.case_a.pk]),
        reverse("session_detail", args=[world.cast.session_a.pk]),
        reverse("flag_new"),
        reverse("note_new", args=[world.entry.pk]),
    ]


def test_client_pages_show_where_to_get_help_in_a_crisis(world: World, settings: Settings) -> None:
    client = world.login("client_a")
    for url in client_pages(world):
        assert escape(settings.CRISIS_TEXT) in text(client.get(url)), url


def test_the_crisis_text_is_configurable(world: World, settings: Settings) -> None:
    settings.CRISIS_TEXT = "In an emergency call 999, or Samaritans on 116 123."
    client = world.login("client_a")
    for url in client_pages(world):
        assert "In an emergency call 999, or Samaritans on 116 123." in text(client.get(url))


def test_clinicians_pages_do_not_carry_the_clients_crisis_notice(
    world: World, settings: Settings
) -> None:
    settings.CRISIS_TEXT = "ZQ-CRISIS-TEXT"
    for persona in ("therapist_a", "supervisor_a"):
        html = page(world, persona, world.cast.session_a)
        assert "ZQ-CRISIS-TEXT" not in html


def test_a_recent_session_offers_the_check_in_on_its_timeline(world: World) -> None:
    recent = factories.make_session(
        world.cast.case_a, starts_at=timezone.now() - timedelta(hours=2)
    )
    html = page(world, "client_a", recent)
    assert reverse("check_in", args=[recent.pk]) in html
    assert reverse("flag_new") + f"?session={recent.pk}" in html
