"""场景库 (scenario library): the canvas scenarios the platform ships — each a ready graph and its
content templates that a head office or the province union starts a template or campaign from.
Shipped as code (the same for every bank, versioned with the canvas rules they must pass), listed by
``campaignScenarios``; a template or campaign keeps the scenario's code."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Scenario:
    code: str
    name: str
    description: str
    graph: dict[str, Any]
    contents: list[dict[str, Any]]


def _sms(key: str, body: str) -> dict[str, Any]:
    return {"key": key, "kind": "SMS", "title": "", "body": body}


def _push(key: str, title: str, body: str) -> dict[str, Any]:
    return {"key": key, "kind": "APP_PUSH", "title": title, "body": body}


def _script(key: str, body: str) -> dict[str, Any]:
    return {"key": key, "kind": "TEXT", "title": "话术", "body": body}


def _two_waves(
    criteria: dict[str, Any],
    first: tuple[str, str],
    goal_products: list[str],
    follow: tuple[str, str],
    points: int,
) -> dict[str, Any]:
    """AUDIENCE → SEND (wave 1) → WAIT 3 days → GOAL (holds a product: BENEFIT points) / NO → BRANCH
    responded? NO → SEND (wave 2, the manager follows up) → END."""
    return {
        "nodes": [
            {"id": "audience", "kind": "AUDIENCE", "criteria": criteria},
            {"id": "touch", "kind": "SEND", "channel": first[0], "contentKey": first[1]},
            {"id": "wait", "kind": "WAIT", "days": 3},
            {
                "id": "goal",
                "kind": "GOAL",
                "condition": {"field": "HOLDS_PRODUCT", "productsHeld": goal_products},
            },
            {"id": "reward", "kind": "BENEFIT", "points": points},
            {"id": "responded", "kind": "BRANCH", "condition": {"field": "RESPONDED"}},
            {"id": "follow", "kind": "SEND", "channel": follow[0], "contentKey": follow[1]},
            {"id": "end", "kind": "END"},
        ],
        "edges": [
            {"from": "audience", "to": "touch"},
            {"from": "touch", "to": "wait"},
            {"from": "wait", "to": "goal"},
            {"from": "goal", "to": "reward", "when": "YES"},
            {"from": "goal", "to": "responded", "when": "NO"},
            {"from": "reward", "to": "end"},
            {"from": "responded", "to": "end", "when": "YES"},
            {"from": "responded", "to": "follow", "when": "NO"},
            {"from": "follow", "to": "end"},
        ],
    }


def sms_then_call(start: dict[str, Any], points: int = 100, days: int = 3) -> dict[str, Any]:
    """AUDIENCE (``start``: audienceId or criteria) → SMS "sms" → BENEFIT ``points`` → WAIT ``days`` →
    BRANCH responded? NO → PHONE with "call" → END (the demo campaign's canvas)."""
    return {
        "nodes": [
            {"id": "audience", "kind": "AUDIENCE", **start},
            {"id": "sms", "kind": "SEND", "channel": "SMS", "contentKey": "sms"},
            {"id": "gift", "kind": "BENEFIT", "points": points},
            {"id": "wait", "kind": "WAIT", "days": days},
            {"id": "asked", "kind": "BRANCH", "condition": {"field": "RESPONDED"}},
            {"id": "call", "kind": "SEND", "channel": "PHONE", "contentKey": "call"},
            {"id": "end", "kind": "END"},
        ],
        "edges": [
            {"from": "audience", "to": "sms"},
            {"from": "sms", "to": "gift"},
            {"from": "gift", "to": "wait"},
            {"from": "wait", "to": "asked"},
            {"from": "asked", "to": "end", "when": "YES"},
            {"from": "asked", "to": "call", "when": "NO"},
            {"from": "call", "to": "end"},
        ],
    }


def _one_wave(criteria: dict[str, Any], channel: str, key: str, points: int = 0) -> dict[str, Any]:
    """AUDIENCE → SEND → (BENEFIT) → END."""
    nodes: list[dict[str, Any]] = [
        {"id": "audience", "kind": "AUDIENCE", "criteria": criteria},
        {"id": "touch", "kind": "SEND", "channel": channel, "contentKey": key},
    ]
    edges = [{"from": "audience", "to": "touch"}]
    last = "touch"
    if points:
        nodes.append({"id": "reward", "kind": "BENEFIT", "points": points})
        edges.append({"from": "touch", "to": "reward"})
        last = "reward"
    nodes.append({"id": "end", "kind": "END"})
    edges.append({"from": last, "to": "end"})
    return {"nodes": nodes, "edges": edges}


SCENARIOS: tuple[Scenario, ...] = (
    Scenario(
        "MATURITY_RENEWAL",
        "到期续存",
        "定期存款即将到期的客户: 短信提醒续存, 续存成功赠积分, 未响应由客户经理电话跟进",
        _two_waves(
            {"tags": ["存款即将到期"]},
            ("SMS", "remind"),
            ["定期存款"],
            ("PHONE", "call"),
            200,
        ),
        [
            _sms(
                "remind", "尊敬的{{surname}}先生/女士, 您的定期存款即将到期, 续存可享积分礼遇。【{{bank}}】"
            ),
            _script("call", "您好, 您在我行的定期存款即将到期, 现在续存{{product}}可获赠{{points}}积分。"),
        ],
    ),
    Scenario(
        "SALARY_ACTIVATION",
        "代发激活",
        "代发工资客户: 推送手机银行理财入门, 签约后赠积分",
        _two_waves({"tags": ["代发工资"]}, ("APP_PUSH", "push"), ["活期宝"], ("WECHAT", "wechat"), 100),
        [
            _push("push", "工资到账后让钱生钱", "{{surname}}先生/女士, 签约{{product}}, 工资到账自动理财。"),
            _script("wechat", "您好, 您的工资由我行代发, 可以了解一下{{product}}。"),
        ],
    ),
    Scenario(
        "BIRTHDAY_CARE",
        "生日关怀",
        "本月生日的客户: 生日祝福短信并赠送生日积分",
        _one_wave({"tags": ["本月生日"]}, "SMS", "wish", points=50),
        [_sms("wish", "{{surname}}先生/女士, 祝您生日快乐! {{bank}}为您送上{{points}}积分。")],
    ),
    Scenario(
        "DORMANT_WAKEUP",
        "沉睡客户唤醒",
        "半年无交易的客户: 推送唤醒礼遇, 未响应由客户经理电话回访",
        _two_waves({"tags": ["沉睡客户"]}, ("APP_PUSH", "push"), ["活期存款"], ("PHONE", "call"), 100),
        [
            _push("push", "好久不见", "{{surname}}先生/女士, 登录手机银行即可领取专属礼遇。"),
            _script("call", "您好, 我是您的客户经理, 最近一段时间您没有使用我行账户, 想了解一下您的需求。"),
        ],
    ),
    Scenario(
        "NEW_CUSTOMER_ONBOARDING",
        "新客户旅程",
        "三十天内开户的新客户: 欢迎短信, 三天后开通手机银行赠积分",
        _two_waves({"tags": ["新开户"]}, ("SMS", "welcome"), ["手机银行"], ("IN_APP", "task"), 100),
        [
            _sms("welcome", "欢迎成为{{bank}}客户! 开通手机银行即享{{points}}积分。"),
            _script("task", "新客户尚未开通手机银行, 请协助开通。"),
        ],
    ),
    Scenario(
        "LOAN_REPAYMENT_REMINDER",
        "贷款还款提醒",
        "七天内有还款的贷款客户: 短信提醒按时还款",
        _one_wave({"tags": ["近期还款"]}, "SMS", "due"),
        [_sms("due", "{{surname}}先生/女士, 您的贷款近期到期还款, 请保持账户余额充足。【{{bank}}】")],
    ),
    Scenario(
        "WEALTH_UPGRADE",
        "财富升级",
        "成长客户中金融资产接近财富门槛者: 客户经理推荐理财, 达标赠积分",
        {
            "nodes": [
                {"id": "audience", "kind": "AUDIENCE", "criteria": {"tiers": ["GROWTH"]}},
                {"id": "near", "kind": "BRANCH", "condition": {"field": "AUM", "aumMin": "300000"}},
                {"id": "call", "kind": "SEND", "channel": "PHONE", "contentKey": "call"},
                {"id": "push", "kind": "SEND", "channel": "APP_PUSH", "contentKey": "push"},
                {"id": "wait", "kind": "WAIT", "days": 7},
                {
                    "id": "goal",
                    "kind": "GOAL",
                    "condition": {"field": "TIER", "tiers": ["WEALTH", "PRIVATE"]},
                },
                {"id": "reward", "kind": "BENEFIT", "points": 500},
                {"id": "end", "kind": "END"},
            ],
            "edges": [
                {"from": "audience", "to": "near"},
                {"from": "near", "to": "call", "when": "YES"},
                {"from": "near", "to": "push", "when": "NO"},
                {"from": "call", "to": "wait"},
                {"from": "push", "to": "wait"},
                {"from": "wait", "to": "goal"},
                {"from": "goal", "to": "reward", "when": "YES"},
                {"from": "goal", "to": "end", "when": "NO"},
                {"from": "reward", "to": "end"},
            ],
        },
        [
            _script("call", "您好, 您的金融资产已接近财富客户标准, 推荐了解{{product}}。"),
            _push("push", "稳健理财", "{{surname}}先生/女士, {{product}}近期在售, 欢迎了解。"),
        ],
    ),
    Scenario(
        "MOBILE_BANKING_ACTIVATION",
        "手机银行激活",
        "未开通手机银行的客户: 短信邀请, 开通后赠积分",
        _two_waves({"tags": ["未开通手机银行"]}, ("SMS", "invite"), ["手机银行"], ("PHONE", "call"), 100),
        [
            _sms("invite", "{{surname}}先生/女士, 开通{{bank}}手机银行, 转账缴费更方便, 赠{{points}}积分。"),
            _script("call", "您好, 您还没有开通手机银行, 我可以帮您开通。"),
        ],
    ),
    Scenario(
        "CREDIT_CARD_CROSS_SELL",
        "信用卡交叉营销",
        "有存款无信用卡的优质客户: 推送信用卡申请, 办卡成功赠积分",
        _two_waves({"tiers": ["GROWTH", "WEALTH"]}, ("APP_PUSH", "push"), ["信用卡"], ("PHONE", "call"), 300),
        [
            _push("push", "专属信用卡", "{{surname}}先生/女士, 您已获信用卡预审资格, 点击申请{{product}}。"),
            _script("call", "您好, 您已获得我行信用卡预审资格, 是否需要帮您办理?"),
        ],
    ),
    Scenario(
        "RURAL_E_LOAN",
        "黔农e贷推广",
        "农户与个体工商户: 推送黔农e贷, 未申请由客户经理上门走访",
        _two_waves({"tags": ["农户"]}, ("SMS", "promo"), ["黔农e贷"], ("PHONE", "visit"), 200),
        [
            _sms("promo", "{{surname}}先生/女士, 黔农e贷手机申请、随借随还, 详询客户经理。【{{bank}}】"),
            _script("visit", "您好, 我行黔农e贷线上申请, 额度循环使用, 适合农户生产经营。"),
        ],
    ),
)

BY_CODE = {s.code: s for s in SCENARIOS}
