"""`flask matching ...`: build and retrain the ranker from the database."""

import json

import click

from marketplace.extensions import db
from marketplace.models import Campaign
from marketplace.services.matching import evaluation as matching_eval
from marketplace.services.matching import recommendations

matching_group = click.Group("matching", help="Build and retrain the matching model.")


@matching_group.command("rebuild")
@click.option("--if-missing", "--if-requested", "if_missing", is_flag=True,
              help="Only when no model can be loaded (none saved, or its file gone): for "
                   "cron. --if-requested is the old name.")
def rebuild(if_missing: bool) -> None:
    """Fit the ranker on the whole database (creators, campaigns, outcome log); deploy it."""
    if if_missing:
        version = recommendations.rebuild_if_missing()
        if version is None:
            click.echo("a model is saved: nothing to do")
            return
    else:
        version = recommendations.build()
    click.echo(f"version {version.id}: {version.n_creators} creators, {version.n_campaigns} "
               f"campaigns, {version.n_outcomes} outcomes, learned={version.learned}")


@matching_group.command("retrain")
@click.option("--holdout", default=0.25, show_default=True, help="Share of campaigns held out.")
@click.option("--seed", default=0, show_default=True)
def retrain(holdout: float, seed: int) -> None:
    """Learn from the outcome log; print before/after NDCG@10 and Recall@10 on held-out
    campaigns, then deploy the model learned from every outcome."""
    metrics = matching_eval.retrain(holdout=holdout, seed=seed)
    click.echo(json.dumps(metrics, indent=2))


@matching_group.command("explain")
@click.argument("campaign_id", type=int)
@click.option("-k", default=10, show_default=True, help="How many matches.")
def explain(campaign_id: int, k: int) -> None:
    """For admins: a campaign's top matches with the raw model score and each contribution
    (pages show people the 0-100 fit and reasons in words). Logs no impression."""
    campaign = db.session.get(Campaign, campaign_id)
    if campaign is None:
        raise click.ClickException(f"no campaign {campaign_id}")
    for pos, item in enumerate(recommendations.top_creators(campaign, k=k), 1):
        m = item.match
        parts = ", ".join(f"{f}={v:+.3f}" for f, v in m.contributions.items())
        click.echo(f"{pos:>2}. @{item.creator.handle}: score {m.score:+.4f}, fit {m.fit} "
                   f"({m.strength}); {parts}")
