"""`manage.py seed_demo`: a fictional demo practice, and on request a large one for benchmarks.

The demo practice (1 admin, 2 supervisors, 6 therapists, 36 clients, about six months of
weekly sessions with ruptures, repair, notes and check-ins) is built from a fixed random
seed, with dates anchored to today so that it always looks current. Running the command
again changes nothing; `--if-empty` (what `make run` calls) seeds only an empty database.

`--ruptures N` adds a separate "bulk" practice until it holds N ruptures, for measuring
pages and the supervisor review at scale. It never touches the demo practice, so a demo
supervisor's figures stay the same however large the rest of the database grows.

Rows are written with ids chosen up front (so a client flag and a therapist entry can point
at each other, and timestamps are kept as generated rather than set to "now" by
`auto_now_add`): through COPY on PostgreSQL, and one executemany INSERT per table on SQLite.
Every constraint and trigger of the schema stays in force while they load.
"""

from __future__ import annotations

import random
import time
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from datetime import time as clock
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, models, transaction
from django.db.models import Max
from django.utils import timezone
from psycopg import sql

from repairs.codes import (
    CONFRONTATION_MARKERS,
    WITHDRAWAL_MARKERS,
    AuthorRole,
    Cause,
    ClientView,
    CodeKind,
    Family,
    Feeling,
    InboxKind,
    Outcome,
    Recognised,
    Status,
    Strategy,
    Visibility,
)
from repairs.models import InboxItem, Note, RepairStep, Rupture, RuptureCode
from repairs.services import check_ins_disagree
from rupturelog.accounts.models import PSEUDONYM_ALPHABET, Role, Supervision, User
from rupturelog.mfa.demo import demo_secret, enrol_demo_staff
from rupturelog.mfa.services import secret_for_typing
from sessions.models import Case, CheckIn, RespondentRole, SessionFormat, TherapySession

# --- What other code (README, tests) may rely on ----------------------------------------

# Public on purpose: printed by the command and written in the README; demo data only.
DEMO_PASSWORD = "demo-practice-2026"  # noqa: S105
DEMO_DOMAIN = "demo.rupturelog.test"
BULK_DOMAIN = "bulk.rupturelog.test"
DEMO_ADMIN_EMAIL = f"admin@{DEMO_DOMAIN}"
# One login per role: a supervisor, a therapist they supervise, and a client of that
# therapist. Spelled out (not derived) because the README copies them.
DEMO_LOGINS: dict[str, str] = {
    "admin": DEMO_ADMIN_EMAIL,
    "supervisor": f"miriam.okafor@{DEMO_DOMAIN}",
    "therapist": f"priya.raman@{DEMO_DOMAIN}",
    "client": f"jonah.whitfield@{DEMO_DOMAIN}",
}
DEMO_SEED = 20260

# --- The demo practice's people (all fictional) -------------------------------------------

ADMIN_NAME = "Robin Ellery"
SUPERVISOR_NAMES = [("Miriam", "Okafor"), ("Tomás", "Lindqvist")]
# Three per supervisor, in order.
THERAPIST_NAMES = [
    ("Priya", "Raman"),
    ("Daniel", "Mensah"),
    ("Hannah", "Kowalski"),
    ("Kenji", "Morita"),
    ("Leila", "Haddad"),
    ("Rosa", "Delgado"),
]
# Six per therapist, in order.
CLIENT_NAMES = [
    ("Jonah", "Whitfield"),
    ("Amara", "Nwosu"),
    ("Ellie", "Brennan"),
    ("Mateo", "Ruiz"),
    ("Sana", "Qureshi"),
    ("Oliver", "Pike"),
    ("Yusuf", "Demir"),
    ("Freya", "Lund"),
    ("Nikhil", "Bose"),
    ("Chloe", "Marsh"),
    ("Tariq", "Aziz"),
    ("Maya", "Feldman"),
    ("Bethany", "Cole"),
    ("Kwabena", "Asante"),
    ("Lucia", "Romano"),
    ("Isaac", "Thornbury"),
    ("Aisha", "Bello"),
    ("Finn", "Gallagher"),
    ("Mei", "Tan"),
    ("Rohan", "Mehta"),
    ("Zoe", "Papadakis"),
    ("Callum", "Reid"),
    ("Inês", "Duarte"),
    ("Hamza", "Siddiqui"),
    ("Nora", "Eriksen"),
    ("Tobias", "Grant"),
    ("Farah", "Rahimi"),
    ("Liam", "Connolly"),
    ("Eva", "Novak"),
    ("Marcus", "Ashby"),
    ("Yara", "Mansour"),
    ("Arjun", "Pillai"),
    ("Ruth", "Akinola"),
    ("Jamie", "Fletcher"),
    ("Sofia", "Marchetti"),
    ("Alina", "Popescu"),
]

# --- Text pools ---------------------------------------------------------------------------
# Short, plain, fictional sentences, combined at random so that accounts rarely repeat.
# Each topic has the client's own words and the therapist's way of writing it down, so the
# two reports of one moment talk about the same thing.

TOPICS = [
    ("my sister", "their sister"),
    ("my dad being ill", "their father's illness"),
    ("the breakup", "the recent breakup"),
    ("my new manager", "the new manager at work"),
    ("money", "money worries"),
    ("my mum", "their mother"),
    ("moving house", "the house move"),
    ("my drinking", "their drinking"),
    ("how tired I've been", "ongoing exhaustion"),
    ("my son", "their son"),
    ("the divorce", "the divorce"),
    ("school when I was little", "early school experiences"),
    ("my partner", "their partner"),
    ("Gran's anniversary", "the anniversary of their grandmother's death"),
    ("the exam results", "the exam results"),
    ("the row with my brother", "the argument with their brother"),
    ("being signed off work", "the sick leave"),
    ("my flatmate", "the flatmate situation"),
    ("the panic on the train", "the panic attack on the train"),
    ("my daughter leaving home", "their daughter leaving home"),
    ("weekends on my own", "loneliness at weekends"),
    ("the court date", "the upcoming court date"),
    ("the hospital results", "the recent health scare"),
    ("my friend's wedding", "a friend's wedding"),
    ("my faith", "their faith"),
    ("feeling like a failure at work", "self-criticism about work"),
]
TASKS = [
    "the thought diary",
    "the breathing exercise",
    "the homework sheet",
    "the chair work",
    "the body scan",
    "the worry-time plan",
    "the behavioural experiment",
    "the activity schedule",
    "the role-play",
    "the letter-writing task",
    "the exposure plan",
    "the sleep diary",
]

# What happened, in the client's words; withdrawal-like and confrontation-like moments.
CLIENT_OPENERS = {
    Family.WITHDRAWAL: [
        "When I talked about {topic} you moved on quickly and I felt brushed off.",
        "You asked about {topic} before I was ready to go there.",
        "I said I was fine about {topic}, but I wasn't.",
        "I went off on a long story so I didn't have to talk about {topic}.",
        "When you went quiet after I mentioned {topic}, I wasn't sure what you were thinking.",
        "I kept smiling while I talked about {topic}, but it's worse than I made it sound.",
        "When you summed up what I said about {topic}, it sounded smaller than it is.",
        "I didn't understand why we were doing {task} and I didn't like to ask.",
        "I said I'd had a good week, but that wasn't really true.",
        "When I got upset about {topic} you handed me the tissues and moved on.",
        "I told you something about {topic} that was hard to say and we went straight to {task}.",
        "You said 'we've talked about this before' and I felt a bit stupid.",
        "I felt rushed at the end, just as I'd started on {topic}.",
        "You checked the clock while I was talking about {topic}.",
        "I agreed to try {task} again but really I just didn't want to argue.",
        "I don't think you remembered what I told you last time about {topic}.",
    ],
    Family.CONFRONTATION: [
        "It felt like you had already decided what {topic} meant for me.",
        "You suggested {task} again and I didn't feel I could say no.",
        "When you said I might be avoiding {topic}, it felt like a telling-off.",
        "We spent most of the hour on {task} and I never got to what I came in with.",
        "You laughed at something I said about {topic}. I know you didn't mean anything by it.",
        "You compared {topic} to something from weeks ago and I don't think it's the same.",
        "I asked you what you would do about {topic} and you turned it back on me.",
        "The session moved to video at the last minute and it didn't feel the same.",
        "I told you {task} isn't working for me and it felt like you didn't believe me.",
        "You said I seemed angry. I wasn't angry, I was trying to explain {topic}.",
        "I got the feeling you were disappointed I hadn't done {task}.",
        "You used a word about {topic} that doesn't fit how I see it.",
        "I feel like we keep going over {topic} and nothing changes.",
        "You brought up {topic} when I'd said I wanted to leave it for today.",
        "You mentioned the fee change right at the end and I left feeling unsettled.",
        "I was late and it felt like we started off on the wrong foot.",
    ],
}
CLIENT_AFTERTHOUGHTS = [
    "I went quiet after that and just agreed with things.",
    "I kept thinking about it on the way home.",
    "I'm not sure you noticed.",
    "I didn't say anything at the time.",
    "It's probably small, but it stayed with me.",
    "I'd like to talk about it next time, if that's okay.",
    "I felt a bit stupid for bringing it up.",
    "After that I didn't want to say much more.",
    "I'm writing it here because it's easier than saying it.",
    "I don't want to make a big thing of it.",
    "It made me wonder whether this is worth it.",
    "Part of me wanted to walk out.",
    "I think I was already on edge that day.",
    "I'm not upset with you, just a bit thrown.",
    "It left me feeling like I'd got it wrong.",
    "I wasn't sure if I was allowed to say so.",
    "It's been on my mind all week.",
]

# What the therapist saw, by family; then their own part or the context; then a plan.
THERAPIST_OBSERVATIONS = {
    Family.WITHDRAWAL: [
        "When we reached {topic}, answers became short and the client looked away.",
        "Client said 'it's fine' about {topic} while visibly tearful.",
        "A long story about a colleague took us away from {topic}; I didn't name the shift.",
        "Client agreed readily to {task} but sounded flat; in hindsight it was going along.",
        "Described {topic} in an even, almost cheerful voice; words and feeling didn't match.",
        "Client said 'nothing I do makes a difference' after I suggested {task}.",
        "Talk stayed general and intellectual whenever I asked how {topic} felt now.",
        "Long silence after my question about {topic}; then 'I don't know' twice.",
        "Client apologised for 'wasting the session' on {topic}.",
        "Client changed the subject when I reflected back the sadness about {topic}.",
        "Short replies for the second half of the session after I pressed on {topic}.",
        "Client nodded through my explanation of {task} without really engaging.",
    ],
    Family.CONFRONTATION: [
        "Client said the sessions are 'going round in circles' and asked what the point is.",
        "Client rejected my reading of {topic} as 'textbook stuff'.",
        "Client objected to {task}: 'I came here to talk, not to fill in forms.'",
        "Frustration about the cancelled session and the change of time.",
        "Client asked for direct advice about {topic} and was irritated when I didn't give it.",
        "Client said I 'always take the other side' when we discuss {topic}.",
        "Client defended their choices around {topic} as though I had criticised them.",
        "Sharp exchange about the late-cancellation fee at the start of the session.",
        "Client questioned my experience with {topic}: 'Have you ever been through this?'",
        "Client called {task} 'pointless' and would not go through it.",
        "Client pressed me to say whether they should end things; pressure to decide for them.",
        "Client complained that the video link kept dropping and that I didn't seem to mind.",
    ],
    Family.MIXED: [
        "Client went quiet about {topic}, then said I 'never get it' and talked over my reply.",
        "Irritation about {task}, then a retreat into short answers for the rest of the hour.",
        "Client criticised the pace of therapy, then apologised and said it was their fault.",
        "Protest when I returned to {topic}, then withdrawal and agreement with everything.",
        "Angry about the new appointment time, then flat and distant when I acknowledged it.",
        "Client said 'you're just doing your job' and then went quiet for several minutes.",
    ],
}
THERAPIST_REFLECTIONS = [
    "I think I was following my agenda rather than theirs.",
    "I noticed it in the moment but didn't name it.",
    "I only saw it on reading back my notes.",
    "My tiredness at the end of the day probably played a part.",
    "It came right after I had glanced at the time.",
    "It may connect to how criticism was handled at home.",
    "I should have explained why I was suggesting it.",
    "I may have missed the weight of what was said earlier.",
    "The session started late, which set a tense tone.",
    "This is the second time this has happened around the same subject.",
    "The client's check-in suggested more tension than I had picked up.",
    "I said less than usual and may have come across as distant.",
    "I moved to problem-solving before the feeling had been heard.",
    "Worth exploring whether it mirrors other relationships.",
]
THERAPIST_PLANS = [
    "Plan: raise it gently next session.",
    "Will ask directly how the session felt for them.",
    "Bring to supervision.",
    "Will check in about it at the start next time.",
    "Hold off on {task} until we've talked about this.",
    "Keep an eye on this pattern.",
]

REPAIR_TEXTS = {
    Strategy.CLARIFY: [
        "Went back over what I meant and checked what the client had heard.",
        "Explained that I hadn't meant it as a criticism and asked how it had come across.",
        "Cleared up the mix-up about the session times.",
    ],
    Strategy.CHANGE_TASK: [
        "Put {task} aside for today and followed what the client wanted to talk about.",
        "Agreed to swap {task} for a shorter, simpler version.",
        "Changed the focus of the session to the week's events.",
    ],
    Strategy.GIVE_RATIONALE: [
        "Explained why I suggested {task} and what it is meant to help with.",
        "Talked through the reason for the fee policy and the options.",
        "Explained why I sometimes ask questions instead of giving answers.",
    ],
    Strategy.REDIRECT: [
        "Gently brought us back to what had just happened between us.",
        "Slowed things down and returned to the moment the conversation shifted.",
    ],
    Strategy.INVITE_FEELINGS: [
        "Asked how the last session had felt, and said any answer was welcome.",
        "Invited the client to say what it was like when I moved on from {topic}.",
        "Asked directly whether something I'd said had landed badly.",
    ],
    Strategy.ACKNOWLEDGE_PART: [
        "Said plainly that I had moved on too quickly and that was mine to own.",
        "Acknowledged that looking at the clock was unhelpful, and apologised.",
        "Owned that I had pushed {task} without asking first.",
    ],
    Strategy.DISCLOSE_EXPERIENCE: [
        "Shared that I had felt a distance open up between us and wondered about it.",
        "Said I'd noticed myself becoming more formal and wanted to understand why.",
    ],
    Strategy.LINK_PATTERN_HERE: [
        "Wondered aloud whether this is what happened a few weeks ago around {topic}.",
        "Noticed together that tension tends to come when we get close to difficult feelings.",
    ],
    Strategy.LINK_PATTERN_LIFE: [
        "Explored whether going along with me is like what happens with family.",
        "Linked the fear of being judged here to how feedback was given at work.",
    ],
    Strategy.VALIDATE_STANCE: [
        "Said it made sense to be careful about saying more, given what has happened before.",
        "Told the client that holding back is understandable and we can go at their pace.",
    ],
    Strategy.CLIENT_RAISED: [
        "Client brought up the moment at the start of the session.",
        "Client said they wanted to talk about the flag they had left in the app.",
        "Client mentioned it was still on their mind.",
    ],
    Strategy.AGREE_PREVENTION: [
        "Agreed together what we'll do differently next time.",
        "Wrote down a shared plan for when it happens again.",
    ],
}
AGREEMENTS = [
    "We agreed that I'll check before changing topic, and that it's fine to say 'not yet'.",
    "We'll keep the last ten minutes for anything that's been left hanging.",
    "If a suggestion doesn't fit, we'll say so and look for another way rather than push on.",
    "Homework is optional from now on; we'll decide together each week whether to set any.",
    "We agreed to start sessions by asking how the last one felt.",
    "When things feel rushed, either of us can say 'pause'.",
    "We'll talk about fees and times at the start of a session, never at the end.",
    "I'll explain why I'm suggesting an exercise before we begin it.",
    "We'll use a flag in the app when something is hard to say in the room, and look at it "
    "together next time.",
    "If I go quiet, you'll ask rather than carry on, and I'll try to say what's happening.",
    "We agreed to use phone sessions only when video really isn't possible.",
    "You'll tell me when a word I use doesn't fit, and I'll ask rather than assume.",
    "Advice isn't off the table: I'll say what I think when you ask, and we'll look at it "
    "together.",
    "We'll check the plan for the session together in the first five minutes.",
    "We'll keep a short list of what we've covered, so it doesn't feel like going in circles.",
    "If I seem distracted, you'll say so, and I'll be straight about it.",
    "We agreed to slow down when strong feelings come up and not jump to solutions.",
    "No clock-watching: I'll give a five-minute warning instead.",
    "We'll review how therapy is going every six sessions, so doubts have a place to go.",
    "When you say 'it's fine', I'll ask once more, and you can still say it's fine.",
    "We'll try the exercise once more in a shorter form and drop it if it still doesn't help.",
    "Being late doesn't need an apology; we'll use the time we have.",
    "We'll name it when a session starts to feel like a lecture, and switch to just talking.",
    "Either of us can ask to go back to a moment from an earlier session.",
    "We'll leave the subject for you to bring up, in your own time.",
]
THERAPIST_REPLIES = [
    "Thank you for telling me this. I'd like to talk about it next session, if that's alright.",
    "I'm glad you wrote this. You're right that I moved on quickly, and I'm sorry.",
    "Thanks for flagging it. It sounds like it really stayed with you. Let's start with it.",
    "Thank you, it takes something to say this. I want to understand it better.",
    "I hadn't realised it landed that way. I'm really glad you told me.",
    "Thanks for letting me know. Nothing you write here will be held against you.",
    "I've read this and I'm thinking about it. Shall we make time for it next session?",
    "You don't need to apologise for writing this. It helps me do better.",
    "I appreciate you putting this into words. Can we look at it together next week?",
    "That makes sense, and I can see how it came across. Let's talk it through.",
    "Thank you. I think you're right that we rushed that part.",
    "I noticed something was off too. Thank you for naming it.",
]
CLIENT_REPLIES = [
    "Thanks for replying. Yes, I'd like to talk about it.",
    "Okay. It's not a big deal, I just wanted you to know.",
    "Thank you for saying sorry, that helped.",
    "I'm a bit nervous about bringing it up, but okay.",
    "Talking about it last time helped more than I expected.",
    "I still feel a bit odd about it, but better.",
    "Thanks. I wasn't sure if I should have written it.",
    "Yes please, let's start with that.",
    "I think it's sorted now, thank you.",
    "I appreciated you asking about it.",
    "I'm not sure I explained it well here. I'll try in the session.",
    "I remember that moment. I did feel a bit shut down.",
    "I didn't realise you'd noticed. Thanks for writing it down.",
]
THERAPIST_PRIVATE_NOTES = [
    "Note to self: slow down around this subject.",
    "Possible pattern with endings; watch the last ten minutes.",
    "I felt defensive here. Take to supervision.",
    "Check whether the change of time slot is part of this.",
    "Client's check-in was lower than mine; ask about the difference.",
    "I think I was tired. Protect the gap between sessions.",
    "Reminded me of the earlier rupture around the same subject.",
    "Don't reintroduce {task} until we've talked about this.",
    "Consider whether fortnightly sessions would suit better.",
    "Pleased with how the repair went; keep the check-in at the start.",
]
SUPERVISOR_NOTES = [
    "Good catch. What do you think the withdrawal was protecting?",
    "Worth asking the client directly how the pace feels.",
    "Let's look at this one in supervision; it links to the earlier moment in this case.",
    "Nice repair. The acknowledgement seems to be what made the difference.",
    "Notice how often this comes up near the end of sessions.",
    "Could you try naming the shift in the moment next time, even briefly?",
    "Consider whether the homework is serving the client or the plan.",
    "This has been open for a while; what would help it move?",
    "I'd be curious about your own reaction here.",
    "The client's flag and your entry describe this moment quite differently. Useful to compare.",
    "Well handled. The agreement is clear and specific.",
    "Check that the client knows the fee conversation isn't a judgement.",
]
CHECK_IN_COMMENTS = {
    (RespondentRole.CLIENT, True): [
        "A bit rushed at the end.",
        "Didn't feel heard today.",
        "Hard session but useful.",
        "I held back a bit.",
        "Not sure where we're going with this.",
        "The video kept freezing and it put me off.",
        "Glad we went back to last week's moment.",
        "Felt a bit told off.",
    ],
    (RespondentRole.CLIENT, False): [
        "Felt better than last week.",
        "Good to talk about it.",
        "Tired today, not very talkative.",
        "Felt understood.",
        "Helpful, thank you.",
        "Nice to have a calmer week.",
    ],
    (RespondentRole.THERAPIST, True): [
        "Some tension around homework.",
        "Client quieter than usual.",
        "Felt distant; ask next time.",
        "Brief flash of irritation, talked through.",
        "Started late; a tense opening.",
        "Client raised their flag; talked it through.",
        "Difficult material; I may have pushed.",
    ],
    (RespondentRole.THERAPIST, False): [
        "Steady session; good engagement.",
        "Repair from last week seemed to land.",
        "Productive, focused on goals.",
        "Good collaboration on the plan.",
        "Difficult material; client stayed with it.",
        "Ran over by a few minutes.",
    ],
}

# Which strategies a therapist tends to reach for, by family (every code gets some use).
STRATEGY_WEIGHTS = {
    Family.WITHDRAWAL: {
        Strategy.CLARIFY: 6,
        Strategy.CHANGE_TASK: 4,
        Strategy.GIVE_RATIONALE: 3,
        Strategy.REDIRECT: 4,
        Strategy.INVITE_FEELINGS: 12,
        Strategy.ACKNOWLEDGE_PART: 9,
        Strategy.DISCLOSE_EXPERIENCE: 6,
        Strategy.LINK_PATTERN_HERE: 5,
        Strategy.LINK_PATTERN_LIFE: 5,
        Strategy.VALIDATE_STANCE: 10,
    },
    Family.CONFRONTATION: {
        Strategy.CLARIFY: 12,
        Strategy.CHANGE_TASK: 8,
        Strategy.GIVE_RATIONALE: 10,
        Strategy.REDIRECT: 3,
        Strategy.INVITE_FEELINGS: 7,
        Strategy.ACKNOWLEDGE_PART: 10,
        Strategy.DISCLOSE_EXPERIENCE: 5,
        Strategy.LINK_PATTERN_HERE: 4,
        Strategy.LINK_PATTERN_LIFE: 3,
        Strategy.VALIDATE_STANCE: 4,
    },
}
STRATEGY_WEIGHTS[Family.MIXED] = {
    s: STRATEGY_WEIGHTS[Family.WITHDRAWAL][s] + STRATEGY_WEIGHTS[Family.CONFRONTATION][s]
    for s in STRATEGY_WEIGHTS[Family.WITHDRAWAL]
}
FEELING_WEIGHTS = {
    Feeling.UNHEARD: 14,
    Feeling.MISUNDERSTOOD: 14,
    Feeling.JUDGED: 9,
    Feeling.RUSHED: 10,
    Feeling.PUSHED: 8,
    Feeling.DISMISSED: 10,
    Feeling.CONFUSED: 7,
    Feeling.DISCONNECTED: 9,
    Feeling.OTHER: 2,
}
CAUSE_WEIGHTS = {
    Cause.COMMUNICATION_BREAKDOWN: 14,
    Cause.UNMET_EXPECTATION: 11,
    Cause.EMOTIONAL_DISTRESS: 10,
    Cause.SENSITIVE_TOPIC: 12,
    Cause.MISSING_CONTEXT: 7,
    Cause.SCHEDULING_OR_PRACTICAL: 5,
    Cause.OTHER: 2,
}
# The client form's "roughly when" answers, as a share of the session (repairs/forms.py).
ROUGHLY_WHEN = (0.15, 0.5, 0.85)


def _weighted(rng: random.Random, weights: dict[Any, int]) -> Any:
    return rng.choices(list(weights), list(weights.values()))[0]


def _some(rng: random.Random, weights: dict[Any, int], count: int) -> list[Any]:
    """`count` distinct keys of `weights`, drawn by weight."""
    chosen: list[Any] = []
    while len(chosen) < count:
        pick = _weighted(rng, weights)
        if pick not in chosen:
            chosen.append(pick)
    return chosen


def _email(first: str, last: str) -> str:
    # Email addresses stay ASCII: "Tomás" becomes "tomas".
    plain = unicodedata.normalize("NFKD", f"{first}.{last}").encode("ascii", "ignore").decode()
    return f"{plain.lower()}@{DEMO_DOMAIN}"


def _pseudonym(rng: random.Random, used: set[str]) -> str:
    for _ in range(1000):
        code = "C-" + "".join(rng.choice(PSEUDONYM_ALPHABET) for _ in range(4))
        if code not in used:
            used.add(code)
            return code
    raise CommandError("Ran out of unused client pseudonyms; widen the code first.")


def _client_account(rng: random.Random, family: str, topic: str, task: str) -> str:
    pool = CLIENT_OPENERS.get(family) or rng.choice(list(CLIENT_OPENERS.values()))
    parts = [rng.choice(pool).format(topic=topic, task=task)]
    if rng.random() < 0.85:
        parts.extend(rng.sample(CLIENT_AFTERTHOUGHTS, 2 if rng.random() < 0.25 else 1))
    text = " ".join(parts)
    return text[0].upper() + text[1:]


def _therapist_account(rng: random.Random, family: str, topic: str, task: str) -> str:
    parts = [rng.choice(THERAPIST_OBSERVATIONS[family]).format(topic=topic, task=task)]
    parts.append(rng.choice(THERAPIST_REFLECTIONS))
    if rng.random() < 0.5:
        parts.append(rng.choice(THERAPIST_PLANS).format(task=task))
    text = " ".join(parts)
    return text[0].upper() + text[1:]


def _last_weekday_before(today: date, weekday: int) -> date:
    """The most recent `weekday` strictly before today (1 to 7 days ago)."""
    return today - timedelta(days=(today.weekday() - weekday - 1) % 7 + 1)


# --- Writing rows -------------------------------------------------------------------------


class _Table:
    """Rows for one model, each with an id chosen here before anything is written.

    `columns` are the attnames a caller supplies (all of them by default); any other field
    is written with its model default, computed once. Timestamps that Django would set to
    "now" must be given, so generated history keeps its own dates.
    """

    def __init__(self, model: type[models.Model], columns: Sequence[str] | None = None) -> None:
        self.model = model
        fields = {f.attname: f for f in model._meta.concrete_fields}
        self.columns = list(columns or fields)
        self.defaults: dict[str, Any] = {
            name: f.get_default()
            for name, f in fields.items()
            if not (getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False))
            and not f.primary_key
        }
        rest = [name for name in fields if name not in self.columns]
        missing = [name for name in rest if name not in self.defaults]
        if missing:
            raise TypeError(f"{model.__name__} rows need {', '.join(missing)}")
        self.tail = tuple(self.defaults[name] for name in rest)
        self.fields = [fields[name] for name in self.columns + rest]
        self.rows: list[tuple[Any, ...]] = []
        self.next_id = 0

    def add(self, **values: Any) -> int:
        if "id" not in values:  # else an id taken earlier with take_id()
            values["id"] = self.take_id()
        pk = values["id"]
        row = tuple(
            values.pop(name) if name in values else self.defaults[name] for name in self.columns
        )
        if values:
            raise TypeError(f"{self.model.__name__} has no column {', '.join(values)}")
        self.rows.append(row)
        return pk

    def take_id(self) -> int:
        pk = self.next_id
        self.next_id += 1
        return pk


def _is_postgres() -> bool:
    return connection.vendor == "postgresql"


def _start_ids(tables: Sequence[_Table]) -> None:
    """Point each table's next id past its current rows.

    On PostgreSQL the tables are locked against other writers until the transaction ends
    (readers carry on), so no one else can take these ids before the sequences are moved
    past them in `_write`.
    """
    if _is_postgres():
        names = sql.SQL(", ").join(sql.Identifier(t.model._meta.db_table) for t in tables)
        with connection.cursor() as cursor:
            cursor.cursor.execute(
                sql.SQL("LOCK TABLE {} IN SHARE ROW EXCLUSIVE MODE").format(names)
            )
    for table in tables:
        last = table.model._base_manager.aggregate(last=Max("pk"))["last"]
        table.next_id = (last or 0) + 1


def _write(tables: Sequence[_Table]) -> None:
    """Insert every table's rows, in the order given (referenced tables first)."""
    written = [table for table in tables if table.rows]
    for table in written:
        if _is_postgres():
            _copy(table)
        else:
            _insert(table)
        table.rows = []
    if _is_postgres():
        with connection.cursor() as cursor:
            for table in written:
                # Identity columns have a sequence too; move it past the ids used here so
                # the app's own inserts never collide with them.
                cursor.execute(
                    "SELECT setval(pg_get_serial_sequence(%s, %s), %s)",
                    [table.model._meta.db_table, table.model._meta.pk.column, table.next_id - 1],
                )


def _copy(table: _Table) -> None:
    statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
        sql.Identifier(table.model._meta.db_table),
        sql.SQL(", ").join(sql.Identifier(f.column) for f in table.fields),
    )
    tail = table.tail
    with connection.cursor() as cursor, cursor.cursor.copy(statement) as copy:
        write_row = copy.write_row
        if tail:
            for row in table.rows:
                write_row(row + tail)
        else:
            for row in table.rows:
                write_row(row)


def _insert(table: _Table) -> None:
    quote = connection.ops.quote_name
    fields = table.fields
    statement = "INSERT INTO {} ({}) VALUES ({})".format(  # noqa: S608 - names from _meta
        quote(table.model._meta.db_table),
        ", ".join(quote(f.column) for f in fields),
        ", ".join(["%s"] * len(fields)),
    )
    # Prepared as Django would (aware datetimes to UTC text on SQLite, and so on).
    rows = [
        [
            f.get_db_prep_save(value, connection)
            for f, value in zip(fields, row + table.tail, strict=True)
        ]
        for row in table.rows
    ]
    with connection.cursor() as cursor:
        cursor.executemany(statement, rows)


# --- The demo practice --------------------------------------------------------------------


@dataclass
class _Session:
    id: int
    case_id: int
    number: int
    starts_at: datetime
    minutes: int
    # 0 for the case's latest session: how fresh its events are (open, unread, ...).
    sessions_ago: int

    @property
    def ends_at(self) -> datetime:
        return self.starts_at + timedelta(minutes=self.minutes)


@dataclass
class _Case:
    id: int
    client_id: int
    therapist_id: int
    supervisor_id: int
    closed: bool
    # Cases differ in how often things go wrong and how: some clients push back more.
    rupture_rate: float
    confrontational: bool
    # The demo client's case (DEMO_LOGINS["client"]).
    showcase: bool
    sessions: list[_Session] = field(default_factory=list)


@dataclass
class _SessionMood:
    """What each side experienced in one session, for that session's check-ins."""

    client_intensity: int = 0
    therapist_intensity: int = 0
    settled_in_session: bool = False


class _DemoPractice:
    """Builds every row of the demo practice in memory, then writes them in one go."""

    def __init__(self, password_hash: str) -> None:
        self.rng = random.Random(DEMO_SEED)
        self.password_hash = password_hash
        self.today = timezone.localdate()
        self.now = timezone.now()
        self.tz = timezone.get_current_timezone()
        self.users = _Table(User)
        self.supervisions = _Table(Supervision)
        self.cases = _Table(Case)
        self.sessions = _Table(TherapySession)
        self.ruptures = _Table(Rupture)
        self.codes = _Table(RuptureCode)
        self.steps = _Table(RepairStep)
        self.notes = _Table(Note)
        self.check_ins = _Table(CheckIn)
        self.inbox = _Table(InboxItem)
        self.tables = [
            self.users,
            self.supervisions,
            self.cases,
            self.sessions,
            self.ruptures,
            self.codes,
            self.steps,
            self.notes,
            self.check_ins,
            self.inbox,
        ]

    def build_and_write(self) -> dict[str, int] | None:
        """Write the demo; its row counts, or None if another run wrote it meanwhile."""
        _start_ids(self.tables)
        if demo_exists():
            return None
        cases = self._people_and_cases()
        for case in cases:
            self._case_history(case)
        counts = {t.model._meta.verbose_name_plural: len(t.rows) for t in self.tables}
        _write(self.tables)
        return counts

    # People, cases, sessions ------------------------------------------------------------

    def _user(self, email: str, name: str, role: str, **extra: Any) -> int:
        return self.users.add(
            email=email,
            display_name=name,
            role=role,
            password=self.password_hash,
            date_joined=self.now - timedelta(days=self.rng.randint(200, 400)),
            **extra,
        )

    def _past(self, moment: datetime) -> datetime:
        # Generated follow-ups of the latest sessions may land after "now"; keep them past.
        return min(moment, self.now - timedelta(minutes=1))

    def _people_and_cases(self) -> list[_Case]:
        rng = self.rng
        self._user(DEMO_ADMIN_EMAIL, ADMIN_NAME, Role.ADMIN, is_staff=True, is_superuser=True)
        supervisors = [
            self._user(_email(first, last), f"{first} {last}", Role.SUPERVISOR)
            for first, last in SUPERVISOR_NAMES
        ]
        therapists = [
            self._user(_email(first, last), f"{first} {last}", Role.THERAPIST)
            for first, last in THERAPIST_NAMES
        ]
        used = set(User.objects.exclude(pseudonym=None).values_list("pseudonym", flat=True))
        clients = [
            self._user(
                _email(first, last),
                f"{first} {last}",
                Role.CLIENT,
                pseudonym=_pseudonym(rng, used),
            )
            for first, last in CLIENT_NAMES
        ]
        for index, therapist in enumerate(therapists):
            self.supervisions.add(
                supervisor_id=supervisors[index // 3],
                therapist_id=therapist,
                started_on=self.today - timedelta(days=rng.randint(300, 900)),
            )
        # A few courses of therapy have ended; never the demo client's.
        closed = set(rng.sample(range(1, len(clients)), 4))
        cases: list[_Case] = []
        for t_index, therapist in enumerate(therapists):
            # Each therapist keeps a weekly slot per client: weekday and hour.
            slots = rng.sample(
                [(d, h) for d in range(5) for h in (9, 10, 11, 12, 14, 15, 16, 17)], 6
            )
            for c_index, (weekday, hour) in enumerate(slots):
                number = t_index * 6 + c_index
                cases.append(
                    self._case(
                        client=clients[number],
                        therapist=therapist,
                        supervisor=supervisors[t_index // 3],
                        weekday=weekday,
                        hour=hour,
                        closed=number in closed,
                        showcase=number == 0,
                        long_sessions=t_index == 3,
                    )
                )
        return cases

    def _case(
        self,
        *,
        client: int,
        therapist: int,
        supervisor: int,
        weekday: int,
        hour: int,
        closed: bool,
        showcase: bool,
        long_sessions: bool,
    ) -> _Case:
        rng = self.rng
        if closed:
            weeks, weeks_since_end = rng.randint(10, 20), rng.randint(3, 9)
        else:
            weeks = 26 if showcase else rng.choice([26, 26, 26, 25, 24, 22, 18, 14, 10, 7])
            weeks_since_end = 0
        last_day = _last_weekday_before(self.today, weekday) - timedelta(weeks=weeks_since_end)
        minutes = 60 if long_sessions or rng.random() < 0.12 else 50
        usual_format = _weighted(
            rng, {SessionFormat.IN_PERSON: 55, SessionFormat.VIDEO: 35, SessionFormat.PHONE: 10}
        )
        # Holidays and illness: a few weeks without a session (never the first or last).
        weeks_held = [w for w in range(weeks) if w in (0, weeks - 1) or rng.random() > 0.08]
        first_day = last_day - timedelta(weeks=weeks - 1)
        case_id = self.cases.add(
            client_id=client,
            therapist_id=therapist,
            opened_on=first_day - timedelta(days=rng.randint(3, 14)),
            closed_on=last_day + timedelta(days=rng.randint(0, 6)) if closed else None,
        )
        case = _Case(
            id=case_id,
            client_id=client,
            therapist_id=therapist,
            supervisor_id=supervisor,
            closed=closed,
            rupture_rate=rng.uniform(0.25, 0.6),
            confrontational=rng.random() < 0.3,
            showcase=showcase,
        )
        for number, week in enumerate(weeks_held, start=1):
            session_format = usual_format
            if rng.random() < 0.15:
                session_format = rng.choice(SessionFormat.values)
            starts_at = datetime.combine(
                first_day + timedelta(weeks=week), clock(hour), tzinfo=self.tz
            )
            session_id = self.sessions.add(
                case_id=case_id,
                number=number,
                starts_at=starts_at,
                minutes=minutes,
                format=str(session_format),
            )
            sessions_ago = len(weeks_held) - number
            case.sessions.append(
                _Session(session_id, case_id, number, starts_at, minutes, sessions_ago)
            )
        return case

    # What happened in a case ------------------------------------------------------------

    def _case_history(self, case: _Case) -> None:
        rng = self.rng
        moods = [_SessionMood() for _ in case.sessions]
        last = len(case.sessions) - 1
        for index in range(len(case.sessions)):
            draw = rng.random()
            if draw < case.rupture_rate * 0.15:
                moments = 2
            elif draw < case.rupture_rate:
                moments = 1
            else:
                moments = 0
            for _ in range(moments):
                self._moment(case, index, moods)
        if case.showcase:
            # The demo client's own case always shows the main client-side states: a moment
            # seen by both and resolved, a private draft, and a fresh flag still unanswered.
            self._moment(case, last - 4, moods, sides="both", status=Status.RESOLVED)
            self._moment(case, last - 1, moods, sides="client", draft=True)
            self._moment(case, last, moods, sides="client", draft=False, reply=False)
        for index, session in enumerate(case.sessions):
            self._check_ins(case, session, moods[index], last_session=index == last)

    def _status(self, sessions_ago: int, closed: bool) -> str:
        rng = self.rng
        if sessions_ago == 0:
            weights = {Status.OPEN: 70, Status.REPAIRING: 30}
        elif sessions_ago <= 2:
            weights = {Status.OPEN: 25, Status.REPAIRING: 35, Status.RESOLVED: 33}
            weights[Status.UNRESOLVED] = 7
        else:
            weights = {Status.OPEN: 7, Status.REPAIRING: 10, Status.RESOLVED: 66}
            weights[Status.UNRESOLVED] = 17
        status = _weighted(rng, weights)
        if closed and status in (Status.OPEN, Status.REPAIRING):
            # A course that has ended leaves nothing in progress.
            status = Status.UNRESOLVED
        return status

    def _moment(
        self,
        case: _Case,
        index: int,
        moods: list[_SessionMood],
        *,
        sides: str | None = None,
        draft: bool | None = None,
        status: str | None = None,
        reply: bool | None = None,
    ) -> None:
        """One moment in one session, reported by the client, the therapist, or both."""
        rng = self.rng
        session = case.sessions[index]
        topic_client, topic_therapist = rng.choice(TOPICS)
        task = rng.choice(TASKS)
        family = _weighted(
            rng,
            {Family.WITHDRAWAL: 30, Family.CONFRONTATION: 45, Family.MIXED: 25}
            if case.confrontational
            else {Family.WITHDRAWAL: 52, Family.CONFRONTATION: 30, Family.MIXED: 18},
        )
        intensity = _weighted(rng, {1: 12, 2: 28, 3: 32, 4: 19, 5: 9})
        minute = rng.randint(3, session.minutes - 3)
        if sides is None:
            # Clients report fewer moments than therapists, and many only to themselves.
            sides = _weighted(rng, {"both": 35, "therapist": 45, "client": 20})
        by_client = sides in ("both", "client")
        by_therapist = sides in ("both", "therapist")
        if draft is None:
            draft = sides == "client" and rng.random() < 0.2
        therapist_private = sides == "therapist" and rng.random() < 0.15
        during = by_therapist and rng.random() < 0.55

        # Repair can begin in this session if the therapist saw it in the room, else later.
        first_step_index = index if during else index + 1
        step_sessions = list(range(first_step_index, min(first_step_index + 4, len(case.sessions))))
        status = status or self._status(session.sessions_ago, case.closed)
        if draft or not step_sessions:
            status = Status.OPEN
        steps = self._plan_steps(
            status, family, step_sessions, client_first=by_client and not during
        )
        agreement = rng.choice(AGREEMENTS) if status == Status.RESOLVED else ""

        therapist_id = client_id = None
        therapist_created = client_created = shared_at = None
        reported_at = session.ends_at
        if by_therapist:
            therapist_created = session.ends_at + (
                timedelta(minutes=rng.randint(10, 120))
                if during
                else timedelta(hours=rng.randint(3, 72))
            )
            therapist_id = self.ruptures.take_id()
            reported_at = therapist_created
        if by_client:
            client_id = self.ruptures.take_id()
            client_created = session.ends_at + timedelta(hours=rng.randint(1, 96))
            reported_at = max(reported_at, client_created)

        # Steps and status changes come after both reports.
        step_times = self._step_times(case, steps, reported_at)
        changed_at = step_times[-1] if step_times else None
        version = (
            1 + (1 if steps else 0) + (1 if status in (Status.RESOLVED, Status.UNRESOLVED) else 0)
        )

        if therapist_id is not None and therapist_created is not None:
            visibility = Visibility.PRIVATE if therapist_private else Visibility.SHARED
            client_view = ""
            if not therapist_private:
                client_view = _weighted(
                    rng,
                    {ClientView.SAME: 60, ClientView.DIFFERENT: 40}
                    if by_client
                    else {
                        "": 55,
                        ClientView.NOT_NOTICED: 25,
                        ClientView.SAME: 12,
                        ClientView.DIFFERENT: 8,
                    },
                )
            therapist_created = created = self._past(therapist_created)
            self.ruptures.add(
                id=therapist_id,
                author_id=case.therapist_id,
                created_at=created,
                updated_at=self._past(changed_at or created),
                version=version,
                case_id=case.id,
                therapy_session_id=session.id,
                author_role=RespondentRole.THERAPIST,
                minute=None
                if rng.random() < 0.08
                else max(0, min(session.minutes, minute + rng.randint(-2, 2))),
                recognised=Recognised.DURING if during else Recognised.AFTER,
                family=family,
                intensity=intensity,
                account=_therapist_account(rng, family, topic_therapist, task),
                status=status,
                agreement=agreement,
                visibility=visibility,
                shared_at=None if therapist_private else created,
                client_view=str(client_view),
                counterpart_id=client_id,
            )
            self._therapist_codes(therapist_id, family)
            if visibility == Visibility.SHARED:
                self._notify(case.client_id, InboxKind.SHARED_ENTRY, session, therapist_id, created)
                if client_view:
                    answered = self._past(created + timedelta(hours=rng.randint(4, 60)))
                    self._notify(
                        case.therapist_id, InboxKind.CLIENT_VIEW, session, therapist_id, answered
                    )
            moods[index].therapist_intensity = max(moods[index].therapist_intensity, intensity)

        if client_id is not None and client_created is not None:
            client_created = self._past(client_created)
            shared_at = None
            if not draft:
                # Some flags sat as a private draft for a while before the client shared them.
                shared_at = client_created
                if rng.random() < 0.15:
                    shared_at = self._past(client_created + timedelta(hours=rng.randint(6, 48)))
            self.ruptures.add(
                id=client_id,
                author_id=case.client_id,
                created_at=client_created,
                updated_at=self._past(changed_at or shared_at or client_created),
                version=version + (1 if shared_at and shared_at != client_created else 0),
                case_id=case.id,
                therapy_session_id=session.id,
                author_role=RespondentRole.CLIENT,
                minute=self._client_minute(session.minutes, minute),
                # The client form records every flag as noticed after the session.
                recognised=Recognised.AFTER,
                family=Family.UNCLASSIFIED,
                intensity=None
                if rng.random() < 0.15
                else max(1, min(5, intensity + rng.randint(-1, 1))),
                account=_client_account(rng, family, topic_client, task),
                status=status,
                agreement=agreement,
                visibility=Visibility.PRIVATE if draft else Visibility.SHARED,
                shared_at=shared_at,
                counterpart_id=therapist_id,
            )
            for feeling in _some(rng, FEELING_WEIGHTS, rng.choice([1, 1, 2, 2, 3])):
                self.codes.add(rupture_id=client_id, kind=CodeKind.FEELING, code=str(feeling))
            if shared_at is not None:
                self._notify(
                    case.therapist_id, InboxKind.CLIENT_FLAG, session, client_id, shared_at
                )
            moods[index].client_intensity = max(moods[index].client_intensity, intensity)

        # Steps hang off the therapist's entry when there is one: that is where the
        # therapist records the repair work.
        owner = therapist_id if therapist_id is not None else client_id
        assert owner is not None
        for position, ((strategy, outcome, session_index, initiated_by), at) in enumerate(
            zip(steps, step_times, strict=True), start=1
        ):
            self.steps.add(
                author_id=case.therapist_id,
                created_at=at,
                updated_at=at,
                rupture_id=owner,
                therapy_session_id=case.sessions[session_index].id,
                position=position,
                initiated_by=initiated_by,
                strategy=str(strategy),
                description=rng.choice(REPAIR_TEXTS[strategy]).format(
                    topic=topic_therapist, task=task
                ),
                outcome=str(outcome),
            )
            if session_index == index and outcome == Outcome.HELPED:
                moods[index].settled_in_session = True

        self._notes(
            case,
            session,
            therapist_id=therapist_id,
            therapist_private=therapist_private,
            client_id=client_id if not draft else None,
            client_shared_at=shared_at,
            therapist_created=therapist_created,
            reply=reply,
            task=task,
        )

    def _plan_steps(
        self, status: str, family: str, step_sessions: list[int], *, client_first: bool
    ) -> list[tuple[str, str, int, str]]:
        """(strategy, outcome, session index, initiated by) for each repair step, in order."""
        rng = self.rng
        if status == Status.OPEN:
            return []
        count = _weighted(
            rng,
            {
                Status.REPAIRING: {1: 60, 2: 40},
                Status.RESOLVED: {1: 25, 2: 40, 3: 25, 4: 10},
                Status.UNRESOLVED: {1: 40, 2: 40, 3: 20},
            }[status],
        )
        if family == Family.UNCLASSIFIED:
            family = Family.MIXED
        strategies: list[str] = []
        if client_first and rng.random() < 0.5:
            strategies.append(Strategy.CLIENT_RAISED)
        closing = status == Status.RESOLVED and count >= 2 and rng.random() < 0.65
        while len(strategies) < count - (1 if closing else 0):
            strategies.append(_weighted(rng, STRATEGY_WEIGHTS[family]))
        if closing:
            strategies.append(Strategy.AGREE_PREVENTION)
        indexes = sorted(
            [step_sessions[0]] + [rng.choice(step_sessions[:3]) for _ in strategies[1:]]
        )
        steps = []
        for number, (strategy, session_index) in enumerate(zip(strategies, indexes, strict=True)):
            is_last = number == len(strategies) - 1
            if not is_last:
                outcome = _weighted(
                    rng, {Outcome.HELPED: 35, Outcome.PARTLY: 40, Outcome.DID_NOT_HELP: 25}
                )
            elif status == Status.RESOLVED:
                outcome = _weighted(rng, {Outcome.HELPED: 80, Outcome.PARTLY: 20})
            elif status == Status.REPAIRING:
                outcome = _weighted(
                    rng,
                    {Outcome.NOT_KNOWN_YET: 45, Outcome.PARTLY: 35, Outcome.DID_NOT_HELP: 20},
                )
            else:
                outcome = _weighted(rng, {Outcome.DID_NOT_HELP: 65, Outcome.PARTLY: 35})
            if strategy == Strategy.CLIENT_RAISED:
                initiated_by = RespondentRole.CLIENT
            elif strategy == Strategy.AGREE_PREVENTION:
                initiated_by = _weighted(
                    rng, {RespondentRole.CLIENT: 30, RespondentRole.THERAPIST: 70}
                )
            else:
                initiated_by = _weighted(
                    rng, {RespondentRole.CLIENT: 8, RespondentRole.THERAPIST: 92}
                )
            steps.append((strategy, outcome, session_index, str(initiated_by)))
        return steps

    def _step_times(
        self, case: _Case, steps: list[tuple[str, str, int, str]], reported_at: datetime
    ) -> list[datetime]:
        times: list[datetime] = []
        previous = reported_at
        for _, _, session_index, _ in steps:
            session = case.sessions[session_index]
            at = max(session.ends_at, previous) + timedelta(minutes=self.rng.randint(15, 600))
            times.append(self._past(at))
            previous = at
        return times

    def _client_minute(self, minutes: int, minute: int) -> int | None:
        rng = self.rng
        answer = _weighted(rng, {"roughly": 55, "minute": 15, "not_sure": 30})
        if answer == "not_sure":
            return None
        if answer == "minute":
            return max(0, min(minutes, round(minute / 5) * 5 + rng.choice([-5, 0, 0, 5])))
        return round(minutes * min(ROUGHLY_WHEN, key=lambda share: abs(share * minutes - minute)))

    def _therapist_codes(self, rupture_id: int, family: str) -> None:
        rng = self.rng
        markers: list[str] = []
        if family in (Family.WITHDRAWAL, Family.MIXED):
            markers += rng.sample(
                WITHDRAWAL_MARKERS, 1 if family == Family.MIXED else rng.choice([1, 1, 2])
            )
        if family in (Family.CONFRONTATION, Family.MIXED):
            markers += rng.sample(
                CONFRONTATION_MARKERS, 1 if family == Family.MIXED else rng.choice([1, 1, 2])
            )
        for marker in markers:
            self.codes.add(rupture_id=rupture_id, kind=CodeKind.MARKER, code=str(marker))
        for cause in _some(rng, CAUSE_WEIGHTS, 2 if rng.random() < 0.3 else 1):
            self.codes.add(rupture_id=rupture_id, kind=CodeKind.CAUSE, code=str(cause))

    def _notes(
        self,
        case: _Case,
        session: _Session,
        *,
        therapist_id: int | None,
        therapist_private: bool,
        client_id: int | None,
        client_shared_at: datetime | None,
        therapist_created: datetime | None,
        reply: bool | None,
        task: str,
    ) -> None:
        rng = self.rng
        if client_id is not None and client_shared_at is not None:
            # The conversation about a client's flag happens on the flag itself.
            if reply is None:
                reply = rng.random() < (0.35 if session.sessions_ago == 0 else 0.9)
            if reply:
                at = client_shared_at
                thread = [AuthorRole.THERAPIST]
                if rng.random() < 0.45:
                    thread.append(AuthorRole.CLIENT)
                    if rng.random() < 0.3:
                        thread.append(AuthorRole.THERAPIST)
                for role in thread:
                    at = at + timedelta(hours=rng.randint(2, 48))
                    self._note(case, session, client_id, role, at)
        elif therapist_created is not None and not therapist_private and rng.random() < 0.12:
            at = therapist_created + timedelta(hours=rng.randint(6, 72))
            self._note(case, session, therapist_id, AuthorRole.CLIENT, at)
        if therapist_id is not None and therapist_created is not None:
            if rng.random() < 0.15:
                at = therapist_created + timedelta(hours=rng.randint(1, 30))
                self._note(
                    case,
                    session,
                    therapist_id,
                    AuthorRole.THERAPIST,
                    at,
                    private=True,
                    task=task,
                )
            if rng.random() < 0.12:
                at = therapist_created + timedelta(days=rng.randint(3, 20))
                self._note(case, session, therapist_id, AuthorRole.SUPERVISOR, at)

    def _note(
        self,
        case: _Case,
        session: _Session,
        rupture_id: int,
        role: str,
        at: datetime,
        *,
        private: bool = False,
        task: str = "",
    ) -> None:
        rng = self.rng
        at = self._past(at)
        if role == AuthorRole.SUPERVISOR:
            author, body = case.supervisor_id, rng.choice(SUPERVISOR_NOTES)
        elif role == AuthorRole.CLIENT:
            author, body = case.client_id, rng.choice(CLIENT_REPLIES)
        elif private:
            author, body = case.therapist_id, rng.choice(THERAPIST_PRIVATE_NOTES).format(task=task)
        else:
            author, body = case.therapist_id, rng.choice(THERAPIST_REPLIES)
        self.notes.add(
            author_id=author,
            created_at=at,
            updated_at=at,
            rupture_id=rupture_id,
            author_role=str(role),
            body=body,
            visibility=Visibility.PRIVATE if private else Visibility.SHARED,
        )
        if not private and role != AuthorRole.SUPERVISOR:
            recipient = case.therapist_id if role == AuthorRole.CLIENT else case.client_id
            self._notify(recipient, InboxKind.REPLY, session, rupture_id, at)

    def _notify(
        self, recipient: int, kind: str, session: _Session, rupture_id: int | None, at: datetime
    ) -> None:
        # Older items have been read; the last two sessions' news partly has not.
        read = session.sessions_ago >= 2 or self.rng.random() < 0.4
        self.inbox.add(
            recipient_id=recipient,
            kind=str(kind),
            case_id=session.case_id,
            therapy_session_id=session.id,
            rupture_id=rupture_id,
            created_at=at,
            read_at=self._past(at + timedelta(hours=self.rng.randint(1, 40))) if read else None,
        )

    def _check_ins(
        self, case: _Case, session: _Session, mood: _SessionMood, *, last_session: bool
    ) -> None:
        rng = self.rng
        answers: dict[str, CheckIn] = {}
        for role, saw, chance, delay in (
            (
                RespondentRole.CLIENT,
                mood.client_intensity,
                0.5 if last_session else 0.78,
                (60, 1800),
            ),
            (RespondentRole.THERAPIST, mood.therapist_intensity, 0.88, (10, 480)),
        ):
            if rng.random() >= chance:
                continue
            tension = rng.random() < (0.88 if saw else 0.07)
            intensity = resolution = None
            if tension:
                intensity = max(1, min(5, (saw or 2) + rng.randint(-1, 1)))
                resolution = rng.randint(3, 5) if mood.settled_in_session else rng.randint(1, 4)
            comment = ""
            if rng.random() < 0.35:
                comment = rng.choice(CHECK_IN_COMMENTS[(role, tension)])
            at = self._past(session.ends_at + timedelta(minutes=rng.randint(*delay)))
            self.check_ins.add(
                therapy_session_id=session.id,
                respondent_id=case.client_id
                if role == RespondentRole.CLIENT
                else case.therapist_id,
                respondent_role=str(role),
                tension=tension,
                intensity=intensity,
                resolution=resolution,
                comment=comment,
                created_at=at,
                updated_at=at,
            )
            answers[role] = CheckIn(tension=tension, resolution=resolution, created_at=at)
        if len(answers) == 2:
            # The app's own rule decides when the therapist is told (repairs/services.py).
            client, therapist = answers[RespondentRole.CLIENT], answers[RespondentRole.THERAPIST]
            if check_ins_disagree(client, therapist):
                at = max(client.created_at, therapist.created_at)
                self._notify(case.therapist_id, InboxKind.CHECK_IN_DISAGREES, session, None, at)


# --- The bulk practice (benchmarks) -------------------------------------------------------

BULK_CHUNK = 50_000  # ruptures per transaction: bounded memory, and progress to report
BULK_CASES_PER_THERAPIST = 30
BULK_THERAPISTS_PER_SUPERVISOR = 8
BULK_SUFFIX = f"@{BULK_DOMAIN}"


def bulk_rupture_count() -> int:
    return Rupture.objects.filter(case__therapist__email__endswith=BULK_SUFFIX).count()


def _bulk_people_count(role: str) -> int:
    return User.objects.filter(role=role, email__endswith=BULK_SUFFIX).count()


class _BulkTexts:
    """Ready-made texts, so that a million rows cost a choice each rather than a format."""

    def __init__(self, rng: random.Random) -> None:
        families = (Family.WITHDRAWAL, Family.CONFRONTATION, Family.MIXED)
        self.client = {
            family: [
                _client_account(rng, family, *_pick_topic_task(rng, client_side=True))
                for _ in range(300)
            ]
            for family in families
        }
        self.therapist = {
            family: [
                _therapist_account(rng, family, *_pick_topic_task(rng, client_side=False))
                for _ in range(300)
            ]
            for family in families
        }
        self.steps = {
            strategy: [
                rng.choice(texts).format(topic=rng.choice(TOPICS)[1], task=rng.choice(TASKS))
                for _ in range(20)
            ]
            for strategy, texts in REPAIR_TEXTS.items()
        }


def _pick_topic_task(rng: random.Random, *, client_side: bool) -> tuple[str, str]:
    topic = rng.choice(TOPICS)
    return topic[0] if client_side else topic[1], rng.choice(TASKS)


# Plain strings (not enum members) in the hot loop: cheaper to compare and to write.
_W_MARKERS = [str(m) for m in WITHDRAWAL_MARKERS]
_C_MARKERS = [str(m) for m in CONFRONTATION_MARKERS]
_CAUSES = [str(c) for c in CAUSE_WEIGHTS]
_CAUSE_W = list(CAUSE_WEIGHTS.values())
_FEELINGS = [str(f) for f in FEELING_WEIGHTS]
_FEELING_W = list(FEELING_WEIGHTS.values())
_THERAPIST_STRATEGIES = [str(s) for s in STRATEGY_WEIGHTS[Family.MIXED]]
_STRATEGY_W = list(STRATEGY_WEIGHTS[Family.MIXED].values())
_FORMATS = [str(f) for f in SessionFormat]


class _BulkPractice:
    """Grows the bulk practice (bulk-*@bulk.rupturelog.test) to a number of ruptures.

    Its shape follows the demo: weekly sessions (about 2.5 per rupture), some moments seen
    by both sides (linked), codes, repair steps (about one per rupture, many ruptures with
    none), a few notes and check-ins. Thirty cases per therapist and eight therapists per
    supervisor, so one supervisor's review covers a realistic few thousand ruptures.
    """

    def __init__(self, password_hash: str, write_line: Any) -> None:
        self.password_hash = password_hash
        self.write_line = write_line
        self.today = timezone.localdate()
        self.now = timezone.now()
        self.tz = timezone.get_current_timezone()

    def grow_to(self, target: int) -> int:
        started = time.monotonic()
        have = bulk_rupture_count()
        if have >= target:
            self.write_line(f"Bulk practice already has {have:,} ruptures; nothing to add.")
            return 0
        self.write_line(f"Bulk practice: adding {target - have:,} ruptures to the {have:,} there.")
        self.used_pseudonyms = set(
            User.objects.exclude(pseudonym=None).values_list("pseudonym", flat=True)
        )
        self.texts = _BulkTexts(random.Random(DEMO_SEED + 1))
        added = 0
        while have + added < target:
            with transaction.atomic():
                if _is_postgres():
                    with connection.cursor() as cursor:
                        # Commits need not wait for the disk: a crash could lose the last
                        # chunks, and the next run would count them missing and add them.
                        cursor.execute("SET LOCAL synchronous_commit = off")
                added += self._chunk(min(BULK_CHUNK, target - have - added), have + added)
            elapsed = time.monotonic() - started
            self.write_line(
                f"  {have + added:>10,} / {target:,} ruptures  ({elapsed:6.1f} s, "
                f"{added / elapsed:,.0f} ruptures/s)"
            )
        if _is_postgres():
            # Fresh planner statistics, so benchmark queries are planned for the real sizes.
            with connection.cursor() as cursor:
                for model in (User, Case, TherapySession, Rupture, RuptureCode, RepairStep):
                    cursor.cursor.execute(
                        sql.SQL("ANALYZE {}").format(sql.Identifier(model._meta.db_table))
                    )
        self.write_line(
            f"Bulk practice: added {added:,} ruptures in {time.monotonic() - started:.1f} s."
        )
        return added

    def _chunk(self, wanted: int, have: int) -> int:
        """Add cases until `wanted` more ruptures exist; returns how many were added."""
        rng = random.Random(f"rupturelog-bulk-{have}")
        users = _Table(
            User, ["id", "password", "email", "display_name", "role", "pseudonym", "date_joined"]
        )
        supervisions = _Table(Supervision, ["id", "supervisor_id", "therapist_id", "started_on"])
        cases = _Table(Case, ["id", "client_id", "therapist_id", "opened_on", "closed_on"])
        sessions = _Table(
            TherapySession, ["id", "case_id", "number", "starts_at", "minutes", "format"]
        )
        ruptures = _Table(
            Rupture,
            [
                "id",
                "author_id",
                "created_at",
                "updated_at",
                "version",
                "case_id",
                "therapy_session_id",
                "author_role",
                "minute",
                "recognised",
                "family",
                "intensity",
                "account",
                "status",
                "agreement",
                "visibility",
                "shared_at",
                "counterpart_id",
            ],
        )
        codes = _Table(RuptureCode, ["id", "rupture_id", "kind", "code"])
        steps = _Table(
            RepairStep,
            [
                "id",
                "author_id",
                "created_at",
                "updated_at",
                "rupture_id",
                "therapy_session_id",
                "position",
                "initiated_by",
                "strategy",
                "description",
                "outcome",
            ],
        )
        notes = _Table(
            Note,
            ["id", "author_id", "created_at", "updated_at", "rupture_id", "author_role", "body"],
        )
        check_ins = _Table(
            CheckIn,
            [
                "id",
                "therapy_session_id",
                "respondent_id",
                "respondent_role",
                "tension",
                "intensity",
                "resolution",
                "created_at",
                "updated_at",
            ],
        )
        tables = [users, supervisions, cases, sessions, ruptures, codes, steps, notes, check_ins]
        _start_ids(tables)

        # Numbering continues from earlier runs; each chunk starts a fresh therapist.
        therapist_number = _bulk_people_count(Role.THERAPIST)
        client_number = _bulk_people_count(Role.CLIENT)
        supervisor_ids = dict(
            User.objects.filter(role=Role.SUPERVISOR, email__endswith=BULK_SUFFIX).values_list(
                "email", "id"
            )
        )
        joined = self.now - timedelta(days=800)
        therapist_id = 0
        supervisor_id = 0
        cases_left_for_therapist = 0
        added = 0

        for_case = self._case_rows(rng, sessions, ruptures, codes, steps, notes, check_ins)
        while added < wanted:
            if cases_left_for_therapist == 0:
                therapist_number += 1
                therapist_id = users.add(
                    password=self.password_hash,
                    email=f"bulk-therapist-{therapist_number:05d}{BULK_SUFFIX}",
                    display_name=f"Bulk Therapist {therapist_number}",
                    role=Role.THERAPIST,
                    pseudonym=None,
                    date_joined=joined,
                )
                wanted_supervisor = (therapist_number - 1) // BULK_THERAPISTS_PER_SUPERVISOR + 1
                email = f"bulk-supervisor-{wanted_supervisor:05d}{BULK_SUFFIX}"
                if email in supervisor_ids:
                    supervisor_id = supervisor_ids[email]
                else:
                    supervisor_id = supervisor_ids[email] = users.add(
                        password=self.password_hash,
                        email=email,
                        display_name=f"Bulk Supervisor {wanted_supervisor}",
                        role=Role.SUPERVISOR,
                        pseudonym=None,
                        date_joined=joined,
                    )
                supervisions.add(
                    supervisor_id=supervisor_id,
                    therapist_id=therapist_id,
                    started_on=self.today - timedelta(days=790),
                )
                cases_left_for_therapist = BULK_CASES_PER_THERAPIST
            client_number += 1
            client_id = users.add(
                password=self.password_hash,
                email=f"bulk-client-{client_number:06d}{BULK_SUFFIX}",
                display_name=f"Bulk Client {client_number}",
                role=Role.CLIENT,
                pseudonym=_pseudonym(rng, self.used_pseudonyms),
                date_joined=joined,
            )
            added += for_case(cases, client_id, therapist_id, supervisor_id, wanted - added)
            cases_left_for_therapist -= 1

        _write(tables)
        return added

    def _case_rows(
        self,
        rng: random.Random,
        sessions: _Table,
        ruptures: _Table,
        codes: _Table,
        steps: _Table,
        notes: _Table,
        check_ins: _Table,
    ) -> Any:
        """A function that adds one case and everything in it, returning its rupture count.

        Written for speed (about ten rows per rupture, millions of rows): local names for
        everything the loop touches, tuples in column order, ids counted here.
        """
        today, now, tz = self.today, self.now, self.tz
        latest = now - timedelta(minutes=1)
        texts = self.texts
        rand, randint, choice, choices = rng.random, rng.randint, rng.choice, rng.choices
        session_rows, rupture_rows = sessions.rows, ruptures.rows
        code_rows, step_rows = codes.rows, steps.rows
        note_rows, check_in_rows = notes.rows, check_ins.rows
        week = timedelta(weeks=1)
        hour = timedelta(hours=1)
        client_role, therapist_role = str(RespondentRole.CLIENT), str(RespondentRole.THERAPIST)
        shared, private = str(Visibility.SHARED), str(Visibility.PRIVATE)
        during, after = str(Recognised.DURING), str(Recognised.AFTER)
        unclassified = str(Family.UNCLASSIFIED)
        withdrawal, confrontation, mixed = (
            str(Family.WITHDRAWAL),
            str(Family.CONFRONTATION),
            str(Family.MIXED),
        )
        open_, repairing = str(Status.OPEN), str(Status.REPAIRING)
        resolved, unresolved = str(Status.RESOLVED), str(Status.UNRESOLVED)
        marker, cause, feeling = str(CodeKind.MARKER), str(CodeKind.CAUSE), str(CodeKind.FEELING)
        helped, partly = str(Outcome.HELPED), str(Outcome.PARTLY)
        did_not_help, not_known = str(Outcome.DID_NOT_HELP), str(Outcome.NOT_KNOWN_YET)
        client_raised, agree = str(Strategy.CLIENT_RAISED), str(Strategy.AGREE_PREVENTION)
        supervisor_role = str(AuthorRole.SUPERVISOR)

        def add_case(
            cases: _Table, client_id: int, therapist_id: int, supervisor_id: int, room: int
        ) -> int:
            count = randint(16, 64)
            # A third of cases are ongoing (last session this past week); the rest ended at
            # some point in the last two years.
            ongoing = rand() < 0.35
            days_since_last = randint(1, 7) if ongoing else randint(22, 730)
            last_day = today - timedelta(days=days_since_last)
            first_day = last_day - timedelta(weeks=count - 1)
            closed_on = None if ongoing else last_day + timedelta(days=randint(0, 6))
            case_id = cases.add(
                client_id=client_id,
                therapist_id=therapist_id,
                opened_on=first_day - timedelta(days=randint(3, 14)),
                closed_on=closed_on,
            )
            minutes = 60 if rand() < 0.15 else 50
            ends = timedelta(minutes=minutes)
            session_format = choice(_FORMATS)
            first_start = datetime.combine(first_day, clock(randint(8, 18)), tzinfo=tz)
            first_session = sessions.next_id
            sessions.next_id += count
            starts = [first_start + week * k for k in range(count)]
            for k in range(count):
                session_rows.append(
                    (first_session + k, case_id, k + 1, starts[k], minutes, session_format)
                )

            wanted = min(room, max(1, round(count * rng.uniform(0.2, 0.6))))
            made = 0
            moods: dict[int, int] = {}
            while made < wanted:
                index = randint(0, count - 1)
                session_id = first_session + index
                ended = starts[index] + ends
                sessions_ago = count - 1 - index
                both = wanted - made >= 2 and rand() < 0.2
                by_therapist = both or rand() < 0.7
                by_client = both or not by_therapist
                # Recent moments are still open; older ones mostly settled; an ended course
                # leaves nothing in progress.
                draw = rand()
                if ongoing and sessions_ago == 0:
                    status = open_ if draw < 0.7 else repairing
                elif ongoing and sessions_ago <= 2:
                    status = open_ if draw < 0.3 else repairing if draw < 0.65 else resolved
                elif not ongoing:
                    status = resolved if draw < 0.75 else unresolved
                elif draw < 0.06:
                    status = open_
                elif draw < 0.14:
                    status = repairing
                elif draw < 0.8:
                    status = resolved
                else:
                    status = unresolved
                draft = by_client and not both and rand() < 0.1
                seen_during = by_therapist and rand() < 0.55
                first_step = index if seen_during else index + 1
                if draft or first_step >= count:
                    status = open_
                agreement = choice(AGREEMENTS) if status == resolved else ""
                family = choice((withdrawal, withdrawal, confrontation, confrontation, mixed))
                intensity = randint(1, 5)
                minute = randint(3, minutes - 3)
                created = ended + hour * randint(1, 72)
                if created > latest:
                    created = latest
                therapist_row = client_row = None
                if by_therapist:
                    therapist_row = ruptures.take_id()
                if by_client:
                    client_row = ruptures.take_id()
                if therapist_row is not None:
                    is_private = not both and rand() < 0.12
                    rupture_rows.append(
                        (
                            therapist_row,
                            therapist_id,
                            created,
                            created,
                            1,
                            case_id,
                            session_id,
                            therapist_role,
                            minute,
                            during if seen_during else after,
                            family,
                            intensity,
                            choice(texts.therapist[family]),
                            status,
                            agreement,
                            private if is_private else shared,
                            None if is_private else created,
                            client_row,
                        )
                    )
                    if family == mixed:
                        picked = [choice(_W_MARKERS), choice(_C_MARKERS)]
                    else:
                        picked = [choice(_W_MARKERS if family == withdrawal else _C_MARKERS)]
                    for code in picked:
                        code_rows.append((codes.take_id(), therapist_row, marker, code))
                    first_cause = choices(_CAUSES, _CAUSE_W)[0]
                    code_rows.append((codes.take_id(), therapist_row, cause, first_cause))
                    if rand() < 0.3:
                        second = choice(_CAUSES)
                        if second != first_cause:
                            code_rows.append((codes.take_id(), therapist_row, cause, second))
                    moods[index] = max(moods.get(index, 0), intensity)
                if client_row is not None:
                    rupture_rows.append(
                        (
                            client_row,
                            client_id,
                            created,
                            created,
                            1,
                            case_id,
                            session_id,
                            client_role,
                            None if rand() < 0.3 else minute,
                            after,
                            unclassified,
                            intensity,
                            choice(texts.client[family]),
                            status,
                            agreement,
                            private if draft else shared,
                            None if draft else created,
                            therapist_row,
                        )
                    )
                    first_feeling = choices(_FEELINGS, _FEELING_W)[0]
                    code_rows.append((codes.take_id(), client_row, feeling, first_feeling))
                    if rand() < 0.5:
                        second = choice(_FEELINGS)
                        if second != first_feeling:
                            code_rows.append((codes.take_id(), client_row, feeling, second))
                made += 2 if both else 1

                owner = therapist_row if therapist_row is not None else client_row
                if status != open_:
                    step_count = 1 if status == repairing or rand() < 0.55 else 2
                    at = created
                    for position in range(1, step_count + 1):
                        step_index = min(count - 1, first_step + position - 1)
                        at = max(at, starts[step_index] + ends) + hour
                        if at > latest:
                            at = latest
                        is_last = position == step_count
                        if position == 1 and by_client and not seen_during and rand() < 0.4:
                            strategy, initiated_by = client_raised, client_role
                        elif is_last and status == resolved and step_count > 1:
                            strategy, initiated_by = agree, therapist_role
                        else:
                            strategy = choices(_THERAPIST_STRATEGIES, _STRATEGY_W)[0]
                            initiated_by = therapist_role
                        if not is_last:
                            outcome = choice((helped, partly, did_not_help))
                        elif status == resolved:
                            outcome = helped if rand() < 0.8 else partly
                        elif status == repairing:
                            outcome = choice((not_known, partly, did_not_help))
                        else:
                            outcome = choice((did_not_help, partly))
                        step_rows.append(
                            (
                                steps.take_id(),
                                therapist_id,
                                at,
                                at,
                                owner,
                                first_session + step_index,
                                position,
                                initiated_by,
                                strategy,
                                choice(texts.steps[strategy]),
                                outcome,
                            )
                        )
                if rand() < 0.08 and not draft:
                    at = created + hour * randint(2, 100)
                    if at > latest:
                        at = latest
                    # A therapist's reply on a client's flag, else a supervisor's comment.
                    if client_row is not None:
                        note = (therapist_id, at, at, client_row, therapist_role)
                        body = choice(THERAPIST_REPLIES)
                    else:
                        note = (supervisor_id, at, at, owner, supervisor_role)
                        body = choice(SUPERVISOR_NOTES)
                    note_rows.append((notes.take_id(), *note, body))

            # Check-ins for the sessions where something happened.
            for index, intensity in moods.items():
                at = starts[index] + ends + hour
                if at > latest:
                    at = latest
                session_id = first_session + index
                if rand() < 0.6:
                    check_in_rows.append(
                        (
                            check_ins.take_id(),
                            session_id,
                            therapist_id,
                            therapist_role,
                            True,
                            intensity,
                            randint(1, 5),
                            at,
                            at,
                        )
                    )
                if rand() < 0.45:
                    tension = rand() < 0.7
                    rating = randint(1, 5) if tension else None
                    check_in_rows.append(
                        (
                            check_ins.take_id(),
                            session_id,
                            client_id,
                            client_role,
                            tension,
                            intensity if tension else None,
                            rating,
                            at,
                            at,
                        )
                    )
            return made

        return add_case


# --- The command --------------------------------------------------------------------------


def demo_exists() -> bool:
    return User.objects.filter(email=DEMO_ADMIN_EMAIL).exists()


class Command(BaseCommand):
    help = (
        "Load the fictional demo practice and print its logins. Running it again changes "
        "nothing. With --ruptures N, also grow a separate bulk practice to N ruptures."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Seed only if the database has no users at all (what `make run` uses).",
        )
        parser.add_argument(
            "--ruptures",
            type=int,
            metavar="N",
            help="Also grow the separate bulk practice (for benchmarks) to N ruptures.",
        )

    def handle(self, *args: Any, if_empty: bool, ruptures: int | None, **options: Any) -> None:
        if ruptures is not None and ruptures < 0:
            raise CommandError("--ruptures must be zero or more.")
        if if_empty and User.objects.exists():
            if demo_exists():
                self._enrol_demo_staff()
                self._print_logins()
            else:
                self.stdout.write("The database already has data; the demo practice was not added.")
            return
        add_demo = not demo_exists()
        # One hash for every account created here: Argon2 is slow by design.
        password_hash = make_password(DEMO_PASSWORD) if add_demo or ruptures else ""
        if add_demo:
            started = time.monotonic()
            with transaction.atomic():
                counts = _DemoPractice(password_hash).build_and_write()
            if counts:
                summary = ", ".join(f"{n:,} {name}" for name, n in counts.items())
                self.stdout.write(
                    f"Seeded the demo practice in {time.monotonic() - started:.1f} s: {summary}."
                )
        if ruptures:
            _BulkPractice(password_hash, self.stdout.write).grow_to(ruptures)
        self._enrol_demo_staff()
        self._print_logins()

    def _enrol_demo_staff(self) -> None:
        # Under DEBUG only: the demo's clinicians get an authenticator app with a fixed,
        # public key, so a newcomer can pass two-step sign-in (rupturelog/mfa/demo.py).
        if settings.DEBUG:
            enrol_demo_staff(DEMO_DOMAIN)

    def _print_logins(self) -> None:
        self.stdout.write(f"\nDemo logins (password: {DEMO_PASSWORD})")
        for role, email in DEMO_LOGINS.items():
            self.stdout.write(f"  {role:<12} {email}")
        if settings.DEBUG:
            self.stdout.write(
                "\nClinicians and the administrator also need a two-step code. Add the key to "
                "an authenticator app\n(time-based, 6 digits), or print the current code from "
                "another terminal with\n`make demo-code` (the therapist) or "
                "`make demo-code DEMO_EMAIL=<login>`:"
            )
            for role, email in DEMO_LOGINS.items():
                if role != "client":
                    self.stdout.write(f"  {role:<12} {secret_for_typing(demo_secret(email))}")
