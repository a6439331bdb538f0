"""The clinical pages' URLs, included from rupturelog/urls.py. Names are global (no
namespace): templates, tests and the access log know the pages by these names."""

from __future__ import annotations

from django.urls import path

from repairs.views import (
    case,
    check_in,
    entries,
    export,
    history,
    home,
    inbox,
    record,
    repair,
    review,
    thread,
    timeline,
)

urlpatterns = [
    path("", home.home, name="home"),
    # A course of therapy.
    path("cases/<int:case_id>/", case.case_detail, name="case_detail"),
    path("cases/<int:case_id>/real-name/", case.reveal_name, name="reveal_name"),
    # A session's timeline, one card, and the open timeline's "anything new?".
    path("sessions/<int:session_id>/", timeline.session_detail, name="session_detail"),
    path("sessions/<int:session_id>/changes/", timeline.session_changes, name="session_changes"),
    path("ruptures/<int:rupture_id>/card/", timeline.rupture_card, name="rupture_card"),
    # Entries: logging, flagging and changing one's own.
    path("sessions/<int:session_id>/log/", entries.rupture_new, name="rupture_new"),
    path("flag/", entries.flag_new, name="flag_new"),
    path("ruptures/<int:rupture_id>/edit/", entries.rupture_edit, name="rupture_edit"),
    path("ruptures/<int:rupture_id>/share/", entries.rupture_share, name="rupture_share"),
    path("ruptures/<int:rupture_id>/withdraw/", entries.rupture_withdraw, name="rupture_withdraw"),
    path("ruptures/<int:rupture_id>/link/", entries.rupture_link, name="rupture_link"),
    path("ruptures/<int:rupture_id>/my-view/", entries.rupture_client_view, name="client_view"),
    # Repair: steps and where things stand.
    path("ruptures/<int:rupture_id>/status/", repair.rupture_status, name="rupture_status"),
    path("ruptures/<int:rupture_id>/steps/new/", repair.repair_step_new, name="step_new"),
    path("steps/<int:step_id>/edit/", repair.repair_step_edit, name="step_edit"),
    path("steps/<int:step_id>/withdraw/", repair.repair_step_withdraw, name="step_withdraw"),
    # The thread of notes.
    path("ruptures/<int:rupture_id>/notes/new/", thread.note_new, name="note_new"),
    path("notes/<int:note_id>/edit/", thread.note_edit, name="note_edit"),
    path("notes/<int:note_id>/withdraw/", thread.note_withdraw, name="note_withdraw"),
    # Version history.
    path("ruptures/<int:rupture_id>/history/", history.rupture_history, name="rupture_history"),
    path("steps/<int:step_id>/history/", history.step_history, name="step_history"),
    path("notes/<int:note_id>/history/", history.note_history, name="note_history"),
    # After a session.
    path("sessions/<int:session_id>/check-in/", check_in.check_in, name="check_in"),
    # The inbox.
    path("inbox/badge/", inbox.inbox_badge, name="inbox_badge"),
    path("inbox/<int:item_id>/read/", inbox.inbox_mark_read, name="inbox_mark_read"),
    path("inbox/read-all/", inbox.inbox_mark_all_read, name="inbox_mark_all_read"),
    path("settings/notices/", inbox.notify_preference, name="notify_preference"),
    # Review: the figures, the moments behind them, a supervisor's marks, CSV.
    path("review/", review.review_page, name="review"),
    path("patterns/", review.patterns_page, name="patterns"),
    path("review/ruptures/", review.review_ruptures, name="review_ruptures"),
    path("ruptures/<int:rupture_id>/reviewed/", review.rupture_reviewed, name="reviewed"),
    path("ruptures/<int:rupture_id>/coding/", review.rupture_coding, name="coding"),
    path(
        "review/export/ruptures.csv",
        export.review_export,
        {"what": "ruptures"},
        name="review_export_ruptures",
    ),
    path(
        "review/export/steps.csv",
        export.review_export,
        {"what": "steps"},
        name="review_export_steps",
    ),
    # The client's right of access.
    path("my-record/access/", record.record_access, name="record_access"),
    path("my-record/", record.my_record, name="my_record"),
    path("my-record.json", record.my_record_json, name="my_record_json"),
]
