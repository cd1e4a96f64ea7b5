"""JAD SEE 2023 simulation."""
