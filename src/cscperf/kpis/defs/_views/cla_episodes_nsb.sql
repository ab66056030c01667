-- cla_episodes_nsb: 903 episodes of care that count for CLA KPIs.
--
-- Why: the catalogue's short-break convention says every CLA KPI ignores
-- episodes with legal status V3 or V4 (an agreed series of short-term
-- placements). A child is looked after at d only through an open episode of
-- this view; starts, cessations, placements and periods of care are all built
-- from it. Columns: every cla_episodes column, unchanged (la_code,
-- return_year, source_file, source_line, child_id, decom, rne, ls, cin, place,
-- place_provider, dec, rec, reason_place_change, home_post, pl_post, urn).
-- An episode with a blank LS is kept (LS is required, so such rows are
-- quarantined at ingest anyway).
SELECT e.*
FROM cla_episodes AS e
WHERE e.ls IS NULL OR e.ls NOT IN ('V3', 'V4')
