"""Schemathesis hooks for optd's contract tests (scripts/schemathesis.sh loads this file through
SCHEMATHESIS_HOOKS).

openapi.yaml says everything JSON Schema can say about a request, but some rules relate a request
to state the schema cannot see: a session id must name a live session, gradients and parameter
values must match that session's layout, a PATCH must name hyperparameters of the session's own
optimizer, `param_groups` must name the session's parameters. Random data almost never meets
them, so the server would answer nearly everything with a 404 or a 422 and the optimizer behind
it would go untested. These hooks:

- create one small session per optimizer type ("w", shape [3]) and send every request that names
  a well-formed but unknown session id to one of them (a DELETE gets a fresh session instead);
  ids of sessions the run itself created (stateful links) are kept; the examples of openapi.yaml
  are sent as written, to a session with their layout ("w" [2, 3], "b" [3]);
- rewrite the bodies of *positive* cases just enough to be valid against the live session:
  gradients and values in its layout, PATCH hyperparameters of its optimizer, create bodies with
  rectangular tensors, param groups naming its parameters, a restorable checkpoint;
- set `If-Match` to `*`, make `Idempotency-Key`s unique and `Accept` acceptable, since random
  values there only test the 412/422/406 paths, which the JSON Schema cannot steer;
- register a deserializer for `application/octet-stream` responses: the raw little-endian floats
  are decoded against the session's layout into the `BinaryParameters` shape of openapi.yaml, so
  `response_schema_conformance` checks them (a wrong byte count fails the check).

Negative cases keep their generated data except where the hook only substitutes what schemathesis
generated as valid (a well-formed id, a well-formed header); schemathesis revalidates every edit.
"""

from __future__ import annotations

import itertools
import json
import math
import os
import re
import struct
import threading
from typing import Any

import requests
import schemathesis

BASE_URL = os.environ.get("OPTD_URL", "http://127.0.0.1:8080").rstrip("/")
AUTH = {"Authorization": f"Bearer {os.environ['OPTD_AUTH_TOKEN']}"} if os.environ.get("OPTD_AUTH_TOKEN") else {}
ID_PATTERN = re.compile(r"^[0-9a-f]{32}$")
KEY_PATTERN = re.compile(r"^[!-~]{1,255}$")
FLOAT32_MAX = 3.4028234663852886e38
# Generated create bodies are shrunk to at most this many elements, to keep the run fast.
MAX_ELEMENTS = 4096
# Optimizer types whose fixture session is float64 (the rest are float32), so that both dtypes
# are exercised, binary bodies included.
FLOAT64_TYPES = {"sgd", "rmsprop", "nadam", "lion"}

_lock = threading.Lock()
_counter = itertools.count()
# Session id -> {"dtype", "params": [(name, shape, count)], "type"}, from every Session response.
_sessions: dict[str, dict[str, Any]] = {}
_deleted: set[str] = set()
_fixtures: dict[str, str] = {}  # optimizer type -> session id
_catalogue: dict[str, list[str]] = {}  # optimizer type -> hyperparameter names


def _http(method: str, path: str, body: Any = None) -> requests.Response:
    return requests.request(method, BASE_URL + path, json=body, headers=AUTH, timeout=10)


def _remember(session: dict[str, Any]) -> None:
    if not isinstance(session, dict) or not isinstance(session.get("id"), str):
        return
    try:
        params = [(p["name"], list(p["shape"]), int(p["count"])) for p in session["parameters"]]
        info = {"dtype": session["dtype"], "params": params, "type": session["optimizer"]["type"]}
    except (KeyError, TypeError, ValueError):
        return
    with _lock:
        _sessions[session["id"]] = info
        _deleted.discard(session["id"])


def _catalogue_names() -> dict[str, list[str]]:
    with _lock:
        if _catalogue:
            return _catalogue
    response = _http("GET", "/v1/optimizers")
    response.raise_for_status()
    names = {o["type"]: [h["name"] for h in o["hyperparameters"]] for o in response.json()["optimizers"]}
    with _lock:
        _catalogue.update(names)
    return names


def _create_fixture(kind: str) -> str:
    optimizer: dict[str, Any] = {"type": kind}
    if kind == "sgd":
        optimizer.update(lr=0.01, momentum=0.9)
    body = {
        "name": f"schemathesis-{kind}",
        "dtype": "float64" if kind in FLOAT64_TYPES else "float32",
        "optimizer": optimizer,
        "parameters": {"w": [0.5, -0.25, 1.0]},
    }
    response = _http("POST", "/v1/sessions", body)
    response.raise_for_status()
    _remember(response.json())
    return response.json()["id"]


def _fixture(kind: str | None = None) -> str:
    """The fixture session of optimizer `kind` (a rotating one when None), created on first use."""
    kinds = sorted(_catalogue_names())
    if kind not in kinds:
        kind = kinds[next(_counter) % len(kinds)]
    with _lock:
        existing = _fixtures.get(kind)
        if existing is not None and existing not in _deleted:
            return existing
    session_id = _create_fixture(kind)
    with _lock:
        _fixtures[kind] = session_id
    return session_id


def _layout(session_id: str) -> dict[str, Any] | None:
    with _lock:
        info = _sessions.get(session_id)
    if info is not None:
        return info
    response = _http("GET", f"/v1/sessions/{session_id}")
    if response.status_code != 200:
        return None
    _remember(response.json())
    with _lock:
        return _sessions.get(session_id)


def _example_fixture() -> str:
    """A session with the layout of openapi.yaml's examples (and the README's): "w" [2, 3], "b" [3]."""
    with _lock:
        existing = _fixtures.get("examples")
        if existing is not None and existing not in _deleted:
            return existing
    body = {"optimizer": {"type": "adam"}, "parameters": {"w": [[0.0] * 3] * 2, "b": [0.0] * 3}}
    response = _http("POST", "/v1/sessions", body)
    response.raise_for_status()
    _remember(response.json())
    with _lock:
        _fixtures["examples"] = response.json()["id"]
    return _fixtures["examples"]


def _is_example(case: Any) -> bool:
    meta = getattr(case, "meta", None)
    return meta is not None and meta.phase.name == "examples"


def _is_positive(case: Any) -> bool:
    meta = getattr(case, "meta", None)
    return meta is not None and meta.generation.mode.is_positive


# MARK: - numbers and tensors


def _leaves(value: Any, out: list[float]) -> list[float]:
    if isinstance(value, bool):
        return out
    if isinstance(value, (int, float)):
        out.append(float(value) if abs(value) < 1e308 else math.copysign(1e308, value))
    elif isinstance(value, list):
        for item in value:
            _leaves(item, out)
    elif isinstance(value, dict):
        for item in value.values():
            _leaves(item, out)
    return out


def _finite(x: float, dtype: str) -> float:
    """`x`, or a finite stand-in where the dtype cannot hold it."""
    limit = FLOAT32_MAX if dtype == "float32" else 1.7976931348623157e308
    if not math.isfinite(x) or abs(x) > limit * 0.999:
        return math.copysign(1.0e30 if dtype == "float32" else 1.0e300, x if math.isfinite(x) else 1.0)
    return x


def _nest(flat: list[float], shape: list[int]) -> Any:
    if not shape:
        return flat[0]
    if len(shape) == 1:
        return flat
    step = math.prod(shape[1:])
    return [_nest(flat[i * step:(i + 1) * step], shape[1:]) for i in range(shape[0])]


def _tensor(seed: list[float], shape: list[int], count: int, dtype: str, nested: bool) -> Any:
    values = [_finite(seed[i % len(seed)], dtype) for i in range(count)] if seed else [0.25] * count
    if not nested or count == 0:
        return values if shape else values[0]
    return _nest(values, shape)


def _rectangular_shape(value: Any) -> list[int] | None:
    """The shape of nested arrays of numbers, or None if they are ragged."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (int, float)):
        return []
    if not isinstance(value, list):
        return None
    if not value:
        return [0]
    shapes = [_rectangular_shape(item) for item in value]
    if any(s is None or s != shapes[0] for s in shapes):
        return None
    return [len(value)] + shapes[0]


# MARK: - create bodies


def _fix_tensor_value(value: Any, dtype: str) -> Any:
    """A tensor of the object form made valid: rectangular, small, finite in `dtype`."""
    if isinstance(value, dict):  # {"shape", "data"}
        shape = list(value.get("shape", []))
        if "data" in value:
            data = [_finite(x, dtype) for x in _leaves(value["data"], [])][:MAX_ELEMENTS]
            return {"shape": shape if math.prod(shape) == len(data) else [len(data)], "data": data}
        return {"shape": shape if math.prod(shape) <= MAX_ELEMENTS else [3]}
    shape = _rectangular_shape(value)
    leaves = [_finite(x, dtype) for x in _leaves(value, [])]
    if shape is not None and len(leaves) <= MAX_ELEMENTS:
        return _tensor(leaves, shape, len(leaves), dtype, nested=True) if leaves else value
    return leaves[:MAX_ELEMENTS]


def _short_name(name: str, taken: set[str]) -> str:
    while len(name.encode()) > 256:
        name = name[:-1]
    base, n = name or "p", 0
    while name in taken or not name:
        n += 1
        name = f"{base[:240]}~{n}"
    taken.add(name)
    return name


def _fix_parameters(body: dict[str, Any], dtype: str) -> list[str]:
    """Makes `parameters` valid; returns the parameter names in layout order."""
    parameters = body.get("parameters")
    taken: set[str] = set()
    if isinstance(parameters, dict):
        fixed = {_short_name(k, taken): _fix_tensor_value(v, dtype) for k, v in parameters.items()}
        total = 0
        for name, value in fixed.items():
            count = len(_leaves(value, [])) if not isinstance(value, dict) else math.prod(value["shape"])
            if total + count > MAX_ELEMENTS:
                fixed[name] = [0.0]
                count = 1
            total += count
        body["parameters"] = fixed or {"w": [0.0, 0.0, 0.0]}
        return list(body["parameters"])
    if isinstance(parameters, list) and parameters:
        total = 0
        for item in parameters:
            item["name"] = _short_name(item.get("name", "p"), taken)
            value = _fix_tensor_value({k: v for k, v in item.items() if k in ("shape", "data")}, dtype)
            item.pop("data", None)
            item.update(value)
            count = math.prod(item["shape"])
            if total + count > MAX_ELEMENTS:
                item["shape"], count = [1], 1
                item.pop("data", None)
            total += count
        return [item["name"] for item in parameters]
    body["parameters"] = {"w": [0.0, 0.0, 0.0]}
    return ["w"]


def _fix_sgd(effective: dict[str, Any], own: dict[str, Any]) -> None:
    """Keeps SGD's rule `nesterov` ⇒ momentum > 0 and dampening = 0 (changing only `own`)."""
    if effective.get("nesterov") and not (effective.get("momentum", 0) > 0 and effective.get("dampening", 0) == 0):
        own["nesterov"] = False


def _fix_one_cycle(schedule: dict[str, Any], kind: str) -> None:
    if kind in ("adagrad", "adadelta", "rprop"):
        schedule["cycle_momentum"] = False
    total = schedule.get("total_steps")
    if total is None:
        total = schedule.get("epochs", 1) * schedule.get("steps_per_epoch", 1)
    pct = schedule.get("pct_start", 0.3)
    ends = [pct * total - 1, 2 * pct * total - 2, total - 1] if schedule.get("three_phase") else [pct * total - 1, total - 1]
    start = 0.0
    for end in ends:
        if end == start:  # a phase without steps (torch divides by its length)
            schedule["pct_start"] = 0.3
            schedule["total_steps"] = max(int(total), 100)
            return
        start = end


def _fix_schedule(schedule: Any, kind: str) -> None:
    if not isinstance(schedule, dict):
        return
    if schedule.get("type") == "one_cycle":
        _fix_one_cycle(schedule, kind)
    elif schedule.get("type") == "sequential":
        n = len(schedule.get("schedulers", []))
        given = sorted({m for m in schedule.get("milestones", []) if isinstance(m, int) and m >= 1})
        while len(given) < n - 1:
            given.append((given[-1] if given else 0) + 10)
        schedule["milestones"] = given[: n - 1]


def _fix_create(body: dict[str, Any]) -> None:
    if "name" in body and isinstance(body["name"], str):
        body["name"] = body["name"].encode()[:256].decode(errors="ignore")
    if "checkpoint" in body:
        response = _http("GET", f"/v1/sessions/{_fixture()}/checkpoint")
        if response.status_code == 200:
            body["checkpoint"] = response.json()
        return
    dtype = body.get("dtype", "float32")
    names = _fix_parameters(body, dtype)
    optimizer = body.get("optimizer", {})
    kind = optimizer.get("type", "sgd")
    if kind == "sgd":
        _fix_sgd(optimizer, optimizer)
    _fix_schedule(body.get("schedule"), kind)
    if body.get("clip_grad_norm") is not None and body.get("clip_grad_value") is not None:
        del body["clip_grad_value"]
    allowed = set(_catalogue_names().get(kind, []))
    free = list(names)
    for group in body.get("param_groups") or []:
        wanted = [n for n in group.get("params", []) if n in free]
        if not wanted and group.get("params") and free:
            wanted = [free[0]]
        for n in wanted:
            free.remove(n)
        group["params"] = list(dict.fromkeys(wanted))
        for key in [k for k in group if k != "params" and k not in allowed]:
            del group[key]
        if kind == "sgd":
            _fix_sgd({**optimizer, **group}, group)


# MARK: - requests against a session


def _fix_patch(body: dict[str, Any], kind: str) -> None:
    if isinstance(body.get("name"), str):
        body["name"] = body["name"].encode()[:256].decode(errors="ignore")
    optimizer = body.get("optimizer")
    if not isinstance(optimizer, dict):
        return
    optimizer["type"] = kind
    allowed = set(_catalogue_names().get(kind, []))
    for key in [k for k in optimizer if k != "type" and k not in allowed]:
        del optimizer[key]
    if kind == "sgd":
        if optimizer.get("nesterov"):
            if not optimizer.get("momentum", 0) > 0:
                optimizer["momentum"] = 0.9
            optimizer["dampening"] = 0
        else:
            optimizer["nesterov"] = False


def _patch_kind(body: Any) -> str | None:
    """The optimizer type a PATCH body fits best: its `type`, else one that has all its names."""
    optimizer = body.get("optimizer") if isinstance(body, dict) else None
    if not isinstance(optimizer, dict):
        return None
    names = _catalogue_names()
    kind = optimizer.get("type")
    if isinstance(kind, str) and kind in names:
        return kind
    keys = set(optimizer) - {"type"}
    fitting = [kind for kind in sorted(names) if keys <= set(names[kind])]
    return fitting[next(_counter) % len(fitting)] if fitting else None


def _tensors_body(generated: Any, info: dict[str, Any], everything: bool, member: str) -> dict[str, Any]:
    """`{member: {name: tensor}}` in the session's layout, seeded from the generated numbers."""
    seed = _leaves(generated, [])
    wanted = len(generated.get(member, {})) if isinstance(generated, dict) and isinstance(generated.get(member), dict) else 1
    params = info["params"] if everything else info["params"][: max(1, wanted)]
    tensors = {}
    for i, (name, shape, count) in enumerate(params):
        tensors[name] = _tensor(seed, shape, count, info["dtype"], nested=(i + len(seed)) % 2 == 0)
    return {member: tensors}


def _binary_body(generated: Any, info: dict[str, Any]) -> bytes:
    count = sum(c for _, _, c in info["params"])
    raw = bytes(generated) if isinstance(generated, (bytes, bytearray)) else b""
    seed = [(b - 128) / 32.0 for b in raw] or [0.5]
    values = [seed[i % len(seed)] for i in range(count)]
    return struct.pack(f"<{count}{'f' if info['dtype'] == 'float32' else 'd'}", *values)


def _fix_headers(case: Any) -> None:
    headers = case.headers
    if not headers:
        return
    for name in list(headers):
        lower = name.lower()
        value = headers[name]
        if lower == "if-match":
            headers[name] = "*"
        elif lower == "if-none-match" and _is_positive(case):
            # A random tag almost never matches, which is the 200 path; keep some 304s too.
            if next(_counter) % 4 == 0:
                headers[name] = "*"
        elif lower == "idempotency-key" and isinstance(value, str) and KEY_PATTERN.match(value):
            headers[name] = f"{value[:230]}-{next(_counter)}"
        elif lower == "content-encoding" and value == "gzip":
            headers[name] = "identity"  # the body is sent as generated, not compressed
        elif lower == "accept" and isinstance(value, str):
            ranges = [r.split(";")[0].strip().lower() for r in value.split(",")]
            if not any(r in ("*/*", "application/*", "application/json", "application/octet-stream") for r in ranges) or "q=0" in value.replace(" ", ""):
                headers[name] = ("application/json", "application/octet-stream", "*/*")[next(_counter) % 3]


@schemathesis.hook
def before_call(context: Any, case: Any, kwargs: dict[str, Any]) -> None:
    operation = case.operation
    method, path = operation.method.upper(), operation.path
    positive = _is_positive(case)
    example = _is_example(case)  # openapi.yaml's own examples are sent as written
    _fix_headers(case)
    if path == "/v1/sessions" and method == "POST":
        if positive and not example and isinstance(case.body, dict):
            _fix_create(case.body)
        return
    if "{id}" not in path or not case.path_parameters:
        return
    session_id = case.path_parameters.get("id")
    if not isinstance(session_id, str) or not ID_PATTERN.match(session_id):
        return  # a malformed id is the point of this case (a 404)
    with _lock:
        live = session_id in _sessions and session_id not in _fixtures.values() and session_id not in _deleted
        gone = session_id in _deleted
    if method == "DELETE":
        if not live and not gone:
            case.path_parameters["id"] = _create_fixture("adam")
        return
    if example:
        if not live and not gone:
            case.path_parameters["id"] = _example_fixture()
        return
    if not live and not gone:
        kind = _patch_kind(case.body) if method == "PATCH" else None
        case.path_parameters["id"] = session_id = _fixture(kind)
    if not positive:
        return
    info = _layout(session_id)
    if info is None:
        return
    if method == "PATCH" and isinstance(case.body, dict):
        _fix_patch(case.body, info["type"])
    elif method in ("POST", "PUT") and path.endswith(("/step", "/parameters")):
        member, everything = ("gradients", False) if path.endswith("/step") else ("parameters", True)
        if case.media_type == "application/octet-stream":
            case.body = _binary_body(case.body, info)
            # The validator cannot judge a binary body and would call it invalid; this one is valid.
            case._sync_validated_hashes()
        else:
            case.body = _tensors_body(case.body, info, everything, member)


@schemathesis.hook
def after_call(context: Any, case: Any, response: Any) -> None:
    operation = case.operation
    method, path = operation.method.upper(), operation.path
    status = response.status_code
    if method == "DELETE" and status == 204:
        with _lock:
            _deleted.add(case.path_parameters.get("id"))
        return
    if status not in (200, 201) or "json" not in (response.headers.get("content-type") or [""])[0]:
        return
    if (method, path) in (("POST", "/v1/sessions"), ("GET", "/v1/sessions/{id}"), ("PATCH", "/v1/sessions/{id}")):
        try:
            _remember(json.loads(response.content))
        except ValueError:
            pass


# MARK: - binary responses


@schemathesis.deserializer("application/octet-stream")
def deserialize_parameters(ctx: Any, response: Any) -> dict[str, Any]:
    """Raw little-endian floats of the session dtype, in layout order, as `{name: nested values}`
    (null where a value is not finite): the `BinaryParameters` schema of openapi.yaml."""
    case = ctx.case
    session_id = (case.path_parameters or {}).get("id") if case is not None else None
    info = _layout(session_id) if isinstance(session_id, str) else None
    if info is None:
        raise ValueError(f"no layout known for session {session_id!r} to decode the binary body")
    width, code = (4, "f") if info["dtype"] == "float32" else (8, "d")
    count = sum(c for _, _, c in info["params"])
    content = response.content
    if len(content) != count * width:
        raise ValueError(
            f"binary body has {len(content)} bytes; {count} {info['dtype']} parameters take {count * width}"
        )
    flat = [x if math.isfinite(x) else None for x in struct.unpack(f"<{count}{code}", content)]
    result: dict[str, Any] = {}
    offset = 0
    for name, shape, n in info["params"]:
        part = flat[offset:offset + n]
        result[name] = _nest(part, shape) if shape else part[0]
        offset += n
    return result
