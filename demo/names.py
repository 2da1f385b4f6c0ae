"""Word lists for the synthetic city: people, places, units and jabatan.

Plain data only, so the generator in `demo.city` stays about behaviour and this file can be
read (and extended) by someone who knows Indonesian local government but not the code.
The city names are invented on purpose: generated addresses such as `@tirtanegarakota.go.id`
must never reach a real government mail server if a demo is wired to a real SMTP relay.
"""

# Invented, Indonesian-sounding city names; the email domain is "<name>kota.go.id".
CITY_NAMES: tuple[str, ...] = (
    "Tirtanegara", "Candrakarta", "Wirabumi", "Sekarwangi", "Nusaraya", "Bhumijaya",
    "Arjasari", "Kartanagara",
)  # fmt: skip

# --- People -----------------------------------------------------------------------------------
# Given names by gender, mixing Javanese, Sundanese, Minang, Bugis, Malay-Muslim and Christian names.
MALE_GIVEN: tuple[str, ...] = (
    "Budi", "Agus", "Joko", "Bambang", "Eko", "Hendra", "Rizky", "Fajar", "Dedi", "Asep", "Ujang",
    "Cecep", "Dadang", "Yusuf", "Ahmad", "Rahmat", "Irfan", "Hasan", "Arif", "Teguh", "Wahyu",
    "Ridwan",
    "Iwan", "Taufik", "Syahrul", "Zulkifli", "Fadli", "Afrizal", "Yusrizal", "Syafrudin", "Ilham",
    "Bayu", "Dimas", "Gilang", "Aditya", "Reza", "Firman", "Anwar", "Syamsuddin", "Hasanuddin",
    "Nurdin", "Jusman", "Imam", "Galih",
)  # fmt: skip
FEMALE_GIVEN: tuple[str, ...] = (
    "Siti", "Sri", "Dewi", "Rina", "Putri", "Ayu", "Fitri", "Indah", "Wulan", "Ratna", "Yuliana",
    "Neneng", "Euis", "Imas",
    "Rani", "Intan", "Nurul", "Aisyah", "Fatimah", "Anisa", "Novita", "Melati", "Kartika", "Diah",
    "Endang", "Tuti", "Yanti", "Mega", "Citra", "Sinta", "Yusnita", "Nurhasanah", "Elvira", "Yenni",
    "Hasnah", "Hasniati", "Nurhaeda",
)  # fmt: skip
# Christian given names (Batak, Minahasa, Flores, Moluccan and Javanese Christians).
CHRISTIAN_MALE_GIVEN: tuple[str, ...] = (
    "Yohanes", "Daniel", "Stefanus", "Markus", "Fransiskus", "Petrus", "Yosua", "Samuel", "Hendrik",
    "Robert", "Antonius", "Paulus", "Timotius", "Benyamin",
)  # fmt: skip
CHRISTIAN_FEMALE_GIVEN: tuple[str, ...] = (
    "Maria", "Theresia", "Agustina", "Elisabeth", "Debora", "Ruth", "Lusiana", "Margaretha",
    "Veronika", "Yohana", "Kristina", "Magdalena",
)  # fmt: skip
# Second names as Javanese/Sundanese/Malay naming uses them: gendered, not family names.
MALE_SECOND: tuple[str, ...] = (
    "Santoso", "Wijaya", "Pratama", "Saputra", "Hidayat", "Setiawan", "Nugroho", "Gunawan",
    "Kurniawan", "Prasetyo", "Hakim", "Firmansyah", "Kusuma", "Susanto", "Hermawan", "Permana",
    "Sudrajat", "Suherman", "Maulana", "Ramadhan", "Syahputra", "Hamzah", "Rahman", "Fauzi",
    "Wibowo", "Purnomo", "Haryanto", "Ilyas", "Nasrullah", "Mappaware",
)  # fmt: skip
FEMALE_SECOND: tuple[str, ...] = (
    "Rahmawati", "Wahyuni", "Lestari", "Handayani", "Susanti", "Kurniasih", "Puspitasari",
    "Anggraini", "Safitri", "Rahayu", "Permatasari", "Marlina", "Yulianti", "Suryani", "Nurhayati",
    "Hartati", "Fitriani", "Amelia", "Oktaviani", "Maharani", "Wulandari", "Pertiwi", "Sulastri",
    "Kusumawardani",
)  # fmt: skip
# Batak, Karo, Minahasa and Moluccan family names, used by both genders.
FAMILY_NAMES: tuple[str, ...] = (
    "Siregar", "Nasution", "Simanjuntak", "Hutapea", "Lubis", "Harahap", "Sitompul", "Pasaribu",
    "Sinaga", "Panjaitan", "Manurung", "Tambunan", "Silalahi", "Ginting", "Tarigan", "Sembiring",
    "Situmorang", "Sihombing", "Damanik", "Wowor", "Lumentut", "Pattiasina",
)  # fmt: skip
# Older Javanese single names (no second name at all).
MALE_SINGLE: tuple[str, ...] = (
    "Suparman", "Sugianto", "Sumarno", "Slamet", "Sutrisno", "Mulyono", "Suyanto", "Darmaji",
    "Wagiman", "Sukirno",
)  # fmt: skip
FEMALE_SINGLE: tuple[str, ...] = (
    "Sumarni", "Suwarni", "Sumiyati", "Sutinah", "Mardiyah", "Sukarti", "Sriyati", "Wartini",
)  # fmt: skip
# Leading names that stack before a Muslim given name ("Muhammad Rizky Pratama"; "Andi" is Bugis).
MALE_LEADING: tuple[str, ...] = ("Muhammad", "Ahmad", "Andi")
FEMALE_LEADING: tuple[str, ...] = ("Siti", "Nur", "Andi")

# Academic titles (gelar) by field: diploma, bachelor, master. Some contain a comma themselves.
DIPLOMA_TITLES: dict[str, tuple[str, ...]] = {
    "general": ("A.Md.", "A.Md.Kom.", "A.Md.Ak."),
    "health": ("A.Md.Kep.", "A.Md.Keb.", "A.Md.Farm.", "A.Md.Gz.", "A.Md.Kes."),
    "education": ("A.Md.", "A.Md.Pd."),
}
BACHELOR_TITLES: dict[str, tuple[str, ...]] = {
    "general": ("S.E.", "S.H.", "S.Sos.", "S.Kom.", "S.T.", "S.AP.", "S.I.Kom.", "S.Ak.", "S.IP."),
    "health": ("S.Kep., Ners", "S.K.M.", "S.Tr.Keb.", "S.Gz.", "S.Tr.Kes."),
    "education": ("S.Pd.", "S.Pd.I.", "S.Pd.SD", "S.Si.", "S.Pd.Mat."),
}
MASTER_TITLES: dict[str, tuple[str, ...]] = {
    "general": ("M.Si.", "M.M.", "M.AP.", "M.H.", "M.T.", "M.Ak."),
    "health": ("M.Kes.", "M.K.M.", "M.M.R."),
    "education": ("M.Pd.", "M.Si."),
}

# --- Places -----------------------------------------------------------------------------------
# Kecamatan, kelurahan and Puskesmas are named after places built from these parts
# ("Suka" + "maju" → Sukamaju), which gives a few hundred distinct, plausible names.
PLACE_PREFIXES: tuple[str, ...] = (
    "Suka", "Karang", "Sido", "Tegal", "Banyu", "Wono", "Mekar", "Jati", "Sumber", "Tanjung",
    "Kebon", "Pandan", "Sindang", "Margo", "Cipta", "Giri", "Purwo", "Harjo",
)  # fmt: skip
PLACE_SUFFIXES: tuple[str, ...] = (
    "maju", "sari", "rejo", "mulyo", "jaya", "asri", "makmur", "wangi", "agung", "luhur", "indah",
    "rahayu", "baru", "kencana", "mukti",
)  # fmt: skip

# --- Jabatan ----------------------------------------------------------------------------------
# Staff positions as (title, career track). Track "A" = keahlian (Ahli Pertama/Muda/Madya),
# "T" = keterampilan (Terampil/Mahir/Penyelia), "P" = pelaksana (no level in the title).
Position = tuple[str, str]
COMMON_POSITIONS: tuple[Position, ...] = (
    ("Analis Kepegawaian", "A"), ("Pengelola Keuangan", "P"), ("Pengadministrasi Umum", "P"),
    ("Pranata Komputer", "A"), ("Arsiparis", "T"), ("Perencana", "A"), ("Pengolah Data", "P"),
    ("Bendahara", "P"), ("Analis Kebijakan", "A"), ("Pengelola Barang Milik Daerah", "P"),
)  # fmt: skip
# The office jobs of a small field unit (school, Puskesmas, kelurahan, UPT).
OFFICE_POSITIONS: tuple[Position, ...] = (
    ("Pengadministrasi Umum", "P"), ("Pengelola Keuangan", "P"), ("Bendahara", "P"), ("Pengolah Data", "P"),
    ("Pranata Komputer", "T"),
)  # fmt: skip
HEALTH_POSITIONS: tuple[Position, ...] = (
    ("Perawat", "T"), ("Perawat", "T"), ("Perawat", "A"), ("Bidan", "T"), ("Bidan", "T"),
    ("Bidan", "A"), ("Dokter", "A"), ("Dokter Gigi", "A"), ("Apoteker", "A"),
    ("Asisten Apoteker", "T"), ("Pranata Laboratorium Kesehatan", "T"), ("Nutrisionis", "T"),
    ("Sanitarian", "T"), ("Penyuluh Kesehatan Masyarakat", "A"), ("Perekam Medis", "T"),
    ("Epidemiolog Kesehatan", "A"), ("Pengadministrasi Umum", "P"),
)  # fmt: skip
SCHOOL_POSITIONS: tuple[Position, ...] = (("Guru", "A"),) * 9 + (("Pengadministrasi Umum", "P"),)
REGION_POSITIONS: tuple[Position, ...] = (
    ("Pengadministrasi Umum", "P"), ("Pengolah Data Kependudukan", "P"), ("Analis Pemerintahan", "A"),
    ("Pengelola Keuangan", "P"), ("Polisi Pamong Praja", "T"), ("Penyuluh Sosial", "T"),
    ("Pengelola Pelayanan Publik", "P"),
)  # fmt: skip

# Core perangkat daerah, in the order a growing city gets them:
# (code, unit name, parent code, head position, middle-layer positions, field, specialist
#  positions, relative size).
CoreUnit = tuple[str, str, str, str, tuple[str, ...], str, tuple[Position, ...], float]
CORE_UNITS: tuple[CoreUnit, ...] = (
    ("SETDA", "Sekretariat Daerah", "", "Sekretaris Daerah",
     ("Asisten Pemerintahan dan Kesejahteraan Rakyat", "Asisten Perekonomian dan Pembangunan",
      "Asisten Administrasi Umum", "Kepala Bagian Hukum", "Kepala Bagian Organisasi",
      "Kepala Bagian Protokol dan Komunikasi Pimpinan"),
     "general", (("Analis Hukum", "A"), ("Perancang Peraturan Perundang-undangan", "A"),
                 ("Pranata Hubungan Masyarakat", "A"), ("Analis Kebijakan", "A")), 2.5),
    ("DINKES", "Dinas Kesehatan", "SETDA", "Kepala Dinas Kesehatan",
     ("Sekretaris Dinas Kesehatan", "Kepala Bidang Kesehatan Masyarakat",
      "Kepala Bidang Pencegahan dan Pengendalian Penyakit", "Kepala Bidang Pelayanan Kesehatan",
      "Kepala Bidang Sumber Daya Kesehatan"),
     "health", HEALTH_POSITIONS, 2.0),
    ("DISDIK", "Dinas Pendidikan", "SETDA", "Kepala Dinas Pendidikan",
     ("Sekretaris Dinas Pendidikan", "Kepala Bidang Pembinaan Sekolah Dasar",
      "Kepala Bidang Pembinaan Sekolah Menengah Pertama", "Kepala Bidang Guru dan Tenaga Kependidikan"),
     "education", (("Pengawas Sekolah", "A"), ("Penilik", "A"), ("Pengembang Teknologi Pembelajaran", "A")),
     1.8),
    ("BKPSDM", "Badan Kepegawaian dan Pengembangan Sumber Daya Manusia", "SETDA",
     "Kepala Badan Kepegawaian dan Pengembangan Sumber Daya Manusia",
     ("Sekretaris BKPSDM", "Kepala Bidang Mutasi dan Promosi", "Kepala Bidang Pengembangan Kompetensi",
      "Kepala Bidang Penilaian Kinerja dan Penghargaan"),
     "general", (("Analis Kepegawaian", "A"), ("Analis Kepegawaian", "A"), ("Asesor SDM Aparatur", "A")), 1.2),
    ("DISDUKCAPIL", "Dinas Kependudukan dan Pencatatan Sipil", "SETDA",
     "Kepala Dinas Kependudukan dan Pencatatan Sipil",
     ("Sekretaris Dinas Kependudukan dan Pencatatan Sipil", "Kepala Bidang Pelayanan Pendaftaran Penduduk",
      "Kepala Bidang Pelayanan Pencatatan Sipil", "Kepala Bidang Pengelolaan Informasi Administrasi Kependudukan"),
     "general", (("Administrator Database Kependudukan", "A"), ("Pengolah Data Kependudukan", "P"),
                 ("Operator Layanan Operasional", "P")), 1.5),
    ("BAPPEDA", "Badan Perencanaan Pembangunan Daerah", "SETDA", "Kepala Badan Perencanaan Pembangunan Daerah",
     ("Sekretaris Bappeda", "Kepala Bidang Perencanaan Ekonomi", "Kepala Bidang Perencanaan Infrastruktur",
      "Kepala Bidang Penelitian dan Pengembangan"),
     "general", (("Perencana", "A"), ("Perencana", "A"), ("Statistisi", "A")), 1.0),
    ("BPKAD", "Badan Pengelolaan Keuangan dan Aset Daerah", "SETDA", "Kepala Badan Pengelolaan Keuangan dan Aset Daerah",
     ("Sekretaris BPKAD", "Kepala Bidang Anggaran", "Kepala Bidang Perbendaharaan", "Kepala Bidang Aset"),
     "general", (("Analis Keuangan Pusat dan Daerah", "A"), ("Pengelola Keuangan", "P"),
                 ("Penata Laporan Keuangan", "P")), 1.3),
    ("DISHUB", "Dinas Perhubungan", "SETDA", "Kepala Dinas Perhubungan",
     ("Sekretaris Dinas Perhubungan", "Kepala Bidang Lalu Lintas", "Kepala Bidang Angkutan",
      "Kepala Bidang Sarana dan Prasarana"),
     "general", (("Penguji Kendaraan Bermotor", "T"), ("Petugas Pengatur Lalu Lintas", "P"),
                 ("Asisten Inspektur Transportasi", "T")), 1.6),
    ("DPMPTSP", "Dinas Penanaman Modal dan Pelayanan Terpadu Satu Pintu", "SETDA",
     "Kepala Dinas Penanaman Modal dan Pelayanan Terpadu Satu Pintu",
     ("Sekretaris DPMPTSP", "Kepala Bidang Pelayanan Perizinan", "Kepala Bidang Penanaman Modal"),
     "general", (("Analis Perizinan", "A"), ("Pengelola Pelayanan Publik", "P"), ("Penata Perizinan", "P")), 0.9),
    ("INSPEKTORAT", "Inspektorat Daerah", "SETDA", "Inspektur",
     ("Sekretaris Inspektorat", "Inspektur Pembantu Wilayah I", "Inspektur Pembantu Wilayah II",
      "Inspektur Pembantu Khusus"),
     "general", (("Auditor", "A"), ("Auditor", "A"), ("Pengawas Penyelenggaraan Urusan Pemerintahan Daerah", "A")),
     1.0),
    ("DPUPR", "Dinas Pekerjaan Umum dan Penataan Ruang", "SETDA", "Kepala Dinas Pekerjaan Umum dan Penataan Ruang",
     ("Sekretaris Dinas Pekerjaan Umum dan Penataan Ruang", "Kepala Bidang Bina Marga",
      "Kepala Bidang Sumber Daya Air", "Kepala Bidang Penataan Ruang"),
     "general", (("Teknik Jalan dan Jembatan", "A"), ("Teknik Pengairan", "A"), ("Penata Ruang", "A"),
                 ("Pengawas Konstruksi", "P")), 1.5),
    ("DINSOS", "Dinas Sosial", "SETDA", "Kepala Dinas Sosial",
     ("Sekretaris Dinas Sosial", "Kepala Bidang Rehabilitasi Sosial", "Kepala Bidang Perlindungan dan Jaminan Sosial"),
     "general", (("Pekerja Sosial", "A"), ("Penyuluh Sosial", "T"), ("Pendamping Sosial", "P")), 0.9),
    ("DLH", "Dinas Lingkungan Hidup", "SETDA", "Kepala Dinas Lingkungan Hidup",
     ("Sekretaris Dinas Lingkungan Hidup", "Kepala Bidang Pengelolaan Sampah",
      "Kepala Bidang Pengendalian Pencemaran Lingkungan"),
     "general", (("Pengendali Dampak Lingkungan", "A"), ("Pengawas Lingkungan Hidup", "A"),
                 ("Pengelola Kebersihan", "P")), 1.4),
    ("SATPOLPP", "Satuan Polisi Pamong Praja", "SETDA", "Kepala Satuan Polisi Pamong Praja",
     ("Sekretaris Satuan Polisi Pamong Praja", "Kepala Bidang Penegakan Peraturan Daerah",
      "Kepala Bidang Ketenteraman dan Ketertiban Umum"),
     "general", (("Polisi Pamong Praja", "T"), ("Polisi Pamong Praja", "T"), ("Penyidik Pegawai Negeri Sipil", "A")),
     1.8),
    ("DISKOMINFO", "Dinas Komunikasi dan Informatika", "SETDA", "Kepala Dinas Komunikasi dan Informatika",
     ("Sekretaris Dinas Komunikasi dan Informatika", "Kepala Bidang Aplikasi Informatika",
      "Kepala Bidang Informasi dan Komunikasi Publik", "Kepala Bidang Persandian dan Statistik"),
     "general", (("Pranata Komputer", "A"), ("Pranata Hubungan Masyarakat", "A"), ("Sandiman", "A"),
                 ("Statistisi", "A")), 1.0),
    ("BAPENDA", "Badan Pendapatan Daerah", "SETDA", "Kepala Badan Pendapatan Daerah",
     ("Sekretaris Badan Pendapatan Daerah", "Kepala Bidang Pajak Daerah", "Kepala Bidang Retribusi Daerah"),
     "general", (("Penilai Pajak Bumi dan Bangunan", "A"), ("Pemeriksa Pajak Daerah", "A"),
                 ("Pengelola Pendapatan Daerah", "P")), 1.1),
    ("SETWAN", "Sekretariat DPRD", "SETDA", "Sekretaris DPRD",
     ("Kepala Bagian Umum dan Keuangan", "Kepala Bagian Persidangan dan Perundang-undangan",
      "Kepala Bagian Fasilitasi Penganggaran dan Pengawasan"),
     "general", (("Perancang Peraturan Perundang-undangan", "A"), ("Analis Hukum", "A"), ("Risalah Rapat", "P")),
     1.0),
    ("RSUD", "Rumah Sakit Umum Daerah", "SETDA", "Direktur Rumah Sakit Umum Daerah",
     ("Wakil Direktur Pelayanan", "Wakil Direktur Umum dan Keuangan", "Kepala Bidang Keperawatan",
      "Kepala Bidang Penunjang Medis"),
     "health", HEALTH_POSITIONS + (("Dokter Spesialis", "A"), ("Fisioterapis", "T"), ("Radiografer", "T")), 4.0),
    ("DISNAKER", "Dinas Tenaga Kerja", "SETDA", "Kepala Dinas Tenaga Kerja",
     ("Sekretaris Dinas Tenaga Kerja", "Kepala Bidang Penempatan dan Pelatihan Kerja",
      "Kepala Bidang Hubungan Industrial"),
     "general", (("Mediator Hubungan Industrial", "A"), ("Pengantar Kerja", "A"), ("Instruktur", "T")), 0.8),
    ("DISPERKIM", "Dinas Perumahan dan Kawasan Permukiman", "SETDA", "Kepala Dinas Perumahan dan Kawasan Permukiman",
     ("Sekretaris Dinas Perumahan dan Kawasan Permukiman", "Kepala Bidang Perumahan", "Kepala Bidang Pertamanan dan Pemakaman"),
     "general", (("Penata Bangunan Gedung dan Permukiman", "A"), ("Pengelola Pertamanan", "P")), 0.9),
    ("DISPERTAN", "Dinas Pertanian dan Ketahanan Pangan", "SETDA", "Kepala Dinas Pertanian dan Ketahanan Pangan",
     ("Sekretaris Dinas Pertanian dan Ketahanan Pangan", "Kepala Bidang Ketahanan Pangan", "Kepala Bidang Peternakan"),
     "general", (("Penyuluh Pertanian", "A"), ("Penyuluh Pertanian", "T"), ("Medik Veteriner", "A"),
                 ("Analis Ketahanan Pangan", "A")), 0.9),
    ("DISPORAPAR", "Dinas Kepemudaan, Olahraga dan Pariwisata", "SETDA", "Kepala Dinas Kepemudaan, Olahraga dan Pariwisata",
     ("Sekretaris Dinas Kepemudaan, Olahraga dan Pariwisata", "Kepala Bidang Pariwisata", "Kepala Bidang Kepemudaan dan Olahraga"),
     "general", (("Adyatama Kepariwisataan dan Ekonomi Kreatif", "A"), ("Pamong Budaya", "A")), 0.8),
    ("DINKOPUKM", "Dinas Koperasi dan Usaha Kecil Menengah", "SETDA", "Kepala Dinas Koperasi dan Usaha Kecil Menengah",
     ("Sekretaris Dinas Koperasi dan Usaha Kecil Menengah", "Kepala Bidang Koperasi", "Kepala Bidang Usaha Mikro"),
     "general", (("Pengawas Koperasi", "A"), ("Penyuluh Perindustrian dan Perdagangan", "A")), 0.7),
    ("DP3AP2KB", "Dinas Pemberdayaan Perempuan, Perlindungan Anak, Pengendalian Penduduk dan Keluarga Berencana",
     "SETDA", "Kepala Dinas Pemberdayaan Perempuan, Perlindungan Anak, Pengendalian Penduduk dan Keluarga Berencana",
     ("Sekretaris DP3AP2KB", "Kepala Bidang Perlindungan Perempuan dan Anak", "Kepala Bidang Keluarga Berencana"),
     "general", (("Penyuluh Keluarga Berencana", "A"), ("Analis Perlindungan Anak", "A")), 1.0),
    ("DISPERPUSIP", "Dinas Perpustakaan dan Kearsipan", "SETDA", "Kepala Dinas Perpustakaan dan Kearsipan",
     ("Sekretaris Dinas Perpustakaan dan Kearsipan", "Kepala Bidang Perpustakaan", "Kepala Bidang Kearsipan"),
     "general", (("Pustakawan", "T"), ("Pustakawan", "A"), ("Arsiparis", "A")), 0.7),
    ("DISDAG", "Dinas Perdagangan dan Perindustrian", "SETDA", "Kepala Dinas Perdagangan dan Perindustrian",
     ("Sekretaris Dinas Perdagangan dan Perindustrian", "Kepala Bidang Pengelolaan Pasar", "Kepala Bidang Perindustrian"),
     "general", (("Penera", "T"), ("Pengawas Perdagangan", "A"), ("Pengelola Pasar", "P")), 1.0),
    ("BPBD", "Badan Penanggulangan Bencana Daerah", "SETDA", "Kepala Pelaksana Badan Penanggulangan Bencana Daerah",
     ("Sekretaris BPBD", "Kepala Bidang Pencegahan dan Kesiapsiagaan", "Kepala Bidang Kedaruratan dan Logistik"),
     "general", (("Analis Bencana", "A"), ("Operator Pusat Pengendalian Operasi", "P")), 0.7),
    ("BAKESBANGPOL", "Badan Kesatuan Bangsa dan Politik", "SETDA", "Kepala Badan Kesatuan Bangsa dan Politik",
     ("Sekretaris Badan Kesatuan Bangsa dan Politik", "Kepala Bidang Politik Dalam Negeri"),
     "general", (("Analis Kebijakan", "A"), ("Analis Politik", "A")), 0.5),
    ("DAMKAR", "Dinas Pemadam Kebakaran dan Penyelamatan", "SETDA", "Kepala Dinas Pemadam Kebakaran dan Penyelamatan",
     ("Sekretaris Dinas Pemadam Kebakaran dan Penyelamatan", "Kepala Bidang Operasi dan Penyelamatan"),
     "general", (("Analis Kebakaran", "A"), ("Petugas Pemadam Kebakaran", "T"), ("Petugas Pemadam Kebakaran", "T")),
     1.2),
)  # fmt: skip

# Unit Pelaksana Teknis under a dinas: (code, unit name, parent code, specialist positions).
UptUnit = tuple[str, str, str, tuple[Position, ...]]
UPT_UNITS: tuple[UptUnit, ...] = (
    ("UPT-LABKESDA", "UPT Laboratorium Kesehatan Daerah", "DINKES",
     (("Pranata Laboratorium Kesehatan", "T"), ("Pranata Laboratorium Kesehatan", "A"))),
    ("UPT-TERMINAL", "UPT Terminal Penumpang Tipe C", "DISHUB", (("Petugas Pengatur Lalu Lintas", "P"),)),
    ("UPT-PKB", "UPT Pengujian Kendaraan Bermotor", "DISHUB", (("Penguji Kendaraan Bermotor", "T"),)),
    ("UPT-SAMPAH", "UPT Tempat Pemrosesan Akhir Sampah", "DLH", (("Pengelola Kebersihan", "P"),)),
    ("UPT-PARKIR", "UPT Perparkiran", "DISHUB", (("Petugas Pengatur Lalu Lintas", "P"),)),
    ("UPT-IPAL", "UPT Pengolahan Air Limbah Domestik", "DPUPR", (("Teknik Penyehatan Lingkungan", "A"),)),
    ("UPT-PEMAKAMAN", "UPT Pemakaman Umum", "DISPERKIM", (("Pengelola Pertamanan", "P"),)),
    ("UPT-BLK", "UPT Balai Latihan Kerja", "DISNAKER", (("Instruktur", "T"), ("Instruktur", "A"))),
    ("UPT-PPA", "UPT Perlindungan Perempuan dan Anak", "DP3AP2KB", (("Pekerja Sosial", "A"),)),
    ("UPT-PASAR", "UPT Pasar Induk", "DISDAG", (("Pengelola Pasar", "P"),)),
    ("UPT-METROLOGI", "UPT Metrologi Legal", "DISDAG", (("Penera", "T"), ("Penera", "A"))),
    ("UPT-PUSKESWAN", "UPT Pusat Kesehatan Hewan", "DISPERTAN", (("Medik Veteriner", "A"), ("Paramedik Veteriner", "T"))),
    ("UPT-GOR", "UPT Gelanggang Olahraga", "DISPORAPAR", (("Pengelola Sarana Olahraga", "P"),)),
    ("UPT-PAJAK", "UPT Pelayanan Pajak Daerah", "BAPENDA", (("Pemeriksa Pajak Daerah", "A"),)),
)  # fmt: skip
