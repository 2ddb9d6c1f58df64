### Запуск звонка

## starting a call

call-ask_number = Кому звоним? Пришлите номер, например +7 999 123-45-67, или поделитесь контактом.
call-offer_number = Нашел номер { $number }. Позвонить?
call-offer_many = В сообщении несколько номеров — выберите, кому позвонить.
call-no_number_found = В сообщении не нашлось номера телефона.
call-number_invalid = ⚠️ Не получилось разобрать { $field }. Ожидается: { $expected }.
call-expected_phone = номер в формате +7 999 123-45-67 или 79991234567
call-expected_digit = одна клавиша: 0–9, * или #
field-contact = номер клиента
field-operator = номер оператора
field-transfer_target = номер для перевода
field-coach = номер тренера
field-favourite = номер для избранного
call-missing_setting = Для звонка не хватает настройки: { $setting }. Откройте /settings
setting-virtual_number = виртуальный номер
setting-employee = сотрудник UIS
setting-hold_message = сообщение на удержании
setting-scenario = сценарий
setting-operator_number = номер оператора
call-ask_scenario = Выберите сценарий.
call-no_scenarios = В справочнике бота нет сценариев. Попросите администратора бота загрузить справочник.
call-ask_operator_number = С каким номером соединить клиента? Пришлите номер оператора — он будет управлять звонком.
call-ask_inform_message = Что проиграть клиенту? Пришлите текст (максимум символов: { $max_length }) или выберите аудиофайл. После сообщения звонок завершится сам.
call-starting = 📞 Звоню на { $number }…
call-started = 📞 Звонок запущен, ID <code>{ $call_id }</code>.
call-your_phone_first = Сначала зазвонит ваш телефон — возьмите трубку, потом я наберу клиента.
call-outcome_checking = Проверяю, начался ли звонок (внешний ID <code>{ $external_id }</code>)…
call-outcome_found = ✅ Звонок все-таки начался, ID <code>{ $call_id }</code>. Вот его карточка.
call-outcome_not_found = Звонок не начался: UIS его не зарегистрировал. Можно позвонить еще раз.
