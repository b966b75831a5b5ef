"""The authorization matrix: who gets which answer from every page and API operation (issue 8).

Each entry gives, for each place an object can live, one code per role in the order of ROLES:

    visitor  outsider  pending  member  other-lead  facilitator  staff

Places: "public", "private", "hidden" (the object sits in a circle of that visibility) or "site"
(not in a circle: the caller's own things, the directory, staff tools). Roles are the circle's own
people for a circle place and the public circle's people for "site"; "outsider" belongs to no
circle, "other-lead" facilitates a circle of their own, staff have two-step sign-in on.

Codes (several joined by "|" mean any of them is right):

    ok      200 (GET), or any answer below 500 on a write the role may make (the empty body may be refused)
    login   pages: a redirect to the sign-in page; API: 401
    404     "no such thing" — the role must not learn it exists
    deny    any 4xx: the role may know the thing exists but may not do this
    NNN     exactly that status (302 is a redirect anywhere but the sign-in page)
    any     anything below 500 (link tokens and the like, whose answer does not depend on a role)

Rules (/work/shared/DESIGN.md): a private or hidden circle's content is for its active members,
facilitators and staff; a hidden circle's existence too (an applicant who used the invitation link
knows it); a pending member is not yet a member; journals are their owner's only, staff included;
messages are for their two participants. Writes of someone who may not write must never answer 2xx,
and must change nothing.
"""

from typing import Final

ROLES: Final = ("visitor", "outsider", "pending", "member", "other-lead", "facilitator", "staff")
CIRCLE_PLACES: Final = ("public", "private", "hidden")

Spec = dict[str, str]


def site(codes: str) -> Spec:
    return {"site": codes}


def circle(public: str, private: str, hidden: str | None = None) -> Spec:
    return {"public": public, "private": private, "hidden": hidden if hidden is not None else private}


ALL = "ok ok ok ok ok ok ok"
SIGNED_IN = "login ok ok ok ok ok ok"
STAFF_ONLY = "login deny deny deny deny deny ok"
LEADERS = "login deny deny deny ok ok ok"  # facilitators of any circle, and staff
PARTICIPANTS_AND_STAFF = "login 404 404 ok 404 ok ok"  # a mentorship: staff look too (audited)
MENTORSHIP_WRITE = "login 404 404 ok 404 ok deny"  # staff look but do not act for the two
OWNER = "login 404 404 ok 404 404 404"  # the member's own journal things, staff included
PARTICIPANTS = "login 404 404 ok 404 ok 404"  # member and facilitator are the two participants
ANY = "any any any any any any any"
GET_405 = "login|405 405 405 405 405 405 405"  # a page that only takes POST

# Circle-placed patterns.
CIRCLE_INFO = circle(ALL, ALL, "login|404 404 ok ok 404 ok ok")
# Visitors read no topics: a sign-in prompt or "no such thing" are both right.
CONTENT_READ = circle("login|404 ok ok ok ok ok ok", "login|404 404 404 ok 404 ok ok")
# The same, where the answer is a redirect to the topic (a post's own address).
POST_READ = circle("login|404 302 302 302 302 302 302", "login|404 404 404 302 404 302 302")
# Things of the circle reached by its slug: a private circle is listed, so refusing is enough there.
SLUG_READ = circle(ALL, "login|deny deny deny ok deny ok ok", "login|404 404 deny ok 404 ok ok")
EVENT_READ = circle(ALL, "login|404 404 404 ok 404 ok ok")
CONTENT_WRITE = circle("login deny deny ok deny ok ok", "login|404 404 404 ok 404 ok ok")
# Starting something in a circle (staff lead no circle of their own: they act in the admin).
SLUG_WRITE = circle(
    "login deny deny ok deny ok deny|ok",
    "login|deny deny deny ok deny ok deny|ok",
    "login|404 404 deny ok 404 ok deny|ok",
)
# A facilitator's page or action on the circle itself (slug in the path): the circle's existence is
# no secret except for a hidden one.
CIRCLE_LEAD = circle(
    "login deny deny deny deny ok ok", "login deny deny deny deny ok ok", "login|404 404 deny deny 404 ok ok"
)
# A facilitator's page or action on something inside the circle.
OBJECT_LEAD = circle("login deny deny deny deny ok ok", "login|404 404 404 deny 404 ok ok")
CIRCLE_GET_405 = circle(GET_405, GET_405)

# Pages, by URL name: GET. Paths come from the URL patterns with the world's objects filled in.
PAGES: Final[dict[str, Spec]] = {
    "core:home": site(ALL),
    "core:terms": site(ALL),
    "core:privacy": site(ALL),
    "core:healthz": site(ALL),
    "core:floor": site(ALL),
    "accounts:signup": site("ok 302 302 302 302 302 302"),
    "accounts:verify-sent": site(ANY),
    "accounts:verify": site(ANY),
    "accounts:login": site(ANY),
    "accounts:login-code": site(ANY),
    "accounts:logout": site(ANY),
    "accounts:password-reset": site(ANY),
    "accounts:password-reset-done": site(ANY),
    "accounts:password-reset-confirm": site(ANY),
    "accounts:password-reset-complete": site(ANY),
    "accounts:profile-edit": site(SIGNED_IN),
    "accounts:password-change": site(SIGNED_IN),
    "accounts:email-change": site(SIGNED_IN),
    "accounts:sessions": site(SIGNED_IN),
    "accounts:session-end": site(GET_405),
    "accounts:two-factor": site(SIGNED_IN),
    "accounts:two-factor-start": site(GET_405),
    "accounts:two-factor-setup": site("login ok|302 ok|302 ok|302 ok|302 ok|302 ok|302"),
    "accounts:two-factor-codes": site("login ok|302 ok|302 ok|302 ok|302 ok|302 ok|302"),
    "accounts:two-factor-renew": site(GET_405),
    "accounts:two-factor-off": site(GET_405),
    "accounts:email-confirm": site(ANY),
    # The circle's member's profile: for people who share a circle with them, and staff.
    "accounts:profile": circle("login 404 404 ok 404 ok ok", "login 404 404 ok 404 ok ok"),
    "data_rights:data": site(SIGNED_IN),
    "data_rights:data-download": site(GET_405),
    "data_rights:delete": site(SIGNED_IN),
    "circles:circle-list": site(ALL),
    "circles:circle-create": site(STAFF_ONLY),
    "circles:circle-detail": CIRCLE_INFO,
    "circles:circle-edit": CIRCLE_LEAD,
    # A confirmation form for those who may join; members are sent to the circle.
    "circles:circle-join": circle(
        "login ok 302 302 ok 302 ok", "login ok 302 302 ok 302 ok", "login|404 404 302 302 404 302 deny"
    ),
    "circles:circle-leave": CIRCLE_GET_405,
    "circles:invite-regenerate": CIRCLE_GET_405,
    "circles:member-list": circle(
        "login deny deny ok deny ok ok", "login deny deny ok deny ok ok", "login|404 404 deny ok 404 ok ok"
    ),
    "circles:member-action": CIRCLE_GET_405,
    "circles:invite-join": circle(ANY, ANY),
    "discussions:topic-create": SLUG_WRITE,
    "discussions:topic-detail": CONTENT_READ,
    "discussions:reply-create": CIRCLE_GET_405,
    "discussions:topic-moderate": CIRCLE_GET_405,
    "discussions:post-detail": POST_READ,
    "discussions:post-edit": OBJECT_LEAD,
    "discussions:post-delete": OBJECT_LEAD,
    "discussions:post-react": CIRCLE_GET_405,
    "discussions:post-hide": CIRCLE_GET_405,
    "events:circle-calendar": SLUG_READ,
    "events:event-create": CIRCLE_LEAD,
    "events:circle-attendance": CIRCLE_LEAD,
    "events:member-attendance": CIRCLE_LEAD,
    "events:circle-feed": EVENT_READ,
    "events:event-detail": EVENT_READ,
    "events:event-edit": OBJECT_LEAD,
    "events:event-cancel": OBJECT_LEAD,
    "events:occurrence-detail": EVENT_READ,
    "events:rsvp-update": CIRCLE_GET_405,
    "events:occurrence-edit": OBJECT_LEAD,
    "events:attendance": OBJECT_LEAD,
    "events:calendar-settings": site(SIGNED_IN),
    "events:member-feed": site(ANY),
    "qa:questions": CONTENT_READ,
    "qa:board": CONTENT_READ,
    "qa:stream": CONTENT_READ,
    "qa:vote": CIRCLE_GET_405,
    "qa:moderate": OBJECT_LEAD,
    "qa:answer": OBJECT_LEAD,
    "qa:speakers": OBJECT_LEAD,
    "qa:invitation-revoke": CIRCLE_GET_405,
    "qa:accept": site(ANY),
    "qa:speaker-profile": site(SIGNED_IN),
    "qa:verification": site(STAFF_ONLY),
    "qa:verify": site(GET_405),
    "library:resource-list": site(ALL),
    "library:resource-new": site(LEADERS),
    "library:resource-export": site(LEADERS),
    "library:resource-import": site(LEADERS),
    "library:resource-detail": site(ALL),
    "library:resource-edit": site(LEADERS),
    "library:resource-review": site(GET_405),
    "library:resource-stale": site(LEADERS),
    "library:material-list": site(ALL),
    "library:material-new": site(LEADERS),
    "library:material-detail": site(ALL),
    "library:material-file": site(ALL),
    "library:material-edit": site(LEADERS),
    "library:material-unpublish": site(GET_405),
    "library:material-publish": site(GET_405),
    "library:tip-list": site(ALL),  # visitors get a sign-in prompt and no tips
    "library:tip-detail": site(SIGNED_IN),
    "library:tip-helpful": site(GET_405),
    "library:tip-feature": site(GET_405),
    "library:tip-hide": site(GET_405),
    # The tip is the member's: only its author edits it (staff hide it instead).
    "library:tip-edit": site("login deny deny ok deny deny deny"),
    "library:tip-delete": site("login deny deny ok deny deny deny"),
    "library:referral-list": site(SIGNED_IN),
    "library:referral-dashboard": site(LEADERS),
    "library:referral-new": site(LEADERS),
    # A referral of the circle's member by its facilitator: the two of them, and staff.
    "library:referral-detail": circle("login 404 404 ok 404 ok ok", "login 404 404 ok 404 ok ok"),
    "search:search": site(ALL),
    "peers:mentoring": site(SIGNED_IN),
    "peers:mentor-apply": site(SIGNED_IN),
    "peers:mentor-find": site(SIGNED_IN),
    "peers:mentor-request": site(GET_405),
    # The member asked the mentor (who is the facilitator): the two of them only.
    "peers:mentorship-detail": site(PARTICIPANTS_AND_STAFF),
    "peers:mentoring-staff": site(STAFF_ONLY),
    "peers:inbox": site(SIGNED_IN),
    # A new conversation with the member: people who share a circle with them (the facilitator already has one).
    "peers:conversation-new": site("login deny deny deny deny 302 deny"),
    "peers:conversation": site(PARTICIPANTS),
    "peers:message-report": site("login 404 404 ok 404 404 404"),  # the facilitator wrote it
    "peers:block": site(GET_405),
    "peers:message-reports": site(STAFF_ONLY),
    "peers:message-report-detail": site(STAFF_ONLY),
    "journal:milestones": site(SIGNED_IN),
    "journal:milestone-detail": site(OWNER),
    "journal:milestone-delete": site(GET_405),
    "journal:milestone-share": site(GET_405),
    "journal:milestone-unshare": site(GET_405),
    "journal:goals": site(SIGNED_IN),
    "journal:goal-detail": site(OWNER),
    "journal:goal-update": site(GET_405),
    "journal:goal-done": site(GET_405),
    "journal:goal-delete": site(GET_405),
    "journal:checkins": site(SIGNED_IN),
    "journal:checkin-new": site(SIGNED_IN),
    "journal:checkin-detail": site(OWNER),
    "journal:checkin-delete": site(GET_405),
    "journal:support-request": site(GET_405),
    "journal:sharing": site(SIGNED_IN),
    "journal:sharing-revoke": site(GET_405),
    "journal:support-acknowledge": CIRCLE_GET_405,
    # Shared summaries are for the circle's facilitators; staff see no one's journal.
    "journal:circle-wellbeing": circle(
        "login 404 404 404 404 ok 404", "login 404 404 404 404 ok 404", "login 404 404 404 404 ok 404"
    ),
    "journal:home": site(SIGNED_IN),
    "journal:progress": site(SIGNED_IN),
    "notifications:preferences": site(SIGNED_IN),
    "notifications:unsubscribe": site(ANY),
    "notifications:notices": site(SIGNED_IN),
    "notifications:notices-read": site(GET_405),
    "crisis:circle-alerts": CIRCLE_LEAD,
    "crisis:alert-acknowledge": CIRCLE_GET_405,
    "safety:post-report": circle(  # the facilitator wrote the post
        "login|404 ok ok ok ok 404 ok", "login|404 404 404 ok 404 404 ok"
    ),
    "safety:post-moderate": OBJECT_LEAD,
    "safety:person-report": site("login 404 404 404 404 ok ok"),  # of the member
    "safety:circle-queue": CIRCLE_LEAD,
    "safety:site-queue": site(STAFF_ONLY),
    "safety:report-decide": site("login deny deny deny deny ok ok"),  # in the public circle
    "safety:person-moderate": site(STAFF_ONLY),
    # The API feed takes no session: a calendar app brings a token, so private calendars are 404.
    "api-circle-feed": circle(ALL, "404 404 404 404 404 404 404"),
    "api-member-feed": site(ANY),
    "api:openapi-json": site(ALL),
    "api:openapi-view": site(ALL),
    "api:api-root": site(ANY),
    "api:unknown_path": site("404 404 404 404 404 404 404"),
}

# URL patterns left out, and why.
EXCLUDED_PATTERNS: Final[dict[str, str]] = {
    "admin/": "Django's admin: staff only by Django's own check; walked by the admin tests",
    "^media/": "avatars and partner logos, public files by design; no circle content is ever stored there",
}

# Page writes (POST, empty form) on things inside circles: nobody who may not act gets a 2xx or a
# change, and nobody outside a private or hidden circle learns its things exist.
PAGE_WRITES: Final[dict[str, Spec]] = {
    "circles:circle-edit": CIRCLE_LEAD,
    "circles:circle-join": circle(
        "login ok ok ok ok ok ok", "login ok ok ok ok ok ok", "login|404 404 ok ok 404 ok ok"
    ),
    "circles:circle-leave": circle(
        "login ok ok ok ok ok ok", "login ok ok ok ok ok ok", "login|404 404 ok ok 404 ok ok"
    ),
    "circles:invite-regenerate": CIRCLE_LEAD,
    "circles:member-action": CIRCLE_LEAD,
    "discussions:topic-create": SLUG_WRITE,
    "discussions:reply-create": CONTENT_WRITE,
    "discussions:topic-moderate": OBJECT_LEAD,
    "discussions:post-edit": OBJECT_LEAD,
    "discussions:post-delete": OBJECT_LEAD,
    "discussions:post-react": CONTENT_WRITE,
    "discussions:post-hide": OBJECT_LEAD,
    "events:event-create": CIRCLE_LEAD,
    "events:event-edit": OBJECT_LEAD,
    "events:event-cancel": OBJECT_LEAD,
    "events:rsvp-update": CONTENT_WRITE,
    "events:occurrence-edit": OBJECT_LEAD,
    "events:attendance": OBJECT_LEAD,
    "qa:questions": CONTENT_WRITE,
    "qa:vote": CONTENT_WRITE,
    "qa:moderate": OBJECT_LEAD,
    "qa:answer": OBJECT_LEAD,
    "qa:speakers": OBJECT_LEAD,
    "qa:invitation-revoke": OBJECT_LEAD,
    "library:referral-detail": circle("login 404 404 ok 404 ok ok", "login 404 404 ok 404 ok ok"),
    "journal:support-acknowledge": circle(
        "login 404 404 404 404 ok 404", "login 404 404 404 404 ok 404", "login 404 404 404 404 ok 404"
    ),
    "crisis:alert-acknowledge": circle(
        "login 404 404 404 404 ok 404|ok", "login 404 404 404 404 ok 404|ok", "login 404 404 404 404 ok 404|ok"
    ),
    "safety:post-report": PAGES["safety:post-report"],
    "safety:post-moderate": OBJECT_LEAD,
}

# API operations, "METHOD /path" as in /api/v1/openapi.json.
API: Final[dict[str, Spec]] = {
    "POST /api/v1/auth/signup": site(ANY),
    "POST /api/v1/auth/verify": site(ANY),
    "POST /api/v1/auth/token": site(ANY),
    "POST /api/v1/auth/logout": site(SIGNED_IN),
    "GET /api/v1/me": site(SIGNED_IN),
    "PATCH /api/v1/me": site(SIGNED_IN),
    "DELETE /api/v1/me": site("login deny deny deny deny deny deny"),
    "POST /api/v1/me/two-factor": site(SIGNED_IN),
    "DELETE /api/v1/me/two-factor": site("login deny deny deny deny deny deny"),
    "POST /api/v1/me/two-factor/confirm": site("login deny deny deny deny deny deny"),
    "GET /api/v1/me/export": site(SIGNED_IN),
    "GET /api/v1/circles": site(ALL),
    "POST /api/v1/circles": site(STAFF_ONLY),
    "GET /api/v1/circles/{slug}": CIRCLE_INFO,
    "PATCH /api/v1/circles/{slug}": CIRCLE_LEAD,
    "POST /api/v1/circles/{slug}/join": PAGE_WRITES["circles:circle-join"],
    "POST /api/v1/circles/{slug}/leave": PAGE_WRITES["circles:circle-leave"],
    "GET /api/v1/circles/{slug}/members": PAGES["circles:member-list"],
    "POST /api/v1/circles/{slug}/members/{user_id}/approve": CIRCLE_LEAD,
    "POST /api/v1/circles/{slug}/members/{user_id}/remove": CIRCLE_LEAD,
    "POST /api/v1/circles/{slug}/members/{user_id}/role": CIRCLE_LEAD,
    "GET /api/v1/circles/{slug}/topics": CONTENT_READ,
    "POST /api/v1/circles/{slug}/topics": SLUG_WRITE,
    "GET /api/v1/topics/{topic_id}": CONTENT_READ,
    "PATCH /api/v1/topics/{topic_id}": OBJECT_LEAD,
    "GET /api/v1/topics/{topic_id}/replies": CONTENT_READ,
    "POST /api/v1/topics/{topic_id}/replies": CONTENT_WRITE,
    "PATCH /api/v1/posts/{post_id}": OBJECT_LEAD,
    "DELETE /api/v1/posts/{post_id}": OBJECT_LEAD,
    "PUT /api/v1/posts/{post_id}/reactions/{kind}": CONTENT_WRITE,
    "DELETE /api/v1/posts/{post_id}/reactions/{kind}": CONTENT_WRITE,
    "GET /api/v1/circles/{slug}/events": EVENT_READ,
    "POST /api/v1/circles/{slug}/events": CIRCLE_LEAD,
    "GET /api/v1/events/{event_id}": EVENT_READ,
    "PATCH /api/v1/events/{event_id}": OBJECT_LEAD,
    "POST /api/v1/events/{event_id}/cancel": OBJECT_LEAD,
    "GET /api/v1/events/{event_id}/occurrences": EVENT_READ,
    "GET /api/v1/events/{event_id}/occurrences/{key}": EVENT_READ,
    "PATCH /api/v1/events/{event_id}/occurrences/{key}": OBJECT_LEAD,
    "PUT /api/v1/events/{event_id}/rsvp": CONTENT_WRITE,
    "GET /api/v1/events/{event_id}/occurrences/{key}/attendees": OBJECT_LEAD,
    "PUT /api/v1/events/{event_id}/occurrences/{key}/attendance": OBJECT_LEAD,
    "GET /api/v1/events/{event_id}/questions": CONTENT_READ,
    "POST /api/v1/events/{event_id}/questions": CONTENT_WRITE,
    "PUT /api/v1/questions/{question_id}/vote": CONTENT_WRITE,
    "DELETE /api/v1/questions/{question_id}/vote": CONTENT_WRITE,
    "POST /api/v1/questions/{question_id}/answer": OBJECT_LEAD,
    "POST /api/v1/questions/{question_id}/moderate": OBJECT_LEAD,
    "GET /api/v1/resources": site(ALL),
    "GET /api/v1/resources/{resource_id}": site(ALL),
    "GET /api/v1/materials": site(ALL),
    "GET /api/v1/materials/{material_id}": site(ALL),
    "GET /api/v1/tips": site(SIGNED_IN),
    "POST /api/v1/tips": site(SIGNED_IN),
    "GET /api/v1/tips/{tip_id}": site(SIGNED_IN),
    "PATCH /api/v1/tips/{tip_id}": PAGES["library:tip-edit"],
    "DELETE /api/v1/tips/{tip_id}": PAGES["library:tip-delete"],
    "PUT /api/v1/tips/{tip_id}/helpful": site(SIGNED_IN),
    "DELETE /api/v1/tips/{tip_id}/helpful": site(SIGNED_IN),
    "GET /api/v1/referrals": site(SIGNED_IN),
    "POST /api/v1/referrals": site(LEADERS),
    "GET /api/v1/referrals/{referral_id}": PAGES["library:referral-detail"],
    "PATCH /api/v1/referrals/{referral_id}": PAGES["library:referral-detail"],
    "GET /api/v1/search": site(ALL),  # visitors search what they may see: public descriptions, events, directory
    "GET /api/v1/me/mentor-profile": site("login 404 404 404 404 ok 404"),  # the facilitator mentors
    "PATCH /api/v1/me/mentor-profile": site(SIGNED_IN),
    "GET /api/v1/mentors/suggestions": site(SIGNED_IN),
    "POST /api/v1/mentorships": site(SIGNED_IN),
    "GET /api/v1/mentorships": site(SIGNED_IN),
    "GET /api/v1/mentorships/{mentorship_id}": site(PARTICIPANTS_AND_STAFF),
    "POST /api/v1/mentorships/{mentorship_id}/accept": site(MENTORSHIP_WRITE),
    "POST /api/v1/mentorships/{mentorship_id}/decline": site(MENTORSHIP_WRITE),
    "POST /api/v1/mentorships/{mentorship_id}/end": site(MENTORSHIP_WRITE),
    "GET /api/v1/conversations": site(SIGNED_IN),
    "POST /api/v1/conversations": site(SIGNED_IN),
    "GET /api/v1/conversations/{conversation_id}": site(PARTICIPANTS),
    "GET /api/v1/conversations/{conversation_id}/messages": site(PARTICIPANTS),
    "POST /api/v1/conversations/{conversation_id}/messages": site(PARTICIPANTS),
    "PUT /api/v1/blocks/{user_id}": site(SIGNED_IN),
    "DELETE /api/v1/blocks/{user_id}": site(SIGNED_IN),
    "POST /api/v1/reports": site(SIGNED_IN),
    "GET /api/v1/moderation/queue": site(LEADERS),
    "POST /api/v1/moderation/actions": site(SIGNED_IN),
    "GET /api/v1/notifications": site(SIGNED_IN),
    "POST /api/v1/notifications/read": site(SIGNED_IN),
    "GET /api/v1/journal/milestones": site(SIGNED_IN),
    "POST /api/v1/journal/milestones": site(SIGNED_IN),
    "GET /api/v1/journal/milestones/{milestone_id}": site(OWNER),
    "PATCH /api/v1/journal/milestones/{milestone_id}": site(OWNER),
    "DELETE /api/v1/journal/milestones/{milestone_id}": site(OWNER),
    "PUT /api/v1/journal/milestones/{milestone_id}/share": site(OWNER),
    "DELETE /api/v1/journal/milestones/{milestone_id}/share": site(OWNER),
    "GET /api/v1/journal/goals": site(SIGNED_IN),
    "POST /api/v1/journal/goals": site(SIGNED_IN),
    "GET /api/v1/journal/goals/{goal_id}": site(OWNER),
    "PATCH /api/v1/journal/goals/{goal_id}": site(OWNER),
    "DELETE /api/v1/journal/goals/{goal_id}": site(OWNER),
    "POST /api/v1/journal/goals/{goal_id}/updates": site(OWNER),
    "POST /api/v1/journal/goals/{goal_id}/done": site(OWNER),
    "GET /api/v1/journal/checkins": site(SIGNED_IN),
    "POST /api/v1/journal/checkins": site(SIGNED_IN),
    "GET /api/v1/journal/checkins/{checkin_id}": site(OWNER),
    "DELETE /api/v1/journal/checkins/{checkin_id}": site(OWNER),
    "POST /api/v1/journal/checkins/{checkin_id}/support": site(OWNER),
    "GET /api/v1/journal/summary-shares": site(SIGNED_IN),
    # The caller's own share with a circle: 422 for any circle they are not active in, hidden or missing alike.
    "PUT /api/v1/journal/summary-shares/{slug}": circle(
        "login deny deny ok deny ok deny", "login deny deny ok deny ok deny"
    ),
    "DELETE /api/v1/journal/summary-shares/{slug}": circle(
        "login ok ok ok ok ok ok", "login 404|ok 404|ok ok 404|ok ok ok"
    ),
    "GET /api/v1/circles/{slug}/wellbeing": PAGES["journal:circle-wellbeing"],
    "POST /api/v1/support-requests/{request_id}/acknowledge": PAGE_WRITES["journal:support-acknowledge"],
    "GET /api/v1/journal/reminder": site(SIGNED_IN),
    "PATCH /api/v1/journal/reminder": site(SIGNED_IN),
    "GET /api/v1/journal/timeline": site(SIGNED_IN),
}
