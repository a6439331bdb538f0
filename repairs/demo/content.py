"""The demo's fixed lists: its people, the text pools accounts are drawn from, and the weights.

All fictional. Changing anything here changes the seeded data (texts are drawn by position),
which the demo's own tests and anyone comparing two seeded databases would notice.
"""

from __future__ import annotations

from repairs.codes import Cause, Family, Feeling, Strategy
from sessions.models import RespondentRole

# The demo practice's random seed; the bulk practice's texts use the next one.
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
CLIENT_OPENERS: dict[str, list[str]] = {
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
THERAPIST_OBSERVATIONS: dict[str, list[str]] = {
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

REPAIR_TEXTS: dict[str, list[str]] = {
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
STRATEGY_WEIGHTS: dict[str, dict[str, int]] = {
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
