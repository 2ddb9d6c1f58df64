### Access to the bot: requests, approval, refusal

## access

access-pending = ⏳ Access request sent. A bot admin approves it: { $admins }. I'll message you once you're in.
access-pending_no_admins = ⏳ Access request saved, but the bot has no admins yet. Please contact whoever set up the bot.
access-blocked = ⛔ Your access to this bot is closed. If this is a mistake, ask a bot admin.
access-not_allowed = ⛔ This bot is only for listed company staff. To get access, give a bot admin your Telegram ID: <code>{ $user_id }</code>
access-approved = ✅ Access granted! Sign in to UIS to start calling: /login
access-denied = Your access request was declined. If this is a mistake, ask a bot admin.
access-admin_only = This command is for bot admins only.
access-admin_new_request =
    🆕 <b>Access request</b>
    { $name } ({ $username }), Telegram ID <code>{ $user_id }</code>, language: { $language }
access-admin_request_handled = This request has already been handled: { $admin }.

## /start from someone without access (appended: issue 15)

start-your_id = Your Telegram ID: <code>{ $user_id }</code>. Give it to the bot's administrator; if the bot has just been installed, its owner puts this ID in CALLBOT_TELEGRAM__ADMIN_IDS to become the first administrator.
