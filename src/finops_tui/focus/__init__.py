"""Cost data in the FinOps Open Cost and Usage Specification (FOCUS), and the KPIs a goal
can be baselined with. DuckDB does the reading and the arithmetic; it is imported only
when cost data is read, so nothing else pays for it."""
