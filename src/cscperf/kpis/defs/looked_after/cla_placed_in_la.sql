-- Children looked after at the period end d placed inside the LA boundary.
-- Cohort (den = 1): children looked after at d. Numerator: the placement
-- postcode (PL_POST of the child's open episode; the latest DECOM if data
-- overlap) is in the postcode directory and its upper-tier ons_la_code equals
-- the LA's ONS code in la_lookup. Postcodes are matched in the directory's
-- form: upper case, no spaces.
-- covered = 1 when the child's placement postcode resolves and the LA's ONS
-- code is known: when no member of an LA x period is covered (e.g. the
-- postcodes table is empty) the engine reports NULL, 'no postcode data'
-- (coverage_flag in the YAML), not 0%.
-- The children looked after at d come from cla_stock (built once per run).
SELECT
    s.la_code,
    p.period_id,
    s.child_id AS subject_id,
    s.decom AS event_date,
    CAST(CASE WHEN pc.ons_la_code = ll.ons_code THEN 1 ELSE 0 END AS DOUBLE) AS num,
    CAST(1 AS DOUBLE) AS den,
    CAST(
        CASE WHEN pc.ons_la_code IS NOT NULL AND ll.ons_code IS NOT NULL THEN 1 ELSE 0 END
        AS DOUBLE
    ) AS covered
FROM cla_stock AS s
JOIN periods AS p
    ON p.period_end = s.period_end
LEFT JOIN postcodes AS pc
    ON pc.postcode = REPLACE(UPPER(s.pl_post), ' ', '')
LEFT JOIN la_lookup AS ll
    ON ll.la_code = s.la_code
