"""English texts of the bot (Telegram users whose language_code starts with "en").

Same keys and placeholders as ru.py (tests enforce it). Keys under ``btn.``, ``cmd.``,
``alert.``, ``done.`` and ``duration.`` are plain text; every other text is Telegram HTML.
UIS interface names follow the CallGear/UIS English personal account where they exist.
"""

from __future__ import annotations

TEXTS: dict[str, str] = {
    # ---- start / help ------------------------------------------------------------------------
    "start.welcome": "Hello, {name}!",
    "help.about": (
        "I place calls to your clients through the UIS cloud PBX right from Telegram. "
        "Each call gets a card with buttons: hold, transfer, record, tag, keypad, "
        "blacklist and hang up."
    ),
    "help.commands_title": "<b>Commands</b>",
    "help.admin_title": "<b>For bot admins</b>",
    "help.command_line": "/{command} — {description}",
    "help.pending": (
        "Calls are available once an admin approves your request. "
        "I'll message you as soon as that happens."
    ),
    "help.number_tip": (
        "Tip: send or forward any message with a phone number, or share a contact, "
        "and I'll offer a “Call” button."
    ),
    "common.cancelled": "Cancelled.",
    "common.saved": "Saved.",
    "common.unknown_command": "No such command. See /help",
    "common.private_chat_only": "This command works only in a private chat with me.",
    "common.not_available_yet": "This feature is not available yet.",
    # ---- command menu (setMyCommands: plain text, 3..256 characters) --------------------------
    "cmd.start": "Start the bot",
    "cmd.help": "What the bot does and the command list",
    "cmd.call": "Call a client: your phone rings first",
    "cmd.simple_call": "Connect any two numbers through a virtual number",
    "cmd.vcall": "Call a client through a virtual number's scenario",
    "cmd.scenario": "Call a client through a chosen scenario",
    "cmd.inform": "Informer call: play a recording or text to a number",
    "cmd.calls": "Calls in progress and their controls",
    "cmd.block": "Add the other party to the blacklist",
    "cmd.limits": "Remaining Call API points",
    "cmd.history": "My recent UIS requests",
    "cmd.settings": "Virtual number, hold message, region, favourites",
    "cmd.login": "Sign in to UIS: access key or login and password",
    "cmd.logout": "Sign out of UIS",
    "cmd.users": "Bot users and access requests",
    "cmd.approve": "Approve a request: /approve ID",
    "cmd.deny": "Deny a request or revoke access: /deny ID",
    "cmd.assign": "Link a user to a UIS employee: /assign ID EMPLOYEE_ID",
    "cmd.catalog": "Import the catalog: employees, numbers, scenarios, tags, files",
    "cmd.bindkey": "Bind a shared access key to a user group",
    "cmd.audit": "Export the audit log",
    # ---- access ------------------------------------------------------------------------------
    "access.pending": (
        "⏳ Access request sent. A bot admin approves it: {admins}. "
        "I'll message you once you're in."
    ),
    "access.pending_no_admins": (
        "⏳ Access request saved, but the bot has no admins yet. "
        "Please contact whoever set up the bot."
    ),
    "access.blocked": (
        "⛔ Your access to this bot is closed. If this is a mistake, ask a bot admin."
    ),
    "access.not_allowed": (
        "⛔ This bot is only for listed company staff. "
        "To get access, give a bot admin your Telegram ID: <code>{user_id}</code>"
    ),
    "access.approved": "✅ Access granted! Sign in to UIS to start calling: /login",
    "access.denied": "Your access request was declined. If this is a mistake, ask a bot admin.",
    "access.admin_only": "This command is for bot admins only.",
    "access.admin_new_request": (
        "🆕 <b>Access request</b>\n"
        "{name} ({username}), Telegram ID <code>{user_id}</code>, language: {language}"
    ),
    "access.admin_request_handled": "This request has already been handled: {admin}.",
    # ---- login / logout ----------------------------------------------------------------------
    "login.private_only": (
        "🔒 Send keys and passwords only in a private chat with me, never in a group. "
        "Open a private chat and send /login"
    ),
    "login.choose_method": (
        "How do you want to sign in to UIS?\n\n"
        "<b>Access key</b> (recommended): does not expire every hour. Create one in the "
        "personal account, user settings, “Access by key”.\n\n"
        "<b>Login and password</b>: the session lasts 1 hour, then you sign in again. "
        "You can turn on “Stay signed in”: I'll keep your password encrypted and renew "
        "the session myself."
    ),
    "login.ask_key": (
        "Send the access key in one message. I'll delete the message right away "
        "and store the key encrypted."
    ),
    "login.ask_login": "Enter your UIS user login, the one you use for the personal account.",
    "login.ask_password": "Now the password. I'll delete that message right away.",
    "login.ask_stay_signed_in": (
        "Stay signed in? I'll keep your password encrypted and sign in again every hour "
        "by myself. Otherwise you'll need to enter it again in an hour."
    ),
    "login.secret_deleted": "🧹 The message with your secret has been deleted from the chat.",
    "login.secret_not_deleted": (
        "⚠️ I couldn't delete the message with your secret. Please delete it yourself."
    ),
    "login.checking": "Checking with UIS…",
    "login.empty_input": "That message is empty. Send the text or tap “Cancel”.",
    "login.cancelled": "Sign-in cancelled.",
    "login.done_key": (
        "✅ Signed in with access key <code>{fingerprint}</code>. The key is valid until "
        "{expires_at}."
    ),
    "login.done_key_no_expiry": (
        "✅ Signed in with access key <code>{fingerprint}</code>. The key has no end date."
    ),
    "login.done_session": (
        "✅ Signed in to UIS (session <code>{fingerprint}</code>). The session lasts until "
        "{expires_at}; I'll remind you 10 minutes before it ends."
    ),
    "login.done_session_stay": (
        "✅ Signed in to UIS (session <code>{fingerprint}</code>) until {expires_at}. "
        "I'll renew the session myself."
    ),
    "login.already_signed_in": (
        "You're signed in (<code>{fingerprint}</code>). If UIS no longer accepts it, or you "
        "need another one, sign in again: the new sign-in replaces it. Sign out: /logout"
    ),
    "login.expiry_warning": (
        "⏰ Your UIS session ends in {minutes} min, at {expires_at}. "
        "So that it doesn't drop mid-call, sign in again: /login"
    ),
    "login.key_expiry_warning": (
        "⏰ Access key <code>{fingerprint}</code> stops working on {expires_at}. "
        "Create a new key in the personal account and sign in with it: /login"
    ),
    "login.session_expired": "Your UIS session has ended. To keep calling, sign in again: /login",
    "login.session_renewed": "UIS session renewed until {expires_at}.",
    "logout.done_session": "Signed out of UIS; the session is closed.",
    "logout.done_key": (
        "Signed out of UIS. The bot no longer keeps your access key, but the key still works "
        "in UIS: delete or block it in the personal account, in your user settings."
    ),
    "logout.not_signed_in": "You're not signed in to UIS.",
    # ---- settings ----------------------------------------------------------------------------
    "settings.summary": (
        "<b>Settings</b>\n"
        "UIS employee: {employee}\n"
        "Virtual number: {virtual_number}\n"
        "On hold: {hold_message}\n"
        "Region for numbers without a country code: {region}\n"
        "Favourites: {favourites_count}"
    ),
    "settings.not_set": "not set",
    "settings.hold_media": "audio file “{name}”",
    "settings.hold_tts": "text “{text}”",
    "settings.hold_default": "default music",
    "settings.ask_virtual_number": (
        "Pick a virtual number: the client sees it as the number calling them."
    ),
    "settings.no_virtual_numbers": (
        "The bot's catalog has no virtual numbers. Ask a bot admin to import the catalog: /catalog"
    ),
    "settings.virtual_number_saved": "Virtual number: {number}. Saved.",
    "settings.ask_hold_message": (
        "What does the client hear on hold? Pick an audio file or send a text for speech "
        "synthesis (up to {max_length} characters)."
    ),
    "settings.hold_message_saved": "Hold message saved.",
    "settings.hold_text_too_long": (
        "The text is too long: {length} characters, the limit is {max_length}. "
        "Shorten it and send it again."
    ),
    "settings.ask_region": (
        "Region for numbers without a country code: a two-letter code such as RU or KZ. "
        "Now: {region}."
    ),
    "settings.region_saved": "Region: {region}. Saved.",
    "settings.region_invalid": "“{value}” is not a country code. Send two Latin letters, e.g. RU.",
    "settings.favourites_title": "<b>Favourites</b>",
    "settings.favourites_empty": "No favourites yet. Add a number to call it with one tap.",
    "settings.favourite_line": "• {name} — {number}",
    "settings.ask_favourite": "Send a number and a name, e.g.: +7 999 123-45-67 John Smith",
    "settings.favourite_added": "⭐ Added to favourites: {name}, {number}.",
    "settings.favourite_removed": "Removed from favourites: {name}.",
    "settings.favourites_full": "You can keep up to {max} favourites. Remove some first.",
    "settings.employee_missing": (
        "You're not linked to a UIS employee yet, so I don't know whose phone rings first. "
        "Ask a bot admin to link you."
    ),
    "settings.employee_request_sent": (
        "Request sent to the bot admins. I'll let you know when you're linked to an employee."
    ),
    "settings.employee_assigned": "You're linked to UIS employee {employee}. Ready to call: /call",
    # ---- starting a call ---------------------------------------------------------------------
    "call.ask_number": (
        "Who are we calling? Send a number, e.g. +7 999 123-45-67, or share a contact."
    ),
    "call.offer_number": "Found {number}. Call it?",
    "call.offer_many": "The message has several numbers. Pick the one to call.",
    "call.no_number_found": "No phone number found in that message.",
    "call.number_invalid": "⚠️ Couldn't read the {field}. Expected: {expected}.",
    "call.expected_phone": "a number like +7 999 123-45-67 or 79991234567",
    "call.expected_digit": "one key: 0–9, * or #",
    "field.contact": "client number",
    "field.operator": "operator number",
    "field.transfer_target": "transfer number",
    "field.coach": "coach number",
    "field.favourite": "favourite number",
    "call.missing_setting": "A setting is missing for this call: {setting}. Open /settings",
    "setting.virtual_number": "virtual number",
    "setting.employee": "UIS employee",
    "setting.hold_message": "hold message",
    "setting.scenario": "scenario",
    "setting.operator_number": "operator number",
    "call.ask_scenario": "Pick a scenario.",
    "call.no_scenarios": (
        "The bot's catalog has no scenarios. Ask a bot admin to import the catalog."
    ),
    "call.ask_operator_number": (
        "Which number should the client be connected with? Send the operator's number: "
        "the operator controls the call."
    ),
    "call.ask_inform_message": (
        "What should the client hear? Send a text (up to {max_length} characters) or pick an "
        "audio file. The call ends by itself after the message."
    ),
    "call.starting": "📞 Calling {number}…",
    "call.started": "📞 Call started, ID <code>{call_id}</code>.",
    "call.your_phone_first": "Your phone rings first: pick up, then I'll dial the client.",
    "call.outcome_checking": (
        "Checking whether the call started (external ID <code>{external_id}</code>)…"
    ),
    "call.outcome_found": "✅ The call did start, ID <code>{call_id}</code>. Here is its card.",
    "call.outcome_not_found": (
        "The call did not start: UIS has no record of it. You can call again."
    ),
    # ---- call card ---------------------------------------------------------------------------
    "card.phase.starting": "⏳ Starting the call",
    "card.phase.dialing": "📞 Dialling",
    "card.phase.talk": "🗣 Talking",
    "card.phase.hold": "⏸ Client on hold",
    "card.phase.waiting_input": "⏸ Client on hold · waiting for a number",
    "card.phase.dialing_third": "📲 Dialling a third party · client on hold",
    "card.phase.consulting": "👥 Consulting · client on hold",
    "card.phase.finished": "☑️ Call ended",
    "card.phase.transferred": "↪️ Call transferred",
    "card.title": "<b>{phase}</b>",
    "card.contact": "Client: {contact}",
    "card.contact_named": "Client: {name}, {contact}",
    "card.virtual_number": "Virtual number: {number}",
    "card.virtual_number_named": "Virtual number: {number} ({name})",
    "card.call_id": "Call ID: <code>{call_id}</code>",
    "card.duration": "Duration: {duration}",
    "card.legs_title": "Participants:",
    "card.leg": "• {role}: {name} — {status}",
    "card.leg_unconfirmed": "• {role}: {name}",
    "update.interrupted": (
        "⚠️ I got this before a restart of the bot and can't tell whether it was done. Check "
        "/calls before repeating."
    ),
    "card.phase.not_started": "❌ Call not started",
    "card.phase.no_answer": "📵 No answer",
    "card.phase.not_found": "❔ Not among live calls",
    "card.no_answer.contact": "The client did not answer.",
    "card.no_answer.me": "Your phone did not answer, so I did not call the client.",
    "card.phase.ringing": "🔔 Incoming call for you",
    "card.phase.answered_elsewhere": "☎️ Another employee answered",
    "card.answered_by": "Answered by {name}",
    "card.ringing_hint": "Pick up the phone: the buttons appear once you are talking.",
    "card.scenario": "Scenario: {name}",
    "card.calls_from_number": "Calls from this number: {count}",
    "card.not_found": (
        "UIS does not list this call among live calls: it did not start, or it rang and "
        "ended already. Check the call history before you call again."
    ),
    "card.role.contact": "Client",
    "card.role.me": "You",
    "card.role.employee": "Employee",
    "card.role.other": "Third party",
    "card.role.operator": "Operator",
    "card.role.coach": "Coach",
    "card.leg_status.dialing": "dialling",
    "card.leg_status.talking": "talking",
    "card.leg_status.queued": "in queue",
    "card.leg_status.disconnected": "disconnected",
    "card.leg_status.operators_talking": "operators talking",
    "card.leg_status.on_hold": "on hold",
    "card.leg_status.transferring": "transferring",
    "card.leg_status.sending_dtmf": "sending keypad tones",
    "card.leg_status.fax": "fax",
    "card.leg_status.unknown": "state unknown",
    "card.tags": "Tags: {tags}",
    "card.recording_on": "🔴 Recording",
    "recording.caption": "🎙 Call recording, call {call_id}",
    "recording.too_big": (
        "🎙 The recording of call {call_id} is {size_mb} MB — more than the bot can send "
        "through Telegram. Open it in the UIS personal account."
    ),
    "recording.too_big_over": (
        "🎙 The recording of call {call_id} is over {size_mb} MB — more than the bot can send "
        "through Telegram. Open it in the UIS personal account."
    ),
    "recording.unavailable": (
        "🎙 Could not get the recording of call {call_id}. It is in the UIS personal account."
    ),
    "card.transfer_target": "Transfer to: {target}",
    "card.updated_at": "Updated at {time}",
    "card.ask_tag": "Which tag?",
    "card.no_tags": "The bot's catalog has no tags.",
    "card.ask_dtmf": "Press a key and I'll send its tone into the call.",
    "card.ask_talk_option": "Talk options from your PBX settings:",
    "card.no_talk_options": "No talk options are configured in your PBX.",
    "card.ask_leg": "Who should be disconnected? Disconnecting the client ends the call.",
    "card.ask_transfer_target": "Transfer to whom? Pick an employee or send a number.",
    "card.ask_coach": "Who joins as coach? The coach from your UIS settings or any number.",
    "card.transfer_now_warning": (
        "⚠️ Transfer right away, without waiting for an answer? If {target} doesn't answer, "
        "the client is lost: the call ends."
    ),
    "card.block_confirm": (
        "🚫 Add {contact} to the blacklist? Calls from and to this number will be blocked. "
        "Only an account admin can remove it from the blacklist, in the UIS personal account."
    ),
    "card.release_confirm": "Hang up the call for everyone?",
    "call.action_done": "✅ {action}",
    "call.progress": "⏳ Sending…",
    # ---- outcomes of card actions (plain: used in callback alerts too) -----------------------
    "done.hold": "Client on hold",
    "done.unhold": "Back in conversation",
    "done.record_on": "Recording on",
    "done.record_off": "Recording off",
    "done.tag": "Tag “{tag}” added",
    "done.dtmf": "Key {digit} pressed",
    "done.talk_option": "Talk option “{option}” done",
    "done.coach": "Coach called",
    "done.disconnect_leg": "{name} disconnected",
    "done.block": "Number added to the blacklist",
    "done.release": "Call ended",
    "done.make_call": "Dialling {target}",
    "done.transfer": "Client transferred",
    "done.restore": "You're back with the client",
    "done.cancel": "Call cancelled",
    # ---- buttons (plain, short) --------------------------------------------------------------
    "btn.start_call": "📞 Call {number}",
    "btn.cancel": "✖️ Cancel call",
    "btn.refresh": "🔄 Refresh",
    "btn.hold": "⏸ Hold",
    "btn.unhold": "▶️ Unhold",
    "btn.record_on": "⏺ Record",
    "btn.record_off": "⏹ Stop recording",
    "btn.tag": "🏷 Tag",
    "btn.keypad": "🔢 Keypad",
    "btn.talk_options": "⚙️ Talk options",
    "btn.coach": "🎧 Coach",
    "btn.coach_default": "Coach from settings",
    "btn.disconnect_leg": "✂️ Disconnect a party",
    "btn.block": "🚫 Blacklist",
    "btn.release": "📴 Hang up",
    "btn.transfer": "↪️ Transfer…",
    "btn.transfer_now": "⏩ Transfer now",
    "btn.restore": "↩️ Back to client",
    "btn.complete_transfer": "✅ Complete transfer",
    "btn.enter_number": "⌨️ Enter a number",
    "btn.back": "⬅️ Back",
    "btn.confirm": "Yes, confirm",
    "btn.cancel_action": "Cancel",
    "btn.close": "Close",
    "btn.approve": "✅ Approve",
    "btn.deny": "❌ Deny",
    "btn.login_key": "🔑 Access key",
    "btn.login_password": "👤 Login and password",
    "btn.stay_signed_in": "Stay signed in",
    "btn.session_only": "Just for an hour",
    "btn.settings_virtual_number": "📱 Virtual number",
    "btn.settings_hold": "⏸ Hold message",
    "btn.settings_region": "🌍 Region",
    "btn.settings_favourites": "⭐ Favourites",
    "btn.favourite_add": "➕ Add",
    "btn.favourite_remove": "🗑 {name}",
    "btn.request_employee": "Request linking",
    # ---- callback alerts (plain, at most 200 characters) -------------------------------------
    "alert.not_your_call": (
        "This is not your call: only the person who started it can use its buttons."
    ),
    "alert.not_your_button": "This button is not for you.",
    "alert.stale": "This button is out of date: the card has been refreshed.",
    "alert.repeated": "Already on it, please wait.",
    "alert.sending": "Sending…",
    "alert.call_finished": "This call has already ended.",
    "alert.error": "⚠️ {error}",
    # ---- points limits -----------------------------------------------------------------------
    "limits.footer": "minute {minute_remaining}/{minute_limit} · day {day_remaining}/{day_limit}",
    "limits.footer_unknown": "points: unknown yet",
    "limits.full": (
        "<b>Call API points</b>\n"
        "Per minute: {minute_remaining} of {minute_limit} left, refills in {minute_reset_in}\n"
        "Per day: {day_remaining} of {day_limit} left, refills in {day_reset_in}\n"
        "Reserve for in-call actions: {reserve}\n"
        "<i>As of {as_of}</i>"
    ),
    "limits.full_unknown": (
        "<b>Call API points</b>\n"
        "Not known yet: UIS reports the balance with the reply to any request, "
        "so it shows up after your first action."
    ),
    # ---- /calls and /history -----------------------------------------------------------------
    "calls.title": "<b>Calls in progress</b>",
    "calls.line": "• {contact} — {phase}, {duration}",
    "calls.empty": "No calls right now.",
    "history.title": "<b>Recent UIS requests</b>",
    "history.line": "{time} · {contact} · {duration} · {status}",
    "history.audit_line": "{time} · <code>{method}</code> · {outcome} · {call}",
    "history.outcome_ok": "✅ done",
    "history.outcome_refused": "⏸ not sent: points",
    "history.outcome_unknown": "❔ sent, outcome unknown",
    "history.call_suffix": "ID {call_id}",
    "history.empty": "No UIS requests yet.",
    "history.status.answered": "answered",
    "history.status.not_answered": "no answer",
    "history.status.transferred": "transferred",
    "history.status.failed": "failed",
    "history.status.unknown": "unknown",
    # ---- errors (the frame around explain_error's texts) -------------------------------------
    "error.message": "⚠️ {title}\n{explanation}\n👉 {action}",
    # ---- durations (plain) -------------------------------------------------------------------
    "duration.seconds": "{seconds} s",
    "duration.minutes": "{minutes} min",
    "duration.minutes_seconds": "{minutes} min {seconds} s",
    "duration.hours": "{hours} h",
    "duration.hours_minutes": "{hours} h {minutes} min",
    # ---- admin -------------------------------------------------------------------------------
    "admin.users_title": "<b>Bot users</b>",
    "admin.users_empty": "No users yet.",
    "admin.user_line": "<code>{user_id}</code> {name} {username} · {status} · employee: {employee}",
    "admin.user_status.pending": "awaiting approval",
    "admin.user_status.approved": "approved",
    "admin.user_status.denied": "denied",
    "admin.user_status.blocked": "blocked",
    "admin.user_status.admin": "admin",
    "admin.approved": "✅ Access granted: {name} (<code>{user_id}</code>).",
    "admin.denied": "❌ Access closed: {name} (<code>{user_id}</code>).",
    "admin.user_not_found": "No user with ID <code>{user_id}</code>.",
    "admin.employee_assigned": (
        "🔗 Linked: {name} → UIS employee {employee} (ID <code>{employee_id}</code>)."
    ),
    "admin.employee_not_found": (
        "No employee with ID <code>{employee_id}</code> in the catalog. Refresh it: /catalog"
    ),
    "admin.employee_request": (
        "🔗 {name} (<code>{user_id}</code>) asks to be linked to a UIS employee: "
        "/assign {user_id} EMPLOYEE_ID"
    ),
    "admin.usage": "Usage: {usage}",
    "admin.catalog_ask": "Send the catalog file in one message.",
    "admin.catalog_imported": (
        "📚 Catalog imported.\n"
        "Employees: {employees}\n"
        "Virtual numbers: {virtual_numbers}\n"
        "Scenarios: {scenarios}\n"
        "Audio files: {media_files}\n"
        "Tags: {tags}"
    ),
    "admin.catalog_failed": "Catalog not imported: {reason}",
    "admin.key_bound": "🔑 Key <code>{fingerprint}</code> bound to group “{group}”.",
    "admin.audit_caption": "Audit log for {period}. Entries: {count}.",
    "admin.audit_empty": "No actions during {period}.",
    # ---- /start from someone without access (appended: issue 15) -----------------------------
    "start.your_id": (
        "Your Telegram ID: <code>{user_id}</code>. Give it to the bot's administrator; if the "
        "bot has just been installed, its owner puts this ID in CALLBOT_TELEGRAM__ADMIN_IDS "
        "to become the first administrator."
    ),
    # ---- issue 14: bad input, refusals -------------------------------------------------------
    "alert.unknown_button": "This button is no longer valid. Send the command again.",
    "alert.unavailable": "Temporarily unavailable: please try again in a minute.",
    "common.unavailable": (
        "⏳ Temporarily unavailable: I can't reach my database. Please try again in a minute."
    ),
    "errors.unexpected_nothing_sent": (
        "⚠️ Something went wrong on my side. Nothing was sent to UIS: you can try again."
    ),
    "errors.unexpected_maybe_done": (
        "⚠️ Something went wrong on my side after the request went to UIS: UIS may have done "
        "it. Check the call card (or /calls) before trying again."
    ),
    "common.not_understood": (
        "I understand commands (/help), phone numbers in text and shared contacts."
    ),
    "call.sign_in_first": (
        "🔑 Sign in to UIS first: calls are placed on your behalf. Nothing was dialled."
    ),
    "btn.sign_in": "🔑 Sign in",
    "call.inform_text_too_long": (
        "The text is too long: {length} characters, at most {max_length}. Send a shorter one."
    ),
    "admin.employee_taken": (
        "Employee <code>{employee_id}</code> is already linked to another user. Unlink them first."
    ),
    "access.admin_more_requests": (
        "🆕 More access requests are arriving: I'll hold the rest for a minute. "
        "All of them are in /users (approve with /approve ID)."
    ),
    "history.title_zone": "<b>Recent UIS requests</b> (times in {zone})",
    "history.background_line": (
        "{first}–{last} · 🔄 {count} × <code>{method}</code> in the background (card refreshes)"
    ),
    "error.message_explained": "⚠️ <b>{title}</b>\n{explanation}\n👉 {action}",
    "error.mnemonic_line": "<i>Error code: <code>{mnemonic}</code></i>",
    "events.silent_admin": (
        "⚠️ <b>UIS events are not reaching the bot.</b>\n"
        "No event arrived within {seconds} s for call {call_id}. Cards are kept fresh by "
        "polling <code>list.calls</code> again, which spends points.\n"
        "👉 Check the notifications in the UIS personal account (one per event, the URLs from "
        "<code>callbot events templates</code>) and that the bot's events address is reachable."
    ),
    "card.summary.total": "Total time: {duration}",
    "card.summary.talk": "Talk time: {duration}",
    "card.summary.released_by": "Ended from the bot by {name}",
    "cmd.duty": "on-duty watch: ringing calls without UIS events (slower)",
    "duty.on": (
        "🟢 You are on duty. Calls ringing the account's employees get a card in their chats "
        "within one poll interval (about {seconds} s; slower than UIS events), paid with your "
        "sign-in's points. /duty off ends it."
    ),
    "duty.on_not_signed_in": (
        "🟢 You are on duty, but the watch needs a signed-in user on duty: /login first."
    ),
    "duty.on_events_flow": (
        "🟢 You are on duty. UIS events reach the bot, so ringing calls get their cards at once: "
        "the watch waits and starts by itself if events stop."
    ),
    "duty.off": "⚪️ You are off duty.",
    "duty.off_nobody_left": (
        "⚪️ You are off duty. Nobody is on duty now: without UIS events no ringing card is drawn."
    ),
    "duty.status": "On duty: {names}.",
    "duty.nobody": (
        "Nobody is on duty. Without UIS events the bot sees a ringing call only while someone is: "
        "/duty on."
    ),
    "duty.usage": "Send /duty on or /duty off (/duty alone says who is on duty).",
    # ---- missed calls (issue "Missed calls with one owner for the call-back") ---------------
    "cmd.oncall_chat": "Make this group the on-call chat: missed calls come here",
    "missed.title": "📵 <b>Missed call</b>",
    "missed.title_count": "📵 <b>Missed calls: {count}</b> (the last at {time})",
    "missed.from": "From: {contact}",
    "missed.from_named": "From: {name}, {contact}",
    "missed.to": "To: {number}",
    "missed.to_named": "To: {number} ({name})",
    "missed.waited": "Waited: {duration}",
    "missed.scenario": "Scenario: {name}",
    "missed.claimed": "☎️ {name} is calling back",
    "missed.claimed_you": "☎️ You are calling back: the call card is below",
    "missed.talked": "✅ {name} called back and talked to the client",
    "missed.got_through": "✅ The client got through on their own",
    "missed.unanswered": ("❕ {name} called back, nobody talked. You can call back again"),
    "btn.call_back": "📞 Call back",
    "alert.missed_taken": "{name} is already calling back.",
    "alert.missed_resolved": "This call has been dealt with already.",
    "alert.missed_premium": "Not calling back: {number} is a premium-rate number. No call started.",
    "alert.missed_international": (
        "Not calling back: {number} is an international number. No call started; "
        "use /call yourself if you must."
    ),
    "alert.missed_bad_number": (
        "Not calling back: “{number}” is not a phone number. No call started."
    ),
    "alert.missed_employee_missing": (
        "You are not linked to a UIS employee, so I cannot call back. Ask an admin."
    ),
    "alert.missed_sign_in": "Sign in to UIS first (/login in a private chat with me).",
    "alert.missed_no_virtual_number": "No virtual number to call from: choose one in /settings.",
    "alert.missed_calling": "Calling back…",
    "alert.missed_failed": "That did not work: try again in a minute.",
    "oncall.bound": (
        "✅ This group is now the on-call chat: missed calls come here when no employee was tried."
    ),
    "oncall.group_only": "Send /oncall_chat in the group that should become the on-call chat.",
    "missed.unconfirmed": (
        "❔ {name}'s call-back is not among live calls: it may have rung the client and ended. "
        "Check before calling back again"
    ),
}
