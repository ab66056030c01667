-- A1 over 3 years: as adoption_a1_days, for children adopted in the 36 months ending at the
-- period end (DEC > period_end - 36 months), whatever the period type. For each child adopted
-- in that window (its last cessation in the window with REC E11/E12: cla_adoptions, span 3yr),
-- days from the start of the period of care that adoption ended (cla_periods_of_care.poc_start)
-- to the DECOM of the first episode of that period of care with PLACE A3-A6 (placed for
-- adoption). The 903 PlacedAdoption DATE_PLACED is the decision date, not the move, so it is
-- not used. A child with no A3-A6 episode in the period of care cannot be measured and is left
-- out.
SELECT
    la_code,
    period_id,
    child_id AS subject_id,
    dec AS event_date,
    CAST(placed_decom - poc_start AS DOUBLE) AS num,
    CAST(1 AS DOUBLE) AS den
FROM cla_adoptions
WHERE span = '3yr'
    AND placed_decom IS NOT NULL
