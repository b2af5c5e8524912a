"""Indexing and sorting."""
import torch

from .framework import B, I, R, SPECIAL, T, case, own_inputs

f64 = torch.float64
x = R(3, 4)


def getitem(input, dim=0, start=None, end=None, step=1):
    return input[(slice(None),) * (dim % max(input.dim(), 1)) + (slice(start, end, step),)]


case("select", input=x, dim=0, index=1)
case("select", input=x, dim=1, index=-1)
case("select", input=I(2, 3, 4), dim=2, index=0)
case("select", input=x, dim=0, index=5, err=True)
case("slice", input=I(10), fn=getitem)
case("slice", input=I(10), start=2, end=8, step=3, fn=getitem)
case("slice", input=x, dim=1, start=-3, fn=getitem)
case("slice", input=x, dim=0, start=1, end=100, fn=getitem)
case("slice", input=x, dim=1, end=-1, step=2, fn=getitem)
case("slice", input=x, step=0, err="positive", fn=getitem)
case("index", input=x, indices=[T([0, 2])], fn=lambda input, indices: input[tuple(indices)])
case("index", input=x, indices=[T([0, 2]), T([1, -1])], fn=lambda input, indices: input[tuple(indices)])
case("index", input=x, indices=[x > 0], fn=lambda input, indices: input[tuple(indices)])
case("index", input=x, indices=[T([5])], err=True, fn=lambda input, indices: input[tuple(indices)])
case("index_put", input=R(3), indices=[T([0, 2])], values=T([5.0, 7.0]))
case("index_put", input=R(3), indices=[T([0, 0])], values=T([1.0, 2.0]), accumulate=True)
case("index_put", input=I(2, 2), indices=[T([0, 1]), T([1, 0])], values=T([9, 8]))
case("index_put", input=R(3), indices=[T([3])], values=T([1.0]), err=True)
case("index_select", input=x, dim=0, index=T([2, 0]))
case("index_select", input=x, dim=1, index=T([1, 1, 3]))
case("index_select", input=I(5), dim=0, index=T([], dtype=torch.int64))
case("index_select", input=x, dim=0, index=T([3]), err=True)
case("index_select", input=x, dim=0, index=T([0.0]), err=True)
case("gather", input=x, dim=1, index=T([[0, 1], [2, 3], [1, 1]]))
case("gather", input=x, dim=0, index=T([[2, 1, 0, 0]]))
case("gather", input=x, dim=1, index=T([[4]]), err=True)
case("take_along_dim", input=x, indices=torch.argsort(x, dim=1), dim=1)
case("take_along_dim", input=x, indices=T([0, 11, 5]))
case("take_along_dim", input=x, indices=T([[0], [1], [3]]), dim=1)
case("take", input=x, index=T([0, 5, -1]))
case("take", input=I(2, 2), index=T([[3, 0]]))
case("take", input=x, index=T([12]), err=True)
case("put", input=R(2, 2), index=T([0, 3]), source=T([5.0, 6.0]))
case("put", input=R(2, 2), index=T([1, 1]), source=T([1.0, 2.0]), accumulate=True)
case("put", input=R(2), index=T([2]), source=T([1.0]), err=True)
case("scatter", input=R(3, 4), dim=1, index=T([[0, 1], [2, 3], [1, 0]]), src=R(3, 2))
case("scatter", input=R(3), dim=0, index=T([2, 0]), src=1.5, fn=lambda input, dim, index, src: torch.scatter(input, dim, index, value=src))
case("scatter", input=R(4), dim=0, index=T([1, 1]), src=T([2.0, 3.0]), reduce="add")
case("scatter", input=R(4), dim=0, index=T([0, 3]), src=T([2.0, 3.0]), reduce="multiply")
case("scatter", input=R(3), dim=0, index=T([3]), src=T([1.0]), err=True)
case("scatter_add", input=R(3, 4), dim=1, index=T([[0, 0], [3, 3], [1, 2]]), src=R(3, 2))
case("scatter_add", input=I(4), dim=0, index=T([1, 1, 1]), src=T([1, 2, 3]))
case("index_add", input=R(3, 2), dim=0, index=T([0, 2, 0]), source=R(3, 2))
case("index_add", input=R(3), dim=0, index=T([1]), source=T([1.0]), alpha=-2)
case("index_add", input=R(3), dim=0, index=T([4]), source=T([1.0]), err=True)
case("index_copy", input=R(4, 2), dim=0, index=T([3, 0]), source=R(2, 2))
case("index_copy", input=I(3), dim=0, index=T([1]), source=T([9]))
case("index_fill", input=R(3, 4), dim=1, index=T([0, 3]), value=-1.0)
case("index_fill", input=I(5), dim=0, index=T([-1]), value=7)
case("index_fill", input=R(3), dim=0, index=T([1]), value=T(2.5))
for reduce in ["prod", "mean", "amax", "amin"]:
    case("index_reduce", input=R(3, 2), dim=0, index=T([0, 0, 2]), source=R(3, 2), reduce=reduce)
case("index_reduce", input=R(3), dim=0, index=T([1, 1]), source=T([2.0, 4.0]), reduce="mean", include_self=False)
case("masked_fill", input=x, mask=x > 0, value=0.0)
case("masked_fill", input=I(4), mask=T([True, False, True, False]), value=-1)
case("masked_fill", input=x, mask=T([True, False, True, False]), value=T(9.0))
case("masked_fill", input=x, mask=T([True, False]), value=0.0, err=True)
case("masked_fill", input=T([1, 2], dtype=torch.int8), mask=T([True, False]), value=1000, err="overflow")
case("masked_fill", input=x, mask=I(3, 4, lo=0, hi=2), value=0.0, err=True)
case("masked_select", input=x, mask=x > 0)
case("masked_select", input=I(2, 3), mask=T([True, False, True]))
case("masked_scatter", input=R(2, 3), mask=T([[True, False, True], [False, True, False]]), source=R(6))
case("where", condition=x > 0, input=x, other=R(3, 4))
case("where", condition=x > 0, input=x, other=0.0)
case("where", condition=B(4), input=1, other=0)
case("where", condition=B(4), input=1.5, other=I(4))
case("where", condition=B(2, 1), input=R(3), other=R(2, 3, dtype=f64))
case("where", condition=I(3), input=R(3), other=R(3), err=True)
case("nonzero", input=I(3, 4, lo=0, hi=2))
case("nonzero", input=T([0.0, 1.5, 0.0, float("nan")]))
case("nonzero", input=B(2, 3), as_tuple=True)
case("nonzero", input=R(0))
case("argwhere", input=I(3, 4, lo=0, hi=2))
case("argwhere", input=B(5))
case("searchsorted", sorted_sequence=T([1, 3, 5, 7, 9]), input=T([3, 6, 9]))
case("searchsorted", sorted_sequence=T([1, 3, 5, 7, 9]), input=T([3, 6, 9]), right=True)
case("searchsorted", sorted_sequence=T([1.0, 2.0, 3.0]), input=2.0, fn=lambda sorted_sequence, input: torch.searchsorted(sorted_sequence, input))
case("searchsorted", sorted_sequence=T([[1, 3, 5], [2, 4, 6]]), input=T([[3], [3]]), side="right", out_int32=True)
case("searchsorted", sorted_sequence=T([5, 1, 3]), input=T([2, 4]), sorter=T([1, 2, 0]))
case("bucketize", input=T([1, 5, 9, 3]), boundaries=T([2, 6]))
case("bucketize", input=R(2, 3), boundaries=T([-1.0, 0.0, 1.0]), right=True)
case("bucketize", input=T([2, 6]), boundaries=T([2, 6]), out_int32=True)

VI = ("values", "indices")
case("sort", input=x)
case("sort", input=x, dim=0, descending=True)
case("sort", input=T([3, 1, 2, 1, 3]), stable=True)
case("sort", input=SPECIAL)
case("sort", input=R(0))
case("sort", input=x, dim=2, err=True)
case("argsort", input=x)
case("argsort", input=I(3, 4), dim=0, descending=True, stable=True)
case("argsort", input=T([2, 1, 2, 1]), stable=True)
case("msort", input=x)
case("msort", input=I(5))
case("topk", input=x, k=2)
case("topk", input=x, k=1, dim=0, largest=False)
case("topk", input=I(6), k=3, sorted=True)
case("topk", input=x, k=0)
case("topk", input=x, k=5, err=True)
case("kthvalue", input=x, k=2)
case("kthvalue", input=I(3, 4), k=1, dim=0, keepdim=True, cpu_only=True)  # ties
case("kthvalue", input=x, k=5, err=True)
case("kthvalue", input=x, k=0, err="positive")


def uniq(f):
    def call(**k):
        r = f(**k)
        if not isinstance(r, tuple):
            return r
        names = ["values"] + (["inverse_indices"] if k.get("return_inverse") else []) + (["counts"] if k.get("return_counts") else [])
        return dict(zip(names, r))
    return call


case("unique", input=T([2, 1, 2, 3, 1]), fn=uniq(torch.unique))
case("unique", input=T([2, 1, 2, 3, 1]), return_inverse=True, return_counts=True, fn=uniq(torch.unique))
case("unique", input=T([[1, 2], [1, 2], [0, 5]]), dim=0, return_counts=True, fn=uniq(torch.unique))
case("unique", input=R(0), fn=uniq(torch.unique))
case("unique", input=T([1.0, float("nan"), 1.0]), fn=uniq(torch.unique))
case("unique_consecutive", input=T([1, 1, 2, 2, 1]), fn=uniq(torch.unique_consecutive))
case("unique_consecutive", input=T([1, 1, 2, 2, 1]), return_inverse=True, return_counts=True, fn=uniq(torch.unique_consecutive))
case("unique_consecutive", input=T([[1, 1], [1, 1], [2, 3]]), dim=0, fn=uniq(torch.unique_consecutive))
case("select_scatter", input=R(2, 3), src=R(3), dim=0, index=1)
case("select_scatter", input=R(2, 3, dtype=torch.float64), src=R(2, dtype=torch.float64), dim=1, index=-1)
case("select_scatter", input=R(3, 2).mT, src=R(3), dim=0, index=0)
case("select_scatter", input=I(2, 2), src=I(2), dim=1, index=0)
case("select_scatter", input=R(2, 3), src=I(3), dim=0, index=0)  # src converted to the input's dtype
case("select_scatter", input=R(2, 3), src=R(3), dim=0, index=2, err="out of range")
case("select_scatter", input=R(2, 3), src=R(2), dim=0, index=0, err="size equal")
case("select_scatter", input=T(1.0), src=T(2.0), dim=0, index=0, err=True)
case("slice_scatter", input=R(4, 2), src=R(2, 2), start=2)
case("slice_scatter", input=R(4, 3), src=R(4, 2), dim=1, start=0, end=3, step=2)
case("slice_scatter", input=R(4, 2), src=R(1, 2), start=-1)
case("slice_scatter", input=R(2, 4).mT, src=R(2, 2), start=1, end=3)
case("slice_scatter", input=I(5), src=I(0), start=10, end=20)
case("slice_scatter", input=R(4, 2), src=R(2, 2), start=1, err="size equal")
case("slice_scatter", input=R(4), src=R(0), step=0, err="positive")
case("diagonal_scatter", input=R(3, 3), src=R(3))
case("diagonal_scatter", input=R(3, 4, dtype=torch.float64), src=R(3, dtype=torch.float64), offset=1)
case("diagonal_scatter", input=R(2, 3, 3), src=R(2, 2), offset=-1, dim1=1, dim2=2)
case("diagonal_scatter", input=R(3, 3).mT, src=R(3))
case("diagonal_scatter", input=B(2, 2), src=B(2))
case("diagonal_scatter", input=R(3, 3), src=R(3), offset=1, err="size equal")
case("diagonal_scatter", input=R(3), src=R(3), err=True)
for reduce in ["sum", "prod", "mean", "amax", "amin"]:
    case("scatter_reduce", input=R(5), dim=0, index=T([0, 1, 0, 4, 4, 2]), src=R(6), reduce=reduce)
    case("scatter_reduce", input=R(2, 3), dim=1, index=T([[0, 0], [2, 1]]), src=R(2, 2), reduce=reduce, include_self=False)
case("scatter_reduce", input=I(3), dim=0, index=T([0, 0, 2]), src=I(3), reduce="mean")  # ints: floor of the mean
case("scatter_reduce", input=R(3, 2).mT, dim=0, index=T([[1, 1, 0]]), src=R(1, 3), reduce="sum")
case("scatter_reduce", input=R(3), dim=0, index=T([], dtype=torch.int64), src=R(0), reduce="sum")
case("scatter_reduce", input=R(3), dim=0, index=T([0, 3]), src=R(2), reduce="sum", err="out of range")
case("scatter_reduce", input=R(3), dim=0, index=T([0, -1]), src=R(2), reduce="sum", err="out of range")
case("scatter_reduce", input=R(3), dim=0, index=T([0, 1]), src=I(2), reduce="sum", err="dtype")
case("scatter_reduce", input=R(3), dim=0, index=T([0.0, 1.0]), src=R(2), reduce="sum", err="integer")
unravel = lambda indices, shape: list(torch.unravel_index(indices, tuple(shape)))  # noqa: E731
case("unravel_index", indices=T([4, 1, 5]), shape=[2, 3], fn=unravel)
case("unravel_index", indices=T(4), shape=[2, 3], fn=unravel)
case("unravel_index", indices=T([[5, 0], [-1, 7]]), shape=[2, 3], fn=unravel)  # negative and large wrap
case("unravel_index", indices=T([13], dtype=torch.int32), shape=[2, 3, 4], fn=unravel)
case("unravel_index", indices=T([], dtype=torch.int64), shape=[2, 3], fn=unravel)
case("unravel_index", indices=T([0]), shape=[], fn=unravel)
case("unravel_index", indices=T([1.0]), shape=[2, 3], fn=unravel, err="integer dtype")
case("unravel_index", indices=T([True]), shape=[2, 3], fn=unravel, err="integer dtype")
case("unravel_index", indices=T([0]), shape=[-2, 3], fn=unravel, err="negative")
case("unravel_index", indices=T([0]), shape=[0, 3], fn=unravel, err=True)
with own_inputs(203):  # the inputs of the cases above and after stay as they were
    case("nonzero_static", input=T([0, 1, 2, 0]), size=3)
    case("nonzero_static", input=T([0, 1, 2, 0]), size=1, fill_value=5)
    case("nonzero_static", input=B(3, 4), size=8)
    case("nonzero_static", input=R(2, 3, dtype=torch.float64), size=10, fill_value=0)
    case("nonzero_static", input=T(3), size=2)
    case("nonzero_static", input=R(0), size=2)
    case("nonzero_static", input=T([0, 1]), size=-1, err="non-negative")

# Along a dim, PyTorch takes the indices modulo the size (negative ones too); flattened, a
# negative index is refused.
with own_inputs(403):
    case("take_along_dim", input=R(3, 4), indices=T([[-1, 0], [-4, 3], [2, -2]]), dim=1)
    case("take_along_dim", input=R(3, 4), indices=T([[-5, 4, -1000001, 9]]), dim=1)
    case("take_along_dim", input=R(3, 0), indices=T([[0]]), dim=1, err=True)
    case("take_along_dim", input=R(3, 4), indices=T([-1, 0]), err=True)


# Python-style indexing: getitem/setitem take PyTorch's own text ('1:3, ::2') or Nushell
# values ({"nu": source}: ranges, null, lists, bare words), each case with the Python index it
# stands for.
class _Index:
    def __getitem__(self, key):
        return key


def py_index(text):
    """The index object Python makes of `x[text]`."""
    return eval(f"_[{text}]", {"_": _Index(), "torch": torch})  # noqa: S307 - our own literals


def getitem_case(input, text, nu=None, **kw):
    index = py_index(text)
    case("getitem", input=input, indices={"nu": nu} if nu is not None else text, fn=lambda input, indices: input[index], **kw)


def setitem_case(input, text, value, nu=None, **kw):
    index = py_index(text)

    def assign(input, indices, value):
        input[index] = value
        return input

    case("setitem", input=input, indices={"nu": nu} if nu is not None else text, value=value, fn=assign, **kw)


with own_inputs(409):
    x3 = R(3, 4, 5)
    for text in [":", "1:", ":2", "-2:", "::2", "1:-1", "-3:-1:2", "5:", "10:20", "-10:", "2:1", "1::2",
                 "1:, ::2", ":, -1", "..., 0", "0, ..., None", "None, 1:3", "None, None", "[0, 2], :, 1",
                 ":, [0, -1], [1, 2]", "[[0], [2]], [0, 1]", "[[0, 1], [1, 0]]", "[True, False, True]", "True",
                 "False", "..., [1, 0]", "1, [0, 1], 1:3", "[0, 1], :, [0, 1]", "()", "...", "0, 0, 0", "-1, -1, -1",
                 "[], :", "..., ...", "(0, 1)", "[0, 2],", ":, :, ::4", ":, (0, 3)", "[-3, 2], [-4, 3]"]:
        getitem_case(x3, text)
    getitem_case(I(2, 3), "1, None, ..., ::2")
    getitem_case(I(4, dtype=torch.int8), "[True, False, True, True]")
    getitem_case(R(2, 3, dtype=torch.complex64), ":, 1:")
    getitem_case(R(2, 3, dtype=torch.bfloat16), "..., -2")
    getitem_case(B(3, 2), "[2, 0]")
    getitem_case(R(3), "None")
    getitem_case(T(1.5), "...")
    getitem_case(T(1.5), "None")
    getitem_case(T(1.5), "True")
    for text, says in [("3", "out of bounds"), ("0, 0, 0, 0", "too many indices"), ("::-1", "step must be greater than zero"),
                       ("::0", "slice step cannot be zero"), (":, [4]", "out of bounds"),
                       ("[True, False]", "does not match"), ("1.5", "expected"), ("[0, 1:2]", "inside a list"),
                       (":, [[0, 1], [2]]", "rectangular"), ("", "empty index"), ("0 1", "expected ','")]:
        case("getitem", input=x3, indices=text, err=says, fn=lambda input, indices: input[py_index(indices)])
    # The Nushell forms: ranges are slices with inclusive ends unless `..<`, null is None.
    for nu, text in [("1..<3 '::2'", "1:3, ::2"), ("-1", "-1"), ("... null", "..., None"), ("':' 0", ":, 0"),
                     ("[0 2]", "[0, 2]"), ("[1..<3 0]", "1:3, 0"), ("(-2)..", "-2:"), ("0..2..<4", "0:4:2"),
                     ("1..-1", "1:"), ("1..2", "1:3"), ("(-3)..-2", "-3:-1"), ("null null", "None, None"),
                     ("true", "True"), ("[true false true]", "[True, False, True]"), ("0 [0 -1]", "0, [0, -1]"),
                     ("[[0 1] [1 0]]", "[[0, 1], [1, 0]]"), ("'...' 1", "..., 1"), ("1:3 ::2", "1:3, ::2"),
                     ("0..", ":"), ("..<2", ":2"), ("1..3..", "1::2"), ("[0 null]", "0, None"),
                     (": 1 '2:'", ":, 1, 2:"), ("5..1", "5:2"), ("0 ':, 1'", "0, :, 1"), (".. 1", ":, 1")]:
        getitem_case(x3, text, nu=nu)
    for nu, says in [("0.5..2", "bounds are ints"), ("1.5", "an index entry is"), ("{a: 1}", "an index entry is"),
                     ("5..3..1", "step must be positive"), ("[0 '1:2:3:4']", "expected ','")]:
        case("getitem", input=x3, indices={"nu": nu}, err=says)
    # Index tensors and masks, alone and in a tuple.
    m = R(3, 4)
    case("getitem", input=m, indices=m > 0, fn=lambda input, indices: input[indices])
    case("getitem", input=x3, indices=[T([2, 0]), T([[1], [3]])], fn=lambda input, indices: input[tuple(indices)])
    case("getitem", input=x3, indices=T([1, 3]), err="out of bounds", fn=lambda input, indices: input[indices])
    case("getitem", input=x3, indices=T([0.0]), err="tensors used as indices", fn=lambda input, indices: input[indices])
    case("getitem", input=x3, indices=T(1), fn=lambda input, indices: input[indices])

    # Assignment: values broadcast to the indexed part and cast to the tensor's dtype.
    setitem_case(R(3, 4), "1:3, ::2", 0.5)
    setitem_case(R(3, 4), ":, 0", R(3))
    setitem_case(R(3, 4, 5), "..., -1", R(3, 1))
    setitem_case(R(3, 4, 5), "[0, 2]", R(5))
    setitem_case(R(3, 4), "[[0, 1], [1, 0]]", T([5.0, 6.0]))
    setitem_case(I(3, 4), "0", 2.7)
    setitem_case(I(3, 4), ":, 1:", R(3, 3))
    setitem_case(B(2, 3), "1", True)
    setitem_case(R(2, 3, dtype=torch.float64), "None, 0", 7)
    setitem_case(R(4), "()", 1.5)
    setitem_case(R(2, 3, dtype=torch.complex64), "0, 1", 2.0)
    setitem_case(R(3, 4), "1:3", 0, nu="1..<3")
    setitem_case(R(3, 4), "[0, 2]", R(4), nu="[0 2]")
    setitem_case(R(3, 4), "1:, 0", -1, nu="[1.. 0]")
    setitem_case(R(3, 4), "..., None, 2", 9.0, nu="'..., None, 2'")
    mask_input = R(3, 4)
    case("setitem", input=mask_input, indices=mask_input > 0, value=0.0,
         fn=lambda input, indices, value: (input.__setitem__(indices, value), input)[1])
    case("setitem", input=R(3, 4), indices=[T([0, 2]), T([1, 3])], value=T([1.0, 2.0]),
         fn=lambda input, indices, value: (input.__setitem__(tuple(indices), value), input)[1])
    case("setitem", input=R(3, 4), indices=[T([0, 0])], value=T([1.0, 2.0]), err="shape mismatch",
         fn=lambda input, indices, value: (input.__setitem__(tuple(indices), value), input)[1])
    for text, value, says in [("0", R(2), "must match the existing size"), ("5", 1.0, "out of bounds"), ("::-1", 1.0, "step must be greater than zero"),
                              ("[3]", 1.0, "out of bounds")]:
        case("setitem", input=R(3, 4), indices=text, value=value, err=says,
             fn=lambda input, indices, value: input.__setitem__(py_index(indices), value))
    case("setitem", input=R(3).requires_grad_(), indices="0", value=1.0, err="leaf Variable that requires grad",
         fn=lambda input, indices, value: input.__setitem__(py_index(indices), value))
    case("setitem", input=R(3), indices="0", value=R(2, 2), err="expand",
         fn=lambda input, indices, value: input.__setitem__(py_index(indices), value))
