-- adoption_a2_waits: for every adoption (a cessation with REC E11 or E12), the
-- scorecard A2 wait from court authority to match.
--
-- Why: adoption_a2_days (the scorecard's 3-year A2) and adoption_a2_days_period
-- (the same over one period) must agree on what is measured.
--
-- Court authority: the DECOM of the first episode with legal status E1
-- (placement order) or D1 (freeing order) in the period of care the adoption
-- ended. Only children placed for adoption (an episode with PLACE A3-A6 in that
-- period of care, before the adoption order ended it) are measured, as in the
-- scorecard. wait_days = AD1 DATE_MATCH - authority, 0 when matched before the
-- authority. An adoption with no E1/D1 episode, no A3-A6 episode or no
-- DATE_MATCH cannot be measured and has no row. The authority and placement
-- dates come from adoption_steps.
-- Columns: la_code, child_id, decom, dec (of the ceasing episode), authority_date,
-- date_match, wait_days.
SELECT
    s.la_code,
    s.child_id,
    s.decom,
    s.dec,
    s.authority_date,
    m.date_match,
    GREATEST(m.date_match - s.authority_date, 0) AS wait_days
FROM adoption_steps AS s
JOIN ad1 AS m
    ON m.la_code = s.la_code
    AND m.child_id = s.child_id
WHERE s.placed_decom IS NOT NULL
    AND s.authority_date IS NOT NULL
    AND m.date_match IS NOT NULL
