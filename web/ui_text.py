"""Every word the web pages show, in Indonesian (the default) and English.

One catalogue instead of one template per language, so a page's structure exists once. The
language is chosen by `?lang=` (remembered in a cookie), else the cookie, else the page's own
default (a review form defaults to its reviewer's locale from the roster), else Indonesian.
"""

from collections.abc import Callable

from fastapi import Request
from starlette.responses import Response

LANGUAGES: tuple[str, ...] = ("id", "en")
DEFAULT_LANGUAGE = "id"
LANGUAGE_COOKIE = "lang"

TEXT: dict[str, tuple[str, str]] = {
    "app_name": ("Penilaian Kinerja ASN", "Civil-servant performance appraisal"),
    "switch_language": ("English", "Bahasa Indonesia"),
    # review form
    "review_heading": ("Formulir {kind}", "{kind} form"),
    "reviewee": ("Pegawai yang dinilai", "Employee reviewed"),
    "reviewer": ("Penilai", "Reviewer"),
    "period": ("Periode", "Period"),
    "unit": ("Unit kerja", "Unit"),
    "deadline": ("Batas waktu", "Deadline"),
    "aspect_result": ("Hasil kerja", "Work results"),
    "aspect_behaviour": ("Perilaku kerja", "Work behaviour"),
    "scale_hint": ("Skala {low}–{high}", "Scale {low}–{high}"),
    "comment": ("Catatan (tidak wajib)", "Comment (optional)"),
    "submit": ("Kirim penilaian", "Submit review"),
    "self_assessment": ("Penilaian mandiri pegawai", "The employee's self-assessment"),
    "self_assessment_missing": (
        "Pegawai tidak mengisi penilaian mandiri.",
        "The employee did not submit a self-assessment.",
    ),
    "self_score": ("Nilai mandiri: {score}", "Self score: {score}"),
    "errors_intro": (
        "Penilaian belum tersimpan. Periksa isian yang ditandai:",
        "Nothing was saved. Please check the marked fields:",
    ),
    "choose_score": ("Pilih salah satu nilai.", "Choose one score."),
    "not_a_number": ("Nilai harus berupa angka bulat.", "The score must be a whole number."),
    "already_submitted": (
        "Anda sudah mengirim penilaian ini pada {when}. Anda dapat mengubahnya sampai {deadline}.",
        "You submitted this review on {when}. You can change it until {deadline}.",
    ),
    "thanks_heading": ("Terima kasih", "Thank you"),
    "thanks_body": (
        "Penilaian Anda untuk {name} ({period}) telah tersimpan pada {when}.",
        "Your review of {name} ({period}) was saved on {when}.",
    ),
    "change_until": (
        "Anda dapat membuka tautan ini lagi untuk mengubah jawaban sampai {deadline}.",
        "You can open this link again to change your answers until {deadline}.",
    ),
    "change_answers": ("Ubah jawaban", "Change answers"),
    "unchanged": (
        "Tidak ada perubahan: jawaban Anda sama dengan sebelumnya.",
        "No change: your answers are the same as before.",
    ),
    # link refusals
    "invalid_link_heading": ("Tautan tidak sah", "Invalid link"),
    "invalid_link_body": (
        "Tautan ini tidak dikenali: mungkin terpotong atau diubah. Buka tautan lengkap dari email atau pesan Anda.",
        "This link is not recognised: it may be cut off or altered. Open the full link from your email or message.",
    ),
    "not_yet_heading": ("Belum dibuka", "Not open yet"),
    "not_yet_body": (
        "Tahap {kind} untuk {name} belum dimulai. Anda akan menerima undangan ketika tahap ini dibuka.",
        "The {kind} stage for {name} has not started. You will be invited when it opens.",
    ),
    "closed_heading": ("Tautan sudah tidak berlaku", "This link has expired"),
    "closed_body": (
        "Tahap {kind} untuk {name} ({period}) sudah berakhir; penilaian tidak dapat diisi atau diubah lagi. Hubungi BKPSDM bila ada pertanyaan.",
        "The {kind} stage for {name} ({period}) has ended; the review can no longer be given or changed. Contact HR with any questions.",
    ),
    "results_unavailable_heading": ("Hasil belum tersedia", "Results not available"),
    "results_unavailable_body": (
        "Periode ini belum ditutup atau sedang dibuka kembali oleh BKPSDM; hasil akan dikirim lagi setelah ditutup.",
        "This period is not closed, or HR has reopened it; the results will be sent again once it closes.",
    ),
    "error_heading": ("Terjadi kesalahan", "Something went wrong"),
    "error_body": (
        "Permintaan Anda tidak dapat diproses. Coba lagi nanti; bila berulang, hubungi BKPSDM.",
        "Your request could not be processed. Please try again later; if it happens again, contact HR.",
    ),
    "not_found_heading": ("Halaman tidak ditemukan", "Page not found"),
    "forbidden_heading": ("Permintaan ditolak", "Request refused"),
    "forbidden_body": (
        "Formulir ini kedaluwarsa atau tidak berasal dari halaman ini. Muat ulang halaman lalu coba lagi.",
        "This form has expired or did not come from this page. Reload the page and try again.",
    ),
    "too_large_heading": ("Isian terlalu besar", "Request too large"),
    # results page
    "results_heading": ("Hasil penilaian kinerja {period}", "Performance appraisal result {period}"),
    "predikat": ("Predikat", "Predikat"),
    "no_predikat": ("Belum dapat ditetapkan", "Could not be determined"),
    "final_score": ("Nilai akhir", "Final score"),
    "override_note": (
        "Predikat ditetapkan BKPSDM saat kalibrasi (hasil perhitungan: {computed}). Alasan: {reason}",
        "Predikat set by HR during calibration (computed: {computed}). Reason: {reason}",
    ),
    "indicator": ("Indikator", "Indicator"),
    "self_column": ("Mandiri", "Self"),
    "supervisor_column": ("Atasan", "Supervisor"),
    "peer_column": ("Rekan kerja", "Peers"),
    "combined_column": ("Gabungan", "Combined"),
    "rating_column": ("Kategori", "Rating"),
    "peer_hidden": (
        "Umpan balik rekan kerja ditampilkan bila sedikitnya {minimum} rekan mengisi (kali ini {count}); nilai rekan tetap dihitung.",
        "Peer feedback is shown when at least {minimum} peers responded (this time {count}); peer scores still count.",
    ),
    "peer_summary": (
        "{count} rekan kerja mengisi; identitas mereka tidak ditampilkan.",
        "{count} peers responded; who they are is never shown.",
    ),
    "peer_comments": ("Catatan rekan kerja", "Peer comments"),
    "recommendations": ("Tindak lanjut", "Follow-up"),
    "no_recommendations": ("Tidak ada tindak lanjut khusus.", "No particular follow-up."),
    "trainings": ("Pelatihan yang disarankan", "Suggested training"),
    # HR
    "hr_login": ("Masuk BKPSDM", "HR sign-in"),
    "username": ("Nama pengguna", "Username"),
    "password": ("Kata sandi", "Password"),
    "sign_in": ("Masuk", "Sign in"),
    "sign_out": ("Keluar", "Sign out"),
    "login_failed": ("Nama pengguna atau kata sandi salah.", "Wrong username or password."),
    "login_throttled": (
        "Terlalu banyak percobaan gagal. Coba lagi dalam {minutes} menit.",
        "Too many failed attempts. Try again in {minutes} minutes.",
    ),
    "nav_periods": ("Periode", "Periods"),
    "nav_deliveries": ("Pengiriman gagal", "Failed deliveries"),
    "nav_flow_runs": ("Riwayat flow", "Flow runs"),
    "periods_heading": ("Periode penilaian", "Appraisal periods"),
    "status": ("Status", "Status"),
    "window": ("Rentang", "Window"),
    "appraisals": ("Penilaian", "Appraisals"),
    "progress_heading": ("Kemajuan {period}", "Progress of {period}"),
    "stage": ("Tahap", "Stage"),
    "open": ("Terbuka", "Open"),
    "overdue": ("Terlambat", "Overdue"),
    "submitted": ("Terkirim", "Submitted"),
    "missed": ("Terlewat", "Missed"),
    "overdue_heading": ("Ulasan terlambat", "Overdue reviews"),
    "missed_heading": ("Ulasan terlewat", "Missed reviews"),
    "none": ("Tidak ada.", "None."),
    "more_rows": ("Hanya {limit} pertama yang ditampilkan.", "Only the first {limit} are shown."),
    "calibration": ("Kalibrasi", "Calibration"),
    "export_csv": ("Unduh CSV", "Download CSV"),
    "export_xlsx": ("Unduh XLSX", "Download XLSX"),
    "deliveries_heading": ("Pengiriman gagal", "Failed deliveries"),
    "retry_all": ("Kirim ulang semua", "Retry all"),
    "retried": ("{count} pesan dijadwalkan ulang.", "{count} messages queued again."),
    "recipient": ("Penerima", "Recipient"),
    "channel": ("Kanal", "Channel"),
    "message": ("Pesan", "Message"),
    "attempts": ("Percobaan", "Attempts"),
    "error": ("Galat", "Error"),
    "flow_runs_heading": ("Flow terbaru (Prefect)", "Recent flow runs (Prefect)"),
    "flow_runs_unreachable": (
        "Server Prefect di {url} tidak menjawab: {reason}. Jalankan `appraisal serve`.",
        "The Prefect server at {url} does not answer: {reason}. Run `appraisal serve`.",
    ),
    "flow": ("Flow", "Flow"),
    "run": ("Run", "Run"),
    "state": ("Status", "State"),
    "started": ("Mulai", "Started"),
    "calibration_heading": ("Kalibrasi {period}", "Calibration of {period}"),
    "incomplete": ("Belum lengkap", "Incomplete"),
    "curve": ("Kurva", "Curve"),
    "inside_curve": ("sesuai kurva", "inside the curve"),
    "not_checked": ("tidak diperiksa (< {minimum} pegawai dinilai)", "not checked (< {minimum} rated)"),
    "override_heading": ("Tetapkan predikat (override)", "Set a predikat (override)"),
    "nip": ("NIP", "NIP"),
    "reason": ("Alasan", "Reason"),
    "save": ("Simpan", "Save"),
    "override_saved": (
        "Predikat {nip} ditetapkan menjadi {predikat}.",
        "Predikat of {nip} set to {predikat}.",
    ),
    "overrides": ("Override yang berlaku", "Overrides in force"),
    "back": ("Kembali", "Back"),
    # public satisfaction survey (IKM)
    "survey_heading": ("Survei Kepuasan Masyarakat", "Public satisfaction survey"),
    "survey_intro": (
        "Bantu kami memperbaiki layanan {service} di {unit}. Tanpa nama dan data pribadi; sekitar 2 menit.",
        "Help us improve the {service} service at {unit}. No name or personal data; about 2 minutes.",
    ),
    "survey_ticket": ("Nomor antrean/tiket (tidak wajib)", "Queue or ticket number (optional)"),
    "survey_ticket_hint": (
        "Bila diisi, satu nomor hanya dapat menilai layanan ini satu kali.",
        "When given, one number can rate this service only once.",
    ),
    "survey_comment": ("Saran dan masukan (tidak wajib)", "Suggestions and comments (optional)"),
    "survey_honeypot": ("Jangan diisi", "Leave empty"),
    "survey_submit": ("Kirim tanggapan", "Send my answers"),
    "survey_errors_intro": (
        "Tanggapan belum tersimpan. Periksa isian yang ditandai:",
        "Nothing was saved. Please check the marked questions:",
    ),
    "survey_choose_answer": ("Pilih salah satu jawaban.", "Choose one answer."),
    "survey_ticket_invalid": (
        "Nomor antrean hanya boleh berisi huruf, angka, titik, garis bawah, garis miring atau tanda hubung, tanpa spasi (paling banyak 64).",
        "A queue number may only hold letters, digits, '.', '_', '/' or '-', without spaces (at most 64).",
    ),
    "survey_ticket_used": (
        "Nomor antrean ini sudah pernah dipakai untuk menilai layanan ini.",
        "This queue number has already rated this service.",
    ),
    "survey_comment_too_long": (
        "Saran terlalu panjang: paling banyak {limit} karakter.",
        "The comment is too long: at most {limit} characters.",
    ),
    "survey_thanks_body": (
        "Tanggapan Anda tentang layanan {service} di {unit} telah kami terima. Terima kasih telah membantu kami memperbaiki pelayanan.",
        "Your answers about the {service} service at {unit} have been received. Thank you for helping us improve.",
    ),
    "survey_next_citizen": ("Isi survei untuk warga berikutnya", "Start the survey for the next citizen"),
    "survey_refused_heading": ("Tanggapan tidak dapat diterima", "Your answers could not be accepted"),
    "survey_refused_body": (
        "Tanggapan ini tidak dapat kami terima dan tidak disimpan. Buka kembali formulir survei lalu isi seperlunya.",
        "These answers could not be accepted and were not saved. Open the survey form again and fill it in.",
    ),
    "survey_rate_limited_heading": ("Terlalu banyak tanggapan", "Too many responses"),
    "survey_rate_limited_body": (
        "Terlalu banyak tanggapan dikirim dari jaringan ini dalam waktu singkat; tanggapan ini tidak disimpan. Coba lagi dalam {minutes} menit.",
        "Too many responses were sent from this network in a short time; this one was not saved. Try again in {minutes} minutes.",
    ),
    "poster_instructions": (
        "Pindai kode QR atau ketik tautan di atas dengan ponsel Anda untuk menilai layanan kami — tanpa nama, sekitar 2 menit.",
        "Scan the QR code or type the link above on your phone to rate our service — no name, about 2 minutes.",
    ),
    "poster_qr_alt": ("Kode QR formulir survei {service}", "QR code of the {service} survey form"),
    "feedback_nav": ("Kepuasan masyarakat (IKM)", "Public satisfaction (IKM)"),
    "feedback_heading": ("Indeks Kepuasan Masyarakat {period}", "Public satisfaction index {period}"),
    "feedback_window": (
        "Tanggapan yang dihitung: {start} sampai {end}. Sampel minimum per unit: {minimum} tanggapan.",
        "Responses counted: {start} to {end}. Minimum sample per unit: {minimum} responses.",
    ),
    "ikm": ("IKM", "IKM"),
    "ikm_category": ("Mutu pelayanan", "Service quality"),
    "responses": ("Tanggapan", "Responses"),
    "below_min_sample": ("belum memenuhi sampel minimum", "below the minimum sample"),
    "below_min_note": (
        "IKM unit di bawah sampel minimum tidak dipakai dalam penilaian kinerja.",
        "A unit's IKM below the minimum sample is not used in the appraisal.",
    ),
    "service": ("Layanan", "Service"),
    "no_responses": ("Belum ada tanggapan", "No responses yet"),
    "weakest_elements": (
        "Unsur terendah lebih dulu (yang perlu diperbaiki)",
        "Lowest elements first (what to fix)",
    ),
    "element": ("Unsur", "Element"),
    "element_mean": ("Nilai rata-rata (1–4)", "Mean (1–4)"),
    "recent_comments": ("Saran dan masukan terbaru", "Recent comments"),
    "survey_form": ("Formulir", "Form"),
    "print_poster": ("Cetak poster", "Print poster"),
    "no_services": ("Belum ada layanan terdaftar.", "No services registered yet."),
}


def choose_language(request: Request, default: str | None = None) -> str:
    """`?lang=`, else the cookie, else `default` (when it is a known language), else Indonesian."""
    for candidate in (request.query_params.get("lang"), request.cookies.get(LANGUAGE_COOKIE), default):
        if candidate in LANGUAGES:
            return candidate
    return DEFAULT_LANGUAGE


def remember_language(request: Request, response: Response) -> None:
    """Keep an explicit `?lang=` choice for the next pages."""
    chosen = request.query_params.get("lang")
    if chosen in LANGUAGES:
        response.set_cookie(LANGUAGE_COOKIE, chosen, max_age=365 * 24 * 3600, samesite="lax", httponly=True)


def translator(language: str) -> Callable[..., str]:
    """`t("key", name=…)`: the text in `language`, with its placeholders filled."""
    column = LANGUAGES.index(language)

    def t(key: str, **values: object) -> str:
        text = TEXT[key][column]
        return text.format(**values) if values else text

    return t
