"""Check an API answer against the schema its OpenAPI description gives (OpenAPI 3.0 → JSON Schema)."""

from __future__ import annotations

import jsonschema


def _convert(node, components: dict):
    if isinstance(node, list):
        return [_convert(n, components) for n in node]
    if not isinstance(node, dict):
        return node
    if "$ref" in node:
        name = node["$ref"].rsplit("/", 1)[-1]
        return _convert(components[name], components)
    out = {k: _convert(v, components) for k, v in node.items()
           if k not in ("nullable", "example", "readOnly", "writeOnly", "x-scope")}
    if node.get("nullable"):
        if "type" in out:
            out["type"] = [out["type"], "null"]
        if "enum" in out:
            out["enum"] = [*out["enum"], None]
    return out


def response_schema(spec: dict, path: str, method: str, status: int) -> dict | None:
    response = spec["paths"][path][method]["responses"].get(str(status))
    if response is None:
        return None
    content = (response.get("content") or {}).get("application/json")
    if content is None:
        return None
    return _convert(content["schema"], spec["components"]["schemas"])


def check(spec: dict, path: str, method: str, status: int, body) -> None:
    schema = response_schema(spec, path, method, status)
    assert schema is not None, f"{method.upper()} {path} answered {status}, which its description does not list"
    jsonschema.validate(body, schema, format_checker=jsonschema.FormatChecker())
