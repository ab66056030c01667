-- Case file audits graded good or better (local): of audits dated in the period, the share
-- graded outstanding or good (requires_improvement and inadequate are not).
SELECT
    a.la_code,
    p.period_id,
    a.audit_id AS subject_id,
    a.audit_date AS event_date,
    CAST(CASE WHEN a.grade IN ('outstanding', 'good') THEN 1 ELSE 0 END AS DOUBLE) AS num,
    CAST(1 AS DOUBLE) AS den
FROM case_audits AS a
JOIN periods AS p
    ON a.audit_date BETWEEN p.period_start AND p.period_end
