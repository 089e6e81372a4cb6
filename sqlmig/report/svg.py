"""The report diagram as inline SVG, laid out here (no JavaScript, no network): models on the left,
schemas on the right placed next to the models they pair with, relationships as arcs; or, for big
projects, one box per module."""

from __future__ import annotations

from html import escape

from sqlmig.report.document import Diagram

ROW = 34
BOX_H = 24
WIDTH = 210
GAP = 200
TOP = 40


def _box(x: float, y: float, node, cls: str) -> str:
    label = escape(node.label if len(node.label) <= 30 else node.label[:28] + "…")
    title = escape(node.label + (f" — {node.detail}" if node.detail else ""))
    mark = (f'<text class="mark" x="{x + WIDTH - 8}" y="{y + 16}" text-anchor="end">blocked</text>'
            if node.blocked else "")
    return (f'<g class="node {cls}{" blocked" if node.blocked else ""}" id="{node.id}">'
            f"<title>{title}</title>"
            f'<rect x="{x}" y="{y}" width="{WIDTH}" height="{BOX_H}" rx="5"/>'
            f'<text x="{x + 8}" y="{y + 16}">{label}</text>{mark}</g>')


def render(d: Diagram) -> str:
    if d.collapsed:
        return _render_modules(d)
    models = [n for n in d.nodes if n.kind == "model"]
    schemas = [n for n in d.nodes if n.kind == "schema"]
    model_y = {n.id: TOP + i * ROW for i, n in enumerate(models)}
    # schemas next to the models they pair with (barycentre), in that order
    pairs: dict[str, list[str]] = {}
    for a, b, kind in d.edges:
        if kind == "pair":
            pairs.setdefault(b, []).append(a)
    def centre(n):
        ys = [model_y[m] for m in pairs.get(n.id, []) if m in model_y]
        return (sum(ys) / len(ys)) if ys else 1e9
    schemas.sort(key=lambda n: (centre(n), n.label))
    schema_y = {}
    last = TOP - ROW
    for n in schemas:
        y = max(centre(n) if centre(n) < 1e9 else last + ROW, last + ROW)
        schema_y[n.id] = y
        last = y
    left_pad = 90
    mx, sx = left_pad, left_pad + WIDTH + GAP
    height = max([TOP + ROW] + [y + ROW for y in model_y.values()] + [y + ROW for y in schema_y.values()]) + 10
    width = sx + WIDTH + 20
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="diagram" viewBox="0 0 {width} {height:.0f}" '
             f'width="{width}" height="{height:.0f}" role="img" aria-labelledby="diagram-title">',
             '<title id="diagram-title">Models (left), schemas (right): pairing and relationships</title>',
             f'<text class="heading" x="{mx}" y="24">models</text>',
             f'<text class="heading" x="{sx}" y="24">schemas</text>']
    depth = 0
    for a, b, kind in d.edges:
        if kind == "rel" and a in model_y and b in model_y:
            y1, y2 = model_y[a] + BOX_H / 2, model_y[b] + BOX_H / 2
            depth = (depth % 6) + 1
            bend = mx - 12 - depth * 11
            if a == b:
                parts.append(f'<path class="edge rel" d="M{mx} {y1 - 6} C{bend} {y1 - 20} {bend} {y1 + 20} '
                             f'{mx} {y1 + 6}"/>')
            else:
                parts.append(f'<path class="edge rel" d="M{mx} {y1} C{bend} {y1} {bend} {y2} {mx} {y2}"/>')
        elif kind == "pair" and a in model_y and b in schema_y:
            y1, y2 = model_y[a] + BOX_H / 2, schema_y[b] + BOX_H / 2
            x1, x2 = mx + WIDTH, sx
            parts.append(f'<path class="edge pair" d="M{x1} {y1} C{x1 + GAP / 2} {y1} {x2 - GAP / 2} {y2} '
                         f'{x2} {y2}"/>')
    for n in models:
        parts.append(_box(mx, model_y[n.id], n, "model"))
    for n in schemas:
        parts.append(_box(sx, schema_y[n.id], n, "schema"))
    parts.append("</svg>")
    return "\n".join(parts)


def _render_modules(d: Diagram) -> str:
    x = 20
    ys = {n.id: TOP + i * ROW for i, n in enumerate(d.nodes)}
    height = TOP + len(d.nodes) * ROW + 10
    width = x + WIDTH + 260
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="diagram" viewBox="0 0 {width} {height}" '
             f'width="{width}" height="{height}" role="img" aria-labelledby="diagram-title">',
             '<title id="diagram-title">Modules: pairing and relationships between them</title>',
             f'<text class="heading" x="{x}" y="24">modules (too many classes to draw one by one)</text>']
    for i, (a, b, kind) in enumerate(d.edges):
        if a in ys and b in ys:
            y1, y2 = ys[a] + BOX_H / 2, ys[b] + BOX_H / 2
            bend = x + WIDTH + 30 + (i % 8) * 25
            parts.append(f'<path class="edge {kind}" d="M{x + WIDTH} {y1} C{bend} {y1} {bend} {y2} '
                         f'{x + WIDTH} {y2}"/>')
    for n in d.nodes:
        parts.append(_box(x, ys[n.id], n, "module"))
    parts.append("</svg>")
    return "\n".join(parts)


def mermaid(d: Diagram) -> str:
    """The same diagram as a Mermaid flowchart (GitHub and GitLab render it)."""
    lines = ["flowchart LR"]
    for n in d.nodes:
        label = n.label.replace('"', "'") + (" ⛔" if n.blocked else "")
        shape = f'["{label}"]' if n.kind != "schema" else f'("{label}")'
        lines.append(f"    {n.id}{shape}")
    for a, b, kind in d.edges:
        lines.append(f"    {a} {'-->' if kind == 'pair' else '-.-'} {b}")
    blocked = [n.id for n in d.nodes if n.blocked]
    if blocked:
        lines.append("    classDef blocked stroke:#c0392b,stroke-width:2px,stroke-dasharray:4")
        lines.append(f"    class {','.join(blocked)} blocked")
    return "\n".join(lines)
