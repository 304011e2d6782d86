-- The first and last charge in the selection, and how many rows it has.
SELECT min(ChargePeriodStart), max(ChargePeriodStart), count(*) FROM charges
