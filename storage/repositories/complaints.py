"""Old import path of the complaint storage, kept only for benchmarks/complaint_queue.py.

The complaint storage is split by job: complaint_records (intake: the complaint, its events
and messages), complaint_queue (claims and atomic state changes), complaint_views
(office-scoped reads for staff) and complainant_cases (the complainant's side, data
deletion). New code imports those; delete this module once the benchmark does too.
"""

from __future__ import annotations

from storage.repositories.complaint_queue import claim_next
from storage.repositories.complaint_records import NewComplaint, create_complaint

__all__ = ["NewComplaint", "claim_next", "create_complaint"]
