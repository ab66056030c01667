-- Agency cost premium (%): (agency cost per FTE) / (employed cost per FTE) - 1 at the
-- period's snapshot (the latest snapshot_date inside [period_start, period_end]). Cost per
-- FTE of a group is its total annual_cost / its total FTE, over posts with a known cost and
-- FTE > 0. The engine's percent aggregate is 100 * SUM(num) / SUM(den), so each post
-- contributes its share of the two group means: agency posts num = cost / agency FTE (den 0),
-- employed posts num = -cost / employed FTE and den = cost / employed FTE; summed this gives
-- (agency mean - employed mean) / employed mean. A snapshot lacking either group has no
-- members, so the value is null rather than -100%.
WITH posts AS (
    SELECT w.la_code, w.period_id, w.post_id, w.snapshot_date, w.status, w.fte, w.annual_cost
    FROM workforce_snapshot AS w
    WHERE w.status IN ('agency', 'employed')
        AND w.annual_cost IS NOT NULL
        AND w.fte > 0
),
totals AS (
    SELECT
        la_code,
        period_id,
        SUM(CASE WHEN status = 'agency' THEN fte ELSE 0 END) AS agency_fte,
        SUM(CASE WHEN status = 'employed' THEN fte ELSE 0 END) AS employed_fte
    FROM posts
    GROUP BY la_code, period_id
)
SELECT
    w.la_code,
    w.period_id,
    w.post_id AS subject_id,
    w.snapshot_date AS event_date,
    CAST(
        CASE
            WHEN w.status = 'agency' THEN w.annual_cost / t.agency_fte
            ELSE -w.annual_cost / t.employed_fte
        END AS DOUBLE
    ) AS num,
    CAST(
        CASE WHEN w.status = 'agency' THEN 0 ELSE w.annual_cost / t.employed_fte END AS DOUBLE
    ) AS den
FROM posts AS w
JOIN totals AS t
    ON t.la_code = w.la_code
    AND t.period_id = w.period_id
WHERE t.agency_fte > 0
    AND t.employed_fte > 0
