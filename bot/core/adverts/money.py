"""Amounts of money in advert text: "Rp 3.500.000", "3,5 jt", "RM1,800", "NT$ 27.470",
"USD 1.000-1.500", "500rb". Pure; rough rupiah values only feed the high-pay rule."""

from __future__ import annotations

import re
from dataclasses import dataclass

_CURRENCIES = {
    "rp": "IDR", "idr": "IDR", "rupiah": "IDR", "rm": "MYR", "myr": "MYR", "ringgit": "MYR",
    "nt$": "TWD", "ntd": "TWD", "nt": "TWD", "twd": "TWD", "usd": "USD", "us$": "USD",
    "$": "USD", "dollar": "USD", "dolar": "USD", "sgd": "SGD", "s$": "SGD", "hkd": "HKD",
    "hk$": "HKD", "sar": "SAR", "riyal": "SAR", "real": "SAR", "aed": "AED",
    "dirham": "AED", "qar": "QAR", "kwd": "KWD", "dinar": "KWD", "won": "KRW", "krw": "KRW",
    "yen": "JPY", "jpy": "JPY", "¥": "JPY", "eur": "EUR", "euro": "EUR", "€": "EUR",
    "thb": "THB", "baht": "THB", "gbp": "GBP", "pound": "GBP", "£": "GBP",
}
_CUR = (r"(?:nt\$|us\$|hk\$|s\$|rp\.?|idr|rm|myr|ntd|nt|twd|usd|\$|sgd|hkd|sar|aed|qar|kwd|"
        r"krw|jpy|¥|eur|€|thb|gbp|£)")
_CUR_AFTER = (r"(?:rupiah|ringgit|dollar|dolar|usd|riyal|real|sar|dirham|aed|dinar|won|yen|"
              r"euro|baht|ntd|nt|rm|sgd|hkd|qar|kwd|twd|myr)")
_NUM = r"\d{1,3}(?:[.,]\d{3})+(?:[.,]\d+)?|\d+(?:[.,]\d+)?"
_MULT = r"(?:jt|juta|jta|jutaan|rb|ribu|rebu|k|m|million|milyar|miliar)"
AMOUNT = re.compile(
    rf"(?<![a-z0-9])(?P<cur>{_CUR})?\s*(?P<num>{_NUM})\s*(?P<mult>{_MULT})?"
    rf"(?:\s*(?:-|–|s/?d|sampai|hingga|~)\s*(?:{_CUR})?\s*(?P<num2>{_NUM})\s*(?P<mult2>{_MULT})?)?"
    rf"(?:\s*(?P<cur2>{_CUR_AFTER}))?(?![a-z0-9])"
)
_MULTIPLIERS = {"jt": 1e6, "juta": 1e6, "jta": 1e6, "jutaan": 1e6, "rb": 1e3, "ribu": 1e3,
                "rebu": 1e3, "k": 1e3, "m": 1e6, "million": 1e6, "milyar": 1e9, "miliar": 1e9}


@dataclass(frozen=True, slots=True)
class Amount:
    """An amount as written (`text`), its value (the top of a range) and currency."""

    text: str
    value: float
    currency: str
    start: int

    def idr(self, rates: dict[str, float]) -> float:
        return self.value * rates.get(self.currency, 0.0)


def parse_number(raw: str) -> float:
    """"3.500.000" and "3,500,000" -> 3500000; "3,5" and "3.5" -> 3.5."""
    groups = re.split(r"[.,]", raw)
    if len(groups) > 1 and all(len(g) == 3 for g in groups[1:]):
        return float("".join(groups))
    if len(groups) == 2:
        return float(f"{groups[0]}.{groups[1]}")
    return float("".join(groups[:-1]) + "." + groups[-1]) if len(groups) > 2 else float(raw)


def amounts(text: str) -> list[Amount]:
    """Amounts with a currency or a multiplier ("jt", "rb"); bare numbers (ages, phone
    numbers, years) are not money. Lower-case text expected."""
    found: list[Amount] = []
    for match in AMOUNT.finditer(text):
        cur = match.group("cur") or match.group("cur2")
        mult = match.group("mult2") or match.group("mult")
        if not cur and not mult:
            continue
        if mult in ("k", "m") and not cur:
            continue  # "5k" / "2m" alone are too ambiguous (km, meters)
        number = match.group("num2") or match.group("num")
        try:
            value = parse_number(number) * _MULTIPLIERS.get(mult or "", 1.0)
        except ValueError:
            continue
        currency = _CURRENCIES.get((cur or "rp").rstrip(".").strip(), "IDR")
        if currency == "IDR" and value < 1000:
            continue  # "Rp 5" is never the amount of a job advert
        found.append(Amount(match.group(0).strip(), value, currency, match.start()))
    return found
