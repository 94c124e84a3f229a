"""Reliability and security (issue 7): load, faults, tampering, hostile input, backups.

Every test here runs real processes against a real database (SQLite file and
PostgreSQL); nothing is mocked. Long variants carry ``@pytest.mark.soak``.
"""
