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
--   poc_break, ep_no  working columns of the computation (kept: listing every
--              episode column instead of n.* would be brittle, and DuckDB's
--              * EXCLUDE does not transpile to PostgreSQL)
--   poc_seq    1, 2, ... numbering the child's periods of care in DECOM order
--   poc_start  DECOM of the first episode of the period of care
--   poc_end    DEC of its last episode (NULL while the period is open)
--   ep_in_poc  1, 2, ... position of the episode inside its period of care
--
-- Computed with one window pass in (la_code, child_id, DECOM) order and one
-- GROUP BY per period of care joined back: cheaper than four windows over
-- (la_code, child_id, poc_seq) partitions.
WITH flagged AS (
    SELECT
        e.*,
        CASE
            WHEN e.rne = 'S' THEN 1
            WHEN LAG(e.dec) OVER w IS NULL THEN 1
            WHEN LAG(e.dec) OVER w <> e.decom THEN 1
            ELSE 0
        END AS poc_break,
        ROW_NUMBER() OVER w AS ep_no
    FROM cla_episodes_nsb AS e
    WINDOW w AS (PARTITION BY e.la_code, e.child_id ORDER BY e.decom)
),
numbered AS (
    SELECT
        f.*,
        SUM(f.poc_break) OVER (
            PARTITION BY f.la_code, f.child_id
            ORDER BY f.decom
            ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW
        ) AS poc_seq
    FROM flagged AS f
),
pocs AS (
    SELECT
        la_code,
        child_id,
        poc_seq,
        MIN(decom) AS poc_start,
        MIN(ep_no) AS first_ep_no,
        CASE WHEN COUNT(*) = COUNT(dec) THEN MAX(dec) END AS poc_end
    FROM numbered
    GROUP BY la_code, child_id, poc_seq
)
SELECT
    n.*,
    p.poc_start,
    p.poc_end,
    n.ep_no - p.first_ep_no + 1 AS ep_in_poc
FROM numbered AS n
JOIN pocs AS p
    ON p.la_code = n.la_code
    AND p.child_id = n.child_id
    AND p.poc_seq = n.poc_seq
