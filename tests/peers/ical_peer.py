"""Reads an iCalendar file with the PyPI `icalendar` package and prints its events as JSON."""
import json
import sys

import icalendar

with open(sys.argv[1], "rb") as f:
    cal = icalendar.Calendar.from_ical(f.read())
events = []
for ev in cal.walk("VEVENT"):
    alarms = [a for a in ev.walk("VALARM")]
    events.append({
        "uid": str(ev["UID"]),
        "sequence": int(ev.get("SEQUENCE", 0)),
        "start": ev.decoded("DTSTART").isoformat(),
        "end": ev.decoded("DTEND").isoformat(),
        "summary": str(ev["SUMMARY"]),
        "location": str(ev.get("LOCATION", "")),
        "alarm": str(alarms[0].decoded("TRIGGER")) if alarms else None,
    })
print(json.dumps({"name": str(cal.get("X-WR-CALNAME", "")), "events": events}, ensure_ascii=False))
