"""Uploads of model versions and datasets: streaming, sniffing, audits and validation.

Nothing in this package ever reads an upload in full in the web process: the request body
streams to a temporary file (`handlers`), the type is judged from a few bytes at each end
(`sniffing`), a skops archive is audited from its directory and schema (`skops_audit`),
a dataset's header or Parquet footer is all that is read at upload (`headers`), and the
full read happens in a Celery worker (`validation`).
"""
