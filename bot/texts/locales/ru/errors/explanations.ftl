### Объяснения ошибок Call API и собственных ошибок бота (русский).
###
### Id = мнемоника UIS; уточнение для метода, группы методов, типа лимита или кода ошибки:
### invalid_state--make-call, outcome_unknown--start, limit_exceeded--day, unknown--code-32002.
### Атрибуты .title, .explanation, .action (Telegram HTML); запасные варианты .explanation-2…:
### берется первый, все переменные которого известны. Уточнение может опустить атрибут — тогда
### остается текст основной записи. Имена переменных: bot/texts/errors.py; id: bot/texts/catalog.py.

## Shared texts

-bot-bug = Это ошибка бота, а не ваша. Повторите; если не поможет — сообщите администратору бота.
-nothing-to-do = Ничего делать не нужно.
-refresh-card = Обновите карточку звонка и выберите доступное действие.
-catalog = Выберите другой вариант. Администратор бота может обновить справочник: /catalog
-direction-title = Направление звонка запрещено
-direction-explanation = Правила безопасности аккаунта запрещают звонки в этом направлении — например, международные (они запрещены по умолчанию).
-direction-action = Позвоните на другой номер или попросите администратора аккаунта разрешить это направление для Call API в личном кабинете UIS.

## common errors (any method)

invalid_request =
    .title = Неверный запрос
    .explanation = UIS не принял запрос бота: в нем нет обязательных служебных полей.
    .action = { -bot-bug }

parse_error =
    .title = Поврежденный запрос
    .explanation = UIS не смог прочитать запрос бота.
    .action = { -bot-bug }

method_not_found =
    .title = Метод недоступен
    .explanation = UIS не знает метод <code>{ $method }</code> — возможно, версия Call API устарела.
    .explanation-2 = UIS не знает этот метод — возможно, версия Call API устарела.
    .action = Сообщите администратору бота.

batch_opreations_not_supported =
    .title = Пакетные запросы не поддерживаются
    .explanation = Бот отправил несколько запросов одним пакетом, а Call API так не умеет.
    .action = { -bot-bug }

batch_operations_not_supported =
    .title = Пакетные запросы не поддерживаются
    .explanation = Бот отправил несколько запросов одним пакетом, а Call API так не умеет.
    .action = { -bot-bug }

notifications_not_supported =
    .title = Запрос без ID
    .explanation = Бот отправил запрос без идентификатора, а Call API такие не принимает.
    .action = { -bot-bug }

access_token_expired =
    .title = Срок действия ключа истек
    .explanation = Срок действия вашего постоянного ключа доступа закончился.
    .action = Создайте новый ключ в личном кабинете UIS (настройки пользователя, «Доступ по ключу») и войдите с ним: /login

access_token_blocked =
    .title = Ключ заблокирован
    .explanation = Ваш ключ доступа заблокирован в UIS.
    .action = Создайте новый ключ в личном кабинете UIS (настройки пользователя) или попросите администратора аккаунта проверить ключ. Затем войдите снова: /login

access_token_invalid =
    .title = Ключ недействителен
    .explanation = UIS не узнает ключ: сессия входа закончилась (она живет 1 час) или ключ удален в личном кабинете.
    .action = Войдите снова: /login

auth_error =
    .title = Неверный логин или пароль
    .explanation = UIS не принял логин или пароль.
    .action = Проверьте раскладку и регистр и войдите снова: /login. Надежнее войти по ключу доступа.

ip_not_whitelisted =
    .title = IP-адрес бота не разрешен
    .explanation = UIS отклонил запрос с адреса <code>{ $ip }</code>: его нет в списке IP-адресов, которым разрешен Call API.
    .explanation-2 = UIS отклонил запрос: IP-адреса сервера бота нет в списке адресов, которым разрешен Call API.
    .action = Попросите администратора аккаунта UIS добавить IP <code>{ $ip }</code> в личном кабинете: Администратор → Аккаунт → Правила и настройки безопасности → вкладка API.
    .action-2 = Попросите администратора аккаунта UIS добавить IP-адрес сервера бота (его знает администратор бота) в личном кабинете: Администратор → Аккаунт → Правила и настройки безопасности → вкладка API.

forbidden =
    .title = Нет прав
    .explanation = У вашего пользователя UIS нет прав на это действие. Для работы через бота нужно право «Доступ к Call API».
    .action = Попросите администратора аккаунта выдать права в личном кабинете UIS.

forbidden--record-call =
    .title = Запись нельзя выключить
    .explanation = Запись разговоров включена в настройках сотрудника для всех звонков — через Call API ее не выключить.
    .action = Если запись действительно не нужна, попросите администратора аккаунта изменить настройки сотрудника.

forbidden--call-talk_option =
    .title = Опция запрещена
    .explanation = UIS не разрешил эту опцию разговора — например, нельзя выключить запись, включенную в настройках сотрудника.
    .action = Выберите другую опцию или уточните настройки у администратора аккаунта.

component_disabled =
    .title = Компонент не подключен
    .explanation = Для этого действия нужен компонент «{ $component }», а в вашем аккаунте UIS он не подключен.
    .explanation-2 = Для этого действия нужен компонент Call API, который в вашем аккаунте UIS не подключен.
    .action = Попросите администратора аккаунта подключить компонент «{ $component }» (или обратитесь к вашему менеджеру UIS).
    .action-2 = Попросите администратора аккаунта подключить нужный компонент Call API (или обратитесь к вашему менеджеру UIS).

account_inactive =
    .title = Аккаунт отключен
    .explanation = Ваш аккаунт UIS заблокирован или отключен.
    .action = Обратитесь в службу поддержки UIS или к вашему менеджеру.

limit_exceeded =
    .title = Баллы Call API закончились
    .explanation = Лимит баллов Call API исчерпан, новые начислятся через { $reset_in }.
    .explanation-2 = Лимит баллов Call API исчерпан.
    .action = Повторите через { $reset_in }. Поднять лимит поможет ваш менеджер UIS.
    .action-2 = Повторите чуть позже. Поднять лимит поможет ваш менеджер UIS.

limit_exceeded--minute =
    .title = Баллы на эту минуту закончились
    .explanation = Минутный лимит ({ $limit }) исчерпан, новые баллы — через { $reset_in }.
    .explanation-2 = Минутный лимит баллов исчерпан, новые баллы — через { $reset_in }.
    .explanation-3 = Минутный лимит ({ $limit }) исчерпан, новые баллы — в течение минуты.
    .explanation-4 = Минутный лимит баллов исчерпан, новые баллы — в течение минуты.
    .action = Повторите через { $reset_in }.
    .action-2 = Повторите через минуту.

limit_exceeded--day =
    .title = Баллы на сегодня закончились
    .explanation = Дневной лимит ({ $limit }) исчерпан, баллы обновятся через { $reset_in }.
    .explanation-2 = Дневной лимит баллов исчерпан, баллы обновятся через { $reset_in }.
    .explanation-3 = Дневной лимит ({ $limit }) исчерпан.
    .explanation-4 = Дневной лимит баллов исчерпан.
    .action = До обновления лимита звонки через бота недоступны. Увеличить лимит поможет ваш менеджер UIS.

call_session_not_found =
    .title = Звонок не найден
    .explanation = UIS не нашел этот звонок — скорее всего, он уже завершен.
    .action = Посмотрите текущие звонки: /calls

internal_error =
    .title = Сбой на стороне UIS
    .explanation = В UIS произошла внутренняя ошибка.
    .action = Повторите через минуту. Если не поможет — напишите в поддержку UIS и укажите время запроса: { $time }.
    .action-2 = Повторите через минуту. Если не поможет — напишите в поддержку UIS и укажите время запроса.

data_type_error =
    .title = Неверный тип данных
    .explanation = UIS ожидал значение другого типа в поле <code>{ $field }</code>.
    .explanation-2 = UIS ожидал значение другого типа в одном из полей.
    .action = { -bot-bug }

required_parameter_missed =
    .title = Не хватает параметра
    .explanation = UIS ждал параметр <code>{ $field }</code>, но бот его не передал.
    .explanation-2 = UIS ждал параметр, который бот не передал.
    .action = Проверьте настройки (/settings) и повторите. Если не поможет — сообщите администратору бота.

invalid_parameter_value =
    .title = Недопустимое значение
    .explanation = UIS не принял значение <code>{ $value }</code> в поле <code>{ $field }</code>.
    .explanation-2 = UIS не принял значение поля <code>{ $field }</code>.
    .explanation-3 = UIS не принял одно из значений запроса.
    .action = Проверьте номер и настройки (/settings) и повторите. Если не поможет — сообщите администратору бота.

unexpected_parameters =
    .title = Лишний параметр
    .explanation = UIS не знает параметр <code>{ $field }</code>.
    .explanation-2 = В запросе есть параметр, который UIS не знает.
    .action = { -bot-bug }

## errors documented outside the common table

invalid_parameters_combination =
    .title = Недопустимое сочетание настроек
    .explanation = UIS не разрешает такое сочетание настроек звонка (порядок дозвона и соединение).
    .action = { -bot-bug }

character_encoding_not_allowed =
    .title = Неподходящие символы
    .explanation = UIS принимает текст только в кодировке UTF-8, а в тексте есть другие символы.
    .action = Уберите из текста необычные символы и повторите.

invalid_state =
    .title = Сейчас это действие недоступно
    .explanation = В текущем состоянии звонка это действие выполнить нельзя.
    .action = { -refresh-card }

invalid_state--make-call =
    .explanation = Набрать третьего участника можно, только когда клиент на удержании.
    .action = Сначала нажмите «Удержание», затем «Перевести…».

invalid_state--transfer-talk =
    .explanation = Перевести звонок можно, только когда третий участник уже набирается или вы с ним разговариваете.
    .action = Нажмите «Перевести…» и выберите, кому перевести.

invalid_state--restore-talk =
    .explanation = Вернуться к клиенту этой кнопкой можно, только пока набирается третий участник или идет консультация с ним.
    .action = Обновите карточку. Если клиент на удержании, нажмите «Снять с удержания».

invalid_state--hold-call =
    .explanation = Поставить на удержание можно только во время разговора.
    .action = Дождитесь, пока клиент ответит, и повторите.

invalid_state--unhold-call =
    .explanation = Снять с удержания можно, только если клиент на удержании.
    .action = { -refresh-card }

invalid_state--call-talk_option =
    .explanation = Опции разговора доступны только во время разговора.
    .action = Дождитесь ответа клиента. В исходящем звонке опции работают через 30 секунд после начала разговора.

# The reference lists the undocumented -32002 direction refusal as mnemonic "unknown"; the
# bot also uses "unknown" for any mnemonic it does not know (the original is then shown).
unknown =
    .title = Неизвестная ошибка
    .explanation = UIS вернул ошибку, которую бот не знает: «{ $message }».
    .explanation-2 = UIS вернул ошибку, которую бот не знает.
    .action = Повторите. Если ошибка не уходит, перешлите это сообщение администратору бота.

unknown--code-32002 =
    .title = { -direction-title }
    .explanation = { -direction-explanation }
    .action = { -direction-action }

# The simulator's name for the same refusal (the real mnemonic is undocumented).
call_direction_forbidden =
    .title = { -direction-title }
    .explanation = { -direction-explanation }
    .action = { -direction-action }

## method-specific errors

tts_text_exceeded =
    .title = Слишком длинный текст
    .explanation = Лимит длины текста для синтеза речи — { $max_length }, а в этом тексте — { $length }.
    .explanation-2 = Лимит длины текста для синтеза речи — { $max_length }.
    .explanation-3 = Текст длиннее, чем разрешает лимит аккаунта.
    .action = Сократите текст (лимит длины — { $max_length }) и повторите.
    .action-2 = Сократите текст и повторите.

media_file_not_found =
    .title = Аудиофайл не найден
    .explanation = В аккаунте нет аудиофайла с ID <code>{ $media_file_id }</code> — возможно, его удалили.
    .explanation-2 = Выбранного аудиофайла нет в аккаунте — возможно, его удалили.
    .action = Выберите другой файл в /settings. Администратор бота может обновить справочник: /catalog

virtual_phone_number_not_found =
    .title = Виртуальный номер не найден
    .explanation = Номер { $number } не арендован в вашем аккаунте UIS.
    .explanation-2 = Выбранный виртуальный номер не арендован в вашем аккаунте UIS.
    .action = Выберите арендованный виртуальный номер в /settings

employee_not_found =
    .title = Сотрудник не найден
    .explanation = В аккаунте UIS нет сотрудника с ID <code>{ $employee_id }</code>.
    .explanation-2 = Сотрудника, к которому вы привязаны, нет в аккаунте UIS.
    .action = Попросите администратора бота заново привязать вас к сотруднику (/assign).

no_active_phone_number =
    .title = Нет активного номера
    .explanation = У сотрудника нет активного номера телефона, или выбранный номер не активен.
    .action = Проверьте номера сотрудника в личном кабинете UIS: нужен номер в статусе «Активен».

no_active_phone_number--make-call =
    .explanation = У сотрудника, которому вы звоните, нет активного номера.
    .action = Выберите другого сотрудника или введите номер вручную.

no_active_phone_number--add-coach =
    .explanation = У тренера нет активного номера.
    .action = Введите номер тренера вручную или попросите администратора аккаунта проверить настройки тренера.

own_virtual_phone_number_not_allowed =
    .title = Это ваш виртуальный номер
    .explanation = Звонить на собственный виртуальный номер аккаунта нельзя.
    .action = Проверьте номер клиента.

contact_in_blacklist =
    .title = Номер в черном списке
    .explanation = Номер { $contact } в черном списке аккаунта, звонки на него заблокированы.
    .explanation-2 = Номер в черном списке аккаунта, звонки на него заблокированы.
    .action = Убрать номер из черного списка может только администратор аккаунта в личном кабинете UIS.

scenario_not_found =
    .title = Сценарий не найден
    .explanation = В аккаунте нет сценария с ID <code>{ $scenario_id }</code>.
    .explanation-2 = Выбранного сценария нет в аккаунте.
    .action = { -catalog }

scenario_not_found--start-vnumber_call =
    .title = У номера нет сценария
    .explanation = К виртуальному номеру { $number } не привязан сценарий.
    .explanation-2 = К выбранному виртуальному номеру не привязан сценарий.
    .action = Выберите другой виртуальный номер в /settings или попросите администратора аккаунта назначить номеру сценарий.

tag_not_found =
    .title = Тег не найден
    .explanation = В аккаунте нет тега с ID <code>{ $tag_id }</code>.
    .explanation-2 = Выбранного тега нет в аккаунте.
    .action = { -catalog }

duplicate_tag =
    .title = Тег уже стоит
    .explanation = У звонка уже есть этот тег.
    .action = { -nothing-to-do }

leg_not_found =
    .title = Участник не найден
    .explanation = Этого участника уже нет в звонке.
    .action = { -refresh-card }

coach_not_found =
    .title = Тренер не назначен
    .explanation = Для вас в UIS не настроен тренер, а номер тренера не указан.
    .action = Введите номер тренера вручную или попросите администратора аккаунта назначить вам тренера.

record_already_started =
    .title = Запись уже идет
    .explanation = Запись разговора уже включена.
    .action = { -nothing-to-do }

record_already_stopped =
    .title = Запись не включена
    .explanation = Запись разговора сейчас не идет.
    .action = { -nothing-to-do }

duplicate_contact =
    .title = Номер уже в черном списке
    .explanation = Номер { $contact } уже в черном списке аккаунта.
    .explanation-2 = Этот номер уже в черном списке аккаунта.
    .action = { -nothing-to-do }

talk_option_not_found =
    .title = Опция не найдена
    .explanation = На эту клавишу не назначена опция разговора.
    .action = Откройте «Опции разговора» заново: список мог измениться.

## client-side errors (the bot's own)

transport_timeout =
    .title = UIS не ответил вовремя
    .explanation = Ответа от UIS не было { $seconds } с.
    .explanation-2 = Ответа от UIS не было слишком долго.
    .action = Повторите через несколько секунд.

transport_connection_refused =
    .title = Нет связи с UIS
    .explanation = Бот не смог подключиться к серверу Call API.
    .action = Повторите через минуту. Если не проходит — сообщите администратору бота.

transport_bad_reply =
    .title = Непонятный ответ UIS
    .explanation = UIS ответил кодом HTTP { $http_status } вместо ответа Call API.
    .explanation-2 = UIS прислал поврежденный или неполный ответ.
    .action = Обновите карточку звонка, чтобы увидеть, что произошло, и повторите.

outcome_unknown =
    .title = Результат неизвестен
    .explanation = Запрос ушел в UIS, но ответа нет: действие могло выполниться, а могло и нет.
    .action = Обновите карточку звонка, прежде чем повторять.

outcome_unknown--start =
    .explanation = Запрос на звонок ушел в UIS, но ответа нет: звонок мог начаться.
    .action = Не запускайте звонок повторно: я проверяю его по внешнему ID <code>{ $external_id }</code> и сообщу результат.
    .action-2 = Не запускайте звонок повторно: я проверяю, начался ли он, и сообщу результат.

budget_refused =
    .title = Бот бережет баллы
    .explanation = Баллы Call API почти закончились, поэтому бот не стал отправлять запрос. Новые баллы — через { $reset_in }.
    .explanation-2 = Баллы Call API почти закончились, поэтому бот не стал отправлять запрос.
    .action = Повторите через { $reset_in }.
    .action-2 = Повторите чуть позже. Остаток баллов: /limits

budget_reserve =
    .title = Баллы в резерве
    .explanation = Баллов осталось мало, и бот бережет их для действий во время звонка: удержания, перевода, завершения. Новые звонки и обновления списков подождут.
    .action = Подождите { $reset_in } — баллы обновятся.
    .action-2 = Подождите немного — баллы обновятся. Остаток: /limits

budget_exit_reserve =
    .title = Баллы оставлены на выход
    .explanation = Осталось { $kept } балл(а) — ровно столько, чтобы снять с удержания или завершить ваши звонки, где клиент ждет. Если удержать клиента сейчас, вернуть его может оказаться нечем.
    .explanation-2 = Оставшиеся баллы нужны, чтобы снять с удержания или завершить ваши звонки, где клиент ждет. Если удержать клиента сейчас, вернуть его может оказаться нечем.
    .action = Подождите { $reset_in } — баллы обновятся.
    .action-2 = Подождите немного — баллы обновятся. Остаток: /limits

token_missing =
    .title = Вы не вошли в UIS
    .explanation = Чтобы звонить, нужно войти в UIS.
    .action = Войдите: /login

login_required_again =
    .title = Нужно войти снова
    .explanation = Сессия UIS закончилась, а пароль не сохранен.
    .action = Войдите снова: /login. Чтобы не входить каждый час, используйте ключ доступа или включите «Оставаться в системе».

## вход (issue 14): метод "login.key" — проверка присланного ключа

access_token_invalid--login-key =
    .title = UIS не знает такого ключа
    .explanation = Присланный ключ — не ключ доступа этого аккаунта UIS: он обрезан, набран с ошибкой или удален в личном кабинете.
    .action = Скопируйте ключ целиком из личного кабинета UIS (настройки пользователя, «Доступ по ключу») и войдите: /login

transport_timeout--login =
    .title = UIS не ответил на вход
    .action = Ничего не сохранено. Попробуйте войти еще раз через минуту: /login

transport_connection_refused--login =
    .title = Нет связи с UIS для входа
    .action = Ничего не сохранено. Попробуйте войти еще раз через минуту: /login

transport_bad_reply--login =
    .title = UIS не смог проверить вход
    .explanation = UIS ответил HTTP { $http_status } вместо ответа Call API.
    .explanation-2 = UIS не дал внятного ответа.
    .action = Ничего не сохранено. Попробуйте войти еще раз через минуту: /login
