-- Children in need at the period end d: one member per child with a CIN episode open
-- at d (cin_stock: referral <= d and (closure blank or > d)); event_date is the
-- earliest open episode's referral date.
SELECT
    s.la_code,
    s.period_id,
    s.child_id AS subject_id,
    s.referral_date AS event_date,
    CAST(1 AS DOUBLE) AS num,
    CAST(NULL AS DOUBLE) AS den
FROM cin_stock AS s
