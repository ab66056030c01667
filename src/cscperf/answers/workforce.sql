-- Permanent (employed) and agency social workers at the period's workforce snapshot.
--
-- workforce_snapshot is the shared view the workforce KPIs read (the latest
-- snapshot_date inside the period). Headcount is the number of posts of each status
-- (one row per post at a snapshot, so one worker per filled post); FTE their sum.
-- The agency share and the cost figures come from the KPIs' members instead (see
-- workforce_costs.sql), so they cannot drift from sw_agency_rate and
-- sw_agency_cost_premium.
SELECT
    status,
    MAX(snapshot_date) AS snapshot_date,
    COUNT(DISTINCT post_id) AS headcount,
    SUM(fte) AS fte
FROM workforce_snapshot
GROUP BY status
