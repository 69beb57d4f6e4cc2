"""The API's documentation page, rendered on the server from the OpenAPI document itself (so it
is always the document's content), as a plain page that works without JavaScript and meets the
site's accessibility rules; and Swagger UI (vendored in app/static/vendor/swagger-ui, no CDN) as
an interactive console for trying requests."""

import json
from dataclasses import dataclass, field

from flask import Blueprint, current_app, render_template, url_for

from app.page_cache import for_visitors

bp = Blueprint("api_docs", __name__)
METHODS = ("get", "post", "put", "patch", "delete")
REF = "#/components/schemas/"


@dataclass
class Operation:
    method: str
    path: str
    anchor: str
    summary: str
    description: str
    token: bool
    parameters: list[dict]
    body: list[tuple[str, str, bool]]  # (media type, schema as text, whether a named schema)
    responses: list[tuple[str, str, str]]  # (status, description, schema as text)


@dataclass
class Section:
    title: str
    operations: list[Operation] = field(default_factory=list)


def type_of(schema: dict | None) -> str:
    """A schema as a short text: `integer`, `string or null`, `array of Firm`, `one of: a, b`."""
    if not schema:
        return "any"
    if "$ref" in schema:
        return schema["$ref"].removeprefix(REF)
    if "anyOf" in schema:
        return " or ".join(type_of(option) for option in schema["anyOf"])
    if "enum" in schema:
        return "one of: " + ", ".join("null" if v is None else str(v) for v in schema["enum"])
    kinds = schema.get("type", "any")
    kinds = kinds if isinstance(kinds, list) else [kinds]
    texts = [f"array of {type_of(schema.get('items'))}" if k == "array" else k for k in kinds]
    text = " or ".join(texts)
    if schema.get("format"):
        text += f" ({schema['format']})"
    return text


def _limits(schema: dict) -> str:
    names = {
        "minimum": "≥ {}",
        "maximum": "≤ {}",
        "maxLength": "at most {} characters",
        "default": "default {}",
    }
    return "; ".join(
        text.format(json.dumps(schema[key], ensure_ascii=False))
        for key, text in names.items()
        if schema.get(key) is not None
    )


def _described(description: str, schema: dict) -> str:
    limits = _limits(schema)
    return f"{description} ({limits})".strip() if limits else description


def _content(content: dict) -> list[tuple[str, str, bool]]:
    return [
        (media, type_of(body.get("schema")), "$ref" in (body.get("schema") or {}))
        for media, body in (content or {}).items()
    ]


def reference(spec: dict) -> tuple[list[Section], list[tuple[str, list[dict]]]]:
    """The document's operations by tag, and its schemas with their properties."""
    responses = spec.get("components", {}).get("responses", {})
    sections = {
        tag["name"]: Section(tag.get("description") or tag["name"]) for tag in spec.get("tags", [])
    }
    for path, item in spec["paths"].items():
        for method in METHODS:
            operation = item.get(method)
            if operation is None:
                continue
            text = (operation.get("summary") or "", operation.get("description") or "")
            found = []
            for status, response in operation.get("responses", {}).items():
                if "$ref" in response:
                    response = responses[response["$ref"].rsplit("/", 1)[-1]]
                schemas = _content(response.get("content"))
                found.append(
                    (
                        status,
                        response.get("description", ""),
                        ", ".join(text for _media, text, _named in schemas),
                    )
                )
            parameters = [
                {
                    "name": p["name"],
                    "in": p["in"],
                    "type": type_of(p.get("schema")),
                    "required": p.get("required", False),
                    "description": " ".join(
                        part
                        for part in (p.get("description", ""), _limits(p.get("schema", {})))
                        if part
                    ),
                }
                for p in [*item.get("parameters", []), *operation.get("parameters", [])]
            ]
            tag = (operation.get("tags") or ["other"])[0]
            sections.setdefault(tag, Section(tag)).operations.append(
                Operation(
                    method=method.upper(),
                    path=path,
                    anchor=f"{method}-{path}".replace("/", "-").replace("{", "").replace("}", ""),
                    summary=text[0],
                    description=text[1],
                    token=bool(operation.get("security")),
                    parameters=parameters,
                    body=_content(operation.get("requestBody", {}).get("content")),
                    responses=found,
                )
            )
    schemas = [
        (
            name,
            [
                {
                    "name": prop,
                    "type": type_of(body),
                    "required": prop in schema.get("required", []),
                    "description": body.get("description", ""),
                }
                for prop, body in schema.get("properties", {}).items()
            ],
        )
        for name, schema in sorted(spec.get("components", {}).get("schemas", {}).items())
    ]
    return [s for s in sections.values() if s.operations], schemas


@bp.get("/api/docs")
@for_visitors
def index():
    spec = current_app.extensions["api_v1"].spec.to_dict()
    sections, schemas = reference(spec)
    return render_template(
        "api/docs.html",
        spec_url=url_for("api-docs.openapi_json"),
        sections=sections,
        schemas=schemas,
        version=spec["info"]["version"],
    )


@bp.get("/api/console")
def console():
    """Swagger UI: try the operations from the browser (a third-party widget; the reference
    above it is the accessible documentation)."""
    return render_template("api/console.html", spec_url=url_for("api-docs.openapi_json"))
