-- Section 47 enquiries: one member per enquiry whose actual start date falls in
-- the period.
SELECT
    s.la_code,
    pd.period_id,
    s.child_id AS subject_id,
    s.start_date AS event_date,
    CAST(1 AS DOUBLE) AS num,
    CAST(NULL AS DOUBLE) AS den
FROM s47_enquiries AS s
JOIN period_days AS pd
    ON pd.day = s.start_date
