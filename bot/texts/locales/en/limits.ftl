### Call API points

## points limits

limits-footer = minute { $minute_remaining }/{ $minute_limit } · day { $day_remaining }/{ $day_limit }
limits-footer_unknown = points: unknown yet
limits-full =
    <b>Call API points</b>
    Per minute: { $minute_remaining } of { $minute_limit } left, refills in { $minute_reset_in }
    Per day: { $day_remaining } of { $day_limit } left, refills in { $day_reset_in }
    Reserve for in-call actions: { $reserve }
    <i>As of { $as_of }</i>
limits-full_unknown =
    <b>Call API points</b>
    Not known yet: UIS reports the balance with the reply to any request, so it shows up after your first action.
