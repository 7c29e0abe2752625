"""Runs the Python module's tests with pytest (Debian's python3-pytest); exit 77 (skipped) when
pytest is missing.
    python3 tests/python/run_pytest.py tests/python     (PYTHONPATH=build/python)
"""
import sys

try:
    import pytest
except ImportError:
    print("pytest is not installed (Debian: apt install python3-pytest, or scripts/setup.sh)")
    sys.exit(77)

sys.exit(pytest.main(["-q", "-p", "no:cacheprovider"] + sys.argv[1:]))
