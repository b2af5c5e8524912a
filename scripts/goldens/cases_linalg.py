"""Linear algebra. Decompositions are compared by value on the CPU (same LAPACK as PyTorch);
their signs may differ on a GPU, so those cases compare dtype and shape there."""
import torch

from .framework import I, R, T, call_flex, case, own_inputs

f64 = torch.float64
A = R(3, 3)
SPD = (lambda m: m @ m.T + 3 * torch.eye(3))(R(3, 3))
SPD64 = SPD.double()
la = torch.linalg


def rec(names, f):
    return lambda **k: dict(zip(names, call_flex(f, k)))


case("mm", input=R(2, 3), mat2=R(3, 4))
case("mm", input=I(2, 2), mat2=I(2, 2), cpu_only=True)  # no int matmul on CUDA
case("mm", input=R(2, 3), mat2=R(2, 3), err=True)
case("matmul", input=R(2, 3), other=R(3))
case("matmul", input=R(4, 2, 3, dtype=f64), other=R(3, 5, dtype=f64))
case("matmul", input=R(3), other=R(3))
case("matmul", input=R(2, 3), other=R(4, 5), err=True)
case("bmm", input=R(2, 2, 3), mat2=R(2, 3, 1))
case("bmm", input=R(2, 3), mat2=R(3, 1), err=True)
case("mv", input=R(2, 3), vec=R(3))
case("dot", input=R(4), tensor=R(4))
case("dot", input=I(3), tensor=I(3), cpu_only=True)
case("dot", input=R(3), tensor=R(4), err=True)
case("vdot", input=R(4, dtype=f64), other=R(4, dtype=f64))
case("inner", input=R(2, 3), other=R(4, 3))
case("inner", input=R(3), other=R(3))
case("outer", input=R(3), vec2=R(2))
case("ger", input=I(3), vec2=I(2), cpu_only=True)
case("addmm", input=R(2, 4), mat1=R(2, 3), mat2=R(3, 4))
case("addmm", input=R(4), mat1=R(2, 3), mat2=R(3, 4), beta=0.5, alpha=2)
case("addmm", input=R(2, 4), mat1=R(2, 3), mat2=R(3, 4), beta=0)
case("addmv", input=R(2), mat=R(2, 3), vec=R(3), beta=2, alpha=-1)
case("addr", input=R(3, 2), vec1=R(3), vec2=R(2), alpha=3)
case("addbmm", input=R(2, 4), batch1=R(3, 2, 5), batch2=R(3, 5, 4))
case("baddbmm", input=R(3, 2, 4), batch1=R(3, 2, 5), batch2=R(3, 5, 4), beta=0.5, alpha=0.5)
case("einsum", equation="ij,jk->ik", operands=[R(2, 3), R(3, 4)], fn=lambda equation, operands: torch.einsum(equation, *operands))
case("einsum", equation="ii", operands=[R(3, 3)], fn=lambda equation, operands: torch.einsum(equation, *operands))
case("einsum", equation="bij,bjk->bik", operands=[R(2, 2, 3), R(2, 3, 2)], fn=lambda equation, operands: torch.einsum(equation, *operands))
case("einsum", equation="i,i->", operands=[R(3), R(4)], err=True, fn=lambda equation, operands: torch.einsum(equation, *operands))
case("tensordot", a=R(3, 4, 5), b=R(4, 5, 2))
case("tensordot", a=R(3, 4), b=R(4, 2), dims=1)
case("tensordot", a=R(3, 4), b=R(4, 2), dims=0)
case("tensordot", a=R(3, 4), b=R(4, 2), dims=3, err=True)
case("cross", input=R(3), other=R(3))
case("cross", input=R(2, 3), other=R(2, 3), dim=1)
case("cross", input=R(4), other=R(4), err=True)
case("linalg_cross", input=R(4, 3), other=R(4, 3))
case("linalg_cross", input=R(3, 2, dtype=f64), other=R(3, 2, dtype=f64), dim=0)
for op, f in [("det", torch.det), ("linalg_det", la.det), ("logdet", torch.logdet)]:
    arg = "input" if op != "linalg_det" else "A"
    case(op, **{arg: SPD})
    case(op, **{arg: R(2, 3, 3, dtype=f64)})
    case(op, **{arg: R(2, 3)}, err=True)
for op, f, arg in [("slogdet", torch.slogdet, "input"), ("linalg_slogdet", la.slogdet, "A")]:
    case(op, **{arg: A}, fn=rec(("sign", "logabsdet"), f))
    case(op, **{arg: R(2, 3, 3, dtype=f64)}, fn=rec(("sign", "logabsdet"), f))
for op, arg in [("inverse", "input"), ("linalg_inv", "A")]:
    case(op, **{arg: SPD})
    case(op, **{arg: SPD64}, rtol=1e-9)
    case(op, **{arg: T([[1.0, 2.0], [2.0, 4.0]])}, err=True)
    case(op, **{arg: R(2, 3)}, err=True)
case("linalg_inv_ex", A=SPD64, fn=rec(("inverse", "info"), la.inv_ex))
case("linalg_solve", A=SPD, B=R(3))
case("linalg_solve", A=SPD64, B=R(3, 2, dtype=f64))
case("linalg_solve", A=SPD, B=R(2, 3), left=False)
case("linalg_solve", A=T([[1.0, 2.0], [2.0, 4.0]]), B=R(2), err=True)
case("linalg_solve_ex", A=SPD64, B=R(3, dtype=f64), fn=rec(("result", "info"), la.solve_ex))
L = torch.tril(SPD)
case("linalg_solve_triangular", A=L, B=R(3, 2), upper=False)
case("linalg_solve_triangular", A=L.T.contiguous(), B=R(2, 3), upper=True, left=False)
case("linalg_solve_triangular", A=L, B=R(3, 1), upper=False, unitriangular=True)
case("svd", input=R(4, 3), fn=rec(("U", "S", "V"), torch.svd), cpu_only=True)
case("svd", input=R(3, 4, dtype=f64), some=False, fn=rec(("U", "S", "V"), torch.svd), cpu_only=True)
case("linalg_svd", A=R(4, 3), fn=rec(("U", "S", "Vh"), la.svd), cpu_only=True)
case("linalg_svd", A=R(3, 4, dtype=f64), full_matrices=False, fn=rec(("U", "S", "Vh"), la.svd), cpu_only=True)
case("linalg_svdvals", A=R(4, 3))
case("linalg_svdvals", A=R(2, 3, 3, dtype=f64))
case("qr", input=R(4, 3), fn=rec(("Q", "R"), torch.linalg.qr), cpu_only=True)
case("qr", input=R(4, 3, dtype=f64), some=False, fn=lambda input, some: dict(zip(("Q", "R"), la.qr(input, "reduced" if some else "complete"))), cpu_only=True)
case("linalg_qr", A=R(3, 4), fn=rec(("Q", "R"), la.qr), cpu_only=True)
case("linalg_qr", A=R(4, 3), mode="complete", fn=rec(("Q", "R"), la.qr), cpu_only=True)
case("linalg_qr", A=R(4, 3), mode="r", fn=rec(("Q", "R"), la.qr), cpu_only=True)
for op, arg in [("cholesky", "input"), ("linalg_cholesky", "A")]:
    f = la.cholesky
    case(op, **{arg: SPD}, fn=lambda f=f, arg=arg, **k: f(k[arg], upper=k.get("upper", False)))
    case(op, **{arg: SPD64}, upper=True, fn=lambda f=f, arg=arg, **k: f(k[arg], upper=k.get("upper", False)))
    case(op, **{arg: -SPD}, err=True, fn=lambda f=f, arg=arg, **k: f(k[arg]))
case("linalg_cholesky_ex", A=SPD64, fn=rec(("L", "info"), la.cholesky_ex))
case("cholesky_inverse", input=la.cholesky(SPD))
case("cholesky_inverse", input=la.cholesky(SPD64, upper=True), upper=True)
case("cholesky_solve", input=R(3, 2), input2=la.cholesky(SPD))
case("cholesky_solve", input=R(3, 1, dtype=f64), input2=la.cholesky(SPD64, upper=True), upper=True)
case("pinverse", input=R(3, 2))
case("pinverse", input=R(2, 4, dtype=f64), rcond=1e-10)
case("linalg_pinv", A=R(3, 2))
case("linalg_pinv", A=SPD64, hermitian=True)
case("linalg_pinv", A=R(3, 3), atol=0.5, rtol=0.0)
case("linalg_matrix_rank", A=R(3, 3))
case("linalg_matrix_rank", A=T([[1.0, 2.0], [2.0, 4.0]]))
case("linalg_matrix_rank", A=SPD64, hermitian=True, atol=10.0)
for ord_ in ["fro", "nuc", 1, -1, 2, -2, float("inf"), float("-inf")]:
    case("linalg_matrix_norm", A=R(3, 4), ord=ord_)
case("linalg_matrix_norm", A=R(2, 3, 4, dtype=f64), dim=[0, 2], keepdim=True)
case("linalg_matrix_norm", A=R(3), err=True)
case("linalg_matrix_norm", A=R(3, 3), ord=3, err=True)
for ord_ in [2, 1, 0, 3.5, float("inf"), float("-inf")]:
    case("linalg_vector_norm", x=R(3, 4), ord=ord_)
case("linalg_vector_norm", x=R(2, 3, dtype=f64), dim=1, keepdim=True)
case("linalg_vector_norm", x=R(2, 3), dim=[0, 1])
case("linalg_vector_norm", x=R(2, 3), keepdim=True)
case("linalg_vector_norm", x=I(3), err=True)
case("linalg_norm", A=R(3, 4))
case("linalg_norm", A=R(5))
case("linalg_norm", A=R(5), ord=1)
case("linalg_norm", A=R(3, 4), ord="nuc")
case("linalg_norm", A=R(3, 4, dtype=f64), ord=2)
case("linalg_norm", A=R(2, 3, 4), dim=[1, 2])
case("linalg_norm", A=R(2, 3, 4), dim=2, ord=float("inf"))
case("linalg_norm", A=R(2, 3, 4), ord=2, err=True)
case("nuclear_norm", input=R(3, 4))
case("nuclear_norm", input=R(3, 3, dtype=f64), keepdim=True)
case("linalg_cond", A=SPD)
case("linalg_cond", A=SPD64, p="fro")
case("linalg_cond", A=SPD, p=1)
case("linalg_cond", A=R(3), err=True)
for op, arg in [("matrix_power", "input"), ("linalg_matrix_power", "A")]:
    case(op, **{arg: R(3, 3)}, n=3)
    case(op, **{arg: I(2, 2)}, n=0)
    case(op, **{arg: SPD64}, n=-2, rtol=1e-8)
    case(op, **{arg: R(2, 3)}, n=2, err=True)
case("matrix_exp", input=R(3, 3) * 0.5)
case("matrix_exp", input=R(2, 2, 2, dtype=f64))
case("linalg_matrix_exp", A=R(3, 3) * 0.5)
case("linalg_eigh", A=SPD, fn=rec(("eigenvalues", "eigenvectors"), la.eigh), cpu_only=True)
case("linalg_eigh", A=SPD64, UPLO="U", fn=rec(("eigenvalues", "eigenvectors"), la.eigh), cpu_only=True)
case("linalg_eigvalsh", A=SPD)
case("linalg_eigvalsh", A=SPD64, UPLO="U")
case("linalg_lstsq", A=R(4, 3), B=R(4, 2), fn=rec(("solution", "residuals", "rank", "singular_values"), la.lstsq), cpu_only=True)
case("linalg_lstsq", A=R(4, 3, dtype=f64), B=R(4, 1, dtype=f64), driver="gelsd", fn=rec(("solution", "residuals", "rank", "singular_values"), la.lstsq), cpu_only=True)
case("linalg_lu", A=R(3, 3), fn=rec(("P", "L", "U"), la.lu), cpu_only=True)
case("linalg_lu", A=R(3, 4, dtype=f64), fn=rec(("P", "L", "U"), la.lu), cpu_only=True)
case("linalg_lu_factor", A=R(3, 3), fn=rec(("LU", "pivots"), la.lu_factor), cpu_only=True)
case("linalg_multi_dot", tensors=[R(2, 3), R(3, 4), R(4)], fn=lambda tensors: la.multi_dot(tensors))
case("linalg_multi_dot", tensors=[R(3), R(3, 2)], fn=lambda tensors: la.multi_dot(tensors))
case("linalg_multi_dot", tensors=[R(2, 3), R(2, 3)], err=True, fn=lambda tensors: la.multi_dot(tensors))
case("chain_matmul", matrices=[R(2, 3), R(3, 4), R(4, 1)], fn=lambda matrices: la.multi_dot(matrices))
case("chain_matmul", matrices=[R(2, 3)], fn=lambda matrices: matrices[0])
case("linalg_vecdot", x=R(3, 4), y=R(4))
case("linalg_vecdot", x=R(3, 4, dtype=f64), y=R(3, 4, dtype=f64), dim=0)
case("linalg_diagonal", A=R(2, 3, 3))
case("linalg_diagonal", A=R(3, 4), offset=1)
case("vander", x=T([1, 2, 3]))
case("vander", x=R(3), N=4, increasing=True)
case("linalg_vander", x=T([1, 2, 3]))
case("linalg_vander", x=R(3, dtype=f64), N=2)
geqrf = torch.geqrf(R(4, 3, dtype=f64))
case("linalg_householder_product", A=geqrf.a, tau=geqrf.tau, cpu_only=True)
case("linalg_tensorinv", A=R(4, 6, 8), ind=1, err=True)
case("linalg_tensorinv", A=(SPD64.reshape(3, 3)), ind=1)
case("linalg_tensorsolve", A=SPD64, B=R(3, dtype=f64))
# Eigendecomposition of general matrices: compared by value on the CPU (the same LAPACK, so
# the same order and phases); the reconstruction A V = V diag(L) on any device is checked in
# nu_plugin_nutorch/tests/catalog.rs.
eig = rec(("eigenvalues", "eigenvectors"), la.eig)
case("linalg_eig", A=R(3, 3), fn=eig, cpu_only=True)
case("linalg_eig", A=R(2, 4, 4, dtype=f64), fn=eig, cpu_only=True)
case("linalg_eig", A=T([[0.0, -1.0], [1.0, 0.0]]), fn=eig, cpu_only=True)  # complex eigenvalues
case("linalg_eig", A=R(3, 3).mT, fn=eig, cpu_only=True)
case("linalg_eig", A=torch.complex(R(2, 2), R(2, 2)), fn=eig, cpu_only=True)
case("linalg_eig", A=R(0, 0), fn=eig)
case("linalg_eig", A=R(2, 3), fn=eig, err="square")
case("linalg_eig", A=R(3), fn=eig, err="at least 2 dimensions")
case("linalg_eig", A=I(2, 2), fn=eig, err=True)
case("linalg_eig", A=T([[1.0, float("nan")], [0.0, 1.0]]), fn=eig, err="infs or NaNs")
case("linalg_eigvals", A=R(4, 4), cpu_only=True)
case("linalg_eigvals", A=R(2, 3, 3, dtype=f64), cpu_only=True)
case("linalg_eigvals", A=SPD64, rtol=1e-8)  # real eigenvalues (in LAPACK's order)
case("linalg_eigvals", A=R(2, 3), err="square")
luex = rec(("LU", "pivots", "info"), la.lu_factor_ex)
case("linalg_lu_factor_ex", A=R(3, 3), fn=luex, cpu_only=True)
case("linalg_lu_factor_ex", A=R(2, 3, 4, dtype=f64), fn=luex, cpu_only=True)
case("linalg_lu_factor_ex", A=T([[1.0, 2.0], [2.0, 4.0]]), fn=luex, cpu_only=True)  # singular: info 2
case("linalg_lu_factor_ex", A=R(3, 3).mT, fn=luex, cpu_only=True)
case("linalg_lu_factor_ex", A=R(0, 0), fn=luex)
case("linalg_lu_factor_ex", A=T([[0.0, 0.0], [0.0, 0.0]]), check_errors=True, fn=luex, err=True)
case("linalg_lu_factor_ex", A=I(2, 2), fn=luex, err=True)
LU3, PIV3 = la.lu_factor(SPD)
LU64, PIV64 = la.lu_factor(R(2, 3, 3, dtype=f64))
case("linalg_lu_solve", LU=LU3, pivots=PIV3, B=R(3, 2), cpu_only=True)
case("linalg_lu_solve", LU=LU64, pivots=PIV64, B=R(2, 3, 1, dtype=f64), adjoint=True, cpu_only=True)
case("linalg_lu_solve", LU=LU3, pivots=PIV3, B=R(2, 3), left=False, cpu_only=True)
case("linalg_lu_solve", LU=LU3, pivots=PIV3, B=R(2, 3).mT, cpu_only=True)
case("linalg_lu_solve", LU=LU3, pivots=T([4, 2, 3], dtype=torch.int32), B=R(3, 1), err="pivots must lie in [1, 3]", fn=lambda LU, pivots, B: la.lu_solve(LU, pivots, B))
case("linalg_lu_solve", LU=LU3, pivots=T([0, 2, 3], dtype=torch.int32), B=R(3, 1), err="got 0")
case("linalg_lu_solve", LU=LU3, pivots=PIV3.double(), B=R(3, 1), err="int32")
case("linalg_lu_solve", LU=LU3, pivots=PIV3, B=R(3), err="at least 2 dimensions")
unpack = rec(("P", "L", "U"), torch.lu_unpack)
case("lu_unpack", LU_data=LU3, LU_pivots=PIV3, fn=unpack, cpu_only=True)
case("lu_unpack", LU_data=LU64, LU_pivots=PIV64, unpack_data=False, fn=unpack, cpu_only=True)
case("lu_unpack", LU_data=LU3, LU_pivots=PIV3, unpack_pivots=False, fn=unpack, cpu_only=True)
case("lu_unpack", LU_data=T([[2.0, 1.0], [0.5, 2.5]]), LU_pivots=T([2, 2], dtype=torch.int32), fn=unpack)
case("lu_unpack", LU_data=LU3, LU_pivots=T([1, 5, 3], dtype=torch.int32), fn=unpack, err=True)
case("lu_unpack", LU_data=LU3, LU_pivots=T([0, 2, 3], dtype=torch.int32), fn=unpack, err=True)
SYM = T([[0.0, 1.0, 2.0], [1.0, 0.0, 3.0], [2.0, 3.0, 0.0]])  # indefinite: a 2x2 pivot block
ldl = rec(("LD", "pivots"), la.ldl_factor)
case("linalg_ldl_factor", A=SPD, fn=ldl, cpu_only=True)
case("linalg_ldl_factor", A=SYM, fn=ldl, cpu_only=True)
case("linalg_ldl_factor", A=SPD64, hermitian=True, fn=ldl, cpu_only=True)
case("linalg_ldl_factor", A=R(0, 0), fn=ldl)
case("linalg_ldl_factor", A=I(2, 2), fn=ldl, err="floating point")
case("linalg_ldl_factor", A=R(2, 3), fn=ldl, err=True)
LD3, LP3 = la.ldl_factor(SYM)
LDS, LPS = la.ldl_factor(SPD64)
case("linalg_ldl_solve", LD=LD3, pivots=LP3, B=R(3, 2), cpu_only=True)
case("linalg_ldl_solve", LD=LDS, pivots=LPS, B=R(3, 1, dtype=f64), hermitian=True, cpu_only=True)
case("linalg_ldl_solve", LD=LD3, pivots=LP3, B=R(2, 3).mT, cpu_only=True)


def stricter(message):
    """PyTorch's ldl_solve passes bad pivots to LAPACK unchecked (a wrong result, or corrupted
    memory); nutorch refuses them. The case expects nutorch's error."""
    def f(**_):
        raise ValueError(message)
    return f


case("linalg_ldl_solve", LD=LD3, pivots=T([5, 2, 3], dtype=torch.int32), B=R(3, 1), fn=stricter("out of range"), err="pivot 5 is out of range")
case("linalg_ldl_solve", LD=LD3, pivots=T([0, 2, 3], dtype=torch.int32), B=R(3, 1), fn=stricter("out of range"), err="pivot 0 is out of range")
case("linalg_ldl_solve", LD=LD3, pivots=T([1, 2, -3], dtype=torch.int32), B=R(3, 1), fn=stricter("not repeated"), err="not repeated")
case("linalg_ldl_solve", LD=LD3, pivots=T([1, 2], dtype=torch.int32), B=R(3, 1), fn=stricter("shape"), err="LD's shape")
case("linalg_ldl_solve", LD=LD3, pivots=R(3), B=R(3, 1), fn=stricter("int32"), err="int32")
tri = rec(("solution", "cloned_coefficient"), torch.triangular_solve)
U3 = torch.triu(SPD)
case("triangular_solve", input=R(3, 2), A=U3, fn=tri)
case("triangular_solve", input=R(3, 1, dtype=f64), A=torch.tril(SPD64), upper=False, transpose=True, fn=tri)
case("triangular_solve", input=R(3, 2), A=U3, unitriangular=True, fn=tri)
case("triangular_solve", input=R(2, 3).mT, A=U3, fn=tri)
case("triangular_solve", input=R(3), A=U3, fn=tri, err="at least 2 dimensions")
geq = rec(("a", "tau"), torch.geqrf)
case("geqrf", input=R(4, 3), fn=geq, cpu_only=True)
case("geqrf", input=R(2, 3, 4, dtype=f64), fn=geq, cpu_only=True)
case("geqrf", input=R(3, 4).mT, fn=geq, cpu_only=True)
case("geqrf", input=I(3, 2), fn=geq, err=True)
case("geqrf", input=R(3), fn=geq, err="at least 2 dimensions")
G = torch.geqrf(R(4, 3, dtype=f64))
case("ormqr", input=G.a, input2=G.tau, input3=R(4, 2, dtype=f64))
case("ormqr", input=G.a, input2=G.tau, input3=R(4, 2, dtype=f64), transpose=True)
case("ormqr", input=G.a, input2=G.tau, input3=R(2, 4, dtype=f64), left=False)
case("ormqr", input=G.a, input2=G.tau, input3=R(2, 4, dtype=f64).mT)
case("ormqr", input=G.a, input2=G.tau, input3=R(3, 2, dtype=f64), err="must be equal")
case("ormqr", input=G.a, input2=R(4, dtype=f64), input3=R(4, 2, dtype=f64), err="tau.shape")
case("lu_unpack", LU_data=LU3, LU_pivots=T([7, 9, 0], dtype=torch.int32), unpack_pivots=False, fn=unpack)  # pivots unread

with own_inputs(104):
    # tensordot with the dims of each tensor given.
    case("tensordot", a=R(3, 4, 5), b=R(5, 4, 2), dims=[[1, 2], [1, 0]])
    case("tensordot", a=R(3, 4), b=R(2, 4), dims=[[1], [1]])
    case("tensordot", a=R(3, 4), b=R(4, 2), dims=[1, 0], err="two lists of dims")
    case("tensordot", a=R(3, 4, dtype=torch.float64), b=R(4, 3, dtype=torch.float64), dims=[[0, 1], [1, 0]])
    case("tensordot", a=R(3, 4), b=R(4, 2), dims=[[1], [0, 1]], err=True)
    case("tensordot", a=R(3, 4), b=R(4, 2), dims=[[1], [3]], err=True)
    case("tensordot", a=R(3, 4), b=R(4, 2), dims=-1, err=True)
# torch.sparse.mm on strided tensors (nutorch holds no sparse ones).
case("sparse_mm", mat1=R(3, 4), mat2=R(4, 2))
case("sparse_mm", mat1=R(2, 3, dtype=torch.float64), mat2=R(3, 5, dtype=torch.float64))
case("sparse_mm", mat1=I(2, 3), mat2=I(3, 2), cpu_only=True)  # CUDA has no int64 mm
case("sparse_mm", mat1=R(3, 4), mat2=R(3, 2), err=True)
case("sparse_mm", mat1=R(3), mat2=R(3, 2), err=True)

with own_inputs(204):  # the inputs of the cases above and after stay as they were
    case("lu", A=R(3, 3))
    case("lu", A=R(2, 4, 4, dtype=torch.float64))
    case("lu", A=R(3, 2))
    case("lu", A=torch.zeros(2, 2))
    case("lu", A=R(3, 3), get_infos=True)
    case("lu", A=torch.zeros(2, 2), get_infos=True)
    case("lu", A=R(3, 3), pivot=False, err=True, cpu_only=True)
    case("lu", A=R(3), err=True)
    case("lu", A=I(2, 2), err=True)
# linalg.eig refuses non-finite input; linalg.eigvals passes it to MKL's geev, which crashes
# PyTorch: nutorch refuses it with eig's error (fn: the outcome without the crash).
def _refused(**_):
    raise RuntimeError("linalg.eigvals: input tensor should not contain infs or NaNs")


case("linalg_eig", A=T([[float("nan"), 1.0], [0.0, 1.0]]), err="infs or NaNs")
case("linalg_eigvals", A=T([[float("nan"), 1.0], [0.0, 1.0]]), fn=_refused, err="infs or NaNs")
case("linalg_eigvals", A=T([[float("inf"), 1.0], [0.0, 1.0]], dtype=torch.float64), fn=_refused, err="infs or NaNs")


with own_inputs(325):
    ldlx = rec(("LD", "pivots", "info"), la.ldl_factor_ex)
    sym = (lambda m: m + m.mT)(R(3, 3))
    case("linalg_ldl_factor_ex", A=sym, fn=ldlx, cpu_only=True)
    case("linalg_ldl_factor_ex", A=(lambda m: m + m.mT)(R(2, 3, 3, dtype=torch.float64)), fn=ldlx, cpu_only=True)
    herm = (lambda m: m + m.mH)(R(3, 3, dtype=torch.complex64))
    case("linalg_ldl_factor_ex", A=herm, hermitian=True, fn=ldlx, cpu_only=True)
    case("linalg_ldl_factor_ex", A=torch.zeros(2, 2), fn=ldlx, cpu_only=True)  # singular: info > 0
    case("linalg_ldl_factor_ex", A=R(0, 0), fn=ldlx)
    case("linalg_ldl_factor_ex", A=R(2, 3), fn=ldlx, err=True)
    case("linalg_ldl_factor_ex", A=I(2, 2), fn=ldlx, err=True)
with own_inputs(326):
    case("lu_solve", input=R(3, 2), LU_data=LU3, LU_pivots=PIV3, cpu_only=True)
    lu64, piv64 = la.lu_factor((lambda m: m @ m.mT + 3 * torch.eye(3, dtype=torch.float64))(R(2, 3, 3, dtype=torch.float64)))
    case("lu_solve", input=R(2, 3, 1, dtype=torch.float64), LU_data=lu64, LU_pivots=piv64, cpu_only=True)
    case("lu_solve", input=R(3, 0), LU_data=LU3, LU_pivots=PIV3, cpu_only=True)
    case("lu_solve", input=R(3, 2, dtype=torch.float64), LU_data=LU3, LU_pivots=PIV3, err=True)
    case("lu_solve", input=R(3, 2), LU_data=LU3, LU_pivots=T([1, 5, 3], dtype=torch.int32), err="pivots")
# Random projections: exact on the CPU after the same seed.
with own_inputs(327):
    low = R(5, 2) @ R(2, 4)
    # q=3 of a full-rank matrix: with q above the rank, the extra component is rounding noise
    # and differs from one CPU to another.
    case("svd_lowrank", A=low + torch.eye(5, 4), q=3, seeded=1, cpu_only=True)
    case("svd_lowrank", A=(R(2, 6, 2, dtype=torch.float64) @ R(2, 2, 3, dtype=torch.float64)), q=2, seeded=2, cpu_only=True)
    case("svd_lowrank", A=low, q=2, niter=0, M=R(4), seeded=3, cpu_only=True)
    case("svd_lowrank", A=R(3, 5, dtype=torch.float64), q=3, niter=4, seeded=4, cpu_only=True)
    case("svd_lowrank", A=R(4), seeded=5, err=True)
    case("svd_lowrank", A=I(3, 3), seeded=5, err=True)
with own_inputs(328):
    case("pca_lowrank", A=R(6, 3), seeded=1, cpu_only=True)
    case("pca_lowrank", A=R(2, 4, 5, dtype=torch.float64), q=2, center=False, niter=1, seeded=2, cpu_only=True)
    case("pca_lowrank", A=R(3, 3), q=0, seeded=3, cpu_only=True)
    case("pca_lowrank", A=R(3, 3), q=4, err="must be non-negative integer")
    case("pca_lowrank", A=R(3, 3), niter=-1, err="must be non-negative integer")


def sparse_refused(**_):
    """PyTorch needs a sparse CSR input; nutorch holds only strided tensors and refuses."""
    raise RuntimeError("sparse tensors are not supported")


with own_inputs(329):
    case("sparse_sampled_addmm", input=R(2, 2), mat1=R(2, 3), mat2=R(3, 2), err="sparse tensors are not supported", fn=sparse_refused)
    case("sparse_sampled_addmm", input=R(2, 2, dtype=torch.float64), mat1=R(2, 3, dtype=torch.float64), mat2=R(3, 2, dtype=torch.float64), beta=0.5, alpha=2, err="sparse tensors are not supported", fn=sparse_refused)


# dims given as a tensor, as torch.tensordot takes it: one element is a count, a 2-d tensor
# holds the two lists.
with own_inputs(337):
    case("tensordot", a=R(3, 4), b=R(4, 2), dims=T(1))
    case("tensordot", a=R(3, 4, 5, dtype=torch.float64), b=R(4, 5, 2, dtype=torch.float64), dims=T([2]))
    case("tensordot", a=R(3, 4, 5), b=R(5, 4, 2), dims=T([[1, 2], [1, 0]]))
    case("tensordot", a=I(3, 4), b=I(4, 2), dims=T([[1], [0]]), cpu_only=True)
    case("tensordot", a=R(3, 4), b=R(4, 2), dims=T(0))
    case("tensordot", a=R(3, 4), b=R(4, 2), dims=T(-1), err="dims >= 0")
    case("tensordot", a=R(3, 4), b=R(4, 2), dims=T([1, 0]), err=True)
    case("tensordot", a=R(3, 4), b=R(4, 2), dims=T([[1, 0]]), err=True)
    # A number given as a 0-d tensor, as PyTorch's Scalar takes one.
    x = R(3, 4)
    case("linalg_vector_norm", x=x, ord=T(1.0))
    case("linalg_vector_norm", x=R(3, 4, dtype=torch.float64), ord=T(3), dim=[1])
    case("linalg_matrix_norm", A=x, ord=T(-2.0))

# PyTorch's own addmm/addmv/addr/addbmm/baddbmm: int tensors stay int (a float alpha on them
# too), bfloat16 is computed as PyTorch's kernel computes it.
with own_inputs(401):
    # CUDA has no int64 addmv or baddbmm (PyTorch's own limit): CPU only.
    case("addmv", input=I(2), mat=I(2, 3), vec=I(3), beta=2, alpha=3, cpu_only=True)
    case("addmv", input=I(2), mat=I(2, 3), vec=I(3), alpha=1.5, cpu_only=True)
    case("baddbmm", input=I(2, 2, 2), batch1=I(2, 2, 3), batch2=I(2, 3, 2), beta=-1, alpha=2, cpu_only=True)
    case("addbmm", input=R(3, 2, dtype=torch.bfloat16), batch1=R(4, 3, 5, dtype=torch.bfloat16), batch2=R(4, 5, 2, dtype=torch.bfloat16), beta=0.5, alpha=2)
    case("addr", input=R(3, 4, dtype=torch.bfloat16), vec1=R(3, dtype=torch.bfloat16), vec2=R(4, dtype=torch.bfloat16), alpha=0.3)
    case("addmm", input=I(2, 2), mat1=I(2, 3), mat2=I(3, 2), beta=0, alpha=-2, cpu_only=True)  # no int matmul on CUDA
