"""The gate every model file passes before it is used: uploads, runs and the command line.

A model file is judged by its content, inside the sandbox child (`runner_child`), with the
child's memory, CPU-time and wall-time limits around every step, since an audit too can be
attacked (a zip bomb, an object graph that takes exponential time to walk):

- `sniffing`: what the file is (pickles, compressed pickles, zip, ONNX, Parquet, text…);
- `archive`: a .skops zip as a container: member count and names, links, encryption,
  compression methods, sizes and ratios, CRCs, and no bytes outside its members;
- `skops_schema`: its object tree: size, shared references that would make walking it
  explode, cycles, every member referenced and of the kind the tree says, and the types
  it would construct against the server's allowlist;
- `onnx_graph`: an ONNX model's opsets and operator domains, external data, and classes;
- `model_structure`: the loaded model's own structures (tree node indices) and its task.

Each refusal is an `ArtifactRefused` whose message is one sentence a user can act on.
"""
