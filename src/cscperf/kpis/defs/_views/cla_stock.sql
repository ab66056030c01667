-- cla_stock: every child looked after at each period end of the run, with the
-- episode that makes them so.
--
-- Why: seven KPIs (cla_children, cla_rate, uasc_children, cla_3plus_placements,
-- cla_long_term_stability, cla_placed_in_la, cla_placed_over_20_miles_out)
-- start from "the children looked after at d and their open episode". Worked
-- out per KPI that is a range join and a de-duplication over millions of
-- child x period rows at national scale, repeated seven times; this helper is
-- built on all_periods (every period of the run), so the engine materialises
-- it once per run. A KPI joins its own periods on period_end (month and year
-- periods ending on the same day share the rows).
--
-- Looked after at d: a non-short-break episode with DECOM <= d and DEC blank or
-- after d. When a child's episodes overlap (a data error), the open episode
-- with the latest DECOM is used; that de-duplication is costly, so it is only
-- done for children whose episodes overlap (almost none), the others joining
-- their periods directly.
-- Columns: la_code, child_id, period_end, r12_start, and from that episode
-- decom, place, home_post, pl_post, poc_start (start of its period of care,
-- see cla_periods_of_care).
WITH ends AS (
    SELECT DISTINCT period_end, r12_start FROM all_periods
),
flagged AS (
    SELECT
        e.la_code, e.child_id, e.decom, e.dec, e.place, e.home_post, e.pl_post, e.poc_start,
        CASE
            WHEN LEAD(e.decom) OVER (PARTITION BY e.la_code, e.child_id ORDER BY e.decom)
                < COALESCE(e.dec, DATE '9999-12-31') THEN 1
            ELSE 0
        END AS overlaps_next
    FROM cla_periods_of_care AS e
),
episodes AS (
    SELECT
        f.*,
        MAX(f.overlaps_next) OVER (PARTITION BY f.la_code, f.child_id) AS child_overlaps
    FROM flagged AS f
),
open_at_end AS (
    SELECT
        e.la_code, e.child_id, d.period_end, d.r12_start, e.decom, e.place,
        e.home_post, e.pl_post, e.poc_start, e.child_overlaps
    FROM episodes AS e
    JOIN ends AS d
        ON e.decom <= d.period_end
        AND COALESCE(e.dec, DATE '9999-12-31') > d.period_end
)
SELECT
    la_code, child_id, period_end, r12_start, decom, place, home_post, pl_post, poc_start
FROM open_at_end
WHERE child_overlaps = 0
UNION ALL
SELECT
    la_code, child_id, period_end, r12_start, decom, place, home_post, pl_post, poc_start
FROM (
    SELECT
        o.*,
        ROW_NUMBER() OVER (
            PARTITION BY o.la_code, o.child_id, o.period_end ORDER BY o.decom DESC
        ) AS rn
    FROM open_at_end AS o
    WHERE o.child_overlaps = 1
) AS x
WHERE rn = 1
