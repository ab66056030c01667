-- adoption_steps: every adoption (a cessation with REC E11 or E12, see
-- cla_cessations) with the steps before it in its period of care.
--
-- Why: the A1, A2 and A10 timeliness measures (over one period and over 3
-- years, see cla_adoptions) measure from the same period of care, placement for
-- adoption and court authority.
--
-- Of the episodes of the period of care the adoption ended, up to the adoption's
-- own DECOM: placed_decom = DECOM of the first with PLACE A3-A6 (placed for
-- adoption), authority_date = DECOM of the first with legal status E1 (placement
-- order) or D1 (freeing order); NULL when there is none.
-- Columns: la_code, child_id, decom, dec, rec (of the ceasing episode), poc_seq,
-- poc_start, placed_decom, authority_date.
SELECT
    a.la_code,
    a.child_id,
    a.decom,
    a.dec,
    a.rec,
    a.poc_seq,
    a.poc_start,
    MIN(CASE WHEN x.place IN ('A3', 'A4', 'A5', 'A6') THEN x.decom END) AS placed_decom,
    MIN(CASE WHEN x.ls IN ('E1', 'D1') THEN x.decom END) AS authority_date
FROM cla_cessations AS a
JOIN cla_periods_of_care AS x
    ON x.la_code = a.la_code
    AND x.child_id = a.child_id
    AND x.poc_seq = a.poc_seq
    AND x.decom <= a.decom
WHERE a.rec IN ('E11', 'E12')
GROUP BY a.la_code, a.child_id, a.decom, a.dec, a.rec, a.poc_seq, a.poc_start
