-- Children looked after at the period end d with 3 or more placements in the
-- 12 months ending at d. Cohort: one member per child looked after at d (den
-- = 1). Numerator: placements (cla_placements: runs of episodes joined by RNE
-- L/U/B, a return from a temporary placement to the same carer continuing the
-- placement before it) that start on or before d and end on or after the
-- window start (r12_start = d - 12 months + 1 day: the DfE includes placements
-- open on 1 April, so one ending that day counts) or are still open; temporary
-- placements (first PLACE T0-T4) and closed placements with end = start do not
-- count.
-- Counted per child and period end over cla_stock (built once per run), then
-- handed to this KPI's periods.
WITH counted AS (
    SELECT
        s.la_code,
        s.child_id,
        s.period_end,
        s.decom,
        COUNT(pl.child_id) AS n_placements
    FROM cla_stock AS s
    LEFT JOIN cla_placements AS pl
        ON pl.la_code = s.la_code
        AND pl.child_id = s.child_id
        AND pl.placement_start <= s.period_end
        AND COALESCE(pl.placement_end, DATE '9999-12-31') >= s.r12_start
        AND NOT pl.is_temporary
        AND COALESCE(pl.placement_end, DATE '9999-12-31') > pl.placement_start
    WHERE s.period_end IN (SELECT period_end FROM periods)
    GROUP BY s.la_code, s.child_id, s.period_end, s.decom
)
SELECT
    c.la_code,
    p.period_id,
    c.child_id AS subject_id,
    c.decom AS event_date,
    CAST(CASE WHEN c.n_placements >= 3 THEN 1 ELSE 0 END AS DOUBLE) AS num,
    CAST(1 AS DOUBLE) AS den
FROM counted AS c
JOIN periods AS p
    ON p.period_end = c.period_end
