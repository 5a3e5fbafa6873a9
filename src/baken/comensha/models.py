"""Models of comensha."""
