"""Every paged list answers any `?page=` with a page: junk, zero, negative and numbers past
`MAX_PAGE` (whose offset overflowed the database's integers: a 500) show the first page."""

from __future__ import annotations

import pytest

from marketplace.pagination import MAX_PAGE
from tests.support.factories import make_campaign

JUNK = ["99999999999999999999999", "99999999999999", str(MAX_PAGE + 1), "0", "-3", "abc",
        "2.5", "１"]

PAGES = {  # who -> paged lists
    "brand": ["/deals/", "/campaigns/mine", "/campaigns/{campaign}/applicants", "/payments",
              "/library", "/messages/", "/notifications/", "/creators/"],
    "creator": ["/deals/", "/deals/applications", "/payments", "/library/my-work",
                "/messages/", "/notifications/", "/campaigns/"],
    "admin": ["/admin/jobs", "/admin/disputes"],
}


@pytest.mark.parametrize("who", PAGES)
def test_any_page_number_gets_a_page(app_ctx, brand, creator, admin, login_as, who):
    campaign = make_campaign(brand)
    client = login_as({"brand": brand.user, "creator": creator.user, "admin": admin}[who])
    for path in PAGES[who]:
        url = path.format(campaign=campaign.id)
        first = client.get(url)
        assert first.status_code == 200, url
        for junk in JUNK:
            assert client.get(url, query_string={"page": junk}).status_code == 200, (url, junk)
        assert client.get(url, query_string={"page": str(MAX_PAGE)}).status_code == 200, url
