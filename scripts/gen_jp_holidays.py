#!/usr/bin/env python3
"""Print every Japanese national holiday 2000-2099 as CSV (date,name), from `jpholiday`.

The output is the fixture tests/data/jp_holidays_2000_2099.csv, which the Rust test
`tests/jp_holidays.rs` compares with bunko's own computation. Regenerate it with

    pip install jpholiday
    python3 scripts/gen_jp_holidays.py > tests/data/jp_holidays_2000_2099.csv
"""

from importlib.metadata import version

import jpholiday

print(f"# Japanese national holidays 2000-2099 from jpholiday {version('jpholiday')} (scripts/gen_jp_holidays.py)")
print("date,name")
for year in range(2000, 2100):
    for day, name in sorted(jpholiday.year_holidays(year)):
        print(f"{day.isoformat()},{name}")
