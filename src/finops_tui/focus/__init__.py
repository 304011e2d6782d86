"""Cost data in the FinOps Open Cost and Usage Specification (FOCUS), and the KPIs a goal
can be baselined with. DuckDB does the reading and the arithmetic by default (`reader.py`),
Apache Spark on request (`spark.py`), each KPI from one SQL file (`dialects.py` renders it
for Spark and the warehouses). Each engine is imported only when cost data is read, so
nothing else pays for it."""
