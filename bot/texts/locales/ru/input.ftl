### Неверный ввод и отказы

## issue 14: bad input, refusals

alert-unknown_button = Эта кнопка больше не действует. Отправьте команду заново.
alert-unavailable = Временно недоступно: попробуйте через минуту.
common-unavailable = ⏳ Временно недоступно: нет связи с базой данных. Попробуйте через минуту.
errors-unexpected_nothing_sent = ⚠️ У меня что-то пошло не так. В UIS ничего не отправлено: можно попробовать ещё раз.
errors-unexpected_maybe_done = ⚠️ У меня что-то пошло не так уже после запроса в UIS: UIS мог его выполнить. Проверьте карточку звонка (или /calls), прежде чем повторять.
common-not_understood = Я понимаю команды (/help), номера телефонов в тексте и присланные контакты.
call-sign_in_first = 🔑 Сначала войдите в UIS: звонки идут от вашего имени. Звонок не начат.
btn-sign_in = 🔑 Войти
call-inform_text_too_long = Текст слишком длинный: { $length } символов, можно не больше { $max_length }. Пришлите короче.
admin-employee_taken = Сотрудник <code>{ $employee_id }</code> уже привязан к другому пользователю. Сначала отвяжите его.
access-admin_more_requests = 🆕 Заявок на доступ много: остальные минуту присылать не буду. Все они в /users (одобрить: /approve ID).
history-title_zone = <b>Последние запросы к UIS</b> (время { $zone })
history-background_line = { $first }–{ $last } · 🔄 { $count } × <code>{ $method }</code> в фоне (обновление карточек)
error-message_explained =
    ⚠️ <b>{ $title }</b>
    { $explanation }
    👉 { $action }
error-mnemonic_line = <i>Код ошибки: <code>{ $mnemonic }</code></i>
events-silent_admin =
    ⚠️ <b>События UIS не доходят до бота.</b>
    По звонку { $call_id } за { $seconds } с не пришло ни одного события. Карточки снова обновляются запросами <code>list.calls</code>, а они тратят баллы.
    👉 Проверьте уведомления в личном кабинете UIS (по одному на событие, адреса из <code>callbot events templates</code>) и что адрес событий бота доступен.
card-summary-total = Всего: { $duration }
card-summary-talk = Разговор: { $duration }
card-summary-released_by = Завершил из бота: { $name }
cmd-duty = дежурство: входящие звонки без событий UIS (медленнее)
duty-on = 🟢 Вы на дежурстве. Звонки, которые звонят сотрудникам аккаунта, получают карточку у них в чате в пределах одного опроса (около { $seconds } с; медленнее событий UIS), за баллы вашего входа. /duty off — закончить.
duty-on_not_signed_in = 🟢 Вы на дежурстве, но для наблюдения нужен вошедший дежурный: сначала /login.
duty-on_events_flow = 🟢 Вы на дежурстве. События UIS доходят до бота, поэтому карточки входящих звонков приходят сразу: наблюдение ждёт и включится само, если события пропадут.
duty-off = ⚪️ Вы сняты с дежурства.
duty-off_nobody_left = ⚪️ Вы сняты с дежурства. Сейчас никто не дежурит: без событий UIS карточки входящих звонков не появятся.
duty-status = На дежурстве: { $names }.
duty-nobody = Никто не дежурит. Без событий UIS бот видит входящий звонок, только пока кто-то на дежурстве: /duty on.
duty-usage = Отправьте /duty on или /duty off (/duty без слов — кто дежурит).
