-- cla_ceasing: each child's last cessation of care in each period of the KPI.
--
-- Why: cla_ceased, adoptions, adoptions_pct and the A1/A2 timeliness measures
-- count the same children; one definition keeps adoptions a subset of cla_ceased.
--
-- Of a child's cessations (see cla_cessations) with DEC in the period the latest
-- DEC is kept (then the latest DECOM, should two end on the same day): the
-- 'period' span of cla_last_cessations.
-- Columns: la_code, period_id, child_id, decom, dec, rec of that episode, and
-- the poc_seq and poc_start of its period of care (see cla_periods_of_care).
SELECT la_code, period_id, child_id, decom, dec, rec, poc_seq, poc_start
FROM cla_last_cessations
WHERE span = 'period'
