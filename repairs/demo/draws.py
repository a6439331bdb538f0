"""The random draws both practices share: weighted picks, pseudonyms, composed accounts.

Every function takes the practice's own `random.Random`, so a practice's data depends only on
its seed and the order of its draws.
"""

from __future__ import annotations

import random
import unicodedata
from collections.abc import Mapping
from datetime import date, datetime, timedelta
from typing import TypeVar

from django.core.management.base import CommandError

from repairs.demo import DEMO_DOMAIN
from repairs.demo.content import (
    CLIENT_AFTERTHOUGHTS,
    CLIENT_OPENERS,
    THERAPIST_OBSERVATIONS,
    THERAPIST_PLANS,
    THERAPIST_REFLECTIONS,
)
from rupturelog.accounts.models import PSEUDONYM_ALPHABET

_K = TypeVar("_K")


def weighted(rng: random.Random, weights: Mapping[_K, int]) -> _K:
    """One key of `weights`, drawn by weight (one draw of `rng`)."""
    return rng.choices(list(weights), list(weights.values()))[0]


def weighted_distinct(rng: random.Random, weights: Mapping[_K, int], count: int) -> list[_K]:
    """`count` distinct keys of `weights`, drawn by weight."""
    chosen: list[_K] = []
    while len(chosen) < count:
        pick = weighted(rng, weights)
        if pick not in chosen:
            chosen.append(pick)
    return chosen


def demo_email(first: str, last: str) -> str:
    # Email addresses stay ASCII: "Tomás" becomes "tomas".
    plain = unicodedata.normalize("NFKD", f"{first}.{last}").encode("ascii", "ignore").decode()
    return f"{plain.lower()}@{DEMO_DOMAIN}"


def pseudonym(rng: random.Random, used: set[str | None]) -> str:
    """A client code not in `used` (which it joins), such as C-7KQ2."""
    for _ in range(1000):
        code = "C-" + "".join(rng.choice(PSEUDONYM_ALPHABET) for _ in range(4))
        if code not in used:
            used.add(code)
            return code
    raise CommandError("Ran out of unused client pseudonyms; widen the code first.")


def client_account(rng: random.Random, family: str, topic: str, task: str) -> str:
    """A client's flag: an opener of the moment's family (either, for a mixed one), mostly
    with an afterthought."""
    pool = CLIENT_OPENERS.get(family) or rng.choice(list(CLIENT_OPENERS.values()))
    parts = [rng.choice(pool).format(topic=topic, task=task)]
    if rng.random() < 0.85:
        parts.extend(rng.sample(CLIENT_AFTERTHOUGHTS, 2 if rng.random() < 0.25 else 1))
    text = " ".join(parts)
    return text[0].upper() + text[1:]


def therapist_account(rng: random.Random, family: str, topic: str, task: str) -> str:
    """A therapist's entry: what they saw, their own part or the context, maybe a plan."""
    parts = [rng.choice(THERAPIST_OBSERVATIONS[family]).format(topic=topic, task=task)]
    parts.append(rng.choice(THERAPIST_REFLECTIONS))
    if rng.random() < 0.5:
        parts.append(rng.choice(THERAPIST_PLANS).format(task=task))
    text = " ".join(parts)
    return text[0].upper() + text[1:]


def last_weekday_before(today: date, weekday: int) -> date:
    """The most recent `weekday` strictly before today (1 to 7 days ago)."""
    return today - timedelta(days=(today.weekday() - weekday - 1) % 7 + 1)


def before_now(moment: datetime, now: datetime) -> datetime:
    """`moment`, or a minute before `now` if it would be later.

    Generated follow-ups of the latest sessions may land after "now"; they are kept past.
    """
    return min(moment, now - timedelta(minutes=1))
