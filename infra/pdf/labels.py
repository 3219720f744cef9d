"""What the documents print, in French (the documents' language) and in Arabic (added for clients who prefer it)."""

from __future__ import annotations

from infra.pdf.fonts import visual

LANGUAGES = ("fr", "ar")

LABELS: dict[str, tuple[str, str]] = {
    "invoice": ("FACTURE", "فاتورة"),
    "credit_note": ("AVOIR", "إشعار دائن"),
    "contract": ("CONTRAT D'ABONNEMENT", "عقد الاشتراك"),
    "plan_change": ("AVENANT : CHANGEMENT D'OFFRE", "ملحق: تغيير العرض"),
    "statement": ("RELEVÉ DE COMPTE", "كشف الحساب"),
    "number": ("N°", "رقم"),
    "issue_date": ("Date d'émission", "تاريخ الإصدار"),
    "due_date": ("Date d'échéance", "تاريخ الاستحقاق"),
    "period": ("Période", "الفترة"),
    "month": ("Mois", "الشهر"),
    "customer": ("Client", "الزبون"),
    "cin": ("CIN", "ب.ت.و"),
    "ice": ("ICE", "ICE"),
    "original_invoice": ("Facture d'origine", "الفاتورة الأصلية"),
    "reason": ("Motif", "السبب"),
    "designation": ("Désignation", "البيان"),
    "quantity": ("Qté / jours", "الكمية"),
    "unit_price": ("P.U. HT", "ثمن الوحدة"),
    "amount_ht": ("Montant HT", "المبلغ"),
    "vat_rate": ("TVA %", "النسبة"),
    "vat_amount": ("Montant TVA", "الضريبة"),
    "total_ht": ("Total HT", "المجموع دون رسوم"),
    "total_vat": ("TVA", "الضريبة"),
    "total_ttc": ("Total TTC", "المجموع بالرسوم"),
    "pay_by": (
        "À régler avant le {date}. Montants en dirhams marocains (MAD).",
        "يؤدى قبل {date}. المبالغ بالدرهم المغربي.",
    ),
    "in_words_invoice": (
        "Arrêtée la présente facture à la somme de : {words} toutes taxes comprises.",
        "حصرت هذه الفاتورة في مبلغ: {words} مع احتساب جميع الرسوم.",
    ),
    "in_words_credit_note": (
        "Arrêté le présent avoir à la somme de : {words} toutes taxes comprises.",
        "حصر هذا الإشعار الدائن في مبلغ: {words} مع احتساب جميع الرسوم.",
    ),
    "verify": (
        "Vérifier ce document : scannez le code ou consultez {url} avec son numéro et son empreinte.",
        "للتحقق من هذه الوثيقة: امسحوا الرمز.",
    ),
    "fingerprint": ("Empreinte SHA-256", "البصمة"),
    "service": ("Service", "الخدمة"),
    "line_number": ("Numéro de ligne", "رقم الخط"),
    "reference": ("Référence", "المرجع"),
    "offer": ("Offre", "العرض"),
    "components": ("Contenu", "المحتوى"),
    "monthly_fee": ("Mensualité HT", "الاشتراك الشهري"),
    "activation_fee": ("Frais d'activation HT", "رسوم التفعيل"),
    "commitment": ("Engagement", "مدة الالتزام"),
    "effective_date": ("Date d'effet", "تاريخ السريان"),
    "address": ("Adresse", "العنوان"),
    "months": ("{n} mois", "{n} شهرا"),
    "no_commitment": ("Sans engagement", "بدون التزام"),
    "date": ("Date", "التاريخ"),
    "document": ("Document", "الوثيقة"),
    "debit": ("Débit", "مدين"),
    "credit": ("Crédit", "دائن"),
    "balance": ("Solde", "الرصيد"),
    "opening_balance": ("Solde au début du mois", "الرصيد في بداية الشهر"),
    "closing_balance": ("Solde à la fin du mois", "الرصيد في نهاية الشهر"),
    "invoice_entry": ("Facture", "فاتورة"),
    "credit_note_entry": ("Avoir", "إشعار دائن"),
    "payment_entry": ("Paiement", "أداء"),
    "payment_reversed_entry": ("Paiement annulé", "أداء ملغى"),
    "owed": ("Reste à payer", "المبلغ المتبقي"),
    "in_credit": ("Avoir disponible", "رصيد دائن"),
    "page": ("Page {page}", "صفحة {page}"),
    "mobile": ("Mobile", "الهاتف المحمول"),
    "internet": ("Internet", "الإنترنت"),
    "landline": ("Téléphone fixe", "الهاتف الثابت"),
}


def label(key: str, language: str, **values: object) -> str:
    """The French label; for a client who prefers Arabic, followed by the Arabic one, shaped for drawing."""
    return french(key, **values) if language != "ar" else f"{french(key, **values)} / {arabic(key, **values)}"


def stacked(key: str, language: str) -> list[str]:
    """The French label, and under it the Arabic one for a client who prefers Arabic (narrow places: table heads)."""
    return [french(key)] + ([arabic(key)] if language == "ar" else [])


def french(key: str, **values: object) -> str:
    return LABELS[key][0].format(**values)


def arabic(key: str, **values: object) -> str:
    """The Arabic label alone, shaped for drawing."""
    return visual(LABELS[key][1].format(**values))
