"""Check a SavedModel's graphs before TensorFlow loads (and so runs) any of them.

Loading a SavedModel runs parts of its graph: TF1's loader runs the saver's restore op and the
init/main op, TF2's runs every TrackableResource's `_create_resource`/`_initialize` function,
and either may hold any TensorFlow op (`WriteFile`, `PyFunc`, `PrintV2`, `DeleteFile`...). So
`saved_model.pb` is parsed here with TensorFlow's protobuf classes (parsing runs nothing), and
every node of every meta graph's graph_def and of every function in its library must be an op
of `PURE_OPS` (compute, shapes, control flow, in-memory variables and tables: no file, process
or printing ops), a call of a function of the library, or a checkpoint op in its place:

- checkpoint reads (`RestoreV2`...) only where the saver's restore op reaches (the variables
  the loader restores; the loader feeds it the SavedModel's own `variables/` path);
- checkpoint writes (`SaveV2`, `MergeV2Checkpoints`...) only where the saver's save tensor
  reaches and the restore op does not (loading never runs the save path);
- neither where anything the loader or converter runs reaches: init and main ops, every
  collection's nodes, signature tensors, the functions of the TF2 object graph.

Reachability follows data and control inputs and function attributes; a function counts as a
whole. Asset files must be plain names inside the folder. Anything else is a TinyccError naming
the op, the node, the function and the file.
"""
from __future__ import annotations

import shutil
from pathlib import Path

from tinycc.core.errors import TinyccError

PURE_OPS = frozenset("""
Const Identity IdentityN NoOp Placeholder PlaceholderWithDefault PartitionedCall StatefulPartitionedCall
If StatelessIf While StatelessWhile Case StatelessCase Enter Exit Merge Switch NextIteration LoopCond
ControlTrigger StopGradient PreventGradient Snapshot EnsureShape CheckNumerics CheckNumericsV2 Assert
VarHandleOp ReadVariableOp AssignVariableOp AssignAddVariableOp AssignSubVariableOp VarIsInitializedOp
DestroyResourceOp DisableCopyOnRead VariableShape ResourceGather VariableV2 Variable Assign AssignAdd AssignSub
IsVariableInitialized
Reshape Squeeze ExpandDims Shape ShapeN Size Rank Pack Unpack Concat ConcatV2 ConcatOffset Split SplitV Slice
StridedSlice Transpose ConjugateTranspose Tile Pad PadV2 MirrorPad Gather GatherV2 GatherNd ScatterNd Fill
ZerosLike OnesLike Range LinSpace Where Select SelectV2 Reverse ReverseV2 BroadcastTo BroadcastArgs
BroadcastGradientArgs Cast Bitcast OneHot SpaceToBatchND BatchToSpaceND SpaceToDepth DepthToSpace
ResizeBilinear ResizeNearestNeighbor Unique InvertPermutation MatrixBandPart MatrixDiag MatrixDiagV3
MatrixDiagPartV3 Einsum Cumsum TopKV2 ArgMax ArgMin ReverseSequence
TensorListReserve TensorListSetItem TensorListGetItem TensorListFromTensor TensorListStack TensorListLength
TensorListElementShape TensorListPushBack TensorListPopBack
Add AddV2 AddN Sub Mul MulNoNan Div DivNoNan RealDiv FloorDiv FloorMod TruncateDiv TruncateMod Mod Neg Abs Sign
Square Sqrt Rsqrt Exp Log Log1p Expm1 Pow Reciprocal Inv Maximum Minimum Floor Ceil Round Rint Tanh Sigmoid Sin
Cos Tan Asin Acos Atan Atan2 Sinh Cosh Erf Erfc SquaredDifference Sum Mean Prod Max Min All Any MatMul
BatchMatMul BatchMatMulV2 BatchMatMulV3 Less LessEqual Greater GreaterEqual Equal NotEqual LogicalAnd LogicalOr
LogicalNot IsNan IsInf IsFinite ClipByValue Softplus Softsign BiasAdd BiasAddV1 L2Loss BitwiseAnd BitwiseOr
BitwiseXor LeftShift RightShift
Conv2D Conv3D DepthwiseConv2dNative Conv2DBackpropInput MaxPool MaxPoolV2 AvgPool MaxPool3D AvgPool3D
FusedBatchNorm FusedBatchNormV2 FusedBatchNormV3 Relu Relu6 LeakyRelu Elu Selu Softmax LogSoftmax LRN
_FusedConv2D _FusedMatMul _FusedDepthwiseConv2dNative FakeQuantWithMinMaxVars FakeQuantWithMinMaxArgs
FakeQuantWithMinMaxVarsPerChannel QuantizeAndDequantizeV2 QuantizeAndDequantizeV3 QuantizeAndDequantizeV4
RandomUniform RandomUniformInt RandomStandardNormal TruncatedNormal StatelessRandomUniform StatelessRandomNormal
StatelessRandomUniformV2 StatelessRandomNormalV2 StatelessTruncatedNormalV2 StatelessRandomGetKeyCounter
StatelessRandomGetAlg StatelessRandomGetKeyCounterAlg
StringJoin StaticRegexFullMatch RegexFullMatch ShardedFilename ShardedFilespec
HashTableV2 MutableHashTableV2 LookupTableFindV2 LookupTableImportV2 LookupTableSizeV2 InitializeTableV2
""".split())
CHECKPOINT_READS = frozenset({"RestoreV2", "Restore", "RestoreSlice"})
CHECKPOINT_WRITES = frozenset({"SaveV2", "Save", "SaveSlices", "MergeV2Checkpoints"})
HINT = ("tinycc loads SavedModels of plain compute graphs only; export the model with tf.saved_model.save "
        "or Keras, without file, print or Python-function ops (tf.io, tf.print, tf.py_function, text-file tables)")


def _node_name(ref: str) -> str:
    return ref.lstrip("^").split(":")[0]


def _called(node) -> set[str]:
    """The library functions a NodeDef calls (function-valued attributes, or the op itself)."""
    out = {node.op}
    for value in node.attr.values():
        if value.HasField("func"):
            out.add(value.func.name)
        out.update(f.name for f in value.list.func)
    return out


class _MetaGraph:
    def __init__(self, path: Path, meta):
        self.path, self.meta = path, meta
        self.nodes = {n.name: n for n in meta.graph_def.node}
        self.functions = {f.signature.name: f for f in meta.graph_def.library.function}

    def reach(self, roots, func_roots=()) -> tuple[set[str], set[str]]:
        """Graph nodes and library functions reachable from the named nodes/tensors and functions."""
        nodes, funcs = set(), set()
        todo = [("n", _node_name(r)) for r in roots if r] + [("f", f) for f in func_roots]
        while todo:
            kind, name = todo.pop()
            if kind == "n":
                if name in nodes or name not in self.nodes:
                    continue
                nodes.add(name)
                node = self.nodes[name]
                todo += [("n", _node_name(i)) for i in node.input]
                todo += [("f", f) for f in _called(node) if f in self.functions]
            elif name not in funcs and name in self.functions:
                funcs.add(name)
                todo += [("f", f) for n in self.functions[name].node_def for f in _called(n) if f in self.functions]
        return nodes, funcs

    def run_roots(self) -> tuple[list[str], list[str]]:
        """Nodes and functions the loader or the converter may run."""
        meta, roots = self.meta, []
        for col in meta.collection_def.values():
            roots += list(col.node_list.value)
        for sig in meta.signature_def.values():
            roots += [t.name for t in list(sig.inputs.values()) + list(sig.outputs.values())]
        funcs = list(meta.object_graph_def.concrete_functions)
        for obj in meta.object_graph_def.nodes:
            kind = obj.WhichOneof("kind")
            if kind == "function":
                funcs += list(obj.function.concrete_functions)
            elif kind == "bare_concrete_function":
                funcs.append(obj.bare_concrete_function.concrete_function_name)
        return roots, funcs

    def refuse(self, op: str, node: str, function: str | None, why: str) -> TinyccError:
        where = f"function {function!r}" if function else "the top-level graph"
        return TinyccError(f"{why} (in {where} of saved_model.pb); tinycc runs nothing from model files, "
                           "so it does not load this SavedModel", file=str(self.path), node=node, op=op, hint=HINT)

    def check(self) -> None:
        saver = self.meta.saver_def
        r_nodes, r_funcs = self.reach([saver.restore_op_name])
        s_nodes, s_funcs = self.reach([saver.save_tensor_name])
        roots, root_funcs = self.run_roots()
        x_nodes, x_funcs = self.reach(roots, root_funcs)
        units = [(None, n, n.name in r_nodes, n.name in s_nodes, n.name in x_nodes) for n in self.nodes.values()]
        for fname, f in self.functions.items():
            units += [(fname, n, fname in r_funcs, fname in s_funcs, fname in x_funcs) for n in f.node_def]
        for fname, node, restored, saved, run in units:
            op = node.op
            if op in PURE_OPS or op in self.functions:
                continue
            if op in CHECKPOINT_READS:
                if restored and not run:
                    continue
                raise self.refuse(op, node.name, fname, "a checkpoint read outside the saver's restore path")
            if op in CHECKPOINT_WRITES:
                if saved and not restored and not run:
                    continue
                raise self.refuse(op, node.name, fname, "a checkpoint write that loading could run")
            raise self.refuse(op, node.name, fname, f"op {op} is not a pure compute op tinycc allows")


def _check_assets(path: Path, meta) -> None:
    names = [a.filename for a in meta.asset_file_def]
    for name in names:
        if not name or "/" in name or "\\" in name or name in (".", "..") or "\x00" in name:
            raise TinyccError(f"asset file name {name!r} is not a plain file name inside the SavedModel's assets "
                              "folder", file=str(path), hint=HINT)


def read_saved_model(path: Path):
    """The parsed SavedModel proto of folder `path`, after checking every graph in it."""
    from google.protobuf.message import DecodeError
    from tensorflow.core.protobuf import saved_model_pb2
    pb = Path(path) / "saved_model.pb"
    try:
        data = pb.read_bytes()
        proto = saved_model_pb2.SavedModel()
        proto.ParseFromString(data)
    except (OSError, DecodeError) as exc:
        raise TinyccError(f"saved_model.pb is not a readable SavedModel proto ({exc})", file=str(path)) from None
    if not proto.meta_graphs:
        raise TinyccError("saved_model.pb holds no meta graph", file=str(path))
    for meta in proto.meta_graphs:
        _MetaGraph(Path(path), meta).check()
        _check_assets(Path(path), meta)
    return data


def checked_copy(path: Path, dest: Path) -> Path:
    """Check the SavedModel folder `path` and copy it to `dest`: the checked saved_model.pb bytes and
    the regular files of variables/ and assets/ (no symbolic links, nothing else), so TensorFlow
    loads exactly what was checked."""
    path = Path(path)
    data = read_saved_model(path)
    dest.mkdir(parents=True, exist_ok=True)
    (dest / "saved_model.pb").write_bytes(data)
    for sub in ("variables", "assets"):
        src = path / sub
        if not src.exists():
            continue
        if src.is_symlink() or not src.is_dir():
            raise TinyccError(f"{sub}/ is not a plain folder", file=str(path), hint=HINT)
        for item in sorted(src.rglob("*")):
            rel = item.relative_to(src)
            if item.is_symlink() or not (item.is_file() or item.is_dir()):
                raise TinyccError(f"{sub}/{rel} is a symbolic link or special file", file=str(path), hint=HINT)
            target = dest / sub / rel
            if item.is_dir():
                target.mkdir(parents=True, exist_ok=True)
            else:
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(item, target)
    return dest
