"""Generate synthetic FOCUS cost data: `python bench/make_focus.py FILE ROWS`.

FILE ending in .parquet gives Parquet, anything else CSV. Rows spread hourly over 120
days, 200 sub-accounts, 6 service categories, tags on most rows (some as `env`, some as
`environment`), commitment discounts used and unused, a few days of spikes. Made by DuckDB,
so 10 million rows take seconds; the data is not kept in git.
"""

from __future__ import annotations

import sys
from pathlib import Path

import duckdb

QUERY = """
SELECT
    TIMESTAMP '2025-01-01' + INTERVAL (i % (120 * 24)) HOUR AS ChargePeriodStart,
    TIMESTAMP '2025-01-01' + INTERVAL (i % (120 * 24) + 1) HOUR AS ChargePeriodEnd,
    'USD' AS BillingCurrency,
    CASE WHEN i % 50 = 0 THEN 'Purchase' ELSE 'Usage' END AS ChargeCategory,
    CASE WHEN i % 7 = 0 THEN 'Used' WHEN i % 97 = 0 THEN 'Unused' END
        AS CommitmentDiscountStatus,
    ['Compute', 'Storage', 'Networking', 'Databases', 'AI and Machine Learning', 'Other'][
        1 + (i % 6)] AS ServiceCategory,
    'acct-' || (i % 200) AS SubAccountId,
    ['AWS', 'Microsoft', 'Google'][1 + (i % 3)] AS ProviderName,
    round((hash(i) % 1000) / 100.0 * CASE WHEN (i % (120 * 24)) // 24 IN (40, 95)
        THEN 8 ELSE 1 END, 4) AS EffectiveCost,
    round((hash(i) % 1000) / 90.0, 4) AS BilledCost,
    round((hash(i) % 1000) / 75.0, 4) AS ListCost,
    CASE i % 4
        WHEN 0 THEN '{"environment": "prod", "team": "t' || (i % 30) || '"}'
        WHEN 1 THEN '{"env": "dev"}'
        WHEN 2 THEN '{"Team": "t' || (i % 30) || '"}'
    END AS Tags
FROM range(?) AS r(i)
"""


def make(path: Path, rows: int) -> None:
    connection = duckdb.connect()
    relation = connection.sql(QUERY.replace("?", str(int(rows))))
    if path.suffix == ".parquet":
        relation.write_parquet(str(path))
    else:
        relation.write_csv(str(path))
    connection.close()


if __name__ == "__main__":
    make(Path(sys.argv[1]), int(sys.argv[2]))
