### Callback alerts (plain text, at most 200 characters)

## callback alerts (plain, at most 200 characters)

alert-not_your_call = This is not your call: only the person who started it can use its buttons.
alert-not_your_button = This button is not for you.
alert-stale = This button is out of date: the card has been refreshed.
alert-repeated = Already on it, please wait.
alert-sending = Sending…
alert-call_finished = This call has already ended.
alert-error = ⚠️ { $error }
