-- Contacts: every Annex A list 1 contact dated in the period is one member.
-- A child contacted twice (even on the same day from two sources) counts twice,
-- as the Annex A list holds one row per contact.
SELECT
    c.la_code,
    p.period_id,
    c.child_id AS subject_id,
    c.contact_date AS event_date,
    CAST(1 AS DOUBLE) AS num,
    CAST(NULL AS DOUBLE) AS den
FROM contacts AS c
JOIN period_days AS p
    ON p.day = c.contact_date
