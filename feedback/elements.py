"""The nine survey elements of PermenPANRB 14/2017, in the rule's order, with their questions and
the four answers (1 worst … 4 best) in Indonesian and English: one place for the words the public
form, the reports and the exports show."""

from dataclasses import dataclass

from models.feedback import ELEMENTS


@dataclass(frozen=True)
class Element:
    """One survey element: `key` is its column (u1…u9); answers are listed from 1 to 4."""

    key: str
    name_id: str
    name_en: str
    question_id: str
    question_en: str
    answers_id: tuple[str, str, str, str]
    answers_en: tuple[str, str, str, str]

    def name(self, locale: str) -> str:
        return self.name_en if locale == "en" else self.name_id

    def question(self, locale: str) -> str:
        return self.question_en if locale == "en" else self.question_id

    def answers(self, locale: str) -> tuple[str, str, str, str]:
        return self.answers_en if locale == "en" else self.answers_id


SURVEY_ELEMENTS: tuple[Element, ...] = (
    Element(
        "u1", "Persyaratan", "Requirements",
        "Bagaimana pendapat Anda tentang kesesuaian persyaratan pelayanan dengan jenis pelayanannya?",
        "How well did the requirements match the service you asked for?",
        ("Tidak sesuai", "Kurang sesuai", "Sesuai", "Sangat sesuai"),
        ("Not appropriate", "Somewhat inappropriate", "Appropriate", "Very appropriate"),
    ),
    Element(
        "u2", "Sistem, mekanisme, dan prosedur", "Procedure",
        "Bagaimana pendapat Anda tentang kemudahan prosedur pelayanan di unit ini?",
        "How easy was the service procedure at this office?",
        ("Tidak mudah", "Kurang mudah", "Mudah", "Sangat mudah"),
        ("Not easy", "Somewhat difficult", "Easy", "Very easy"),
    ),
    Element(
        "u3", "Waktu penyelesaian", "Completion time",
        "Bagaimana pendapat Anda tentang kecepatan waktu dalam memberikan pelayanan?",
        "How quickly was the service delivered?",
        ("Tidak cepat", "Kurang cepat", "Cepat", "Sangat cepat"),
        ("Not fast", "Somewhat slow", "Fast", "Very fast"),
    ),
    Element(
        "u4", "Biaya/tarif", "Cost",
        "Bagaimana pendapat Anda tentang kewajaran biaya/tarif dalam pelayanan?",
        "How fair was the cost or fee of the service?",
        ("Sangat mahal", "Cukup mahal", "Murah", "Gratis"),
        ("Very expensive", "Rather expensive", "Cheap", "Free"),
    ),
    Element(
        "u5", "Produk spesifikasi jenis pelayanan", "Product specification",
        "Bagaimana pendapat Anda tentang kesesuaian hasil pelayanan dengan yang tercantum dalam standar pelayanan?",
        "How well did what you received match the published service standard?",
        ("Tidak sesuai", "Kurang sesuai", "Sesuai", "Sangat sesuai"),
        ("Not as specified", "Partly as specified", "As specified", "Fully as specified"),
    ),
    Element(
        "u6", "Kompetensi pelaksana", "Staff competence",
        "Bagaimana pendapat Anda tentang kompetensi/kemampuan petugas dalam pelayanan?",
        "How competent were the staff who served you?",
        ("Tidak kompeten", "Kurang kompeten", "Kompeten", "Sangat kompeten"),
        ("Not competent", "Somewhat competent", "Competent", "Very competent"),
    ),
    Element(
        "u7", "Perilaku pelaksana", "Staff conduct",
        "Bagaimana pendapat Anda tentang kesopanan dan keramahan petugas dalam pelayanan?",
        "How polite and friendly were the staff?",
        ("Tidak sopan dan ramah", "Kurang sopan dan ramah", "Sopan dan ramah", "Sangat sopan dan ramah"),
        ("Not polite or friendly", "Somewhat polite", "Polite and friendly", "Very polite and friendly"),
    ),
    Element(
        "u8", "Penanganan pengaduan, saran, dan masukan", "Complaint handling",
        "Bagaimana pendapat Anda tentang penanganan pengaduan pengguna layanan?",
        "How are complaints, suggestions and feedback handled?",
        ("Tidak ada", "Ada tetapi tidak berfungsi", "Berfungsi kurang maksimal", "Dikelola dengan baik"),
        ("There is no channel", "There is one but it does not work", "It works, not fully", "Well managed"),
    ),
    Element(
        "u9", "Sarana dan prasarana", "Facilities",
        "Bagaimana pendapat Anda tentang kualitas sarana dan prasarana?",
        "How good were the facilities (waiting room, counters, access)?",
        ("Buruk", "Cukup", "Baik", "Sangat baik"),
        ("Poor", "Fair", "Good", "Very good"),
    ),
)  # fmt: skip
assert tuple(element.key for element in SURVEY_ELEMENTS) == ELEMENTS
