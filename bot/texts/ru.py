"""Russian texts of the bot (the default language).

Templates use str.format placeholders; the parameters are escaped by ``t()``. Keys under
``btn.``, ``cmd.``, ``alert.``, ``done.`` and ``duration.`` are plain text (buttons, the command
menu, callback alerts): no markup in them. Every other text is Telegram HTML (<b>, <i>, <code>).
Wording follows the UIS personal account: "виртуальный номер", "сотрудник", "баллы",
"удержание", "перевод", "сценарий", "тег", "черный список", "ключ доступа", "личный кабинет".
Counts are written as "слово: N" so that no Russian plural form is ever needed.
"""

from __future__ import annotations

TEXTS: dict[str, str] = {
    # ---- start / help ------------------------------------------------------------------------
    "start.welcome": "Здравствуйте, {name}!",
    "help.about": (
        "Я помогаю звонить клиентам через облачную АТС UIS прямо из Telegram: запускаю звонок, "
        "а на карточке звонка есть кнопки — удержание, перевод, запись, тег, тональный набор, "
        "черный список и завершение."
    ),
    "help.commands_title": "<b>Команды</b>",
    "help.admin_title": "<b>Для администраторов бота</b>",
    "help.command_line": "/{command} — {description}",
    "help.pending": (
        "Пока администратор не одобрил вашу заявку, звонки недоступны. "
        "Я напишу, как только доступ откроют."
    ),
    "help.number_tip": (
        "Совет: пришлите или перешлите сообщение с номером телефона либо поделитесь контактом — "
        "я предложу кнопку «Позвонить»."
    ),
    "common.cancelled": "Отменено.",
    "common.saved": "Сохранено.",
    "common.unknown_command": "Такой команды нет. Список команд: /help",
    "common.private_chat_only": "Эта команда работает только в личном чате со мной.",
    "common.not_available_yet": "Эта функция пока недоступна.",
    # ---- command menu (setMyCommands: plain text, 3..256 characters) --------------------------
    "cmd.start": "Начать работу с ботом",
    "cmd.help": "Что умеет бот и список команд",
    "cmd.call": "Позвонить клиенту: сначала зазвонит ваш телефон",
    "cmd.simple_call": "Соединить два любых номера через виртуальный номер",
    "cmd.vcall": "Звонок клиенту через сценарий виртуального номера",
    "cmd.scenario": "Звонок клиенту по выбранному сценарию",
    "cmd.inform": "Информационный вызов: проиграть клиенту запись или текст",
    "cmd.calls": "Текущие звонки и управление ими",
    "cmd.block": "Добавить собеседника в черный список",
    "cmd.limits": "Остаток баллов Call API",
    "cmd.history": "Мои последние запросы к UIS",
    "cmd.settings": "Виртуальный номер, удержание, регион, избранное",
    "cmd.login": "Войти в UIS: ключ доступа или логин и пароль",
    "cmd.logout": "Выйти из UIS",
    "cmd.users": "Пользователи бота и заявки на доступ",
    "cmd.approve": "Одобрить заявку: /approve ID",
    "cmd.deny": "Отклонить заявку или закрыть доступ: /deny ID",
    "cmd.assign": "Привязать пользователя к сотруднику UIS: /assign ID ID_сотрудника",
    "cmd.catalog": "Загрузить справочник: сотрудники, номера, сценарии, теги, файлы",
    "cmd.bindkey": "Привязать общий ключ доступа к группе пользователей",
    "cmd.audit": "Выгрузить журнал действий",
    # ---- access ------------------------------------------------------------------------------
    "access.pending": (
        "⏳ Заявка на доступ отправлена. Ее одобряет администратор бота: {admins}. "
        "Я напишу, как только доступ откроют."
    ),
    "access.pending_no_admins": (
        "⏳ Заявка на доступ сохранена, но администраторы бота еще не назначены. "
        "Обратитесь к тому, кто установил бота."
    ),
    "access.blocked": "⛔ Доступ к боту закрыт. Если это ошибка, обратитесь к администратору бота.",
    "access.not_allowed": (
        "⛔ Этот бот работает только для сотрудников компании из списка. "
        "Чтобы получить доступ, сообщите администратору бота ваш Telegram ID: "
        "<code>{user_id}</code>"
    ),
    "access.approved": "✅ Доступ открыт! Войдите в UIS, чтобы звонить: /login",
    "access.denied": (
        "Заявка на доступ отклонена. Если это ошибка, обратитесь к администратору бота."
    ),
    "access.admin_only": "Эта команда только для администраторов бота.",
    "access.admin_new_request": (
        "🆕 <b>Заявка на доступ</b>\n"
        "{name} ({username}), Telegram ID <code>{user_id}</code>, язык: {language}"
    ),
    "access.admin_request_handled": "Заявку уже обработали: {admin}.",
    # ---- login / logout ----------------------------------------------------------------------
    "login.private_only": (
        "🔒 Ключи и пароли присылайте только в личном чате со мной — не в группе. "
        "Откройте личный чат и отправьте /login"
    ),
    "login.choose_method": (
        "Как войти в UIS?\n\n"
        "<b>Ключ доступа</b> — рекомендуем: не истекает каждый час. Создается в личном кабинете, "
        "в настройках пользователя, раздел «Доступ по ключу».\n\n"
        "<b>Логин и пароль</b> — сессия действует 1 час, потом нужно войти снова. "
        "Можно включить «Оставаться в системе»: я сохраню пароль в зашифрованном виде "
        "и буду продлевать сессию сам."
    ),
    "login.ask_key": (
        "Пришлите ключ доступа одним сообщением. Сообщение я сразу удалю, "
        "а ключ сохраню в зашифрованном виде."
    ),
    "login.ask_login": "Введите логин пользователя UIS — тот же, что для входа в личный кабинет.",
    "login.ask_password": "Теперь пароль. Сообщение с ним я сразу удалю.",
    "login.ask_stay_signed_in": (
        "Оставаться в системе? Я сохраню пароль в зашифрованном виде и буду сам входить заново "
        "каждый час. Иначе через час придется ввести пароль снова."
    ),
    "login.secret_deleted": "🧹 Сообщение с секретом удалено из чата.",
    "login.secret_not_deleted": (
        "⚠️ Не получилось удалить сообщение с секретом — удалите его, пожалуйста, сами."
    ),
    "login.checking": "Проверяю в UIS…",
    "login.empty_input": "Пустое сообщение. Пришлите текст или нажмите «Отмена».",
    "login.cancelled": "Вход отменен.",
    "login.done_key": (
        "✅ Вы вошли по ключу доступа <code>{fingerprint}</code>. Ключ действует до {expires_at}."
    ),
    "login.done_key_no_expiry": (
        "✅ Вы вошли по ключу доступа <code>{fingerprint}</code>. Ключ без срока окончания."
    ),
    "login.done_session": (
        "✅ Вы вошли в UIS (сессия <code>{fingerprint}</code>). Сессия действует до {expires_at}; "
        "за 10 минут до конца я напомню."
    ),
    "login.done_session_stay": (
        "✅ Вы вошли в UIS (сессия <code>{fingerprint}</code>) до {expires_at}. "
        "Сессию я буду продлевать сам."
    ),
    "login.already_signed_in": (
        "Сейчас вы вошли (<code>{fingerprint}</code>). Если UIS больше не принимает этот вход "
        "или нужен другой, войдите заново — новый вход заменит текущий. Выйти: /logout"
    ),
    "login.expiry_warning": (
        "⏰ Сессия UIS закончится через {minutes} мин, в {expires_at}. "
        "Чтобы она не оборвалась во время звонка, войдите заново: /login"
    ),
    "login.key_expiry_warning": (
        "⏰ Ключ доступа <code>{fingerprint}</code> перестанет действовать {expires_at}. "
        "Создайте новый ключ в личном кабинете и войдите с ним: /login"
    ),
    "login.session_expired": "Сессия UIS закончилась. Чтобы звонить дальше, войдите снова: /login",
    "login.session_renewed": "Сессия UIS продлена до {expires_at}.",
    "logout.done_session": "Вы вышли из UIS, сессия закрыта.",
    "logout.done_key": (
        "Вы вышли из UIS. Ключ доступа удален из бота, но в UIS он по-прежнему действует: "
        "удалить или заблокировать его можно в личном кабинете, в настройках пользователя."
    ),
    "logout.not_signed_in": "Вы и так не вошли в UIS.",
    # ---- settings ----------------------------------------------------------------------------
    "settings.summary": (
        "<b>Настройки</b>\n"
        "Сотрудник UIS: {employee}\n"
        "Виртуальный номер: {virtual_number}\n"
        "На удержании: {hold_message}\n"
        "Регион номеров без кода страны: {region}\n"
        "Избранное, номеров: {favourites_count}"
    ),
    "settings.not_set": "не выбрано",
    "settings.hold_media": "аудиофайл «{name}»",
    "settings.hold_tts": "текст «{text}»",
    "settings.hold_default": "музыка по умолчанию",
    "settings.ask_virtual_number": (
        "Выберите виртуальный номер — клиент увидит его как номер, с которого звонят."
    ),
    "settings.no_virtual_numbers": (
        "В справочнике бота нет виртуальных номеров. "
        "Попросите администратора бота загрузить справочник: /catalog"
    ),
    "settings.virtual_number_saved": "Виртуальный номер: {number}. Сохранено.",
    "settings.ask_hold_message": (
        "Что услышит клиент на удержании? Выберите аудиофайл или пришлите текст — "
        "его прочитает синтезатор речи (максимум символов: {max_length})."
    ),
    "settings.hold_message_saved": "Сообщение на удержании сохранено.",
    "settings.hold_text_too_long": (
        "Текст слишком длинный: длина {length}, а лимит — {max_length}. Сократите и пришлите снова."
    ),
    "settings.ask_region": (
        "Регион для номеров без кода страны — двухбуквенный код, например RU или KZ. "
        "Сейчас: {region}."
    ),
    "settings.region_saved": "Регион: {region}. Сохранено.",
    "settings.region_invalid": (
        "«{value}» — не код страны. Пришлите две латинские буквы, например RU."
    ),
    "settings.favourites_title": "<b>Избранное</b>",
    "settings.favourites_empty": (
        "В избранном пока пусто. Добавьте номер, чтобы звонить в одно касание."
    ),
    "settings.favourite_line": "• {name} — {number}",
    "settings.ask_favourite": "Пришлите номер и имя, например: +7 999 123-45-67 Иван Петров",
    "settings.favourite_added": "⭐ В избранное добавлено: {name}, {number}.",
    "settings.favourite_removed": "Убрано из избранного: {name}.",
    "settings.favourites_full": (
        "В избранном уже максимум номеров: {max}. Сначала уберите лишние."
    ),
    "settings.employee_missing": (
        "Вы еще не привязаны к сотруднику UIS, поэтому я не знаю, чей телефон звонит первым. "
        "Попросите администратора бота сделать привязку."
    ),
    "settings.employee_request_sent": (
        "Запрос отправлен администраторам бота. Я сообщу, когда вас привяжут к сотруднику."
    ),
    "settings.employee_assigned": "Вы привязаны к сотруднику UIS: {employee}. Можно звонить: /call",
    # ---- starting a call ---------------------------------------------------------------------
    "call.ask_number": (
        "Кому звоним? Пришлите номер, например +7 999 123-45-67, или поделитесь контактом."
    ),
    "call.offer_number": "Нашел номер {number}. Позвонить?",
    "call.offer_many": "В сообщении несколько номеров — выберите, кому позвонить.",
    "call.no_number_found": "В сообщении не нашлось номера телефона.",
    "call.number_invalid": "⚠️ Не получилось разобрать {field}. Ожидается: {expected}.",
    "call.expected_phone": "номер в формате +7 999 123-45-67 или 79991234567",
    "call.expected_digit": "одна клавиша: 0–9, * или #",
    "field.contact": "номер клиента",
    "field.operator": "номер оператора",
    "field.transfer_target": "номер для перевода",
    "field.coach": "номер тренера",
    "field.favourite": "номер для избранного",
    "call.missing_setting": "Для звонка не хватает настройки: {setting}. Откройте /settings",
    "setting.virtual_number": "виртуальный номер",
    "setting.employee": "сотрудник UIS",
    "setting.hold_message": "сообщение на удержании",
    "setting.scenario": "сценарий",
    "setting.operator_number": "номер оператора",
    "call.ask_scenario": "Выберите сценарий.",
    "call.no_scenarios": (
        "В справочнике бота нет сценариев. Попросите администратора бота загрузить справочник."
    ),
    "call.ask_operator_number": (
        "С каким номером соединить клиента? Пришлите номер оператора — он будет управлять звонком."
    ),
    "call.ask_inform_message": (
        "Что проиграть клиенту? Пришлите текст (максимум символов: {max_length}) "
        "или выберите аудиофайл. После сообщения звонок завершится сам."
    ),
    "call.starting": "📞 Звоню на {number}…",
    "call.started": "📞 Звонок запущен, ID <code>{call_id}</code>.",
    "call.your_phone_first": (
        "Сначала зазвонит ваш телефон — возьмите трубку, потом я наберу клиента."
    ),
    "call.outcome_checking": (
        "Проверяю, начался ли звонок (внешний ID <code>{external_id}</code>)…"
    ),
    "call.outcome_found": (
        "✅ Звонок все-таки начался, ID <code>{call_id}</code>. Вот его карточка."
    ),
    "call.outcome_not_found": (
        "Звонок не начался: UIS его не зарегистрировал. Можно позвонить еще раз."
    ),
    # ---- call card ---------------------------------------------------------------------------
    "card.phase.starting": "⏳ Запуск звонка",
    "card.phase.dialing": "📞 Дозвон",
    "card.phase.talk": "🗣 Разговор",
    "card.phase.hold": "⏸ Клиент на удержании",
    "card.phase.waiting_input": "⏸ Клиент на удержании · ждем номер",
    "card.phase.dialing_third": "📲 Набираем третьего участника · клиент на удержании",
    "card.phase.consulting": "👥 Консультация · клиент на удержании",
    "card.phase.finished": "☑️ Звонок завершен",
    "card.phase.transferred": "↪️ Звонок переведен",
    "card.title": "<b>{phase}</b>",
    "card.contact": "Клиент: {contact}",
    "card.contact_named": "Клиент: {name}, {contact}",
    "card.virtual_number": "Виртуальный номер: {number}",
    "card.virtual_number_named": "Виртуальный номер: {number} ({name})",
    "card.call_id": "ID звонка: <code>{call_id}</code>",
    "card.duration": "Длительность: {duration}",
    "card.legs_title": "Участники:",
    "card.leg": "• {role}: {name} — {status}",
    "card.leg_unconfirmed": "• {role}: {name}",
    "update.interrupted": (
        "⚠️ Это я уже получал до перезапуска бота и не знаю, успел ли выполнить. Проверьте "
        "/calls, прежде чем повторять."
    ),
    "card.phase.not_started": "❌ Звонок не начат",
    "card.phase.no_answer": "📵 Нет ответа",
    "card.phase.not_found": "❔ Звонка нет среди текущих",
    "card.phase.ringing": "🔔 Вам звонят",
    "card.phase.answered_elsewhere": "☎️ Ответил другой сотрудник",
    "card.answered_by": "Ответил: {name}",
    "card.ringing_hint": "Снимите трубку: кнопки появятся, когда начнется разговор.",
    "card.scenario": "Сценарий: {name}",
    "card.calls_from_number": "Звонков с этого номера: {count}",
    "card.no_answer.contact": "Клиент не ответил.",
    "card.no_answer.me": "Ваш телефон не ответил, поэтому клиенту я не звонил.",
    "card.not_found": (
        "UIS не показывает этот звонок среди текущих: он не начался или уже прозвонил и "
        "закончился. Проверьте историю звонков, прежде чем звонить снова."
    ),
    "card.role.contact": "Клиент",
    "card.role.me": "Вы",
    "card.role.employee": "Сотрудник",
    "card.role.other": "Третий участник",
    "card.role.operator": "Оператор",
    "card.role.coach": "Тренер",
    "card.leg_status.dialing": "дозвон",
    "card.leg_status.talking": "разговор",
    "card.leg_status.queued": "в очереди",
    "card.leg_status.disconnected": "отключен",
    "card.leg_status.operators_talking": "разговор операторов",
    "card.leg_status.on_hold": "на удержании",
    "card.leg_status.transferring": "перевод",
    "card.leg_status.sending_dtmf": "тональный набор",
    "card.leg_status.fax": "факс",
    "card.leg_status.unknown": "состояние неизвестно",
    "card.tags": "Теги: {tags}",
    "card.recording_on": "🔴 Идет запись",
    "recording.caption": "🎙 Запись разговора, звонок {call_id}",
    "recording.too_big": (
        "🎙 Запись разговора (звонок {call_id}) весит {size_mb} МБ — больше, чем бот может "
        "отправить в Telegram. Откройте её в личном кабинете UIS."
    ),
    "recording.too_big_over": (
        "🎙 Запись разговора (звонок {call_id}) больше {size_mb} МБ — больше, чем бот может "
        "отправить в Telegram. Откройте её в личном кабинете UIS."
    ),
    "recording.unavailable": (
        "🎙 Запись разговора (звонок {call_id}) не удалось получить. Она есть в личном кабинете UIS."
    ),
    "card.transfer_target": "Перевод на: {target}",
    "card.updated_at": "Обновлено в {time}",
    "card.ask_tag": "Какой тег поставить?",
    "card.no_tags": "В справочнике бота нет тегов.",
    "card.ask_dtmf": "Нажмите клавишу — я передам тон в звонок.",
    "card.ask_talk_option": "Опции разговора из настроек АТС:",
    "card.no_talk_options": "В АТС не настроены опции разговора.",
    "card.ask_leg": "Кого отключить? Если отключить клиента, звонок завершится.",
    "card.ask_transfer_target": "Кому перевести? Выберите сотрудника или пришлите номер.",
    "card.ask_coach": "Кого позвать тренером? Тренер из настроек UIS или любой номер.",
    "card.transfer_now_warning": (
        "⚠️ Перевести сразу, не дожидаясь ответа? Если {target} не ответит, "
        "клиент будет потерян — звонок завершится."
    ),
    "card.block_confirm": (
        "🚫 Добавить {contact} в черный список? Звонки с этого номера и на него будут "
        "блокироваться. Убрать номер из черного списка сможет только администратор аккаунта "
        "в личном кабинете UIS."
    ),
    "card.release_confirm": "Завершить звонок для всех участников?",
    "call.action_done": "✅ {action}",
    "call.progress": "⏳ Отправляю…",
    # ---- outcomes of card actions (plain: used in callback alerts too) -----------------------
    "done.hold": "Клиент на удержании",
    "done.unhold": "Разговор продолжен",
    "done.record_on": "Запись включена",
    "done.record_off": "Запись выключена",
    "done.tag": "Тег «{tag}» поставлен",
    "done.dtmf": "Клавиша {digit} нажата",
    "done.talk_option": "Опция «{option}» выполнена",
    "done.coach": "Тренер вызван",
    "done.disconnect_leg": "Отключен участник: {name}",
    "done.block": "Номер добавлен в черный список",
    "done.release": "Звонок завершен",
    "done.make_call": "Набираем: {target}",
    "done.transfer": "Клиент переведен",
    "done.restore": "Вы снова говорите с клиентом",
    "done.cancel": "Звонок отменен",
    # ---- buttons (plain, short) --------------------------------------------------------------
    "btn.start_call": "📞 Позвонить {number}",
    "btn.cancel": "✖️ Отменить звонок",
    "btn.refresh": "🔄 Обновить",
    "btn.hold": "⏸ Удержание",
    "btn.unhold": "▶️ Снять с удержания",
    "btn.record_on": "⏺ Включить запись",
    "btn.record_off": "⏹ Выключить запись",
    "btn.tag": "🏷 Тег",
    "btn.keypad": "🔢 Тональный набор",
    "btn.talk_options": "⚙️ Опции разговора",
    "btn.coach": "🎧 Тренер",
    "btn.coach_default": "Тренер из настроек",
    "btn.disconnect_leg": "✂️ Отключить участника",
    "btn.block": "🚫 В черный список",
    "btn.release": "📴 Завершить",
    "btn.transfer": "↪️ Перевести…",
    "btn.transfer_now": "⏩ Перевести сразу",
    "btn.restore": "↩️ Вернуться к клиенту",
    "btn.complete_transfer": "✅ Завершить перевод",
    "btn.enter_number": "⌨️ Ввести номер",
    "btn.back": "⬅️ Назад",
    "btn.confirm": "Да, подтверждаю",
    "btn.cancel_action": "Отмена",
    "btn.close": "Закрыть",
    "btn.approve": "✅ Одобрить",
    "btn.deny": "❌ Отклонить",
    "btn.login_key": "🔑 Ключ доступа",
    "btn.login_password": "👤 Логин и пароль",
    "btn.stay_signed_in": "Оставаться в системе",
    "btn.session_only": "Только на час",
    "btn.settings_virtual_number": "📱 Виртуальный номер",
    "btn.settings_hold": "⏸ Удержание",
    "btn.settings_region": "🌍 Регион",
    "btn.settings_favourites": "⭐ Избранное",
    "btn.favourite_add": "➕ Добавить",
    "btn.favourite_remove": "🗑 {name}",
    "btn.request_employee": "Запросить привязку",
    # ---- callback alerts (plain, at most 200 characters) -------------------------------------
    "alert.not_your_call": "Это не ваш звонок: кнопками управляет тот, кто его начал.",
    "alert.not_your_button": "Эта кнопка не для вас.",
    "alert.stale": "Кнопка устарела — карточка уже обновилась.",
    "alert.repeated": "Уже выполняю, подождите.",
    "alert.sending": "Отправляю…",
    "alert.call_finished": "Звонок уже завершен.",
    "alert.error": "⚠️ {error}",
    # ---- points limits -----------------------------------------------------------------------
    "limits.footer": "минута {minute_remaining}/{minute_limit} · день {day_remaining}/{day_limit}",
    "limits.footer_unknown": "баллы: пока неизвестно",
    "limits.full": (
        "<b>Баллы Call API</b>\n"
        "В минуту: осталось {minute_remaining} из {minute_limit}, обновятся через "
        "{minute_reset_in}\n"
        "В день: осталось {day_remaining} из {day_limit}, обновятся через {day_reset_in}\n"
        "Резерв для действий во время звонка: {reserve}\n"
        "<i>Данные на {as_of}</i>"
    ),
    "limits.full_unknown": (
        "<b>Баллы Call API</b>\n"
        "Остаток пока неизвестен: UIS сообщает его в ответе на любой запрос. "
        "Он появится после первого действия."
    ),
    # ---- /calls and /history -----------------------------------------------------------------
    "calls.title": "<b>Текущие звонки</b>",
    "calls.line": "• {contact} — {phase}, {duration}",
    "calls.empty": "Сейчас звонков нет.",
    "history.title": "<b>Последние запросы к UIS</b>",
    "history.line": "{time} · {contact} · {duration} · {status}",
    "history.audit_line": "{time} · <code>{method}</code> · {outcome} · {call}",
    "history.outcome_ok": "✅ выполнено",
    "history.outcome_refused": "⏸ не отправлено: баллы",
    "history.outcome_unknown": "❔ отправлено, итог неизвестен",
    "history.call_suffix": "ID {call_id}",
    "history.empty": "Запросов к UIS пока не было.",
    "history.status.answered": "состоялся",
    "history.status.not_answered": "без ответа",
    "history.status.transferred": "переведен",
    "history.status.failed": "ошибка",
    "history.status.unknown": "неизвестно",
    # ---- errors (the frame around explain_error's texts) -------------------------------------
    "error.message": "⚠️ {title}\n{explanation}\n👉 {action}",
    # ---- durations (plain) -------------------------------------------------------------------
    "duration.seconds": "{seconds} с",
    "duration.minutes": "{minutes} мин",
    "duration.minutes_seconds": "{minutes} мин {seconds} с",
    "duration.hours": "{hours} ч",
    "duration.hours_minutes": "{hours} ч {minutes} мин",
    # ---- admin -------------------------------------------------------------------------------
    "admin.users_title": "<b>Пользователи бота</b>",
    "admin.users_empty": "Пользователей пока нет.",
    "admin.user_line": (
        "<code>{user_id}</code> {name} {username} · {status} · сотрудник: {employee}"
    ),
    "admin.user_status.pending": "ждет одобрения",
    "admin.user_status.approved": "одобрен",
    "admin.user_status.denied": "отклонен",
    "admin.user_status.blocked": "заблокирован",
    "admin.user_status.admin": "администратор",
    "admin.approved": "✅ Доступ открыт: {name} (<code>{user_id}</code>).",
    "admin.denied": "❌ Доступ закрыт: {name} (<code>{user_id}</code>).",
    "admin.user_not_found": "Пользователь с ID <code>{user_id}</code> не найден.",
    "admin.employee_assigned": (
        "🔗 Привязка готова: {name} → сотрудник UIS {employee} (ID <code>{employee_id}</code>)."
    ),
    "admin.employee_not_found": (
        "Сотрудника с ID <code>{employee_id}</code> нет в справочнике. Обновите его: /catalog"
    ),
    "admin.employee_request": (
        "🔗 {name} (<code>{user_id}</code>) просит привязку к сотруднику UIS: "
        "/assign {user_id} ID_сотрудника"
    ),
    "admin.usage": "Формат: {usage}",
    "admin.catalog_ask": "Пришлите файл справочника одним сообщением.",
    "admin.catalog_imported": (
        "📚 Справочник загружен.\n"
        "Сотрудники: {employees}\n"
        "Виртуальные номера: {virtual_numbers}\n"
        "Сценарии: {scenarios}\n"
        "Аудиофайлы: {media_files}\n"
        "Теги: {tags}"
    ),
    "admin.catalog_failed": "Справочник не загружен: {reason}",
    "admin.key_bound": "🔑 Ключ <code>{fingerprint}</code> привязан к группе «{group}».",
    "admin.audit_caption": "Журнал действий за {period}. Записей: {count}.",
    "admin.audit_empty": "За {period} действий не было.",
    # ---- /start from someone without access (appended: issue 15) -----------------------------
    "start.your_id": (
        "Ваш Telegram ID: <code>{user_id}</code>. Назовите его администратору бота; "
        "если бот только что установлен, его владелец вписывает этот ID в "
        "CALLBOT_TELEGRAM__ADMIN_IDS, чтобы стать первым администратором."
    ),
    # ---- issue 14: bad input, refusals -------------------------------------------------------
    "alert.unknown_button": "Эта кнопка больше не действует. Отправьте команду заново.",
    "alert.unavailable": "Временно недоступно: попробуйте через минуту.",
    "common.unavailable": (
        "⏳ Временно недоступно: нет связи с базой данных. Попробуйте через минуту."
    ),
    "errors.unexpected_nothing_sent": (
        "⚠️ У меня что-то пошло не так. В UIS ничего не отправлено: можно попробовать ещё раз."
    ),
    "errors.unexpected_maybe_done": (
        "⚠️ У меня что-то пошло не так уже после запроса в UIS: UIS мог его выполнить. "
        "Проверьте карточку звонка (или /calls), прежде чем повторять."
    ),
    "common.not_understood": (
        "Я понимаю команды (/help), номера телефонов в тексте и присланные контакты."
    ),
    "call.sign_in_first": (
        "🔑 Сначала войдите в UIS: звонки идут от вашего имени. Звонок не начат."
    ),
    "btn.sign_in": "🔑 Войти",
    "call.inform_text_too_long": (
        "Текст слишком длинный: {length} символов, можно не больше {max_length}. Пришлите короче."
    ),
    "admin.employee_taken": (
        "Сотрудник <code>{employee_id}</code> уже привязан к другому пользователю. "
        "Сначала отвяжите его."
    ),
    "access.admin_more_requests": (
        "🆕 Заявок на доступ много: остальные минуту присылать не буду. "
        "Все они в /users (одобрить: /approve ID)."
    ),
    "history.title_zone": "<b>Последние запросы к UIS</b> (время {zone})",
    "history.background_line": (
        "{first}–{last} · 🔄 {count} × <code>{method}</code> в фоне (обновление карточек)"
    ),
    "error.message_explained": "⚠️ <b>{title}</b>\n{explanation}\n👉 {action}",
    "error.mnemonic_line": "<i>Код ошибки: <code>{mnemonic}</code></i>",
    "events.silent_admin": (
        "⚠️ <b>События UIS не доходят до бота.</b>\n"
        "По звонку {call_id} за {seconds} с не пришло ни одного события. Карточки снова "
        "обновляются запросами <code>list.calls</code>, а они тратят баллы.\n"
        "👉 Проверьте уведомления в личном кабинете UIS (по одному на событие, адреса из "
        "<code>callbot events templates</code>) и что адрес событий бота доступен."
    ),
    "card.summary.total": "Всего: {duration}",
    "card.summary.talk": "Разговор: {duration}",
    "card.summary.released_by": "Завершил из бота: {name}",
    "cmd.duty": "дежурство: входящие звонки без событий UIS (медленнее)",
    "duty.on": (
        "🟢 Вы на дежурстве. Звонки, которые звонят сотрудникам аккаунта, получают карточку у них "
        "в чате в пределах одного опроса (около {seconds} с; медленнее событий UIS), за баллы "
        "вашего входа. /duty off — закончить."
    ),
    "duty.on_not_signed_in": (
        "🟢 Вы на дежурстве, но для наблюдения нужен вошедший дежурный: сначала /login."
    ),
    "duty.on_events_flow": (
        "🟢 Вы на дежурстве. События UIS доходят до бота, поэтому карточки входящих звонков "
        "приходят сразу: наблюдение ждёт и включится само, если события пропадут."
    ),
    "duty.off": "⚪️ Вы сняты с дежурства.",
    "duty.off_nobody_left": (
        "⚪️ Вы сняты с дежурства. Сейчас никто не дежурит: без событий UIS карточки входящих "
        "звонков не появятся."
    ),
    "duty.status": "На дежурстве: {names}.",
    "duty.nobody": (
        "Никто не дежурит. Без событий UIS бот видит входящий звонок, только пока кто-то на "
        "дежурстве: /duty on."
    ),
    "duty.usage": "Отправьте /duty on или /duty off (/duty без слов — кто дежурит).",
    # ---- missed calls (issue "Missed calls with one owner for the call-back") ---------------
    "cmd.oncall_chat": "Сделать эту группу дежурной: сюда идут пропущенные звонки",
    "missed.title": "📵 <b>Пропущенный звонок</b>",
    "missed.title_count": "📵 <b>Пропущенные звонки: {count}</b> (последний в {time})",
    "missed.from": "От: {contact}",
    "missed.from_named": "От: {name}, {contact}",
    "missed.to": "На номер: {number}",
    "missed.to_named": "На номер: {number} ({name})",
    "missed.waited": "Ждал: {duration}",
    "missed.scenario": "Сценарий: {name}",
    "missed.claimed": "☎️ {name} перезванивает",
    "missed.claimed_you": "☎️ Вы перезваниваете: карточка звонка ниже",
    "missed.talked": "✅ {name} перезвонил(а), разговор состоялся",
    "missed.got_through": "✅ Клиент дозвонился сам",
    "missed.unanswered": (
        "❕ {name} перезванивал(а), разговор не состоялся. Можно перезвонить ещё раз"
    ),
    "btn.call_back": "📞 Перезвонить",
    "alert.missed_taken": "Уже перезванивает {name}.",
    "alert.missed_resolved": "Этот звонок уже обработан.",
    "alert.missed_premium": (
        "Не перезваниваю: {number} — платный номер (premium rate). Звонок не начат."
    ),
    "alert.missed_international": (
        "Не перезваниваю: {number} — международный номер. Звонок не начат, если нужно — "
        "позвоните сами через /call."
    ),
    "alert.missed_bad_number": "Не перезваниваю: «{number}» — не номер телефона. Звонок не начат.",
    "alert.missed_employee_missing": (
        "Вы не привязаны к сотруднику UIS: перезвонить не могу. Попросите администратора."
    ),
    "alert.missed_sign_in": "Сначала войдите в UIS (/login в личном чате со мной).",
    "alert.missed_no_virtual_number": (
        "Нет виртуального номера для звонка: выберите его в /settings."
    ),
    "alert.missed_calling": "Перезваниваю…",
    "alert.missed_failed": "Не получилось: попробуйте ещё раз через минуту.",
    "oncall.bound": (
        "✅ Эта группа теперь дежурная: сюда приходят пропущенные звонки, "
        "когда никого из сотрудников не вызывали."
    ),
    "oncall.group_only": "Отправьте /oncall_chat в группе, которую нужно сделать дежурной.",
    "missed.unconfirmed": (
        "❔ Перезвона ({name}) нет среди текущих звонков: он мог прозвонить и закончиться. "
        "Проверьте, прежде чем перезванивать снова"
    ),
}
