"""The engine's rules, one module per concern: acute, steps, weighing, art273f, routes."""
