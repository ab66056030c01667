-- cla_periods_of_care: every non-short-break episode with the period of care
-- it belongs to.
--
-- Why: several KPIs measure from "the start of the period of care" (long-term
-- stability, review timeliness, time in care before returning home). The
-- catalogue's episode-continuity convention: two episodes of a child are
-- contiguous when the earlier one's DEC equals the later one's DECOM; a period
-- of care starts at the latest episode with RNE = S, or at the earliest
-- episode contiguous with the current one when the data hold none.
-- Implemented as: episodes ordered by DECOM within (la_code, child_id); an
-- episode opens a new period of care when it has RNE = S, or is the child's
-- first episode, or is not contiguous with the episode before it (a gap, an
-- overlap, or the previous episode still open). So a gap always ends a period
-- of care even when the next episode's RNE is not S (our choice: a child who
-- was not looked after in between cannot be in the same period of care).
--
-- Columns: all cla_episodes_nsb columns, plus
--   poc_seq    1, 2, ... numbering the child's periods of care in DECOM order
--   poc_start  DECOM of the first episode of the period of care
--   poc_end    DEC of its last episode (NULL while the period is open)
--   ep_in_poc  1, 2, ... position of the episode inside its period of care
SELECT
    b.*,
    MIN(b.decom) OVER (PARTITION BY b.la_code, b.child_id, b.poc_seq) AS poc_start,
    CASE
        WHEN COUNT(*) OVER (PARTITION BY b.la_code, b.child_id, b.poc_seq)
            = COUNT(b.dec) OVER (PARTITION BY b.la_code, b.child_id, b.poc_seq)
        THEN MAX(b.dec) OVER (PARTITION BY b.la_code, b.child_id, b.poc_seq)
    END AS poc_end,
    ROW_NUMBER() OVER (PARTITION BY b.la_code, b.child_id, b.poc_seq ORDER BY b.decom) AS ep_in_poc
FROM (
    SELECT
        f.*,
        SUM(f.poc_break) OVER (
            PARTITION BY f.la_code, f.child_id
            ORDER BY f.decom
            ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW
        ) AS poc_seq
    FROM (
        SELECT
            e.*,
            CASE
                WHEN e.rne = 'S' THEN 1
                WHEN LAG(e.dec) OVER (PARTITION BY e.la_code, e.child_id ORDER BY e.decom) IS NULL THEN 1
                WHEN LAG(e.dec) OVER (PARTITION BY e.la_code, e.child_id ORDER BY e.decom) <> e.decom THEN 1
                ELSE 0
            END AS poc_break
        FROM cla_episodes_nsb AS e
    ) AS f
) AS b
