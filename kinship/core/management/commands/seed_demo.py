"""Demo circles, people and conversations for `make run`: a site that looks lived in.

Every person and every word here is invented for Kinship's demo. Writes go through the
discussions services, so the demo obeys the same rules as real members; only the
timestamps are moved back afterwards so the conversations spread over the past weeks.
"""

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from kinship.accounts.models import TwoFactorDevice, User
from kinship.circles.models import Circle, Membership
from kinship.circles.services import recount_members
from kinship.discussions import services as discussions
from kinship.discussions.models import Post, Topic
from kinship.events import queries as event_queries
from kinship.events import services as events
from kinship.events.models import Event, Organisation
from kinship.journal import demo_checkins, demo_milestones
from kinship.library import demo as demo_library
from kinship.peers import demo_mentoring, demo_messages
from kinship.qa import services as qa
from kinship.qa.models import SpeakerProfile

DEMO_DOMAIN = "demo.kinship.local"
DEMO_PASSWORD = "kinship-demo-2026"  # noqa: S105 - published on purpose: demo accounts only  # nosec B105
# Staff and facilitators need two-step sign-in for their powers; the demo ones share this published key.
DEMO_TOTP_SECRET = "KINSHIPDEMOAUTHENTICATORKEY23456"  # noqa: S105 - demo accounts only  # nosec B105


@dataclass(frozen=True)
class Person:
    key: str
    display_name: str
    role: str
    bio: str
    diagnosis: str = ""
    surgery_type: str = ""
    body_site: str = ""
    months_since_surgery: int | None = None
    staff: bool = False

    @property
    def email(self) -> str:
        return f"{self.key}@{DEMO_DOMAIN}"


@dataclass(frozen=True)
class CircleSpec:
    slug: str
    name: str
    description: str
    guidelines: str
    facilitators: tuple[str, ...]
    members: tuple[str, ...]
    visibility: str = Circle.PUBLIC
    join_policy: str = Circle.OPEN
    pending: tuple[str, ...] = ()


@dataclass(frozen=True)
class Say:
    """One post: who writes it, the words, and who reacts to it."""

    author: str
    body: str
    anonymous: bool = False
    content_note: str = ""
    strength: tuple[str, ...] = ()
    me_too: tuple[str, ...] = ()
    celebrate: tuple[str, ...] = ()


@dataclass(frozen=True)
class Conversation:
    circle: str
    title: str
    opening: Say
    replies: tuple[Say, ...] = ()
    days_ago: float = 7
    pinned: bool = False


P, C = User.PATIENT, User.CAREGIVER

PEOPLE = (
    Person(
        "rosa",
        "Rosa (Kinship team)",
        P,
        "Community coordinator at Kinship. I look after the circles and the people who run them.",
        staff=True,
    ),
    Person(
        "marcus",
        "Marcus",
        P,
        "Osteosarcoma at 21, above-knee amputation, now 29. Cyclist, prosthetics nerd, facilitator.",
        "Osteosarcoma",
        "amputation",
        "Left femur",
        96,
    ),
    Person(
        "ingrid",
        "Ingrid",
        P,
        "Chondrosarcoma at 44. Hip and upper femur replaced six years ago. Gardener, slow walker, facilitator.",
        "Chondrosarcoma",
        "limb_salvage",
        "Right proximal femur",
        72,
    ),
    Person(
        "nadia",
        "Nadia",
        C,
        "Mum of Samir, treated for Ewing sarcoma at 15. He is 24 now and annoyingly healthy. Facilitator.",
    ),
    Person("tom", "Tom", C, "Dad of Elsie, who had a rotationplasty at 9. She is 13 now and faster than me."),
    Person(
        "maya",
        "Maya",
        P,
        "16. Knee replacement in the summer, back at school (sort of). Drawing, bad puns.",
        "Osteosarcoma",
        "limb_salvage",
        "Left distal femur",
        4,
    ),
    Person(
        "leo",
        "Leo",
        P,
        "19. Lost the lower leg, kept the sense of humour. Learning to walk again, properly this time.",
        "Osteosarcoma",
        "amputation",
        "Right tibia, below-knee",
        7,
    ),
    Person(
        "priya",
        "Priya",
        P,
        "27. Microprocessor knee since last year. Ask me about socket liners.",
        "Osteosarcoma",
        "amputation",
        "Left femur, above-knee",
        26,
    ),
    Person(
        "finn",
        "Finn",
        P,
        "20. Rotationplasty at 11, now studying sports science and running 10k. Happy to answer the weird questions.",
        "Osteosarcoma",
        "rotationplasty",
        "Left knee",
        108,
    ),
    Person(
        "amara",
        "Amara",
        P,
        "23. Ewing sarcoma in my pelvis; surgery and radiotherapy last year. Slowly getting my energy back.",
        "Ewing sarcoma",
        "other",
        "Pelvis",
        10,
    ),
    Person(
        "jonas",
        "Jonas",
        P,
        "17. Part of my fibula is gone and I'm told I won't miss it. Football, physics, sleep.",
        "Ewing sarcoma",
        "other",
        "Right fibula",
        5,
    ),
    Person(
        "daniel",
        "Daniel",
        P,
        "38. Shoulder replaced after a chondrosarcoma. Dad of two, learning to do everything left-handed.",
        "Chondrosarcoma",
        "limb_salvage",
        "Right proximal humerus",
        3,
    ),
    Person("claire", "Claire", C, "Mum of Ben (14), rotationplasty in the spring, and of his little sister Rosie."),
    Person("karim", "Karim", C, "Maya's dad. Chief driver, appointment keeper, learning to let go a bit."),
    Person("ruth", "Ruth", C, "Married to Daniel. Two kids, one good shoulder between us for lifting things."),
    Person("joe", "Joe", C, "Grandad of a boy starting treatment for osteosarcoma."),
    # A guest speaker: joins no circle, speaks at the physiotherapy seminar (example person).
    Person("sunita", "Sunita Rao", C, "Sarcoma physiotherapist. Here to answer your questions at our seminars."),
)

SPEAKER_QUESTIONS = (
    # (asker, question, anonymous, voters, answer)
    (
        "maya",
        "How soon after a distal femur replacement can I start cycling on a static bike?",
        False,
        ("daniel", "ruth", "amara"),
        "",
    ),
    (
        "daniel",
        "My knee still won't bend past 80 degrees at five months. Is it too late to gain more?",
        True,
        ("maya", "ruth"),
        "",
    ),
    ("ruth", "As a partner, how can I help with the exercises without nagging?", False, ("amara",), ""),
    (
        "amara",
        "Is it normal for the leg to swell after a physio session?",
        False,
        ("maya",),
        "Some swelling after exercise is common in the first year. **Elevate the leg** and ice it for 15 minutes. "
        "Swelling that is hot, red or painful, or that comes with a fever, is a reason to call your team the "
        "same day.",
    ),
)

_GUIDELINES = """\
1. **Be kind.** Everyone here is carrying something heavy, including on the days they are short with you.
2. **Share experience, not medical advice.** Say what worked for you; your team knows your case and decides.
3. **What is said here stays here.** Don't copy posts or names outside the circle.
4. **Use a content note** for hard things (scan results, relapse, grief, wounds) so others can choose when to read.
5. **Anonymous posts are welcome.** Other members won't see your name; the facilitators will.
6. **In a crisis, don't wait for a reply.** Facilitators read every day but not around the clock: use the
   helplines in the resource directory or call emergency services.
"""

CIRCLES = (
    CircleSpec(
        "osteosarcoma-young-adults",
        "Osteosarcoma: teens and young adults",
        "For people aged 13 to 30 living with or after osteosarcoma: chemo, surgery, getting back to school or "
        "work, friends, and your own plans. Parents have their own circle; this one is yours.",
        _GUIDELINES + "7. **Members here are young.** Keep it something you'd be fine with a 13-year-old reading.\n",
        facilitators=("marcus",),
        members=("maya", "leo", "priya", "finn"),
    ),
    CircleSpec(
        "amputation-prosthetics",
        "Amputation and prosthetics",
        "Living with an amputation after a bone tumour, at any stage: just decided, just home, or years in. "
        "Sockets, liners, phantom pain, funding, sport and everyday life.",
        _GUIDELINES,
        facilitators=("marcus",),
        members=("leo", "priya", "finn"),
    ),
    CircleSpec(
        "limb-salvage",
        "Limb salvage and endoprostheses",
        "For people whose limb was saved with an endoprosthesis, an allograft or both: physiotherapy, range of "
        "movement, living with the worry of infection or revision, and the long road back to everyday life.",
        _GUIDELINES,
        facilitators=("ingrid",),
        members=("maya", "daniel", "ruth", "amara"),
    ),
    CircleSpec(
        "caregivers-parents",
        "Caregivers and parents",
        "For the parents, partners, grandparents and friends who drive to appointments, sit in waiting rooms "
        "and lie awake at night. Your own needs count too.",
        _GUIDELINES,
        facilitators=("nadia",),
        members=("karim", "claire", "ruth", "tom"),
        join_policy=Circle.APPROVAL,
    ),
    CircleSpec(
        "ewing-sarcoma",
        "Ewing sarcoma",
        "People living with or after Ewing sarcoma of the bone, and those close to them: surgery, radiotherapy, "
        "fatigue, late effects and getting life back.",
        _GUIDELINES,
        facilitators=("nadia",),
        members=("amara", "jonas"),
    ),
    CircleSpec(
        "rotationplasty-families",
        "Rotationplasty families",
        "A private circle for children and young people who had a rotationplasty, and their families. Members "
        "only: ask a facilitator to join.",
        _GUIDELINES + "7. **Photos of children stay in this circle.** Never share them elsewhere.\n",
        facilitators=("tom",),
        members=("claire", "finn"),
        visibility=Circle.PRIVATE,
        join_policy=Circle.APPROVAL,
        pending=("joe",),
    ),
    CircleSpec(
        "facilitators-room",
        "Facilitators' room",
        "Where the people who run our circles plan, share the load and look after each other.",
        "What is said here stays here. Talk about situations, not about members by name, unless you need help "
        "with a safeguarding concern; then contact staff directly as well.",
        facilitators=("marcus", "ingrid", "nadia", "tom", "rosa"),
        members=(),
        visibility=Circle.HIDDEN,
        join_policy=Circle.INVITE,
    ),
)

CONVERSATIONS = (
    # --- Osteosarcoma: teens and young adults ---
    Conversation(
        "osteosarcoma-young-adults",
        "Crutches at school: what I wish I'd known in week one",
        Say(
            "maya",
            "Back at school since Monday, partial weight-bearing on my left leg for at least another "
            "month. Things that went wrong so far:\n\n"
            "- my backpack pulled me backwards on the stairs (twice)\n"
            "- the lift needs a key that only the office has\n"
            "- five minutes between lessons is **not** enough on crutches\n\n"
            "Anyone got tips? Especially for stairs and carrying stuff. And how you dealt with people staring "
            "in the corridor.",
            strength=("leo", "priya", "finn"),
        ),
        (
            Say(
                "leo",
                "Ask the school for a lift key and a pass to leave lessons five minutes early; mine gave me "
                "both once the hospital sent a letter. And a second set of textbooks to keep at home so the bag "
                "stays light.\n\nFor stairs my physio's line was *up with the good, down with the bad*: good leg "
                "leads going up, crutches and the operated leg lead going down.",
                me_too=("priya",),
            ),
            Say(
                "priya",
                "A small cross-body bag instead of a backpack changed everything for me. Rubber tips wear "
                "out faster than you think, and wet corridors are the worst, so check them every week.\n\n"
                'The staring gets less. I started saying "knee surgery, long story" and walking on, which '
                "saves energy for better things.",
                strength=("maya",),
            ),
            Say(
                "finn",
                "You're allowed to say no when people try to carry your bag or grab your arm on the "
                "stairs. They mean well but it throws your balance. Tell one friend what actually helps and let "
                "them be your spokesperson.",
                me_too=("maya", "leo"),
            ),
            Say(
                "marcus",
                "Great list, and great replies. Your hospital's teenage and young adult team can write "
                "to the school about exams too: extra time, a ground-floor room, a seat near the door. Worth "
                "asking before the mocks come round.",
            ),
        ),
        days_ago=12,
    ),
    Conversation(
        "osteosarcoma-young-adults",
        "Phantom pain at night: what actually helped you?",
        Say(
            "leo",
            "Seven months since the amputation. Days are mostly fine now, but most nights around 2am my "
            "foot (the one that isn't there) feels like it's being crushed, or like electric shocks going "
            "through the toes. It lasts maybe twenty minutes and then I can't get back to sleep.\n\n"
            "My team knows and we're adjusting things. But I'd like to hear what helped *you*, day to day. "
            "Nothing is too weird.",
            content_note="Describes phantom limb pain in some detail",
            strength=("priya", "marcus", "finn", "maya"),
        ),
        (
            Say(
                "priya",
                "Mirror therapy, honestly. I felt silly doing it, but ten minutes before bed made the "
                "nights calmer after a few weeks. My physio showed me how to set it up with a mirror box. Also "
                "keeping the residual limb warm; cold made mine worse.",
            ),
            Say(
                "marcus",
                "What helped me, all agreed with my team first:\n\n"
                "1. wearing the shrinker at night\n"
                "2. gentle massage and tapping on the residual limb as soon as it started\n"
                "3. having something to do at 2am that wasn't lying there waiting for the next shock "
                "(audiobooks, for me)\n\n"
                "It got much less frequent in the second year. It still visits occasionally.",
                strength=("leo",),
            ),
            Say(
                "finn",
                "Years on and I still get it sometimes, usually when I'm tired or it's cold. I've never "
                "said that out loud because I feel like I should be over it by now. Reading this thread helps.",
                anonymous=True,
                me_too=("priya", "leo"),
            ),
            Say(
                "leo",
                "Thank you, all of you. Tried the warm blanket plus audiobook thing last night and only "
                "woke once. Asking about mirror therapy at physio on Thursday.",
                celebrate=("marcus", "priya"),
            ),
        ),
        days_ago=20,
    ),
    Conversation(
        "osteosarcoma-young-adults",
        "Scans in three weeks and I can't think about anything else",
        Say(
            "maya",
            "My next chest CT and MRI are in three weeks. Everyone keeps saying the last ones were clear "
            "so these will be too, but I keep imagining the phone call. I'm snapping at my family and can't "
            "concentrate on anything.\n\nHow do you get through the weeks before scans? And the days waiting "
            "for results?",
            anonymous=True,
            content_note="Fear of relapse",
            strength=("priya", "leo", "finn", "marcus"),
        ),
        (
            Say(
                "priya",
                "Scanxiety is real and it doesn't mean something is wrong. What helps me:\n\n"
                "- I ask *when and how* I'll get the results before the scan, so I'm not checking my phone "
                "every hour\n"
                "- I plan something nice for the day after: cinema, food, anything\n"
                "- I tell my family it's scan month, so they know why I'm short with them",
                me_too=("leo",),
            ),
            Say(
                "leo",
                "I write the worries down the night before, literally a list, and then close the notebook. "
                "Sounds daft but it stops them going round and round. You're not alone in this.",
            ),
            Say(
                "marcus",
                "Thank you for posting this, whoever you are. Three weeks is a long time to carry it "
                "alone. If the worry stops you sleeping or eating, your clinical nurse specialist really does "
                "want to know; it's part of their job, not a bother. We're here on results day too.",
            ),
            Say(
                "maya",
                "Thank you. I asked the nurse: I'll get the results at clinic two days after the scan, not "
                "by phone. Knowing the date helps more than I expected.",
                anonymous=True,
                strength=("priya", "marcus"),
            ),
        ),
        days_ago=6,
    ),
    Conversation(
        "osteosarcoma-young-adults",
        "1 km on my new knee!",
        Say(
            "priya",
            "Today I walked a whole kilometre outside with my microprocessor knee and no stick. Uneven "
            "pavement, a kerb, the slope by the park. My physio walked next to me the whole way and didn't have "
            "to catch me once.\n\nTwo years ago I couldn't sit up in bed without help. Just wanted to tell "
            "people who get it.",
            celebrate=("maya", "finn", "leo", "marcus"),
        ),
        (
            Say(
                "maya",
                "This is huge!! Two years from that to a kilometre. Saving this for the days my knee won't bend.",
            ),
            Say("finn", "The kerb is the real boss level. Congratulations!"),
            Say("marcus", "Brilliant. Put it in your journal as a milestone; you'll love reading it back in a year."),
        ),
        days_ago=3,
    ),
    Conversation(
        "osteosarcoma-young-adults",
        "Friends who don't know what to say",
        Say(
            "maya",
            "Some of my friends have been amazing. Others just disappeared, or act like nothing "
            "happened, or make jokes about my leg that I'm supposed to laugh at. I don't even know what I want "
            "them to say. How did you handle it?",
            me_too=("leo", "finn"),
        ),
        (
            Say(
                "finn",
                "At your age I lost a couple of friends, and honestly some came back later, a bit "
                "embarrassed. Most people are scared of saying the wrong thing so they say nothing. What worked "
                'for me was giving them something concrete: "come over and watch a film", not "I\'m fine".',
            ),
            Say(
                "leo",
                "The jokes: you're allowed to tell them it's not funny *to you*. My mate stopped straight "
                "away when I did. He just hadn't thought.",
                strength=("maya",),
            ),
            Say(
                "priya",
                "You don't owe everyone the full story. I had a short version for acquaintances and a "
                "long one for the people who earned it.",
            ),
        ),
        days_ago=30,
    ),
    # --- Amputation and prosthetics ---
    Conversation(
        "amputation-prosthetics",
        "Welcome: introduce yourself here",
        Say(
            "marcus",
            "Hi, I'm Marcus, one of the facilitators here. Osteosarcoma at 21, above-knee amputation on "
            "the left, eight years of sockets, liners and bad gym playlists behind me.\n\n"
            "This circle is for anyone living with an amputation after a bone tumour, at any stage. Tell us as "
            "much or as little as you like: where you are in recovery, what you're working on, what you'd like "
            "to ask. Please read the guidelines, and remember: share experience, not medical advice.",
        ),
        (
            Say(
                "leo",
                "Leo, 19, below-knee on the right since the spring. First proper socket three months ago. "
                "Working on walking without looking at my feet.",
                strength=("marcus", "priya"),
            ),
            Say(
                "priya",
                "Priya, 27, above-knee on the left. Two years in, microprocessor knee since last year. I "
                "know far too much about liners, ask me anything.",
            ),
            Say(
                "finn",
                "Finn, 20. Not an amputation exactly: I had a rotationplasty at 11, so my ankle works as "
                "my knee. Here because a lot of the prosthetic questions are the same. Runner.",
                celebrate=("leo",),
            ),
        ),
        days_ago=90,
        pinned=True,
    ),
    Conversation(
        "amputation-prosthetics",
        "Socket fit changes every week: is this normal?",
        Say(
            "leo",
            "Some mornings the socket is fine, by the afternoon it's loose and I'm adding socks; other "
            "days it's tight and rubbing. My prosthetist says it's normal in the first year but it's driving me "
            "mad. How many socks is too many? When did yours settle?",
            me_too=("priya",),
        ),
        (
            Say(
                "priya",
                "Totally normal for me in year one; my residual limb kept shrinking for about ten months. "
                "I carried a little pouch of 1-ply and 3-ply socks everywhere. Once I was past about 10 ply my "
                "prosthetist made a new socket, so it's worth asking what their limit is.",
            ),
            Say(
                "marcus",
                "Heat, salty food and long days on your feet all change the volume. Keeping the shrinker "
                "on at night helped my mornings. And write your sock count down for a couple of weeks before "
                "your next appointment: prosthetists love data.",
                strength=("leo",),
            ),
            Say("leo", "Okay, the sock diary is a good idea. Starting today."),
        ),
        days_ago=9,
    ),
    Conversation(
        "amputation-prosthetics",
        "Dating after amputation",
        Say(
            "priya",
            "I haven't been on a date since my surgery. I'm fine with my body when I'm on my own, but "
            "the idea of explaining it to someone new, or taking the leg off in front of them, makes me want to "
            "stay in forever. Has anyone been through this? When did you tell people?",
            anonymous=True,
            content_note="Body image and intimacy",
            strength=("marcus", "finn"),
            me_too=("leo",),
        ),
        (
            Say(
                "marcus",
                "Yes. I told people in the second or third message, light and factual, and it filtered "
                "out the ones who'd have been a problem anyway. Taking the leg off in front of someone was far "
                "scarier in my head than in reality. The right person was more curious than anything.",
            ),
            Say("leo", "Not there yet myself, but reading this helps. Following."),
            Say(
                "finn",
                "My partner says the most attractive thing was that I didn't apologise for it. Easier said "
                "than done, I know. Go as slowly as you need.",
            ),
        ),
        days_ago=15,
    ),
    Conversation(
        "amputation-prosthetics",
        "Running blade: how I got the funding, and my first try",
        Say(
            "finn",
            "For anyone asking about sports prostheses: I finally got a running blade through a charity "
            "grant after my clinic said it wasn't covered. The application took two months and needed a letter "
            "from my prosthetist and a short statement about why running matters to me.\n\n"
            "First run on it was twenty metres of wobbling and then laughing. Third week: a slow kilometre. If "
            "you're trying to get one, ask your clinic and look under financial assistance in the resource "
            "directory. Happy to share what I wrote.",
            celebrate=("priya", "leo", "marcus"),
        ),
        (
            Say("priya", "Would love to see your statement! My clinic said the same thing."),
            Say("leo", "Twenty metres of wobbling sounds like my first week on the everyday leg. Goals."),
        ),
        days_ago=40,
    ),
    # --- Limb salvage and endoprostheses ---
    Conversation(
        "limb-salvage",
        "Shoulder endoprosthesis: how much movement came back for you?",
        Say(
            "daniel",
            "Three months since my proximal humerus was replaced (chondrosarcoma). I can reach my mouth "
            "and do up most buttons, but I can't lift my arm out to the side much at all, and the surgeon was "
            "honest that it may not change a lot.\n\nFor anyone with a shoulder replacement after tumour "
            "surgery: what came back for you, and when did it stop improving? Trying to work out what's "
            "realistic so I can adapt instead of waiting.",
        ),
        (
            Say(
                "ingrid",
                "Not a shoulder person myself (hip and femur), but on adapting rather than waiting: an "
                "occupational therapist was the best thing that happened to me. Ask for a referral if you haven't "
                "had one; they know every gadget and trick.",
                strength=("daniel",),
            ),
            Say(
                "ruth",
                "Speaking as Daniel's wife: he's too modest. Six weeks ago he couldn't hold a cup with that hand.",
                celebrate=("ingrid", "maya"),
            ),
            Say("daniel", "Ha. Fair. The OT referral is a good call; I'll ask at clinic next week."),
        ),
        days_ago=18,
    ),
    Conversation(
        "limb-salvage",
        "90 degrees!",
        Say(
            "maya",
            "Physio measured my knee bend today: **90 degrees**. Four months ago it was 20. It hurt, I "
            "cried a bit in the car on the way home, and then I had a massive hot chocolate.\n\nNext goal: "
            "getting on a normal bike at physio.",
            celebrate=("ingrid", "amara", "daniel", "ruth"),
        ),
        (
            Say("ingrid", "Wonderful. And the hot chocolate is part of the rehab protocol, I'm fairly sure."),
            Say(
                "amara",
                "Crying in the car after physio is a sport I also compete in. Congratulations!",
                me_too=("maya",),
            ),
            Say("daniel", "Brilliant. Celebrating from over here with a one-armed coffee."),
        ),
        days_ago=2,
    ),
    Conversation(
        "limb-salvage",
        "Living with the worry of infection after an endoprosthesis",
        Say(
            "ingrid",
            "A question that comes up a lot, so here's a thread for it. Infection around an "
            "endoprosthesis is something many of us worry about, years after surgery too. I had one eighteen "
            "months after my hip and femur were replaced, and needed a further operation.\n\n"
            "Please don't use this thread to diagnose yourself: your surgical team gives you the signs to act on "
            "and a number to ring, and if something seems off you ring it the same day. What this thread *is* "
            "for: how you live with the worry, how you keep that number handy, and what it was like if it "
            "happened to you.",
            content_note="Mentions infection and revision surgery",
        ),
        (
            Say(
                "daniel",
                "Useful. After reading this I put the ward number in my phone favourites and on a card in my wallet.",
            ),
            Say(
                "amara",
                "Mine got infected last year and I still panic whenever the scar feels warm. It helped to "
                'agree with my nurse exactly what counts as "ring us today", so I don\'t spiral every time.',
                anonymous=True,
                strength=("ingrid", "maya", "daniel"),
                me_too=("ruth",),
            ),
            Say("ingrid", "Thank you for sharing that. Agreeing a clear plan with your nurse is such a good idea."),
        ),
        days_ago=45,
    ),
    # --- Caregivers and parents ---
    Conversation(
        "caregivers-parents",
        "3am and I can't switch my head off",
        Say(
            "karim",
            "Maya's asleep, the house is quiet, and this is when it all comes. Scans next month. Whether "
            "she's doing too much at school. Whether I'm doing too much. Money. During the day I'm fine, I'm the "
            "practical one. At night I'm not.\n\nHow do other parents get through the nights?",
            content_note="Night-time worry",
            strength=("claire", "nadia", "ruth", "tom"),
            me_too=("claire",),
        ),
        (
            Say(
                "claire",
                'I could have written this. What helps me a bit: a notebook by the bed for the "must '
                "ring the school\" thoughts, so they're out of my head. And I stopped googling after 10pm. That "
                "one rule saved me.",
                strength=("karim",),
            ),
            Say(
                "nadia",
                "Karim, thank you for saying it out loud. Many of us were the practical one by day. It "
                "does get quieter, though scan months still shake me nine years on. Your GP can help with sleep, "
                "and the resource directory lists counselling for carers. There's no prize for doing it alone.",
            ),
            Say("ruth", "Sending you strength. The 3am club is bigger than you'd think."),
            Say(
                "tom",
                "Some nights I still stand at my daughter's door just to hear her breathing. Four years "
                "since her surgery. You're not alone.",
                anonymous=True,
                me_too=("karim", "claire"),
            ),
        ),
        days_ago=4,
    ),
    Conversation(
        "caregivers-parents",
        "Explaining rotationplasty to a younger sibling",
        Say(
            "claire",
            "Ben (14) had his rotationplasty in April. His sister Rosie is 8 and she's fascinated and a "
            'bit scared by his foot being where his knee was. She asked if his foot is "on backwards forever". '
            "How did you explain it to younger children? Any books or videos that helped?",
        ),
        (
            Say(
                "tom",
                "We used a doll and a lot of honesty: the poorly bone was taken out, and the leg was joined "
                "up shorter and turned round so the ankle can work like a knee inside the prosthesis. Elsie's "
                "little brother asked to see the foot wiggle a hundred times. Letting Rosie help with something "
                "small, like passing the liner, might take the fear away.",
                strength=("claire",),
            ),
            Say(
                "nadia",
                "Children often worry it could happen to them too. It helped in our house to say clearly "
                "that it isn't catching and that it isn't anyone's fault.",
            ),
            Say(
                "claire",
                "She asked Ben to show her the foot wiggle after dinner and they were both in stitches. "
                "Thank you both.",
                celebrate=("tom", "nadia", "karim"),
            ),
        ),
        days_ago=25,
    ),
    Conversation(
        "caregivers-parents",
        "Being the partner, not the nurse",
        Say(
            "ruth",
            "Daniel and I are a good team, but since his surgery I've been doing the dressings, the "
            "medication and the calendar, and I've noticed I've stopped being his wife in my own head. I feel "
            "guilty even writing this. Anyone else?",
            me_too=("karim",),
        ),
        (
            Say(
                "nadia",
                "Not guilty, human. One couple in our meetings had a rule: one evening a week with no "
                "talk of appointments at all. Another found that asking for a community nurse to do the dressings, "
                "even for a few weeks, gave them back a bit of normal.",
            ),
            Say(
                "karim",
                "Different relationship, same feeling. I miss being Maya's embarrassing dad instead of "
                "her appointment manager.",
            ),
        ),
        days_ago=35,
    ),
    Conversation(
        "caregivers-parents",
        "Money, work and the hospital car park",
        Say(
            "claire",
            "I've used up my leave, the hospital is an hour away and the parking alone costs a fortune. "
            "I feel awful even thinking about money when my child has been through this. Is there help with "
            "travel and parking? I don't know where to start.",
            anonymous=True,
            strength=("nadia", "tom"),
        ),
        (
            Say(
                "nadia",
                "Please don't feel awful; it's one of the most common worries here. Ask the hospital "
                "social worker or the young people's cancer team: many hospitals have free or reduced parking "
                "for families in long treatment, and there are grants for travel costs. The resource directory "
                "lists the financial assistance programmes we know. Your employer may also have carer's leave "
                "beyond annual leave.",
            ),
            Say(
                "tom",
                "We got a parking permit after asking three times. Keep asking. A travel grant paid for "
                "months of petrol too.",
            ),
        ),
        days_ago=14,
    ),
    # --- Ewing sarcoma ---
    Conversation(
        "ewing-sarcoma",
        "When did the tiredness lift after radiotherapy?",
        Say(
            "amara",
            "Ten months after my pelvic surgery and radiotherapy and I'm still exhausted by mid-afternoon. "
            "I've started a part-time course and need a nap after every class. Is this normal? When did your "
            "energy come back?",
            me_too=("jonas",),
        ),
        (
            Say(
                "jonas",
                "Only five months out but same. I do the hard stuff in the morning now and plan rest like "
                "it's an appointment.",
            ),
            Say(
                "nadia",
                "My son said it took him well over a year to feel like himself, with good and bad weeks. "
                "Mention it at your next follow-up: sometimes there's a fixable reason like anaemia or thyroid, "
                "and they'll want to check.",
            ),
            Say("amara", "Planning rest like an appointment: stealing that."),
        ),
        days_ago=22,
    ),
    Conversation(
        "ewing-sarcoma",
        "Back on the pitch (sort of)",
        Say(
            "jonas",
            "Went to football training for the first time since surgery. I'm not allowed to play matches "
            "yet so I did passing drills and ran the lines for twenty minutes. My ankle was sore after, but it "
            "felt so good to be there with the team.",
            celebrate=("amara", "nadia"),
        ),
        (
            Say("amara", "Twenty minutes of being normal is worth a lot. Well done!"),
            Say("nadia", "Lovely. Small steps with the team count."),
        ),
        days_ago=8,
    ),
    Conversation(
        "ewing-sarcoma",
        "Fertility questions no one mentioned",
        Say(
            "amara",
            "I was 22 and in a hurry to start chemo, so the fertility conversation lasted about five "
            "minutes. Now that I'm through treatment I keep wondering what it did, and I don't know who to ask "
            "or whether it's too late to ask. Has anyone been through this?",
            anonymous=True,
            content_note="Fertility and treatment side effects",
            strength=("nadia", "jonas"),
        ),
        (
            Say(
                "nadia",
                "It's never too late to ask. Your oncology team can refer you to a fertility clinic that "
                "works with people after cancer treatment, and many centres have a late-effects clinic that covers "
                "exactly this. Write your questions down beforehand; the appointment goes fast.",
            ),
            Say(
                "jonas",
                "I was offered sperm banking before chemo, but a friend of mine was never asked about "
                "anything. This should be talked about more.",
            ),
        ),
        days_ago=50,
    ),
    # --- Rotationplasty families (private) ---
    Conversation(
        "rotationplasty-families",
        "First prosthesis fitting next week",
        Say(
            "claire",
            "Ben gets his first proper prosthesis next week. He's excited and terrified. I'm just "
            "terrified. What should we expect from the first fitting, and the first weeks?",
        ),
        (
            Say(
                "finn",
                "From the patient side: the first fitting is mostly standing between parallel bars and "
                "feeling weird. The foot-as-knee thing clicks faster than you'd think. The first weeks were "
                "tiring and my skin needed toughening up, so short sessions and checking for red spots. By the "
                "third month I'd forgotten it wasn't \"normal\".",
                strength=("claire",),
            ),
            Say(
                "tom",
                "Bring snacks, a book and a lot of patience; fittings run long. And film a few seconds of "
                "his first steps. Elsie loves watching hers now.",
            ),
            Say(
                "claire",
                "Update: he walked the length of the bars twice and asked if he could play football next "
                'week. The prosthetist said "not next week".',
                celebrate=("finn", "tom"),
            ),
        ),
        days_ago=11,
    ),
    Conversation(
        "rotationplasty-families",
        "Swimming pool stares",
        Say(
            "tom",
            "Elsie wants to go swimming with her class. She's fine with her leg, but last summer some older "
            "kids stared and asked loud questions and it stayed with her. Any ideas for making pool days easier?",
        ),
        (
            Say(
                "finn",
                'At 13 I went with one friend who knew the deal, and I had a stock answer ready: "I had '
                "cancer in my leg, this is how they fixed it, it's actually really cool.\" Most kids stop at "
                "\"cool\". The ones who don't aren't worth the energy.",
                strength=("tom", "claire"),
            ),
            Say(
                "claire",
                "Ben's school let him change in the accessible changing room, which took the pressure "
                "off. Might be worth asking.",
            ),
        ),
        days_ago=28,
    ),
    # --- Facilitators' room (hidden) ---
    Conversation(
        "facilitators-room",
        "Checking in: how are we doing ourselves?",
        Say(
            "nadia",
            "The weeks before the holidays are always heavy in our circles: anniversaries, scans, and a lot "
            "of 3am posts. Before we plan the winter, how are you all doing? Facilitating doesn't make us "
            "immune.",
        ),
        (
            Say(
                "marcus",
                "Honestly, a bit tired. Two people in my circles had scans this month and I notice I "
                "carry it. Taking a weekend fully offline.",
                strength=("nadia", "ingrid", "rosa"),
            ),
            Say(
                "ingrid",
                "Good, mostly. My own check-up is in January and I'm a bit more anxious than usual. Glad "
                "we have this room.",
            ),
            Say(
                "rosa",
                "Thank you for being honest, all of you. A reminder that the supervision sessions with our "
                "counsellor are open to every facilitator, not only in a crisis. I'll send the January dates.",
            ),
        ),
        days_ago=7,
    ),
    Conversation(
        "facilitators-room",
        "Winter programme: physio Q&A, a social, and return to school",
        Say(
            "rosa",
            "Plans for the next two months, for comments:\n\n"
            "1. **Online Q&A with a sarcoma physiotherapist** in mid-January, for the limb salvage and amputation "
            "circles together\n"
            "2. **Winter social**, in person, step-free venue, caregivers welcome\n"
            "3. A **return-to-school evening** for teens and parents before the spring term\n\n"
            "Which would your circles come to, and what time works?",
        ),
        (
            Say("ingrid", "The Q&A please! Early evening works best for people who work."),
            Say("tom", "A social with a quiet room, please. Some of our kids get overwhelmed."),
            Say("marcus", "Return-to-school evening: the teens circle has been asking all term."),
        ),
        days_ago=16,
    ),
)


class Command(BaseCommand):
    help = "Load demo circles, members and conversations (password for every demo account: kinship-demo-2026)."
    # The demo loads right after migrate in `make run`; it needs the models, not the URL or admin checks.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--if-empty", action="store_true", help="Do nothing if any circle exists.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["if_empty"] and Circle.objects.exists():
            self.stdout.write("Circles already exist; demo data not loaded.")
            return
        with transaction.atomic():
            people = self._people()
            circles = self._circles(people)
            self._authenticators(people, circles)
            made = sum(self._conversation(conv, people, circles) for conv in CONVERSATIONS)
            planned = self._events(people, circles)
            self._speaker_questions(people)
            library = demo_library.seed(people, circles)
            demo_mentoring.seed(people, circles)
            demo_messages.seed(people, circles)
            demo_milestones.seed(people, circles)
            demo_checkins.seed(people, circles)
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo data: {len(circles)} circles, {len(people)} people, {made} new topics, {planned} new events, "
                f"{library['resources']} resources, {library['materials']} library items, {library['tips']} tips "
                f"(password for every @{DEMO_DOMAIN} account: {DEMO_PASSWORD})."
            )
        )

    def _people(self) -> dict[str, User]:
        now = timezone.now()
        # One hash for everyone: Argon2 is slow on purpose, and these accounts share a published password.
        password = make_password(DEMO_PASSWORD)
        people = {}
        for person in PEOPLE:
            surgery_date = None
            if person.months_since_surgery is not None:
                surgery_date = (now - dt.timedelta(days=30 * person.months_since_surgery)).date()
            user, _ = User.objects.get_or_create(
                email=person.email,
                defaults={
                    "display_name": person.display_name,
                    "role": person.role,
                    "bio": person.bio,
                    "password": password,
                    "diagnosis": person.diagnosis,
                    "surgery_type": person.surgery_type,
                    "body_site": person.body_site,
                    "surgery_date": surgery_date,
                    # A few share their recovery details with their circles; the rest keep the default.
                    "diagnosis_visibility": User.MY_CIRCLES if person.diagnosis else User.ONLY_ME,
                    "surgery_type_visibility": User.MY_CIRCLES if person.surgery_type else User.ONLY_ME,
                    "is_staff": person.staff,
                    "is_superuser": person.staff,
                    "email_verified_at": now,
                    "terms_accepted_at": now,
                    "terms_version": settings.TERMS_VERSION,
                    "date_joined": now - dt.timedelta(days=120),
                },
            )
            people[person.key] = user
        return people

    def _events(self, people: dict[str, User], circles: dict[str, Circle]) -> int:
        """Upcoming meetings, dated from today so the demo always has a calendar ahead."""
        if Event.objects.exists():
            return 0
        hospital, _ = Organisation.objects.get_or_create(
            name="Northgate Orthopaedic Hospital (example)",
            defaults={"kind": Organisation.HOSPITAL, "website": "https://hospital.example.org/"},
        )
        network, _ = Organisation.objects.get_or_create(
            name="Limb Difference Network (example)",
            defaults={"kind": Organisation.ADVOCACY, "website": "https://network.example.org/"},
        )
        today = timezone.localdate()

        def next_weekday(weekday: int, hour: int, minute: int = 0, weeks: int = 0) -> str:
            days = (weekday - today.weekday()) % 7 or 7
            day = today + dt.timedelta(days=days + 7 * weeks)
            return f"{day.isoformat()}T{hour:02d}:{minute:02d}"

        def plan(circle: str, host: str, start: str, minutes: int, **fields: Any) -> Event:
            begins = dt.datetime.fromisoformat(start)
            return events.create_event(
                facilitator=people[host],
                circle=circles[circle],
                timezone="Europe/London",
                starts_at=start,
                ends_at=(begins + dt.timedelta(minutes=minutes)).isoformat(),
                **fields,
            )

        tuesday = today + dt.timedelta(days=(1 - today.weekday()) % 7 or 7)
        first_tuesday = next(
            tuesday + dt.timedelta(weeks=w) for w in range(6) if (tuesday + dt.timedelta(weeks=w)).day <= 7
        )
        planned = [
            plan(
                "osteosarcoma-young-adults",
                "marcus",
                next_weekday(3, 19),
                60,
                title="Thursday evening check-in",
                description="An hour online to say how the week went. Cameras optional, pyjamas welcome.",
                in_person=False,
                online=True,
                meeting_link="https://meet.example.org/kinship-young-adults",
                rrule="FREQ=WEEKLY;BYDAY=TH",
            ),
            plan(
                "limb-salvage",
                "ingrid",
                f"{first_tuesday.isoformat()}T18:30",
                90,
                kind=Event.SEMINAR,
                title="Ask a sarcoma physiotherapist",
                description=(
                    "A physiotherapist from the sarcoma unit answers your questions on range of movement, "
                    "exercise after an endoprosthesis and when to push or rest. Send questions in advance."
                ),
                address="Lecture room 2, Northgate Orthopaedic Hospital (example address)",
                step_free=True,
                accessible_toilet=True,
                parking=True,
                accessibility_notes="Lift from the main entrance; blue-badge bays by door B.",
                online=True,
                meeting_link="https://meet.example.org/kinship-physio-qa",
                capacity=30,
                rrule="FREQ=MONTHLY;BYDAY=1TU;COUNT=6",
                partners=[hospital.pk],
            ),
            plan(
                "amputation-prosthetics",
                "marcus",
                next_weekday(5, 11, weeks=1),
                150,
                kind=Event.WORKSHOP,
                title="Liners and socket comfort workshop",
                description="Hands-on session with a prosthetist: liner care, sweat, volume changes and skin.",
                address="Community room, Limb Difference Network (example address)",
                step_free=True,
                accessible_toilet=True,
                capacity=12,
                partners=[network.pk],
            ),
            plan(
                "caregivers-parents",
                "nadia",
                next_weekday(5, 10, 30),
                90,
                title="Caregivers' coffee morning",
                description="Coffee, cake and an hour that is about you. Join in the café or online.",
                address="Garden café, Northgate Orthopaedic Hospital (example address)",
                step_free=True,
                online=True,
                meeting_link="https://meet.example.org/kinship-caregivers",
                rrule="FREQ=WEEKLY;INTERVAL=2;COUNT=10",
            ),
            plan(
                "ewing-sarcoma",
                "nadia",
                next_weekday(6, 11, weeks=2),
                180,
                kind=Event.OUTING,
                title="Canal-side walk and lunch",
                description="A flat, step-free 2 km walk at the pace of the slowest, then lunch. Benches every 300 m.",
                address="Meet at the lock-keeper's cottage (example address)",
                step_free=True,
                accessible_toilet=True,
                parking=True,
                capacity=15,
            ),
            plan(
                "rotationplasty-families",
                "tom",
                next_weekday(6, 14, weeks=1),
                120,
                kind=Event.SOCIAL,
                title="Family games afternoon",
                description="Board games, crafts and a corner for the grown-ups to talk.",
                address="Play room, Northgate Orthopaedic Hospital (example address)",
                step_free=True,
                accessible_toilet=True,
            ),
            plan(
                "facilitators-room",
                "rosa",
                next_weekday(0, 20),
                60,
                title="Facilitators' monthly debrief",
                description="How are your circles, and how are you?",
                in_person=False,
                online=True,
                meeting_link="https://meet.example.org/kinship-facilitators",
                rrule="FREQ=MONTHLY;COUNT=12",
            ),
        ]
        going = {
            "Thursday evening check-in": ("maya", "leo", "priya"),
            "Ask a sarcoma physiotherapist": ("maya", "daniel", "ruth"),
            "Liners and socket comfort workshop": ("leo", "finn"),
            "Caregivers' coffee morning": ("karim", "claire"),
        }
        for event in planned:
            first = event_queries.next_slot(event)
            for key in going.get(event.title, ()):
                if first is not None:
                    events.rsvp(member=people[key], event=event, original_start=first.original_start, answer="going")
        return len(planned)

    def _speaker_questions(self, people: dict[str, User]) -> None:
        """A verified guest speaker at the physiotherapy seminar, with questions waiting and one answered."""
        seminar = Event.objects.filter(title="Ask a sarcoma physiotherapist").first()
        if seminar is None or seminar.questions.exists():
            return
        speaker = people["sunita"]
        SpeakerProfile.objects.get_or_create(
            user=speaker,
            defaults={
                "profession": "Physiotherapist",
                "organisation": "Northgate Orthopaedic Hospital (example)",
                "verified_at": timezone.now(),
                "verified_by": people["rosa"],
                "verification_note": "Example entry: registration checked with the professional register.",
            },
        )
        seminar.speakers.add(speaker)
        for asker, body, anonymous, voters, answer in SPEAKER_QUESTIONS:
            question = qa.ask(author=people[asker], event=seminar, body=body, anonymous=anonymous)
            for voter in voters:
                qa.vote(member=people[voter], question=question)
            if answer:
                qa.answer(answerer=speaker, question=question, body=answer)

    def _authenticators(self, people: dict[str, User], circles: dict[str, Circle]) -> None:
        """Staff and facilitators get a confirmed authenticator with the demo key, so their tools work."""
        leads = set(
            Membership.objects.filter(
                circle__in=circles.values(), role=Membership.FACILITATOR, status=Membership.ACTIVE
            ).values_list("user_id", flat=True)
        )
        for user in people.values():
            if user.is_staff or user.pk in leads:
                device, _ = TwoFactorDevice.objects.get_or_create(
                    user=user, defaults={"secret": DEMO_TOTP_SECRET, "confirmed_at": timezone.now()}
                )
                user.two_factor = device

    def _circles(self, people: dict[str, User]) -> dict[str, Circle]:
        now = timezone.now()
        circles = {}
        for spec in CIRCLES:
            circle, _ = Circle.objects.get_or_create(
                slug=spec.slug,
                defaults={
                    "name": spec.name,
                    "description": spec.description,
                    "guidelines": spec.guidelines,
                    "visibility": spec.visibility,
                    "join_policy": spec.join_policy,
                    "created_by": people["rosa"],
                },
            )
            circles[spec.slug] = circle
            roles = [(k, Membership.FACILITATOR, Membership.ACTIVE) for k in spec.facilitators]
            roles += [(k, Membership.MEMBER, Membership.ACTIVE) for k in spec.members]
            roles += [(k, Membership.MEMBER, Membership.PENDING) for k in spec.pending]
            for key, role, status in roles:
                Membership.objects.get_or_create(
                    circle=circle,
                    user=people[key],
                    defaults={"role": role, "status": status, "guidelines_accepted_at": now},
                )
        recount_members(circles.values())
        return circles

    def _conversation(self, conv: Conversation, people: dict[str, User], circles: dict[str, Circle]) -> int:
        """Start the topic, post its replies and reactions; 0 if a topic with this title is already there."""
        circle = circles[conv.circle]
        if Topic.objects.filter(circle=circle, title=conv.title).exists():
            return 0
        opening = conv.opening
        topic = discussions.start_topic(
            author=people[opening.author],
            circle=circle,
            title=conv.title,
            body=opening.body,
            anonymous=opening.anonymous,
            content_note=opening.content_note,
        )
        posts = [(Post.objects.get(topic=topic, is_opening=True), opening)]
        for say in conv.replies:
            reply = discussions.post_reply(
                author=people[say.author],
                topic=topic,
                body=say.body,
                anonymous=say.anonymous,
                content_note=say.content_note,
            )
            posts.append((reply, say))
        for post, say in posts:
            for kind, keys in (("strength", say.strength), ("me_too", say.me_too), ("celebrate", say.celebrate)):
                for key in keys:
                    discussions.react(member=people[key], post=post, kind=kind)
        if conv.pinned:
            moderator = people[next(s.facilitators[0] for s in CIRCLES if s.slug == conv.circle)]
            discussions.moderate_topic(moderator=moderator, topic=topic, changes={"pinned": True})
        self._spread_over_time(topic, [post for post, _ in posts], conv.days_ago)
        return 1

    @staticmethod
    def _spread_over_time(topic: Topic, posts: list[Post], days_ago: float) -> None:
        """Move the conversation back in time: replies a few hours apart, never in the future."""
        now = timezone.now()
        start = now - dt.timedelta(days=days_ago)
        gap = min(dt.timedelta(hours=7), (now - start) / (len(posts) + 1))
        stamps = [start + gap * i for i in range(len(posts))]
        for post, stamp in zip(posts, stamps, strict=True):
            Post.objects.filter(pk=post.pk).update(created_at=stamp)
        Topic.objects.filter(pk=topic.pk).update(created_at=stamps[0], last_activity_at=stamps[-1])
