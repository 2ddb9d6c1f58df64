### /calls and /history

## /calls and /history

calls-title = <b>Calls in progress</b>
calls-line = • { $contact } — { $phase }, { $duration }
calls-empty = No calls right now.
history-title = <b>Recent UIS requests</b>
history-line = { $time } · { $contact } · { $duration } · { $status }
history-audit_line = { $time } · <code>{ $method }</code> · { $outcome } · { $call }
history-outcome_ok = ✅ done
history-outcome_refused = ⏸ not sent: points
history-outcome_unknown = ❔ sent, outcome unknown
history-call_suffix = ID { $call_id }
history-empty = No UIS requests yet.
history-status-answered = answered
history-status-not_answered = no answer
history-status-transferred = transferred
history-status-failed = failed
history-status-unknown = unknown
