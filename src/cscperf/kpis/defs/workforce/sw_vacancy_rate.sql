-- Vacancy rate (%): at the period's snapshot, vacant FTE / (vacant + employed FTE),
-- as the DfE workforce census computes vacancy_rate_fte. The snapshot used for a period is
-- the latest snapshot_date inside [period_start, period_end]; a period with no snapshot has
-- no members (value null). Agency posts are not in the denominator (they cover vacancies).
SELECT
    w.la_code,
    w.period_id,
    w.post_id AS subject_id,
    w.snapshot_date AS event_date,
    CAST(CASE WHEN w.status = 'vacant' THEN w.fte ELSE 0 END AS DOUBLE) AS num,
    CAST(w.fte AS DOUBLE) AS den
FROM workforce_snapshot AS w
WHERE w.status IN ('vacant', 'employed')
