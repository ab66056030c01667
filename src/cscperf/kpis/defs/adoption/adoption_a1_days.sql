-- A1, days from entering care to moving in with the adoptive family: for each child adopted
-- in the period (last cessation as in cla_ceased with REC E11/E12), the days from the start
-- of the period of care that adoption ended (cla_periods_of_care.poc_start) to the DECOM of
-- the first episode of that period of care with PLACE A3-A6 (placed for adoption). The 903
-- PlacedAdoption DATE_PLACED is the decision date, not the move, so it is not used. A child
-- with no A3-A6 episode in the period of care cannot be measured and is left out.
WITH adopted AS (
    SELECT * FROM cla_ceasing WHERE rec IN ('E11', 'E12')
)
SELECT
    a.la_code,
    a.period_id,
    a.child_id AS subject_id,
    a.dec AS event_date,
    CAST(MIN(x.decom) - a.poc_start AS DOUBLE) AS num,
    CAST(1 AS DOUBLE) AS den
FROM adopted AS a
JOIN cla_periods_of_care AS x
    ON x.la_code = a.la_code
    AND x.child_id = a.child_id
    AND x.poc_seq = a.poc_seq
    AND x.decom <= a.decom
    AND x.place IN ('A3', 'A4', 'A5', 'A6')
GROUP BY a.la_code, a.period_id, a.child_id, a.dec, a.poc_start
