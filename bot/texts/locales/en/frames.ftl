### The frame around an error explanation; durations (plain text)

## errors (the frame around explain_error's texts)

error-message =
    ⚠️ { $title }
    { $explanation }
    👉 { $action }

## durations (plain)

duration-seconds = { $seconds } s
duration-minutes = { $minutes } min
duration-minutes_seconds = { $minutes } min { $seconds } s
duration-hours = { $hours } h
duration-hours_minutes = { $hours } h { $minutes } min
