// The phone page: queue each input in the outbox, send it with retries, show
// its state, and follow the workshop's open/closed state live.
import { io } from "/static/vendor/socket.io-4.8.4.esm.min.js";
import { Outbox } from "./outbox.js";

const root = document.getElementById("phone");
const code = root.dataset.code;
const msg = (name) => root.dataset["msg" + name[0].toUpperCase() + name.slice(1)] || "";
const outbox = new Outbox(code);
const form = document.getElementById("input-form");
const textarea = document.getElementById("text");
const nameInput = document.getElementById("author_name");
const list = document.getElementById("receipts");
const empty = document.getElementById("receipts-empty");
const liveError = document.getElementById("live-error");
const banner = document.getElementById("status-banner");
const counter = document.getElementById("counter");
const max = Number(root.dataset.max);
const template = document.getElementById("receipt-template");

let status = root.dataset.status;
let flushing = false;
let retryTimer = null;
let attempt = 0;
const SEND_TIMEOUT_MS = 10000;

function length(text) {
  return [...text].length; // code points, as the server counts
}

function showCounter() {
  const n = length(textarea.value);
  counter.textContent = msg("count").replace("{n}", n).replace("{max}", max);
  counter.classList.toggle("over", n > max);
}

function render() {
  const sent = outbox.sent();
  const pending = outbox.items();
  list.replaceChildren();
  for (const item of [...pending].reverse()) list.append(row(item.text, item.state, item));
  for (const r of [...sent].reverse()) list.append(row(r.text, "received", r));
  empty.hidden = sent.length + pending.length > 0;
}

function row(text, state, item) {
  const li = template.content.firstElementChild.cloneNode(true);
  li.dataset.state = state;
  li.dataset.key = item.client_key;
  li.querySelector(".receipt-text").textContent = text;
  li.querySelector(".receipt-state").textContent = msg(state);
  if (state === "refused") {
    li.querySelector(".receipt-detail").textContent = item.error || "";
    const edit = li.querySelector(".receipt-edit");
    edit.hidden = false;
    edit.addEventListener("click", () => {
      textarea.value = item.text;
      outbox.remove(item.client_key);
      outbox.saveDraft(item.text);
      showCounter();
      render();
      textarea.focus();
    });
  } else if (state === "held" || state === "waiting") {
    li.querySelector(".receipt-detail").textContent = item.error || "";
  }
  return li;
}

function scheduleRetry(ms) {
  clearTimeout(retryTimer);
  retryTimer = setTimeout(flush, ms);
}

function backoff() {
  attempt += 1;
  const base = Math.min(30000, 1000 * 2 ** Math.min(attempt, 5));
  return Math.round(base * (0.5 + Math.random())); // jitter: a room must not retry in step
}

async function send(item) {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), SEND_TIMEOUT_MS);
  try {
    return await fetch(`/api/v1/join/${encodeURIComponent(code)}/inputs`, {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: JSON.stringify({ text: item.text, client_key: item.client_key, author_name: item.author_name }),
      credentials: "same-origin",
      signal: controller.signal,
    });
  } finally {
    clearTimeout(timer);
  }
}

async function flush() {
  if (flushing) return;
  flushing = true;
  clearTimeout(retryTimer);
  try {
    for (const item of outbox.items()) {
      if (item.state === "refused") continue;
      if (item.state === "held" && status !== "open") continue;
      outbox.update(item.client_key, { state: "sending" });
      render();
      let response;
      try {
        response = await send(item);
      } catch {
        outbox.update(item.client_key, { state: "waiting", error: msg("offline") });
        render();
        scheduleRetry(backoff());
        return;
      }
      let body = {};
      try {
        body = await response.json();
      } catch {
        body = {};
      }
      if (response.ok) {
        attempt = 0;
        liveError.hidden = true;
        outbox.markSent({ client_key: item.client_key, id: body.id, text: item.text, received_at: body.received_at });
        render();
        continue;
      }
      const error = body.error || {};
      if (response.status === 409) {
        outbox.update(item.client_key, { state: "held", error: error.message || "" });
        render();
        continue;
      }
      if (response.status === 429) {
        const seconds = Number(response.headers.get("Retry-After")) || 10;
        outbox.update(item.client_key, { state: "waiting", error: error.message || "" });
        render();
        scheduleRetry(seconds * 1000 + Math.random() * 1000);
        return;
      }
      if (response.status >= 400 && response.status < 500) {
        outbox.update(item.client_key, { state: "refused", error: error.message || "" });
        liveError.textContent = error.message || msg("refused");
        liveError.hidden = false;
        render();
        continue;
      }
      outbox.update(item.client_key, { state: "waiting", error: msg("offline") });
      render();
      scheduleRetry(backoff());
      return;
    }
  } finally {
    flushing = false;
  }
}

function setStatus(next) {
  status = next;
  banner.className = `status-banner status-${next}`;
  const key = { open: "open", paused: "paused", closed: "closed", archived: "closed" }[next] || "draft";
  banner.textContent = msg(key);
  if (next === "open") flush();
}

form.addEventListener("submit", (event) => {
  event.preventDefault();
  const text = textarea.value;
  // Even an empty text goes through the outbox: the server's refusal says why, in the workshop's language.
  outbox.add(text, nameInput ? nameInput.value : "");
  textarea.value = "";
  outbox.saveDraft("");
  showCounter();
  render();
  attempt = 0;
  flush();
});

textarea.addEventListener("input", () => {
  outbox.saveDraft(textarea.value);
  showCounter();
});

window.addEventListener("online", () => {
  attempt = 0;
  flush();
});
document.addEventListener("visibilitychange", () => {
  if (document.visibilityState === "visible") flush();
});

const socket = io({ auth: { role: "participant", code }, transports: ["websocket", "polling"], reconnectionDelayMax: 10000, randomizationFactor: 0.5 });
socket.on("state", (state) => {
  setStatus(state.status);
  if (state.prompt) document.getElementById("prompt").textContent = state.prompt.text;
});
socket.on("connect", () => flush());

if (!textarea.value) textarea.value = outbox.draft();
showCounter();
render();
flush();
