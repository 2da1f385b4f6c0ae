"""Reading CSV files from HR: encoding, header, row shape, and problems reported with their place."""
