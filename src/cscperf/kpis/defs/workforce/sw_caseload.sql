-- Average caseload: cases held / FTE of case-holding social workers (employed and agency)
-- at the period's snapshot, the latest snapshot_date inside [period_start, period_end], as
-- the DfE workforce census computes caseload_fte. Each case-holding post is a member with
-- num = its cases and den = its FTE; a post whose cases_held is unknown is left out of both
-- so that a missing count does not dilute the average. Vacant posts hold no cases. As in
-- the DfE census, only workers who held one or more cases and have FTE > 0 count: a
-- case-holding post with 0 cases (or FTE 0) is in neither the cases nor the FTE.
SELECT
    w.la_code,
    w.period_id,
    w.post_id AS subject_id,
    w.snapshot_date AS event_date,
    CAST(w.cases_held AS DOUBLE) AS num,
    CAST(w.fte AS DOUBLE) AS den
FROM workforce_snapshot AS w
WHERE w.status IN ('agency', 'employed')
    AND w.case_holding
    AND w.cases_held > 0
    AND w.fte > 0
