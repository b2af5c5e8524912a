"""Sorting cases live with indexing (cases_indexing.py)."""
