-- ICPCs within 15 working days: each Section47 element whose own DateOfInitialCPC
-- falls in the period is a member (the CINdetails-level ICPC date is not used);
-- it counts when wd(S47 start, ICPC) <= 15. ICPCs dated before their S47 start are
-- data errors and are left out. A start before the calendar (1990) counts as late.
WITH timed AS (
    SELECT
        s.la_code,
        s.child_id,
        s.icpc_date,
        CASE
            WHEN ci.working_day_number - cs.working_day_number <= 15 THEN 1
            ELSE 0
        END AS within_15
    FROM s47_enquiries AS s
    JOIN calendar AS ci
        ON ci.date = s.icpc_date
    LEFT JOIN calendar AS cs
        ON cs.date = s.start_date
    WHERE s.icpc_date >= s.start_date
)
SELECT
    t.la_code,
    pd.period_id,
    t.child_id AS subject_id,
    t.icpc_date AS event_date,
    CAST(t.within_15 AS DOUBLE) AS num,
    CAST(1 AS DOUBLE) AS den
FROM timed AS t
JOIN period_days AS pd
    ON pd.day = t.icpc_date
