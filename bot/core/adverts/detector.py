"""Is a chat message a forwarded job advert (to check) or an ordinary question (for the
NLU)? An advert carries several of: a job cue, pay, a place abroad, a contact, a company or
programme, an age requirement. A short message asking about an offer ("...itu penipuan
ya?") stays a question; a long pasted advert is checked even with a question around it.
"""

from __future__ import annotations

import re

from bot.core.adverts.lexicon import Lexicon
from bot.core.adverts.money import amounts
from bot.core.adverts.text import fold

MIN_CHARS = 60
MIN_WORDS = 9
LONG_CHARS = 220  # from here a question around the advert does not stop the check
_JOB_CUES = re.compile(r"(?<![a-z])(lowongan|loker|lowker|dibutuhkan|dicari|rekrut|merekrut|"
                       r"recruitment|hiring|vacancy|job|posisi|membuka|menerima|butuh|"
                       r"pendaftaran|program|syarat|kontrak|kerja|bekerja|berangkat|"
                       r"nyambut gawe|registration|register|apply)(?![a-z])")
_CONTACT_CUES = re.compile(r"(?<![a-z])(hubungi|hub|minat|daftar|kirim|cp|inbox|dm|japri)"
                           r"(?![a-z])")
_COMPANY = re.compile(r"(?<![a-z])(pt\.?|p3mi|cv|lpk|sponsor|agen|agency)(?![a-z])")
_AGE = re.compile(r"(?<![a-z])(usia|umur|umr|age)\s*:?\s*(min|maks|max|\d)")
_QUESTION = re.compile(r"\?\s*$|(?<![a-z])(apakah|gimana|bagaimana|beneran|benarkah|"
                       r"mau tanya|boleh tanya|penipuan (ya|gak|nggak|bukan)|aman (gak|ga|nggak|"
                       r"tidak|kah)|asli (gak|ga|nggak|tidak)|bingung|(lewat|ke|di) mana|kira2|"
                       r"bilang|katanya|"
                       r"lapor|laporin|ngelaporin|melaporkan|mengadu|ditipu|tertipu|"
                       r"(ga|gak|nggak|ngga|tidak|kah|ya|kak|min|dong|gimana)\s*[?.!]*\s*$)"
                       r"(?![a-z])")


def looks_like_advert(text: str, lexicon: Lexicon) -> bool:
    low = fold(text).lower()
    if len(low) < MIN_CHARS or len(low.split()) < MIN_WORDS:
        return False
    job = bool(_JOB_CUES.search(low)) or any(j.pattern.search(low) for j in lexicon.jobs)
    pay = bool(lexicon.patterns["salary_words"].search(low)) and bool(amounts(low))
    place = bool(lexicon.any_country.search(low)) or \
        bool(lexicon.patterns["abroad"].search(low))
    contact = bool(_CONTACT_CUES.search(low)) or any(p.search(low) for _, p in lexicon.contacts)
    company = bool(_COMPANY.search(low)) or bool(lexicon.patterns["g2g"].search(low))
    age = bool(_AGE.search(low))
    score = sum((job, pay, place, contact, company, age))
    if not job or score < 3:
        return False
    return len(low) >= LONG_CHARS or not _QUESTION.search(low)
