"""cabinet.paths.record_path must give exactly the path Django's reverse gives, under any script prefix."""

import pytest
from django.urls import reverse, set_script_prefix

from cabinet.paths import record_path

NAMES = ["decisions:followup_detail", "decisions:minute_detail", "decisions:paper_detail", "decisions:release_detail",
         "decisions:meeting_detail"]


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("pk", [1, 7, 42, 1000, 987_654_321_987, 10**15])
def test_a_record_path_is_the_reversed_path(name, pk):
    assert record_path(name, pk) == reverse(name, args=[pk])


def test_a_record_path_follows_the_script_prefix_of_the_request():
    try:
        set_script_prefix("/tracker/")
        assert record_path("decisions:followup_detail", 12) == "/tracker/follow-ups/12/" == reverse("decisions:followup_detail", args=[12])
    finally:
        set_script_prefix("/")
    assert record_path("decisions:followup_detail", 12) == "/follow-ups/12/"


def test_a_key_that_is_not_a_number_is_refused():
    with pytest.raises(ValueError, match="invalid literal for int"):
        record_path("decisions:followup_detail", "12/../../admin")
