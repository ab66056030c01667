-- oc2_cohort: the OC2 rows that make up the "looked after continuously for 12
-- months at 31 March" cohort of each reporting-year period of the KPI.
--
-- Why: the health assessment, dental check and SDQ indicators share this
-- cohort; defining it once keeps them in step.
--
-- The OC2 rows the LA returned for the reporting year ending at the period end
-- (return_year = year of the 31 March period end; reporting-year periods only).
-- Cross-check with episodes where present: a child who has any non-short-break
-- episode in the store must also be looked after at d in a period of care that
-- started on or before 1 April of the previous year (d - 12 months + 1 day: a
-- child who started care on 1 April has been looked after for the whole 12
-- months, as in the DfE's continuity rule); a child with no episodes at all is
-- kept as returned.
-- Columns: every oc2 column, plus period_id and period_end.
WITH oc AS (
    SELECT o.*, p.period_id, p.period_end
    FROM oc2 AS o
    JOIN periods AS p
        ON p.period_type = 'year'
        AND o.return_year = EXTRACT(YEAR FROM p.period_end)
)
SELECT oc.*
FROM oc
WHERE NOT EXISTS (
    SELECT 1 FROM cla_episodes_nsb AS e
    WHERE e.la_code = oc.la_code AND e.child_id = oc.child_id
)
OR EXISTS (
    SELECT 1 FROM cla_periods_of_care AS e
    WHERE e.la_code = oc.la_code
        AND e.child_id = oc.child_id
        AND e.decom <= oc.period_end
        AND (e.dec IS NULL OR e.dec > oc.period_end)
        AND e.poc_start <= oc.period_end - INTERVAL 12 MONTH + INTERVAL 1 DAY
)
