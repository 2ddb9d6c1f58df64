### Signing in to UIS and out

## login / logout

login-private_only = 🔒 Send keys and passwords only in a private chat with me, never in a group. Open a private chat and send /login
login-choose_method =
    How do you want to sign in to UIS?

    <b>Access key</b> (recommended): does not expire every hour. Create one in the personal account, user settings, “Access by key”.

    <b>Login and password</b>: the session lasts 1 hour, then you sign in again. You can turn on “Stay signed in”: I'll keep your password encrypted and renew the session myself.
login-ask_key = Send the access key in one message. I'll delete the message right away and store the key encrypted.
login-ask_login = Enter your UIS user login, the one you use for the personal account.
login-ask_password = Now the password. I'll delete that message right away.
login-ask_stay_signed_in = Stay signed in? I'll keep your password encrypted and sign in again every hour by myself. Otherwise you'll need to enter it again in an hour.
login-secret_deleted = 🧹 The message with your secret has been deleted from the chat.
login-secret_not_deleted = ⚠️ I couldn't delete the message with your secret. Please delete it yourself.
login-checking = Checking with UIS…
login-empty_input = That message is empty. Send the text or tap “Cancel”.
login-cancelled = Sign-in cancelled.
login-done_key = ✅ Signed in with access key <code>{ $fingerprint }</code>. The key is valid until { $expires_at }.
login-done_key_no_expiry = ✅ Signed in with access key <code>{ $fingerprint }</code>. The key has no end date.
login-done_session = ✅ Signed in to UIS (session <code>{ $fingerprint }</code>). The session lasts until { $expires_at }; I'll remind you 10 minutes before it ends.
login-done_session_stay = ✅ Signed in to UIS (session <code>{ $fingerprint }</code>) until { $expires_at }. I'll renew the session myself.
login-already_signed_in = You're signed in (<code>{ $fingerprint }</code>). If UIS no longer accepts it, or you need another one, sign in again: the new sign-in replaces it. Sign out: /logout
login-expiry_warning = ⏰ Your UIS session ends in { $minutes } min, at { $expires_at }. So that it doesn't drop mid-call, sign in again: /login
login-key_expiry_warning = ⏰ Access key <code>{ $fingerprint }</code> stops working on { $expires_at }. Create a new key in the personal account and sign in with it: /login
login-session_expired = Your UIS session has ended. To keep calling, sign in again: /login
login-session_renewed = UIS session renewed until { $expires_at }.
logout-done_session = Signed out of UIS; the session is closed.
logout-done_key = Signed out of UIS. The bot no longer keeps your access key, but the key still works in UIS: delete or block it in the personal account, in your user settings.
logout-not_signed_in = You're not signed in to UIS.
