### Bad input and refusals

## issue 14: bad input, refusals

alert-unknown_button = This button is no longer valid. Send the command again.
alert-unavailable = Temporarily unavailable: please try again in a minute.
common-unavailable = ⏳ Temporarily unavailable: I can't reach my database. Please try again in a minute.
errors-unexpected_nothing_sent = ⚠️ Something went wrong on my side. Nothing was sent to UIS: you can try again.
errors-unexpected_maybe_done = ⚠️ Something went wrong on my side after the request went to UIS: UIS may have done it. Check the call card (or /calls) before trying again.
common-not_understood = I understand commands (/help), phone numbers in text and shared contacts.
call-sign_in_first = 🔑 Sign in to UIS first: calls are placed on your behalf. Nothing was dialled.
btn-sign_in = 🔑 Sign in
call-inform_text_too_long = The text is too long: { $length } characters, at most { $max_length }. Send a shorter one.
admin-employee_taken = Employee <code>{ $employee_id }</code> is already linked to another user. Unlink them first.
access-admin_more_requests = 🆕 More access requests are arriving: I'll hold the rest for a minute. All of them are in /users (approve with /approve ID).
history-title_zone = <b>Recent UIS requests</b> (times in { $zone })
history-background_line = { $first }–{ $last } · 🔄 { $count } × <code>{ $method }</code> in the background (card refreshes)
error-message_explained =
    ⚠️ <b>{ $title }</b>
    { $explanation }
    👉 { $action }
error-mnemonic_line = <i>Error code: <code>{ $mnemonic }</code></i>
events-silent_admin =
    ⚠️ <b>UIS events are not reaching the bot.</b>
    No event arrived within { $seconds } s for call { $call_id }. Cards are kept fresh by polling <code>list.calls</code> again, which spends points.
    👉 Check the notifications in the UIS personal account (one per event, the URLs from <code>callbot events templates</code>) and that the bot's events address is reachable.
card-summary-total = Total time: { $duration }
card-summary-talk = Talk time: { $duration }
card-summary-released_by = Ended from the bot by { $name }
cmd-duty = on-duty watch: ringing calls without UIS events (slower)
duty-on = 🟢 You are on duty. Calls ringing the account's employees get a card in their chats within one poll interval (about { $seconds } s; slower than UIS events), paid with your sign-in's points. /duty off ends it.
duty-on_not_signed_in = 🟢 You are on duty, but the watch needs a signed-in user on duty: /login first.
duty-on_events_flow = 🟢 You are on duty. UIS events reach the bot, so ringing calls get their cards at once: the watch waits and starts by itself if events stop.
duty-off = ⚪️ You are off duty.
duty-off_nobody_left = ⚪️ You are off duty. Nobody is on duty now: without UIS events no ringing card is drawn.
duty-status = On duty: { $names }.
duty-nobody = Nobody is on duty. Without UIS events the bot sees a ringing call only while someone is: /duty on.
duty-usage = Send /duty on or /duty off (/duty alone says who is on duty).
