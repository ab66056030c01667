-- Referrals with no further action: of referrals dated in the period, those with
-- ReferralNFA true. A blank ReferralNFA counts as "not NFA" (the member stays in
-- the denominator), as the DfE counts only referrals flagged NFA.
WITH period_days AS (
    -- every day of every period: joining events on their date is an equality
    -- (hash) join, ~15x faster than a range join on the period bounds
    SELECT p.period_id, c.date AS day
    FROM periods AS p
    JOIN calendar AS c
        ON c.date BETWEEN p.period_start AND p.period_end
)
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
