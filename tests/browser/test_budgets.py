"""Budgets as a person meets them: the estimate says what is left of the team's budget, a job that does
not fit is refused at the form with everything typed still there, and /spend/ draws the month."""
import re
from datetime import datetime, timezone
from decimal import Decimal

from playwright.sync_api import expect

from studio.spending import budgets


def test_the_form_shows_what_is_left_and_refuses_what_does_not_fit(page, live_server, people, team, sign_in):
    budgets.set_budget(actor=None, team=team, monthly_usd=Decimal("0.05"))
    sign_in(page, people["teammate"], "pw-teammate")
    page.goto(live_server.url + "/?model=dall-e-2&size=256x256&n=4")
    page.get_by_label("Share with").select_option(label=team.name)
    page.get_by_label("Prompt").fill("a kite over a grey sea")
    expect(page.locator("#cost-estimate")).to_contain_text(
        "$0.064 list price (stand-in, not charged) · $0.050 left of team Design's $0.05 (hard) this month")
    page.get_by_role("button", name="Generate").click()
    expect(page.get_by_text("only $0.050 is left of team Design's monthly budget")).to_be_visible()
    expect(page.get_by_text("A team owner (owner) can raise it")).to_be_visible()
    expect(page.get_by_label("Prompt")).to_have_value("a kite over a grey sea")
    expect(page.get_by_label("Number of images")).to_have_value("4")

    page.get_by_label("Number of images").fill("2")
    page.get_by_role("button", name="Generate").click()
    expect(page).to_have_url(re.compile(r"/jobs/\d+/"))
    page.goto(live_server.url + "/spend/")
    team_section = page.locator("section", has=page.get_by_role("heading", name="Team Design"))
    days_so_far = datetime.now(timezone.utc).day  # one bar per day of the month so far
    expect(team_section.locator("svg.spend-chart rect")).to_have_count(days_so_far)
    expect(team_section.locator("[data-budget-line]")).to_have_count(1)
    expect(team_section).to_contain_text("$0.018 left")
