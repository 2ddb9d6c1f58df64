### Рамка вокруг объяснения ошибки; длительности (простой текст)

## errors (the frame around explain_error's texts)

error-message =
    ⚠️ { $title }
    { $explanation }
    👉 { $action }

## durations (plain)

duration-seconds = { $seconds } с
duration-minutes = { $minutes } мин
duration-minutes_seconds = { $minutes } мин { $seconds } с
duration-hours = { $hours } ч
duration-hours_minutes = { $hours } ч { $minutes } мин
