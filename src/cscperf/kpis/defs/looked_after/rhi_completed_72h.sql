-- Return home interviews completed within 72 hours (local). Members: missing
-- incidents (903 MISSING = 'M') whose MIS_END is in the period (den = 1).
-- num = 1 when the local return_interviews row for the incident (child_id,
-- mis_start) has an rhi_date from MIS_END to MIS_END + 3 days: the data hold
-- dates only, so "72 hours" is read as at most 3 calendar days after the day
-- of return; an interview dated before the return is treated as not done.
SELECT
    m.la_code,
    p.period_id,
    m.child_id AS subject_id,
    m.mis_end AS event_date,
    CAST(
        CASE
            WHEN r.rhi_date >= m.mis_end AND r.rhi_date <= m.mis_end + INTERVAL 3 DAY THEN 1
            ELSE 0
        END AS DOUBLE
    ) AS num,
    CAST(1 AS DOUBLE) AS den
FROM missing AS m
JOIN periods AS p
    ON m.mis_end >= p.period_start
    AND m.mis_end <= p.period_end
LEFT JOIN return_interviews AS r
    ON r.la_code = m.la_code
    AND r.child_id = m.child_id
    AND r.mis_start = m.mis_start
WHERE m.missing = 'M'
