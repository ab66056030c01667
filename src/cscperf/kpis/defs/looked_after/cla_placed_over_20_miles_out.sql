-- Children looked after at the period end d placed more than 20 miles from
-- home AND outside the LA boundary.
-- Cohort (den = 1): children looked after at d. Numerator: the open
-- episode's HOME_POST and PL_POST are both in the postcode directory, the
-- straight-line distance between their centroids is over 20 miles
-- (sqrt(dx^2 + dy^2) metres / 1000 / 1.6093), and the placement postcode's
-- upper-tier ons_la_code is outside the LA's area (la_ons_codes, which
-- knows reorganised LAs' old and new codes). Unknown postcodes
-- never count as far or as outside. UASC and formerly UASC children (in the 903
-- UASC table, whatever DUC) are never in the numerator: the DfE derives no
-- distance for them (903 validation rule 406: "distance should be blank").
-- covered = 1 when the answer is known for the child: the placement postcode
-- resolves, the LA's ONS code is known, and the placement is in the LA or the
-- home postcode resolves too. When no member of an LA x period is covered
-- (e.g. the postcodes table is empty) the engine reports NULL, 'no postcode
-- data' (coverage_flag in the YAML), not 0%.
-- The children looked after at d come from cla_stock (built once per run).
SELECT
    s.la_code,
    p.period_id,
    s.child_id AS subject_id,
    s.decom AS event_date,
    CAST(
        CASE
            WHEN EXISTS (
                SELECT 1 FROM uasc AS u
                WHERE u.la_code = s.la_code AND u.child_id = s.child_id
            ) THEN 0
            WHEN lo.ons_code IS NULL AND pl.ons_la_code IS NOT NULL AND ll.ons_code IS NOT NULL
                AND SQRT(
                    (pl.easting - hm.easting) * (pl.easting - hm.easting)
                    + (pl.northing - hm.northing) * (pl.northing - hm.northing)
                ) / 1000.0 / 1.6093 > 20
            THEN 1
            ELSE 0
        END AS DOUBLE
    ) AS num,
    CAST(1 AS DOUBLE) AS den,
    CAST(
        CASE
            WHEN pl.ons_la_code IS NULL OR ll.ons_code IS NULL OR NOT lo.whole THEN 0
            WHEN lo.whole OR hm.easting IS NOT NULL THEN 1
            ELSE 0
        END AS DOUBLE
    ) AS covered
FROM cla_stock AS s
JOIN periods AS p
    ON p.period_end = s.period_end
LEFT JOIN postcodes AS pl
    ON pl.postcode = REPLACE(UPPER(s.pl_post), ' ', '')
LEFT JOIN postcodes AS hm
    ON hm.postcode = REPLACE(UPPER(s.home_post), ' ', '')
LEFT JOIN la_lookup AS ll
    ON ll.la_code = s.la_code
LEFT JOIN la_ons_codes AS lo
    ON lo.la_code = s.la_code AND lo.ons_code = pl.ons_la_code
