"""The Share tab: read-only links to a fit's results for stakeholders, and the same report as one HTML file."""
