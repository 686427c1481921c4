"""Pure functions on strings (rendering, diffing, input hygiene); import from the submodules."""
