"""File formats in and out of pmsdesk (CSV, spreadsheets, FHIR)."""
