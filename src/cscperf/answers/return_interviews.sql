-- Missing incidents and return home interviews in the period, from the KPIs' members.
--
--   started      answer_missing_incidents (KPI missing_incidents): distinct missing
--                incidents (MISSING = M) starting in the period, children looked after
--   ended        the cohort of the RHI KPIs: missing incidents ending in the period
--   offered      answer_rhi_offered: num = offered, den = 1 per ended incident
--   accepted     answer_rhi_accepted: num = accepted, den = 1 per offered incident
--   within_72h   answer_rhi_completed_72h: num = interview dated MIS_END to MIS_END + 3
--                days, den = 1 per ended incident
SELECT
    (SELECT COUNT(*) FROM answer_missing_incidents) AS started,
    (SELECT COUNT(*) FROM answer_rhi_offered) AS ended,
    (SELECT SUM(num) FROM answer_rhi_offered) AS offered,
    (SELECT COUNT(*) FROM answer_rhi_accepted) AS accepted_of,
    (SELECT SUM(num) FROM answer_rhi_accepted) AS accepted,
    (SELECT SUM(num) FROM answer_rhi_completed_72h) AS within_72h,
    (SELECT COUNT(*) FROM answer_rhi_completed_72h) AS within_72h_of
