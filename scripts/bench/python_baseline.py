"""The scale reference of BENCHMARKS.md: an optimizer step service written the obvious way in
Python (http.server + orjson + torch.optim.Adam), answering the same JSON step as optd.

    python3 scripts/bench/python_baseline.py PORT      # serves POST /v1/sessions/base/step for 1,000 params
"""
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import orjson
import torch

torch.set_num_threads(1)
param = torch.zeros(1000, dtype=torch.float32, requires_grad=False)
optimizer = torch.optim.Adam([param], lr=1e-3)
steps = 0


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # one TCP segment per response, as a tuned service would send

    def do_POST(self):
        global steps
        body = self.rfile.read(int(self.headers["Content-Length"]))
        grads = orjson.loads(body)["gradients"]["w"]
        param.grad = torch.tensor(grads, dtype=torch.float32)
        optimizer.step()
        steps += 1
        out = orjson.dumps({"step": steps, "lr": 1e-3, "parameters": {"w": param.tolist()}})
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(out)))
        self.end_headers()
        self.wfile.write(out)

    def log_message(self, *args):
        pass


ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Handler).serve_forever()
