-- Children looked after at the period end d with 3 or more placements in the
-- 12 months ending at d. Cohort: one member per child looked after at d (den
-- = 1). Numerator: placements (cla_placements: runs of episodes joined by RNE
-- L/U/B) that start on or before d and end after the window start (r12_start
-- = d - 12 months + 1 day) or are still open; temporary placements (first
-- PLACE T0-T4) and closed placements with end = start do not count.
WITH cohort AS (
    SELECT e.la_code, p.period_id, p.period_end, p.r12_start, e.child_id, MAX(e.decom) AS decom
    FROM cla_episodes_nsb AS e
    JOIN periods AS p
        ON e.decom <= p.period_end
        AND (e.dec IS NULL OR e.dec > p.period_end)
    GROUP BY e.la_code, p.period_id, p.period_end, p.r12_start, e.child_id
),
counted AS (
    SELECT c.la_code, c.period_id, c.child_id, COUNT(*) AS n_placements
    FROM cohort AS c
    JOIN cla_placements AS pl
        ON pl.la_code = c.la_code
        AND pl.child_id = c.child_id
        AND pl.placement_start <= c.period_end
        AND (pl.placement_end IS NULL OR pl.placement_end > c.r12_start)
    WHERE NOT pl.is_temporary
        AND (pl.placement_end IS NULL OR pl.placement_end > pl.placement_start)
    GROUP BY c.la_code, c.period_id, c.child_id
)
SELECT
    c.la_code,
    c.period_id,
    c.child_id AS subject_id,
    c.decom AS event_date,
    CAST(CASE WHEN n.n_placements >= 3 THEN 1 ELSE 0 END AS DOUBLE) AS num,
    CAST(1 AS DOUBLE) AS den
FROM cohort AS c
LEFT JOIN counted AS n
    ON n.la_code = c.la_code
    AND n.period_id = c.period_id
    AND n.child_id = c.child_id
