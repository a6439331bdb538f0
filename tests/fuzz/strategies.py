"""Hypothesis strategies for hostile input: what a careless client, a broken proxy or an
attacker might put in a form field, a query parameter or an htmx header.

A request is a list of (name, value) pairs rather than a dict, so a field can be missing,
sent once, or sent several times (a QueryDict with several values); a value is `str`, or
`bytes` for raw bytes that need not be UTF-8 at all.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import cache

from hypothesis import strategies as st

Value = str | bytes
Pairs = list[tuple[str, Value]]

# C0 and C1 control characters and DEL, NUL among them.
CONTROL = "".join(chr(c) for c in [*range(0x00, 0x20), 0x7F, *range(0x80, 0xA0)])

# Text that has broken other people's software: direction overrides and marks, zero-width
# and joiners, a byte-order mark, combining marks piled up, emoji sequences, non-characters,
# digits that are not ASCII digits (str.isdigit() says yes, int() may say no), and lookalikes.
UNICODE = [
    "\u202e\u202dreversed\u202c",
    "\u200f\u200eRTL mark",
    "\u0627\u0644\u0639\u0631\u0628\u064a\u0629",
    "zero\u200bwidth\u200c\u200d",
    "\ufeffBOM",
    "e\u0301\u0301\u0301\u0301\u0301\u0301\u0301",
    "Z\u0351\u036b\u0343\u036a\u0302\u036b\u033d\u034f\u0334\u0319\u0324\u031e\u0349",
    "\U0001f9e8\U0001f525",
    "\U0001f469\u200d\U0001f469\u200d\U0001f467",
    "\U0001f3f3\ufe0f\u200d\U0001f308",
    "\uffff\ufffe\ufffd",
    "\U0010ffff",
    "\u00b2",  # superscript two: isdigit() is True, int() raises
    "\u00b3\u00b9",
    "\u0661\u0662",  # Arabic-Indic 12: isdigit() and int() both accept it
    "\u216b",  # Roman numeral twelve
    "\uff11\uff12",  # full-width 12
    "\u0000",
    "\r\n\r\n",
    "\t",
    " ",
]

NUMBERS = [
    "0",
    "-1",
    "-0",
    "+5",
    " 5 ",
    "5.0",
    "1e3",
    "1e400",
    "0x10",
    "NaN",
    "inf",
    "-Infinity",
    "2147483648",
    "9223372036854775807",
    "9223372036854775808",
    "-9223372036854775809",
    "99999999999999999999999999999999",
    "1_000",
]

MARKUP = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "'; DROP TABLE repairs_rupture; --",
    "%00",
    "%s%s%s%n",
    "{{ 7*7 }}",
    "{% debug %}",
    "../../etc/passwd",
    "javascript:alert(1)",
    "//evil.example/",
    "http://[",
    "\\\\evil\\share",
]

# One character repeated past every limit: the form's (5000), a check-in comment's (280),
# and well beyond (100k).
HUGE = st.builds(
    lambda char, n: char * n,
    st.sampled_from(["x", "\u00e9", "\U0001f600", "\x00", "<", "9", " "]),
    st.sampled_from([281, 5001, 100_000]),
)


def numbers() -> st.SearchStrategy[str]:
    """Numbers as text, of the wrong kind or out of any range."""
    return st.one_of(
        st.sampled_from(NUMBERS),
        st.integers().map(str),
        st.integers(min_value=-(2**80), max_value=2**80).map(str),
        st.floats(allow_nan=True, allow_infinity=True).map(repr),
    )


# Values that have tripped parsers before, tried far more often than chance would: text
# that passes str.isdigit() but not int() ("²"), digits int() reads but a database integer
# cannot hold, numbers of the wrong kind, and a URL that urlsplit() refuses ("http://[").
TRAPS = [
    "",
    "\x00",
    "\u00b2",
    "\u0661\u0662",
    "\uff11\uff12",
    "\u216b",
    "-1",
    "0",
    "1.5",
    " 1",
    "1e400",
    "NaN",
    "9" * 25,
    "9" * 4301,  # int() refuses more than 4300 digits
    "9223372036854775808",
    "on",
    "true",
    "[]",
    "None",
    "http://[",
    "\u202e",
]


def hostile(ids: Sequence[str] = ()) -> st.SearchStrategy[Value]:
    """One hostile value. `ids` are real ids (the viewer's own objects and other people's),
    so forged references are tried as often as garbage."""
    return _hostile(tuple(ids))


@cache
def _hostile(ids: tuple[str, ...]) -> st.SearchStrategy[Value]:
    # A third traps, a third real ids, a third everything else.
    rest = st.one_of(
        numbers(),
        st.text(max_size=30),
        st.text(alphabet=CONTROL, min_size=1, max_size=12),
        st.sampled_from(UNICODE + MARKUP),
        HUGE,
        st.binary(min_size=1, max_size=16),
    )
    traps = st.sampled_from(TRAPS)
    return st.one_of(traps, st.sampled_from(list(ids)), rest) if ids else st.one_of(traps, rest)


@cache
def friendly_text() -> st.SearchStrategy[str]:
    """Free text a form should accept as it is (or politely refuse): any unicode, markup,
    exactly the limit, and the specials above."""
    return st.one_of(
        st.text(min_size=1, max_size=60),
        st.sampled_from(UNICODE + MARKUP),
        st.builds(lambda s: (s * 5000)[:5000], st.sampled_from(["a", "\u00e9\U0001f600 "])),
    )


def field_damage(valid: Sequence[str], ids: Sequence[str]) -> st.SearchStrategy[list[Value]]:
    """What happens to one field: missing, one hostile value, or several values (the valid
    one among hostile ones, or several hostile ones)."""
    some: st.SearchStrategy[Value] = (
        st.one_of(st.sampled_from(list(valid)), hostile(ids)) if valid else hostile(ids)
    )
    return st.one_of(
        st.just([]),
        st.lists(hostile(ids), min_size=1, max_size=1),
        st.lists(some, min_size=2, max_size=4),
    )


EXTRA_NAMES = st.one_of(
    st.sampled_from(["csrfmiddlewaretoken", "id", "pk", "author", "case", "version"]),
    st.text(max_size=12),
)


def payloads(
    fields: Mapping[str, Sequence[str]],
    ids: Sequence[str] = (),
    text_fields: frozenset[str] = frozenset(),
) -> st.SearchStrategy[Pairs]:
    """A form submission that starts from a valid one: up to three fields damaged (so most
    requests get past the first check and reach the code behind it), free-text fields with
    any text, perhaps fields nobody asked for, in any order."""
    names = sorted(fields)
    damage = {name: field_damage(fields[name], ids) for name in names}
    friendly = friendly_text()
    damaged_sets = (
        st.sets(st.sampled_from(names), max_size=min(3, len(names))) if names else st.just(set())
    )
    extras = st.lists(st.tuples(EXTRA_NAMES, hostile(ids)), max_size=2)

    @st.composite
    def build(draw: st.DrawFn) -> Pairs:
        damaged = draw(damaged_sets)
        pairs: Pairs = []
        for name in names:
            if name in damaged:
                values: Sequence[Value] = draw(damage[name])
            elif name in text_fields:
                values = [draw(friendly)]
            else:
                values = fields[name]
            pairs += [(name, value) for value in values]
        pairs += draw(extras)
        if len(pairs) > 1 and draw(st.booleans()):
            pairs = draw(st.permutations(pairs))
        return pairs

    return build()


LATIN1_TEXT = st.text(alphabet=st.characters(min_codepoint=0x20, max_codepoint=0xFF), max_size=40)


def htmx_headers(current_urls: Sequence[str]) -> st.SearchStrategy[dict[str, str]]:
    """Request headers: with or without HX-Request, and the other htmx headers the views
    read (the target, the page the request came from) set to real or hostile values."""
    current_url = st.one_of(
        st.sampled_from([*current_urls, "http://["]),
        st.sampled_from(
            [
                "http://[",
                "http://testserver:99999/",
                "http://testserver/sessions/99999999999999999999999/",
                "http://testserver/sessions/0/?x=1",
                "//testserver/sessions/1/",
                "http://evil.example/sessions/1/",
            ]
        ),
        LATIN1_TEXT,
    )
    optional = {
        "HTTP_HX_TARGET": st.one_of(
            st.sampled_from(["timeline-bar", "timeline-live", "slot-new", "main"]), LATIN1_TEXT
        ),
        "HTTP_HX_CURRENT_URL": current_url,
        "HTTP_HX_CURRENT_URL_URI_AUTOENCODED": st.just("true"),
        "HTTP_HX_TRIGGER": LATIN1_TEXT,
        "HTTP_X_REQUEST_ID": LATIN1_TEXT,
    }
    with_htmx = st.fixed_dictionaries(
        {"HTTP_HX_REQUEST": st.sampled_from(["true", "true", "false", "TRUE", ""])},
        optional=optional,
    )
    return st.one_of(st.just({}), with_htmx)
