"""The code lists of ../shared/TAXONOMY.md, in our own words.

The database stores the codes; the UI shows labels and help text. Client-facing screens
never show rupture codes: clients describe a moment in their own words and may pick
feeling words.
"""

from __future__ import annotations

from django.db import models


class Family(models.TextChoices):
    WITHDRAWAL = "withdrawal", "Moving away"
    CONFRONTATION = "confrontation", "Moving against"
    MIXED = "mixed", "Both"
    UNCLASSIFIED = "unclassified", "Not classified yet"


FAMILY_HELP = {
    Family.WITHDRAWAL: "The client pulls back from the therapist or from the work.",
    Family.CONFRONTATION: "The client pushes against the therapist or the work.",
    Family.MIXED: "Signs of both in the same moment.",
    Family.UNCLASSIFIED: "Typical for a client flag before the therapist has looked at it.",
}


class Marker(models.TextChoices):
    # Withdrawal
    DENIAL = "denial", "Denies a reaction"
    MINIMAL_RESPONSE = "minimal_response", "Minimal answers"
    ABSTRACT_TALK = "abstract_talk", "Abstract talk"
    TOPIC_SHIFT = "topic_shift", "Story or topic shift"
    APPEASING = "appeasing", "Going along"
    CONTENT_AFFECT_SPLIT = "content_affect_split", "Words and feeling don't match"
    SELF_CRITICISM = "self_criticism", "Self-blame or hopelessness"
    # Confrontation
    COMPLAINS_THERAPIST = "complains_therapist", "About the therapist"
    REJECTS_INTERVENTION = "rejects_intervention", "Rejects a suggestion"
    COMPLAINS_ACTIVITIES = "complains_activities", "About the activities"
    COMPLAINS_PARAMETERS = "complains_parameters", "About the arrangements"
    COMPLAINS_PROGRESS = "complains_progress", "About progress"
    DEFENDS_SELF = "defends_self", "Defends self"
    PRESSURES_THERAPIST = "pressures_therapist", "Tries to control"


WITHDRAWAL_MARKERS = (
    Marker.DENIAL,
    Marker.MINIMAL_RESPONSE,
    Marker.ABSTRACT_TALK,
    Marker.TOPIC_SHIFT,
    Marker.APPEASING,
    Marker.CONTENT_AFFECT_SPLIT,
    Marker.SELF_CRITICISM,
)
CONFRONTATION_MARKERS = tuple(m for m in Marker if m not in WITHDRAWAL_MARKERS)

MARKER_HELP = {
    Marker.DENIAL: "Says nothing is wrong when something visibly is.",
    Marker.MINIMAL_RESPONSE: "Short replies or silence after an invitation to say more.",
    Marker.ABSTRACT_TALK: "Stays general or intellectual, away from what is felt now.",
    Marker.TOPIC_SHIFT: "Changes the subject or tells a long story that leads away from it.",
    Marker.APPEASING: "Agrees or pleases to avoid friction.",
    Marker.CONTENT_AFFECT_SPLIT: "Describes something painful with no feeling, or smiles "
    "through it.",
    Marker.SELF_CRITICISM: "Turns it on themself, or says nothing will help.",
    Marker.COMPLAINS_THERAPIST: "Criticises the therapist as a person or professional.",
    Marker.REJECTS_INTERVENTION: "Dismisses an interpretation, exercise or piece of advice.",
    Marker.COMPLAINS_ACTIVITIES: "Objects to what is done in sessions (homework, exercises, "
    "focus).",
    Marker.COMPLAINS_PARAMETERS: "Objects to time, frequency, fees, cancellations, format.",
    Marker.COMPLAINS_PROGRESS: "Says therapy is not helping or too slow.",
    Marker.DEFENDS_SELF: "Justifies themself against a perceived accusation.",
    Marker.PRESSURES_THERAPIST: "Pushes the therapist to act, answer or decide in a certain way.",
}


class Cause(models.TextChoices):
    COMMUNICATION_BREAKDOWN = "communication_breakdown", "Communication broke down"
    UNMET_EXPECTATION = "unmet_expectation", "An expectation was not met"
    EMOTIONAL_DISTRESS = "emotional_distress", "Emotional distress"
    SENSITIVE_TOPIC = "sensitive_topic", "A sensitive topic"
    MISSING_CONTEXT = "missing_context", "Missing context"
    SCHEDULING_OR_PRACTICAL = "scheduling_or_practical", "Scheduling or practical matters"
    OTHER = "other", "Something else"


class Feeling(models.TextChoices):
    """The client's own words for what a moment felt like."""

    UNHEARD = "unheard", "Unheard"
    MISUNDERSTOOD = "misunderstood", "Misunderstood"
    JUDGED = "judged", "Judged"
    RUSHED = "rushed", "Rushed"
    PUSHED = "pushed", "Pushed"
    DISMISSED = "dismissed", "Dismissed"
    CONFUSED = "confused", "Confused"
    DISCONNECTED = "disconnected", "Disconnected"
    OTHER = "other", "Something else"


class Approach(models.TextChoices):
    IMMEDIATE = "immediate", "Immediate"
    EXPLORATORY = "exploratory", "Exploratory"
    CLIENT = "client", "Client-started"
    CLOSING = "closing", "Closing step"


class Strategy(models.TextChoices):
    CLARIFY = "clarify", "Clears up a misunderstanding"
    CHANGE_TASK = "change_task", "Changes the task or goal"
    GIVE_RATIONALE = "give_rationale", "Explains the reason for a task"
    REDIRECT = "redirect", "Gently refocuses"
    INVITE_FEELINGS = "invite_feelings", "Invites talk about the relationship or therapy"
    ACKNOWLEDGE_PART = "acknowledge_part", "Acknowledges own part in it"
    DISCLOSE_EXPERIENCE = "disclose_experience", "Shares own experience of the moment"
    LINK_PATTERN_HERE = "link_pattern_here", "Links it to a pattern between us"
    LINK_PATTERN_LIFE = "link_pattern_life", "Links it to patterns in other relationships"
    VALIDATE_STANCE = "validate_stance", "Validates the client's guardedness"
    CLIENT_RAISED = "client_raised", "The client brought it up"
    AGREE_PREVENTION = "agree_prevention", "Agree what to do differently next time"


STRATEGY_APPROACH = {
    Strategy.CLARIFY: Approach.IMMEDIATE,
    Strategy.CHANGE_TASK: Approach.IMMEDIATE,
    Strategy.GIVE_RATIONALE: Approach.IMMEDIATE,
    Strategy.REDIRECT: Approach.IMMEDIATE,
    Strategy.INVITE_FEELINGS: Approach.EXPLORATORY,
    Strategy.ACKNOWLEDGE_PART: Approach.EXPLORATORY,
    Strategy.DISCLOSE_EXPERIENCE: Approach.EXPLORATORY,
    Strategy.LINK_PATTERN_HERE: Approach.EXPLORATORY,
    Strategy.LINK_PATTERN_LIFE: Approach.EXPLORATORY,
    Strategy.VALIDATE_STANCE: Approach.EXPLORATORY,
    Strategy.CLIENT_RAISED: Approach.CLIENT,
    Strategy.AGREE_PREVENTION: Approach.CLOSING,
}


class Outcome(models.TextChoices):
    HELPED = "helped", "Helped"
    PARTLY = "partly", "Partly helped"
    DID_NOT_HELP = "did_not_help", "Did not help"
    NOT_KNOWN_YET = "not_known_yet", "Not known yet"


class Status(models.TextChoices):
    OPEN = "open", "Open"
    REPAIRING = "repairing", "Repairing"
    RESOLVED = "resolved", "Resolved"
    UNRESOLVED = "unresolved", "Unresolved"


class Recognised(models.TextChoices):
    DURING = "during", "During the session"
    AFTER = "after", "After the session"


class Visibility(models.TextChoices):
    SHARED = "shared", "Shared with the care team"
    PRIVATE = "private", "Private"


class AuthorRole(models.TextChoices):
    CLIENT = "client", "Client"
    THERAPIST = "therapist", "Therapist"
    SUPERVISOR = "supervisor", "Supervisor"


class CodeKind(models.TextChoices):
    MARKER = "marker", "Marker"
    CAUSE = "cause", "Cause"
    FEELING = "feeling", "Feeling"


# Keyed by the stored kind (a CodeKind value, or the plain string read back from a row).
CODES_BY_KIND: dict[str, type[models.TextChoices]] = {
    CodeKind.MARKER: Marker,
    CodeKind.CAUSE: Cause,
    CodeKind.FEELING: Feeling,
}


class ClientView(models.TextChoices):
    """The client's answer, on a therapist's shared entry, to "did you see it this way?"."""

    SAME = "same", "I saw it the same way"
    DIFFERENT = "different", "I saw it differently"
    NOT_NOTICED = "not_noticed", "I didn't notice it at the time"


class InboxKind(models.TextChoices):
    CLIENT_FLAG = "client_flag", "New flag from a client"
    REPLY = "reply", "New reply"
    SHARED_ENTRY = "shared_entry", "Your therapist shared a moment"
    CLIENT_VIEW = "client_view", "Client answered on an entry"
    CHECK_IN_DISAGREES = "check_in_disagrees", "Check-ins disagree"
