"""The download template of an assignment as an XLSX workbook, labels in one language.

Why XLSX: the report is mostly tables (concepts, search log, results with X/Y/A), which a
spreadsheet keeps aligned; it opens in Excel, LibreOffice, Google Sheets and on phones; it is built
here with openpyxl (already a dependency) from the package's labels, so it is never executable
HTML; and the filled-in workbook is a type the report upload already accepts.
"""

from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
RESULT_ROWS = 200  # rows offered for data entry under a table's header (choices apply to them)


def _label(ws, row: int, col: int, value: str, **style) -> None:
    cell = ws.cell(row=row, column=col, value=value)
    # A label is text, never a formula, whatever character it starts with.
    cell.data_type = "s"
    cell.font = Font(bold=True)
    cell.alignment = Alignment(wrap_text=True, vertical="top")
    for name, val in style.items():
        setattr(cell, name, val)


def build_template(title: str, template: dict, rtl: bool = False) -> bytes:
    """The workbook's bytes: one sheet per template sheet, labels bold, answer cells empty."""
    wb = Workbook()
    wb.remove(wb.active)
    header_fill = PatternFill("solid", fgColor="DDE6F0")
    for sheet in template["sheets"]:
        ws = wb.create_sheet(title=sheet["name"])
        ws.sheet_view.rightToLeft = rtl
        if "fields" in sheet:
            for row, label in enumerate(sheet["fields"], start=1):
                _label(ws, row, 1, label)
                ws.cell(row=row, column=2).alignment = Alignment(wrap_text=True, vertical="top")
            ws.column_dimensions["A"].width = 36
            ws.column_dimensions["B"].width = 90
            continue
        for col, label in enumerate(sheet["columns"], start=1):
            _label(ws, 1, col, label, fill=header_fill)
            ws.column_dimensions[get_column_letter(col)].width = 14 if len(label) < 8 else 28
        ws.freeze_panes = "A2"
        choices = sheet.get("choices")
        if choices:
            letter = get_column_letter(choices["column"])
            rule = DataValidation(type="list", formula1='"' + ",".join(choices["values"]) + '"', allow_blank=True)
            rule.add(f"{letter}2:{letter}{RESULT_ROWS + 1}")
            ws.add_data_validation(rule)
    wb.properties.title = title
    wb.properties.creator = "Academy"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
