### Доступ к боту: заявки, одобрение, отказ

## access

access-pending = ⏳ Заявка на доступ отправлена. Ее одобряет администратор бота: { $admins }. Я напишу, как только доступ откроют.
access-pending_no_admins = ⏳ Заявка на доступ сохранена, но администраторы бота еще не назначены. Обратитесь к тому, кто установил бота.
access-blocked = ⛔ Доступ к боту закрыт. Если это ошибка, обратитесь к администратору бота.
access-not_allowed = ⛔ Этот бот работает только для сотрудников компании из списка. Чтобы получить доступ, сообщите администратору бота ваш Telegram ID: <code>{ $user_id }</code>
access-approved = ✅ Доступ открыт! Войдите в UIS, чтобы звонить: /login
access-denied = Заявка на доступ отклонена. Если это ошибка, обратитесь к администратору бота.
access-admin_only = Эта команда только для администраторов бота.
access-admin_new_request =
    🆕 <b>Заявка на доступ</b>
    { $name } ({ $username }), Telegram ID <code>{ $user_id }</code>, язык: { $language }
access-admin_request_handled = Заявку уже обработали: { $admin }.

## /start from someone without access (appended: issue 15)

start-your_id = Ваш Telegram ID: <code>{ $user_id }</code>. Назовите его администратору бота; если бот только что установлен, его владелец вписывает этот ID в CALLBOT_TELEGRAM__ADMIN_IDS, чтобы стать первым администратором.
