-- cin_stock: the children in need at each period end d of the KPI.
--
-- Why: cin_children and cin_rate are the same stock (the DfE's children in need
-- at 31 March, b1 At31_episodes). A CIN episode (CIN census CINdetails) is open
-- at d when CINreferralDate <= d and (CINclosureDate blank or > d): one closing
-- on d is not open at d, as every stock in the catalogue. Children on a CP plan
-- and looked-after children are in need too, so they are included when the
-- census holds their episode. A child with several open episodes counts once.
-- Columns: la_code, period_id, child_id, referral_date (the earliest open episode's).
SELECT r.la_code, p.period_id, r.child_id, MIN(r.referral_date) AS referral_date
FROM referrals AS r
JOIN periods AS p
    ON r.referral_date <= p.period_end
    AND (r.closure_date IS NULL OR r.closure_date > p.period_end)
GROUP BY r.la_code, p.period_id, r.child_id
