"""Prometheus metrics: the counters and histograms, and the backlog read at scrape time.

Counters and histograms live in the process (messages in/out by channel, NLU intents and
fallbacks, send errors by code, HTTP and turn latency). With `serve --workers N` the
workers write them to PROMETHEUS_MULTIPROC_DIR and any worker's `/metrics` reports the sum.
Backlogs are read from the database at scrape time, so every worker reports the same
figures: outbox depth and oldest age per channel, complaint queue depth and oldest age per
office, inbox depth per platform, and outbox rows given up per channel and error code.
No label ever holds a user id or message text.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from prometheus_client import (
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.models.channels import InboxUpdate
from storage.models.complaints import Complaint, OutboxMessage

LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
WAITING = ("new", "reopened")  # complaints waiting for a handler

MESSAGES_IN = Counter("jalur_aman_messages_in", "Messages received", ["channel"])
MESSAGES_OUT = Counter("jalur_aman_messages_out", "Replies produced", ["channel"])
TURN_ERRORS = Counter("jalur_aman_turn_errors", "Turns that raised", ["channel"])
NLU_INTENTS = Counter("jalur_aman_nlu_intents", "Messages answered by NLU intent", ["intent"])
NLU_FALLBACKS = Counter("jalur_aman_nlu_fallbacks", "Messages below the NLU threshold")
SEND_ERRORS = Counter("jalur_aman_send_errors", "Failed sends by channel and platform code",
                      ["channel", "code"])
DB_UNAVAILABLE = Counter("jalur_aman_db_unavailable", "Requests answered 503: database down")
RATE_LIMITED = Counter("jalur_aman_rate_limited", "Requests refused with 429", ["route"])
TURN_SECONDS = Histogram("jalur_aman_turn_seconds", "Engine turn duration", ["channel"],
                         buckets=LATENCY_BUCKETS)
HTTP_SECONDS = Histogram("jalur_aman_http_request_seconds", "HTTP request duration",
                         ["method", "route", "status"], buckets=LATENCY_BUCKETS)


def record_send_error(channel: str, code: str) -> None:
    """For channel senders: count one failed send (code: platform error code or 'network')."""
    SEND_ERRORS.labels(channel, code[:32]).inc()


def _age(now: datetime, oldest: datetime | None) -> float:
    if oldest is None:
        return 0.0
    if oldest.tzinfo is None:  # SQLite returns naive UTC
        oldest = oldest.replace(tzinfo=UTC)
    return max(0.0, (now - oldest).total_seconds())


async def backlog_families(sessions: async_sessionmaker[AsyncSession]) -> list[GaugeMetricFamily]:
    """Backlog gauges read from the database (one short read-only transaction)."""
    now = datetime.now(UTC)
    out_depth = GaugeMetricFamily("jalur_aman_outbox_depth", "Pending outbox rows",
                                  labels=["channel"])
    out_age = GaugeMetricFamily("jalur_aman_outbox_oldest_seconds",
                                "Age of the oldest pending outbox row", labels=["channel"])
    out_failed = GaugeMetricFamily("jalur_aman_outbox_failed",
                                   "Outbox rows given up, by error code",
                                   labels=["channel", "code"])
    q_depth = GaugeMetricFamily("jalur_aman_queue_depth",
                                "Complaints waiting for a handler", labels=["office"])
    q_age = GaugeMetricFamily("jalur_aman_queue_oldest_seconds",
                              "Age of the oldest waiting complaint", labels=["office"])
    in_depth = GaugeMetricFamily("jalur_aman_inbox_depth", "Pending inbox updates",
                                 labels=["platform"])
    async with sessions() as session:
        rows: Iterable[Any] = await session.execute(
            select(OutboxMessage.channel, func.count(), func.min(OutboxMessage.created_at))
            .where(OutboxMessage.status == "pending").group_by(OutboxMessage.channel))
        for channel, count, oldest in rows:
            out_depth.add_metric([channel], count)
            out_age.add_metric([channel], _age(now, oldest))
        rows = await session.execute(
            select(OutboxMessage.channel, func.coalesce(OutboxMessage.error_code, "unknown"),
                   func.count())
            .where(OutboxMessage.status == "failed")
            .group_by(OutboxMessage.channel, OutboxMessage.error_code))
        for channel, code, count in rows:
            out_failed.add_metric([channel, code], count)
        rows = await session.execute(
            select(Complaint.office_code, func.count(), func.min(Complaint.created_at))
            .where(Complaint.status.in_(WAITING)).group_by(Complaint.office_code))
        for office, count, oldest in rows:
            q_depth.add_metric([office], count)
            q_age.add_metric([office], _age(now, oldest))
        rows = await session.execute(
            select(InboxUpdate.platform, func.count())
            .where(InboxUpdate.status == "pending").group_by(InboxUpdate.platform))
        for platform, count in rows:
            in_depth.add_metric([platform], count)
    return [out_depth, out_age, out_failed, q_depth, q_age, in_depth]


class StaticCollector(Collector):
    def __init__(self, families: list[GaugeMetricFamily]) -> None:
        self.families = families

    def collect(self) -> Iterable[GaugeMetricFamily]:
        return self.families


def process_metrics() -> bytes:
    """Counters/histograms: summed over workers in multiprocess mode, else this process."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
        return generate_latest(registry)
    return generate_latest(REGISTRY)
