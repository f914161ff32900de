// Web UI of the hub. Vanilla JS, no network beyond this server. Every value from the API is
// rendered with textContent / setAttribute, never parsed as markup, because party names and case
// numbers are free text written by other systems.
"use strict";

// Labels of the vocabularies (agencies, alert types, roles, ...) come from the server once at
// start (GET /api/v1/labels, kept in hub/registry.py): one table for UI, report and API, so a new
// agency or alert type needs no edit here. Until they arrive a code is shown as it is.
let AGENCY = {};
let ALERT = {};
let OFFENSE = {};
let ROLE = {};
let RELATION = {};
let RIGHT = {};
let LINK = {};
let USER_ROLE = {};
let REGION = {};
let ALERT_ACTION = {};
let ALERT_STATUS = {};
let RISK_CLASS = {};
let RISK_FACTOR = {};
function applyLabels(labels) {
  if (!labels) return;
  AGENCY = labels.agency || AGENCY;
  ALERT = labels.alert_type || ALERT;
  OFFENSE = labels.offense || OFFENSE;
  ROLE = labels.party_role || ROLE;
  RELATION = labels.relation || RELATION;
  RIGHT = labels.right_kind || RIGHT;
  LINK = labels.link_kind || LINK;
  USER_ROLE = labels.user_role || USER_ROLE;
  REGION = labels.region || REGION;
  ALERT_ACTION = labels.alert_action || ALERT_ACTION;
  ALERT_STATUS = labels.alert_status || ALERT_STATUS;
  RISK_CLASS = labels.risk_class || RISK_CLASS;
  RISK_FACTOR = labels.risk_factor || RISK_FACTOR;
}
let labelsLoaded = false;
async function loadLabels() {
  try {
    const res = await fetch("/api/v1/labels", { headers: { Accept: "application/json" } });
    if (res.ok) { applyLabels(await res.json()); labelsLoaded = true; }
  } catch (err) { /* codes stay readable; /api/v1/me brings the main labels too */ }
}
// acting_agency is an Agency value, optionally with a department ("PROCURATORATE/行政检察部门").
// Several acting agencies are joined with "+" (a dual report asks both to act).
function actingAgencyZh(value) {
  return String(value || "").split("+").map(part => {
    const [agency, ...dept] = part.split("/");
    const head = AGENCY[agency] || agency;
    return dept.length ? head + "（" + dept.join("/") + "）" : head;
  }).join("、");
}
// Deadline clocks (hub/rules/deadlines.toml kinds); durations stay in the rule data, not here.
const CLOCK = {
  POLICE_FILING_DECISION: "公安立案决定", OPINION_REPLY: "检察意见书回复", FILING_RECONSIDERATION: "不予立案提请复议",
  NON_PROSECUTION_HANDOFF: "不起诉移送行政检察", REVERSE_REVIEW: "行政检察审查", TRANSFER_SENT: "批准后移送公安",
  PENALTY_AFTER_FILING: "行政处罚决定期限", ADMINISTRATIVE_LIMITATION: "行政处罚追责时效",
};
const CLOCK_STATE = { RUNNING: "计时中", STOPPED: "已停止", EXPIRED: "已逾期" };
function regionZh(code) {
  if (!code) return "—";
  return REGION[code] ? `${code} ${REGION[code]}` : code;
}
const AMOUNT = { illegal_gain: "违法所得", illegal_turnover: "违法经营额", goods_value: "货值", fine: "罚款", confiscated: "没收",
  claim_amount: "诉请赔偿", award_amount: "判赔/调解金额" };
// Fallback until the labels arrive (hub/registry.py ALERT_STATUS_LABELS is the one table).
const STATUS = { NEW: "待处理", ACKNOWLEDGED: "已确认", RESPONDED: "已回复待审查", ESCALATED: "已监督", RESOLVED: "已办结" };
function statusZh(a) {
  // Closed by the answering event (the rules) reads differently from a person's 办结.
  if (a.state === "CLOSED" && a.status !== "RESOLVED") return "已由后续事件答复关闭";
  return ALERT_STATUS[a.status] || STATUS[a.status] || a.status;
}

// --- small DOM helpers ----------------------------------------------------------------------
function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, String(v));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined) continue;
    node.appendChild(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}
function fmtTime(iso) {
  if (!iso) return "—";
  const d = new Date(iso);
  if (isNaN(d)) return String(iso);
  return d.toLocaleString("zh-CN", { timeZone: "Asia/Shanghai", hour12: false });
}
function agencyBadge(a) { return el("span", { class: "badge ag-" + a }, AGENCY[a] || a); }
function matterLink(id) { return el("a", { href: "#matter/" + encodeURIComponent(id), class: "matter-link" }, id); }
function partyLink(id, label) {
  return id ? el("a", { href: "#party/" + encodeURIComponent(id), class: "party-link" }, label || id) : el("span", {}, label || "—");
}
function table(headers, rows, attrs) {
  return el("table", attrs || {}, el("thead", {}, el("tr", {}, headers.map(h => el("th", {}, h)))),
    el("tbody", {}, rows.map(r => el("tr", {}, r.map(c => el("td", {}, c))))));
}
function setMain(...nodes) {
  const main = document.getElementById("main");
  // Pages pass null for a part they leave out; replaceChildren would print it as "null".
  main.replaceChildren(...nodes.flat().filter(n => n !== null && n !== undefined));
}

// --- session and fetch ------------------------------------------------------------------------
// People sign in through the identity platform (or the demo's development sign-in); the session
// rides in an HttpOnly cookie the page never sees, sent by fetch to the same origin.
const SIGN_IN = "/auth/sign-in";
function toSignIn() { location.assign(SIGN_IN); }

async function api(path, options) {
  const opts = Object.assign({ headers: {}, credentials: "same-origin" }, options || {});
  if (opts.json !== undefined) {
    opts.method = opts.method || "POST";
    opts.headers["Content-Type"] = "application/json";
    opts.body = JSON.stringify(opts.json);
  }
  const res = await fetch(path, opts);
  const body = await res.json().catch(() => ({}));
  if (res.status === 401) {
    // Signed out or the session ended: the sign-in page, not an error box.
    toSignIn();
    const err = new Error(errorText(401, body)); err.status = 401; throw err;
  }
  if (!res.ok) { const err = new Error(errorText(res.status, body)); err.status = res.status; throw err; }
  return body;
}

const STATUS_TITLE = { 400: "请求有误", 403: "无权查看", 404: "未找到", 422: "填写的内容有误", 500: "服务器内部错误" };
// Error bodies are {detail: "..."} or, for invalid input, {detail: [{msg}], message}: both are
// Chinese sentences from the server; never show the raw JSON.
function errorText(status, body) {
  if (body && typeof body.message === "string") return body.message;
  if (body && typeof body.detail === "string") return body.detail;
  if (body && Array.isArray(body.detail)) return body.detail.map(d => d && d.msg).filter(Boolean).join("；");
  return STATUS_TITLE[status] || (status >= 500 ? STATUS_TITLE[500] : "请求失败") + `（${status}）`;
}

function errorBox(err) {
  const title = STATUS_TITLE[err.status] || "出错了";
  // fetch itself throws TypeError when the server cannot be reached.
  const text = !err.status && err instanceof TypeError ? "无法连接服务器，请检查网络后重试。" : err.message;
  return el("div", { class: "error card", id: "error" }, el("strong", { id: "error-title" }, title), el("p", {}, text),
    err.status === 403 || err.status === 404 ? el("p", {}, el("a", { href: "#inbox" }, "返回告警收件箱")) : null);
}

// --- pages ------------------------------------------------------------------------------------
// Inbox views by people's status (GET /api/v1/alerts?status=...).
const INBOX_VIEWS = { ACTIVE: "未关闭（全部）", OPEN: "待回复", RESPONDED: "已回复待审查", ESCALATED: "已监督", CLOSED: "已关闭", ANY: "全部" };
function agencyList(codes) { return (codes || []).map(c => AGENCY[c] || c).join("、") || "—"; }
function alertLink(a, text) { return el("a", { href: "#alert/" + encodeURIComponent(a.alert_id), class: "alert-link" }, text); }
function matterTitle(a) {
  // A matter is named by its parties and offence, with the agencies' case numbers, never by its id.
  const m = a.matter;
  if (!m) return el("span", {}, matterLink(a.matter_id));
  return el("div", { class: "matter-cell" },
    el("a", { href: "#matter/" + encodeURIComponent(a.matter_id), class: "matter-link", "data-matter-id": a.matter_id },
      m.accused.map(p => p.name || "—").join("、") || m.civil_title || "（当事人未记录）"),
    m.offenses.length ? el("span", { class: "muted" }, " " + m.offenses.map(o => OFFENSE[o] || o).join("、")) : null,
    el("div", { class: "muted case-nos" }, m.case_numbers.map(c => `${AGENCY[c.agency] || c.agency} ${c.case_no}`).join("；")));
}
function dueCell(a) {
  if (!a.due_at) return el("span", { class: "muted" }, "无期限");
  return el("span", { class: a.overdue ? "due overdue" : "due", title: a.due_rule ? "期限依据：" + a.due_rule : "" },
    fmtTime(a.due_at), a.overdue ? el("strong", {}, " 已逾期") : null,
    a.due_rule ? el("div", { class: "muted" }, "依据规则手册") : null);
}
// The explanation usually quotes the basis already; print the basis only when it does not.
function explanationWithBasis(a) {
  const basis = a.basis && !String(a.explanation || "").includes(a.basis) ? el("div", { class: "muted" }, "依据：", a.basis) : null;
  return el("div", {}, a.explanation, basis);
}
function lastStepText(step) {
  if (!step) return "—";
  return `${ALERT_ACTION[step.action] || step.action}：${step.actor}（${AGENCY[step.actor_agency] || step.actor_agency || USER_ROLE[step.actor_role] || ""}）${step.reason ? " " + step.reason : ""}${step.document ? "〔" + step.document + "〕" : ""}`;
}

async function pageInbox() {
  const form = el("form", { class: "filters", id: "inbox-filters" },
    el("label", {}, "状态 ", el("select", { name: "status" },
      Object.entries(INBOX_VIEWS).map(([k, v]) => el("option", { value: k }, v)))),
    el("label", {}, "类型 ", el("select", { name: "alert_type" }, el("option", { value: "" }, "全部"),
      Object.entries(ALERT).map(([k, v]) => el("option", { value: k }, v)))),
    el("label", {}, "区县 ", el("select", { name: "region" }, el("option", { value: "" }, "全部"),
      Object.entries(REGION).map(([k, v]) => el("option", { value: k }, `${v}（${k}）`)))),
    el("label", {}, "机关 ", el("select", { name: "agency" }, el("option", { value: "" }, "全部"),
      Object.entries(AGENCY).map(([k, v]) => el("option", { value: k }, v)))),
    el("label", {}, "到期自 ", el("input", { name: "due_after", type: "date" })),
    el("label", {}, "至 ", el("input", { name: "due_before", type: "date" })),
    el("label", {}, "排序 ", el("select", { name: "sort" }, el("option", { value: "due" }, "到期最早（逾期在前）"), el("option", { value: "due_desc" }, "到期最晚"))),
    el("button", { type: "submit" }, "筛选"));
  const holder = el("div", { id: "inbox-list" }, "加载中…");
  setMain(el("h2", {}, "告警收件箱"), form, holder);
  async function load() {
    const q = new URLSearchParams();
    for (const [k, v] of new FormData(form).entries()) {
      if (!v) continue;
      if (k === "due_before") q.set(k, v + "T23:59:59+08:00");
      else if (k === "due_after") q.set(k, v + "T00:00:00+08:00");
      else q.set(k, v);
    }
    try {
      const data = await api("/api/v1/alerts?" + q.toString());
      holder.replaceChildren(el("p", { class: "muted" }, `共 ${data.total} 条`), inboxTable(data.items, load));
    } catch (err) { holder.replaceChildren(errorBox(err)); }
  }
  form.addEventListener("submit", ev => { ev.preventDefault(); load(); });
  await load();
}

function inboxTable(items, reload) {
  const rows = items.map(a => {
    const msg = el("span", { class: "error" });
    const allowed = a.allowed_actions || [];
    const ack = allowed.includes("ACKNOWLEDGE") && a.status === "NEW" ? el("button", { type: "button", class: "ack" }, "确认") : null;
    if (ack) ack.addEventListener("click", async () => {
      try { await api(`/api/v1/alerts/${encodeURIComponent(a.alert_id)}/acknowledge`, { json: {} }); await reload(); }
      catch (err) { msg.textContent = err.message; }
    });
    // Matters of a listed enterprise or GI come first and say so (issue 19).
    const priority = (a.priority || []).length ? el("div", { class: "priority", title: a.priority.join("；") }, "重点保护") : null;
    return [
      el("div", {}, alertLink(a, a.alert_label || ALERT[a.alert_type] || a.alert_type), priority),
      matterTitle(a),
      regionZh(a.region_code),
      el("div", {}, "承办：", agencyList(a.acting), el("div", { class: "muted" }, "监督：", agencyList(a.supervising))),
      dueCell(a),
      el("span", { class: "alert-status st-" + a.status, "data-alert-id": a.alert_id }, statusZh(a)),
      el("div", { class: "last-step" }, lastStepText(a.last_step)),
      el("div", {}, ack, " ", alertLink(a, a.closed ? "查看" : "办理"), " ", msg),
    ];
  });
  const t = table(["类型", "当事人与案号", "区县", "承办/监督", "到期", "状态", "最近处理", "操作"], rows, { id: "inbox-table" });
  items.forEach((a, i) => { if (a.overdue) t.tBodies[0].rows[i].classList.add("overdue-row"); });
  return t;
}

// One alert: who acts and supervises under which rule, its history, and the caller's actions.
async function pageAlert(id) {
  setMain(el("p", {}, "加载中…"));
  let a;
  try { a = await api("/api/v1/alerts/" + encodeURIComponent(id)); } catch (err) { setMain(errorBox(err)); return; }
  const msg = el("p", { class: "error", id: "alert-error" });
  const reload = () => pageAlert(id);
  async function post(action, body) {
    try { await api(`/api/v1/alerts/${encodeURIComponent(id)}/${action}`, { json: body }); await reload(); }
    catch (err) { msg.textContent = err.message; }
  }
  const reason = el("textarea", { id: "action-reason", rows: 2, cols: 60, placeholder: "理由（必填）", "aria-label": "理由" });
  const documentNo = el("input", { id: "action-document", size: 30, placeholder: "依据文书（如立案决定书号、不移送理由书）", "aria-label": "依据文书" });
  const measure = el("select", { id: "escalate-measure", "aria-label": "监督措施" }, ["检察建议", "立案监督", "纠正意见"].map(m => el("option", { value: m }, m)));
  const need = () => { if (!reason.value.trim()) { msg.textContent = "请填写理由"; return false; } return true; };
  const allowed = a.allowed_actions || [];
  const buttons = [];
  if (allowed.includes("ACKNOWLEDGE") && a.status === "NEW") buttons.push(el("button", { type: "button", id: "do-acknowledge", onclick: () => post("acknowledge", { note: reason.value.trim() || null }) }, "确认"));
  if (allowed.includes("RESPOND")) buttons.push(el("button", { type: "button", id: "do-respond", onclick: () => need() && post("respond", { reason: reason.value.trim(), document: documentNo.value.trim() || null }) }, "回复（说明理由）"));
  if (allowed.includes("ACCEPT")) buttons.push(el("button", { type: "button", id: "do-accept", onclick: () => need() && post("accept", { reason: reason.value.trim() }) }, "采纳并办结"));
  if (allowed.includes("ESCALATE")) buttons.push(el("button", { type: "button", id: "do-escalate", onclick: () => need() && post("escalate", { measure: measure.value, reason: reason.value.trim(), document: documentNo.value.trim() || null }) }, "监督"));
  const closers = (a.closers || []).map(c => AGENCY[c] || c).join("、");
  const actions = a.closed
    ? el("p", { id: "alert-closed" }, "该告警已关闭", a.resolved_by ? `：${a.resolved_by} 于 ${fmtTime(a.resolved_at)} 办结，理由：${a.resolution_reason || "—"}` : "（后续事件已答复）")
    : el("div", { class: "card", id: "alert-actions" },
      buttons.length ? el("div", {}, reason, el("div", {}, documentNo, allowed.includes("ESCALATE") ? el("span", {}, " 措施：", measure) : null), el("div", {}, buttons)) : el("p", { class: "muted", id: "no-actions" }, "本机关对该告警无可办理的操作（只读）。"),
      el("p", { class: "muted" }, `办结权限：${closers || "—"}（依据告警职责规则）`), msg);
  const history = table(["时间", "操作", "人员", "角色", "机关", "理由", "依据文书"], (a.history || []).map(h => [fmtTime(h.at), ALERT_ACTION[h.action] || h.action, h.actor || "系统", USER_ROLE[h.actor_role] || h.actor_role || "—", AGENCY[h.actor_agency] || h.actor_agency || "—", h.reason || "—", h.document || "—"]), { id: "alert-history" });
  setMain(el("div", { class: "card" },
    el("h2", { id: "alert-title" }, a.alert_label, "　", a.matter ? a.matter.title : a.matter_id),
    el("p", {}, "案件：", matterTitle(a)),
    el("p", {}, "状态：", el("strong", { class: "alert-status st-" + a.status, id: "alert-status" }, statusZh(a)), "　到期：", dueCell(a)),
    el("p", {}, "承办机关：", agencyList(a.acting), "　监督机关：", agencyList(a.supervising)),
    el("p", { class: "muted" }, "职责依据：", a.authority_citation || "—"),
    a.due_rule ? el("p", { class: "muted", id: "due-rule" }, "期限依据：", a.due_rule) : null,
    explanationWithBasis(a)), actions, el("h3", {}, "处理记录"), history);
}

let ME = null;
const MAY_UNMASK = ["PROSECUTOR", "ADMIN", "AGENCY_OFFICER"];

function unmaskButton(reload) {
  if (!ME || !MAY_UNMASK.includes(ME.role)) return null;
  return el("button", { type: "button", id: "unmask", onclick: () => {
    const purpose = window.prompt("查看未脱敏个人信息将记入审计日志。请填写用途：");
    if (purpose && purpose.trim()) reload(purpose.trim());
  } }, "显示未脱敏信息");
}

// Values the sending agency masked itself cannot be unmasked here: say so beside them.
function sourceMasked(p, field) { return (p.masked_at_source || []).includes(field) ? "（报送时已脱敏）" : ""; }
function unmaskNote(purpose, someMaskedAtSource) {
  return el("p", { class: "muted", id: "unmask-note" }, "已显示未脱敏信息（已记入审计，用途：", purpose, "）",
    someMaskedAtSource ? "。标注“报送时已脱敏”的信息，报送机关发来时即已脱敏，本系统没有原值。" : "");
}
function unmaskQuery(purpose) { return purpose ? "?unmask=true&purpose=" + encodeURIComponent(purpose) : ""; }
function roleZh(role) { return ROLE[role] || "其他"; }
// An event named as people name it ("市场监管 行政处罚决定 2024/1/5"), never by its id.
function eventName(byId, id) {
  const e = byId[id];
  return e ? `${AGENCY[e.agency] || e.agency_label || e.agency} ${e.event_label}（${fmtTime(e.occurred_at)}）` : "（事件不在本案时间线中）";
}

// A civil suit has no accused: it is named "原告 诉 被告" as courts name it.
function civilTitle(m) {
  const parties = m.timeline.flatMap(e => e.parties);
  const plaintiff = parties.find(p => p.role === "PLAINTIFF");
  const defendant = parties.find(p => p.role === "CIVIL_DEFENDANT");
  return plaintiff && defendant ? `${plaintiff.name || "—"} 诉 ${defendant.name || "—"}` : null;
}

// The chaining guard (docs/DESIGN.md 6.1.1): one case number whose events fall into periods with
// no accused party and no right in common, years apart. The matter stays whole; people decide.
function chainingNotice(c, byId) {
  const accusedOf = e => (e ? e.parties.filter(p => ["RESPONDENT", "SUSPECT", "DEFENDANT"].includes(p.role)).map(p => p.name || "—").join("、") : "") || "—";
  const rightsOf = e => (e ? e.rights.map(r => r.reg_no).filter(Boolean).join("、") : "") || "—";
  return el("div", { class: "card chaining-review", role: "alert", "data-case-no": c.case_no },
    el("h3", {}, "⚠ ", c.notice),
    el("p", {}, `${AGENCY[c.agency] || c.agency} 案号 ${c.case_no} 下的事件分为 ${c.periods.length} 段，各段的当事人与权利均不相同，且相隔 ${c.min_gap_days} 日以上。`,
      "平台仍按同一案件展示，未自动拆分；请核实该案号是否被重复使用或数据有误。"),
    el("ol", {}, c.periods.map((p, i) => el("li", { class: "chaining-period" },
      el("strong", {}, `第${i + 1}段　${fmtTime(p.first_at)} 至 ${fmtTime(p.last_at)}`),
      el("ul", {}, p.event_ids.map(eid => el("li", { "data-event-id": eid }, eventName(byId, eid), "　当事人：", accusedOf(byId[eid]), "　权利：", rightsOf(byId[eid]))))))),
    el("p", { class: "muted" }, "依据：", c.basis));
}

async function pageMatter(id, purpose) {
  setMain(el("p", {}, "加载中…"));
  let m;
  try { m = await api("/api/v1/matters/" + encodeURIComponent(id) + unmaskQuery(purpose)); } catch (err) { setMain(errorBox(err)); return; }
  const byId = Object.fromEntries(m.timeline.map(e => [e.event_id, e]));
  const head = el("div", { class: "card" },
    el("h2", { id: "matter-title" }, (m.accused.map(p => p.name || "—").join("、") || civilTitle(m) || "案件全景"),
      (m.offenses || []).length ? "　" + m.offenses.map(o => OFFENSE[o] || o).join("、") : ""),
    el("p", { class: "muted" }, "案件编号 ", m.matter_id),
    purpose ? unmaskNote(purpose, m.accused.some(p => (p.masked_at_source || []).length)) : unmaskButton(p => pageMatter(id, p)),
    el("p", {}, "移送状态：", el("strong", { id: "referral-status" }, m.referral_status), "　涉及机关：", m.agencies.map(agencyBadge),
      "　区划：", m.regions.map(regionZh).join("、") || "—"),
    el("p", {}, "案号：", m.case_numbers.map(c => el("span", { class: "case-no" }, `${AGENCY[c.agency] || c.agency} ${c.case_no}；`))),
    el("p", {}, "涉案当事人：", m.accused.map(p => el("span", { class: "accused" }, partyLink(p.party_id, p.name || "（未具名）"), p.uscc ? ` (${p.uscc})` : "", p.id_no ? ` [${p.id_no}${sourceMasked(p, "id_no")}]` : "", "；"))));
  const timeline = el("ol", { class: "timeline", id: "timeline" }, m.timeline.map(e => el("li", { "data-event-id": e.event_id },
    el("div", {}, agencyBadge(e.agency), el("strong", {}, e.event_label), "　", fmtTime(e.occurred_at),
      e.history_label ? el("span", { class: "history" }, "　【", e.history_label, "】", e.corrects_event_id ? `（更正对象：${e.corrects_event_id}）` : "", e.corrected_by_event_id ? `（见 ${e.corrected_by_event_id}）` : "") : null),
    el("div", {}, "案号：", e.case_no, "　单位：", AGENCY[e.unit] || e.unit || "—", "　区划：", regionZh(e.region_code)),
    e.cause ? el("div", {}, "案由：", e.cause) : null,
    e.civil_outcome ? el("div", { class: "civil-outcome" }, "结果：", e.civil_outcome) : null,
    e.goods ? el("div", { class: "goods" }, "商品：", e.goods) : null,
    e.parties.length ? el("div", {}, "当事人：", e.parties.map(p => el("span", { class: "party" }, `${p.name || "—"}（${roleZh(p.role)}）`, p.id_no ? ` ${p.id_no}${sourceMasked(p, "id_no")}` : "", "；"))) : null,
    e.rights.length ? el("div", {}, "权利：", e.rights.map(r => `${RIGHT[r.kind] || r.kind} ${r.reg_no || ""} ${r.label || ""}；`)) : null,
    Object.keys(e.amounts).length ? el("div", {}, "金额：", Object.entries(e.amounts).map(([k, v]) => `${AMOUNT[k] || k} ${v} 元；`)) : null,
    e.refs.length ? el("div", { class: "muted" }, "关联：", e.refs.map(r => `${RELATION[r.relation] || r.relation} ${AGENCY[r.agency] || r.agency} ${r.case_no}；`)) : null)));
  const links = table(["类型", "事件A", "事件B", "得分", "依据"], m.links.map(l => [LINK[l.kind] || "关联", eventName(byId, l.a_event_id), eventName(byId, l.b_event_id), l.score.toFixed(2), l.evidence]), { id: "link-evidence" });
  const alerts = table(["告警", "状态", "处理", "到期", "说明", "处理记录"], m.alerts.map(a => [alertLink(a, a.alert_label), el("span", { class: "st-" + a.state }, a.state === "OPEN" ? "未关闭" : "已关闭"), statusZh(a), fmtTime(a.due_at), a.explanation, el("div", { class: "muted" }, (a.history || []).filter(h => h.actor).map(h => el("div", {}, lastStepText(h))))]), { id: "matter-alerts" });
  const clocks = table(["时限", "起算", "到期", "状态", "依据"], m.clocks.map(c => [CLOCK[c.kind] || c.kind, fmtTime(c.started_at), fmtTime(c.due_at), CLOCK_STATE[c.state] || c.state, c.basis]));
  // 一案四查 (ADR 0025): only matters with a criminal event carry a checklist.
  const reviews = (m.four_reviews || []).length ? [el("h3", {}, "一案四查"),
    table(["审查", "状态", "依据"], m.four_reviews.map(r => [r.area_label, el("span", { class: "review-" + r.status }, r.status_label), r.basis]), { id: "four-reviews" })] : [];
  setMain(head, (m.chaining_review || []).map(c => chainingNotice(c, byId)), ...reviews, el("h3", {}, "跨机关时间线"), timeline, el("h3", {}, "关联证据"), links, el("h3", {}, "告警"), alerts, el("h3", {}, "时限"), clocks);
}

async function pageParty(id, purpose) {
  setMain(el("p", {}, "加载中…"));
  let p;
  try { p = await api("/api/v1/parties/" + encodeURIComponent(id) + unmaskQuery(purpose)); } catch (err) { setMain(errorBox(err)); return; }
  setMain(
    el("div", { class: "card" }, el("h2", { id: "party-title" }, "当事人画像"),
      purpose ? unmaskNote(purpose, (p.masked_at_source || []).length > 0) : unmaskButton(q => pageParty(id, q)),
      el("p", {}, "名称：", el("span", { id: "party-names" }, p.names.join("、") || "—")),
      el("p", {}, "统一社会信用代码：", p.uscc.join("、") || "—", "　身份证号：", p.id_nos.map(i => i + sourceMasked(p, "id_no")).join("、") || "—"),
      el("p", {}, "涉及区划：", p.regions.map(regionZh).join("、") || "—")),
    riskSection(id),
    el("h3", {}, "全部案件"),
    table(["案件", "首次", "最近", "机关", "移送状态", "角色", "未关闭告警"], p.matters.map(m => [matterLink(m.matter_id), fmtTime(m.first_at), fmtTime(m.last_at), el("span", {}, m.agencies.map(agencyBadge)), m.referral_status, m.roles.map(roleZh).join("、"), m.open_alerts]), { id: "party-matters" }),
    el("h3", {}, "既往行政处罚"),
    p.penalties.length
      ? table(["时间", "机关", "区划", "案号", "罚款"], p.penalties.map(x => [fmtTime(x.occurred_at), AGENCY[x.agency] || x.agency, regionZh(x.region_code), x.case_no, x.fine === null ? "—" : x.fine + " 元"]), { id: "party-penalties" })
      : el("p", { class: "muted", id: "party-penalties" }, "在您可查看的案件中没有既往行政处罚记录。"));
}

// The party's risk class (issue 19): class, score, every factor with its weight, points and the
// events behind it, and the history of the class. Loaded beside the profile; a failure says so
// in place without hiding the rest of the page.
function riskSection(id) {
  const box = el("div", { class: "card", id: "party-risk" }, el("h3", {}, "信用风险分类"), el("p", { class: "muted" }, "加载中…"));
  api("/api/v1/parties/" + encodeURIComponent(id) + "/risk").then(r => {
    const cls = el("span", { class: "risk-class risk-" + r.class, id: "party-risk-class" }, r.class + " 类（" + (RISK_CLASS[r.class] || r.label || r.class) + "）");
    const factors = r.factors.length
      ? table(["因素", "权重", "件数", "得分", "所依据的事件"], r.factors.map(f => [el("span", {}, RISK_FACTOR[f.factor] || f.label || f.factor, f.priority ? el("span", { class: "priority" }, "（重点保护）") : null), f.weight, String(f.count), f.points, f.event_ids.join("、") || "（不在您可查看的案件中）"]), { id: "party-risk-factors" })
      : el("p", { class: "muted", id: "party-risk-factors" }, "没有计分因素。");
    const history = r.history.length
      ? table(["日期", "原分类", "新分类", "得分", "规则版本"], r.history.map(h => [h.as_of, h.previous_class || "—", h.class, h.score, h.version]), { id: "party-risk-history" })
      : el("p", { class: "muted" }, "分类未曾变化。");
    const priority = Object.keys(r.priority_matters || {}).length
      ? el("p", { class: "priority", id: "party-priority" }, "重点保护：", Object.entries(r.priority_matters).map(([m, why]) => el("span", {}, matterLink(m), "（" + why.join("；") + "）　")))
      : null;
    box.replaceChildren(...[el("h3", {}, "信用风险分类"), el("p", {}, "分类：", cls, "　得分：", el("span", { id: "party-risk-score" }, r.score), r.version ? "　规则版本：" + r.version + "（" + r.as_of + "）" : ""), priority, factors, el("h4", {}, "分类变化"), history].filter(Boolean));
  }).catch(err => box.replaceChildren(el("h3", {}, "信用风险分类"), errorBox(err)));
  return box;
}

async function pageSearch() {
  const fields = [["party", "当事人名称"], ["uscc", "统一社会信用代码"], ["id_no", "身份证号"], ["right_no", "权利号"], ["case_no", "案号"], ["region", "区划"], ["date_from", "起（日期）"], ["date_to", "止（日期）"]];
  const form = el("form", { class: "filters", id: "search-form" },
    fields.map(([n, l]) => el("label", {}, l + " ", el("input", { name: n, size: 14, type: n.startsWith("date") ? "date" : "text" }))),
    el("label", {}, "机关 ", el("select", { name: "agency" }, el("option", { value: "" }, "全部"), Object.entries(AGENCY).map(([k, v]) => el("option", { value: k }, v)))),
    el("label", {}, "告警 ", el("select", { name: "alert" }, el("option", { value: "any" }, "不限"), el("option", { value: "open" }, "有未关闭告警"), el("option", { value: "none" }, "无告警"))),
    el("button", { type: "submit" }, "检索"));
  const results = el("div", { id: "search-results" });
  setMain(el("h2", {}, "检索"), form, results);
  async function run(cursor) {
    // POST: criteria may hold an ID number, which must never appear in a URL.
    const q = {};
    for (const [k, v] of new FormData(form).entries()) if (v) q[k] = k === "date_from" ? v + "T00:00:00+08:00" : k === "date_to" ? v + "T23:59:59+08:00" : v;
    q.limit = 20;
    if (cursor) q.cursor = cursor;
    try {
      const data = await api("/api/v1/matters/search", { json: q });
      const more = data.next_cursor ? el("button", { type: "button", id: "next-page", onclick: () => run(data.next_cursor) }, "下一页") : null;
      // replaceChildren would print a missing "next page" button as the text "null".
      results.replaceChildren(...[el("p", { class: "muted" }, `共 ${data.total}${data.total_exact ? "" : "+"} 件`),
        table(["案件", "最近", "机关", "移送状态", "当事人", "案号", "告警"], data.items.map(m => [matterLink(m.matter_id), fmtTime(m.last_at), el("span", {}, m.agencies.map(agencyBadge)), m.referral_status, el("span", {}, m.accused.map(p => el("span", {}, partyLink(p.party_id, p.name || "—"), "；"))), m.case_numbers.map(c => c.case_no).join("；"), m.open_alerts.map(a => a.alert_label).join("、")]), { id: "search-table" }), more].filter(Boolean));
    } catch (err) { results.replaceChildren(errorBox(err)); }
  }
  form.addEventListener("submit", ev => { ev.preventDefault(); run(null); });
}

// --- charts (Apache ECharts, vendored in /static/vendor; ADR 0022) ----------------------------
// The server defines every chart (hub/services/reports.py report_charts): GET /api/v1/report
// returns [{id, title, height, option}], the same options the HTML report embeds. Here they
// are only drawn, so the dashboard and the report cannot drift apart.
let dashboardCharts = [];
function chartBox(spec) {
  return el("div", { class: "chart", id: "chart-" + spec.id, "data-chart-id": spec.id, role: "img", "aria-label": spec.title,
    style: `width:560px;max-width:100%;height:${spec.height}px` });
}
function drawCharts(specs) {
  dashboardCharts.forEach(c => c.dispose());
  dashboardCharts = [];
  for (const spec of specs) {
    const box = document.getElementById("chart-" + spec.id);
    if (!box) continue;
    if (!window.echarts) { box.textContent = "图表库未能加载，数据见下方表格。"; continue; }
    const chart = window.echarts.init(box, null, { locale: "ZH" });
    chart.setOption(spec.option);
    dashboardCharts.push(chart);
  }
}
window.addEventListener("resize", () => dashboardCharts.forEach(c => c.resize()));

// The dashboard's period: kept for the session so going to a matter and back keeps it.
const DASH_KEY = "hub.dashboard.period";
function dashboardQuery(period) {
  const q = new URLSearchParams();
  if (period.from) q.set("date_from", period.from + "T00:00:00+08:00");
  if (period.to) q.set("date_to", period.to + "T23:59:59.999999+08:00");
  return q.toString();
}
async function downloadReport(fmt, period, msg) {
  // Fetched (not a plain link) so a refusal shows its reason here instead of a bare error page.
  msg.textContent = "正在生成…";
  try {
    const q = dashboardQuery(period);
    const res = await fetch("/api/v1/report/file?format=" + fmt + (q ? "&" + q : ""), { credentials: "same-origin" });
    if (!res.ok) throw new Error((await res.json().catch(() => ({}))).detail || res.statusText);
    const url = URL.createObjectURL(await res.blob());
    const a = el("a", { href: url, download: "report." + fmt, id: "report-link-" + fmt });
    document.body.appendChild(a); a.click(); a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10000);
    msg.textContent = "已下载 report." + fmt;
  } catch (err) { msg.textContent = "出错：" + err.message; }
}
function rateCards(report) {
  // Inline layout: app.css belongs to the inbox work of another change.
  return el("div", { class: "rates", id: "rates", style: "display:flex;flex-wrap:wrap;gap:12px" }, Object.entries(report.rates).map(([key, r]) => {
    const pct = v => v === null || v === undefined ? "—" : (v * 100).toFixed(1) + "%";
    const prev = r.previous;
    const delta = prev && r.value !== null && prev.value !== null ? ((r.value - prev.value) * 100).toFixed(1) : null;
    return el("div", { class: "card rate", "data-rate": key, style: "min-width:220px;flex:1" },
      el("div", { class: "muted" }, r.label),
      el("div", { class: "rate-value", style: "font-size:24px;font-weight:bold" }, pct(r.value)),
      el("div", { class: "muted" }, `${r.done}/${r.total}`, prev ? `　上期 ${pct(prev.value)}（${prev.done}/${prev.total}）` : "　上期 —",
        delta === null ? "" : `　${delta >= 0 ? "+" : ""}${delta} 个百分点`),
      el("div", { class: "muted" }, r.meaning));
  }));
}
async function pageDashboard() {
  const period = JSON.parse(sessionStorage.getItem(DASH_KEY) || "{}");
  const form = el("form", { class: "filters", id: "dashboard-period" },
    el("label", {}, "起 ", el("input", { name: "from", type: "date", value: period.from || "" })),
    el("label", {}, "止 ", el("input", { name: "to", type: "date", value: period.to || "" })),
    el("button", { type: "submit" }, "统计"));
  const msg = el("span", { class: "muted", id: "report-download-msg" });
  const downloads = el("p", {}, "下载通报：",
    el("button", { type: "button", id: "download-html", onclick: () => downloadReport("html", period, msg) }, "HTML"), " ",
    el("button", { type: "button", id: "download-xlsx", onclick: () => downloadReport("xlsx", period, msg) }, "Excel"), " ", msg);
  const holder = el("div", { id: "dashboard-body" }, "加载中…");
  form.addEventListener("submit", ev => {
    ev.preventDefault();
    const f = new FormData(form);
    period.from = f.get("from") || ""; period.to = f.get("to") || "";
    sessionStorage.setItem(DASH_KEY, JSON.stringify(period));
    pageDashboard();
  });
  setMain(el("h2", { id: "dashboard-title" }, "联席会议看板"), form, downloads, holder);
  if (period.from && period.to && period.from > period.to) { holder.replaceChildren(errorBox(new Error("起始日期晚于截止日期"))); return; }
  let stats, std, report;
  const q = dashboardQuery(period);
  try { [stats, std, report] = await Promise.all([api("/api/v1/stats?" + q), api("/api/v1/standards?" + q), api("/api/v1/report?" + q)]); } catch (err) { holder.replaceChildren(errorBox(err)); return; }
  const overdue = report.overdue.rows;
  const agencyRows = Object.entries(stats.by_agency).map(([a, v]) => [AGENCY[a] || a, v.events || 0, v.forward_transfers || 0, v.reverse_referrals || 0, v.open_alerts || 0]);
  const regionRows = Object.entries(stats.by_region).map(([r, v]) => [regionZh(r), v.events || 0, v.forward_transfers || 0, v.reverse_referrals || 0, v.overdue_clocks || 0, v.open_alerts || 0]);
  const overdueRows = overdue.map((r, i) => [r[0], r[1], matterLink(report.overdue.matters[i]), r[2], r[3], r[4], r[5], r[6]]);
  holder.replaceChildren(
    el("p", { class: "muted", id: "dashboard-period-text" }, `统计期间：${report.period}　对比上期：${report.previous_period}　生成时间：${report.generated_at}`),
    rateCards(report),
    el("h3", {}, "主要指标与上期对比"), table(report.summary.headers, report.summary.rows, { id: "report-summary" }),
    el("h3", {}, `督办事项（逾期未办，${overdue.length} 项）`),
    table(["责任机关（应办理）", "时限", "事项", "责任机关案号", "起算文书案号", "到期时间", "逾期天数", "区划"], overdueRows, { id: "overdue-list" }),
    el("div", { class: "charts", id: "charts" }, report.charts.map(chartBox)),
    el("p", { class: "muted" }, "罚款幅度图：线段为各区罚款/违法经营额倍数的最小—最大值，圆点为中位数；红色并标【异常】的为偏离同类案件的组。"),
    el("h3", {}, "按机关"), table(["机关", "事件", "移送", "反向移送", "未关闭告警"], agencyRows, { id: "stats-agency" }),
    el("h3", {}, "按区划"), table(["区划", "事件", "移送", "反向移送", "逾期时限", "未关闭告警"], regionRows, { id: "stats-region" }),
    el("h3", {}, "处罚标准异常"), table(["违法类型", "金额档", "维度", "组", "中位倍数", "同类中位", "同类四分位区间", "原因"], std.outliers.map(o => [OFFENSE[o.offense] || o.offense, o.band, o.dimension === "region" ? "区划" : "机关", o.dimension === "region" ? regionZh(o.group) : (AGENCY[o.group] || o.group), o.median_ratio, o.peer_median ?? "—", `[${o.peer_range[0] ?? "—"}, ${o.peer_range[1] ?? "—"}]`, o.reason]), { id: "standards-outliers" }),
    // replaceChildren would print a left-out part (null) as the text "null".
    ...(std.outliers.length ? [] : [el("p", { class: "muted" }, "本期没有偏离同类案件的处罚组。")]));
  drawCharts(report.charts);
}

// Changed resends the hub refused (ADR 0019): administrators only; field names, never values.
async function pageConflicts() {
  setMain(el("p", {}, "加载中…"));
  let data;
  try { data = await api("/api/v1/conflicts"); } catch (err) { setMain(errorBox(err)); return; }
  setMain(
    el("h2", { id: "conflicts-title" }, "重发冲突"),
    el("p", { class: "muted" }, "同一 event_id 重发但内容不同：已拒收，存档保留首个版本。更正应以引用原事件的新事件发布。"),
    table(["事件", "主题", "收到时间", "存档版本哈希", "不同的字段"], data.items.map(c => [c.event_id || "—", c.topic, fmtTime(c.received_at), (c.archived_sha256 || "—").slice(0, 16), c.fields.join("、")]), { id: "conflicts" }),
    data.items.length ? null : el("p", { class: "muted" }, "没有重发冲突。"));
}

// --- router -------------------------------------------------------------------------------------
async function route() {
  if (!ME) return;  // showWho() is sending a signed-out browser to the sign-in page
  const hash = decodeURIComponent(location.hash.slice(1)) || "inbox";
  const [page, ...rest] = hash.split("/");
  const arg = rest.join("/");
  document.querySelectorAll("#nav a").forEach(a => a.classList.toggle("active", a.dataset.page === page));
  if (page === "matter" && arg) return pageMatter(arg);
  if (page === "party" && arg) return pageParty(arg);
  if (page === "alert" && arg) return pageAlert(arg);
  if (page === "search") return pageSearch();
  if (page === "dashboard") return pageDashboard();
  if (page === "conflicts") return pageConflicts();
  return pageInbox();
}

async function showWho() {
  try {
    const me = await api("/api/v1/me");
    ME = me;
    if (!labelsLoaded) applyLabels(me.labels);  // fallback: /api/v1/labels was not reachable
    document.getElementById("who").textContent = `${me.user}（${USER_ROLE[me.role] || "用户"}${me.agency ? "，" + (AGENCY[me.agency] || me.agency) : ""}）`;
    // Resend conflicts are for administrators only (the API refuses others): no link to a 403.
    const conflictsLink = document.querySelector('#nav a[data-page="conflicts"]');
    if (conflictsLink) conflictsLink.hidden = me.role !== "ADMIN";
    return true;
  } catch (err) {
    // 401: api() is on its way to the sign-in page; anything else: say so on the page.
    if (err.status !== 401) document.getElementById("main").replaceChildren(errorBox(err));
    return false;
  }
}

window.addEventListener("hashchange", route);
// Labels first (the pages render with them), then who, then the page.
loadLabels().then(showWho).then(route);
