"""Finding an agency name or licence number inside a chat message: pure, no I/O.

"agen saya namanya pt kilau samudra" -> name "kilau samudra" (after the legal form "pt");
"PT Kilau Samudra Raya resmi ga?" -> "kilau samudra raya"; "cek KEP 276 TAHUN 2022" -> a
number. Chat words (saya, namanya, resmi, ga, ...) split a message into name segments; a
segment is never trimmed inside, so "pt kilau samudra raya jaya" stays a five-word
look-alike and is not mistaken for "Kilau Samudra Raya".
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from bot.core.agencies.matching import name_key, number_key


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Words that are part of a question about an agency, never of its name.
CHAT_WORDS = _words("""
agen agent agensi agency agennya perusahaan perusahaannya kantor p3mi pptkis pjtki ptnya
nama namanya namax saya sy aku ku gue gw kami kita punya yang yg itu ini tsb tersebut nya
resmi terdaftar legal ilegal asli palsu benar bener beneran aman ada izin izinnya ijin
ga gak nggak ngga enggak engga gk g tidak tdk bukan apa apakah kah ya yah dong sih deh
kak kakak min admin mas mbak bang pak bu tolong bantu cek ngecek mengecek periksa check
dan atau di ke dari dengan untuk buat mau ingin kerja bekerja berangkat lewat melalui via
dia mereka katanya bilang gimana bagaimana cara caranya ok oke halo hai sudah udah belum
masih bisa boleh status daftar no nomor nomer nmr sip3mi sip sip2mi nib bp2mi bp3mi kp2mi
disnaker terpercaya percaya tahu tau kenal kenalan mohon info informasi tanya nanya lagi
namanya apa sama juga jg mana gmn gk tdk blm udh sdh dgn utk dr sm aja saja nih tuh
""")
CUE_WORDS = _words(
    "agen agent agensi agency agennya perusahaan p3mi pptkis pjtki namanya ptnya sponsor"
)
_LEGAL = frozenset({"pt", "perseroan", "terbatas"})
_NUMBER_WORDS = _words(
    "kep ka men b pptkis tahun th thn i ii iii iv v vi vii viii ix x xi xii kepka"
)
_LABELS = _words("no nomor nomer nmr sip3mi sip nib izin ijin")
_WORD = re.compile(r"[a-z0-9]+")


@dataclass
class Mention:
    """What a message says about an agency: name segments (after "pt" first) and numbers."""

    names: list[str] = field(default_factory=list)
    numbers: list[str] = field(default_factory=list)  # raw spans, longest first
    after_legal: list[str] = field(default_factory=list)  # segments right after "PT"
    has_legal_form: bool = False
    has_cue: bool = False

    @property
    def empty(self) -> bool:
        return not self.names and not self.numbers


def find_mention(text: str) -> Mention:
    """Name segments and number spans in a message, most likely first."""
    mention = Mention(numbers=_number_spans(text))
    words = _WORD.findall(text.lower())
    mention.has_cue = any(w in CUE_WORDS for w in words)
    after_pt: list[str] = []
    others: list[str] = []
    segment: list[str] = []
    segment_after_pt = False
    previous = ""

    def close() -> None:
        if segment:
            key = name_key(" ".join(segment))
            if key and not _is_number_like(key):
                (after_pt if segment_after_pt else others).append(key)
        segment.clear()

    for word in words:
        if word in _LEGAL and not (word == "terbatas" and previous != "perseroan"):
            close()
            mention.has_legal_form = True
            segment_after_pt = word in ("pt", "terbatas")
        elif word in CHAT_WORDS:
            close()
            segment_after_pt = False
        else:
            segment.append(word)
        previous = word
    close()
    mention.after_legal = list(dict.fromkeys(after_pt))
    seen: set[str] = set()
    for key in after_pt + sorted(others, key=lambda k: -len(k)):
        if key not in seen:
            seen.add(key)
            mention.names.append(key)
    return mention


def _is_number_like(key: str) -> bool:
    compact = key.replace(" ", "")
    return sum(ch.isdigit() for ch in compact) * 2 >= len(compact)


def _number_spans(text: str) -> list[str]:
    """Runs of tokens that look like a licence number ("KEP.123/KA/2021", "KEP 276 TAHUN
    2022", "022 2018 000 911"), with every sub-run, longest first."""
    tokens = text.replace(",", " ").split()
    runs: list[list[str]] = []
    run: list[str] = []
    for token in tokens:
        low = token.lower().strip(".:;?!()")
        digit = any(ch.isdigit() for ch in low) and low not in _LABELS
        if digit or (run and low in _NUMBER_WORDS) or (not run and low in ("kep", "b", "b.")):
            run.append(token)
        else:
            if any(any(ch.isdigit() for ch in t) for t in run):
                runs.append(run)
            run = []
    if any(any(ch.isdigit() for ch in t) for t in run):
        runs.append(run)
    spans: list[str] = []
    for run in runs:
        run = run[:8]
        for size in range(len(run), 0, -1):
            for start in range(0, len(run) - size + 1):
                span = " ".join(run[start:start + size])
                if sum(ch.isdigit() for ch in number_key(span)) >= 4 and span not in spans:
                    spans.append(span)
    return spans
