"""营销画布 (campaign canvas): the graph of a template or campaign — parsed from its JSON, checked,
planned into waves and walked for one customer.

Nodes (``kind``):

- ``AUDIENCE`` — the start (exactly one): a stored audience (``audienceId``) or ``criteria``;
- ``PRODUCT`` — the products promoted (``productIds``), named in contents as ``{{product}}``;
- ``SEND`` — a touch on a ``channel`` with a content template (``contentKey``): SMS and APP_PUSH go
  to the customer through the message outbox; PHONE, WECHAT and IN_APP become a 站内信 task for the
  customer's primary manager;
- ``BRANCH`` — a condition (``condition``: RESPONDED in an earlier wave, TIER, AUM, HOLDS_PRODUCT)
  with a ``YES`` and a ``NO`` edge;
- ``GOAL`` — the success criteria (成功标准), a condition like a branch whose ``YES`` counts as converted;
- ``WAIT`` — ``days`` until the next wave (多波次): what follows runs in the next wave;
- ``BENEFIT`` — ``points`` awarded (积分权益);
- ``END``.

Every node but END has exactly one outgoing edge (BRANCH and GOAL: one ``YES``, one ``NO``), so every
path ends at an END, there are no cycles and every node is reachable from the start; anything else is
BAD_USER_INPUT naming the node."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any

from resolvers.common.errors import bad_input

MAX_NODES = 100
MAX_POINTS = 100_000
MAX_WAIT_DAYS = 365
VARIABLES = frozenset({"surname", "product", "points", "bank"})  # 内容变量: {{surname}} …
_VARIABLE = re.compile(r"{{\s*([^{}]*?)\s*}}")


class NodeKind(StrEnum):
    AUDIENCE = "AUDIENCE"  # 目标客群 (start)
    PRODUCT = "PRODUCT"  # 产品
    SEND = "SEND"  # 触达渠道
    BRANCH = "BRANCH"  # 条件分支
    GOAL = "GOAL"  # 成功标准
    WAIT = "WAIT"  # 等待 (下一波)
    BENEFIT = "BENEFIT"  # 权益 (积分)
    END = "END"


class Channel(StrEnum):
    SMS = "SMS"  # 短信
    APP_PUSH = "APP_PUSH"  # 手机银行推送
    PHONE = "PHONE"  # 电话 (客户经理)
    WECHAT = "WECHAT"  # 微信 (客户经理)
    IN_APP = "IN_APP"  # 站内信 (客户经理)


class ConditionField(StrEnum):
    RESPONDED = "RESPONDED"  # 上一波已响应
    TIER = "TIER"  # 客户分层 in ``tiers``
    AUM = "AUM"  # 金融资产 within [aumMin, aumMax]
    HOLDS_PRODUCT = "HOLDS_PRODUCT"  # 持有 one of ``productsHeld``


class ContentKind(StrEnum):
    TEXT = "TEXT"  # 文本 (话术)
    IMAGE = "IMAGE"  # 图片
    SMS = "SMS"  # 短信
    APP_PUSH = "APP_PUSH"  # 推送


CUSTOMER_CHANNELS = {Channel.SMS: ContentKind.SMS, Channel.APP_PUSH: ContentKind.APP_PUSH}


@dataclass(frozen=True)
class Condition:
    field: ConditionField
    tiers: tuple[str, ...] = ()
    aum_min: Decimal | None = None
    aum_max: Decimal | None = None
    products_held: tuple[str, ...] = ()


@dataclass(frozen=True)
class Node:
    id: str
    kind: NodeKind
    audience_id: str | None = None
    criteria: Mapping[str, Any] | None = None  # stored audience criteria (resolvers/marketing/audiences.py)
    product_ids: tuple[str, ...] = ()
    channel: Channel | None = None
    content_key: str | None = None
    condition: Condition | None = None
    days: int = 0
    points: int = 0


@dataclass(frozen=True)
class Content:
    key: str
    kind: ContentKind
    title: str
    body: str
    image_url: str = ""


@dataclass(frozen=True)
class Graph:
    nodes: dict[str, Node]
    next: dict[str, str]  # node → its one successor (not BRANCH / GOAL / END)
    yes: dict[str, str]  # BRANCH / GOAL → when the condition holds
    no: dict[str, str]
    start: str
    waves: tuple[int, ...]  # each wave's offset in days from the campaign's start (wave 1: 0)


@dataclass
class Facts:
    """What a condition reads about one customer."""

    tier: str = ""
    aum: Decimal = Decimal(0)
    products: frozenset[str] = frozenset()
    responded: bool = False  # in an earlier wave of this campaign


@dataclass
class Walk:
    """What one customer's walk of the canvas does in one wave."""

    sends: list[Node] = field(default_factory=list)
    benefits: list[Node] = field(default_factory=list)
    converted: bool = False

    @property
    def points(self) -> int:
        return sum(n.points for n in self.benefits)


# -- parsing and checking --------------------------------------------------------------------------


def parse_graph(stored: Mapping[str, Any], contents: Sequence[Content] = ()) -> Graph:
    """The stored graph, checked (BAD_USER_INPUT naming what is wrong)."""
    raw_nodes = stored.get("nodes") or []
    raw_edges = stored.get("edges") or []
    if not 2 <= len(raw_nodes) <= MAX_NODES:
        raise bad_input(f"canvas: 2–{MAX_NODES} nodes (an AUDIENCE start and at least an END)")
    nodes: dict[str, Node] = {}
    for raw in raw_nodes:
        node = _node(raw)
        if node.id in nodes:
            raise bad_input(f"canvas: node id '{node.id}' is used twice")
        nodes[node.id] = node
    keys = {c.key: c for c in contents}
    for node in nodes.values():
        _check_node(node, keys)
    starts = [n.id for n in nodes.values() if n.kind is NodeKind.AUDIENCE]
    if len(starts) != 1:
        raise bad_input(f"canvas: exactly one AUDIENCE start node, not {len(starts)}")
    nexts: dict[str, str] = {}
    yes: dict[str, str] = {}
    no: dict[str, str] = {}
    incoming: set[str] = set()
    for raw in raw_edges:
        source, target, when = str(raw.get("from", "")), str(raw.get("to", "")), raw.get("when")
        for end in (source, target):
            if end not in nodes:
                raise bad_input(f"canvas: an edge names an unknown node '{end}'")
        incoming.add(target)
        kind = nodes[source].kind
        if kind is NodeKind.END:
            raise bad_input(f"canvas: END node '{source}' must have no outgoing edge")
        if kind in (NodeKind.BRANCH, NodeKind.GOAL):
            if when not in ("YES", "NO"):
                raise bad_input(f"canvas: each edge out of {kind} '{source}' needs when: YES or NO")
            side = yes if when == "YES" else no
            if source in side:
                raise bad_input(f"canvas: {kind} '{source}' has two {when} edges")
            side[source] = target
        else:
            if when is not None:
                raise bad_input(f"canvas: edge from '{source}': only BRANCH and GOAL edges have when")
            if source in nexts:
                raise bad_input(f"canvas: node '{source}' has more than one outgoing edge (use a BRANCH)")
            nexts[source] = target
    start = starts[0]
    if start in incoming:
        raise bad_input(f"canvas: the start node '{start}' must have no incoming edge")
    for node in nodes.values():
        if node.kind in (NodeKind.BRANCH, NodeKind.GOAL):
            if node.id not in yes or node.id not in no:
                raise bad_input(
                    f"canvas: {node.kind} '{node.id}' needs both a YES and a NO edge (every branch ends)"
                )
        elif node.kind is not NodeKind.END and node.id not in nexts:
            raise bad_input(f"canvas: node '{node.id}' has no outgoing edge (every path must end at an END)")
    graph = Graph(nodes, nexts, yes, no, start, ())
    offsets = _wave_offsets(graph)
    return Graph(nodes, nexts, yes, no, start, offsets)


def parse_contents(raw: Sequence[Mapping[str, Any]]) -> list[Content]:
    """内容模板, checked: unique keys, known kinds and variables, sizes."""
    if len(raw) > 50:
        raise bad_input("contents: at most 50 content templates")
    contents: list[Content] = []
    seen: set[str] = set()
    for item in raw:
        key = str(item.get("key", "")).strip()
        if not 1 <= len(key) <= 40 or key in seen:
            raise bad_input(f"contents: key '{key}' must be 1–40 characters and unique")
        seen.add(key)
        try:
            kind = ContentKind(str(item.get("kind")))
        except ValueError as exc:
            raise bad_input(f"contents: '{key}' has an unknown kind") from exc
        title, body = str(item.get("title", "")).strip(), str(item.get("body", "")).strip()
        image_url = str(item.get("imageUrl", "") or "").strip()
        limit = 70 if kind is ContentKind.SMS else 1000  # one SMS: 70 Chinese characters
        if len(title) > 100 or not 1 <= len(body) <= limit:
            raise bad_input(f"contents: '{key}' body must be 1–{limit} characters, title at most 100")
        if kind is ContentKind.IMAGE and not image_url.startswith(("https://", "/")):
            raise bad_input(f"contents: IMAGE '{key}' needs an imageUrl (https:// or a path)")
        unknown = {v for v in _VARIABLE.findall(title + body) if v not in VARIABLES}
        if unknown:
            raise bad_input(
                f"contents: '{key}' uses unknown variables {sorted(unknown)} (known: {sorted(VARIABLES)})"
            )
        contents.append(Content(key, kind, title, body, image_url))
    return contents


def json_of_contents(contents: Sequence[Content]) -> list[dict[str, Any]]:
    return [
        {"key": c.key, "kind": c.kind.value, "title": c.title, "body": c.body, "imageUrl": c.image_url}
        for c in contents
    ]


def render(text: str, values: Mapping[str, str]) -> str:
    """Fill ``{{variable}}``s; one without a value stays as it was (filled later, e.g. at sending)."""
    return _VARIABLE.sub(lambda m: values.get(m.group(1), m.group(0)), text)


def _node(raw: Mapping[str, Any]) -> Node:
    node_id = str(raw.get("id", "")).strip()
    if not 1 <= len(node_id) <= 40:
        raise bad_input("canvas: every node needs an id of 1–40 characters")
    try:
        kind = NodeKind(str(raw.get("kind")))
    except ValueError as exc:
        raise bad_input(f"canvas: node '{node_id}' has an unknown kind") from exc
    channel = raw.get("channel")
    try:
        node_channel = Channel(channel) if channel is not None else None
    except ValueError as exc:
        raise bad_input(f"canvas: node '{node_id}' has an unknown channel") from exc
    condition = raw.get("condition")
    return Node(
        id=node_id,
        kind=kind,
        audience_id=raw.get("audienceId"),
        criteria=raw.get("criteria"),
        product_ids=tuple(str(p) for p in raw.get("productIds") or ()),
        channel=node_channel,
        content_key=raw.get("contentKey"),
        condition=_condition(node_id, condition) if condition is not None else None,
        days=_int(raw.get("days", 0), node_id, "days"),
        points=_int(raw.get("points", 0), node_id, "points"),
    )


def _int(value: Any, node_id: str, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise bad_input(f"canvas: node '{node_id}' {what} must be a whole number")
    return value


def _condition(node_id: str, raw: Mapping[str, Any]) -> Condition:
    try:
        which = ConditionField(str(raw.get("field")))
    except ValueError as exc:
        raise bad_input(f"canvas: node '{node_id}' has an unknown condition field") from exc
    try:
        aum_min = Decimal(str(raw["aumMin"])) if raw.get("aumMin") is not None else None
        aum_max = Decimal(str(raw["aumMax"])) if raw.get("aumMax") is not None else None
    except InvalidOperation as exc:
        raise bad_input(f"canvas: node '{node_id}' condition amount is not a number") from exc
    condition = Condition(
        which,
        tiers=tuple(str(t) for t in raw.get("tiers") or ()),
        aum_min=aum_min,
        aum_max=aum_max,
        products_held=tuple(str(p).strip() for p in raw.get("productsHeld") or ()),
    )
    if which is ConditionField.TIER and not condition.tiers:
        raise bad_input(f"canvas: node '{node_id}' TIER condition needs tiers")
    if which is ConditionField.AUM and aum_min is None and aum_max is None:
        raise bad_input(f"canvas: node '{node_id}' AUM condition needs aumMin or aumMax")
    if which is ConditionField.HOLDS_PRODUCT and not condition.products_held:
        raise bad_input(f"canvas: node '{node_id}' HOLDS_PRODUCT condition needs productsHeld")
    return condition


def _check_node(node: Node, contents: Mapping[str, Content]) -> None:
    where = f"canvas: {node.kind} node '{node.id}'"
    if node.kind is NodeKind.AUDIENCE and (node.audience_id is None) == (node.criteria is None):
        raise bad_input(f"{where} needs either audienceId or criteria")
    if node.kind is NodeKind.PRODUCT and not 1 <= len(node.product_ids) <= 20:
        raise bad_input(f"{where} needs 1–20 productIds")
    if node.kind is NodeKind.SEND:
        if node.channel is None:
            raise bad_input(f"{where} needs a channel")
        content = contents.get(node.content_key or "")
        if content is None:
            raise bad_input(f"{where} names no content template of this canvas (contentKey)")
        wanted = CUSTOMER_CHANNELS.get(node.channel)
        if wanted is not None and content.kind is not wanted:
            raise bad_input(f"{where} on {node.channel} needs a {wanted} content template")
    if node.kind in (NodeKind.BRANCH, NodeKind.GOAL) and node.condition is None:
        raise bad_input(f"{where} needs a condition")
    if node.kind is NodeKind.WAIT and not 1 <= node.days <= MAX_WAIT_DAYS:
        raise bad_input(f"{where} days must be 1–{MAX_WAIT_DAYS}")
    if node.kind is NodeKind.BENEFIT and not 1 <= node.points <= MAX_POINTS:
        raise bad_input(f"{where} points must be 1–{MAX_POINTS}")


def successors(graph: Graph, node_id: str) -> list[str]:
    return [s for s in (graph.next.get(node_id), graph.yes.get(node_id), graph.no.get(node_id)) if s]


def _wave_offsets(graph: Graph) -> tuple[int, ...]:
    """Check: no cycle, every node reachable. Then each wave's offset: the most days of waiting on
    any path to it (wave n follows n-1 WAITs)."""
    order: list[str] = []
    state: dict[str, int] = {}  # 1: on the path, 2: done
    stack: list[tuple[str, int]] = [(graph.start, 0)]
    while stack:  # iterative depth-first search, post-order
        node_id, index = stack.pop()
        if index == 0:
            if state.get(node_id) == 2:
                continue
            state[node_id] = 1
        children = successors(graph, node_id)
        if index < len(children):
            stack.append((node_id, index + 1))
            child = children[index]
            if state.get(child) == 1:
                raise bad_input(f"canvas: a cycle runs through node '{child}' (a canvas must not loop)")
            if state.get(child) != 2:
                stack.append((child, 0))
        else:
            state[node_id] = 2
            order.append(node_id)
    unreachable = sorted(set(graph.nodes) - set(state))
    if unreachable:
        raise bad_input(f"canvas: node '{unreachable[0]}' cannot be reached from the start")
    reach: dict[str, tuple[int, int]] = {graph.start: (1, 0)}  # node → (wave, most days)
    offsets: dict[int, int] = {1: 0}
    for node_id in reversed(order):  # topological order
        wave, days = reach[node_id]
        node = graph.nodes[node_id]
        if node.kind is NodeKind.WAIT:
            wave, days = wave + 1, days + node.days
        for child in successors(graph, node_id):
            before = reach.get(child)
            reach[child] = (max(before[0], wave), max(before[1], days)) if before else (wave, days)
        offsets[wave] = max(offsets.get(wave, 0), days)
    return tuple(offsets[w] for w in sorted(offsets))


# -- walking ---------------------------------------------------------------------------------------


def holds(condition: Condition, facts: Facts) -> bool:
    if condition.field is ConditionField.RESPONDED:
        return facts.responded
    if condition.field is ConditionField.TIER:
        return facts.tier in condition.tiers
    if condition.field is ConditionField.AUM:
        low, high = condition.aum_min, condition.aum_max
        return (low is None or facts.aum >= low) and (high is None or facts.aum <= high)
    return bool(facts.products & set(condition.products_held))


def walk(graph: Graph, wave: int, facts: Facts) -> Walk:
    """What the canvas does for one customer in ``wave``: the nodes it reaches after ``wave - 1``
    WAITs (conditions decided on what is known now)."""
    done = Walk()
    node_id: str | None = graph.start
    depth = 1
    while node_id is not None:
        node = graph.nodes[node_id]
        here = depth == wave
        if node.kind is NodeKind.WAIT:
            depth += 1
            if depth > wave:
                break
        elif node.kind is NodeKind.SEND and here:
            done.sends.append(node)
        elif node.kind is NodeKind.BENEFIT and here:
            done.benefits.append(node)
        elif node.kind in (NodeKind.BRANCH, NodeKind.GOAL):
            assert node.condition is not None
            met = holds(node.condition, facts)
            if node.kind is NodeKind.GOAL and met and here:
                done.converted = True
            node_id = (graph.yes if met else graph.no)[node_id]
            continue
        node_id = graph.next.get(node_id)
    return done
