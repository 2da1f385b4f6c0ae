"""Files HR takes away: the results of a closed period as CSV (DESIGN §9) or an XLSX workbook."""
