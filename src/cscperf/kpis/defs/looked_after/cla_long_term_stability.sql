-- Long-term placement stability at the period end d.
-- Cohort (den = 1): children looked after at d, aged under 16 at d (16th
-- birthday after d; DOB from the 903 header), whose current period of care
-- started on or before d - 30 months.
-- Numerator: the current placement (cla_placements) started on or before
-- d - 24 months, or the current episode is a placement for adoption (PLACE
-- A3-A6) and the placement immediately before the current one (ending on the
-- day it started) started on or before d - 24 months. Placements as in
-- cla_placements: a temporary stay (PLACE T0-T4, e.g. hospital) and the return
-- to the same carer do not reset the clock. Temporary placements are never the
-- current placement: a child in one at d is judged by the placement before it.
WITH cur AS (
    -- the child's open episode at d (cla_stock, built once per run)
    SELECT s.la_code, p.period_id, s.period_end, s.child_id, s.decom, s.place, s.poc_start
    FROM cla_stock AS s
    JOIN periods AS p
        ON p.period_end = s.period_end
),
cohort AS (
    SELECT cur.*
    FROM cur
    JOIN children AS ch
        ON ch.la_code = cur.la_code
        AND ch.child_id = cur.child_id
    WHERE ch.dob + INTERVAL 16 YEAR > cur.period_end
        AND cur.poc_start <= cur.period_end - INTERVAL 30 MONTH
),
cur_placement AS (
    -- the placement containing the current episode starts at the latest
    -- non-temporary placement start on or before the episode's DECOM
    SELECT c.la_code, c.period_id, c.child_id, MAX(pl.placement_start) AS placement_start
    FROM cohort AS c
    JOIN cla_placements AS pl
        ON pl.la_code = c.la_code
        AND pl.child_id = c.child_id
        AND pl.placement_start <= c.decom
        AND NOT pl.is_temporary
    GROUP BY c.la_code, c.period_id, c.child_id
)
SELECT
    c.la_code,
    c.period_id,
    c.child_id AS subject_id,
    cp.placement_start AS event_date,
    CAST(
        CASE
            WHEN cp.placement_start <= c.period_end - INTERVAL 24 MONTH THEN 1
            WHEN c.place IN ('A3', 'A4', 'A5', 'A6')
                AND EXISTS (
                    SELECT 1
                    FROM cla_placements AS prev
                    WHERE prev.la_code = c.la_code
                        AND prev.child_id = c.child_id
                        AND prev.placement_end = cp.placement_start
                        AND prev.placement_start <= c.period_end - INTERVAL 24 MONTH
                ) THEN 1
            ELSE 0
        END AS DOUBLE
    ) AS num,
    CAST(1 AS DOUBLE) AS den
FROM cohort AS c
LEFT JOIN cur_placement AS cp
    ON cp.la_code = c.la_code
    AND cp.period_id = c.period_id
    AND cp.child_id = c.child_id
