"""Is a chat message a forwarded job advert (to check) or an ordinary question (for the
NLU)? An advert is long and carries most of: a job cue, pay, a contact, a place abroad."""

from __future__ import annotations

import re

from bot.core.adverts.lexicon import Lexicon
from bot.core.adverts.money import amounts
from bot.core.adverts.text import fold

MIN_CHARS = 110
MIN_WORDS = 15
_JOB_CUES = re.compile(r"(?<![a-z])(lowongan|loker|lowker|dibutuhkan|dicari|rekrut|merekrut|"
                       r"recruitment|hiring|vacancy|job|posisi|membuka|menerima|kerja|syarat)"
                       r"(?![a-z])")
_CONTACT_CUES = re.compile(r"(?<![a-z])(hubungi|hub|minat|info|daftar|kirim|cp|inbox|dm)(?![a-z])")


def looks_like_advert(text: str, lexicon: Lexicon) -> bool:
    low = fold(text).lower()
    if len(low) < MIN_CHARS or len(low.split()) < MIN_WORDS:
        return False
    job = bool(_JOB_CUES.search(low)) or any(j.pattern.search(low) for j in lexicon.jobs)
    pay = bool(lexicon.patterns["salary_words"].search(low)) and bool(amounts(low))
    contact = bool(_CONTACT_CUES.search(low)) or any(p.search(low) for _, p in lexicon.contacts)
    place = any(p.search(low) for _, p in lexicon.countries) or \
        bool(lexicon.patterns["abroad"].search(low))
    return job and (pay or place) and sum((job, pay, contact, place)) >= 3
