"""Models of screening."""
