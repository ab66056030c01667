-- Referrals: every CIN census referral (CINdetails) with CINreferralDate in the
-- period is one member; repeat referrals of the same child all count, and
-- referrals ending in no further action count too.
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
