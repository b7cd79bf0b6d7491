"""Pure Plotly figure builders: tidy DataFrames in, go.Figure out (no Dash, no I/O)."""
