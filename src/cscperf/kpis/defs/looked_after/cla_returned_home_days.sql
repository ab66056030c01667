-- Days in care before returning home (local). Members: children whose LAST
-- cessation in the period (non-short-break episode, DEC in the period, REC
-- not blank/X1 - as cla_ceased) has REC E4A or E4B; num = days from the start
-- of that period of care (cla_periods_of_care.poc_start) to DEC, den = 1.
-- aggregate median gives the median; numerator / denominator is the mean.
SELECT la_code, period_id, subject_id, event_date, num, den
FROM (
    SELECT
        e.la_code,
        p.period_id,
        e.child_id AS subject_id,
        e.dec AS event_date,
        e.rec,
        CAST(e.dec - e.poc_start AS DOUBLE) AS num,
        CAST(1 AS DOUBLE) AS den,
        ROW_NUMBER() OVER (
            PARTITION BY e.la_code, p.period_id, e.child_id ORDER BY e.dec DESC
        ) AS rn
    FROM cla_periods_of_care AS e
    JOIN periods AS p
        ON e.dec >= p.period_start
        AND e.dec <= p.period_end
    WHERE e.rec IS NOT NULL
        AND e.rec <> ''
        AND e.rec <> 'X1'
) AS last_cessation
WHERE rn = 1
    AND rec IN ('E4A', 'E4B')
