-- Children looked after at the period end d placed inside the LA boundary.
-- Cohort (den = 1): children looked after at d. Numerator: the placement
-- postcode (PL_POST of the child's open episode; the latest DECOM if data
-- overlap) is in the postcode directory and its upper-tier ons_la_code lies
-- inside the LA's area (la_ons_codes: the LA's old and new ONS codes, and the
-- successors of a reorganised LA, so a 2022 Cumbria return counts a placement
-- in Cumberland). Postcodes are matched in the directory's form: upper case,
-- no spaces.
-- covered = 1 when the child's placement postcode resolves and the LA's ONS
-- code is known, and the placement's area is not one that only partly overlaps
-- the LA's (BCP for a Bournemouth return before 2019): when no member of an LA x period is covered (e.g. the
-- postcodes table is empty) the engine reports NULL, 'no postcode data'
-- (coverage_flag in the YAML), not 0%.
-- The children looked after at d come from cla_stock (built once per run).
SELECT
    s.la_code,
    p.period_id,
    s.child_id AS subject_id,
    s.decom AS event_date,
    CAST(CASE WHEN lo.whole THEN 1 ELSE 0 END AS DOUBLE) AS num,
    CAST(1 AS DOUBLE) AS den,
    CAST(
        CASE
            WHEN pc.ons_la_code IS NOT NULL AND ll.ons_code IS NOT NULL AND lo.whole IS NOT FALSE
            THEN 1
            ELSE 0
        END
        AS DOUBLE
    ) AS covered
FROM cla_stock AS s
JOIN periods AS p
    ON p.period_end = s.period_end
LEFT JOIN postcodes AS pc
    ON pc.postcode = REPLACE(UPPER(s.pl_post), ' ', '')
LEFT JOIN la_lookup AS ll
    ON ll.la_code = s.la_code
LEFT JOIN la_ons_codes AS lo
    ON lo.la_code = s.la_code AND lo.ons_code = pc.ons_la_code
