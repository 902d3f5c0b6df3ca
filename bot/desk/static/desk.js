// The coordinators' desk: a Telegram Mini App. Every API call carries the initData Telegram
// signed; the server checks it and answers with views. Text from the server is put into the
// page as text (textContent), except `notice` (and a broadcast's preview, desk-broadcasts.js),
// which the bot made safe HTML.
"use strict";

const tg = window.Telegram && window.Telegram.WebApp;
const hash = new URLSearchParams(location.hash.slice(1));
const AUTH = (tg && tg.initData) || hash.get("tgWebAppData") || "";
const API = new URL("api/", location.origin + location.pathname);
const view = document.getElementById("view");
const tabs = document.getElementById("tabs");
let T = {}; // the page's words, in the person's language
let L = {}; // labels of roles, statuses, lights, sectors
let ME = null;
let fmtDate = null;
let fmtDay = null;

// --- small helpers ------------------------------------------------------------------------------

function t(key, values) {
  let text = T[key] || key;
  for (const [name, value] of Object.entries(values || {})) text = text.replace(`{${name}}`, value);
  return text;
}

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (name === "on") for (const [ev, fn] of Object.entries(value)) node.addEventListener(ev, fn);
    else if (name === "class") node.className = value;
    else node.setAttribute(name, value === true ? "" : value);
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

function when(iso) { return iso ? fmtDate.format(new Date(iso)) : "–"; }
function day(iso) { return iso ? fmtDay.format(new Date(iso)) : "–"; }
function percent(value) { return value === null || value === undefined ? "–" : `${value}%`; }

function show(...nodes) { view.replaceChildren(...nodes); window.scrollTo(0, 0); }

function status(key) {
  const holder = document.getElementById("status") || el("p", { id: "status", class: "muted" });
  show(el("p", { class: "muted notice error" }, holder.dataset[key] || key));
}

class Problem extends Error {
  constructor(status, message) { super(message); this.status = status; }
}

async function call(path, options) {
  const init = Object.assign({ headers: {} }, options || {});
  init.headers.Authorization = "tma " + AUTH;
  if (init.json !== undefined) {
    init.body = JSON.stringify(init.json);
    init.headers["Content-Type"] = "application/json";
  }
  const response = await fetch(new URL(path, API), init);
  if (response.status === 401) { status("expired"); throw new Problem(401, "expired"); }
  if (!response.ok) {
    let message = "";
    try { message = (await response.json()).message; } catch (_) { /* not JSON */ }
    throw new Problem(response.status, message || response.statusText);
  }
  return init.raw ? response : response.json();
}

function notice(html, isError) {
  const box = el("div", { class: "notice" + (isError ? " error" : ""), role: "status" });
  if (isError) box.textContent = html; else box.innerHTML = html;
  return box;
}

async function confirmDialog(text, yes) {
  const dialog = document.getElementById("confirm");
  document.getElementById("confirm-text").textContent = text;
  document.getElementById("confirm-yes").textContent = yes;
  document.getElementById("confirm-no").textContent = t("no");
  dialog.showModal();
  return new Promise((resolve) => {
    dialog.addEventListener("close", () => resolve(dialog.returnValue === "yes"), { once: true });
  });
}

async function guarded(fn) {
  try { await fn(); } catch (problem) {
    if (problem.status === 401) return;
    view.prepend(notice(problem.message || t("trouble"), true));
  }
}

// A sortable, filterable table over rows already loaded.
function table(columns, rows, onOpen, initialSort) {
  let sort = initialSort || { key: columns[0].key, dir: 1 };
  const tbody = el("tbody");
  const heads = columns.map((c) =>
    el("th", {
      class: (c.sortable === false ? "" : "sortable ") + (c.number ? "number" : "") + (c.narrow ? " hide-narrow" : ""),
      scope: "col", "data-key": c.key,
      on: c.sortable === false ? {} : { click: () => { sort = { key: c.key, dir: sort.key === c.key ? -sort.dir : 1 }; draw(); } },
    }, c.label));
  function value(row, c) { return c.sortValue ? c.sortValue(row) : c.value(row); }
  function draw() {
    const c = columns.find((x) => x.key === sort.key);
    const sorted = [...rows].sort((a, b) => {
      const x = value(a, c), y = value(b, c);
      if (x === y) return 0;
      if (x === null || x === undefined) return 1;
      if (y === null || y === undefined) return -1;
      return (x < y ? -1 : 1) * sort.dir;
    });
    heads.forEach((h) => h.removeAttribute("aria-sort"));
    const active = heads.find((h) => h.dataset.key === sort.key);
    if (active) active.setAttribute("aria-sort", sort.dir === 1 ? "ascending" : "descending");
    tbody.replaceChildren(...sorted.map((row) => el("tr",
      { class: onOpen ? "clickable" : "", on: onOpen ? { click: () => onOpen(row) } : {} },
      columns.map((c) => el("td", { class: (c.number ? "number" : "") + (c.narrow ? " hide-narrow" : "") },
        c.render ? c.render(row) : c.value(row))))));
  }
  draw();
  return el("div", { class: "table-wrap" },
    el("table", {}, el("thead", {}, el("tr", {}, heads)), tbody));
}

function lights(quarter) {
  return el("span", {},
    el("span", { class: "dot red", title: L.lights.red }, quarter.red), " ",
    el("span", { class: "dot yellow", title: L.lights.yellow }, quarter.yellow), " ",
    el("span", { class: "dot green", title: L.lights.green }, quarter.green));
}

function reach(focal) {
  if (focal.paused_since) return el("span", { class: "chip" }, `${focal.name} · ${t("paused")}`);
  if (focal.unreachable_since) {
    return el("span", { class: "chip red" }, `${focal.name} · ${t("unreachable_since", { date: day(focal.unreachable_since) })}`);
  }
  return el("span", { class: "chip green" }, `${focal.name} · ${t("reachable")}`);
}

function back(label, fn) {
  if (tg && tg.BackButton) { tg.BackButton.offClick(goBack); goBackTo = fn; tg.BackButton.onClick(goBack); tg.BackButton.show(); }
  return el("p", {}, el("button", { class: "link", on: { click: fn } }, "← " + label));
}
let goBackTo = null;
function goBack() { if (goBackTo) goBackTo(); }
function noBack() { if (tg && tg.BackButton) tg.BackButton.hide(); goBackTo = null; }

// --- the programme at a glance ----------------------------------------------------------------

async function overviewTab() {
  const data = await call("overview");
  const s = data.summary, b = s.businesses;
  const card = (figure, label) => el("div", { class: "card" }, el("div", { class: "figure" }, figure), el("div", { class: "label" }, label));
  show(
    el("h2", {}, t("at_a_glance")),
    el("p", { class: "muted", id: "computed" }, t("computed_at", { date: when(s.now) })),
    el("div", { class: "cards", id: "figures" },
      card(b.invited, t("invited")), card(b.joined, t("joined")),
      card(b.submitted, t("submitted")), card(percent(b.average), t("average_readiness")),
      card(s.questions.open, t("open_questions")), card(s.unreachable_total, t("unreachable"))),
    el("div", { class: "grid2" },
      el("section", {}, el("h3", {}, t("needs_attention")),
        b.attention.length ? el("ul", {}, b.attention.map((r) => el("li", {},
          el("button", { class: "link", on: { click: () => businessPage(r.id, overviewTab) } }, r.name),
          ` · ${data.sectors[r.sector] || r.sector} · ${percent(r.readiness)} · ${t("last_active")} ${day(r.active_at)}`)))
          : el("p", { class: "muted" }, t("nothing"))),
      el("section", {}, el("h3", {}, t("deadlines_due")),
        s.deadlines.length ? el("ul", {}, s.deadlines.map((d) => el("li", {},
          el("b", {}, d.title), ` · ${day(d.due_at)} · `,
          t("agencies_done", { done: d.done, total: d.agencies }),
          d.late ? el("span", { class: "chip red" }, t("agencies_late", { late: d.late })) : "")))
          : el("p", { class: "muted" }, t("nothing"))),
      el("section", {}, el("h3", {}, t("iso_quarter", { period: s.period })),
        el("ul", {}, s.iso.map((row) => el("li", {}, `${row.short_name}: ${row.rated}/${s.indicators} `,
          row.submitted ? el("span", { class: "chip green" }, t("submitted_short")) : "")))),
      el("section", {}, el("h3", {}, t("unreachable")),
        s.unreachable.length ? el("ul", {}, s.unreachable.map((p) => el("li", {},
          `${p.name} · ${p.business || p.agency || ""} · ${t("unreachable_since", { date: day(p.since) })}`)))
          : el("p", { class: "muted" }, t("nothing")))));
}

// --- businesses -------------------------------------------------------------------------------

const DAY_MS = 24 * 3600 * 1000;

async function businessesTab() {
  const data = await call("businesses");
  const now = new Date(data.now).getTime();
  const search = el("input", { type: "search", id: "business-search", placeholder: t("search_name") });
  const sector = el("select", { id: "business-sector" }, el("option", { value: "" }, t("all_sectors")),
    Object.entries(data.sectors).map(([key, name]) => el("option", { value: key }, name)));
  const readiness = el("select", { id: "business-readiness" },
    el("option", { value: "" }, t("any_readiness")), el("option", { value: "none" }, t("not_submitted")),
    el("option", { value: "low" }, "< 50%"), el("option", { value: "mid" }, "50–79%"), el("option", { value: "high" }, "≥ 80%"));
  const activity = el("select", { id: "business-activity" },
    el("option", { value: "" }, t("any_activity")), el("option", { value: "idle" }, t("inactive_week")),
    el("option", { value: "active" }, t("active_week")));
  const asked = el("select", { id: "business-questions" },
    el("option", { value: "" }, t("any_questions")), el("option", { value: "open" }, t("with_open_questions")));
  const holder = el("div");
  const count = el("span", { class: "muted", id: "business-count" });
  const columns = [
    { key: "name", label: t("business"), value: (r) => r.business.name, sortValue: (r) => r.business.name.toLowerCase() },
    { key: "sector", label: t("sector"), value: (r) => data.sectors[r.business.sector] || r.business.sector },
    { key: "readiness", label: t("readiness"), number: true, value: (r) => r.business.readiness, render: (r) => percent(r.business.readiness) },
    { key: "active", label: t("last_active"), value: (r) => r.business.active_at, render: (r) => day(r.business.active_at) },
    { key: "questions", label: t("open_questions"), number: true, value: (r) => r.open_questions },
    { key: "owner", label: t("owner"), narrow: true, value: (r) => r.owner_name, render: (r) => `${r.owner_name}${r.business.joined ? "" : " · " + t("not_joined")}` },
  ];
  function keep(r) {
    const b = r.business;
    const needle = search.value.trim().toLowerCase();
    if (needle && !b.name.toLowerCase().includes(needle) && !r.owner_name.toLowerCase().includes(needle)) return false;
    if (sector.value && b.sector !== sector.value) return false;
    const score = b.readiness;
    if (readiness.value === "none" && score !== null) return false;
    if (readiness.value === "low" && !(score !== null && score < 50)) return false;
    if (readiness.value === "mid" && !(score !== null && score >= 50 && score < 80)) return false;
    if (readiness.value === "high" && !(score !== null && score >= 80)) return false;
    const idle = now - new Date(b.active_at).getTime() >= 7 * DAY_MS;
    if (activity.value === "idle" && !idle) return false;
    if (activity.value === "active" && idle) return false;
    if (asked.value === "open" && r.open_questions === 0) return false;
    return true;
  }
  let sort;
  function draw() {
    const rows = data.rows.filter(keep);
    count.textContent = t("shown_of", { shown: rows.length, total: data.rows.length });
    const drawn = table(columns, rows, (r) => businessPage(r.business.id, businessesTab), sort);
    holder.replaceChildren(drawn);
  }
  for (const input of [search, sector, readiness, activity, asked]) input.addEventListener("input", draw);
  draw();
  show(el("h2", {}, t("businesses")), el("div", { class: "filters" }, search, sector, readiness, activity, asked, count), holder);
}

const ANSWERS = { ya: "answer_yes", sebagian: "answer_partly", belum: "answer_no", tidak_berlaku: "answer_na" };

function evidenceImage(id) {
  const img = el("img", { class: "thumb", alt: t("evidence"), "data-evidence": id });
  call(`evidence/${id}`, { raw: true })
    .then((r) => r.blob())
    .then((blob) => {
      if (blob.type.startsWith("image/")) img.src = URL.createObjectURL(blob);
      else img.replaceWith(el("span", { class: "chip" }, t("document")));
    })
    .catch(() => img.replaceWith(el("span", { class: "chip" }, t("evidence"))));
  return img;
}

async function businessPage(id, from) {
  const h = await call(`businesses/${id}`);
  const row = h.row.business;
  const heads = h.versions.map((v) => el("th", {}, v.submitted_at ? day(v.submitted_at) : t("draft"), el("br"), percent(v.percent)));
  const items = h.items.map((item) => el("tr", {},
    el("td", {}, el("div", { class: "note" }, item.section), item.question),
    item.answers.map((a) => el("td", {},
      a && a.value ? t(ANSWERS[a.value]) : "–",
      a && a.note ? el("div", { class: "note" }, a.note) : "",
      a && a.evidence_id ? evidenceImage(a.evidence_id) : ""))));
  show(
    back(t("back"), () => { noBack(); guarded(from); }),
    el("h2", { id: "business-name" }, row.name),
    el("p", {}, `${L.sectors[row.sector] || row.sector} · ${t("owner")}: ${h.row.owner_name}`,
      h.phone ? ` · ${h.phone}` : "", ` · ${t("readiness")}: ${percent(row.readiness)} · ${t("last_active")} ${day(row.active_at)}`),
    el("h3", {}, t("answers_over_time"), " · ", h.checklist),
    h.versions.length
      ? el("div", { class: "table-wrap" }, el("table", { id: "history" }, el("thead", {}, el("tr", {}, el("th", {}, t("item")), heads)), el("tbody", {}, items)))
      : el("p", { class: "muted" }, t("no_answers")),
    el("h3", {}, t("next_steps")),
    h.steps.length ? el("ol", {}, h.steps.map((s) => el("li", {}, s))) : el("p", { class: "muted" }, t("nothing")),
    el("h3", {}, t("questions")),
    h.questions.length ? el("ul", {}, h.questions.map((q) => el("li", {},
      el("div", {}, q.question.text), el("div", { class: "note" }, `${when(q.question.asked_at)} · ${t("status_" + q.question.status)}`),
      q.question.evidence_id ? evidenceImage(q.question.evidence_id) : "",
      q.answer ? el("div", { class: "notice" }, el("b", {}, q.mentor_name), `: ${q.answer}`) : "")))
      : el("p", { class: "muted" }, t("nothing")));
}

// --- agencies ---------------------------------------------------------------------------------

async function agenciesTab() {
  const data = await call("agencies");
  const columns = [
    { key: "name", label: t("agency"), value: (r) => r.short_name, render: (r) => el("span", { title: r.name }, r.short_name) },
    { key: "kept", label: t("kept"), number: true, value: (r) => r.kept },
    { key: "late", label: t("late"), number: true, value: (r) => r.late },
    { key: "missed", label: t("missed"), number: true, value: (r) => r.missed },
    { key: "open", label: t("running"), number: true, value: (r) => r.open },
    ...data.periods.map((period, i) => ({ key: "q" + i, label: period, sortable: false, narrow: i > 0, value: (r) => "", render: (r) => (r.quarters[i] ? lights(r.quarters[i]) : "–") })),
    { key: "focal", label: t("focal_points"), sortable: false, value: () => "", render: (r) => (r.focal_points.length ? r.focal_points.map(reach) : el("span", { class: "chip yellow" }, t("no_focal_point"))) },
  ];
  show(el("h2", {}, t("agencies")), el("p", { class: "muted" }, t("computed_at", { date: when(data.now) })),
    table(columns, data.rows, (r) => agencyPage(r.id, agenciesTab)));
}

async function agencyPage(id, from) {
  const p = await call(`agencies/${id}`);
  const r = p.record;
  const outcome = (o) => el("span", { class: "chip " + { kept: "green", late: "yellow", missed: "red", open: "" }[o] }, t(o === "open" ? "running" : o));
  show(
    from ? back(t("back"), () => { noBack(); guarded(from); }) : "",
    el("h2", { id: "agency-name" }, r.name),
    el("div", { class: "cards" },
      [["kept", r.kept], ["late", r.late], ["missed", r.missed], ["running", r.open]].map(([k, n]) =>
        el("div", { class: "card" }, el("div", { class: "figure" }, n), el("div", { class: "label" }, t(k))))),
    el("h3", {}, t("focal_points")),
    r.focal_points.length ? el("p", {}, r.focal_points.map((f) => [reach(f), f.last_answer_at ? el("span", { class: "note" }, ` ${t("last_answer")} ${day(f.last_answer_at)} `) : ""])) : el("p", { class: "muted" }, t("no_focal_point")),
    el("h3", {}, t("deadlines")),
    table([
      { key: "due", label: t("due"), value: (d) => d.due_at, render: (d) => day(d.due_at) },
      { key: "title", label: t("deadline"), value: (d) => d.title },
      { key: "outcome", label: t("outcome"), value: (d) => d.outcome, render: (d) => outcome(d.outcome) },
      { key: "done", label: t("done_at"), value: (d) => d.done_at, render: (d) => day(d.done_at) },
    ], p.deadlines, (d) => deadlinePage(d.deadline_id, () => agencyPage(id, from))),
    el("h3", {}, t("iso_lights")),
    p.sheets.length ? p.sheets.map((sheet) => el("section", {},
      el("h3", {}, `${sheet.period} · ${sheet.state === "submitted" ? t("submitted_short") : t("draft")}`),
      el("div", { class: "table-wrap" }, el("table", {}, el("tbody", {},
        Object.values(sheet.ratings).map((rating) => el("tr", {},
          el("td", {}, rating.indicator_id),
          el("td", {}, rating.light ? el("span", { class: "chip " + { red: "red", yellow: "yellow", green: "green" }[rating.light] }, L.lights[rating.light]) : "–"),
          el("td", {}, rating.note || "", rating.evidence_id ? evidenceImage(rating.evidence_id) : ""))))))))
      : el("p", { class: "muted" }, t("nothing")));
}

// --- deadlines by week ------------------------------------------------------------------------

function mondayOf(iso) {
  const local = new Date(new Date(iso).toLocaleString("en-US", { timeZone: ME.zone }));
  const monday = new Date(local);
  monday.setDate(local.getDate() - ((local.getDay() + 6) % 7));
  monday.setHours(12, 0, 0, 0);
  return monday;
}

async function deadlinesTab() {
  const data = await call("deadlines");
  const now = new Date(data.now).getTime();
  const agencyNames = new Map();
  for (const d of data.items) for (const a of d.agencies) agencyNames.set(a.agency.id, a.agency.name);
  const agency = el("select", { id: "deadline-agency" }, el("option", { value: "" }, t("all_agencies")),
    [...agencyNames].map(([aid, name]) => el("option", { value: aid }, name)));
  const state = el("select", { id: "deadline-state" }, el("option", { value: "" }, t("any_status")),
    el("option", { value: "late" }, t("late_not_done")), el("option", { value: "waiting" }, t("not_answered")),
    el("option", { value: "done" }, t("all_done")));
  const holder = el("div");
  function rowsOf(d) { return d.agencies.filter((a) => !agency.value || String(a.agency.id) === agency.value); }
  function keep(d) {
    const rows = rowsOf(d);
    if (!rows.length) return false;
    if (state.value === "late") return rows.some((a) => a.status !== "done" && new Date(a.due_at).getTime() < now);
    if (state.value === "waiting") return rows.some((a) => !a.status);
    if (state.value === "done") return rows.every((a) => a.status === "done");
    return true;
  }
  function draw() {
    const weeks = new Map();
    for (const d of data.items.filter(keep)) {
      const monday = mondayOf(d.deadline.due_at);
      const key = monday.toISOString().slice(0, 10);
      if (!weeks.has(key)) weeks.set(key, { monday, items: [] });
      weeks.get(key).items.push(d);
    }
    const sorted = [...weeks.entries()].sort(([a], [b]) => (a < b ? -1 : 1));
    holder.replaceChildren(...(sorted.length ? sorted.map(([key, w]) => el("section", { class: "week", "data-week": key },
      el("h3", {}, t("week_of", { date: fmtDay.format(w.monday) })),
      el("ul", {}, w.items.map((d) => el("li", {},
        el("button", { class: "link", on: { click: () => deadlinePage(d.deadline.id, deadlinesTab) } }, d.deadline.title),
        ` · ${L.kinds[d.deadline.kind] || d.deadline.kind} · ${when(d.deadline.due_at)} `,
        el("div", {}, rowsOf(d).map((a) => el("span", {
          class: "chip " + (a.status === "done" ? "green" : new Date(a.due_at).getTime() < now ? "red" : a.status ? "yellow" : ""),
        }, `${a.agency.name}: ${a.status ? L.statuses[a.status] : t("not_answered")}`)))))))) : [el("p", { class: "muted" }, t("nothing"))]));
  }
  agency.addEventListener("input", draw);
  state.addEventListener("input", draw);
  draw();
  show(el("h2", {}, t("deadlines")), el("div", { class: "filters" }, agency, state), holder);
}

async function deadlinePage(id, from) {
  const h = await call(`deadlines/${id}`);
  const d = h.deadline.deadline;
  show(
    back(t("back"), () => { noBack(); guarded(from); }),
    el("h2", { id: "deadline-title" }, d.title),
    el("p", {}, `${L.kinds[d.kind] || d.kind} · ${t("due")}: ${when(d.due_at)}`),
    d.description ? el("p", { class: "muted" }, d.description) : "",
    el("h3", {}, t("agencies")),
    el("ul", {}, h.deadline.agencies.map((a) => el("li", {}, `${a.agency.name} · ${day(a.due_at)} · `,
      a.status ? L.statuses[a.status] : t("not_answered"), a.answered_by.length ? ` (${a.answered_by.join(", ")})` : ""))),
    el("h3", {}, t("reminder_history")),
    h.reminders.length ? table([
      { key: "due", label: t("planned_for"), value: (r) => r.due_at, render: (r) => when(r.due_at) },
      { key: "agency", label: t("agency"), value: (r) => r.agency },
      { key: "recipient", label: t("recipient"), value: (r) => r.recipient },
      { key: "label", label: t("which"), value: (r) => r.label || t("escalation") },
      { key: "state", label: t("state"), value: (r) => r.state, render: (r) => t("outbox_" + r.state) },
      { key: "sent", label: t("sent_at"), value: (r) => r.sent_at, render: (r) => when(r.sent_at) },
    ], h.reminders, null, { key: "due", dir: 1 }) : el("p", { class: "muted" }, t("nothing")),
    el("h3", {}, t("answers")),
    h.answers.length ? el("ul", {}, h.answers.map((a) => el("li", {}, `${when(a.at)} · ${a.agency} · ${a.person}: ${L.statuses[a.status]}`,
      a.note ? el("div", { class: "note" }, a.note) : ""))) : el("p", { class: "muted" }, t("nothing")));
}

// --- questions ----------------------------------------------------------------------------------

async function questionsTab() {
  const data = await call("questions");
  show(el("h2", {}, t("open_questions")), el("p", { class: "muted" }, t("total", { total: data.total })),
    data.items.length ? el("ul", {}, data.items.map((q) => el("li", {},
      el("b", {}, q.business_name), ` · ${L.sectors[q.sector] || q.sector} · ${when(q.asked_at)} · ${t("status_" + q.status)}`,
      el("div", {}, q.text), q.evidence_id ? evidenceImage(q.evidence_id) : "")))
      : el("p", { class: "muted" }, t("nothing")),
    el("p", { class: "muted" }, t("answer_in_chat")));
}

// --- exports ------------------------------------------------------------------------------------

async function exportsTab() {
  const data = await call("exports");
  const what = el("select", { id: "export-what" }, data.kinds.map((k) => el("option", { value: k.value }, k.label)));
  const format = el("select", { id: "export-format" }, data.formats.map((f) => el("option", { value: f.value }, f.label)));
  const result = el("div", { id: "export-result" });
  const button = el("button", { class: "primary", id: "export-download", on: { click: () => guarded(async () => {
    button.disabled = true;
    try {
      const response = await call(`exports/${what.value}/${format.value}`, { raw: true });
      const name = (response.headers.get("Content-Disposition") || "").split('filename="')[1].replace('"', "");
      const url = URL.createObjectURL(await response.blob());
      const link = el("a", { href: url, download: name, id: "export-link" }, name);
      result.replaceChildren(notice(t("export_ready"), false), el("p", {}, link));
      link.click();
    } finally { button.disabled = false; }
  }) } }, t("download"));
  show(el("h2", {}, t("export")), el("p", { class: "muted" }, t("export_hint")),
    el("div", { class: "filters" }, what, format, button), result);
}

// --- people: the /orang actions ------------------------------------------------------------------

async function peopleTab(message) {
  const data = await call("people?" + new URLSearchParams(peopleFilter));
  const o = data.overview;
  const role = el("select", { id: "people-role" }, el("option", { value: "" }, t("everyone")),
    Object.keys(o.by_role).map((r) => el("option", { value: r, selected: peopleFilter.role === r }, `${L.roles[r]} (${o.by_role[r]})`)));
  const paused = el("label", {}, el("input", { type: "checkbox", id: "people-paused", checked: peopleFilter.paused === "1" }), ` ${t("paused")} (${o.paused})`);
  const search = el("input", { type: "search", id: "people-search", value: peopleFilter.q, placeholder: t("search_name") });
  const apply = () => {
    Object.assign(peopleFilter, { role: role.value, paused: paused.querySelector("input").checked ? "1" : "", q: search.value.trim() });
    guarded(() => peopleTab());
  };
  role.addEventListener("change", apply);
  paused.addEventListener("change", apply);
  search.addEventListener("change", apply);
  const list = table([
    { key: "name", label: t("name"), value: (p) => p.name },
    { key: "roles", label: t("roles"), value: (p) => p.roles.map((r) => L.roles[r]).join(", ") },
    { key: "where", label: t("agency_or_business"), value: (p) => p.agency || p.business || "" },
    { key: "paused", label: t("access"), value: (p) => (p.paused ? t("paused") : t("active")) },
  ], data.page.items, (p) => personPage(p.id));
  show(
    el("h2", {}, t("people")),
    message ? notice(message, false) : "",
    el("div", { class: "filters" }, role, paused, search,
      el("span", { class: "muted" }, t("shown_of", { shown: data.page.items.length, total: data.page.total }))),
    list,
    el("div", { class: "grid2" }, inviteForm(), el("section", { id: "invitations" }, el("h3", {}, t("unused_invitations"), ` (${o.invitations})`), el("div", { id: "invitation-list" }))));
  await invitationList();
}
const peopleFilter = { role: "", paused: "", q: "" };

async function invitationList() {
  const data = await call("invitations");
  const holder = document.getElementById("invitation-list");
  if (!holder) return;
  holder.replaceChildren(data.items.length ? el("ul", {}, data.items.map((i) => el("li", { "data-invitation": i.id },
    `${i.business || i.invitee_name || "–"} · ${L.roles[i.role]}${i.agency ? " · " + i.agency : ""} · `,
    i.expired ? el("span", { class: "chip yellow" }, t("expired")) : t("valid_until", { date: day(i.expires_at) }), " ",
    el("button", { class: "small danger", on: { click: () => guarded(async () => {
      if (!(await confirmDialog(t("cancel_invitation_q", { name: i.business || i.invitee_name || "–" }), t("yes_cancel")))) return;
      const done = await call(`invitations/${i.id}`, { method: "DELETE" });
      await peopleTab(done.notice);
    }) } }, t("cancel_link")))))
    : el("p", { class: "muted" }, t("nothing")));
}

function inviteForm() {
  const role = el("select", { name: "role", id: "invite-role" }, ["umkm", "focal", "mentor", "coordinator"].map((r) => el("option", { value: r }, L.roles[r])));
  const salutation = el("select", { name: "salutation" }, el("option", { value: "" }, t("name_only")),
    el("option", { value: "bapak" }, "Bapak"), el("option", { value: "ibu" }, "Ibu"));
  const name = el("input", { name: "name", id: "invite-name", maxlength: 120 });
  const business = el("input", { name: "business", id: "invite-business", maxlength: 120 });
  const sector = el("select", { name: "sector" }, Object.entries(L.sectors).map(([k, n]) => el("option", { value: k }, n)));
  const phone = el("input", { name: "phone", maxlength: 32 });
  const agency = el("select", { name: "agency_id", id: "invite-agency" });
  call("agencies").then((a) => agency.replaceChildren(...a.rows.map((r) => el("option", { value: r.id }, r.name)))).catch(() => {});
  const forBusiness = [el("label", {}, t("business_name"), business), el("label", {}, t("sector"), sector), el("label", {}, t("phone_optional"), phone)];
  const forFocal = [el("label", {}, t("agency"), agency)];
  const result = el("div", { id: "invite-result" });
  function toggle() {
    forBusiness.forEach((n) => { n.hidden = role.value !== "umkm"; });
    forFocal.forEach((n) => { n.hidden = role.value !== "focal"; });
  }
  role.addEventListener("change", toggle);
  toggle();
  const form = el("form", { class: "stack", id: "invite-form", on: { submit: (event) => { event.preventDefault(); guarded(async () => {
    const body = { role: role.value, salutation: salutation.value, name: name.value };
    if (role.value === "umkm") Object.assign(body, { business: business.value, sector: sector.value, phone: phone.value });
    if (role.value === "focal") body.agency_id = agency.value;
    try {
      const made = await call("invitations", { method: "POST", json: body });
      result.replaceChildren(notice(made.notice, false), el("p", {}, el("code", { class: "link-out", id: "invite-link" }, made.link)));
      await invitationList();
    } catch (problem) {
      if (problem.status !== 401) result.replaceChildren(notice(problem.message, true));
    }
  }); } } },
    el("h3", {}, t("invite")), el("label", {}, t("role"), role), el("label", {}, t("salutation"), salutation),
    el("label", {}, t("invitee_name"), name), forBusiness, forFocal, el("button", { class: "primary" }, t("make_link")), result);
  return form;
}

async function personPage(id, message) {
  const data = await call(`people/${id}`);
  const p = data.person;
  const held = new Set(p.roles.map((r) => r.role));
  const change = async (question, yes, path, options) => {
    if (!(await confirmDialog(question, yes))) return;
    const done = await call(path, options);
    await personPage(id, done.notice);
  };
  const roleSelect = el("select", { id: "grant-role" }, data.grantable.filter((r) => !held.has(r)).map((r) => el("option", { value: r }, L.roles[r])));
  const agencySelect = el("select", { id: "grant-agency" }, data.agencies.map((a) => el("option", { value: a.id }, a.name)));
  const showAgency = () => { agencySelect.hidden = roleSelect.value !== "focal"; };
  roleSelect.addEventListener("change", showAgency);
  showAgency();
  show(
    back(t("back"), () => { noBack(); guarded(() => peopleTab()); }),
    message ? notice(message, false) : "",
    el("h2", { id: "person-name" }, p.name),
    el("p", { class: "muted" }, [p.agency, p.business].filter(Boolean).join(" · "), ` · ${t("joined_on", { date: day(p.joined_at) })}`,
      p.paused_since ? ` · ${t("paused")}` : "", p.unreachable_since ? ` · ${t("unreachable_since", { date: day(p.unreachable_since) })}` : ""),
    el("h3", {}, t("roles")),
    p.roles.length ? el("ul", {}, p.roles.map((r) => el("li", {}, L.roles[r.role], r.source === "setting" ? el("span", { class: "note" }, ` (${t("from_setting")})`) : "", " ",
      r.source === "setting" ? "" : el("button", { class: "small danger", "data-revoke": r.role, on: { click: () => guarded(() =>
        change(t("revoke_q", { role: L.roles[r.role], name: p.name }), t("yes_revoke"), `people/${id}/roles/${r.role}`, { method: "DELETE" })) } }, t("remove")))))
      : el("p", { class: "muted" }, t("nothing")),
    roleSelect.options.length ? el("div", { class: "filters" }, roleSelect, agencySelect,
      el("button", { class: "primary", id: "grant", on: { click: () => guarded(() =>
        change(t("grant_q", { role: L.roles[roleSelect.value], name: p.name }), t("yes_grant"), `people/${id}/roles`,
          { method: "POST", json: { role: roleSelect.value, agency_id: roleSelect.value === "focal" ? agencySelect.value : null } })) } }, t("give_role"))) : "",
    el("h3", {}, t("access")),
    p.paused_since
      ? el("button", { class: "primary", id: "resume", on: { click: () => guarded(() => change(t("resume_q", { name: p.name }), t("yes_resume"), `people/${id}/resume`, { method: "POST" })) } }, t("resume"))
      : el("button", { class: "danger small", id: "pause", on: { click: () => guarded(() => change(t("pause_q", { name: p.name }), t("yes_pause"), `people/${id}/pause`, { method: "POST" })) } }, t("pause")));
}

// --- start ----------------------------------------------------------------------------------------

const TABS = [
  { key: "overview", roles: ["coordinator"], open: overviewTab },
  { key: "businesses", roles: ["coordinator"], open: businessesTab },
  { key: "agencies", roles: ["coordinator"], open: agenciesTab },
  { key: "my_agency", roles: ["focal"], open: () => agencyPage(ME.agency_id, null), unless: ["coordinator"] },
  { key: "deadlines", roles: ["coordinator", "focal"], open: deadlinesTab },
  { key: "questions", roles: ["coordinator", "mentor"], open: questionsTab },
  { key: "broadcasts", roles: ["coordinator"], open: () => broadcastsTab() }, // desk-broadcasts.js
  { key: "export", roles: ["coordinator"], open: exportsTab },
  { key: "people", roles: ["coordinator"], open: () => peopleTab() },
];

function applyTheme() {
  const params = (tg && tg.themeParams) || JSON.parse(hash.get("tgWebAppThemeParams") || "{}");
  for (const [name, value] of Object.entries(params || {})) {
    document.documentElement.style.setProperty(`--tg-theme-${name.replaceAll("_", "-")}`, value);
  }
  const scheme = tg && tg.colorScheme;
  if (scheme) document.documentElement.dataset.scheme = scheme;
}

async function start() {
  applyTheme();
  if (tg) { tg.ready(); tg.expand(); }
  if (!AUTH) { status("outside"); return; }
  let data;
  try { data = await call("me"); } catch (problem) {
    if (problem.status !== 401) status(problem.status === 403 ? "outside" : "trouble");
    return;
  }
  T = data.texts; L = data.labels;
  ME = Object.assign({}, data.me, { agency_id: data.agency_id, zone: data.zone });
  const locale = ME.locale === "en" ? "en-GB" : "id-ID";
  document.documentElement.lang = ME.locale;
  fmtDate = new Intl.DateTimeFormat(locale, { timeZone: ME.zone, dateStyle: "medium", timeStyle: "short" });
  fmtDay = new Intl.DateTimeFormat(locale, { timeZone: ME.zone, day: "numeric", month: "short", year: "numeric" });
  document.getElementById("title").textContent = t("desk");
  document.title = `${t("desk")} · Pendamping UMKM`;
  document.getElementById("who").textContent = `${ME.name} · ${ME.roles.map((r) => L.roles[r]).join(", ")}`;
  const mine = TABS.filter((tab) => tab.roles.some((r) => ME.roles.includes(r)) && !(tab.unless || []).some((r) => ME.roles.includes(r)))
    .filter((tab) => tab.key !== "my_agency" || ME.agency_id);
  if (!mine.length) { show(el("p", { class: "notice" }, t("not_for_you"))); return; }
  const buttons = mine.map((tab) => el("button", { role: "tab", "data-tab": tab.key, on: { click: () => open(tab) } }, t(tab.key)));
  tabs.replaceChildren(...buttons);
  function open(tab) {
    noBack();
    buttons.forEach((b) => b.setAttribute("aria-selected", String(b.dataset.tab === tab.key)));
    show(el("p", { class: "muted" }, t("loading")));
    guarded(tab.open);
  }
  open(mine[0]);
}

start();
