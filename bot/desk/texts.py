"""The desk page's words: English msgids in the catalogs, sent translated with `/api/me`.

The page (static/desk.js) looks each one up by its key; `{name}` fields are filled there.
"""

from __future__ import annotations

from bot.i18n import N_, Translator

NOT_ALLOWED = N_("This part of the desk is not for your role.")
NOT_FOUND = N_("Not found: it may have been removed meanwhile.")
STALE = N_("This changed meanwhile. Please open it again.")
INVALID = N_("That cannot be done as given.")
TROUBLE = N_("Sorry, something went wrong (code {code}). Please try again.")

PAGE: dict[str, str] = {
    "desk": N_("Desk"),
    "loading": N_("Loading…"),
    "not_for_you": N_(
        "The desk is for coordinators, mentors and focal points. "
        "Your tools are in the chat with the bot."
    ),
    "trouble": N_("Sorry, something went wrong. Please try again."),
    "back": N_("Back"),
    "nothing": N_("Nothing here."),
    "no": N_("No, go back"),
    "total": N_("{total} in all"),
    "shown_of": N_("{shown} of {total} shown"),
    "search_name": N_("Search a name"),
    # tabs
    "overview": N_("At a glance"),
    "businesses": N_("Businesses"),
    "agencies": N_("Agencies"),
    "my_agency": N_("My agency"),
    "deadlines": N_("Deadlines"),
    "questions": N_("Questions"),
    "export": N_("Export"),
    "people": N_("People"),
    # at a glance
    "at_a_glance": N_("The programme at a glance"),
    "computed_at": N_("Computed on {date}"),
    "invited": N_("businesses invited"),
    "joined": N_("joined"),
    "submitted": N_("submitted a checklist"),
    "average_readiness": N_("average readiness"),
    "open_questions": N_("Open questions"),
    "unreachable": N_("Unreachable (blocked the bot)"),
    "needs_attention": N_("Needs attention"),
    "deadlines_due": N_("Deadlines due soon or overdue"),
    "agencies_done": N_("{done} of {total} agencies done"),
    "agencies_late": N_("{late} late"),
    "iso_quarter": N_("ISO 18091 lights, {period}"),
    "submitted_short": N_("submitted"),
    "unreachable_since": N_("unreachable since {date}"),
    "reachable": N_("reachable"),
    # businesses
    "business": N_("Business"),
    "sector": N_("Sector"),
    "readiness": N_("Readiness"),
    "last_active": N_("Last active"),
    "owner": N_("Owner"),
    "not_joined": N_("not joined yet"),
    "all_sectors": N_("All sectors"),
    "any_readiness": N_("Any readiness"),
    "not_submitted": N_("Nothing submitted"),
    "any_activity": N_("Any activity"),
    "inactive_week": N_("Inactive for a week or more"),
    "active_week": N_("Active this week"),
    "any_questions": N_("With or without questions"),
    "with_open_questions": N_("With open questions"),
    "answers_over_time": N_("Checklist answers over time"),
    "item": N_("Item"),
    "draft": N_("draft"),
    "no_answers": N_("No checklist answers yet."),
    "next_steps": N_("Next steps"),
    "evidence": N_("evidence"),
    "document": N_("document"),
    "answer_yes": N_("Yes"),
    "answer_partly": N_("Partly"),
    "answer_no": N_("Not yet"),
    "answer_na": N_("Does not apply"),
    "status_open": N_("waiting for a mentor"),
    "status_escalated": N_("waiting; coordinators told"),
    "status_answered": N_("answered"),
    "answer_in_chat": N_("Mentors answer in the chat: the bot sent each question there."),
    # agencies
    "agency": N_("Agency"),
    "kept": N_("Kept"),
    "late": N_("Late"),
    "missed": N_("Missed"),
    "running": N_("Running"),
    "focal_points": N_("Focal points"),
    "no_focal_point": N_("no focal point"),
    "last_answer": N_("last answer"),
    "outcome": N_("Outcome"),
    "done_at": N_("Done on"),
    "iso_lights": N_("ISO 18091 lights per quarter"),
    # deadlines
    "deadline": N_("Deadline"),
    "due": N_("Due"),
    "all_agencies": N_("All agencies"),
    "any_status": N_("Any status"),
    "late_not_done": N_("Overdue, not done"),
    "not_answered": N_("not answered"),
    "all_done": N_("Done by all"),
    "week_of": N_("Week of {date}"),
    "reminder_history": N_("Reminders"),
    "planned_for": N_("Planned for"),
    "recipient": N_("To"),
    "which": N_("Which"),
    "escalation": N_("escalation"),
    "state": N_("State"),
    "sent_at": N_("Sent"),
    "answers": N_("Answers"),
    "outbox_pending": N_("planned"),
    "outbox_claimed": N_("being sent"),
    "outbox_sending": N_("being sent"),
    "outbox_sent": N_("sent"),
    "outbox_blocked": N_("blocked the bot"),
    "outbox_failed": N_("failed"),
    "outbox_unknown": N_("maybe sent"),
    "outbox_skipped": N_("not needed"),
    # exports
    "export_hint": N_(
        "The same files as `pendamping export`. Evidence photos are not included, "
        "only their file names and dates."
    ),
    "download": N_("Download"),
    "export_ready": N_("The file is ready; its download has started."),
    # people
    "everyone": N_("Everyone"),
    "paused": N_("paused"),
    "active": N_("active"),
    "name": N_("Name"),
    "roles": N_("Roles"),
    "role": N_("Role"),
    "access": N_("Access"),
    "agency_or_business": N_("Agency or business"),
    "joined_on": N_("joined on {date}"),
    "from_setting": N_("from BOT_COORDINATORS"),
    "remove": N_("Remove"),
    "give_role": N_("Give the role"),
    "grant_q": N_("Make {name} a {role}? We will tell them politely."),
    "yes_grant": N_("Yes, give the role"),
    "revoke_q": N_("Remove the role {role} from {name}? We will tell them politely."),
    "yes_revoke": N_("Yes, remove the role"),
    "pause": N_("Pause access"),
    "pause_q": N_(
        "Pause the access of {name}? They keep their data, but the bot sends them nothing "
        "until it is given again."
    ),
    "yes_pause": N_("Yes, pause access"),
    "resume": N_("Give access again"),
    "resume_q": N_("Give {name} access to the bot again?"),
    "yes_resume": N_("Yes, give access"),
    "unused_invitations": N_("Unused invitations"),
    "expired": N_("expired"),
    "valid_until": N_("valid until {date}"),
    "cancel_link": N_("Cancel the link"),
    "cancel_invitation_q": N_("Cancel the invitation for {name}? The link stops working."),
    "yes_cancel": N_("Yes, cancel the link"),
    "invite": N_("Invite someone"),
    "salutation": N_("Salutation"),
    "name_only": N_("Name only"),
    "invitee_name": N_("Their name"),
    "business_name": N_("Business name"),
    "phone_optional": N_("Phone (optional)"),
    "make_link": N_("Make the invitation link"),
    # broadcasts
    "broadcasts": N_("Broadcasts"),
    "write_broadcast": N_("Write a broadcast"),
    "message": N_("Message"),
    "format_hint": N_(
        "Formatting is Telegram's, written as HTML: <b>bold</b>, <i>italics</i>, "
        "<u>underlined</u>, <s>struck out</s>, <tg-spoiler>hidden</tg-spoiler>, "
        '<a href="https://...">a link</a>, <code>code</code>, <blockquote>a quotation'
        "</blockquote>. Write & < > as they are. A photo or a document: send the broadcast "
        "from the chat."
    ),
    "characters": N_("{length} of {limit} characters"),
    "who_receives": N_("Who should receive it?"),
    "preview": N_("Preview, exactly as recipients will see it"),
    "preview_empty": N_("The preview appears as you write."),
    "when": N_("When"),
    "send_now": N_("Now"),
    "send_later": N_("At a date and time ({zone})"),
    "send": N_("Send…"),
    "schedule": N_("Schedule…"),
    "send_q": N_("Send this broadcast now to {n} people?"),
    "schedule_q": N_("Send this broadcast to {n} people on {date}?"),
    "yes_send": N_("Yes, send it"),
    "yes_schedule": N_("Yes, schedule it"),
    "on_its_way": N_("The broadcast is on its way."),
    "scheduled_for": N_("The broadcast is scheduled for {date}."),
    "past_broadcasts": N_("Scheduled and past broadcasts"),
    "no_broadcasts": N_("No broadcast has been sent yet."),
    "date": N_("Date"),
    "recipients": N_("Recipients"),
    "with_file": N_("with a photo or document"),
    "count_sent": N_("Sent"),
    "count_blocked": N_("Blocked the bot"),
    "count_failed": N_("Failed"),
    "count_unknown": N_("Maybe delivered"),
    "count_skipped": N_("Not sent"),
    "count_remaining": N_("Remaining"),
    "time_left": N_("Time left: about {time}"),
    "goes_out": N_("Goes out on {date}"),
    "pause_broadcast": N_("Pause"),
    "resume_broadcast": N_("Go on"),
    "cancel_broadcast": N_("Cancel broadcast"),
    "cancel_broadcast_q": N_(
        "Cancel this broadcast? Those who have not received it yet will not get it."
    ),
    "yes_cancel_broadcast": N_("Yes, cancel the broadcast"),
    "change_time": N_("Change time"),
    "change_time_q": N_("Move this broadcast to {date}?"),
    "yes_change_time": N_("Yes, move it"),
    "could_not_reach": N_("Could not be reached"),
}


def translated(tr: Translator) -> dict[str, str]:
    """The page's words in the reader's language."""
    return {key: tr.gettext(msgid) for key, msgid in PAGE.items()}
