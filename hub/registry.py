"""The one registry of the hub's vocabularies: agencies, event and alert types, roles and labels.

Everything that used to be a hand-kept list elsewhere (topic suffixes, signing key names, Kafka
principals, Chinese labels in the domain, the report and the web UI) is derived from here, so a
new agency or alert type is one edit in this file (plus the rule or connector that gives it
meaning). Each vocabulary is a ``StrEnum`` (so mypy --strict still sees the members and the wire
strings compare equal) with its entries directly below it.

Pure: standard library only, so ``hub.domain`` may import it. ``Registry`` is immutable; a test
builds one with an extra agency and hands it to the derived functions (``hub_topics``,
``ensure_keys``, ``labels_payload``) to show nothing else needs editing.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType
from typing import Literal

Branch = Literal["ADMINISTRATIVE", "CRIMINAL"]
ADMINISTRATIVE: Branch = "ADMINISTRATIVE"
CRIMINAL: Branch = "CRIMINAL"

# The hub signs receipts with its own key, beside one key per agency.
HUB_KEY_NAME = "HUB"
# The hub's own Kafka principal (deploy/); agencies get theirs from AgencyEntry.kafka_user.
HUB_KAFKA_USER = "hub"


# --- agencies -------------------------------------------------------------------------------


class Agency(StrEnum):
    MARKET_REGULATION = "MARKET_REGULATION"
    CUSTOMS = "CUSTOMS"
    POLICE = "POLICE"
    PROCURATORATE = "PROCURATORATE"
    COURT = "COURT"


@dataclass(frozen=True)
class AgencyEntry:
    """One agency: its code, how people name it, and the names deploy and Kafka use for it."""

    code: str
    label: str  # short name shown beside codes (UI, report, case view)
    authority: str  # the institution as alert explanations name it ("公安机关")
    topic_suffix: str  # intake.<suffix>, receipts.<suffix>, outbox file, connector group
    branch: Branch  # administrative enforcement or criminal justice

    def __post_init__(self) -> None:
        # Entries are written with enum members; keep plain strings so JSON and dict keys match.
        object.__setattr__(self, "code", str(self.code))

    @property
    def key_name(self) -> str:
        """Name of its signing key files and trust-list entry (hub.codec.signing layout)."""
        return self.code

    @property
    def intake_topic(self) -> str:
        return f"intake.{self.topic_suffix}"

    @property
    def receipts_topic(self) -> str:
        return f"receipts.{self.topic_suffix}"

    @property
    def kafka_user(self) -> str:
        # Kubernetes object names allow no underscores, and compose uses the same principal.
        return "agency-" + self.topic_suffix.replace("_", "-")

    @property
    def password_env(self) -> str:
        """The deploy variable carrying its SCRAM password (compose, init-cluster.sh)."""
        return "AGENCY_PASSWORD_" + self.topic_suffix.upper()

    @property
    def connector_group(self) -> str:
        """Prefix of the consumer groups its connector may use to read its receipts."""
        return f"connector.{self.topic_suffix}"


AGENCIES: tuple[AgencyEntry, ...] = (
    AgencyEntry(Agency.MARKET_REGULATION, "市场监管", "市场监管部门", "market_regulation", ADMINISTRATIVE),
    AgencyEntry(Agency.CUSTOMS, "海关", "海关", "customs", ADMINISTRATIVE),
    AgencyEntry(Agency.POLICE, "公安", "公安机关", "police", CRIMINAL),
    AgencyEntry(Agency.PROCURATORATE, "检察院", "检察机关", "procuratorate", CRIMINAL),
    AgencyEntry(Agency.COURT, "法院", "人民法院", "court", CRIMINAL),
)


# --- event types ----------------------------------------------------------------------------


class EventType(StrEnum):
    COMPLAINT_RECEIVED = "COMPLAINT_RECEIVED"
    CASE_OPENED = "CASE_OPENED"
    PENALTY_DECIDED = "PENALTY_DECIDED"
    CASE_CLOSED = "CASE_CLOSED"
    REFERRAL_SENT = "REFERRAL_SENT"
    REFERRAL_RECEIVED = "REFERRAL_RECEIVED"
    FILING_DECIDED = "FILING_DECIDED"
    FILING_REFUSED = "FILING_REFUSED"
    PROSECUTION_DECIDED = "PROSECUTION_DECIDED"
    NON_PROSECUTION_DECIDED = "NON_PROSECUTION_DECIDED"
    JUDGMENT_ISSUED = "JUDGMENT_ISSUED"
    SEIZURE_RECORDED = "SEIZURE_RECORDED"
    OPINION_ISSUED = "OPINION_ISSUED"
    OPINION_REPLIED = "OPINION_REPLIED"
    # schema v3: civil IP suits (issue 20) and customs declarations (issue 19)
    CIVIL_SUIT_FILED = "CIVIL_SUIT_FILED"
    CIVIL_SUIT_CLOSED = "CIVIL_SUIT_CLOSED"
    CUSTOMS_DECLARATION = "CUSTOMS_DECLARATION"
    CUSTOMS_INSPECTION = "CUSTOMS_INSPECTION"


EVENT_TYPE_LABELS: Mapping[str, str] = {
    EventType.COMPLAINT_RECEIVED: "收到举报/报案",
    EventType.CASE_OPENED: "立案/受案",
    EventType.PENALTY_DECIDED: "行政处罚决定",
    EventType.CASE_CLOSED: "结案/撤案",
    EventType.REFERRAL_SENT: "移送",
    EventType.REFERRAL_RECEIVED: "接收移送",
    EventType.FILING_DECIDED: "公安立案",
    EventType.FILING_REFUSED: "不予立案",
    EventType.PROSECUTION_DECIDED: "起诉",
    EventType.NON_PROSECUTION_DECIDED: "不起诉",
    EventType.JUDGMENT_ISSUED: "判决",
    EventType.SEIZURE_RECORDED: "海关扣留",
    EventType.OPINION_ISSUED: "检察意见/建议",
    EventType.OPINION_REPLIED: "回复检察意见",
    EventType.CIVIL_SUIT_FILED: "民事起诉立案",
    EventType.CIVIL_SUIT_CLOSED: "民事案件审结/结案",
    EventType.CUSTOMS_DECLARATION: "进出口申报",
    EventType.CUSTOMS_INSPECTION: "海关查验",
}

# Event types only some agencies may send (intake rejects them from any other agency). Types not
# listed here may come from every agency, as before schema v3.
EVENT_TYPE_SENDERS: Mapping[str, frozenset[str]] = {
    EventType.CIVIL_SUIT_FILED: frozenset({Agency.COURT}),
    EventType.CIVIL_SUIT_CLOSED: frozenset({Agency.COURT}),
    EventType.CUSTOMS_DECLARATION: frozenset({Agency.CUSTOMS}),
    EventType.CUSTOMS_INSPECTION: frozenset({Agency.CUSTOMS}),
}


# --- alert types (the rule that raises one lives in hub.domain.alerts + hub/rules/) ----------


class AlertType(StrEnum):
    FORWARD_REFERRAL_SUSPECTED = "FORWARD_REFERRAL_SUSPECTED"
    REFERRAL_OVERDUE = "REFERRAL_OVERDUE"
    FILING_REFUSAL_REVIEW = "FILING_REFUSAL_REVIEW"
    REVERSE_REFERRAL_DUE = "REVERSE_REFERRAL_DUE"
    REVERSE_REFERRAL_OVERDUE = "REVERSE_REFERRAL_OVERDUE"
    DUAL_REPORT = "DUAL_REPORT"
    REPEAT_OFFENDER = "REPEAT_OFFENDER"
    # alert_event v3 (issues 19 and 20)
    PORT_DRIFT = "PORT_DRIFT"
    TARGETING_ADVICE = "TARGETING_ADVICE"
    MALICIOUS_LITIGATION_SUSPECTED = "MALICIOUS_LITIGATION_SUSPECTED"
    FOUR_REVIEWS_GAP = "FOUR_REVIEWS_GAP"


ALERT_TYPE_LABELS: Mapping[str, str] = {
    AlertType.FORWARD_REFERRAL_SUSPECTED: "涉嫌以罚代刑（应移送未移送）",
    AlertType.REFERRAL_OVERDUE: "移送后逾期未立案决定",
    AlertType.FILING_REFUSAL_REVIEW: "不予立案待立案监督",
    AlertType.REVERSE_REFERRAL_DUE: "应反向移送",
    AlertType.REVERSE_REFERRAL_OVERDUE: "检察意见逾期未回复",
    AlertType.DUAL_REPORT: "双报案",
    AlertType.REPEAT_OFFENDER: "重复侵权",
    AlertType.PORT_DRIFT: "关口漂移",
    AlertType.TARGETING_ADVICE: "布控建议",
    AlertType.MALICIOUS_LITIGATION_SUSPECTED: "恶意诉讼线索",
    AlertType.FOUR_REVIEWS_GAP: "一案四查缺项",
}

# One line each for people seeing the hub for the first time (`hub demo`, docs/DESIGN.md section 6).
ALERT_TYPE_DESCRIPTIONS: Mapping[str, str] = {
    AlertType.FORWARD_REFERRAL_SUSPECTED: "行政案件达到刑事追诉标准但未移送公安 (possible 以罚代刑)",
    AlertType.REFERRAL_OVERDUE: "移送公安后逾期未作出立案决定 (police filing decision overdue)",
    AlertType.FILING_REFUSAL_REVIEW: "公安不予立案, 可提请立案监督 (refusal to file: review candidate)",
    AlertType.REVERSE_REFERRAL_DUE: "不起诉/撤案后仍需行政处罚, 应反向移送 (reverse referral due)",
    AlertType.REVERSE_REFERRAL_OVERDUE: "检察意见发出后逾期未回复 (reply to procuratorate opinion overdue)",
    AlertType.DUAL_REPORT: "同一举报同时报至两个机关 (the same report reached two agencies)",
    AlertType.REPEAT_OFFENDER: "当事人在回溯期内已因侵权受过处罚 (party penalised before)",
    AlertType.PORT_DRIFT: "侵权嫌疑货物转由其他口岸申报 (suspect goods drift to another port)",
    AlertType.TARGETING_ADVICE: "建议海关对高风险申报布控查验 (targeting advice for customs)",
    AlertType.MALICIOUS_LITIGATION_SUSPECTED: (
        "原告的知识产权诉讼呈现恶意诉讼特征, 供民事检察人工审查 (malicious-litigation lead)"
    ),
    AlertType.FOUR_REVIEWS_GAP: "刑事案件判决/决定后, 民事、行政或公益诉讼审查逾期未见结果 (一案四查 gap)",
}


# Steps in an alert's history (hub.domain.messages.AlertAction) and people's status of an alert
# (hub.domain.workflow.AlertStatus), as the UI and the API name them.
ALERT_ACTION_LABELS: Mapping[str, str] = {
    "RAISED": "生成",
    "ACKNOWLEDGED": "确认",
    "RESOLVED": "办结",
    "ESCALATED": "监督/升级",
    "RESPONDED": "承办机关回复",
    "ACCEPTED": "采纳并办结",
}
ALERT_STATUS_LABELS: Mapping[str, str] = {
    "NEW": "待处理",
    "ACKNOWLEDGED": "已确认",
    "RESPONDED": "已回复待审查",
    "ESCALATED": "已监督",
    "RESOLVED": "已办结",
}


# --- API user roles (who reads the query API and web UI) ------------------------------------


class AccessRole(StrEnum):
    AGENCY_OFFICER = "AGENCY_OFFICER"
    PROSECUTOR = "PROSECUTOR"
    JOINT_MEETING = "JOINT_MEETING"
    ADMIN = "ADMIN"


ACCESS_ROLE_LABELS: Mapping[str, str] = {
    AccessRole.AGENCY_OFFICER: "执法机关人员",
    AccessRole.PROSECUTOR: "检察官",
    AccessRole.JOINT_MEETING: "联席会议",
    AccessRole.ADMIN: "管理员",
}


# --- parts of a case event --------------------------------------------------------------------


class Role(StrEnum):
    """A party's role in one event (not an API user role: see AccessRole)."""

    RESPONDENT = "RESPONDENT"
    SUSPECT = "SUSPECT"
    DEFENDANT = "DEFENDANT"
    RIGHT_HOLDER = "RIGHT_HOLDER"
    COMPLAINANT = "COMPLAINANT"
    # schema v3: civil suits (a civil 被告 is not an accused role: DEFENDANT is the criminal
    # 被告人) and customs declarations
    PLAINTIFF = "PLAINTIFF"
    CIVIL_DEFENDANT = "CIVIL_DEFENDANT"
    CONSIGNOR = "CONSIGNOR"
    CONSIGNEE = "CONSIGNEE"
    OTHER = "OTHER"


PARTY_ROLE_LABELS: Mapping[str, str] = {
    Role.RESPONDENT: "当事人",
    Role.SUSPECT: "犯罪嫌疑人",
    Role.DEFENDANT: "被告人",
    Role.RIGHT_HOLDER: "权利人",
    Role.COMPLAINANT: "举报人",
    Role.PLAINTIFF: "原告",
    Role.CIVIL_DEFENDANT: "被告",
    Role.CONSIGNOR: "发货人",
    Role.CONSIGNEE: "收货人",
    Role.OTHER: "其他",
}


class Offense(StrEnum):
    TRADEMARK_COUNTERFEIT = "TRADEMARK_COUNTERFEIT"  # 刑法 213
    SELLING_COUNTERFEIT_MARKED_GOODS = "SELLING_COUNTERFEIT_MARKED_GOODS"  # 214
    ILLEGAL_MARK_LABELS = "ILLEGAL_MARK_LABELS"  # 215
    PATENT_COUNTERFEIT = "PATENT_COUNTERFEIT"  # 216
    COPYRIGHT_INFRINGEMENT = "COPYRIGHT_INFRINGEMENT"  # 217
    SELLING_INFRINGING_COPIES = "SELLING_INFRINGING_COPIES"  # 218
    TRADE_SECRET = "TRADE_SECRET"  # 219
    OTHER_IP = "OTHER_IP"


OFFENSE_LABELS: Mapping[str, str] = {
    Offense.TRADEMARK_COUNTERFEIT: "假冒注册商标",
    Offense.SELLING_COUNTERFEIT_MARKED_GOODS: "销售假冒商标商品",
    Offense.ILLEGAL_MARK_LABELS: "非法制造标识",
    Offense.PATENT_COUNTERFEIT: "假冒专利",
    Offense.COPYRIGHT_INFRINGEMENT: "侵犯著作权",
    Offense.SELLING_INFRINGING_COPIES: "销售侵权复制品",
    Offense.TRADE_SECRET: "侵犯商业秘密",
    Offense.OTHER_IP: "其他",
}


class CivilOutcome(StrEnum):
    """How a civil suit ended (schema v3, ``CivilSuit.outcome``)."""

    JUDGMENT_FOR_PLAINTIFF = "JUDGMENT_FOR_PLAINTIFF"
    PARTIAL_FOR_PLAINTIFF = "PARTIAL_FOR_PLAINTIFF"
    JUDGMENT_AGAINST_PLAINTIFF = "JUDGMENT_AGAINST_PLAINTIFF"
    WITHDRAWN = "WITHDRAWN"
    SETTLED = "SETTLED"
    DISMISSED = "DISMISSED"
    UNKNOWN = "UNKNOWN"  # the court did not say; unlike other vocabularies a real value here


CIVIL_OUTCOME_LABELS: Mapping[str, str] = {
    CivilOutcome.JUDGMENT_FOR_PLAINTIFF: "判决支持原告",
    CivilOutcome.PARTIAL_FOR_PLAINTIFF: "判决部分支持原告",
    CivilOutcome.JUDGMENT_AGAINST_PLAINTIFF: "判决驳回原告诉讼请求",
    CivilOutcome.WITHDRAWN: "撤诉",
    CivilOutcome.SETTLED: "调解/和解",
    CivilOutcome.DISMISSED: "驳回起诉",
    CivilOutcome.UNKNOWN: "结果不详",
}


class GoodsCategory(StrEnum):
    """Category of goods (schema v3, ``Goods.category``)."""

    FOOD = "FOOD"
    MEDICINE = "MEDICINE"
    MEDICAL_DEVICE = "MEDICAL_DEVICE"
    AGRICULTURAL_INPUT = "AGRICULTURAL_INPUT"
    COSMETICS = "COSMETICS"
    CHILDREN_PRODUCTS = "CHILDREN_PRODUCTS"
    ELECTRICAL = "ELECTRICAL"
    AUTO_PARTS = "AUTO_PARTS"
    APPAREL = "APPAREL"
    ELECTRONICS = "ELECTRONICS"
    ALCOHOL_TOBACCO = "ALCOHOL_TOBACCO"
    OTHER = "OTHER"


GOODS_CATEGORY_LABELS: Mapping[str, str] = {
    GoodsCategory.FOOD: "食品",
    GoodsCategory.MEDICINE: "药品",
    GoodsCategory.MEDICAL_DEVICE: "医疗器械",
    GoodsCategory.AGRICULTURAL_INPUT: "农资",
    GoodsCategory.COSMETICS: "化妆品",
    GoodsCategory.CHILDREN_PRODUCTS: "儿童用品",
    GoodsCategory.ELECTRICAL: "电器",
    GoodsCategory.AUTO_PARTS: "汽车配件",
    GoodsCategory.APPAREL: "服装鞋帽",
    GoodsCategory.ELECTRONICS: "电子产品",
    GoodsCategory.ALCOHOL_TOBACCO: "烟酒",
    GoodsCategory.OTHER: "其他",
}


class Relation(StrEnum):
    REFERRED_TO = "REFERRED_TO"
    REFERRED_FROM = "REFERRED_FROM"
    RELATED = "RELATED"
    SAME_AS = "SAME_AS"


RELATION_LABELS: Mapping[str, str] = {
    Relation.REFERRED_TO: "移送至",
    Relation.REFERRED_FROM: "移送自",
    Relation.RELATED: "关联",
    Relation.SAME_AS: "同一案件",
}


class RightKind(StrEnum):
    TRADEMARK = "TRADEMARK"
    PATENT = "PATENT"
    COPYRIGHT = "COPYRIGHT"
    TRADE_SECRET = "TRADE_SECRET"
    GEOGRAPHICAL_INDICATION = "GEOGRAPHICAL_INDICATION"
    OTHER = "OTHER"


RIGHT_KIND_LABELS: Mapping[str, str] = {
    RightKind.TRADEMARK: "商标",
    RightKind.PATENT: "专利",
    RightKind.COPYRIGHT: "著作权",
    RightKind.TRADE_SECRET: "商业秘密",
    RightKind.GEOGRAPHICAL_INDICATION: "地理标志",
    RightKind.OTHER: "其他",
}


class LinkKind(StrEnum):
    SAME_CASE = "SAME_CASE"  # same agency and normalised case number
    REF = "REF"  # an explicit refs entry, either direction
    IMPLICIT = "IMPLICIT"  # same accused organisation and same right within the window


LINK_KIND_LABELS: Mapping[str, str] = {
    LinkKind.SAME_CASE: "同一案卷",
    LinkKind.REF: "案号引用",
    LinkKind.IMPLICIT: "同一当事人同一权利",
}


# Link evidence as people read it. The linker writes its evidence in a fixed English form (logs,
# tests); hub.domain.case_view renders it with these phrases when a view is served.
LINK_EVIDENCE_PHRASES: Mapping[str, str] = {
    "same_case_file": "同一案卷：{case_file}",
    "cites": "引用{case_file}（{relation}），原文写作“{written}”",
    "both_cite": "均引用{case_file}",
    "same_uscc": "被指控单位统一社会信用代码一致",
    "same_name": "被指控单位名称一致",
    "same_right": "同一权利（{right}）",
    "apart": "{a}与{b}相隔{days}天（关联窗口{window}天）",
    "pinyin": "拼音名称相似度{score}（仅作佐证）",
    # An implicit link is exactly a pair of case files that do not cite each other: when one of
    # them is a referral or a later stage, the citation is missing, not the link (issue 17).
    "no_refs": "两案卷互无引用：如系移送或后续程序，移送文书号未被引用，请补录",
    "other": "系统依其他线索关联",
}


# Jinan's administrative divisions (GB/T 2260 codes, docs/DOMAIN.md "Region codes"), for
# people reading statistics by district. 370171 is a statistical code, not GB/T 2260.
REGION_LABELS: Mapping[str, str] = {
    "370100": "济南市",
    "370102": "历下区",
    "370103": "市中区",
    "370104": "槐荫区",
    "370105": "天桥区",
    "370112": "历城区",
    "370113": "长清区",
    "370114": "章丘区",
    "370115": "济阳区",
    "370116": "莱芜区",
    "370117": "钢城区",
    "370124": "平阴县",
    "370126": "商河县",
    "370171": "高新区",
}

# Deadline clocks (hub/rules/deadlines.toml kinds): short names for the report and the dashboard,
# where the rule's full title is too long for a table cell.
CLOCK_KIND_LABELS: Mapping[str, str] = {
    "POLICE_FILING_DECISION": "公安立案决定",
    "OPINION_REPLY": "检察意见书回复",
    "FILING_RECONSIDERATION": "不予立案提请复议",
    "NON_PROSECUTION_HANDOFF": "不起诉移送行政检察",
    "REVERSE_REVIEW": "行政检察审查",
    "TRANSFER_SENT": "批准后移送公安",
    "PENALTY_AFTER_FILING": "行政处罚决定期限",
    "ADMINISTRATIVE_LIMITATION": "行政处罚追责时效",
}


# --- party risk classes (issue 19; scoring weights live in hub/rules/risk.toml) ---------------


class RiskClass(StrEnum):
    """Market regulation's four credit-risk classes, applied to a party's IP conduct."""

    A = "A"
    B = "B"
    C = "C"
    D = "D"


RISK_CLASS_LABELS: Mapping[str, str] = {
    RiskClass.A: "信用风险低",
    RiskClass.B: "信用风险一般",
    RiskClass.C: "信用风险较高",
    RiskClass.D: "信用风险高",
}


class RiskFactor(StrEnum):
    """One kind of evidence that raises a party's risk score (hub.domain.risk)."""

    ADMIN_PENALTY = "ADMIN_PENALTY"
    LARGE_PENALTY = "LARGE_PENALTY"
    CUSTOMS_SEIZURE = "CUSTOMS_SEIZURE"
    CUSTOMS_PENALTY = "CUSTOMS_PENALTY"
    CRIMINAL_FILING = "CRIMINAL_FILING"
    PROSECUTION = "PROSECUTION"
    CONVICTION = "CONVICTION"
    REPEAT_OFFENDING = "REPEAT_OFFENDING"
    OPEN_ALERT = "OPEN_ALERT"
    OVERDUE_ALERT = "OVERDUE_ALERT"


RISK_FACTOR_LABELS: Mapping[str, str] = {
    RiskFactor.ADMIN_PENALTY: "行政处罚",
    RiskFactor.LARGE_PENALTY: "大额罚没",
    RiskFactor.CUSTOMS_SEIZURE: "海关扣留侵权货物",
    RiskFactor.CUSTOMS_PENALTY: "海关行政处罚",
    RiskFactor.CRIMINAL_FILING: "公安刑事立案",
    RiskFactor.PROSECUTION: "被提起公诉",
    RiskFactor.CONVICTION: "被判决",
    RiskFactor.REPEAT_OFFENDING: "重复侵权",
    RiskFactor.OPEN_ALERT: "未办结预警",
    RiskFactor.OVERDUE_ALERT: "逾期预警",
}


# --- protection lists (issue 19: 重点企业保护名录, 地理标志保护名录) ------------------------------


class ProtectionListKind(StrEnum):
    KEY_ENTERPRISE = "KEY_ENTERPRISE"
    GEOGRAPHICAL_INDICATION = "GEOGRAPHICAL_INDICATION"


PROTECTION_LIST_LABELS: Mapping[str, str] = {
    ProtectionListKind.KEY_ENTERPRISE: "济南都市圈知识产权重点企业保护名录",
    ProtectionListKind.GEOGRAPHICAL_INDICATION: "黄河流域重点地理标志保护名录",
}


# --- the registry object ------------------------------------------------------------------------


def _frozen(labels: Mapping[str, str]) -> Mapping[str, str]:
    # Plain str keys (not enum members) so JSON and dict lookups by wire value behave the same.
    return MappingProxyType({str(code): label for code, label in labels.items()})


@dataclass(frozen=True)
class Registry:
    """Every vocabulary with its labels. Immutable: derive a variant with ``dataclasses.replace``."""

    agencies: tuple[AgencyEntry, ...] = AGENCIES
    event_types: Mapping[str, str] = field(default_factory=lambda: _frozen(EVENT_TYPE_LABELS))
    alert_types: Mapping[str, str] = field(default_factory=lambda: _frozen(ALERT_TYPE_LABELS))
    alert_descriptions: Mapping[str, str] = field(default_factory=lambda: _frozen(ALERT_TYPE_DESCRIPTIONS))
    alert_actions: Mapping[str, str] = field(default_factory=lambda: _frozen(ALERT_ACTION_LABELS))
    alert_statuses: Mapping[str, str] = field(default_factory=lambda: _frozen(ALERT_STATUS_LABELS))
    user_roles: Mapping[str, str] = field(default_factory=lambda: _frozen(ACCESS_ROLE_LABELS))
    party_roles: Mapping[str, str] = field(default_factory=lambda: _frozen(PARTY_ROLE_LABELS))
    offenses: Mapping[str, str] = field(default_factory=lambda: _frozen(OFFENSE_LABELS))
    civil_outcomes: Mapping[str, str] = field(default_factory=lambda: _frozen(CIVIL_OUTCOME_LABELS))
    goods_categories: Mapping[str, str] = field(default_factory=lambda: _frozen(GOODS_CATEGORY_LABELS))
    relations: Mapping[str, str] = field(default_factory=lambda: _frozen(RELATION_LABELS))
    right_kinds: Mapping[str, str] = field(default_factory=lambda: _frozen(RIGHT_KIND_LABELS))
    link_kinds: Mapping[str, str] = field(default_factory=lambda: _frozen(LINK_KIND_LABELS))
    regions: Mapping[str, str] = field(default_factory=lambda: _frozen(REGION_LABELS))
    clock_kinds: Mapping[str, str] = field(default_factory=lambda: _frozen(CLOCK_KIND_LABELS))
    link_evidence: Mapping[str, str] = field(default_factory=lambda: _frozen(LINK_EVIDENCE_PHRASES))
    risk_classes: Mapping[str, str] = field(default_factory=lambda: _frozen(RISK_CLASS_LABELS))
    risk_factors: Mapping[str, str] = field(default_factory=lambda: _frozen(RISK_FACTOR_LABELS))
    protection_lists: Mapping[str, str] = field(default_factory=lambda: _frozen(PROTECTION_LIST_LABELS))

    def __post_init__(self) -> None:
        for name in ("code", "topic_suffix", "kafka_user"):
            values = [getattr(a, name) for a in self.agencies]
            duplicates = sorted({v for v in values if values.count(v) > 1})
            if duplicates:
                raise ValueError(f"agencies share a {name}: {', '.join(duplicates)}")
        if HUB_KEY_NAME in self.agency_codes():
            raise ValueError(f"{HUB_KEY_NAME} is the hub's own key name, not an agency code")

    # --- agencies

    def agency_codes(self) -> tuple[str, ...]:
        return tuple(a.code for a in self.agencies)

    def agency(self, code: str) -> AgencyEntry:
        """The entry of an agency code (exact); KeyError names the known codes."""
        for entry in self.agencies:
            if entry.code == code:
                return entry
        raise KeyError(f"unknown agency {code!r}; one of {', '.join(self.agency_codes())}")

    def parse_agency(self, text: str) -> str:
        """An agency code from what a person typed: code or topic suffix, any case, - or _.

        ``market_regulation``, ``MARKET_REGULATION`` and ``market-regulation`` all name the same
        agency. ValueError (with the choices) for anything else, so CLIs can show it as is.
        """
        wanted = text.strip().upper().replace("-", "_")
        for entry in self.agencies:
            if wanted in (entry.code.upper(), entry.topic_suffix.upper()):
                return entry.code
        raise ValueError(f"unknown agency {text!r}; one of {', '.join(self.agency_codes())}")

    def in_branch(self, branch: Branch) -> frozenset[str]:
        return frozenset(a.code for a in self.agencies if a.branch == branch)

    def topic_suffixes(self) -> dict[str, str]:
        return {a.code: a.topic_suffix for a in self.agencies}

    def agency_topics(self) -> tuple[str, ...]:
        """Every per-agency topic (unprefixed): intake then receipts, agency by agency."""
        return tuple(t for a in self.agencies for t in (a.intake_topic, a.receipts_topic))

    def key_names(self) -> tuple[str, ...]:
        """Signing keys a hub installation holds: one per agency, then the hub's own."""
        return (*(a.key_name for a in self.agencies), HUB_KEY_NAME)

    def kafka_users(self) -> tuple[str, ...]:
        """Kafka principals (user names) of the agencies, then the hub."""
        return (*(a.kafka_user for a in self.agencies), HUB_KAFKA_USER)

    def agency_labels(self) -> dict[str, str]:
        return {a.code: a.label for a in self.agencies}

    def agency_authorities(self) -> dict[str, str]:
        return {a.code: a.authority for a in self.agencies}

    # --- labels

    def labels_payload(self) -> dict[str, dict[str, str]]:
        """Every label map, JSON-able, keyed by vocabulary (what GET /api/v1/labels serves)."""
        return {
            "agency": self.agency_labels(),
            "agency_authority": self.agency_authorities(),
            "event_type": dict(self.event_types),
            "alert_type": dict(self.alert_types),
            "alert_action": dict(self.alert_actions),
            "alert_status": dict(self.alert_statuses),
            "user_role": dict(self.user_roles),
            "party_role": dict(self.party_roles),
            "offense": dict(self.offenses),
            "civil_outcome": dict(self.civil_outcomes),
            "goods_category": dict(self.goods_categories),
            "relation": dict(self.relations),
            "right_kind": dict(self.right_kinds),
            "link_kind": dict(self.link_kinds),
            "region": dict(self.regions),
            "clock_kind": dict(self.clock_kinds),
            "risk_class": dict(self.risk_classes),
            "risk_factor": dict(self.risk_factors),
            "protection_list": dict(self.protection_lists),
        }

    def deploy_facts(self) -> dict[str, object]:
        """What deploy/ must list (k8s topics and users, compose init script and passwords)."""
        return {
            "agency_topic_suffixes": [a.topic_suffix for a in self.agencies],
            "agency_topics": list(self.agency_topics()),
            "kafka_users": list(self.kafka_users()),
            "password_env": [a.password_env for a in self.agencies],
            "connector_groups": [a.connector_group for a in self.agencies],
        }


REGISTRY = Registry()

# Every enum member must have its entry and label; a gap here would show a bare code to people
# (or raise KeyError at run time), so refuse to import instead.
_VOCABULARIES: tuple[tuple[type[StrEnum], str], ...] = (
    (EventType, "event_types"),
    (AlertType, "alert_types"),
    (AlertType, "alert_descriptions"),
    (AccessRole, "user_roles"),
    (Role, "party_roles"),
    (Offense, "offenses"),
    (CivilOutcome, "civil_outcomes"),
    (GoodsCategory, "goods_categories"),
    (Relation, "relations"),
    (RightKind, "right_kinds"),
    (LinkKind, "link_kinds"),
    (RiskClass, "risk_classes"),
    (RiskFactor, "risk_factors"),
    (ProtectionListKind, "protection_lists"),
)


def missing_entries(registry: Registry = REGISTRY) -> list[str]:
    """Enum members without a registry entry or label, as ``Enum.MEMBER`` strings."""
    missing = [f"Agency.{a.value}" for a in Agency if a.value not in registry.agency_codes()]
    for enum, attribute in _VOCABULARIES:
        labels: Mapping[str, str] = getattr(registry, attribute)
        missing += [f"{enum.__name__}.{m.value}" for m in enum if m.value not in labels]
    return missing


_missing = missing_entries()
if _missing:  # pragma: no cover - a development mistake, caught on first import
    raise RuntimeError(f"hub.registry: no entry or label for {', '.join(_missing)}")


def main() -> None:
    """``python -m hub.registry``: the names deploy/ must list, as JSON, for editing deploy files."""
    json.dump(REGISTRY.deploy_facts(), sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
