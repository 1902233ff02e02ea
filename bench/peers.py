"""The peers' side of `npm run bench -- peers` (bench/peers.ts runs it; not a test).

Reads the nets, weights and data gradscope's bench uses (a JSON file written by bench/peers.ts),
and for each net times the gradient checks a student or engineer could reach for instead:

  torch.autograd.gradcheck(J, params)                  slow mode: every entry, eps 1e-6
  torch.autograd.gradcheck(J, params, fast_mode=True)  one random projection u^T (dJ/dtheta) v
  jax.test_util.check_grads(J, (params,), order=1)     one random direction, fwd and rev, eps 1e-4

on the same loss gradscope checks (seeds' notation: z^l = a^(l-1) W^l + b^l, a^l = g(z^l),
J = (1/m) sum_i [logsumexp(z^L_i) - y_i . z^L_i]) in float64, one thread each. It also returns J
and each peer's autograd gradient, so that bench/peers.ts can check all sides agree.

usage: python bench/peers.py CASES.json RESULT.json
"""
import json
import os
import sys
import time

# One thread for every peer: set before torch or jax load their thread pools (mode `recurrent-all`:
# torch with its default threads, for the all-core ratios).
ALL_CORES = len(sys.argv) > 3 and sys.argv[3] == "recurrent-all"
if not ALL_CORES:
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    os.environ.setdefault("MKL_NUM_THREADS", "1")
    os.environ["XLA_FLAGS"] = (os.environ.get("XLA_FLAGS", "") + " --xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1").strip()

import numpy as np  # noqa: E402


def log(*args):
    print("  peers.py:", *args, file=sys.stderr, flush=True)


def unpack(sizes, theta):
    """theta (W1 row-major, b1, W2, b2, ...) as [W1, b1, W2, b2, ...] float64 arrays."""
    blocks, o = [], 0
    for n_in, n_out in zip(sizes[:-1], sizes[1:]):
        blocks.append(theta[o:o + n_in * n_out].reshape(n_in, n_out))
        o += n_in * n_out
        blocks.append(theta[o:o + n_out])
        o += n_out
    assert o == theta.size, f"theta has {theta.size} entries, sizes {sizes} need {o}"
    return blocks


def timed(runs, fn):
    """Wall-clock and CPU seconds (this process, all threads) of each of `runs` calls of fn, and the last result."""
    seconds, cpu, result = [], [], None
    for _ in range(runs):
        t, c = time.perf_counter(), time.process_time()
        result = fn()
        seconds.append(time.perf_counter() - t)
        cpu.append(time.process_time() - c)
    return {"seconds": seconds, "cpu": cpu}, result


def flat(blocks):
    return np.concatenate([np.asarray(b, dtype=np.float64).ravel() for b in blocks]).tolist()


def torch_side(case, reps):
    import torch

    torch.set_num_threads(1)
    act = {"relu": torch.relu, "tanh": torch.tanh, "sigmoid": torch.sigmoid}[case["hidden"]]
    X = torch.tensor(case["X"], dtype=torch.float64).reshape(case["m"], case["sizes"][0])
    Y = torch.tensor(case["Y"], dtype=torch.float64).reshape(case["m"], case["sizes"][-1])
    params = [torch.tensor(b, dtype=torch.float64, requires_grad=True) for b in unpack(case["sizes"], np.array(case["theta"]))]

    def J(*p):
        a = X
        for l in range(0, len(p), 2):
            z = a @ p[l] + p[l + 1]
            a = act(z) if l + 2 < len(p) else z
        return (torch.logsumexp(z, 1) - (Y * z).sum(1)).mean()

    value = J(*params)
    grad = torch.autograd.grad(value, params)
    out = {"version": torch.__version__, "threads": torch.get_num_threads(), "J": value.item(), "grad": flat([g.detach().numpy() for g in grad])}
    check = lambda **kw: torch.autograd.gradcheck(J, params, raise_exception=False, **kw)  # noqa: E731
    check(fast_mode=True)  # warm-up
    times, passed = timed(reps["fast"], lambda: check(fast_mode=True))
    out["fast"] = {**times, "passed": passed}
    if reps["slow"] > 0:
        log(f"torch slow gradcheck, {case['name']} ({sum(p.numel() for p in params)} entries, {reps['slow']} run(s))")
        times, passed = timed(reps["slow"], check)
        out["slow"] = {**times, "passed": passed}
    return out


def jax_side(case, reps):
    import jax

    jax.config.update("jax_enable_x64", True)
    import jax.numpy as jnp
    from jax.test_util import check_grads

    act = {"relu": jax.nn.relu, "tanh": jnp.tanh, "sigmoid": jax.nn.sigmoid}[case["hidden"]]
    X = jnp.array(case["X"], dtype=jnp.float64).reshape(case["m"], case["sizes"][0])
    Y = jnp.array(case["Y"], dtype=jnp.float64).reshape(case["m"], case["sizes"][-1])
    params = [jnp.array(b, dtype=jnp.float64) for b in unpack(case["sizes"], np.array(case["theta"]))]

    def J(p):
        a = X
        for l in range(0, len(p), 2):
            z = a @ p[l] + p[l + 1]
            a = act(z) if l + 2 < len(p) else z
        return jnp.mean(jax.nn.logsumexp(z, axis=1) - jnp.sum(Y * z, axis=1))

    value, grad = jax.value_and_grad(J)(params)
    out = {"version": jax.__version__, "J": float(value), "grad": flat(grad)}

    def check(f, eps=None):
        try:
            check_grads(f, (params,), order=1, eps=eps)
            return {"passed": True}
        except AssertionError as e:
            # numpy's message: tolerances, which check (JVP tangent / VJP cotangent projection),
            # mismatch counts and differences, ACTUAL (autodiff) and DESIRED (finite differences)
            lines = [s.strip() for s in str(e).splitlines() if s.strip()]
            keep = [s for s in lines if not s.startswith(("Mismatched", "Max absolute"))]
            return {"passed": False, "message": "; ".join(keep)}

    check(J)  # warm-up (tracing caches)
    times, res = timed(reps["jax"], lambda: check(J))
    out["eager"] = {**times, **res}
    Jjit = jax.jit(J)
    check(Jjit)  # warm-up: compiles
    times, res = timed(reps["jax"], lambda: check(Jjit))
    out["jit"] = {**times, **res}
    out["eps"] = {str(eps): check(Jjit, eps) for eps in (1e-5, 1e-6)}
    out["kinks"] = kinks_crossed(case, unpack(case["sizes"], np.array(case["theta"])), np.array(case["X"]).reshape(case["m"], case["sizes"][0]))
    return out


def kinks_crossed(case, blocks, X):
    """How far check_grads' step moves theta, and how many hidden pre-activations z^l change sign
    between theta - eps v and theta + eps v, with v its own tangent (standard normal entries drawn
    by np.random.RandomState(0) in the order of the parameter list), for eps 1e-4 (its default), 1e-5, 1e-6."""
    rng = np.random.RandomState(0)
    v = [rng.randn(*b.shape) for b in blocks]

    def signs(h):
        a, out = X, []
        for l in range(0, len(blocks) - 2, 2):
            z = a @ (blocks[l] + h * v[l]) + (blocks[l + 1] + h * v[l + 1])
            out.append(z > 0)
            a = np.maximum(z, 0) if case["hidden"] == "relu" else np.tanh(z)
        return np.concatenate([s.ravel() for s in out])

    norm = float(np.sqrt(sum(float((x * x).sum()) for x in v)))
    return {str(eps): {"step": eps * norm, "flipped": int((signs(eps) != signs(-eps)).sum()), "of": int(signs(0).size)} for eps in (1e-4, 1e-5, 1e-6)}


def main(cases_path, result_path):
    spec = json.load(open(cases_path))
    reps = spec["reps"]
    result = {"python": sys.version.split()[0], "numpy": np.__version__, "cases": []}
    sides = {"torch": torch_side, "jax": jax_side}
    skipped = {}
    for name in sides:
        try:
            __import__(name)
        except Exception as e:  # ImportError, or a wheel that does not load here
            skipped[name] = f"{type(e).__name__}: {e}"
    result["skipped"] = skipped
    for case in spec["cases"]:
        row = {"name": case["name"]}
        for name, side in sides.items():
            if name in skipped:
                continue
            t = time.perf_counter()
            row[name] = side(case, {**reps, "slow": case["slow"]})
            log(f"{name} {case['name']}: {time.perf_counter() - t:.1f} s")
        result["cases"].append(row)
    json.dump(result, open(result_path, "w"))
    log(f"wrote {result_path}")




def recurrent_side(case, reps, threads=1):
    """torch on a recurrent net of gradscope's (rnn tanh, lstm standard, gru in the course's form:
    Gamma_r inside the candidate's product, hand-written here, not torch.nn.GRU), sigmoid output at
    t = T, binary cross-entropy from the logits, float64; slow and fast gradcheck on `threads` threads."""
    import torch

    if threads:
        torch.set_num_threads(threads)
    fam, nx, na, ny, m, T = case["family"], case["nx"], case["na"], case["ny"], case["m"], case["T"]
    X = torch.tensor(case["X"], dtype=torch.float64).reshape(m, T, nx)
    Y = torch.tensor(case["Y"], dtype=torch.float64).reshape(m, ny)
    theta = np.array(case["theta"])
    params, o = [], 0
    for shape in case["shapes"]:
        n = int(np.prod(shape))
        params.append(torch.tensor(theta[o:o + n].reshape(shape), dtype=torch.float64, requires_grad=True))
        o += n
    sig, tanh = torch.sigmoid, torch.tanh

    def J(*p):
        a = torch.zeros(m, na, dtype=torch.float64)
        c = torch.zeros(m, na, dtype=torch.float64)
        for t in range(T):
            x = X[:, t, :]
            h = torch.cat([a, x], 1)
            if fam == "rnn":
                a = tanh(h @ p[0] + p[1])
            elif fam == "lstm":  # Wf, Wu, Wc, Wo, bf, bu, bc, bo
                f, u, ct, og = sig(h @ p[0] + p[4]), sig(h @ p[1] + p[5]), tanh(h @ p[2] + p[6]), sig(h @ p[3] + p[7])
                c = u * ct + f * c
                a = og * tanh(c)
            else:  # gru: Wu, Wr, Wa, bu, br, ba
                u, r = sig(h @ p[0] + p[3]), sig(h @ p[1] + p[4])
                at = tanh(torch.cat([r * a, x], 1) @ p[2] + p[5])
                a = u * at + (1 - u) * a
        z = a @ p[-2] + p[-1]
        return (torch.nn.functional.softplus(z) - z * Y).sum(1).mean()

    value = J(*params)
    grad = torch.autograd.grad(value, params)
    out = {"version": torch.__version__, "threads": torch.get_num_threads(), "J": value.item(), "grad": flat([g.detach().numpy() for g in grad])}
    check = lambda **kw: torch.autograd.gradcheck(J, params, raise_exception=False, **kw)  # noqa: E731
    check(fast_mode=True)
    times, passed = timed(reps["fast"], lambda: check(fast_mode=True))
    out["fast"] = {**times, "passed": passed}
    log(f"torch slow gradcheck, {case['name']} ({sum(p.numel() for p in params)} entries, {threads or 'default'} thread(s))")
    times, passed = timed(reps["slow"], check)
    out["slow"] = {**times, "passed": passed}
    return out


def recurrent_main(cases_path, result_path):
    spec = json.load(open(cases_path))
    result = {"cases": []}
    for case in spec["cases"]:
        row = {"name": case["name"], "torch": recurrent_side(case, spec["reps"], 0 if ALL_CORES else 1)}
        result["cases"].append(row)
    json.dump(result, open(result_path, "w"))


if __name__ == "__main__":
    (recurrent_main if len(sys.argv) > 3 and sys.argv[3] in ("recurrent", "recurrent-all") else main)(sys.argv[1], sys.argv[2])
