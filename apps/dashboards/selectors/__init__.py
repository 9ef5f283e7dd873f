"""Reads behind the dashboards: every page here is a handful of aggregate queries,
whatever the number of projects, runs and findings."""
