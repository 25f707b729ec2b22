import csv
import io

import pytest

from studio.csv_safe import SafeDictWriter, formula_safe


@pytest.mark.parametrize("cell", ["=HYPERLINK(\"http://x\")", "+1+1", "-2+3", "@SUM(A1)", "\tx", "\rx"])
def test_formula_starts_are_neutralised(cell):
    assert formula_safe(cell) == "'" + cell


@pytest.mark.parametrize("cell", ["a harbour at noon", "", 12, -3, None, "x=1"])
def test_other_cells_are_left_alone(cell):
    assert formula_safe(cell) == cell


def test_safe_dict_writer_neutralises_every_cell():
    out = io.StringIO()
    writer = SafeDictWriter(out, fieldnames=["prompt", "n"])
    writer.writeheader()
    writer.writerow({"prompt": "=cmd|' /C calc'!A0", "n": 2})
    rows = list(csv.reader(io.StringIO(out.getvalue())))
    assert rows == [["prompt", "n"], ["'=cmd|' /C calc'!A0", "2"]]
