-- The agency share of FTE and the cost per FTE of each group, from the KPIs' members.
--
-- answer_sw_agency_rate (KPI sw_agency_rate): per agency or employed post,
-- num = agency FTE, den = FTE, so SUM(num) / SUM(den) is the agency share.
-- answer_sw_agency_cost_premium (KPI sw_agency_cost_premium): per costed post with
-- FTE > 0, the members sum to num = (agency - employed) cost per FTE and
-- den = employed cost per FTE (only when both groups are costed), so
-- employed cost per FTE = SUM(den), agency = SUM(num) + SUM(den), and the premium
-- is SUM(num) / SUM(den), the KPI's value.
SELECT
    (SELECT SUM(num) / NULLIF(SUM(den), 0) FROM answer_sw_agency_rate) AS agency_share,
    (SELECT COUNT(*) FROM answer_sw_agency_cost_premium) AS costed_posts,
    (SELECT SUM(den) FROM answer_sw_agency_cost_premium) AS employed_cost_per_fte,
    (SELECT SUM(num) + SUM(den) FROM answer_sw_agency_cost_premium) AS agency_cost_per_fte,
    (SELECT SUM(num) / NULLIF(SUM(den), 0) FROM answer_sw_agency_cost_premium) AS premium
