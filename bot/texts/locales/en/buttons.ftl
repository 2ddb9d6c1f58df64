### Buttons (plain text, short)

## buttons (plain, short)

btn-start_call = 📞 Call { $number }
btn-cancel = ✖️ Cancel call
btn-refresh = 🔄 Refresh
btn-hold = ⏸ Hold
btn-unhold = ▶️ Unhold
btn-record_on = ⏺ Record
btn-record_off = ⏹ Stop recording
btn-tag = 🏷 Tag
btn-keypad = 🔢 Keypad
btn-talk_options = ⚙️ Talk options
btn-coach = 🎧 Coach
btn-coach_default = Coach from settings
btn-disconnect_leg = ✂️ Disconnect a party
btn-block = 🚫 Blacklist
btn-release = 📴 Hang up
btn-transfer = ↪️ Transfer…
btn-transfer_now = ⏩ Transfer now
btn-restore = ↩️ Back to client
btn-complete_transfer = ✅ Complete transfer
btn-enter_number = ⌨️ Enter a number
btn-back = ⬅️ Back
btn-confirm = Yes, confirm
btn-cancel_action = Cancel
btn-close = Close
btn-approve = ✅ Approve
btn-deny = ❌ Deny
btn-login_key = 🔑 Access key
btn-login_password = 👤 Login and password
btn-stay_signed_in = Stay signed in
btn-session_only = Just for an hour
btn-settings_virtual_number = 📱 Virtual number
btn-settings_hold = ⏸ Hold message
btn-settings_region = 🌍 Region
btn-settings_favourites = ⭐ Favourites
btn-favourite_add = ➕ Add
btn-favourite_remove = 🗑 { $name }
btn-request_employee = Request linking
