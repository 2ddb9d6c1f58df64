"""The fast handler tier (see conftest.py and handler_kit.py)."""
