"""Which errors count as a database outage (503) rather than a bug (500)."""

from __future__ import annotations

from asyncpg.exceptions import CannotConnectNowError, UniqueViolationError
from sqlalchemy import exc as sa_exc

from bot.ops.guards import is_db_outage


def wrapped(driver_error: Exception) -> sa_exc.DBAPIError:
    """What SQLAlchemy's asyncpg dialect raises for a driver error it cannot classify."""
    error = sa_exc.DBAPIError("connect", None, driver_error)
    error.__cause__ = driver_error
    return error


def test_server_shutting_down_wrapped_by_sqlalchemy_is_an_outage() -> None:
    assert is_db_outage(wrapped(CannotConnectNowError("the database system is shutting down")))


def test_refused_connection_is_an_outage() -> None:
    assert is_db_outage(ConnectionRefusedError(111, "refused"))


def test_constraint_violation_is_not_an_outage() -> None:
    assert not is_db_outage(wrapped(UniqueViolationError("duplicate key")))


def test_query_bug_is_not_an_outage() -> None:
    assert not is_db_outage(sa_exc.ProgrammingError("select", None, ValueError("bad")))
