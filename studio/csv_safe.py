"""CSV that a spreadsheet opens as data, never as formulas (OWASP "CSV injection").

A cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage return is read by Excel, LibreOffice
and Google Sheets as a formula; prompts are typed by people and relayed from scripts, so every CSV
Studio writes goes through `formula_safe` (by way of `SafeDictWriter`). The cell gets a leading
apostrophe, which spreadsheets show as text and hide.
"""
from __future__ import annotations

import csv
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def formula_safe(value: Any) -> Any:
    """The cell as written to CSV: text that a spreadsheet would run is prefixed with an apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


class SafeDictWriter(csv.DictWriter):
    """csv.DictWriter whose every cell goes through `formula_safe` (the header row too)."""

    def writeheader(self):
        return super().writerow({name: formula_safe(name) for name in self.fieldnames})

    def writerow(self, rowdict):
        return super().writerow({key: formula_safe(value) for key, value in rowdict.items()})

    def writerows(self, rowdicts):
        for row in rowdicts:
            self.writerow(row)
