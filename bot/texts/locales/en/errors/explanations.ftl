### Explanations of Call API errors and of the bot's own errors (English).
###
### Id = the UIS mnemonic; a refinement for a method, a method group, a limit type or an error
### code: invalid_state--make-call, outcome_unknown--start, limit_exceeded--day,
### unknown--code-32002. Attributes .title, .explanation, .action (Telegram HTML); fallback
### variants .explanation-2…: the first whose variables are all known wins. A refinement may
### leave an attribute out to keep the base entry's text. Variable names: bot/texts/errors.py;
### ids: bot/texts/catalog.py.

## Shared texts

-bot-bug = This is a bot bug, not your mistake. Try again; if it persists, tell a bot admin.
-nothing-to-do = Nothing to do.
-refresh-card = Refresh the call card and pick an available action.
-catalog = Pick another one. A bot admin can refresh the catalog: /catalog
-direction-title = Call direction not allowed
-direction-explanation = The account's security rules forbid calls in this direction, e.g. international calls (forbidden by default).
-direction-action = Call another number, or ask an account admin to allow this direction for the Call API in the UIS personal account.

## common errors (any method)

invalid_request =
    .title = Malformed request
    .explanation = UIS rejected the bot's request: required envelope fields are missing.
    .action = { -bot-bug }

parse_error =
    .title = Corrupted request
    .explanation = UIS could not read the bot's request.
    .action = { -bot-bug }

method_not_found =
    .title = Method not available
    .explanation = UIS does not know the method <code>{ $method }</code>; the Call API version may be outdated.
    .explanation-2 = UIS does not know this method; the Call API version may be outdated.
    .action = Tell a bot admin.

batch_opreations_not_supported =
    .title = Batch requests not supported
    .explanation = The bot sent several requests in one batch, which the Call API does not accept.
    .action = { -bot-bug }

batch_operations_not_supported =
    .title = Batch requests not supported
    .explanation = The bot sent several requests in one batch, which the Call API does not accept.
    .action = { -bot-bug }

notifications_not_supported =
    .title = Request without an ID
    .explanation = The bot sent a request without an ID, which the Call API does not accept.
    .action = { -bot-bug }

access_token_expired =
    .title = Access key expired
    .explanation = Your permanent access key has passed its end date.
    .action = Create a new key in the UIS personal account (user settings, “Access by key”) and sign in with it: /login

access_token_blocked =
    .title = Access key blocked
    .explanation = Your access key has been blocked in UIS.
    .action = Create a new key in the UIS personal account (user settings) or ask an account admin to check the key. Then sign in again: /login

access_token_invalid =
    .title = Access key invalid
    .explanation = UIS does not recognise the key: the sign-in session has ended (it lasts 1 hour) or the key was deleted in the personal account.
    .action = Sign in again: /login

auth_error =
    .title = Wrong login or password
    .explanation = UIS did not accept the login or password.
    .action = Check the keyboard layout and letter case and sign in again: /login. An access key is more reliable.

ip_not_whitelisted =
    .title = Bot's IP address not allowed
    .explanation = UIS refused the request from <code>{ $ip }</code>: that address is not on the list of IPs allowed to use the Call API.
    .explanation-2 = UIS refused the request: the bot server's IP address is not on the list of IPs allowed to use the Call API.
    .action = Ask your UIS account admin to add the IP <code>{ $ip }</code> in the personal account: Administrator → Account → Security rules → API tab.
    .action-2 = Ask your UIS account admin to add the bot server's IP address (the bot admin knows it) in the personal account: Administrator → Account → Security rules → API tab.

forbidden =
    .title = Permission denied
    .explanation = Your UIS user has no right to do this. Working through the bot needs the “Access to Call API” right.
    .action = Ask an account admin to grant the right in the UIS personal account.

forbidden--record-call =
    .title = Recording can't be turned off
    .explanation = Recording is switched on for all of this employee's calls in the employee settings, so the Call API cannot turn it off.
    .action = If recording really isn't needed, ask an account admin to change the employee settings.

forbidden--call-talk_option =
    .title = Talk option not allowed
    .explanation = UIS did not allow this talk option, e.g. turning off recording that is switched on in the employee settings.
    .action = Pick another option or check the settings with an account admin.

component_disabled =
    .title = Component not enabled
    .explanation = This needs the “{ $component }” component, which is not enabled for your UIS account.
    .explanation-2 = This needs a Call API component that is not enabled for your UIS account.
    .action = Ask an account admin to enable the “{ $component }” component (or contact your UIS account manager).
    .action-2 = Ask an account admin to enable the required Call API component (or contact your UIS account manager).

account_inactive =
    .title = Account disabled
    .explanation = Your UIS account is blocked or disabled.
    .action = Contact UIS support or your account manager.

limit_exceeded =
    .title = Call API points used up
    .explanation = The Call API points limit is used up; new points arrive in { $reset_in }.
    .explanation-2 = The Call API points limit is used up.
    .action = Try again in { $reset_in }. Your UIS account manager can raise the limit.
    .action-2 = Try again a little later. Your UIS account manager can raise the limit.

limit_exceeded--minute =
    .title = No points left this minute
    .explanation = The per-minute limit ({ $limit }) is used up; new points in { $reset_in }.
    .explanation-2 = The per-minute points limit is used up; new points in { $reset_in }.
    .explanation-3 = The per-minute limit ({ $limit }) is used up; new points within a minute.
    .explanation-4 = The per-minute points limit is used up; new points within a minute.
    .action = Try again in { $reset_in }.
    .action-2 = Try again in a minute.

limit_exceeded--day =
    .title = No points left today
    .explanation = The daily limit ({ $limit }) is used up; it refills in { $reset_in }.
    .explanation-2 = The daily points limit is used up; it refills in { $reset_in }.
    .explanation-3 = The daily limit ({ $limit }) is used up.
    .explanation-4 = The daily points limit is used up.
    .action = Calls through the bot are unavailable until the limit refills. Your UIS account manager can raise it.

call_session_not_found =
    .title = Call not found
    .explanation = UIS cannot find this call; most likely it has already ended.
    .action = See the calls in progress: /calls

internal_error =
    .title = UIS server error
    .explanation = UIS hit an internal error.
    .action = Try again in a minute. If it persists, contact UIS support and give the time of the request: { $time }.
    .action-2 = Try again in a minute. If it persists, contact UIS support and give the time of the request.

data_type_error =
    .title = Wrong data type
    .explanation = UIS expected a value of another type in <code>{ $field }</code>.
    .explanation-2 = UIS expected a value of another type in one of the fields.
    .action = { -bot-bug }

required_parameter_missed =
    .title = Parameter missing
    .explanation = UIS expected the parameter <code>{ $field }</code>, but the bot did not send it.
    .explanation-2 = UIS expected a parameter the bot did not send.
    .action = Check your /settings and try again. If it persists, tell a bot admin.

invalid_parameter_value =
    .title = Invalid value
    .explanation = UIS did not accept <code>{ $value }</code> in <code>{ $field }</code>.
    .explanation-2 = UIS did not accept the value of <code>{ $field }</code>.
    .explanation-3 = UIS did not accept one of the request's values.
    .action = Check the number and your /settings and try again. If it persists, tell a bot admin.

unexpected_parameters =
    .title = Unexpected parameter
    .explanation = UIS does not know the parameter <code>{ $field }</code>.
    .explanation-2 = The request has a parameter UIS does not know.
    .action = { -bot-bug }

## errors documented outside the common table

invalid_parameters_combination =
    .title = Settings combination not allowed
    .explanation = UIS does not allow this combination of call settings (dialling order and connection).
    .action = { -bot-bug }

character_encoding_not_allowed =
    .title = Unsupported characters
    .explanation = UIS accepts text only in UTF-8, and this text has other characters.
    .action = Remove unusual characters from the text and try again.

invalid_state =
    .title = Not available right now
    .explanation = This action is not possible in the call's current state.
    .action = { -refresh-card }

invalid_state--make-call =
    .explanation = You can dial a third party only while the client is on hold.
    .action = Tap “Hold” first, then “Transfer…”.

invalid_state--transfer-talk =
    .explanation = You can transfer only once a third party is being dialled or you are talking to them.
    .action = Tap “Transfer…” and pick whom to transfer to.

invalid_state--restore-talk =
    .explanation = This returns you to the client only while a third party is being dialled or you are consulting with them.
    .action = Refresh the card. If the client is on hold, tap “Unhold”.

invalid_state--hold-call =
    .explanation = You can put the client on hold only during a conversation.
    .action = Wait until the client answers and try again.

invalid_state--unhold-call =
    .explanation = You can take the client off hold only while they are on hold.
    .action = { -refresh-card }

invalid_state--call-talk_option =
    .explanation = Talk options work only during a conversation.
    .action = Wait until the client answers. In an outgoing call, talk options work 30 seconds after the conversation starts.

# The reference lists the undocumented -32002 direction refusal as mnemonic "unknown"; the
# bot also uses "unknown" for any mnemonic it does not know (the original is then shown).
unknown =
    .title = Unknown error
    .explanation = UIS returned an error the bot does not know: “{ $message }”.
    .explanation-2 = UIS returned an error the bot does not know.
    .action = Try again. If the error persists, forward this message to a bot admin.

unknown--code-32002 =
    .title = { -direction-title }
    .explanation = { -direction-explanation }
    .action = { -direction-action }

# The simulator's name for the same refusal (the real mnemonic is undocumented).
call_direction_forbidden =
    .title = { -direction-title }
    .explanation = { -direction-explanation }
    .action = { -direction-action }

## method-specific errors

tts_text_exceeded =
    .title = Text too long
    .explanation = Speech synthesis takes up to { $max_length } characters; this text has { $length }.
    .explanation-2 = Speech synthesis takes up to { $max_length } characters.
    .explanation-3 = The text is longer than the account's limit allows.
    .action = Shorten the text to { $max_length } characters and try again.
    .action-2 = Shorten the text and try again.

media_file_not_found =
    .title = Audio file not found
    .explanation = The account has no audio file with ID <code>{ $media_file_id }</code>; it may have been deleted.
    .explanation-2 = The chosen audio file is not in the account; it may have been deleted.
    .action = Pick another file in /settings. A bot admin can refresh the catalog: /catalog

virtual_phone_number_not_found =
    .title = Virtual number not found
    .explanation = The number { $number } is not rented by your UIS account.
    .explanation-2 = The chosen virtual number is not rented by your UIS account.
    .action = Pick a rented virtual number in /settings

employee_not_found =
    .title = Employee not found
    .explanation = The UIS account has no employee with ID <code>{ $employee_id }</code>.
    .explanation-2 = The employee you are linked to is not in the UIS account.
    .action = Ask a bot admin to link you to an employee again (/assign).

no_active_phone_number =
    .title = No active phone number
    .explanation = The employee has no active phone number, or the chosen number is inactive.
    .action = Check the employee's numbers in the UIS personal account: one must be “Active”.

no_active_phone_number--make-call =
    .explanation = The employee you are calling has no active number.
    .action = Pick another employee or enter a number by hand.

no_active_phone_number--add-coach =
    .explanation = The coach has no active number.
    .action = Enter the coach's number by hand or ask an account admin to check the coach settings.

own_virtual_phone_number_not_allowed =
    .title = That's your own virtual number
    .explanation = You cannot call one of the account's own virtual numbers.
    .action = Check the client's number.

contact_in_blacklist =
    .title = Number is blacklisted
    .explanation = The number { $contact } is in the account's blacklist; calls to it are blocked.
    .explanation-2 = The number is in the account's blacklist; calls to it are blocked.
    .action = Only an account admin can remove it from the blacklist, in the UIS personal account.

scenario_not_found =
    .title = Scenario not found
    .explanation = The account has no scenario with ID <code>{ $scenario_id }</code>.
    .explanation-2 = The chosen scenario is not in the account.
    .action = { -catalog }

scenario_not_found--start-vnumber_call =
    .title = Number has no scenario
    .explanation = No scenario is attached to the virtual number { $number }.
    .explanation-2 = No scenario is attached to the chosen virtual number.
    .action = Pick another virtual number in /settings or ask an account admin to attach a scenario to the number.

tag_not_found =
    .title = Tag not found
    .explanation = The account has no tag with ID <code>{ $tag_id }</code>.
    .explanation-2 = The chosen tag is not in the account.
    .action = { -catalog }

duplicate_tag =
    .title = Tag already set
    .explanation = The call already has this tag.
    .action = { -nothing-to-do }

leg_not_found =
    .title = Participant not found
    .explanation = This participant is no longer in the call.
    .action = { -refresh-card }

coach_not_found =
    .title = No coach assigned
    .explanation = No coach is set up for you in UIS, and no coach number was given.
    .action = Enter the coach's number by hand or ask an account admin to assign you a coach.

record_already_started =
    .title = Already recording
    .explanation = The conversation is already being recorded.
    .action = { -nothing-to-do }

record_already_stopped =
    .title = Not recording
    .explanation = The conversation is not being recorded right now.
    .action = { -nothing-to-do }

duplicate_contact =
    .title = Number already blacklisted
    .explanation = The number { $contact } is already in the account's blacklist.
    .explanation-2 = This number is already in the account's blacklist.
    .action = { -nothing-to-do }

talk_option_not_found =
    .title = Talk option not found
    .explanation = No talk option is bound to this key.
    .action = Open “Talk options” again: the list may have changed.

## client-side errors (the bot's own)

transport_timeout =
    .title = UIS did not answer in time
    .explanation = No answer from UIS for { $seconds } s.
    .explanation-2 = No answer from UIS for too long.
    .action = Try again in a few seconds.

transport_connection_refused =
    .title = Can't reach UIS
    .explanation = The bot could not connect to the Call API server.
    .action = Try again in a minute. If it still fails, tell a bot admin.

transport_bad_reply =
    .title = Garbled reply from UIS
    .explanation = UIS answered with HTTP { $http_status } instead of a Call API reply.
    .explanation-2 = UIS sent a corrupted or incomplete reply.
    .action = Refresh the call card to see what happened, then try again.

outcome_unknown =
    .title = Outcome unknown
    .explanation = The request reached UIS but no answer came back: the action may or may not have been done.
    .action = Refresh the call card before trying again.

outcome_unknown--start =
    .explanation = The call request reached UIS but no answer came back: the call may have started.
    .action = Don't start the call again: I'm checking it by external ID <code>{ $external_id }</code> and will report back.
    .action-2 = Don't start the call again: I'm checking whether it started and will report back.

budget_refused =
    .title = Saving points
    .explanation = Call API points are nearly used up, so the bot did not send the request. New points in { $reset_in }.
    .explanation-2 = Call API points are nearly used up, so the bot did not send the request.
    .action = Try again in { $reset_in }.
    .action-2 = Try again a little later. Points left: /limits

budget_reserve =
    .title = Points kept in reserve
    .explanation = Few points are left, and the bot keeps them for in-call actions: hold, transfer, hang-up. New calls and list refreshes have to wait.
    .action = Wait { $reset_in } for the points to refill.
    .action-2 = Wait a little for the points to refill. Points left: /limits

budget_exit_reserve =
    .title = Points kept for the way back
    .explanation = { $kept } point(s) are left: just enough to take your waiting clients off hold or hang up. Putting a client on hold now could leave nothing to bring them back.
    .explanation-2 = The points left are needed to take your waiting clients off hold or hang up. Putting a client on hold now could leave nothing to bring them back.
    .action = Wait { $reset_in } for the points to refill.
    .action-2 = Wait a little for the points to refill. Points left: /limits

token_missing =
    .title = Not signed in to UIS
    .explanation = You need to sign in to UIS to make calls.
    .action = Sign in: /login

login_required_again =
    .title = Sign in again
    .explanation = Your UIS session has ended and no password is saved.
    .action = Sign in again: /login. To avoid this every hour, use an access key or turn on “Stay signed in”.

## sign-in (issue 14): method "login.key" is a pasted key being checked

access_token_invalid--login-key =
    .title = UIS does not know this key
    .explanation = The key you pasted is not an access key of this UIS account: it may be cut short, mistyped or deleted in the personal account.
    .action = Copy the whole key again from the UIS personal account (user settings, “Access by key”) and sign in: /login

transport_timeout--login =
    .title = UIS did not answer the sign-in
    .action = Nothing was saved. Try signing in again in a minute: /login

transport_connection_refused--login =
    .title = Can't reach UIS to sign in
    .action = Nothing was saved. Try signing in again in a minute: /login

transport_bad_reply--login =
    .title = UIS could not check the sign-in
    .explanation = UIS answered with HTTP { $http_status } instead of a Call API reply.
    .explanation-2 = UIS did not give a readable answer.
    .action = Nothing was saved. Try signing in again in a minute: /login
