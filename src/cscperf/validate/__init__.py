"""Field validation: code lists and the SQL that checks staged rows."""
