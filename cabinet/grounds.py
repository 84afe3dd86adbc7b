"""Withholding grounds of the Official Information Act 1982: the seed of the OIAGround table and the words releases use for them."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Ground:
    code: str  # as printed after "s": "9(2)(j)"
    label: str  # the short words a coversheet uses
    wording: str  # the Act's words
    synonyms: tuple[str, ...] = ()

    @property
    def is_conclusive(self):
        # Section 6 reasons are conclusive; section 9 reasons are weighed against the public interest.
        return self.code.startswith("6")


GROUNDS = (
    Ground("6(a)", "security, defence or international relations",
           "prejudice the security or defence of New Zealand or the international relations of the Government of New Zealand",
           ("international relations", "national security", "security or defence", "defence")),
    Ground("6(b)(i)", "information entrusted by another government",
           "prejudice the entrusting of information to the Government of New Zealand on a basis of confidence by the government of any other country or any agency of such a government",
           ("entrusted by another government", "information entrusted by a foreign government")),
    Ground("6(b)(ii)", "information entrusted by an international organisation",
           "prejudice the entrusting of information to the Government of New Zealand on a basis of confidence by any international organisation",
           ("entrusted by an international organisation",)),
    Ground("6(c)", "maintenance of the law",
           "prejudice the maintenance of the law, including the prevention, investigation, and detection of offences, and the right to a fair trial",
           ("maintenance of the law", "prevention of offences")),
    Ground("6(d)", "safety of any person", "endanger the safety of any person", ("safety of a person",)),
    Ground("6(e)", "damage to the economy",
           "damage seriously the economy of New Zealand", ("the economy of new zealand",)),
    Ground("9(2)(a)", "privacy", "protect the privacy of natural persons, including that of deceased natural persons",
           ("privacy of natural persons", "privacy")),
    Ground("9(2)(b)(ii)", "commercial position",
           "protect information where the making available of the information would be likely unreasonably to prejudice the commercial position of the person who supplied or who is the subject of the information",
           ("commercial information", "commercial position", "commercial sensitivity", "commercially sensitive")),
    Ground("9(2)(ba)", "information subject to an obligation of confidence",
           "protect information which is subject to an obligation of confidence (where the limb is not printed)",
           ()),
    Ground("9(2)(ba)(i)", "information supplied in confidence",
           "protect information which is subject to an obligation of confidence, where making it available would be likely to prejudice the supply of similar information",
           ("supplied in confidence", "obligation of confidence", "confidential information")),
    Ground("9(2)(ba)(ii)", "confidential information: damage to the public interest",
           "protect information which is subject to an obligation of confidence, where making it available would be likely otherwise to damage the public interest",
           ()),
    Ground("9(2)(c)", "health and safety", "avoid prejudice to measures protecting the health or safety of members of the public",
           ("health or safety", "health and safety")),
    Ground("9(2)(d)", "substantial economic interests",
           "avoid prejudice to the substantial economic interests of New Zealand", ("economic interests",)),
    Ground("9(2)(e)", "prevention of material loss",
           "avoid prejudice to measures that prevent or mitigate material loss to members of the public", ("material loss",)),
    Ground("9(2)(f)(ii)", "ministerial responsibility",
           "maintain the constitutional conventions for the time being which protect collective and individual ministerial responsibility",
           ("collective and individual ministerial responsibility", "ministerial responsibility")),
    Ground("9(2)(f)(iii)", "political neutrality of officials",
           "maintain the constitutional conventions for the time being which protect the political neutrality of officials",
           ("political neutrality",)),
    Ground("9(2)(f)(iv)", "confidential advice to government",
           "maintain the constitutional conventions for the time being which protect the confidentiality of advice tendered by Ministers of the Crown and officials",
           ("confidential advice to government", "confidentiality of advice", "confidential advice", "advice tendered by ministers")),
    Ground("9(2)(g)(i)", "free and frank opinions",
           "maintain the effective conduct of public affairs through the free and frank expression of opinions by or between or to Ministers of the Crown or members of an organisation or officers and employees of any public service agency or organisation in the course of their duty",
           ("free and frank opinions", "free and frank expression of opinions", "free and frank")),
    Ground("9(2)(g)(ii)", "protection from improper pressure or harassment",
           "maintain the effective conduct of public affairs through the protection of such Ministers, members of organisations, officers, and employees from improper pressure or harassment",
           ("improper pressure or harassment", "improper pressure")),
    Ground("9(2)(h)", "legal professional privilege", "maintain legal professional privilege",
           ("legal professional privilege", "legal privilege", "legally privileged")),
    Ground("9(2)(i)", "commercial activities",
           "enable a Minister of the Crown or any public service agency or organisation holding the information to carry out, without prejudice or disadvantage, commercial activities",
           ("crown commercial activities", "commercial activities")),
    Ground("9(2)(j)", "negotiations",
           "enable a Minister of the Crown or any public service agency or organisation holding the information to carry on, without prejudice or disadvantage, negotiations (including commercial and industrial negotiations)",
           ("negotiations", "negotiating position")),
    Ground("9(2)(k)", "improper gain or advantage",
           "prevent the disclosure or use of official information for improper gain or improper advantage",
           ("improper gain", "improper advantage")),
    Ground("18(d)", "soon to be publicly available",
           "the information requested is or will soon be publicly available", ("publicly available",)),
)

BY_CODE = {ground.code: ground for ground in GROUNDS}


def ground_for_words(words):
    """The ground a release means by `words` ("negotiations", "s9(2)(j)"), or None."""
    text = " ".join((words or "").lower().split()).strip(" .;,[]")
    code = text.removeprefix("withheld under").strip().removeprefix("section").strip().removeprefix("s").strip()
    if code in BY_CODE:
        return BY_CODE[code]
    for ground in GROUNDS:
        if text == ground.label or text in ground.synonyms:
            return ground
    return None


def grounds_in_text(text):
    """Every ground named in a sentence of words, in order of appearance ("international relations, negotiations, ...")."""
    lowered = " ".join((text or "").lower().split())
    hits = []
    for ground in GROUNDS:
        positions = [lowered.find(term) for term in (ground.label, *ground.synonyms) if term in lowered]
        if positions:
            hits.append((min(positions), ground))
    return [ground for _, ground in sorted(hits, key=lambda hit: hit[0])]
