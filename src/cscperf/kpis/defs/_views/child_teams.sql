-- child_teams: every dated record of a child's (or audit's, or post's) team and worker.
--
-- Why: child_attributes picks the latest one on or before each period end; the
-- records themselves do not depend on the KPI, so the engine builds this once per
-- run. dt NULL (care leavers) sorts after every dated record.
SELECT la_code, child_id, dt, team, worker
FROM (
    SELECT la_code, child_id, referral_date AS dt, team, worker FROM annexa_referrals
    UNION ALL SELECT la_code, child_id, start_date, team, worker FROM annexa_assessments
    UNION ALL SELECT la_code, child_id, start_date, team, worker FROM annexa_s47
    UNION ALL SELECT la_code, child_id, cin_start_date, team, worker FROM annexa_cin
    UNION ALL SELECT la_code, child_id, start_date, team, worker FROM annexa_cp
    UNION ALL SELECT la_code, child_id, start_date, team, worker FROM annexa_cla
    UNION ALL SELECT la_code, child_id, CAST(NULL AS DATE), team, worker FROM care_leavers
    UNION ALL SELECT la_code, audit_id, audit_date, team, worker FROM case_audits
    UNION ALL SELECT la_code, post_id, snapshot_date, team, CAST(NULL AS VARCHAR) FROM sw_workforce
) AS t
WHERE team IS NOT NULL OR worker IS NOT NULL
