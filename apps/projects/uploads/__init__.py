"""Uploads of model versions and datasets: streaming, inspection and validation.

Nothing in this package reads an upload's content in depth in the web process: the
request body streams to a temporary file (`handlers`); a model file is judged by the
engine's gate in a sandbox process with CPU, wall-time and memory limits (`inspection`);
of a dataset, the type is judged from its first bytes (and a CSV scanned for NUL bytes),
and its header or Parquet footer is all that is read at upload (`headers`); the full read
happens in a Celery worker (`validation`).
"""
