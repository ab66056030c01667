-- Children looked after continuously for 12 months at 31 March whose teeth
-- were checked by a dentist (OC2 TEETH_CHECK = 1). One member per cohort
-- child, num = 1 when TEETH_CHECK is true (blank counts as not checked).
-- Cohort: the OC2 rows the LA returned for the reporting year ending at the
-- period end (return_year = year of the 31 March period end; reporting-year
-- periods only). Cross-check with episodes where present: a child who has any
-- non-short-break episode in the store must also be looked after at d in a
-- period of care that started on or before d - 12 months; a child with no
-- episodes at all is kept as returned.
WITH oc AS (
    SELECT o.*, p.period_id, p.period_end
    FROM oc2 AS o
    JOIN periods AS p
        ON p.period_type = 'year'
        AND o.return_year = EXTRACT(YEAR FROM p.period_end)
),
cohort AS (
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
            AND e.poc_start <= oc.period_end - INTERVAL 12 MONTH
    )
)
SELECT
    c.la_code,
    c.period_id,
    c.child_id AS subject_id,
    c.period_end AS event_date,
    CAST(CASE WHEN c.teeth_check THEN 1 ELSE 0 END AS DOUBLE) AS num,
    CAST(1 AS DOUBLE) AS den
FROM cohort AS c
