-- A2, days from placement order to match: for each child adopted in the period (last
-- cessation as in cla_ceased with REC E11/E12), the days from the placement order - the
-- DECOM of the first episode with LS E1 in the period of care the adoption ended - to the
-- AD1 DATE_MATCH; a match before the order counts 0. Children without an E1 episode in that
-- period of care (e.g. placed with parental consent) or without a DATE_MATCH are left out.
WITH orders AS (
    SELECT c.la_code, c.period_id, c.child_id, c.dec, MIN(x.decom) AS order_date
    FROM cla_ceasing AS c
    JOIN cla_periods_of_care AS x
        ON x.la_code = c.la_code
        AND x.child_id = c.child_id
        AND x.poc_seq = c.poc_seq
        AND x.decom <= c.decom
        AND x.ls = 'E1'
    WHERE c.rec IN ('E11', 'E12')
    GROUP BY c.la_code, c.period_id, c.child_id, c.dec
)
SELECT
    o.la_code,
    o.period_id,
    o.child_id AS subject_id,
    o.dec AS event_date,
    CAST(GREATEST(m.date_match - o.order_date, 0) AS DOUBLE) AS num,
    CAST(1 AS DOUBLE) AS den
FROM orders AS o
JOIN ad1 AS m
    ON m.la_code = o.la_code
    AND m.child_id = o.child_id
WHERE m.date_match IS NOT NULL
