### Greeting, /help and common replies
###
### English texts of the bot (Telegram users whose language_code starts with "en"). Same ids and
### variables as ru/ (tests enforce it). Ids under btn-, cmd-, alert-, done- and duration- are
### plain text; every other text is Telegram HTML. UIS interface names follow the CallGear/UIS
### English personal account where they exist.

## start / help

start-welcome = Hello, { $name }!
help-about = I place calls to your clients through the UIS cloud PBX right from Telegram. Each call gets a card with buttons: hold, transfer, record, tag, keypad, blacklist and hang up.
help-commands_title = <b>Commands</b>
help-admin_title = <b>For bot admins</b>
help-command_line = /{ $command } — { $description }
help-pending = Calls are available once an admin approves your request. I'll message you as soon as that happens.
help-number_tip = Tip: send or forward any message with a phone number, or share a contact, and I'll offer a “Call” button.
common-cancelled = Cancelled.
common-saved = Saved.
common-unknown_command = No such command. See /help
common-private_chat_only = This command works only in a private chat with me.
common-not_available_yet = This feature is not available yet.
