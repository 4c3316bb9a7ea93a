"""Enrolment statistics: the query layer, dashboard, charts and CSV/XLSX exports."""
