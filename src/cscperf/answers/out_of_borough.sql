-- Out-of-borough placements at the period end, by where the child's home was
-- (seed 002: "children born in Thurrock / born outside, including unaccompanied
-- asylum seekers"; the 903 holds no place of birth, so the home postcode stands in).
--
-- Starts from the members of the KPI cla_placed_in_la (answer_cla_placed_in_la):
-- every child looked after at the period end; num = 1 placed inside the LA;
-- covered = 1 when the placement postcode was located (so num = 0 AND covered = 1
-- is "placed outside the LA boundary"). Their child_attributes give:
--   born_in_la          UASC (ever in the 903 UASC table) / in LA / elsewhere by the
--                       child's first recorded HOME_POST / unknown
--   placement_location  'outside LA, <= 20 miles' / 'outside LA, > 20 miles' (straight
--                       line HOME_POST to PL_POST) / 'unknown' when the home postcode
--                       cannot be located
-- UASC children get no distance band: the DfE derives none for them (903 rule 406),
-- as the KPI cla_placed_over_20_miles_out, whose numerator the > 20 miles column
-- reproduces for the other groups.
-- One row per home group present; columns are counts of children.
SELECT
    COALESCE(m.born_in_la, 'unknown') AS home,
    COUNT(*) AS looked_after,
    SUM(CASE WHEN m.covered = 1 AND m.num = 0 THEN 1 ELSE 0 END) AS out_of_borough,
    SUM(
        CASE
            WHEN m.covered = 1 AND m.num = 0 AND m.born_in_la IS DISTINCT FROM 'UASC'
                AND m.placement_location = 'outside LA, <= 20 miles'
            THEN 1 ELSE 0
        END
    ) AS within_20,
    SUM(
        CASE
            WHEN m.covered = 1 AND m.num = 0 AND m.born_in_la IS DISTINCT FROM 'UASC'
                AND m.placement_location = 'outside LA, > 20 miles'
            THEN 1 ELSE 0
        END
    ) AS over_20,
    SUM(CASE WHEN m.covered = 0 THEN 1 ELSE 0 END) AS location_unknown
FROM answer_cla_placed_in_la AS m
GROUP BY COALESCE(m.born_in_la, 'unknown')
