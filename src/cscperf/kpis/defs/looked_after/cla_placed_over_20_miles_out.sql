-- Children looked after at the period end d placed more than 20 miles from
-- home AND outside the LA boundary.
-- Cohort (den = 1): children looked after at d. Numerator: the open
-- episode's HOME_POST and PL_POST are both in the postcode directory, the
-- straight-line distance between their centroids is over 20 miles
-- (sqrt(dx^2 + dy^2) metres / 1000 / 1.6093), and the placement postcode's
-- upper-tier ons_la_code differs from the LA's ONS code. Unknown postcodes
-- never count as far or as outside.
WITH cur AS (
    SELECT la_code, period_id, child_id, decom, home_post, pl_post
    FROM (
        SELECT
            e.la_code,
            p.period_id,
            e.child_id,
            e.decom,
            e.home_post,
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
    CAST(
        CASE
            WHEN pl.ons_la_code <> ll.ons_code
                AND SQRT(
                    (pl.easting - hm.easting) * (pl.easting - hm.easting)
                    + (pl.northing - hm.northing) * (pl.northing - hm.northing)
                ) / 1000.0 / 1.6093 > 20
            THEN 1
            ELSE 0
        END AS DOUBLE
    ) AS num,
    CAST(1 AS DOUBLE) AS den
FROM cur AS c
LEFT JOIN postcodes AS pl
    ON pl.postcode = REPLACE(UPPER(c.pl_post), ' ', '')
LEFT JOIN postcodes AS hm
    ON hm.postcode = REPLACE(UPPER(c.home_post), ' ', '')
LEFT JOIN la_lookup AS ll
    ON ll.la_code = c.la_code
