"""Indonesian labels for the dashboard: views, statuses, categories, events, notices.

These are interface labels for staff, not bot answers (those live in content/). Codes
without a label are shown as the code itself, so a new status never breaks a page.
"""

from __future__ import annotations

VIEW_LABELS = {
    "new": "Baru",
    "mine": "Kasus saya",
    "waiting": "Menunggu pelapor",
    "urgent": "Mendesak",
    "overdue": "Lewat batas",
    "all": "Semua",
}

STATUS_LABELS = {
    "new": "Baru",
    "assigned": "Ditangani",
    "waiting_on_complainant": "Menunggu pelapor",
    "resolved": "Selesai",
    "closed": "Ditutup",
    "reopened": "Dibuka kembali",
}

CATEGORY_LABELS = {
    "agency_fraud": "Penipuan P3MI / calo",
    "overcharging": "Uang diambil / biaya berlebih",
    "documents_held": "Dokumen / paspor ditahan",
    "unpaid_wages": "Gaji tidak dibayar",
    "violence": "Kekerasan / pelecehan",
    "contract_broken": "Kontrak dilanggar",
    "stuck_abroad": "Terlantar / ingin pulang",
    "other": "Lainnya",
}

AFFECTED_LABELS = {"self": "Diri sendiri", "family": "Anggota keluarga"}

URGENCY_LABELS = {
    "violence": "kekerasan",
    "detention": "disekap/ditahan",
    "minor": "anak di bawah umur",
    "passport_held": "paspor ditahan",
    "emergency_words": "kata darurat",
    "emergency_seen": "darurat saat pengisian",
}

EVENT_LABELS = {
    "created": "Pengaduan dibuat",
    "claimed": "Diambil",
    "replied": "Balasan dikirim",
    "staff_reply": "Balasan dikirim",
    "note": "Catatan internal",
    "info_requested": "Minta informasi",
    "request_info": "Minta informasi",
    "reassigned": "Dialihkan",
    "escalated": "Dieskalasi",
    "resolved": "Diselesaikan",
    "reopened": "Dibuka kembali",
    "closed": "Ditutup",
    "released": "Dikembalikan ke antrean",
    "lease_expired": "Waktu klaim habis",
    "complainant_replied": "Pelapor membalas",
    "complainant_message": "Pesan pelapor",
    "data_deleted": "Data dihapus atas permintaan",
    "anonymised": "Dianonimkan",
    "overdue": "Lewat batas target (ke supervisor)",
    "reassigned_office": "Dipindah ke kantor lain",
    "reassigned_handler": "Diserahkan ke petugas lain",
    "reopened_unsatisfied": "Dibuka kembali: pelapor tidak puas",
    "satisfaction": "Penilaian pelapor",
    "satisfaction_comment": "Saran pelapor",
    "handoff_released": "Diserahkan lagi ke bot",
    "agency_checked": "P3MI dicek di daftar",
}

SATISFACTION_LABELS = {"puas": "Puas", "tidak_puas": "Tidak puas"}

ACTOR_LABELS = {"complainant": "Pelapor", "staff": "Staf", "system": "Sistem"}

CHANNEL_LABELS = {"web": "Obrolan web", "telegram": "Telegram", "whatsapp": "WhatsApp",
                  "console": "Terminal", "dashboard": "dasbor"}

VERDICT_LABELS = {
    "registered": "Terdaftar",
    "license_problem": "Izin bermasalah",
    "not_found": "Tidak terdaftar",
    "ambiguous": "Nama mirip",
    "reported": "Dilaporkan",
}

MIME_LABELS = {"image/jpeg": "Foto JPG", "image/png": "Foto PNG", "image/webp": "Foto WebP",
               "image/gif": "Gambar GIF", "application/pdf": "Dokumen PDF"}


def label_list(codes: str | None, labels: dict[str, str]) -> str:
    """A comma-separated list of codes ("not_found, reported") in Indonesian."""
    parts = [c.strip() for c in (codes or "").split(",") if c.strip()]
    return ", ".join(labels.get(c, c) for c in parts) or "-"

FLASH = {
    "claimed": "Kasus sudah Anda ambil.",
    "replied": "Balasan masuk antrean kirim ke pelapor.",
    "noted": "Catatan internal disimpan.",
    "info_requested": "Permintaan informasi dikirim; kasus menunggu pelapor.",
    "reassigned": "Kasus dialihkan.",
    "escalated": "Kasus dieskalasi ke supervisor.",
    "resolved": "Kasus diselesaikan.",
    "reopened": "Kasus dibuka kembali.",
    "released": "Kasus dikembalikan ke antrean.",
    "empty_queue": "Tidak ada kasus baru di antrean.",
    "conflict": "Kasus sudah berubah (mungkin diambil petugas lain). Periksa lagi.",
    "not_allowed": "Tindakan ini tidak bisa dilakukan pada status kasus sekarang.",
    "empty_text": "Teks tidak boleh kosong.",
    "too_long": "Teks terlalu panjang.",
}


def event_body(kind: str, body: str | None) -> str:
    """An event's note for staff; the intake's agency check ("not_found: PT X (register
    demo)") is put in words."""
    if not body:
        return ""
    if kind == "agency_checked":
        verdict, _, rest = body.partition(": ")
        rest = rest.replace("(register demo)", "(daftar contoh fiktif)")
        return f"{VERDICT_LABELS.get(verdict, verdict)}: {rest}"
    return body

# How a message to the complainant went out (outbox status / sent_as / error code).
DELIVERY_LABELS = {
    "pending": "Sedang dikirim",
    "sent": "Terkirim",
    "waiting": "Menunggu pelapor membalas",
    "failed": "Gagal terkirim",
}
DELIVERY_NOTES = {
    "invite": "di luar 24 jam: undangan sudah dikirim, balasan lengkap terkirim setelah "
              "pelapor membalas",
    "no_template": "di luar 24 jam: templat undangan belum diatur, balasan terkirim "
                   "setelah pelapor menulis lagi",
    "template": "dikirim sebagai templat",
}
