-- A10, days from entering care to moving in with the adoptive family, adjusted for
-- foster carer adoptions (3 years): as adoption_a1_days_3yr - children adopted in the 36
-- months ending at the period end (cla_adoptions, span 3yr: last cessation, REC E11/E12),
-- from the start of that period of care to the DECOM of its first PLACE A3-A6 episode -
-- except that for a child adopted by their foster carers the end is the day the child
-- moved in with those carers:
--   * the adoptive episode continues the placement before it (RNE U or B, same carer;
--     cla_placements joins the episodes): the start of that placement, whatever
--     FOSTER_CARE says;
--   * AD1 FOSTER_CARE = 1 and the adoptive episode starts a placement (e.g. RNE P): the
--     start of the placement that ended the day it began (the foster placement with
--     those carers), when there is one.
-- Temporary placements (T0-T4) are not placements. Children with no A3-A6 episode in
-- the period of care cannot be measured and are left out, as in A1.
WITH adoptive AS (
    SELECT la_code, period_id, child_id, dec, poc_start, placed_decom AS adoptive_decom
    FROM cla_adoptions
    WHERE span = '3yr'
        AND placed_decom IS NOT NULL
),
placed AS (
    -- the start of the (non-temporary) placement the adoptive episode belongs to
    SELECT d.la_code, d.period_id, d.child_id, MAX(pl.placement_start) AS placement_start
    FROM adoptive AS d
    JOIN cla_placements AS pl
        ON pl.la_code = d.la_code
        AND pl.child_id = d.child_id
        AND NOT pl.is_temporary
        AND pl.placement_start <= d.adoptive_decom
    GROUP BY d.la_code, d.period_id, d.child_id
),
before AS (
    -- the start of the placement that ended the day the adoptive placement began
    SELECT d.la_code, d.period_id, d.child_id, MIN(pl.placement_start) AS prev_start
    FROM adoptive AS d
    JOIN placed AS pd
        ON pd.la_code = d.la_code
        AND pd.period_id = d.period_id
        AND pd.child_id = d.child_id
    JOIN cla_placements AS pl
        ON pl.la_code = d.la_code
        AND pl.child_id = d.child_id
        AND NOT pl.is_temporary
        AND pl.placement_end = pd.placement_start
        AND pl.placement_start >= d.poc_start
    GROUP BY d.la_code, d.period_id, d.child_id
)
SELECT
    d.la_code,
    d.period_id,
    d.child_id AS subject_id,
    d.dec AS event_date,
    CAST(
        CASE
            WHEN m.foster_care AND pd.placement_start = d.adoptive_decom
                AND b.prev_start IS NOT NULL
                THEN b.prev_start
            ELSE COALESCE(pd.placement_start, d.adoptive_decom)
        END - d.poc_start
        AS DOUBLE
    ) AS num,
    CAST(1 AS DOUBLE) AS den
FROM adoptive AS d
LEFT JOIN placed AS pd
    ON pd.la_code = d.la_code
    AND pd.period_id = d.period_id
    AND pd.child_id = d.child_id
LEFT JOIN before AS b
    ON b.la_code = d.la_code
    AND b.period_id = d.period_id
    AND b.child_id = d.child_id
LEFT JOIN ad1 AS m
    ON m.la_code = d.la_code
    AND m.child_id = d.child_id
