"""Realistic XLSForm fixtures (see build.py)."""
