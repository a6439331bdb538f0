"""Forms validate and normalise what people type. Choices that name other records (a session,
a rupture to link) come from querysets scoped by repairs/access.py, so a forged id is a
form error ("Select a valid choice"), never a write to someone else's record.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any, cast

from django import forms
from django.core.validators import MaxValueValidator
from django.db.models import Choices, QuerySet
from django.utils import timezone

from repairs import review
from repairs.codes import (
    CONFRONTATION_MARKERS,
    FAMILY_HELP,
    MARKER_HELP,
    WITHDRAWAL_MARKERS,
    Cause,
    ClientView,
    Family,
    Feeling,
    Marker,
    Outcome,
    Recognised,
    Status,
    Strategy,
    Visibility,
)
from repairs.review import ReviewScope
from repairs.services import RepairStepData, RuptureData
from rupturelog.accounts.models import User
from rupturelog.audit.models import RevealReason
from sessions.models import RespondentRole, TherapySession

if TYPE_CHECKING:
    from repairs.models import Rupture

TEXT_LIMIT = 5000
INTENSITY_CHOICES = [(str(n), str(n)) for n in range(1, 6)]


def rating_field(label: str) -> forms.TypedChoiceField:
    """An optional 1-5 rating, as radio buttons."""
    return forms.TypedChoiceField(
        choices=INTENSITY_CHOICES,
        coerce=int,
        empty_value=None,
        required=False,
        widget=forms.RadioSelect,
        label=label,
    )


def codes_field(codes: type[Choices], label: str) -> forms.MultipleChoiceField:
    """Any number of codes from one list, as checkboxes."""
    return forms.MultipleChoiceField(
        choices=codes.choices, required=False, widget=forms.CheckboxSelectMultiple, label=label
    )


class LabelledChoiceField(forms.ModelChoiceField):
    """A choice of records, each worded by `label_for` (Django words a choice through
    `label_from_instance`). Declared with an empty queryset: the form's __init__ offers the
    records its view scoped."""

    def __init__(self, *, label_for: Callable[[Any], str], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.label_for = label_for

    def label_from_instance(self, obj: Any) -> str:
        return self.label_for(obj)


def _session_with_day(therapy_session: TherapySession) -> str:
    return f"Session {therapy_session.number} — {therapy_session.starts_at:%A %-d %B}"


def _session_with_date(therapy_session: TherapySession) -> str:
    return f"Session {therapy_session.number} ({therapy_session.starts_at:%-d %b %Y})"


def _entry_summary(rupture: Rupture) -> str:
    return (
        f"Session {rupture.therapy_session.number}, "
        + ("not sure when" if rupture.minute is None else f"minute {rupture.minute}")
        + f": {rupture.account[:60]}"
    )


def _clean_text(value: str) -> str:
    # NUL bytes cannot be stored by PostgreSQL and are never meant; refuse them clearly.
    if "\x00" in value:
        raise forms.ValidationError("The text contains an invalid character; please retype it.")
    return value.strip()


class VersionedForm(forms.Form):
    """Carries the version of the item the editor loaded, for the conflict check."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, required=False)

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        # Editing (the view put the loaded version in `initial`) without a version posted
        # back: the save cannot be checked against anyone else's, and answering "someone
        # else saved this" would be untrue. Say so where the person can see it.
        if self.initial.get("version") is not None and data.get("version") is None:
            self.add_error(
                None, "This form is out of date. Reload the page and make your change again."
            )
        return data


class TherapistRuptureForm(VersionedForm):
    minute = forms.IntegerField(
        required=False,
        min_value=0,
        label="Minute into the session",
        help_text="Leave empty if you are not sure when.",
    )
    recognised = forms.ChoiceField(
        choices=Recognised.choices,
        initial=Recognised.AFTER,
        widget=forms.RadioSelect,
        label="When did you recognise it?",
    )
    family = forms.ChoiceField(
        choices=Family.choices,
        initial=Family.UNCLASSIFIED,
        widget=forms.RadioSelect,
        label="Kind of rupture",
    )
    markers = codes_field(Marker, "What you saw (markers)")
    causes = codes_field(Cause, "What seems to have caused it")
    intensity = rating_field("How intense (1 = slight, 5 = very)")
    account = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=TEXT_LIMIT,
        label="What happened",
        error_messages={"required": "Describe the moment in a sentence or two."},
    )
    visibility = forms.ChoiceField(
        choices=[
            (Visibility.SHARED, "Share with the client (and your supervisor)"),
            (Visibility.PRIVATE, "Keep private (you and your supervisor only)"),
        ],
        initial=Visibility.SHARED,
        widget=forms.RadioSelect,
        label="Who sees this entry",
    )

    family_help = FAMILY_HELP
    marker_help = MARKER_HELP

    def __init__(self, *args: Any, therapy_session: TherapySession, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.therapy_session = therapy_session
        self.fields["minute"].validators.append(MaxValueValidator(therapy_session.minutes))
        self.fields[
            "minute"
        ].help_text = f"0 to {therapy_session.minutes}. Leave empty if you are not sure when."

    def clean_account(self) -> str:
        return _clean_text(self.cleaned_data["account"])

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        family, markers = data.get("family"), set(data.get("markers") or [])
        if family == Family.WITHDRAWAL and markers & set(CONFRONTATION_MARKERS):
            self.add_error(
                "markers",
                "Some of these markers are signs of moving against; choose 'Both' as the kind, "
                "or untick them.",
            )
        if family == Family.CONFRONTATION and markers & set(WITHDRAWAL_MARKERS):
            self.add_error(
                "markers",
                "Some of these markers are signs of moving away; choose 'Both' as the kind, "
                "or untick them.",
            )
        return data

    def to_data(self) -> RuptureData:
        d = self.cleaned_data
        return RuptureData(
            minute=d["minute"],
            account=d["account"],
            intensity=d["intensity"],
            recognised=d["recognised"],
            family=d["family"],
            visibility=d["visibility"],
            markers=d["markers"],
            causes=d["causes"],
        )


WHEN_CHOICES = [
    ("early", "Early on"),
    ("middle", "In the middle"),
    ("late", "Near the end"),
    ("minute", "At a particular minute"),
    ("not_sure", "I'm not sure"),
]
# Where "early", "middle" and "late" sit on the session's bar, as a share of its length.
WHEN_SHARE = {"early": 0.15, "middle": 0.5, "late": 0.85}


class ClientFlagForm(VersionedForm):
    """ "Flag a moment", in the client's words: which session, roughly when, what happened,
    what it felt like, how strongly, and whether to share it now."""

    therapy_session = LabelledChoiceField(
        queryset=TherapySession.objects.none(),
        label_for=_session_with_day,
        label="Which session?",
        empty_label=None,
        error_messages={"invalid_choice": "Choose one of your sessions from the list."},
    )
    when = forms.ChoiceField(
        choices=WHEN_CHOICES, initial="not_sure", widget=forms.RadioSelect, label="Roughly when?"
    )
    minute = forms.IntegerField(
        required=False, min_value=0, max_value=480, label="Which minute, roughly?"
    )
    account = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=TEXT_LIMIT,
        label="What happened, in your own words",
        error_messages={"required": "Write a few words about what happened."},
    )
    feelings = codes_field(Feeling, "What did it feel like? (pick any)")
    intensity = rating_field("How strongly did you feel it? (1 = a little, 5 = a lot)")
    visibility = forms.ChoiceField(
        choices=[
            (Visibility.SHARED, "Share with my therapist now"),
            (
                Visibility.PRIVATE,
                "Keep as a private draft (only I can see it; I can share it later)",
            ),
        ],
        initial=Visibility.SHARED,
        widget=forms.RadioSelect,
        label="Share it now?",
    )

    def __init__(self, *args: Any, sessions: QuerySet[TherapySession], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = cast(LabelledChoiceField, self.fields["therapy_session"])
        field.queryset = sessions

    def clean_account(self) -> str:
        return _clean_text(self.cleaned_data["account"])

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        therapy_session = data.get("therapy_session")
        if data.get("when") == "minute":
            minute = data.get("minute")
            if minute is None:
                self.add_error("minute", "Give the minute, or choose another answer above.")
            elif therapy_session and minute > therapy_session.minutes:
                self.add_error(
                    "minute", f"That session was {therapy_session.minutes} minutes long."
                )
        return data

    def to_data(self) -> RuptureData:
        d = self.cleaned_data
        therapy_session: TherapySession = d["therapy_session"]
        minute = None
        if d["when"] == "minute":
            minute = d["minute"]
        elif d["when"] in WHEN_SHARE:
            minute = round(therapy_session.minutes * WHEN_SHARE[d["when"]])
        return RuptureData(
            minute=minute,
            account=d["account"],
            intensity=d["intensity"],
            recognised=Recognised.AFTER,
            visibility=d["visibility"],
            feelings=d["feelings"],
        )


def when_initial(minute: int | None, session_minutes: int) -> dict[str, Any]:
    """The 'roughly when' answer that shows an existing flag's minute again."""
    if minute is None:
        return {"when": "not_sure"}
    for when, share in WHEN_SHARE.items():
        if minute == round(session_minutes * share):
            return {"when": when}
    return {"when": "minute", "minute": minute}


class RepairStepForm(VersionedForm):
    therapy_session = LabelledChoiceField(
        queryset=TherapySession.objects.none(),
        label_for=_session_with_date,
        label="In which session?",
        empty_label=None,
        error_messages={"invalid_choice": "Choose a session of this case from the list."},
    )
    initiated_by = forms.ChoiceField(
        choices=RespondentRole.choices,
        initial=RespondentRole.THERAPIST,
        widget=forms.RadioSelect,
        label="Who started it?",
    )
    strategy = forms.ChoiceField(choices=Strategy.choices, label="What was tried")
    description = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=TEXT_LIMIT,
        required=False,
        label="What was done",
    )
    outcome = forms.ChoiceField(
        choices=Outcome.choices,
        initial=Outcome.NOT_KNOWN_YET,
        widget=forms.RadioSelect,
        label="How did it land?",
    )

    def __init__(self, *args: Any, sessions: QuerySet[TherapySession], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = cast(LabelledChoiceField, self.fields["therapy_session"])
        field.queryset = sessions

    def clean_description(self) -> str:
        return _clean_text(self.cleaned_data["description"])

    def to_data(self) -> RepairStepData:
        d = self.cleaned_data
        return RepairStepData(
            therapy_session=d["therapy_session"],
            initiated_by=d["initiated_by"],
            strategy=d["strategy"],
            description=d["description"],
            outcome=d["outcome"],
        )


class StatusForm(VersionedForm):
    status = forms.ChoiceField(choices=Status.choices, label="Where things stand")
    agreement = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=TEXT_LIMIT,
        required=False,
        label="What we agreed to do differently",
    )

    def clean_agreement(self) -> str:
        return _clean_text(self.cleaned_data["agreement"])


class NoteForm(forms.Form):
    body = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=TEXT_LIMIT,
        label="Your reply",
        error_messages={"required": "Write your reply first."},
    )
    visibility = forms.ChoiceField(
        choices=[
            (Visibility.SHARED, "Send to the thread"),
            (Visibility.PRIVATE, "Private note to myself (and my supervisor)"),
        ],
        initial=Visibility.SHARED,
        widget=forms.RadioSelect,
        required=False,
        label="Who sees it",
    )

    def clean_body(self) -> str:
        return _clean_text(self.cleaned_data["body"])


class NoteEditForm(VersionedForm):
    body = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}), max_length=TEXT_LIMIT, label="Your note"
    )

    def clean_body(self) -> str:
        return _clean_text(self.cleaned_data["body"])


class LinkForm(forms.Form):
    own_entry = LabelledChoiceField(
        queryset=TherapySession.objects.none(),
        label_for=_entry_summary,
        label="Your entry for the same moment",
        empty_label=None,
        error_messages={"invalid_choice": "Choose one of your own entries from this case."},
    )

    def __init__(self, *args: Any, entries: QuerySet[Rupture], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = cast(LabelledChoiceField, self.fields["own_entry"])
        field.queryset = entries


class ClientViewForm(forms.Form):
    client_view = forms.ChoiceField(
        choices=ClientView.choices, widget=forms.RadioSelect, label="Did you see it this way?"
    )


class CheckInForm(forms.Form):
    tension = forms.TypedChoiceField(
        choices=[("yes", "Yes"), ("no", "No")],
        coerce=lambda v: v == "yes",
        widget=forms.RadioSelect,
        label="Was there any tension or misunderstanding between you in this session?",
        error_messages={"required": "Choose yes or no."},
    )
    intensity = rating_field("If yes: how strong was it? (1 = slight, 5 = very)")
    resolution = rating_field(
        "If yes: how far was it cleared up by the end? (1 = not at all, 5 = fully)"
    )
    comment = forms.CharField(
        max_length=280, required=False, label="Anything you want to add (optional, one line)"
    )

    def clean_comment(self) -> str:
        return _clean_text(self.cleaned_data["comment"])

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if data.get("tension"):
            for name in ("intensity", "resolution"):
                if data.get(name) is None:
                    self.add_error(name, "Choose a number from 1 to 5.")
        return data


class RevealForm(forms.Form):
    reason = forms.ChoiceField(
        label="Why do you need the client's name?",
        choices=[("", "Choose a reason"), *RevealReason.choices],
        error_messages={"required": "Choose why you need the name; it is recorded."},
    )


# --- The review ---------------------------------------------------------------------

MAX_RANGE = timedelta(days=366 * 5)


# Dates outside these years are typing slips; 31 December 9999 would overflow the range end.
EARLIEST, LATEST = date(1900, 1, 1), date(2999, 12, 31)


class TherapistsField(forms.ModelMultipleChoiceField):
    def clean(self, value: Any) -> Any:
        try:
            return super().clean(value)
        except OverflowError:  # an id too long for SQLite's integers is no valid choice
            raise forms.ValidationError(
                self.error_messages["invalid_choice"],
                code="invalid_choice",
                params={"value": ", ".join(str(v) for v in value)},
            ) from None


class ReviewFilterForm(forms.Form):
    therapists = TherapistsField(
        queryset=User.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Therapists",
        help_text="None ticked means all.",
    )
    start = forms.DateField(label="From", widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label="To", widget=forms.DateInput(attrs={"type": "date"}))
    family = forms.ChoiceField(
        choices=[("", "All kinds"), *Family.choices], required=False, label="Kind of rupture"
    )
    unreviewed = forms.BooleanField(required=False, label="Only ruptures I have not reviewed")
    matrix = forms.ChoiceField(
        choices=[("family", "by kind"), ("marker", "by marker")],
        required=False,
        label="Strategy matrix",
    )

    def __init__(self, data: Any, *, therapists: QuerySet[User], supervisor: bool) -> None:
        today = timezone.localdate()
        defaults = {"start": today - timedelta(days=review.DEFAULT_DAYS), "end": today}
        super().__init__(data if data else None, initial=defaults)
        cast(TherapistsField, self.fields["therapists"]).queryset = therapists
        if not supervisor:
            del self.fields["therapists"]
            del self.fields["unreviewed"]
        self._defaults = defaults

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        for name in ("start", "end"):
            value = data.get(name)
            if value and not EARLIEST <= value <= LATEST:
                self.add_error(name, f"Choose a date between {EARLIEST.year} and {LATEST.year}.")
        start, end = data.get("start"), data.get("end")
        if start and end:
            if end < start:
                self.add_error("end", "The end date must be on or after the start date.")
            elif end - start > MAX_RANGE:
                self.add_error("start", "Choose a range of five years or less.")
        return data

    def scope(self, all_therapists: list[User]) -> ReviewScope:
        """The scope to show: the valid filters, or the defaults while the form has errors."""
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        chosen = list(data.get("therapists") or []) or all_therapists
        return ReviewScope(
            therapists=chosen,
            start=data.get("start") or self._defaults["start"],
            end=data.get("end") or self._defaults["end"],
            family=data.get("family") or "",
            unreviewed_only=bool(data.get("unreviewed")),
        )


class CodingForm(forms.Form):
    family = forms.ChoiceField(
        choices=Family.choices, widget=forms.RadioSelect, label="Kind of rupture"
    )
    markers = forms.MultipleChoiceField(
        choices=Marker.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Markers you see",
    )
