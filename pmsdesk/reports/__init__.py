"""Printable reports (reportlab): each report is a pure function of domain data to PDF bytes."""
