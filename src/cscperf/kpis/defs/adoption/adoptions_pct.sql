-- Adopted, % of children ceasing care: every child ceasing care in the period as in
-- cla_ceased (cla_ceasing: last non-V3/V4 cessation in the period with REC neither
-- blank nor X1) is a member; the numerator counts those whose last cessation has REC
-- E11 or E12.
SELECT
    c.la_code,
    c.period_id,
    c.child_id AS subject_id,
    c.dec AS event_date,
    CAST(CASE WHEN c.rec IN ('E11', 'E12') THEN 1 ELSE 0 END AS DOUBLE) AS num,
    CAST(1 AS DOUBLE) AS den
FROM cla_ceasing AS c
