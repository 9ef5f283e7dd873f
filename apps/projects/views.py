"""Project pages: create a project; upload model versions and datasets."""
