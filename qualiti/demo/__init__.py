"""The demo data of `make run` and the large seed of the benchmarks. It lives here, above
the apps, because it uses all of them (projects, criteria, plans, runs, findings)."""
