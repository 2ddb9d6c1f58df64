### Администрирование бота

## admin

admin-users_title = <b>Пользователи бота</b>
admin-users_empty = Пользователей пока нет.
admin-user_line = <code>{ $user_id }</code> { $name } { $username } · { $status } · сотрудник: { $employee }
admin-user_status-pending = ждет одобрения
admin-user_status-approved = одобрен
admin-user_status-denied = отклонен
admin-user_status-blocked = заблокирован
admin-user_status-admin = администратор
admin-approved = ✅ Доступ открыт: { $name } (<code>{ $user_id }</code>).
admin-denied = ❌ Доступ закрыт: { $name } (<code>{ $user_id }</code>).
admin-user_not_found = Пользователь с ID <code>{ $user_id }</code> не найден.
admin-configured_admin = <code>{ $user_id }</code> — администратор из CALLBOT_TELEGRAM__ADMIN_IDS: его доступ из чата не меняется. Уберите ID из этой настройки и перезапустите бота.
admin-employee_assigned = 🔗 Привязка готова: { $name } → сотрудник UIS { $employee } (ID <code>{ $employee_id }</code>).
admin-employee_not_found = Сотрудника с ID <code>{ $employee_id }</code> нет в справочнике. Обновите его: /catalog
admin-employee_request = 🔗 { $name } (<code>{ $user_id }</code>) просит привязку к сотруднику UIS: /assign { $user_id } ID_сотрудника
admin-usage = Формат: { $usage }
admin-catalog_ask = Пришлите файл справочника одним сообщением.
admin-catalog_imported =
    📚 Справочник загружен.
    Сотрудники: { $employees }
    Виртуальные номера: { $virtual_numbers }
    Сценарии: { $scenarios }
    Аудиофайлы: { $media_files }
    Теги: { $tags }
admin-catalog_failed = Справочник не загружен: { $reason }
admin-key_bound = 🔑 Ключ <code>{ $fingerprint }</code> привязан к группе «{ $group }».
admin-audit_caption = Журнал действий за { $period }. Записей: { $count }.
admin-audit_empty = За { $period } действий не было.
