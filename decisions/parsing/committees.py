"""Cabinet and its committees by code and full name, past and present: minutes name their body either way."""

import re

CABINET = "CAB"

# Codes are reused with new names after restructures; the name a minute prints decides the code.
COMMITTEES = {
    "APH": ("Cabinet Appointments and Honours Committee",),
    "CBC": ("Cabinet Business Committee",),
    "CPC": ("Cabinet Priorities Committee",),
    "DEV": ("Cabinet Economic Development Committee",),
    "DOM": ("Cabinet Domestic Policy Committee",),
    "ECO": ("Cabinet Economic Policy Committee",),
    "EGI": ("Cabinet Economic Growth and Infrastructure Committee",),
    "ENV": ("Cabinet Environment, Energy and Climate Committee",),
    "ERD": ("Cabinet External Relations and Defence Committee",),
    "ERS": ("Cabinet External Relations and Security Committee",),
    "EXP": ("Cabinet Expenditure and Regulatory Review Committee",),
    "FPS": ("Cabinet Foreign Policy and National Security Committee",),
    "GOV": ("Cabinet Government Administration and Expenditure Review Committee",),
    "LEG": ("Cabinet Legislation Committee",),
    "NSC": ("Cabinet National Security Committee",),
    "SEC": ("Cabinet State Sector Reform and Expenditure Control Committee",),
    "SOC": ("Cabinet Social Policy Committee",),
    "SOU": ("Cabinet Social Outcomes Committee",),
    "SWC": ("Cabinet Social Wellbeing Committee",),
}

_NOISE_WORDS = re.compile(r"\b(?:the|cabinet|committee)\b|[^a-z ]", re.IGNORECASE)
_PRINTED_CODE = re.compile(r"\(\s*([A-Z]{2,4})\s*\)")
_CABINET = re.compile(r"\bCabinet\b")


def _key(name):
    return " ".join(_NOISE_WORDS.sub(" ", name.replace("&", " and ")).lower().split())


_CODE_BY_KEY = {_key(name): code for code, names in COMMITTEES.items() for name in names}


def name_of(code):
    return "Cabinet" if code == CABINET else COMMITTEES.get(code, (None,))[0]


def body_code(words):
    """The code of the body that `words` name ("the Cabinet Social Wellbeing Committee (SWC)", "Cabinet"), or None."""
    words = words or ""
    if match := _PRINTED_CODE.search(words):
        return match.group(1)
    key = f" {_key(words)} "
    found = [(key.find(f" {name} "), code) for name, code in _CODE_BY_KEY.items() if f" {name} " in key]
    if found:
        return min(found)[1]
    if _CABINET.search(words) and "committee" not in words.lower():
        return CABINET
    return None
