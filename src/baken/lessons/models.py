"""Models of lessons."""
