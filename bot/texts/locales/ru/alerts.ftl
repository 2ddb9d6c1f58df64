### Всплывающие ответы на нажатия (простой текст, до 200 символов)

## callback alerts (plain, at most 200 characters)

alert-not_your_call = Это не ваш звонок: кнопками управляет тот, кто его начал.
alert-not_your_button = Эта кнопка не для вас.
alert-stale = Кнопка устарела — карточка уже обновилась.
alert-repeated = Уже выполняю, подождите.
alert-sending = Отправляю…
alert-call_finished = Звонок уже завершен.
alert-error = ⚠️ { $error }
