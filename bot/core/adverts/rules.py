"""From what an advert says to the flag codes of DESIGN.md, and the risk.

Risk: `high` if any flag other than `agency_lookalike` and `no_agency` is raised; `medium` if
only those; `low` if none. Pure, no I/O: each flag carries the values its explanation needs.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.core.adverts.extraction import Extraction
from bot.core.adverts.lexicon import Lexicon
from bot.core.adverts.names import AgencyCheck
from bot.core.agencies.matching import AMBIGUOUS, LICENSE_PROBLEM, NOT_FOUND, REGISTERED

HIGH, MEDIUM, LOW = "high", "medium", "low"
MEDIUM_ONLY = frozenset({"agency_lookalike", "no_agency"})
CODES = ("non_placement_country", "middle_east_domestic", "non_work_visa", "fee_requested",
         "personal_account", "agency_not_registered", "agency_license_problem",
         "agency_lookalike", "no_agency", "individual_recruiter", "scam_job", "underage")


@dataclass(frozen=True)
class Flag:
    """A raised flag and the values that fill its explanation (country, fee, name...)."""

    code: str
    params: dict[str, str] = field(default_factory=dict)


def risk_of(flags: list[Flag]) -> str:
    if any(f.code not in MEDIUM_ONLY for f in flags):
        return HIGH
    return MEDIUM if flags else LOW


def evaluate(ex: Extraction, checks: list[AgencyCheck], lexicon: Lexicon) -> list[Flag]:
    flags: list[Flag] = []
    blocked = [c for c in ex.destinations if c in lexicon.non_placement]
    if blocked:
        flags.append(Flag("non_placement_country", {"country": ", ".join(blocked)}))
    middle_east = [c for c in ex.destinations if c in lexicon.middle_east]
    if middle_east and ex.domestic:
        flags.append(Flag("middle_east_domestic", {"country": middle_east[0]}))
    if ex.non_work_visa:
        flags.append(Flag("non_work_visa", {"visa": ex.non_work_visa}))
    if ex.fees:
        fee = ex.fees[0]
        text = fee.purpose + (f" {fee.amount}" if fee.amount else "")
        flags.append(Flag("fee_requested", {"fee": text}))
    if ex.personal_account:
        flags.append(Flag("personal_account", {"account": ex.personal_account}))
    flags += _agency_flags([c for c in checks if not (ex.local and c.verdict == NOT_FOUND)])
    if ex.abroad and not checks and not ex.g2g:
        flags.append(Flag("no_agency"))
    who = _individual(ex, checks)
    if who:
        flags.append(Flag("individual_recruiter", {"who": who}))
    if _scam(ex, checks, lexicon):
        flags.append(Flag("scam_job"))
    if ex.underage:
        flags.append(Flag("underage", {"age": ex.underage}))
    return flags


def _individual(ex: Extraction, checks: list[AgencyCheck]) -> str | None:
    """A person recruits: said outright ("sponsor", "lewat saya"), money goes to a named
    person, or a named person is the contact of a job abroad naming no company, programme
    or public office announcing it (a job at home found through a person is not the
    placement this rule is about; an office's named officer is not a recruiter)."""
    if ex.individual:
        return ex.individual
    if ex.payee == "person" and ex.personal_account:
        return ex.personal_account
    if ex.person_contact and ex.abroad and not checks and not ex.g2g and not ex.office:
        return ex.person_contact
    return None


def _agency_flags(checks: list[AgencyCheck]) -> list[Flag]:
    flags: list[Flag] = []
    seen: set[str] = set()
    for check in checks:
        best = check.result.best
        if check.verdict == NOT_FOUND:
            code, params = "agency_not_registered", {"name": check.query}
        elif check.verdict == LICENSE_PROBLEM and best is not None:
            code, params = "agency_license_problem", {"name": best.agency.name,
                                                      "status": best.status}
        elif check.verdict == AMBIGUOUS and best is not None:
            code, params = "agency_lookalike", {"name": check.query, "match": best.agency.name}
        else:
            continue
        if code not in seen:
            seen.add(code)
            flags.append(Flag(code, params))
    return flags


def _scam(ex: Extraction, checks: list[AgencyCheck], lexicon: Lexicon) -> bool:
    """Kemlu's signs of online-scam recruitment on an admin/CS/marketing/operator job. A
    registered P3MI's office job abroad often pays well with ticket and housing borne by
    the employer: there, no skills asked must be one of the signs."""
    if not ex.scam_job_type:
        return False
    high_pay = ex.high_pay_words or ex.salary_idr >= lexicon.high_pay_idr
    signs = sum((high_pay, ex.no_skill, ex.free_ticket_housing))
    if any(c in lexicon.non_placement for c in ex.destinations):
        return signs >= 1
    registered = any(c.verdict == REGISTERED for c in checks)
    return signs >= 2 and (ex.no_skill or not registered)
