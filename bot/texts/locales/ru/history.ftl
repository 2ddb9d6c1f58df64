### /calls и /history

## /calls and /history

calls-title = <b>Текущие звонки</b>
calls-line = • { $contact } — { $phase }, { $duration }
calls-empty = Сейчас звонков нет.
history-title = <b>Последние запросы к UIS</b>
history-line = { $time } · { $contact } · { $duration } · { $status }
history-audit_line = { $time } · <code>{ $method }</code> · { $outcome } · { $call }
history-outcome_ok = ✅ выполнено
history-outcome_refused = ⏸ не отправлено: баллы
history-outcome_unknown = ❔ отправлено, итог неизвестен
history-call_suffix = ID { $call_id }
history-empty = Запросов к UIS пока не было.
history-status-answered = состоялся
history-status-not_answered = без ответа
history-status-transferred = переведен
history-status-failed = ошибка
history-status-unknown = неизвестно
