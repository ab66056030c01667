-- cla_placements: one row per placement, as the catalogue defines it for
-- cla_3plus_placements and cla_long_term_stability.
--
-- Why: a new 903 episode is not always a new placement. An episode whose RNE
-- is L (change of legal status only), U (change of legal status and placement
-- type, same carer) or B (change of placement type only, same carer — e.g.
-- placed for adoption with the existing foster carers) continues the
-- placement of the episode before it; RNE S, P or T starts a new placement.
-- Overlaps and gaps between episodes also start a new placement: an L/U/B
-- episode continues the previous one only when the previous DEC equals its
-- DECOM. Built from cla_episodes_nsb, so short breaks (LS V3/V4) never form
-- placements.
--
-- Temporary placements: a run of episodes whose first episode has PLACE T0-T4
-- (hospital, holiday, ...) is a temporary placement (is_temporary), which the
-- KPIs do not count. The return from it to the same carer continues the
-- placement before it, so a hospital stay does not start a new placement nor
-- reset the "same carer" clock: an episode with RNE P that starts the day a
-- temporary placement ended (contiguous), where that temporary placement
-- started the day the child's previous non-temporary episode ended, and whose
-- PLACE, PLACE_PROVIDER, PL_POST and URN equal that episode's (blank equals
-- blank; postcodes compared without spaces), belongs to that episode's
-- placement. The merged placement spans the temporary stay (start of the
-- earlier part to end of the later one); the temporary placement stays a row
-- of its own.
--
-- Columns:
--   la_code, child_id
--   placement_seq    1, 2, ... per child: non-temporary placements in start
--                    order, then temporary ones numbered after them
--   placement_start  DECOM of the placement's first episode
--   placement_end    DEC of its last episode (NULL while open)
--   first_place      PLACE of the first episode
--   last_place       PLACE of the last episode
--   is_temporary     first_place in T0-T4 (temporary placements never count)
--   n_episodes       episodes in the placement
WITH raw AS (
    -- runs of episodes joined by RNE L/U/B (contiguous)
    SELECT
        e.la_code,
        e.child_id,
        e.decom,
        e.dec,
        e.rne,
        e.place,
        e.place_provider,
        REPLACE(UPPER(e.pl_post), ' ', '') AS pl_post,
        e.urn,
        CASE
            WHEN e.rne IS NULL OR e.rne NOT IN ('L', 'U', 'B') THEN 1
            WHEN LAG(e.dec) OVER w IS NULL THEN 1
            WHEN LAG(e.dec) OVER w <> e.decom THEN 1
            ELSE 0
        END AS new_raw
    FROM cla_episodes_nsb AS e
    WINDOW w AS (PARTITION BY e.la_code, e.child_id ORDER BY e.decom)
),
raw_seq AS (
    SELECT
        r.*,
        SUM(r.new_raw) OVER (
            PARTITION BY r.la_code, r.child_id
            ORDER BY r.decom
            ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW
        ) AS raw_no
    FROM raw AS r
),
raw_first AS (
    -- whether each raw run is temporary, and when it started
    SELECT
        s.*,
        FIRST_VALUE(s.place) OVER run IN ('T0', 'T1', 'T2', 'T3', 'T4') AS is_temporary,
        MIN(s.decom) OVER run AS run_start
    FROM raw_seq AS s
    WINDOW run AS (
        PARTITION BY s.la_code, s.child_id, s.raw_no ORDER BY s.decom
        ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING
    )
),
linked AS (
    -- each episode with the episode just before it (any) and, for non-temporary
    -- episodes, the previous non-temporary episode
    SELECT
        f.*,
        LAG(f.dec) OVER w AS prev_dec,
        LAG(f.is_temporary) OVER w AS prev_temporary,
        LAG(f.run_start) OVER w AS prev_run_start
    FROM raw_first AS f
    WINDOW w AS (PARTITION BY f.la_code, f.child_id ORDER BY f.decom)
),
nontemp AS (
    SELECT
        l.*,
        LAG(l.dec) OVER w AS nt_prev_dec,
        LAG(l.place) OVER w AS nt_prev_place,
        LAG(l.place_provider) OVER w AS nt_prev_provider,
        LAG(l.pl_post) OVER w AS nt_prev_pl_post,
        LAG(l.urn) OVER w AS nt_prev_urn
    FROM linked AS l
    WHERE NOT l.is_temporary
    WINDOW w AS (PARTITION BY l.la_code, l.child_id ORDER BY l.decom)
),
nontemp_seq AS (
    SELECT
        n.la_code,
        n.child_id,
        n.decom,
        n.dec,
        n.place,
        SUM(
            CASE
                WHEN n.new_raw = 0 THEN 0
                WHEN n.rne = 'P'
                    AND n.prev_temporary
                    AND n.prev_dec = n.decom
                    AND n.nt_prev_dec = n.prev_run_start
                    AND n.place = n.nt_prev_place
                    AND n.place_provider IS NOT DISTINCT FROM n.nt_prev_provider
                    AND n.pl_post IS NOT DISTINCT FROM n.nt_prev_pl_post
                    AND n.urn IS NOT DISTINCT FROM n.nt_prev_urn
                    THEN 0
                ELSE 1
            END
        ) OVER (
            PARTITION BY n.la_code, n.child_id
            ORDER BY n.decom
            ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW
        ) AS placement_seq
    FROM nontemp AS n
),
temp_seq AS (
    -- temporary runs keep their own placement, numbered after the others
    SELECT
        l.la_code,
        l.child_id,
        l.decom,
        l.dec,
        l.place,
        l.raw_no + 100000 AS placement_seq
    FROM linked AS l
    WHERE l.is_temporary
),
episodes AS (
    SELECT la_code, child_id, decom, dec, place, placement_seq FROM nontemp_seq
    UNION ALL
    SELECT la_code, child_id, decom, dec, place, placement_seq FROM temp_seq
),
ordered AS (
    SELECT
        ep.*,
        ROW_NUMBER() OVER (
            PARTITION BY ep.la_code, ep.child_id, ep.placement_seq ORDER BY ep.decom
        ) AS ep_in_placement,
        COUNT(*) OVER (PARTITION BY ep.la_code, ep.child_id, ep.placement_seq)
            AS n_in_placement
    FROM episodes AS ep
)
SELECT
    o.la_code,
    o.child_id,
    o.placement_seq,
    MIN(o.decom) AS placement_start,
    CASE WHEN COUNT(*) = COUNT(o.dec) THEN MAX(o.dec) END AS placement_end,
    MAX(CASE WHEN o.ep_in_placement = 1 THEN o.place END) AS first_place,
    MAX(CASE WHEN o.ep_in_placement = o.n_in_placement THEN o.place END) AS last_place,
    MAX(CASE WHEN o.ep_in_placement = 1 THEN o.place END) IN ('T0', 'T1', 'T2', 'T3', 'T4')
        AS is_temporary,
    COUNT(*) AS n_episodes
FROM ordered AS o
GROUP BY o.la_code, o.child_id, o.placement_seq
