-- cla_last_cessations: each child's last cessation of care in each window of
-- each period of the KPI: span 'period' (DEC in the period) and span '3yr'
-- (DEC in the 36 months ending at the period end, whatever the period type).
--
-- Why: cla_ceasing (one period) and the 3-year adoption scorecard measures
-- (A1, A2, A10) pick "the child's last cessation" the same way; one ranking
-- keeps them agreeing.
--
-- Of a child's cessations (see cla_cessations) with DEC in the window the
-- latest DEC is kept (then the latest DECOM, should two end on the same day).
-- Columns: la_code, period_id, span, child_id, decom, dec, rec of that episode,
-- and the poc_seq and poc_start of its period of care (see cla_periods_of_care).
WITH windowed AS (
    SELECT
        e.la_code, p.period_id, 'period' AS span, e.child_id,
        e.decom, e.dec, e.rec, e.poc_seq, e.poc_start
    FROM cla_cessations AS e
    JOIN periods AS p
        ON e.dec BETWEEN p.period_start AND p.period_end
    UNION ALL
    SELECT
        e.la_code, p.period_id, '3yr' AS span, e.child_id,
        e.decom, e.dec, e.rec, e.poc_seq, e.poc_start
    FROM cla_cessations AS e
    JOIN periods AS p
        ON e.dec > p.period_end - INTERVAL 36 MONTH
        AND e.dec <= p.period_end
)
SELECT la_code, period_id, span, child_id, decom, dec, rec, poc_seq, poc_start
FROM (
    SELECT
        w.*,
        ROW_NUMBER() OVER (
            PARTITION BY w.la_code, w.period_id, w.span, w.child_id
            ORDER BY w.dec DESC, w.decom DESC
        ) AS rn
    FROM windowed AS w
) AS ranked
WHERE rn = 1
