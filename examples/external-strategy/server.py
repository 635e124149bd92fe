#!/usr/bin/env python3
"""An external labloop strategy over HTTP, in standard-library Python (docs/strategies.md).

    python3 server.py --port 9000
    # campaign: strategy: { external: { url: http://127.0.0.1:9000 } }

labloop keeps all state; every POST /ask carries the whole history, so the service is stateless and a restart of
either side loses nothing. This one does a local search: random points first, then perturbations of the best
observation, shrinking as evidence accumulates. Replace `propose` with BoTorch, Ax or BayBE for the real thing.

    POST /ask  {space, objectives, constraints, seed, options, count, history, pending} -> {suggestions: [{params}]}
    POST /tell {observations}  -> {}   (a notification; this service ignores it)
"""
import argparse
import json
import math
import random
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

# labloop's constraint expressions read like Python once `^` is spelled `**`; evaluate them with no builtins.
FUNCTIONS = {"abs": abs, "min": min, "max": max, "sqrt": math.sqrt, "exp": math.exp, "log": math.log,
             "log10": math.log10, "round": round, "floor": math.floor, "ceil": math.ceil}


def holds(constraint, params):
    linear = constraint.get("linear")
    if linear:
        lhs = sum(c * params[name] for name, c in linear["coefficients"].items())
        slack = 1e-9 * max(1.0, abs(lhs), abs(linear["rhs"]))
        return {"<=": lhs <= linear["rhs"] + slack, ">=": lhs >= linear["rhs"] - slack,
                "==": abs(lhs - linear["rhs"]) <= slack}[linear["op"]]
    expr = constraint["expr"].replace("^", "**")
    return bool(eval(expr, {"__builtins__": {}}, {**FUNCTIONS, **params}))  # noqa: S307 - no builtins reachable


def random_value(spec, rng):
    if spec["type"] == "categorical":
        return rng.choice(spec["choices"])
    lo, hi = spec["min"], spec["max"]
    v = math.exp(rng.uniform(math.log(lo), math.log(hi))) if spec.get("log") else rng.uniform(lo, hi)
    return min(hi, max(lo, round(v))) if spec["type"] == "int" else v


def nearby_value(spec, centre, scale, rng):
    if spec["type"] == "categorical":
        return centre if rng.random() < 0.8 else rng.choice(spec["choices"])
    lo, hi = spec["min"], spec["max"]
    v = centre + rng.gauss(0, scale * (hi - lo))
    v = min(hi, max(lo, v))
    return min(hi, max(lo, round(v))) if spec["type"] == "int" else v


def propose(request):
    space, objectives = request["space"], request["objectives"]
    name, objective = next(iter(objectives.items()))
    sign = 1 if objective["goal"] == "maximize" else -1
    done = [o for o in request["history"] if o.get("values") and name in o["values"]]
    best = max(done, key=lambda o: sign * o["values"][name]["mean"], default=None)
    # The k-th suggestion draws from (seed, k), k = suggestions made so far: the same request gives the same answer.
    k0 = len(request["history"]) + len(request["pending"])
    out = []
    for i in range(request["count"]):
        rng = random.Random(f"{request['seed']}:{k0 + i}")
        scale = max(0.02, 0.3 / math.sqrt(1 + len(done)))
        for _ in range(1000):
            if best is None or rng.random() < 0.2:
                params = {p: random_value(s, rng) for p, s in space.items()}
            else:
                params = {p: nearby_value(s, best["params"][p], scale, rng) for p, s in space.items()}
            if all(holds(c, params) for c in request["constraints"]):
                out.append({"params": params})
                break
    return {"suggestions": out}


class Handler(BaseHTTPRequestHandler):
    def do_POST(self):  # noqa: N802 - the name http.server expects
        try:
            body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
            if self.path.rstrip("/") == "/ask":
                self.reply(200, propose(body))
            elif self.path.rstrip("/") == "/tell":
                self.reply(200, {})
            else:
                self.reply(404, {"error": f"no route {self.path}"})
        except Exception as e:  # a bad request must not stop the service
            self.reply(400, {"error": str(e)})

    def reply(self, status, payload):
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, fmt, *args):
        sys.stderr.write("strategy: " + fmt % args + "\n")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=9000, help="0 picks a free port")
    args = parser.parse_args()
    server = ThreadingHTTPServer((args.host, args.port), Handler)
    print(f"listening on http://{args.host}:{server.server_address[1]}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
