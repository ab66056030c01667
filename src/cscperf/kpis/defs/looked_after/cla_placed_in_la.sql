-- Children looked after at the period end d placed inside the LA boundary.
-- Cohort (den = 1): children looked after at d. Numerator: the placement
-- postcode (PL_POST of the child's open episode; the latest DECOM if data
-- overlap) is in the postcode directory and its upper-tier ons_la_code equals
-- the LA's ONS code in la_lookup. Postcodes are matched in the directory's
-- form: upper case, no spaces.
WITH cur AS (
    SELECT la_code, period_id, child_id, decom, pl_post
    FROM (
        SELECT
            e.la_code,
            p.period_id,
            e.child_id,
            e.decom,
            e.pl_post,
            ROW_NUMBER() OVER (
                PARTITION BY e.la_code, p.period_id, e.child_id ORDER BY e.decom DESC
            ) AS rn
        FROM cla_episodes_nsb AS e
        JOIN periods AS p
            ON e.decom <= p.period_end
            AND (e.dec IS NULL OR e.dec > p.period_end)
    ) AS x
    WHERE rn = 1
)
SELECT
    c.la_code,
    c.period_id,
    c.child_id AS subject_id,
    c.decom AS event_date,
    CAST(CASE WHEN pc.ons_la_code = ll.ons_code THEN 1 ELSE 0 END AS DOUBLE) AS num,
    CAST(1 AS DOUBLE) AS den
FROM cur AS c
LEFT JOIN postcodes AS pc
    ON pc.postcode = REPLACE(UPPER(c.pl_post), ' ', '')
LEFT JOIN la_lookup AS ll
    ON ll.la_code = c.la_code
