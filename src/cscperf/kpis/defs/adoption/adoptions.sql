-- Children adopted: children whose last cessation in the period, as in cla_ceased
-- (cla_ceasing: a non-V3/V4 episode with DEC in the period and REC neither blank nor
-- X1; the child's latest such DEC is kept), has REC E11 or E12. So adoptions are a
-- subset of cla_ceased.
SELECT
    c.la_code,
    c.period_id,
    c.child_id AS subject_id,
    c.dec AS event_date,
    CAST(1 AS DOUBLE) AS num,
    CAST(NULL AS DOUBLE) AS den
FROM cla_ceasing AS c
WHERE c.rec IN ('E11', 'E12')
