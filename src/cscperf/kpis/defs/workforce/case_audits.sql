-- Case file audits completed (local): audits whose audit_date is in the period, both ends
-- inclusive; one member per audit.
SELECT
    a.la_code,
    p.period_id,
    a.audit_id AS subject_id,
    a.audit_date AS event_date,
    CAST(1 AS DOUBLE) AS num,
    CAST(NULL AS DOUBLE) AS den
FROM case_audits AS a
JOIN periods AS p
    ON a.audit_date BETWEEN p.period_start AND p.period_end
