-- period_days: every day of every period the current KPI is computed for.
--
-- Why: "event dated in the period" as a range join (date BETWEEN period_start
-- AND period_end) is slow in DuckDB once there are millions of events and
-- hundreds of periods; joining the event's date to period_days.day is an
-- equality (hash) join, ~10x faster, with the same result. Built on the KPI's
-- own `periods`, so a rate over R12 sees the 12 months' days.
-- Columns: period_id, period_start, period_end, day.
SELECT p.period_id, p.period_start, p.period_end, c.date AS day
FROM periods AS p
JOIN calendar AS c
    ON c.date BETWEEN p.period_start AND p.period_end
