"""Search: references however typed, agencies and Ministers by name, follow-ups, ranking, safe headlines, need-to-know."""

import pytest
from django.db import connection
from django.urls import reverse

from cabinet.models import Minister, OIAGround
from decisions import search
from decisions.models import DecisionItem, FollowUp, Redaction
from tests.factories import (
    AgencyFactory, DecisionItemFactory, FollowUpFactory, MinuteFactory, PaperFactory, PortfolioFactory,
)

ON_POSTGRESQL = connection.vendor == "postgresql"
POSTGRESQL_ONLY = pytest.mark.skipif(
    not ON_POSTGRESQL, reason="PostgreSQL only: ranking and stored vectors; SQLite searches with icontains, unranked"
)
URL = reverse("decisions:search")


def hits(response, key):
    return list(response.context[key])


@pytest.fixture
def minerals(agency, portfolio):
    """CAB-26-MIN-0018 of the official's agency and portfolio: two items, one follow-up of MBIE."""
    minute = MinuteFactory(reference="CAB-26-MIN-0018", paper__lead_agency=agency, title="Critical minerals framework")
    minute.portfolios.set([portfolio])
    noted = DecisionItemFactory(minute=minute, number="1", text="noted the geothermal strategy and critical minerals;")
    invited = DecisionItemFactory(minute=minute, number="2", text="invited the Minister for Resources to report back;")
    follow_up = FollowUpFactory(
        decision=invited, responsible_agency=agency, responsible_portfolio=portfolio,
        description="Report back on the geothermal framework",
    )
    return minute, [noted, invited], follow_up


@pytest.fixture
def social():
    """CAB-26-MIN-0050 of another agency and portfolio, with words in common with `minerals`."""
    msd = AgencyFactory(name="Ministry of Social Development", short_name="MSD")
    minute = MinuteFactory(reference="CAB-26-MIN-0050", paper__lead_agency=msd, title="Geothermal heating for social housing")
    minute.portfolios.set([PortfolioFactory(name="Social Development")])
    item = DecisionItemFactory(minute=minute, number="1", text="agreed to fund geothermal heating in social housing;")
    follow_up = FollowUpFactory(decision=item, responsible_agency=msd, description="Report back on geothermal heating")
    return minute, item, follow_up


@pytest.mark.parametrize("typed", ["cab 26 min 18", "CAB–26–MIN–18", "[CAB-26-MIN-0018]", "cab-26-min-0018"])
def test_a_reference_however_typed_finds_its_minute_paper_items_and_follow_ups(client, clerk, minerals, social, typed):
    minute, items, follow_up = minerals
    client.force_login(clerk)
    response = client.get(URL, {"q": typed})
    assert response.context["reference"] == "CAB-26-MIN-0018"
    assert hits(response, "minutes") == [minute]
    assert hits(response, "papers") == [minute.paper]
    assert hits(response, "decisions") == items  # in paragraph order
    assert hits(response, "follow_ups") == [follow_up]


def test_a_partial_reference_finds_the_minute_by_its_reference_first(client, clerk, minerals, social):
    client.force_login(clerk)
    found = hits(client.get(URL, {"q": "MIN-0018"}), "minutes")
    assert found[0] == minerals[0]  # PostgreSQL's trigram match also lists near references after it
    assert found == [minerals[0]] or ON_POSTGRESQL


@pytest.mark.parametrize("typed", ["MBIE", "mbie", "Ministry of Business", "Innovation and Employment"])
def test_an_agency_by_short_name_or_name_finds_its_follow_ups_and_papers(client, clerk, minerals, social, typed):
    minute, _, follow_up = minerals
    client.force_login(clerk)
    response = client.get(URL, {"q": typed})
    assert hits(response, "follow_ups") == [follow_up]
    assert hits(response, "papers") == [minute.paper]


def test_the_follow_up_list_and_the_admin_find_an_agency_by_short_name(client, clerk, minerals, social):
    client.force_login(clerk)
    listed = client.get(reverse("decisions:followup_list"), {"q": "MBIE"}).context["page"].object_list
    assert list(listed) == [minerals[2]]
    admin = client.get(reverse("admin:decisions_followup_changelist"), {"q": "MBIE"})
    assert list(admin.context["cl"].result_list) == [minerals[2]]
    admin = client.get(reverse("admin:cabinet_minute_changelist"), {"q": "cab 26 min 18"})
    assert list(admin.context["cl"].result_list) == [minerals[0]]


@pytest.mark.parametrize("typed", ["Shane Jones", "Hon Shane Jones", "jones"])
def test_a_ministers_name_finds_their_follow_ups_and_papers(client, clerk, minerals, social, typed):
    minute, _, follow_up = minerals
    jones = Minister.objects.create(name="Hon Shane Jones")
    FollowUp.objects.filter(pk=follow_up.pk).update(responsible_minister=jones)
    minute.paper.ministers.set([jones])
    client.force_login(clerk)
    response = client.get(URL, {"q": typed})
    assert hits(response, "follow_ups") == [follow_up]
    assert hits(response, "papers") == [minute.paper]


@POSTGRESQL_ONLY
def test_a_misspelt_ministers_name_finds_their_follow_ups_and_papers(client, clerk, minerals, social):
    # Neither record's words hold the misspelling: only the names it comes close to (pg_trgm) find them.
    minute, _, follow_up = minerals
    jones = Minister.objects.create(name="Hon Shane Jones")
    FollowUp.objects.filter(pk=follow_up.pk).update(responsible_minister=jones)
    minute.paper.ministers.set([jones])
    client.force_login(clerk)
    response = client.get(URL, {"q": "Shane Jonez"})  # word similarity 0.83
    assert hits(response, "follow_ups") == [follow_up]
    assert hits(response, "papers") == [minute.paper]
    assert hits(client.get(URL, {"q": "Shayne Jones"}), "follow_ups") == []  # 0.67: under NAME_SIMILARITY


def test_a_portfolios_name_finds_its_papers(client, clerk, minerals, social, portfolio):
    minute = minerals[0]
    minute.paper.portfolios.set([portfolio])  # "Resources": not in the paper's reference or title
    client.force_login(clerk)
    assert hits(client.get(URL, {"q": "Resources"}), "papers") == [minute.paper]


@POSTGRESQL_ONLY
def test_a_paper_led_by_the_agency_named_ranks_above_one_that_only_mentions_it(client, clerk, agency):
    mentions = PaperFactory(title="What MBIE advised on tourism", lead_agency=AgencyFactory(short_name="MSD"))  # older
    led = PaperFactory(title="Tourism strategy", lead_agency=agency)  # MBIE's
    client.force_login(clerk)
    assert hits(client.get(URL, {"q": "MBIE"}), "papers") == [led, mentions]  # 1.0 and more against a word's rank


@POSTGRESQL_ONLY
def test_words_naming_an_agency_and_looking_like_a_reference_rank_its_papers_by_reference_too(client, clerk):
    office = AgencyFactory(name="Climate 2050 Office", short_name="C2050")
    closest = PaperFactory(reference="CAB-26-SUB-2050", lead_agency=office, title="Emissions budget")
    other = PaperFactory(reference="CAB-26-SUB-0001", lead_agency=office, title="Emissions plan")  # newer
    client.force_login(clerk)
    # Both led by the agency named (the same 1.0); the reference near the words decides.
    assert hits(client.get(URL, {"q": "2050 Office"}), "papers") == [closest, other]


@POSTGRESQL_ONLY
def test_words_that_look_like_a_reference_rank_the_closest_reference_first(client, clerk, agency):
    closest = PaperFactory(reference="CAB-26-SUB-0118", lead_agency=agency)
    further = PaperFactory(reference="CAB-26-SUB-0181", lead_agency=agency)  # newer: first were they ranked alike
    client.force_login(clerk)
    # Neither reference holds these words; both are near them (pg_trgm similarity 0.5 and 0.35).
    assert hits(client.get(URL, {"q": "26 sub 118"}), "papers") == [closest, further]


def test_follow_ups_are_a_section_of_the_search_page_with_counts(client, clerk, minerals, social):
    client.force_login(clerk)
    response = client.get(URL, {"q": "geothermal"})
    assert set(hits(response, "follow_ups")) == {minerals[2], social[2]}
    assert set(hits(response, "decisions")) == {minerals[1][0], social[1]}
    assert hits(response, "minutes") == [social[0]]  # only its title says geothermal
    content = response.content.decode()
    assert "Follow-ups (2)" in content and "Decision items (2)" in content and "Minutes (1)" in content


def test_one_section_pages_through_its_hits_without_javascript(client, clerk, agency):
    minute = MinuteFactory(paper__lead_agency=agency)
    items = [DecisionItemFactory(minute=minute, number=str(n), text=f"noted the tussock survey {n};") for n in range(1, 31)]
    client.force_login(clerk)
    first = client.get(URL, {"q": "tussock"})
    assert len(hits(first, "decisions")) == 10 and "All 30 decision items" in first.content.decode()
    second = client.get(URL, {"q": "tussock", "section": "decisions", "page": 2})
    assert [s.key for s in second.context["sections"]] == ["decisions"]
    assert len(hits(second, "decisions")) == 5  # 25 a page
    assert set(hits(first, "decisions")) | set(hits(second, "decisions")) <= set(items)


@POSTGRESQL_ONLY
def test_the_better_match_ranks_first_even_when_older(client, clerk, agency):
    minute = MinuteFactory(paper__lead_agency=agency)
    dense = DecisionItemFactory(minute=minute, number="1", text="agreed that kauri dieback and kauri protection and kauri seedlings be funded;")
    sparse = DecisionItemFactory(minute=minute, number="2", text="noted progress on many programmes, including one on kauri, and on wetlands, rivers and lakes;")
    client.force_login(clerk)
    assert hits(client.get(URL, {"q": "kauri"}), "decisions") == [dense, sparse]


def test_a_websearch_phrase_and_exclusion_are_understood(client, clerk, agency):
    minute = MinuteFactory(paper__lead_agency=agency)
    rare = DecisionItemFactory(minute=minute, number="1", text="noted the rare earths supply;")
    DecisionItemFactory(minute=minute, number="2", text="noted rare birds and the earths of the region;")
    client.force_login(clerk)
    expected = [rare] if ON_POSTGRESQL else []  # SQLite: the query's words as typed, quotes included
    assert hits(client.get(URL, {"q": '"rare earths"'}), "decisions") == expected


def test_headlines_escape_the_text_and_mark_only_the_hits(client, clerk, agency):
    minute = MinuteFactory(paper__lead_agency=agency, title="<b>Bold</b> title about wetlands")
    DecisionItemFactory(
        minute=minute, number="1", text='<script>alert("x")</script> agreed that funding < 5m & "wetlands" > rivers;'
    )
    client.force_login(clerk)
    response = client.get(URL, {"q": "wetlands"})
    content = response.content.decode()
    # PostgreSQL's headline leaves tags out; SQLite's keeps them: either way nothing the text holds is markup.
    assert "<script>alert" not in content and "<b>Bold</b>" not in content
    assert "funding &lt; 5m &amp; &quot;<mark>wetlands</mark>&quot; &gt; rivers" in content
    [decision] = hits(response, "decisions")
    assert decision.headline.count("<mark>") == 1
    [minute_hit] = hits(response, "minutes")
    assert "&lt;b&gt;Bold&lt;/b&gt; title about <mark>wetlands</mark>" in minute_hit.headline


@pytest.fixture
def withheld(agency):
    ground = OIAGround.objects.get(code="9(2)(j)")
    minute = MinuteFactory(reference="CAB-26-MIN-0077", paper__lead_agency=agency, title="Trade talks")
    whole = DecisionItemFactory(minute=minute, number="1", text="lithium royalty concession for the smelter", is_redacted=True)
    Redaction.objects.create(decision=whole, ground=ground, marker="")
    part = DecisionItemFactory(minute=minute, number="2", text="noted that, on tariffs, Negotiations [REDACTED] continue;")
    Redaction.objects.create(decision=part, ground=ground, label="Negotiations", marker="[REDACTED]")
    return whole, part


def test_a_wholly_withheld_item_is_never_found_by_its_words(client, clerk, withheld):
    client.force_login(clerk)
    response = client.get(URL, {"q": "lithium"})
    assert hits(response, "decisions") == []
    assert "lithium" not in response.content.decode().replace('value="lithium"', "").replace("Search: lithium", "")


def test_a_wholly_withheld_item_found_by_its_reference_shows_only_its_grounds(client, clerk, withheld):
    client.force_login(clerk)
    response = client.get(URL, {"q": "cab 26 min 77"})
    assert hits(response, "decisions") == list(withheld)
    content = response.content.decode()
    assert "lithium" not in content and "smelter" not in content
    assert "[Withheld: s9(2)(j) negotiations]" in content


def test_a_partly_withheld_item_shows_its_ground_in_place_of_the_marker(client, clerk, withheld):
    client.force_login(clerk)
    response = client.get(URL, {"q": "tariffs"})
    [decision] = hits(response, "decisions")
    assert decision == withheld[1]
    assert "[REDACTED]" not in decision.headline
    assert '<span class="app-redaction">[Withheld: s9(2)(j) negotiations]</span>' in decision.headline
    assert "<mark>tariffs</mark>" in decision.headline


def test_an_official_never_finds_what_does_not_concern_them(client, official, minerals, social):
    client.force_login(official)
    response = client.get(URL, {"q": "geothermal"})
    assert hits(response, "follow_ups") == [minerals[2]]
    assert hits(response, "decisions") == [minerals[1][0]]
    assert hits(response, "minutes") == [] and hits(response, "papers") == []
    content = response.content.decode()
    assert "CAB-26-MIN-0050" not in content and "social housing" not in content and "Follow-ups (1)" in content
    for typed in ("cab 26 min 50", "MSD", "Ministry of Social Development", "social housing"):
        response = client.get(URL, {"q": typed})
        assert all(section.total == 0 for section in response.context["sections"]), typed
    listed = client.get(reverse("decisions:followup_list"), {"q": "geothermal"}).context["page"]
    assert list(listed.object_list) == [minerals[2]]


@pytest.mark.parametrize("typed", ["\x00", "geo\x00thermal", "a" * 500, "'); DROP TABLE x; --", '"', "-", "&|!:*"])
def test_odd_or_overlong_queries_get_a_page_not_an_error(client, clerk, minerals, typed):
    client.force_login(clerk)
    # A NUL byte is refused before any view (cabinet/security.py: a 400 page that says so); the rest are searched.
    expected = 400 if "\x00" in typed else 200
    response = client.get(URL, {"q": typed})
    assert response.status_code == expected
    if expected == 200:
        assert len(response.context["q"]) <= 200
    assert client.get(reverse("decisions:followup_list"), {"q": typed}).status_code == expected
    assert client.get(reverse("admin:decisions_followup_changelist"), {"q": typed}).status_code == expected


def test_a_blank_query_searches_nothing(client, clerk, minerals, django_assert_num_queries):
    client.force_login(clerk)
    with django_assert_num_queries(2):  # session, user
        response = client.get(URL, {"q": "   "})
    assert response.context["sections"] == []


@pytest.mark.parametrize("size", [1, 4])
def test_the_search_page_runs_the_same_queries_at_any_size(client, official, agency, portfolio, size, django_assert_num_queries):
    for n in range(size):
        minute = MinuteFactory(paper__lead_agency=agency, title=f"Geothermal plan {n}")
        minute.portfolios.set([portfolio])
        item = DecisionItemFactory(minute=minute, number="1", text="agreed to the geothermal plan;")
        Redaction.objects.create(decision=item, marker="[REDACTED]")
        FollowUpFactory(decision=item, responsible_agency=agency, description="Report back on geothermal")
    client.force_login(official)
    # session, user, profile, the official's agencies and portfolios, the names the query matches; the ranked
    # candidates of minutes, papers, decision items and follow-ups; then their shown rows (none for the papers,
    # where nothing is found) and the shown items' redactions.
    with django_assert_num_queries(14):
        response = client.get(URL, {"q": "geothermal"})
    assert [section.total for section in response.context["sections"]] == [size, 0, size, size]


@pytest.mark.parametrize("section, reads_names", [("minutes", False), ("decisions", False), ("papers", True), ("follow_ups", True)])
def test_a_section_alone_reads_the_names_only_when_it_finds_by_name(client, official, minerals, section, reads_names):
    from django.test.utils import CaptureQueriesContext

    client.force_login(official)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(URL, {"q": "geothermal", "section": section})
    assert [s.key for s in response.context["sections"]] == [section]
    assert any('AS "kind"' in query["sql"] for query in captured.captured_queries) is reads_names


@pytest.mark.django_db(transaction=True, serialized_rollback=True)  # the seeded committees are restored afterwards
def test_the_search_plans_its_queries_for_the_words_in_a_transaction_of_its_own(client, official, minerals):
    """Outside any transaction (as in production), PostgreSQL plans the search's queries for the words searched even
    once the connection has prepared them, set for that transaction only; SQLite is sent no such setting. Inside a
    transaction someone else opened, nothing is set (it would last until that transaction ends)."""
    from django.db import transaction
    from django.test.utils import CaptureQueriesContext

    client.force_login(official)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(URL, {"q": "geothermal"})
    assert any(section.total for section in response.context["sections"])
    sent = [query["sql"] for query in captured.captured_queries if "plan_cache_mode" in query["sql"]]
    assert sent == (["SET LOCAL plan_cache_mode = force_custom_plan"] if ON_POSTGRESQL else [])
    if ON_POSTGRESQL:
        with connection.cursor() as cursor:
            cursor.execute("SHOW plan_cache_mode")
            assert cursor.fetchone() == ("auto",)
    with transaction.atomic(), CaptureQueriesContext(connection) as inside:
        assert client.get(URL, {"q": "geothermal"}).status_code == 200
    assert not [query for query in inside.captured_queries if "plan_cache_mode" in query["sql"]]


@POSTGRESQL_ONLY
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_only_the_queries_that_find_the_matches_are_planned_for_the_words(client, official, minerals):
    """The matches of each section are planned for the words searched (a generic plan read a common word's matches
    more slowly); what the official may see, the names the words match and the rows shown are planned the same
    whatever the words, and keep the plans the connection has made."""
    client.force_login(official)
    seen = []  # (plan_cache_mode, SQL) of each query the page runs

    def note_the_setting(execute, sql, params, many, context):
        if "plan_cache_mode" not in sql:
            seen.append((context["connection"].connection.execute("SHOW plan_cache_mode").fetchone()[0], sql))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(note_the_setting):
        response = client.get(URL, {"q": "geothermal"})
    assert [section.total for section in response.context["sections"]] == [0, 0, 1, 1]
    ranked = [mode for mode, sql in seen if "ts_rank(" in sql]
    shown = [mode for mode, sql in seen if "ts_headline(" in sql]
    others = [mode for mode, sql in seen if "ts_rank(" not in sql and "ts_headline(" not in sql]
    assert ranked == ["force_custom_plan"] * 4  # minutes, papers, decision items, follow-ups
    assert shown == ["auto"] * 2  # the decision item and the follow-up found (no minute or paper)
    assert any("access_keys" in sql for _, sql in seen if "ts_rank(" not in sql)  # the official's minutes and papers
    assert any("WORD_SIMILARITY" in sql for _, sql in seen)  # the names
    assert set(others) == {"auto"}


@POSTGRESQL_ONLY
def test_the_stored_vectors_follow_renames_and_never_hold_withheld_words(minerals, withheld, agency):
    from django.contrib.postgres.search import SearchQuery

    agency.name = "Hīkina Whakatutuki"
    agency.save()
    follow_up = minerals[2]
    assert list(FollowUp.objects.filter(search_vector=SearchQuery("Whakatutuki"))) == [follow_up]
    assert not DecisionItem.objects.filter(pk=withheld[0].pk, search_vector=SearchQuery("lithium")).exists()
    DecisionItem.objects.filter(pk=withheld[0].pk).update(is_redacted=False)
    assert DecisionItem.objects.filter(pk=withheld[0].pk, search_vector=SearchQuery("lithium")).exists()


def test_render_headline_escapes_everything_but_the_marks():
    marked = f"a <i>{search.HIT_START}b&c{search.HIT_STOP}</i>"
    assert search.render_headline(marked) == "a &lt;i&gt;<mark>b&amp;c</mark>&lt;/i&gt;"


def test_loose_references_normalise_through_the_reference_parser():
    assert search.loose_reference("cab 26 min 18") == "CAB-26-MIN-0018"
    assert search.loose_reference("CAB Min (10) 39/8") == "CAB Min (10) 39/8"
    assert search.loose_reference("eco 25 sub 101") == "ECO-25-SUB-0101"
    assert search.loose_reference("critical minerals") is None


def test_a_paper_reference_finds_the_paper_and_the_minute_that_decided_it(client, clerk, minerals):
    minute = minerals[0]
    PaperFactory(reference="CAB-26-SUB-0019")
    client.force_login(clerk)
    response = client.get(URL, {"q": "cab 26 sub 18"})
    assert hits(response, "papers") == [minute.paper]
    assert hits(response, "minutes") == [minute]
