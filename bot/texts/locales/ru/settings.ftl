### Настройки

## settings

settings-summary =
    <b>Настройки</b>
    Сотрудник UIS: { $employee }
    Виртуальный номер: { $virtual_number }
    На удержании: { $hold_message }
    Регион номеров без кода страны: { $region }
    Избранное, номеров: { $favourites_count }
settings-not_set = не выбрано
settings-hold_media = аудиофайл «{ $name }»
settings-hold_tts = текст «{ $text }»
settings-hold_default = музыка по умолчанию
settings-ask_virtual_number = Выберите виртуальный номер — клиент увидит его как номер, с которого звонят.
settings-no_virtual_numbers = В справочнике бота нет виртуальных номеров. Попросите администратора бота загрузить справочник: /catalog
settings-virtual_number_saved = Виртуальный номер: { $number }. Сохранено.
settings-ask_hold_message = Что услышит клиент на удержании? Выберите аудиофайл или пришлите текст — его прочитает синтезатор речи (максимум символов: { $max_length }).
settings-hold_message_saved = Сообщение на удержании сохранено.
settings-hold_text_too_long = Текст слишком длинный: длина { $length }, а лимит — { $max_length }. Сократите и пришлите снова.
settings-ask_region = Регион для номеров без кода страны — двухбуквенный код, например RU или KZ. Сейчас: { $region }.
settings-region_saved = Регион: { $region }. Сохранено.
settings-region_invalid = «{ $value }» — не код страны. Пришлите две латинские буквы, например RU.
settings-favourites_title = <b>Избранное</b>
settings-favourites_empty = В избранном пока пусто. Добавьте номер, чтобы звонить в одно касание.
settings-favourite_line = • { $name } — { $number }
settings-ask_favourite = Пришлите номер и имя, например: +7 999 123-45-67 Иван Петров
settings-favourite_added = ⭐ В избранное добавлено: { $name }, { $number }.
settings-favourite_removed = Убрано из избранного: { $name }.
settings-favourites_full = В избранном уже максимум номеров: { $max }. Сначала уберите лишние.
settings-employee_missing = Вы еще не привязаны к сотруднику UIS, поэтому я не знаю, чей телефон звонит первым. Попросите администратора бота сделать привязку.
settings-employee_request_sent = Запрос отправлен администраторам бота. Я сообщу, когда вас привяжут к сотруднику.
settings-employee_assigned = Вы привязаны к сотруднику UIS: { $employee }. Можно звонить: /call
