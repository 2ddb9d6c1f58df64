### Bot administration

## admin

admin-users_title = <b>Bot users</b>
admin-users_empty = No users yet.
admin-user_line = <code>{ $user_id }</code> { $name } { $username } · { $status } · employee: { $employee }
admin-user_status-pending = awaiting approval
admin-user_status-approved = approved
admin-user_status-denied = denied
admin-user_status-blocked = blocked
admin-user_status-admin = admin
admin-approved = ✅ Access granted: { $name } (<code>{ $user_id }</code>).
admin-denied = ❌ Access closed: { $name } (<code>{ $user_id }</code>).
admin-user_not_found = No user with ID <code>{ $user_id }</code>.
admin-configured_admin = <code>{ $user_id }</code> is an administrator from CALLBOT_TELEGRAM__ADMIN_IDS: their access is not changed from the chat. Remove the ID from that setting and restart the bot.
admin-employee_assigned = 🔗 Linked: { $name } → UIS employee { $employee } (ID <code>{ $employee_id }</code>).
admin-employee_not_found = No employee with ID <code>{ $employee_id }</code> in the catalog. Refresh it: /catalog
admin-employee_request = 🔗 { $name } (<code>{ $user_id }</code>) asks to be linked to a UIS employee: /assign { $user_id } EMPLOYEE_ID
admin-usage = Usage: { $usage }
admin-catalog_ask = Send the catalog file in one message.
admin-catalog_imported =
    📚 Catalog imported.
    Employees: { $employees }
    Virtual numbers: { $virtual_numbers }
    Scenarios: { $scenarios }
    Audio files: { $media_files }
    Tags: { $tags }
admin-catalog_failed = Catalog not imported: { $reason }
admin-key_bound = 🔑 Key <code>{ $fingerprint }</code> bound to group “{ $group }”.
admin-audit_caption = Audit log for { $period }. Entries: { $count }.
admin-audit_empty = No actions during { $period }.
