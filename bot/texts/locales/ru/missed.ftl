### Пропущенные звонки

## missed calls (issue "Missed calls with one owner for the call-back")

cmd-oncall_chat = Сделать эту группу дежурной: сюда идут пропущенные звонки
missed-title = 📵 <b>Пропущенный звонок</b>
missed-title_count = 📵 <b>Пропущенные звонки: { $count }</b> (последний в { $time })
missed-from = От: { $contact }
missed-from_named = От: { $name }, { $contact }
missed-to = На номер: { $number }
missed-to_named = На номер: { $number } ({ $name })
missed-waited = Ждал: { $duration }
missed-scenario = Сценарий: { $name }
missed-claimed = ☎️ { $name } перезванивает
missed-claimed_you = ☎️ Вы перезваниваете: карточка звонка ниже
missed-talked = ✅ { $name } перезвонил(а), разговор состоялся
missed-got_through = ✅ Клиент дозвонился сам
missed-unanswered = ❕ { $name } перезванивал(а), разговор не состоялся. Можно перезвонить ещё раз
btn-call_back = 📞 Перезвонить
alert-missed_taken = Уже перезванивает { $name }.
alert-missed_resolved = Этот звонок уже обработан.
alert-missed_premium = Не перезваниваю: { $number } — платный номер (premium rate). Звонок не начат.
alert-missed_international = Не перезваниваю: { $number } — международный номер. Звонок не начат, если нужно — позвоните сами через /call.
alert-missed_bad_number = Не перезваниваю: «{ $number }» — не номер телефона. Звонок не начат.
alert-missed_employee_missing = Вы не привязаны к сотруднику UIS: перезвонить не могу. Попросите администратора.
alert-missed_sign_in = Сначала войдите в UIS (/login в личном чате со мной).
alert-missed_no_virtual_number = Нет виртуального номера для звонка: выберите его в /settings.
alert-missed_calling = Перезваниваю…
alert-missed_failed = Не получилось: попробуйте ещё раз через минуту.
oncall-bound = ✅ Эта группа теперь дежурная: сюда приходят пропущенные звонки, когда никого из сотрудников не вызывали.
oncall-group_only = Отправьте /oncall_chat в группе, которую нужно сделать дежурной.
missed-unconfirmed = ❔ Перезвона ({ $name }) нет среди текущих звонков: он мог прозвонить и закончиться. Проверьте, прежде чем перезванивать снова
