// Dot voting on the phone, offline-first like sending: the allocation lives in
// localStorage, every change is shown at once, and the latest allocation is
// sent (PUT, replacing the phone's whole allocation) when the network allows;
// a lost answer just means the same allocation is sent again.
const root = document.getElementById("phone");
const section = document.getElementById("vote");
const code = root.dataset.code;
const msg = (name, params = {}) => {
  const key = "msg" + name.replace(/(^|-)(\w)/g, (_, __, c) => c.toUpperCase());
  let text = section.dataset[key] || "";
  for (const [k, v] of Object.entries(params)) text = text.split(`{${k}}`).join(String(v));
  return text;
};
const list = document.getElementById("vote-list");
const left = document.getElementById("vote-left");
const syncLine = document.getElementById("vote-sync");
const errorLine = document.getElementById("vote-error");
const itemTemplate = document.getElementById("vote-item-template");
const groupTemplate = document.getElementById("vote-group-template");
const ROUND_KEY = `facilitator:vote-round:${code}`;
const allocationKey = (id) => `facilitator:vote:${code}:${id}`;

let round = null; // the open round as the server described it (items included)
let allocation = {}; // item id (string) -> dots
let synced = true;
let sending = false;
let timer = null;
let backoff = 0;
const buttons = new Map(); // item id -> {plus, minus, dots, title}

function load(key, fallback) {
  try {
    return JSON.parse(localStorage.getItem(key)) ?? fallback;
  } catch {
    return fallback;
  }
}

function save() {
  try {
    localStorage.setItem(allocationKey(round.id), JSON.stringify({ allocation, synced }));
  } catch {
    // storage full or blocked: the allocation still lives in this page
  }
}

function used() {
  return Object.values(allocation).reduce((a, b) => a + b, 0);
}

function showError(text) {
  errorLine.textContent = text;
  errorLine.hidden = !text;
}

/** Adopt the state's open round (or its absence); keep an unsent local allocation over the server's. */
function adopt(vote, mine) {
  if (!vote) {
    if (round) {
      syncLine.textContent = msg("closed");
      list.replaceChildren();
      left.textContent = "";
    }
    round = null;
    section.hidden = !syncLine.textContent;
    try {
      localStorage.removeItem(ROUND_KEY);
    } catch {
      // nothing to forget
    }
    return;
  }
  const same = round && round.id === vote.id;
  round = vote;
  try {
    localStorage.setItem(ROUND_KEY, JSON.stringify(vote));
  } catch {
    // keep going without storage
  }
  const stored = load(allocationKey(vote.id), null);
  if (stored && !stored.synced) {
    allocation = stored.allocation;
    synced = false;
  } else if (mine) {
    allocation = { ...mine };
    synced = true;
  } else if (stored) {
    allocation = stored.allocation;
  } else if (!same) {
    allocation = {};
  }
  // Items that left the vote (hidden since) lose their dots here too.
  const ids = new Set(vote.items.map((i) => String(i.id)));
  for (const id of Object.keys(allocation)) if (!ids.has(id)) delete allocation[id];
  save();
  build();
  if (!synced) schedule(0);
}

function build() {
  section.hidden = false;
  document.getElementById("vote-heading").textContent = msg(round.on === "themes" ? "heading-themes" : "heading-inputs");
  document.getElementById("vote-rules").textContent = msg("rules", { dots: round.dots, per_item: round.per_item });
  const focused = document.activeElement?.closest?.(".vote-item")?.dataset.id;
  const focusedPlus = document.activeElement?.classList.contains("vote-plus");
  buttons.clear();
  list.replaceChildren();
  const byId = new Map(round.items.map((i) => [i.id, i]));
  if (round.on === "themes") {
    for (const item of round.items) list.append(itemRow(item));
  } else {
    for (const group of round.groups || []) {
      const li = groupTemplate.content.firstElementChild.cloneNode(true);
      li.querySelector(".vote-group-title").textContent = group.title ?? msg("unsorted");
      const ul = li.querySelector(".vote-items");
      for (const id of group.item_ids) if (byId.has(id)) ul.append(itemRow(byId.get(id)));
      list.append(li);
    }
  }
  render();
  if (focused && buttons.has(focused)) buttons.get(focused)[focusedPlus ? "plus" : "minus"].focus();
}

function itemRow(item) {
  const li = itemTemplate.content.firstElementChild.cloneNode(true);
  const id = String(item.id);
  const title = item.kind === "theme" ? item.title : item.text;
  li.dataset.id = id;
  li.querySelector(".vote-item-title").textContent = title;
  li.querySelector(".vote-item-summary").textContent = item.kind === "theme" ? item.summary || "" : "";
  const plus = li.querySelector(".vote-plus");
  const minus = li.querySelector(".vote-minus");
  const short = title.length > 60 ? title.slice(0, 59) + "…" : title;
  plus.setAttribute("aria-label", msg("plus", { title: short }));
  minus.setAttribute("aria-label", msg("minus", { title: short }));
  plus.addEventListener("click", () => change(id, +1));
  minus.addEventListener("click", () => change(id, -1));
  buttons.set(id, { plus, minus, dots: li.querySelector(".vote-dots"), li });
  return li;
}

function render() {
  const free = round.dots - used();
  left.textContent = msg("left", { left: free, dots: round.dots });
  for (const [id, b] of buttons) {
    const n = allocation[id] || 0;
    b.dots.textContent = n === 1 ? msg("one-dot") : msg("dots", { n });
    b.li.dataset.dots = n;
    // aria-disabled, not disabled: a button that disables itself would drop the keyboard focus.
    b.plus.setAttribute("aria-disabled", String(free <= 0 || n >= round.per_item));
    b.minus.setAttribute("aria-disabled", String(n <= 0));
  }
  if (!syncLine.dataset.offline) syncLine.textContent = synced ? (used() ? msg("saved") : "") : msg("saving");
}

function change(id, delta) {
  if (!round) return;
  const n = allocation[id] || 0;
  if (delta > 0 && used() >= round.dots) return showError(msg("no-dots-left"));
  if (delta > 0 && n >= round.per_item) return showError(msg("item-full", { per_item: round.per_item }));
  if (delta < 0 && n <= 0) return;
  showError("");
  if (n + delta) allocation[id] = n + delta;
  else delete allocation[id];
  synced = false;
  save();
  render();
  schedule(400); // let a run of taps settle into one request
}

function schedule(delay) {
  clearTimeout(timer);
  timer = setTimeout(send, delay);
}

async function send() {
  if (!round || synced || sending) return;
  sending = true;
  const sent = JSON.stringify(allocation);
  const roundId = round.id;
  let response = null;
  try {
    response = await fetch(`/api/v1/join/${encodeURIComponent(code)}/votes`, {
      method: "PUT",
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      credentials: "same-origin",
      body: JSON.stringify({ round: roundId, allocation: JSON.parse(sent) }),
    });
  } catch {
    response = null;
  }
  sending = false;
  if (!round || round.id !== roundId) return;
  if (response && response.ok) {
    backoff = 0;
    delete syncLine.dataset.offline;
    if (JSON.stringify(allocation) === sent) synced = true;
    save();
    render();
    if (!synced) schedule(0);
    return;
  }
  if (response && (response.status === 400 || response.status === 409 || response.status === 404)) {
    let error = {};
    try {
      error = (await response.json()).error || {};
    } catch {
      // no body: say nothing more specific
    }
    showError(error.message || "");
    if (response.status === 400) {
      // The server keeps what it last accepted; show that, and the current items.
      synced = true;
      save();
      refresh();
    } else {
      adopt(null);
    }
    return;
  }
  // Offline, a proxy's error page, a restart, or too fast: keep it and try again.
  syncLine.dataset.offline = "1";
  syncLine.textContent = msg("offline");
  backoff = Math.min(30000, backoff ? backoff * 2 : 2000);
  schedule(backoff * (0.75 + Math.random() / 2));
}

async function refresh() {
  try {
    const response = await fetch(`/api/v1/join/${encodeURIComponent(code)}`, { headers: { Accept: "application/json" } });
    if (!response.ok) return;
    const state = await response.json();
    root.dispatchEvent(new CustomEvent("phone-join-state", { detail: state }));
    const stored = state.vote ? load(allocationKey(state.vote.id), null) : null;
    if (stored && stored.synced && state.vote.mine) {
      // The server's copy is the truth for a phone with nothing unsent.
      localStorage.removeItem(allocationKey(state.vote.id));
    }
    adopt(state.vote, state.vote ? state.vote.mine : null);
  } catch {
    // offline: the stored round (below) keeps the phone voting
  }
}

root.addEventListener("phone-state", (event) => {
  const vote = event.detail.vote;
  // The broadcast holds no allocation; a new round asks the server for this phone's own.
  if (vote && (!round || round.id !== vote.id)) refresh();
  else if (vote) adopt({ ...vote }, null);
  else adopt(null);
});
window.addEventListener("online", () => {
  backoff = 0;
  schedule(0);
});
document.addEventListener("visibilitychange", () => {
  if (document.visibilityState === "visible" && !synced) schedule(0);
});

// Start from what this phone knows (works offline), then ask the server.
const known = load(ROUND_KEY, null);
if (known) adopt(known, null);
refresh();
