### Кнопки (простой текст, коротко)

## buttons (plain, short)

btn-start_call = 📞 Позвонить { $number }
btn-cancel = ✖️ Отменить звонок
btn-refresh = 🔄 Обновить
btn-hold = ⏸ Удержание
btn-unhold = ▶️ Снять с удержания
btn-record_on = ⏺ Включить запись
btn-record_off = ⏹ Выключить запись
btn-tag = 🏷 Тег
btn-keypad = 🔢 Тональный набор
btn-talk_options = ⚙️ Опции разговора
btn-coach = 🎧 Тренер
btn-coach_default = Тренер из настроек
btn-disconnect_leg = ✂️ Отключить участника
btn-block = 🚫 В черный список
btn-release = 📴 Завершить
btn-transfer = ↪️ Перевести…
btn-transfer_now = ⏩ Перевести сразу
btn-restore = ↩️ Вернуться к клиенту
btn-complete_transfer = ✅ Завершить перевод
btn-enter_number = ⌨️ Ввести номер
btn-back = ⬅️ Назад
btn-confirm = Да, подтверждаю
btn-cancel_action = Отмена
btn-close = Закрыть
btn-approve = ✅ Одобрить
btn-deny = ❌ Отклонить
btn-login_key = 🔑 Ключ доступа
btn-login_password = 👤 Логин и пароль
btn-stay_signed_in = Оставаться в системе
btn-session_only = Только на час
btn-settings_virtual_number = 📱 Виртуальный номер
btn-settings_hold = ⏸ Удержание
btn-settings_region = 🌍 Регион
btn-settings_favourites = ⭐ Избранное
btn-favourite_add = ➕ Добавить
btn-favourite_remove = 🗑 { $name }
btn-request_employee = Запросить привязку
