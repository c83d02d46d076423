"""The compile pipeline the CLI (and Python users) drive: import -> validate -> passes (optimise,
quantise, patch, then the memory passes: schedule, in-place, concat slices) -> plan -> backend.
The driver plans once, with the backend's constraints (core/backend.py), and hands that plan to
the backend.

Output folders are checked before any work and written to a temporary sibling that replaces the
target whole only on success (`tinycc/output_folder.py`): a failed or killed compile never leaves a
half-written folder, and an existing folder is replaced only with `force`.
"""
from __future__ import annotations

from pathlib import Path

from tinycc.core import backend as declared
from tinycc.core import ops, planner
from tinycc.core.errors import TinyccError, Unsupported
from tinycc.core.graph import Graph, IoCost
from tinycc.core.plugins import registry
from tinycc.output_folder import prepare_output

SQNR_THRESHOLD = 20.0        # dB: the accuracy report names the first layer below it


def load_model(path, options: dict | None = None, importer: str | None = None) -> Graph:
    path = Path(path)
    if not path.exists():
        raise TinyccError("no such file or folder", file=str(path))
    reg = registry()
    imp = reg.get("importer", importer) if importer else reg.importer_for(path)
    try:
        return imp.load(path, options or {})
    except TinyccError as err:
        err.with_file(str(path))
        raise


def optimize_model(g: Graph) -> Graph:
    """The core passes every compile runs (before quantisation)."""
    from tinycc.core.passes import Sequential
    from tinycc.core.passes.constants import FoldConstants
    from tinycc.core.passes.dead_channels import DeadChannels
    from tinycc.core.passes.fuse import FuseActivations
    from tinycc.core.passes.qdq import FoldQDQ
    from tinycc.core.passes.share_constants import ShareConstants
    return Sequential(FuseActivations(), FoldQDQ(), FoldConstants(), DeadChannels(), ShareConstants()).run(g)


def prune_model(g: Graph, options: dict) -> tuple[Graph, dict | None]:
    """`--prune-channels` / `--max-accuracy-drop` (core/passes/prune_channels.py) on the optimised
    float graph, measured on the calibration samples when given; the pruning report, or None."""
    if options.get("prune_channels") is None and options.get("max_accuracy_drop") is None:
        if options.get("prune_compensate"):
            raise TinyccError("--prune-compensate applies with --prune-channels or --max-accuracy-drop",
                              hint="add --prune-channels RATIO")
        return g, None
    from tinycc.core.passes.prune_channels import prune_model as prune
    samples, calibration = None, options.get("calibration")
    if calibration is not None:
        from tinycc.calibration import load_calibration
        samples = calibration if isinstance(calibration, list) else load_calibration(calibration, g)
    return prune(g, options.get("prune_channels"), options.get("max_accuracy_drop"), samples,
                 compensate=bool(options.get("prune_compensate")))


def resolve_layers(g: Graph, names) -> list[str]:
    """Node names for user references: a node name, its output tensor's name, or its index in
    `tinycc inspect` (0-based)."""
    found = []
    for ref in names:
        ref = str(ref).strip()
        if not ref:
            continue
        match = [n for n in g.nodes if n.name == ref or ref in n.outputs]
        if not match and ref.isdigit() and int(ref) < len(g.nodes):
            match = [g.nodes[int(ref)]]
        if not match:
            raise TinyccError(f"no layer named {ref!r}", file=g.source,
                              hint="use a node name, its output tensor name, or its # in `tinycc inspect`")
        found.append(match[0].name)
    return found


def quantize_model(g: Graph, options: dict) -> Graph:
    """Apply post-training int8 quantisation when asked (options: quantize, calibration,
    calibration_method, io, int16_layers, bias_correction, sqnr_threshold); a float model with
    calibration data is quantised by default."""
    mode = options.get("quantize") or ("int8" if options.get("calibration") is not None else "none")
    if mode == "none":
        if options.get("quantize") is None and is_float_model(g):
            g.metadata.notes.append(
                "float model compiled in float32 (no --calibration): weights and activations take 4x the flash and "
                "SRAM of int8 and run slower; to quantise to int8, give input samples: --calibration data.npz (one "
                "array per input, first axis = samples); --quantize none keeps float without this note")
        return g
    if mode != "int8":
        raise TinyccError(f"unknown quantisation {mode!r}", hint="choose int8 or none")
    if g.subgraphs:
        why = g.metadata.control_flow           # an importer's account of the loops, and the way out
        raise TinyccError("post-training quantisation of a model with subgraphs (IF, WHILE, CALL_ONCE) is not "
                          "supported: only its main graph would be quantised" + (f"; {why.why}" if why else ""),
                          file=g.source,
                          hint=why.hint if why else "quantise it with TensorFlow's converter (a representative "
                          "dataset) and compile the int8 .tflite, or compile it in float32 with --quantize none")
    calibration = options.get("calibration")
    if calibration is None:
        raise TinyccError("int8 quantisation needs calibration data", file=g.source,
                          hint="pass --calibration data.npz (samples of each input, first axis = samples)")
    from tinycc.calibration import load_calibration
    from tinycc.core.passes import Sequential
    from tinycc.core.passes.accuracy import accuracy_report
    from tinycc.core.passes.calibrate import calibrate
    from tinycc.core.passes.quantize import QuantizeInt8
    from tinycc.core.passes.share_constants import ShareConstants
    from tinycc.core.passes.tie_ranges import tie
    samples = calibration if isinstance(calibration, list) else load_calibration(calibration, g)
    import copy
    int16 = resolve_layers(g, options.get("int16_layers") or [])
    int16_tensors = [o for n in g.nodes if n.name in set(int16) for o in n.outputs]
    ranges = calibrate(g, samples, method=options.get("calibration_method") or "minmax", int16_tensors=int16_tensors)
    tie(ranges, g.metadata.tied)            # an unrolled loop's steps: one range per role
    gq = Sequential(QuantizeInt8(ranges, io=options.get("io") or "float", int16_layers=int16,
                                 bias_correction=bool(options.get("bias_correction")),
                                 int4_layers=int4_layers(g, options, int16)),
                    ShareConstants()).run(copy.deepcopy(g))
    threshold = options.get("sqnr_threshold")
    gq.metadata.accuracy = accuracy_report(g, gq, samples[:64],
                                           sqnr_threshold=SQNR_THRESHOLD if threshold is None else float(threshold))
    io_cost_note(gq)
    return gq


def compress_model(g_float: Graph, g: Graph, options: dict) -> tuple[Graph, dict | None]:
    """`--compress-weights BITS` (core/passes/compress_weights.py) on the quantised (or int8) graph; its
    report with each output's SQNR against the int8 graph (and the float one, when tinycc quantised it)
    on the calibration samples (random inputs without them), or None."""
    if options.get("compress_weights") is None:
        if options.get("compress_method"):
            raise TinyccError("--compress-method applies with --compress-weights", hint="add --compress-weights 4")
        return g, None
    import copy

    from tinycc.core.passes import Sequential
    from tinycc.core.passes.compress_weights import CompressWeights, output_sqnr, summary
    quantised = g_float is not g
    int8 = copy.deepcopy(g)
    p = CompressWeights(int(options["compress_weights"]), options.get("compress_method") or "kmeans",
                        g_float if quantised else None)
    g = Sequential(p).run(g)
    report = {**p.report, **summary(p.report)}
    calibration = options.get("calibration")
    if calibration is not None:
        from tinycc.calibration import load_calibration
        samples = (calibration if isinstance(calibration, list) else load_calibration(calibration, g_float))[:16]
    else:
        import numpy as np

        from tinycc.core.samples import random_inputs
        rng = np.random.default_rng(0)
        samples = [random_inputs(g, rng) for _ in range(8)]
    report["output_sqnr_vs_int8_db"] = output_sqnr(int8, g, samples)
    if quantised:
        report["output_sqnr_vs_float_db"] = output_sqnr(g_float, g, samples)
        report["output_sqnr_int8_vs_float_db"] = output_sqnr(g_float, int8, samples)
    return g, report


def int4_layers(g: Graph, options: dict, int16: list[str]) -> list[str]:
    """The layers PTQ gives int4 weights (core/int4.py): options weights="int4" (every conv_2d,
    depthwise_conv_2d and fully_connected) or int4_layers (those named)."""
    from tinycc.core import int4
    named = options.get("int4_layers") or []
    weights = options.get("weights") or ("int4" if named else "int8")
    if weights not in ("int8", "int4"):
        raise TinyccError(f"unknown weights type {weights!r}", hint="choose int8 or int4")
    if weights == "int8":
        return []
    layers = resolve_layers(g, named) if named else [n.name for n in g.nodes if n.op in int4.OPS]
    for name in layers:
        node = next(n for n in g.nodes if n.name == name)
        if node.op not in int4.OPS:
            raise TinyccError(f"layer {name!r} is a {node.op}; int4 weights are for conv_2d, depthwise_conv_2d "
                              "and fully_connected", file=g.source, node=name, op=node.op,
                              hint="name only those layers in --int4-layers")
        if name in int16 and named:
            raise TinyccError(f"layer {name!r} cannot have int4 weights and int16 activations", file=g.source,
                              node=name, op=node.op, hint="int4 weights run with int8 activations (4w8a)")
    return [name for name in layers if name not in int16]


def is_float_model(g: Graph) -> bool:
    """No tensor quantised: a float model (a quantised one keeps its own types)."""
    return all(t.quant is None for t in g.tensors.values()) and any(t.dtype == "float32" for t in g.tensors.values())


def io_cost_note(g: Graph) -> None:
    """A quantised model with float32 inputs/outputs: what they cost in SRAM against --io int8
    (each float32 element becomes one int8 byte), as a note and g.metadata.io_cost."""
    ios = [g.tensors[t] for t in (*g.inputs, *g.outputs)]
    floats = [t for t in ios if t.dtype == "float32"]
    if not floats:
        return
    def cost(tensors):
        return (sum(t.nbytes for t in tensors),
                sum(t.size if t.dtype == "float32" else t.nbytes for t in tensors))

    now, int8 = cost(ios)
    in_now, in_int8 = cost([g.tensors[t] for t in g.inputs])
    g.metadata.io_cost = IoCost(float_bytes=now, int8_bytes=int8)
    g.metadata.notes.append(
        f"float32 inputs and outputs take {now:,} B of SRAM (inputs {in_now:,} B); with --io int8 they would "
        f"take {int8:,} B (inputs {in_int8:,} B), the caller quantising with the scale and zero point in NAME.h")


def patch_model(g: Graph, tiles: int, plan_options: dict) -> Graph:
    """The first stage computed in `tiles` row bands when that shrinks the backend's arena
    (core/passes/patch.py); the bands keep their written order (no scheduling search: the
    pass sets g.metadata.keep_order)."""
    from tinycc.core.passes import Sequential
    from tinycc.core.passes.patch import PatchStage
    if tiles < 2:
        raise TinyccError(f"--patch-tiles needs at least 2 tiles, got {tiles}", hint="try --patch-tiles 4")
    from tinycc.core.passes import memory
    return Sequential(PatchStage(tiles, lambda h: memory.plan(h, **plan_options).arena_bytes)).run(g)


def plan_model(g: Graph, backend, options: dict | None = None) -> planner.MemoryPlan:
    """The memory passes (core/passes/memory.py: schedule, in-place pairs, concat slices) with the
    backend's plan constraints, then the one plan of g the backend gets (with its scratch buffers
    and I/O placement)."""
    from tinycc.core.passes import memory
    plan = memory.plan_in(g, declared.pass_context(backend, options))
    if plan.dropped_scratch:
        nodes = ", ".join(f"{g.nodes[i].name!r} ({g.nodes[i].op})" for i in sorted(plan.dropped_scratch))
        g.metadata.notes.append(f"plain kernels to save RAM: {nodes} keep the arena at its peak without their fast "
                                "kernels' scratch (compile option speed_scratch='keep' keeps it)")
    return plan


def legalise_for_backend(g: Graph, backend, options: dict | None = None) -> Graph:
    """g within the backend's declared input limits (core/backend.py input_limits): wider nodes split
    into trees (core/passes/legalise.py) or refused; g as it is for a backend that declares none."""
    from tinycc.core.passes import Sequential
    from tinycc.core.passes.legalise import SplitWideInputs
    context = declared.pass_context(backend, options)
    return Sequential(SplitWideInputs(), context=context).run(g) if context.input_limits else g


def patch_for_backend(g: Graph, backend: str, tiles: int) -> Graph:
    """patch_model with the backend's planner options; a note instead for a backend whose runtime
    plans its own arena (patch_bands = False: tflm)."""
    be = registry().get("backend", backend)
    if declared.patch_bands(be):
        return patch_model(g, tiles, declared.plan_options(be))
    g.metadata.notes.append(
        f"patch-based execution is not applied with the {backend} backend: its runtime plans its own arena, "
        "which bands make larger; use the c, cmsis-nn or microtvm backend")
    return g


def compile_model(model, backend: str, outdir, *, name: str = "model", force: bool = False,
                  options: dict | None = None) -> dict:
    """Compile `model` (a path or a Graph) with `backend` into `outdir`; returns the backend's report."""
    outdir = Path(outdir)
    be = registry().get("backend", backend)
    model_path = getattr(model, "source", "") if isinstance(model, Graph) else model
    with prepare_output(outdir, force, model_path or None) as out:     # refusals come before any work
        try:
            g = model if isinstance(model, Graph) else load_model(model, options)
        except Unsupported as reason:
            if not declared.takes_untouched(be, model):
                raise
            with out.writing():
                report = be.compile_untouched(Path(model), out.path, {**(options or {}), "name": name}, reason)
            out.commit()
            return {"model": str(model), "backend": backend, "outdir": str(outdir), "name": name, **report}
        g = optimize_model(g)
        g, pruning = prune_model(g, options or {})
        g_float, g = g, quantize_model(g, options or {})
        g, compression = compress_model(g_float, g, options or {})
        if options and options.get("patch_tiles"):
            g = patch_for_backend(g, backend, int(options["patch_tiles"]))
        g = legalise_for_backend(g, be, options)
        plan = plan_model(g, be, options)          # the order and the sharing are passes'; the plan only places
        with out.writing():
            report = be.compile(g, plan, out.path, {**(options or {}), "name": name})
        if options and options.get("target"):      # refuse, and write nothing, when it cannot fit
            from tinycc.budget import check_fits
            check_fits(g, report, backend, options["target"])
        out.commit()
    result = {"model": g.source or g.name, "backend": backend, "outdir": str(outdir), "name": name,
              "macs": sum(ops.macs(n, g) for n in g.nodes), **report, **declared.report_extras(be, options or {})}
    if pruning is not None:
        result["pruning"] = pruning
    if g.metadata.accuracy is not None:
        result["accuracy"] = g.metadata.accuracy
    if compression is not None:
        result["compression"] = compression
    if g.metadata.io_cost is not None:
        result["io_float_bytes"] = g.metadata.io_cost.float_bytes
        result["io_int8_bytes"] = g.metadata.io_cost.int8_bytes
    if g.metadata.notes or out.notes:
        result["notes"] = list(g.metadata.notes) + out.notes
    return result


def inspect_model(g: Graph) -> dict:
    """Per-layer figures and the memory plan, as plain data (for `tinycc inspect` and --json).
    The plan is the `c` backend's (in-place pairs, concat inputs in their slot, scheduled order):
    `bound_bytes` is the lower bound of its buffers, `arena_bytes` the achieved peak,
    `plain_bytes` the arena without in-place pairs or concat slots."""
    from tinycc.core.passes import memory
    plan = memory.plan(g, inplace=True, schedule=True, concat_alias=True)
    layers = []
    for i, node in enumerate(g.nodes):
        out = g.tensors[node.outputs[0]]
        params = sum(g.tensors[n].nbytes for n in node.inputs if n is not None and g.tensors[n].is_const)
        layers.append({"index": i, "op": node.op, "name": node.name,
                       "inputs": [list(g.tensors[n].shape) for n in node.inputs if n and not g.tensors[n].is_const],
                       "output": list(out.shape), "dtype": out.dtype, "macs": ops.macs(node, g),
                       "param_bytes": params, "live_arena_bytes": plan.live_bytes[i],
                       "offset": plan.offsets.get(node.outputs[0],
                                                  "caller" if node.outputs[0] in plan.external else None)})
    return {"model": g.source or g.name, "layers": layers, "arena_bytes": plan.arena_bytes,
            "bound_bytes": plan.bound_bytes, "strategy": plan.strategy,
            "plain_bytes": plan.plain_bytes or plan.arena_bytes, "inplace_ops": len(plan.inplace),
            "concat_slices": len(plan.slices),
            "input_bytes": sum(g.tensors[t].nbytes for t in g.inputs),
            "output_bytes": sum(g.tensors[t].nbytes for t in g.outputs),
            "weights_bytes": sum(t.nbytes for t in g.tensors.values() if t.is_const),
            "macs": sum(layer["macs"] for layer in layers)}
