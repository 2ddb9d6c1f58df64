### Settings

## settings

settings-summary =
    <b>Settings</b>
    UIS employee: { $employee }
    Virtual number: { $virtual_number }
    On hold: { $hold_message }
    Region for numbers without a country code: { $region }
    Favourites: { $favourites_count }
settings-not_set = not set
settings-hold_media = audio file “{ $name }”
settings-hold_tts = text “{ $text }”
settings-hold_default = default music
settings-ask_virtual_number = Pick a virtual number: the client sees it as the number calling them.
settings-no_virtual_numbers = The bot's catalog has no virtual numbers. Ask a bot admin to import the catalog: /catalog
settings-virtual_number_saved = Virtual number: { $number }. Saved.
settings-ask_hold_message = What does the client hear on hold? Pick an audio file or send a text for speech synthesis (up to { $max_length } characters).
settings-hold_message_saved = Hold message saved.
settings-hold_text_too_long = The text is too long: { $length } characters, the limit is { $max_length }. Shorten it and send it again.
settings-ask_region = Region for numbers without a country code: a two-letter code such as RU or KZ. Now: { $region }.
settings-region_saved = Region: { $region }. Saved.
settings-region_invalid = “{ $value }” is not a country code. Send two Latin letters, e.g. RU.
settings-favourites_title = <b>Favourites</b>
settings-favourites_empty = No favourites yet. Add a number to call it with one tap.
settings-favourite_line = • { $name } — { $number }
settings-ask_favourite = Send a number and a name, e.g.: +7 999 123-45-67 John Smith
settings-favourite_added = ⭐ Added to favourites: { $name }, { $number }.
settings-favourite_removed = Removed from favourites: { $name }.
settings-favourites_full = You can keep up to { $max } favourites. Remove some first.
settings-employee_missing = You're not linked to a UIS employee yet, so I don't know whose phone rings first. Ask a bot admin to link you.
settings-employee_request_sent = Request sent to the bot admins. I'll let you know when you're linked to an employee.
settings-employee_assigned = You're linked to UIS employee { $employee }. Ready to call: /call
