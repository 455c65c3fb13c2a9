"""Directory text search: PostgreSQL full-text search (GIN index, stemming, web syntax);
a word match on SQLite."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from marketplace.extensions import db
from tests.campaigns.test_discovery import handles, titles
from tests.support.factories import make_brand, make_campaign, make_creator


@pytest.fixture
def people(app_ctx):
    return {
        "chef": make_creator("chef", niches=("food",), display_name="Chef Mia",
                             bio="I cook quick vegan dinners for busy weeknights."),
        "runner": make_creator("runner", niches=("fitness",), display_name="Run Rui",
                               bio="Marathon training and recovery meals."),
    }


@pytest.fixture
def briefs(app_ctx):
    brand = make_brand("kitchenco", company_name="KitchenCo")
    return {
        "pans": make_campaign(brand, title="Pan launch", niches=("food",),
                              brief="Cook a weeknight dinner in our new pan."),
        "shoes": make_campaign(brand, title="Trail shoes", niches=("fitness",),
                               brief="Run a muddy trail in our shoes."),
    }


def _postgres() -> bool:
    return db.engine.dialect.name == "postgresql"


def test_a_word_in_a_bio_finds_the_creator(brand_client, people):
    assert handles(brand_client.get("/creators/?q=vegan").get_data(as_text=True)) == ["chef"]
    assert handles(brand_client.get("/creators/?q=marathon").get_data(as_text=True)) == [
        "runner"]
    assert handles(brand_client.get("/creators/?q=vegan+marathon").get_data(as_text=True)) == []


def test_a_word_in_a_brief_finds_the_campaign(client, briefs):
    assert titles(client.get("/campaigns/?q=muddy").get_data(as_text=True)) == ["Trail shoes"]
    assert titles(client.get("/campaigns/?q=weeknight").get_data(as_text=True)) == [
        "Pan launch"]


def test_postgres_stems_words(brand_client, client, people, briefs, app_ctx):
    if not _postgres():
        pytest.skip("stemming is PostgreSQL full-text search")
    assert handles(brand_client.get("/creators/?q=cooking").get_data(as_text=True)) == ["chef"]
    assert handles(brand_client.get("/creators/?q=trained").get_data(as_text=True)) == [
        "runner"]
    assert titles(client.get("/campaigns/?q=cooked+dinners").get_data(as_text=True)) == [
        "Pan launch"]


def test_postgres_web_syntax_and_prefixes(brand_client, people, app_ctx):
    if not _postgres():
        pytest.skip("web search syntax is PostgreSQL full-text search")
    page = brand_client.get('/creators/?q="vegan dinners" or marathon').get_data(as_text=True)
    assert sorted(handles(page)) == ["chef", "runner"]
    assert handles(brand_client.get("/creators/?q=mara").get_data(as_text=True)) == ["runner"]
    for junk in ("&|!:*", "'", "(((", "-", '"'):
        assert brand_client.get("/creators/", query_string={"q": junk}).status_code == 200


def test_postgres_search_uses_the_gin_index(people, app_ctx):
    if not _postgres():
        pytest.skip("the GIN index exists on PostgreSQL only")
    from sqlalchemy import select

    from marketplace.models import CreatorProfile
    from marketplace.models.search import creator_document, web_query
    db.session.execute(text("SET enable_seqscan = off"))
    stmt = select(CreatorProfile.id).where(creator_document().op("@@")(web_query("vegan")))
    compiled = stmt.compile(db.engine, compile_kwargs={"literal_binds": True})
    plan = "\n".join(db.session.scalars(text(f"EXPLAIN {compiled}")))
    assert "ix_creator_profiles_search" in plan
