"""Root conftest: the suite's pytest plugins and its step library."""

pytest_plugins = [
    "plugins.requirements",
    "plugins.deployment",
    "plugins.step_outcomes",
    "plugins.results",
    "plugins.team_features",
    "plugins.cucumber_workers",
    "plugins.step_lookup",
    "steps.payment",
    "steps.security",
    "steps.format",
    "steps.transport",
    "steps.login",
    "steps.auto_debit",
    "steps.reversal",
    "steps.inquiry",
    "steps.notices",
]
