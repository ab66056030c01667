-- Referral rate per 10,000 children: the referrals counted as in `referrals`.
-- rate_window: r12 in the YAML makes the engine hand this query periods whose
-- period_start is the R12 start, so a month or quarter counts the 12 months
-- ending at its period end; the engine divides by the child population.
SELECT
    r.la_code,
    p.period_id,
    r.child_id AS subject_id,
    r.referral_date AS event_date,
    CAST(1 AS DOUBLE) AS num,
    CAST(NULL AS DOUBLE) AS den
FROM referrals AS r
JOIN period_days AS p
    ON p.day = r.referral_date
