### Starting a call

## starting a call

call-ask_number = Who are we calling? Send a number, e.g. +7 999 123-45-67, or share a contact.
call-offer_number = Found { $number }. Call it?
call-offer_many = The message has several numbers. Pick the one to call.
call-no_number_found = No phone number found in that message.
call-number_invalid = ⚠️ Couldn't read the { $field }. Expected: { $expected }.
call-expected_phone = a number like +7 999 123-45-67 or 79991234567
call-expected_digit = one key: 0–9, * or #
field-contact = client number
field-operator = operator number
field-transfer_target = transfer number
field-coach = coach number
field-favourite = favourite number
call-missing_setting = A setting is missing for this call: { $setting }. Open /settings
setting-virtual_number = virtual number
setting-employee = UIS employee
setting-hold_message = hold message
setting-scenario = scenario
setting-operator_number = operator number
call-ask_scenario = Pick a scenario.
call-no_scenarios = The bot's catalog has no scenarios. Ask a bot admin to import the catalog.
call-ask_operator_number = Which number should the client be connected with? Send the operator's number: the operator controls the call.
call-ask_inform_message = What should the client hear? Send a text (up to { $max_length } characters) or pick an audio file. The call ends by itself after the message.
call-starting = 📞 Calling { $number }…
call-started = 📞 Call started, ID <code>{ $call_id }</code>.
call-your_phone_first = Your phone rings first: pick up, then I'll dial the client.
call-outcome_checking = Checking whether the call started (external ID <code>{ $external_id }</code>)…
call-outcome_found = ✅ The call did start, ID <code>{ $call_id }</code>. Here is its card.
call-outcome_not_found = The call did not start: UIS has no record of it. You can call again.
