"""The web dashboard (`/ui`): executions live, one execution's log and timeline, starting jobs, sites, workers."""

from sitejobs.dashboard.app import create_dashboard

__all__ = ["create_dashboard"]
