"""Reports: one module per output format (see `formats`), and the PR comment client."""
