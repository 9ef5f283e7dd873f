"""Safe model loading, run inside the sandboxed child process (see `runner_child`).

Only two formats are loaded: skops archives whose types are all on the server-side
allowlist (`allowlist`), and single-file ONNX models run by onnxruntime on the CPU
(`onnx_model`). Both are wrapped in a `LoadedModel` that predicts a batch of rows.
"""
