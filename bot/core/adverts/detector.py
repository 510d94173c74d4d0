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
SHORT_MIN_CHARS = 35  # a short advert (three lines: job, pay, a number to write to)
SHORT_MIN_WORDS = 6
LONG_CHARS = 220  # from here a question around the advert does not stop the check
_JOB_CUES = re.compile(r"(?<![a-z])(lowongan|loker|lowker|dibutuhkan|dicari|rekrut|merekrut|"
                       r"recruitment|hiring|vacancy|job|posisi|membuka|menerima|butuh|"
                       r"pendaftaran|program|syarat|kontrak|kerja|bekerja|berangkat|"
                       r"nyambut gawe|registration|register|apply)(?![a-z])")
_CONTACT_CUES = re.compile(r"(?<![a-z])(hubungi|hub|minat|daftar|kirim|cp|inbox|dm|japri)"
                           r"(?![a-z])")
_COMPANY = re.compile(r"(?<![a-z])(pt\.?|p3mi|cv|lpk|sponsor|agen|agency)(?![a-z])")
_PHONE = re.compile(r"(?<!\d)(?:\+?62|0)8\d{1,3}[\s.-]?\d{3,4}[\s.-]?\d{3,5}(?!\d)|wa\.me/")
_MONTHLY = re.compile(r"(/ ?bln|/ ?bulan|per ?bulan|sebulan|/ ?month|per month)(?![a-z])")
_AGE = re.compile(r"(?<![a-z])(usia|umur|umr|age)\s*:?\s*(min|maks|max|\d)")
_QUESTION = re.compile(r"\?\s*$|(?<![a-z])(apakah|gimana|bagaimana|beneran|benarkah|"
                       r"mau tanya|boleh tanya|penipuan (ya|gak|nggak|bukan)|aman (gak|ga|nggak|"
                       r"tidak|kah)|asli (gak|ga|nggak|tidak)|bingung|(lewat|ke|di) mana|kira2|"
                       r"bilang|katanya|"
                       r"lapor|laporin|ngelaporin|melaporkan|mengadu|ditipu|tertipu|"
                       r"tolong(?! (bantu |dibantu )?(share|sebar|di ?share|bagikan|dibagikan))|"
                       r"mohon (info|bantuan|dicek|cek|petunjuk)|mohon bantu(?! (share|sebar))|"
                       r"berapa|brp|brapa|piro|pira|opo|jenenge|namanya|(itu|iku|kuwi) apa|"
                       r"gmn|gmna|bgmn|curiga|ragu|apa (itu|sih|ya|aja|saja)|"
                       # a particle right before a question mark, short question words, and
                       # someone who wants to complain
                       r"(ga|gk|gak|nggak|ngga|tidak|ora|teu|sonde|po|ko|kah)\s*\?|"
                       r"kpn|dmn|endi|ngendi|pundi|ap aj|apa aj|ko sonde|betul ko|"
                       r"boleh (ga|gk|gak|nggak|tidak|ora|teu)|syarat(nya|e) (apa|opo|naon)|"
                       r"mau (ngadu|mengadu|lapor|bikin pengaduan|buat pengaduan)|"
                       r"(resmi|legal|sah|asli) (ga|gk|gak|nggak|ora|teu|ke tak)|"
                       r"cek (pt|p3mi|agen|agensi|perusahaan)|kata (teman|tetangga|orang)|"
                       # someone of the writer's own, written short or regional
                       r"(anak|suami|istri|adik|adek|ibu|bapak|keluarga|kakak|ponakan|"
                       r"keponakan|teman|temen|sepupu|murid|garwa|bojo|inaq|amaq)"
                       r"( \w+)? (saya|sy|aku|gue|gw|kula|abdi|tiang)|(anak|adik|suami|istri|bojo|"
                       r"kanca|konco|adek)ku|anak tetangga|(sy|saya|aku|gue|gw) (umur|kepala desa|"
                       r"kades|guru|perangkat)|umur (gue|gw|sy|saya|aku)|"
                       # question tails typed in chat
                       r"(ga|gk|gak|nggak) (sih|ya)|wajar (ga|gk|gak|nggak|tidak)|"
                       r"penipuan (ga|gk|gak)|itu penipuan|masih buka|"
                       r"(ada|ono|aya) (ga|gk|gak|ra|teu)|"
                       r"bisa (ga|gk|gak)|apa ora|plis jawab|step by step|"
                       r"saya (sudah|udah|telah|sdh) (bayar|transfer|setor|kirim|daftar|ditipu)|"
                       r"saya (mau|ingin|pengen|pingin) (tanya|daftar|kerja|berangkat|ikut)|"
                       r"(tidak|gak|ga|nggak|belum) bisa (di)?hubungi|"
                       # krama, ngoko and Sundanese question words, and a person who wants
                       # something for themselves (a recruiter's "ngaliwatan abdi" is no question)
                       r"pripun|kados pundi|kepripun|punapa|menapa|pinten|sinten|kumaha|naon|"
                       r"sabaraha|iraha|piye|"
                       r"nyuwun (pirsa|priksa)(?! (langsung|dhateng|dateng|teng|wonten|ing))|"
                       r"tanglet|naros|ngengingi|"
                       r"perkawis|(kula|kulo|kawula|abdi|simkuring) (badhe|ajeng|bade|hoyong|"
                       r"arep|kepengin|pengin|pados|nyuwun|ingin))"
                       r"(?![a-z])")
# A particle at the very end ("...itu asli ga", "...aman kak"): a question, unless the message
# carries four or more advert cues ("Minat langsung PC aja kak" closes an advert).
_TRAILING = re.compile(r"(?<![a-z])(ga|gak|nggak|ngga|tidak|kah|ya|kak|min|dong|gimana)"
                       r"\s*[?.!]*\s*$")
STRONG_SCORE = 4


def looks_like_advert(text: str, lexicon: Lexicon) -> bool:
    low = fold(text).lower()
    if len(low) < MIN_CHARS or len(low.split()) < MIN_WORDS:
        return _short_advert(low, lexicon)
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
    if len(low) >= LONG_CHARS:
        return True
    return not _QUESTION.search(low) and (score >= STRONG_SCORE or not _TRAILING.search(low))


def _short_advert(low: str, lexicon: Lexicon) -> bool:
    """A short advert of two to four lines ("Loker kapal pesiar / Gaji 25 jt / WA 08..."):
    a job cue, pay with an amount and a phone number to write to, on separate lines, and
    nothing of a question."""
    lines = [line for line in low.splitlines() if line.strip()]
    if len(lines) < 2 or len(low) < SHORT_MIN_CHARS or len(low.split()) < SHORT_MIN_WORDS:
        return False
    if _QUESTION.search(low) or _TRAILING.search(low) or "?" in low:
        return False
    job = bool(_JOB_CUES.search(low)) or any(j.pattern.search(low) for j in lexicon.jobs)
    pay_cue = lexicon.patterns["salary_words"].search(low) or _MONTHLY.search(low)
    return job and bool(pay_cue) and bool(amounts(low)) and bool(_PHONE.search(low))
