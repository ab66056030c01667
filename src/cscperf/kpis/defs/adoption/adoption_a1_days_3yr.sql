-- A1 over 3 years: as adoption_a1_days, for children adopted in the 36 months ending at the
-- period end (DEC > period_end - 36 months), whatever the period type. For each child adopted
-- in that window (its last cessation in the window, see cla_cessations, with REC E11/E12),
-- days from the start of the period of care that adoption ended (cla_periods_of_care.poc_start)
-- to the DECOM of the first episode of that period of care with PLACE A3-A6 (placed for
-- adoption). The 903 PlacedAdoption DATE_PLACED is the decision date, not the move, so it is
-- not used. A child with no A3-A6 episode in the period of care cannot be measured and is left
-- out.
WITH ceased AS (
    SELECT
        e.la_code,
        p.period_id,
        e.child_id,
        e.decom,
        e.dec,
        e.rec,
        e.poc_seq,
        e.poc_start,
        ROW_NUMBER() OVER (
            PARTITION BY e.la_code, p.period_id, e.child_id
            ORDER BY e.dec DESC, e.decom DESC
        ) AS rn
    FROM cla_cessations AS e
    JOIN periods AS p
        ON e.dec > p.period_end - INTERVAL 36 MONTH
        AND e.dec <= p.period_end
),
adopted AS (
    SELECT * FROM ceased WHERE rn = 1 AND rec IN ('E11', 'E12')
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
