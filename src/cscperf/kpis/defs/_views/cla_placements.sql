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
-- Columns:
--   la_code, child_id
--   placement_seq    1, 2, ... in DECOM order per child
--   placement_start  DECOM of the placement's first episode
--   placement_end    DEC of its last episode (NULL while open)
--   first_place      PLACE of the first episode
--   last_place       PLACE of the last episode
--   is_temporary     first_place in T0-T4 (temporary placements never count)
--   n_episodes       episodes in the placement
SELECT
    r.la_code,
    r.child_id,
    r.placement_seq,
    MIN(r.decom) AS placement_start,
    CASE WHEN COUNT(*) = COUNT(r.dec) THEN MAX(r.dec) END AS placement_end,
    MAX(CASE WHEN r.ep_in_placement = 1 THEN r.place END) AS first_place,
    MAX(CASE WHEN r.ep_in_placement = r.n_in_placement THEN r.place END) AS last_place,
    MAX(CASE WHEN r.ep_in_placement = 1 THEN r.place END) IN ('T0', 'T1', 'T2', 'T3', 'T4')
        AS is_temporary,
    COUNT(*) AS n_episodes
FROM (
    SELECT
        s.*,
        ROW_NUMBER() OVER (
            PARTITION BY s.la_code, s.child_id, s.placement_seq ORDER BY s.decom
        ) AS ep_in_placement,
        COUNT(*) OVER (PARTITION BY s.la_code, s.child_id, s.placement_seq) AS n_in_placement
    FROM (
        SELECT
            f.la_code,
            f.child_id,
            f.decom,
            f.dec,
            f.place,
            SUM(f.new_placement) OVER (
                PARTITION BY f.la_code, f.child_id
                ORDER BY f.decom
                ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW
            ) AS placement_seq
        FROM (
            SELECT
                e.la_code,
                e.child_id,
                e.decom,
                e.dec,
                e.place,
                CASE
                    WHEN e.rne IS NULL OR e.rne NOT IN ('L', 'U', 'B') THEN 1
                    WHEN LAG(e.dec) OVER (
                        PARTITION BY e.la_code, e.child_id ORDER BY e.decom
                    ) IS NULL THEN 1
                    WHEN LAG(e.dec) OVER (
                        PARTITION BY e.la_code, e.child_id ORDER BY e.decom
                    ) <> e.decom THEN 1
                    ELSE 0
                END AS new_placement
            FROM cla_episodes_nsb AS e
        ) AS f
    ) AS s
) AS r
GROUP BY r.la_code, r.child_id, r.placement_seq
