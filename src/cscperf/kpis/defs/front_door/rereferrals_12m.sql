-- Re-referrals within 12 months: every referral dated in the period is a member;
-- it counts when the same child's previous referral p satisfies d - 12 months <= p < d.
-- The child's latest earlier referral decides (LAG), worked out once per referral
-- over all referrals, so history before the period counts.
WITH flagged AS (
    SELECT
        la_code,
        child_id,
        referral_date,
        LAG(referral_date) OVER (
            PARTITION BY la_code, child_id ORDER BY referral_date
        ) AS previous_referral
    FROM referrals
)
SELECT
    f.la_code,
    pd.period_id,
    f.child_id AS subject_id,
    f.referral_date AS event_date,
    CAST(
        CASE
            WHEN f.previous_referral >= f.referral_date - INTERVAL 12 MONTH THEN 1
            ELSE 0
        END AS DOUBLE
    ) AS num,
    CAST(1 AS DOUBLE) AS den
FROM flagged AS f
JOIN period_days AS pd
    ON pd.day = f.referral_date
