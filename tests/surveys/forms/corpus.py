"""A corpus of XLSForms written the ways the ODK and KoboToolbox world writes them, built in
the test's temporary folder (nothing binary is committed for them).

Each entry is ``(sheets, options)``: the sheets as lists of rows, and what the import needs
besides the file (audience, attachments). ``EXPECTED`` says which the portal imports as they
are, and which only with refused questions left out. Every form here converts with pyxform
without error (``test_corpus_is_valid_for_pyxform`` checks it), so the corpus measures the
"nine in ten pyxform forms import" promise of docs/surveys.md.
"""

from __future__ import annotations

SW, EN, BN, AR = "Swahili (sw)", "English (en)", "Bangla (bn)", "Arabic (ar)"

YES_NO = [
    ["list_name", "name", "label"],
    ["yes_no", "yes", "Yes"],
    ["yes_no", "no", "No"],
]


def _settings(form_id: str, *extra: tuple[str, str]) -> list[list]:
    header = ["form_id", "form_title", *[key for key, _ in extra]]
    return [header, [form_id, form_id.replace("_", " ").title(), *[value for _, value in extra]]]


CORPUS: dict[str, tuple[dict, dict]] = {
    # No version, legacy spellings throughout.
    "legacy_spellings": (
        {
            "survey": [
                ["type", "name", "label", "relevance", "constraining_message"],
                ["start", "start", None, None, None],
                ["end", "end", None, None, None],
                ["q int", "age", "Age", None, None],
                ["add decimal prompt", "wage", "Daily wage", None, None],
                ["string", "job", "Job", None, None],
                ["select one from yes_no", "contract", "Signed a contract?", None, None],
                [
                    "select all that apply from issues",
                    "issues",
                    "Issues",
                    "${contract} = 'no'",
                    None,
                ],
                ["phone number", "phone_contact", "Phone number (optional)", None, None],
                ["percentage", "share", "Share of pay sent home", None, None],
                ["trigger", "ok", "I understand", None, None],
                ["q note", "bye", "Thank you", None, None],
            ],
            "choices": [
                *YES_NO,
                ["issues", "fees", "Recruitment fees"],
                ["issues", "docs", "Documents kept"],
            ],
            "settings": _settings("legacy_spellings"),
        },
        {"audience": "workers"},
    ),
    # Time, date-time, or_other, a Swahili-first form with English and Bangla.
    "times_and_other": (
        {
            "survey": [
                ["type", "name", f"label::{SW}", f"label::{EN}", f"label::{BN}", "required"],
                ["today", "today", None, None, None, None],
                ["deviceid", "deviceid", None, None, None, None],
                [
                    "time",
                    "shift_start",
                    "Zamu inaanza saa ngapi?",
                    "When does your shift start?",
                    "আপনার শিফট কখন শুরু হয়?",
                    "yes",
                ],
                [
                    "dateTime",
                    "last_pay",
                    "Ulilipwa lini?",
                    "When were you last paid?",
                    "শেষ কবে বেতন পেয়েছেন?",
                    None,
                ],
                ["select_one reasons or_other", "reason", "Kwa nini?", "Why?", "কেন?", None],
            ],
            "choices": [
                ["list_name", "name", f"label::{SW}", f"label::{EN}", f"label::{BN}"],
                ["reasons", "debt", "Deni", "Debt", "ঋণ"],
                ["reasons", "family", "Familia", "Family", "পরিবার"],
            ],
            "settings": [
                ["form_id", "form_title", "default_language"],
                ["times_and_other", "Saa za kazi", SW],
            ],
        },
        {"audience": "workers"},
    ),
    # Choices from attached files, and from the external_choices sheet.
    "choices_from_files": (
        {
            "survey": [
                ["type", "name", "label", "choice_filter", "parameters"],
                ["select_one_from_file districts.csv", "district", "District", None, None],
                ["select_multiple_from_file crops.xml", "crops", "Crops", None, None],
                ["select_one_from_file units.csv", "unit", "Unit", None, "value=code label=name"],
                [
                    "select_one_external villages",
                    "village",
                    "Village",
                    "district = ${district}",
                    None,
                ],
            ],
            "choices": [["list_name", "name", "label"], ["unused", "x", "X"]],
            "external_choices": [
                ["list_name", "name", "label", "district"],
                ["villages", "v1", "Village one", "d1"],
                ["villages", "v2", "Village two", "d2"],
            ],
            "settings": _settings("choices_from_files", ("version", "2024050101")),
        },
        {
            "audience": "workers",
            "attachments": {
                "districts.csv": b"name,label\nd1,North\nd2,South\n",
                "crops.xml": (
                    b"<root><item><name>rice</name><label>Rice</label></item>"
                    b"<item><name>tea</name><label>Tea</label></item></root>"
                ),
                "units.csv": b"code,name\nkg,Kilogram\nt,Tonne\n",
            },
        },
    ),
    # A supplier questionnaire: location, a scanned code and a photo are fine here.
    "supplier_site_check": (
        {
            "survey": [
                ["type", "name", "label", "required"],
                ["username", "username", None, None],
                ["gps", "location", "Where is the site?", "yes"],
                ["barcode", "lot", "Lot code on the last shipment", None],
                ["image", "exit_photo", "Photo of the fire exit", None],
                ["date", "audit_day", "Day of the last fire drill", None],
            ],
            "choices": [["list_name", "name", "label"]],
            "settings": _settings("supplier_site_check", ("version", "3")),
        },
        {"audience": "suppliers"},
    ),
    # Groups spelled every way, a range with parameters, a cascading select.
    "groups_and_cascades": (
        {
            "survey": [
                ["type", "name", "label", "appearance", "choice_filter", "parameters"],
                ["begin_group", "about", "About you", "field-list", None, None],
                ["select_one country", "country", "Country", None, None, None],
                ["select_one city", "city", "City", None, "country=${country}", None],
                ["end_group", None, None, None, None, None],
                ["begin group", "rating", "Rating", None, None, None],
                ["range", "safe", "How safe do you feel?", None, None, "start=1 end=5 step=1"],
                ["end group", None, None, None, None, None],
            ],
            "choices": [
                ["list_name", "name", "label", "country"],
                ["country", "bd", "Bangladesh", None],
                ["country", "vn", "Viet Nam", None],
                ["city", "dhaka", "Dhaka", "bd"],
                ["city", "hanoi", "Hanoi", "vn"],
            ],
            "settings": _settings("groups_and_cascades", ("version", "1")),
        },
        {"audience": "workers"},
    ),
    # A household roster: a repeat as many times as the count says.
    "household_roster": (
        {
            "survey": [
                ["type", "name", "label", "repeat_count", "calculation"],
                ["integer", "members", "How many people live with you?", None, None],
                ["begin repeat", "member", "Person", "${members}", None],
                ["text", "member_name", "First name of person ${member_count}", None, None],
                ["integer", "member_age", "Age", None, None],
                ["calculate", "member_count", None, None, "position(..)"],
                ["end repeat", None, None, None, None],
                ["select_one yes_no", "school", "Do the children go to school?", None, None],
                ["calculate", "listed", None, None, "count(${member})"],
                ["calculate", "total_age", None, None, "sum(${member_age})"],
                [
                    "note",
                    "check",
                    "You listed ${listed} people, ${total_age} years together.",
                    None,
                    None,
                ],
            ],
            "choices": YES_NO,
            "settings": _settings("household_roster"),
        },
        {"audience": "workers"},
    ),
    # A repeat without a count ("add another") and a loop over a list.
    "open_repeat_and_loop": (
        {
            "survey": [
                ["type", "name", "label", "relevant", "constraint"],
                ["begin_repeat", "job", "Earlier job", None, None],
                ["text", "employer", "Employer", None, None],
                ["integer", "months", "Months there", None, ". > 0"],
                [
                    "select_one yes_no",
                    "paid_fee",
                    "Did you pay a fee for this job?",
                    "${months} > 1",
                    None,
                ],
                ["end_repeat", None, None, None, None],
                ["begin loop over documents", "doc", "Documents", None, None],
                ["select_one yes_no", "held", "Does someone else keep your %(label)s?", None, None],
                ["end loop", None, None, None, None],
            ],
            "choices": [
                *YES_NO,
                ["documents", "passport", "passport"],
                ["documents", "contract", "contract"],
            ],
            "settings": _settings("open_repeat_and_loop"),
        },
        {"audience": "workers"},
    ),
    # A repeat inside a repeat: refused; the rest imports when asked.
    "nested_repeat": (
        {
            "survey": [
                ["type", "name", "label"],
                ["begin repeat", "household", "Household"],
                ["begin repeat", "person", "Person"],
                ["text", "person_name", "Name"],
                ["end repeat", None, None],
                ["end repeat", None, None],
                ["text", "comment", "Anything else?"],
            ],
            "choices": [["list_name", "name", "label"]],
            "settings": _settings("nested_repeat"),
        },
        {"audience": "workers"},
    ),
    # Anonymous workers are never asked where they are or to scan a card.
    "worker_location": (
        {
            "survey": [
                ["type", "name", "label"],
                ["geopoint", "home", "Where do you live?"],
                ["barcode", "badge", "Scan your badge"],
                ["text", "comment", "Anything else?"],
            ],
            "choices": [["list_name", "name", "label"]],
            "settings": _settings("worker_location"),
        },
        {"audience": "workers"},
    ),
    # A form in Amharic and Tigrinya only: content languages without interface catalogs.
    "ethiopic_only": (
        {
            "survey": [
                ["type", "name", "label::Amharic (am)", "label::ትግርኛ (ti)"],
                ["select_one yes_no", "paid_on_time", "ደመወዝ በሰዓቱ ይከፈላል?", "ደሞዝ ብግዜኡ ይኽፈል ድዩ?"],
            ],
            "choices": [
                ["list_name", "name", "label::Amharic (am)", "label::ትግርኛ (ti)"],
                ["yes_no", "yes", "አዎ", "እወ"],
                ["yes_no", "no", "አይ", "ኣይፋል"],
            ],
            "settings": [["form_id", "form_title"], ["ethiopic_only", "ደመወዝ"]],
        },
        {"audience": "workers"},
    ),
    # Media for anonymous workers: refused with the privacy reason.
    "worker_photo": (
        {
            "survey": [
                ["type", "name", "label"],
                ["text", "what", "What happened?"],
                ["image", "photo", "A photo of it"],
                ["audio", "voice", "Tell us in your own words"],
            ],
            "choices": [["list_name", "name", "label"]],
            "settings": _settings("worker_photo"),
        },
        {"audience": "workers"},
    ),
    # Metadata only around one question; hidden and external instance rows.
    "metadata_heavy": (
        {
            "survey": [
                ["type", "name", "label", "calculation"],
                ["start", "start", None, None],
                ["end", "end", None, None],
                ["today", "today", None, None],
                ["deviceid", "deviceid", None, None],
                ["uri:deviceid", "uri_device", None, None],
                ["phonenumber", "phonenumber", None, None],
                ["audit", "audit", None, None],
                ["start-geopoint", "where_started", None, None],
                ["hidden", "batch", None, None],
                ["integer", "children", "How many children work with you?", None],
                ["calculate", "any_children", None, "if(${children} > 0, 'yes', 'no')"],
            ],
            "choices": [["list_name", "name", "label"]],
            "settings": _settings("metadata_heavy"),
        },
        {"audience": "workers"},
    ),
}

#: How each corpus form imports: "as is", or "refused" (only with refused questions left out).
EXPECTED = {
    "legacy_spellings": "as is",
    "times_and_other": "as is",
    "choices_from_files": "as is",
    "supplier_site_check": "as is",
    "groups_and_cascades": "as is",
    "household_roster": "as is",
    "open_repeat_and_loop": "as is",
    "nested_repeat": "refused",
    "worker_location": "refused",
    "ethiopic_only": "as is",
    "worker_photo": "refused",
    "metadata_heavy": "as is",
}
