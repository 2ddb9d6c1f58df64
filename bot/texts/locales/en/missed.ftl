### Missed calls

## missed calls (issue "Missed calls with one owner for the call-back")

cmd-oncall_chat = Make this group the on-call chat: missed calls come here
missed-title = 📵 <b>Missed call</b>
missed-title_count = 📵 <b>Missed calls: { $count }</b> (the last at { $time })
missed-from = From: { $contact }
missed-from_named = From: { $name }, { $contact }
missed-to = To: { $number }
missed-to_named = To: { $number } ({ $name })
missed-waited = Waited: { $duration }
missed-scenario = Scenario: { $name }
missed-claimed = ☎️ { $name } is calling back
missed-claimed_you = ☎️ You are calling back: the call card is below
missed-talked = ✅ { $name } called back and talked to the client
missed-got_through = ✅ The client got through on their own
missed-unanswered = ❕ { $name } called back, nobody talked. You can call back again
btn-call_back = 📞 Call back
alert-missed_taken = { $name } is already calling back.
alert-missed_resolved = This call has been dealt with already.
alert-missed_premium = Not calling back: { $number } is a premium-rate number. No call started.
alert-missed_international = Not calling back: { $number } is an international number. No call started; use /call yourself if you must.
alert-missed_bad_number = Not calling back: “{ $number }” is not a phone number. No call started.
alert-missed_employee_missing = You are not linked to a UIS employee, so I cannot call back. Ask an admin.
alert-missed_sign_in = Sign in to UIS first (/login in a private chat with me).
alert-missed_no_virtual_number = No virtual number to call from: choose one in /settings.
alert-missed_calling = Calling back…
alert-missed_failed = That did not work: try again in a minute.
oncall-bound = ✅ This group is now the on-call chat: missed calls come here when no employee was tried.
oncall-group_only = Send /oncall_chat in the group that should become the on-call chat.
missed-unconfirmed = ❔ { $name }'s call-back is not among live calls: it may have rung the client and ended. Check before calling back again
