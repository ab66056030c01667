-- cla_in_period: every child looked after at any time in each period of the run.
--
-- Why: away_children and cla_missing_children both take as cohort the children
-- with a non-short-break episode with DECOM on or before the period end and
-- DEC blank or on/after the period start. At national scale that is millions
-- of child x period rows; built on all_periods (every period of the run, with
-- its real start), the engine materialises it once per run instead of per KPI.
-- A KPI joins its own periods on period_id.
-- Columns: la_code, period_id, period_start, period_end, child_id (one row each).
SELECT DISTINCT e.la_code, p.period_id, p.period_start, p.period_end, e.child_id
FROM cla_episodes_nsb AS e
JOIN all_periods AS p
    ON e.decom <= p.period_end
    AND COALESCE(e.dec, DATE '9999-12-31') >= p.period_start
