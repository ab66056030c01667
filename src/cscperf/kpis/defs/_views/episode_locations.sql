-- episode_locations: each non-short-break 903 episode with where the placement is.
--
-- Why: child_attributes needs the placement location of a child's latest episode
-- at each period end; working it out needs two joins to the national postcode
-- table, which do not depend on the KPI or the period, so the engine builds this
-- once per run instead of once per KPI.
--
--   placement_location  in LA (PL_POST's upper-tier LA lies inside this LA's area:
--                       la_ons_codes knows its old and new ONS codes and the
--                       successors of a reorganised LA) / outside LA,
--                       <= 20 miles / outside LA, > 20 miles (straight line from
--                       HOME_POST, metres / 1000 / 1.6093) / unknown (also when the
--                       placement is in an area that only partly overlaps the
--                       LA's, e.g. BCP for a Bournemouth return before 2019)
SELECT
    e.la_code,
    e.child_id,
    e.decom,
    e.dec,
    e.place,
    e.ls,
    CASE
        WHEN ppl.ons_la_code IS NULL OR ll.ons_code IS NULL THEN 'unknown'
        WHEN lo.whole THEN 'in LA'
        WHEN lo.whole IS NOT NULL THEN 'unknown'
        WHEN phome.easting IS NULL OR ppl.easting IS NULL THEN 'unknown'
        WHEN SQRT(
            (ppl.easting - phome.easting) * (ppl.easting - phome.easting)
            + (ppl.northing - phome.northing) * (ppl.northing - phome.northing)
        ) / 1000 / 1.6093 > 20 THEN 'outside LA, > 20 miles'
        ELSE 'outside LA, <= 20 miles'
    END AS placement_location
FROM cla_episodes AS e
LEFT JOIN la_lookup AS ll ON ll.la_code = e.la_code
LEFT JOIN postcodes AS ppl ON ppl.postcode = REPLACE(UPPER(e.pl_post), ' ', '')
LEFT JOIN la_ons_codes AS lo ON lo.la_code = e.la_code AND lo.ons_code = ppl.ons_la_code
LEFT JOIN postcodes AS phome ON phome.postcode = REPLACE(UPPER(e.home_post), ' ', '')
WHERE e.ls IS NULL OR e.ls NOT IN ('V3', 'V4')
