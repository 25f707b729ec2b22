"""What a batch is made of: pasted prompts (one per line) or a CSV whose columns are a preset's variables.

Every row is checked before anything is made; `BatchRowsInvalid` carries one sentence per bad row, so a
person fixes them all at once. The CSV is read with the stdlib `csv` module (quotes, commas and newlines
inside cells as spreadsheets write them).
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

from django.conf import settings

from .models import fill, variables_in

MAX_CSV_BYTES = 2 * 1024 * 1024
MAX_PROMPT_CHARS = 32000
SHOWN_ERRORS = 20


@dataclass
class BatchRow:
    number: int  # the line, or the CSV data row (1 is the first after the header)
    prompt: str
    values: dict = field(default_factory=dict)


class BatchRowsInvalid(Exception):
    def __init__(self, errors: list[str]):
        shown = errors[:SHOWN_ERRORS]
        if len(errors) > SHOWN_ERRORS:
            shown.append(f"… and {len(errors) - SHOWN_ERRORS} more rows with problems.")
        super().__init__(" ".join(shown))
        self.errors = shown


def _check_count(count: int, what: str) -> None:
    limit = settings.STUDIO_BATCH_MAX_JOBS
    if count > limit:
        raise BatchRowsInvalid([f"There are {count} {what}; a batch makes at most {limit} jobs "
                                "(STUDIO_BATCH_MAX_JOBS). Split it into smaller batches."])
    if count == 0:
        raise BatchRowsInvalid([f"There are no {what}: nothing to make."])


def rows_from_lines(text: str, template: str = "{prompt}") -> list[BatchRow]:
    """One job per non-blank line. With a preset of one variable, each line fills it; else it is the prompt."""
    names = variables_in(template)
    lines = [(number, line.strip()) for number, line in enumerate(text.splitlines(), 1) if line.strip()]
    _check_count(len(lines), "prompts")
    if len(names) > 1:
        raise BatchRowsInvalid([f"The preset asks for {len(names)} variables ({', '.join(names)}); one line "
                                "fills only one. Upload a CSV with a column for each."])
    rows, errors = [], []
    for number, line in lines:
        prompt = fill(template, {names[0]: line}) if names else line
        if len(prompt) > MAX_PROMPT_CHARS:
            errors.append(f"Line {number}: the prompt is longer than {MAX_PROMPT_CHARS} characters.")
        rows.append(BatchRow(number, prompt, {names[0]: line} if names else {}))
    if errors:
        raise BatchRowsInvalid(errors)
    return rows


def rows_from_csv(upload, template: str) -> list[BatchRow]:
    """One job per data row of the CSV, its cells filling the template's variables by column name."""
    names = variables_in(template)
    data = upload.read(MAX_CSV_BYTES + 1)
    if len(data) > MAX_CSV_BYTES:
        raise BatchRowsInvalid([f"The CSV is larger than {MAX_CSV_BYTES // (1024 * 1024)} MB."])
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise BatchRowsInvalid(["The CSV is not UTF-8 text. Save it from the spreadsheet as “CSV UTF-8”."]) from None
    reader = csv.DictReader(io.StringIO(text, newline=""))
    try:
        header = [name.strip() for name in (reader.fieldnames or [])]
        records = list(reader)
    except csv.Error as exc:
        raise BatchRowsInvalid([f"The CSV could not be read: {exc}."]) from None
    missing = [name for name in names if name not in header]
    if missing:
        raise BatchRowsInvalid([f"The CSV has no column for {', '.join('{' + m + '}' for m in missing)}: its first "
                                f"row must name the preset's variables ({', '.join(names) or 'none'})."])
    _check_count(len(records), "rows")
    rows, errors = [], []
    for number, record in enumerate(records, 1):
        cells = {(key or "").strip(): (value or "").strip() if isinstance(value, str) else ""
                 for key, value in record.items()}
        values = {name: cells.get(name, "") for name in names}
        empty = [name for name, value in values.items() if not value]
        if empty:
            errors.append(f"Row {number}: no value for {', '.join('{' + e + '}' for e in empty)}.")
            continue
        prompt = fill(template, values).strip()
        if not prompt:
            errors.append(f"Row {number}: the prompt is empty.")
        elif len(prompt) > MAX_PROMPT_CHARS:
            errors.append(f"Row {number}: the prompt is longer than {MAX_PROMPT_CHARS} characters.")
        else:
            rows.append(BatchRow(number, prompt, values))
    if errors:
        raise BatchRowsInvalid(errors)
    return rows
