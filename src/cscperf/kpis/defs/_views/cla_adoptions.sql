-- cla_adoptions: children adopted in each window of each period of the KPI -
-- those whose last cessation in the window (see cla_last_cessations: span
-- 'period' or '3yr') has REC E11 or E12 - with that adoption's period of care,
-- first placement for adoption and court authority (see adoption_steps).
--
-- Why: A1, A2 and A10 over one period and over the scorecard's 3 years count
-- the same adopted children (a subset of cla_ceased in the 'period' span).
-- Columns: la_code, period_id, span, child_id, decom, dec, poc_seq, poc_start,
-- placed_decom, authority_date.
SELECT
    c.la_code,
    c.period_id,
    c.span,
    c.child_id,
    c.decom,
    c.dec,
    c.poc_seq,
    c.poc_start,
    s.placed_decom,
    s.authority_date
FROM cla_last_cessations AS c
JOIN adoption_steps AS s
    ON s.la_code = c.la_code
    AND s.child_id = c.child_id
    AND s.decom = c.decom
    AND s.dec = c.dec
    AND s.rec = c.rec
    AND s.poc_seq = c.poc_seq
