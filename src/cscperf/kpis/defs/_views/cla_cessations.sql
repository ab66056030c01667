-- cla_cessations: every cessation of care, whatever the period.
--
-- Why: cla_last_cessations (the last cessation in each period, and in the 36-month
-- window of the 3-year adoption measures) and adoption_steps must agree on what a
-- cessation is.
--
-- A cessation is a non-short-break episode with a REC that is neither blank nor X1
-- (X1 = the episode ends but the child stays looked after).
-- Columns: la_code, child_id, decom, dec, rec of the episode, and the poc_seq and
-- poc_start of its period of care (see cla_periods_of_care).
SELECT la_code, child_id, decom, dec, rec, poc_seq, poc_start
FROM cla_periods_of_care
WHERE rec IS NOT NULL
    AND rec NOT IN ('', 'X1')
