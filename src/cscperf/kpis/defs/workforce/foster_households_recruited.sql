-- Fostering households approved (local): households whose approval_date is in the period,
-- both ends inclusive. One member per household; a household deregistered later in the
-- same period still counts as recruited.
SELECT
    f.la_code,
    p.period_id,
    f.household_id AS subject_id,
    f.approval_date AS event_date,
    CAST(1 AS DOUBLE) AS num,
    CAST(NULL AS DOUBLE) AS den
FROM fostering_households AS f
JOIN periods AS p
    ON f.approval_date BETWEEN p.period_start AND p.period_end
