// The desk's broadcasts tab: write, see whom it reaches and how it looks, send or schedule,
// and watch it go. Loaded before desk.js, whose helpers (el, t, call, show, notice, guarded,
// confirmDialog, back, when) it uses once the page has started. The server checks everything.
"use strict";

const POLL_MS = 3000; // a running broadcast's progress is read again this often
const TYPING_MS = 300; // the preview waits for a pause in typing
let zoneLabel = ""; // "WITA": the zone the page's dates and times are typed in

// A local date and time (the programme's zone) for <input type="datetime-local">.
function localInput(date) {
  const parts = new Intl.DateTimeFormat("sv-SE", {
    timeZone: ME.zone, year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", hourCycle: "h23",
  }).format(date);
  return parts.replace(" ", "T");
}

// "2026-12-14T09:00" typed in the programme's zone, as the page writes dates.
function localLabel(value) {
  const [day, time] = value.split("T");
  return `${day.split("-").reverse().join("-")} ${time.replace(":", ".")}`;
}

function tomorrowAtNine(nowIso) {
  const day = localInput(new Date(new Date(nowIso).getTime() + 24 * 3600 * 1000)).split("T")[0];
  return `${day}T09:00`;
}

function bubble(html, id) {
  const box = el("div", { class: "bubble", id });
  box.innerHTML = html; // made by the server from checked Telegram HTML, everything escaped
  return box;
}

function facts(html, id) {
  const box = el("div", { class: "notice facts", id });
  box.innerHTML = html; // the chat's own preview card, rendered and escaped by the server
  return box;
}

async function broadcastsTab(message) {
  const data = await call("broadcasts");
  zoneLabel = data.zone;
  const text = el("textarea", { id: "broadcast-text", rows: 8, maxlength: 20000 });
  const counter = el("span", { class: "note", id: "broadcast-length" });
  const audience = el("select", { id: "broadcast-audience" }, data.audiences.map((a) => el("option", { value: a.value }, a.label)));
  const sector = el("select", { id: "broadcast-sector" }, Object.entries(data.sectors).map(([k, n]) => el("option", { value: k }, n)));
  const agency = el("select", { id: "broadcast-agency" }, data.agencies.map((a) => el("option", { value: a.id }, a.name)));
  const reach = facts("", "broadcast-facts");
  const preview = el("div", { id: "broadcast-preview" }, el("p", { class: "muted" }, t("preview_empty")));
  const now = el("input", { type: "radio", name: "when", id: "broadcast-now", value: "now", checked: true });
  const later = el("input", { type: "radio", name: "when", id: "broadcast-later", value: "later" });
  const at = el("input", { type: "datetime-local", id: "broadcast-at", value: tomorrowAtNine(data.now), min: localInput(new Date(data.now)) });
  const send = el("button", { class: "primary", id: "broadcast-send" }, t("send"));
  const result = el("div", { id: "broadcast-result" });

  function form() {
    return { text: text.value, audience: audience.value, sector: sector.value, agency: agency.value };
  }
  async function counts() {
    sector.hidden = audience.value !== "sector";
    agency.hidden = audience.value !== "agency";
    try {
      const found = await call("broadcasts/reach", { method: "POST", json: { audience: audience.value, sector: sector.value, agency: agency.value } });
      reach.innerHTML = found.facts;
      reach.classList.remove("error");
    } catch (problem) {
      if (problem.status === 401) return;
      reach.textContent = problem.message;
      reach.classList.add("error");
    }
  }
  let typing = null;
  let asked = 0; // answers to older keystrokes are dropped
  async function look() {
    const mine = ++asked;
    if (!text.value.trim()) {
      preview.replaceChildren(el("p", { class: "muted" }, t("preview_empty")));
      counter.textContent = "";
      return;
    }
    try {
      const shown = await call("broadcasts/preview", { method: "POST", json: { text: text.value } });
      if (mine !== asked) return;
      preview.replaceChildren(bubble(shown.html, "broadcast-bubble"));
      counter.textContent = t("characters", { length: shown.length, limit: data.max_length });
    } catch (problem) {
      if (problem.status === 401 || mine !== asked) return;
      preview.replaceChildren(notice(problem.message, true));
    }
  }
  text.addEventListener("input", () => { clearTimeout(typing); typing = setTimeout(look, TYPING_MS); });
  for (const input of [audience, sector, agency]) input.addEventListener("change", counts);
  const whenChanged = () => {
    at.hidden = !later.checked;
    send.textContent = later.checked ? t("schedule") : t("send");
  };
  now.addEventListener("change", whenChanged);
  later.addEventListener("change", whenChanged);
  whenChanged();

  send.addEventListener("click", () => guarded(async () => {
    send.disabled = true;
    try {
      result.replaceChildren();
      let draft;
      try { draft = await call("broadcasts", { method: "POST", json: form() }); } catch (problem) {
        if (problem.status !== 401) result.replaceChildren(notice(problem.message, true));
        return;
      }
      const question = later.checked
        ? t("schedule_q", { n: draft.recipients, date: `${localLabel(at.value)} ${data.zone}` })
        : t("send_q", { n: draft.recipients });
      if (!(await confirmDialog(question, later.checked ? t("yes_schedule") : t("yes_send")))) return;
      try {
        const sent = await call(`broadcasts/${draft.id}/send`, { method: "POST", json: { at: later.checked ? at.value : null } });
        const done = sent.state === "scheduled" ? t("scheduled_for", { date: when(sent.due_at) }) : t("on_its_way");
        await broadcastPage(sent.id, done);
      } catch (problem) {
        if (problem.status !== 401) result.replaceChildren(notice(problem.message, true));
      }
    } finally { send.disabled = false; }
  }));

  show(
    el("h2", {}, t("broadcasts")),
    message ? notice(message, false) : "",
    el("div", { class: "grid2" },
      el("section", { class: "stack", id: "composer" },
        el("h3", {}, t("write_broadcast")),
        el("label", {}, t("message"), text), counter,
        el("p", { class: "note" }, t("format_hint")),
        el("label", {}, t("who_receives"), audience), sector, agency,
        reach,
        el("fieldset", { class: "when" }, el("legend", {}, t("when")),
          el("label", {}, now, " ", t("send_now")),
          el("label", {}, later, " ", t("send_later", { zone: data.zone })), at),
        el("div", {}, send), result),
      el("section", {}, el("h3", {}, t("preview")), preview)),
    el("h3", {}, t("past_broadcasts")),
    data.items.length ? broadcastList(data.items) : el("p", { class: "muted" }, t("no_broadcasts")));
  await counts();
}

function broadcastList(items) {
  const list = table([
    { key: "id", label: "#", number: true, value: (b) => b.id },
    { key: "date", label: t("date"), value: (b) => b.due_at, render: (b) => when(b.due_at) },
    { key: "status", label: t("state"), value: (b) => b.status },
    { key: "audience", label: t("who_receives"), narrow: true, value: (b) => b.audience },
    { key: "recipients", label: t("recipients"), number: true, value: (b) => b.recipients },
    { key: "sent", label: t("count_sent"), number: true, value: (b) => b.counts.sent },
    { key: "blocked", label: t("count_blocked"), number: true, narrow: true, value: (b) => b.counts.blocked },
    { key: "failed", label: t("count_failed"), number: true, narrow: true, value: (b) => b.counts.failed },
  ], items, (b) => broadcastPage(b.id), { key: "id", dir: -1 });
  list.id = "broadcast-list";
  return list;
}

function figures(item) {
  const c = item.counts;
  const card = (key, figure) => el("div", { class: "card", "data-count": key },
    el("div", { class: "figure" }, figure), el("div", { class: "label" }, t("count_" + key)));
  return el("div", { class: "cards", id: "broadcast-counts" },
    card("sent", c.sent), card("blocked", c.blocked), card("failed", c.failed),
    c.unknown ? card("unknown", c.unknown) : "", c.skipped ? card("skipped", c.skipped) : "",
    card("remaining", c.remaining));
}

async function broadcastPage(id, message) {
  const holder = el("div", { id: "broadcast-page", "data-broadcast": id });
  const act = (path, question, yes, json) => guarded(async () => {
    if (question && !(await confirmDialog(question, yes))) return;
    draw(await call(`broadcasts/${id}/${path}`, { method: "POST", json: json || {} }));
  });
  let timer = null;
  function draw(item) {
    const running = item.state === "sending" || item.state === "paused";
    const moveTo = el("input", { type: "datetime-local", id: "broadcast-new-time", value: item.due_at ? localInput(new Date(item.due_at)) : "" });
    holder.replaceChildren(
      el("h2", { id: "broadcast-title" }, `#${item.id} · `, el("span", { id: "broadcast-status" }, item.status)),
      el("p", {}, item.audience, item.file ? ` · ${t("with_file")}` : "",
        item.due_at ? ` · ${item.state === "scheduled" ? t("goes_out", { date: when(item.due_at) }) : when(item.due_at)}` : ""),
      bubble(item.html, "broadcast-bubble"),
      item.state === "scheduled" ? el("p", {}, `${t("recipients")}: ${item.recipients}`) : figures(item),
      item.time_left ? el("p", { class: "muted", id: "broadcast-time-left" }, t("time_left", { time: item.time_left })) : "",
      item.left_out ? facts(item.left_out) : "",
      item.state === "scheduled" ? el("div", { class: "filters" }, moveTo,
        el("button", { class: "primary", id: "broadcast-move", on: { click: () => act("time",
          t("change_time_q", { date: `${localLabel(moveTo.value)} ${zoneLabel}` }), t("yes_change_time"), { at: moveTo.value }) } }, t("change_time")),
        el("button", { class: "danger small", id: "broadcast-cancel", on: { click: () => act("cancel", t("cancel_broadcast_q"), t("yes_cancel_broadcast")) } }, t("cancel_broadcast"))) : "",
      running ? el("div", { class: "filters" },
        item.state === "sending"
          ? el("button", { class: "secondary small", id: "broadcast-pause", on: { click: () => act("pause") } }, t("pause_broadcast"))
          : el("button", { class: "primary", id: "broadcast-resume", on: { click: () => act("resume") } }, t("resume_broadcast")),
        el("button", { class: "danger small", id: "broadcast-cancel", on: { click: () => act("cancel", t("cancel_broadcast_q"), t("yes_cancel_broadcast")) } }, t("cancel_broadcast"))) : "",
      item.unreached && item.unreached.length ? el("section", {}, el("h3", {}, t("could_not_reach")),
        el("ul", { id: "broadcast-unreached" }, item.unreached.map((u) => el("li", {}, `${u.name} · ${t("outbox_" + u.state)}`)))) : "");
    clearTimeout(timer);
    if (running) timer = setTimeout(poll, POLL_MS);
  }
  async function poll() {
    if (!document.body.contains(holder)) return; // another view was opened
    try { draw(await call(`broadcasts/${id}`)); } catch (problem) {
      if (problem.status !== 401) timer = setTimeout(poll, POLL_MS);
    }
  }
  const item = await call(`broadcasts/${id}`);
  show(back(t("back"), () => { noBack(); guarded(() => broadcastsTab()); }), message ? notice(message, false) : "", holder);
  draw(item);
}
