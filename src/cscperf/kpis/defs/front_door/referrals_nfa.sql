-- Referrals with no further action: of referrals dated in the period, those with
-- ReferralNFA true. A blank ReferralNFA counts as "not NFA" (the member stays in
-- the denominator), as the DfE counts only referrals flagged NFA.
SELECT
    r.la_code,
    pd.period_id,
    r.child_id AS subject_id,
    r.referral_date AS event_date,
    CAST(CASE WHEN r.referral_nfa THEN 1 ELSE 0 END AS DOUBLE) AS num,
    CAST(1 AS DOUBLE) AS den
FROM referrals AS r
JOIN period_days AS pd
    ON pd.day = r.referral_date
