### Баллы Call API

## points limits

limits-footer = минута { $minute_remaining }/{ $minute_limit } · день { $day_remaining }/{ $day_limit }
limits-footer_unknown = баллы: пока неизвестно
limits-full =
    <b>Баллы Call API</b>
    В минуту: осталось { $minute_remaining } из { $minute_limit }, обновятся через { $minute_reset_in }
    В день: осталось { $day_remaining } из { $day_limit }, обновятся через { $day_reset_in }
    Резерв для действий во время звонка: { $reserve }
    <i>Данные на { $as_of }</i>
limits-full_unknown =
    <b>Баллы Call API</b>
    Остаток пока неизвестен: UIS сообщает его в ответе на любой запрос. Он появится после первого действия.
