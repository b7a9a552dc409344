// The phone page: queue each input in the outbox, let the Sender deliver it,
// show each input's state, and follow the workshop's open/closed state, its
// question and the themes it offers live.
import { io } from "../vendor/socket.io-4.8.4.esm.min.js";
import { Outbox, Sender } from "./outbox.js";

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
const livePaused = document.getElementById("live-paused");
const banner = document.getElementById("status-banner");
const counter = document.getElementById("counter");
const template = document.getElementById("receipt-template");
const themeChoice = document.getElementById("theme-choice");
const themeOptions = document.getElementById("theme-options");
const themeTemplate = document.getElementById("theme-option-template");

let status = root.dataset.status;
let countdown = null;

// The socket: phones reconnect after a random delay so a room does not return in step.
const socket = io({
  auth: { role: "participant", code },
  transports: ["websocket", "polling"],
  // Where a proxy refuses WebSockets, long-polling (without this the client only retries the socket).
  tryAllTransports: true,
  reconnectionDelay: 2000,
  reconnectionDelayMax: 15000,
  randomizationFactor: 0.5,
});

const sender = new Sender(outbox, {
  url: `/api/v1/join/${encodeURIComponent(code)}/inputs`,
  // Without a socket the page cannot hear that the workshop opened: then try held inputs too.
  isOpen: () => status === "open" || !socket.connected,
  retryHeld: () => !socket.connected,
  offlineMessage: msg("offline"),
  onChange(change) {
    if (change && change.refused) {
      showError(change.error.message || msg("refused"));
      // The server knows the current limit better than a page loaded earlier.
      if (change.error.code === "too_long" && change.error.limit) root.dataset.max = change.error.limit;
      showCounter();
    }
    render();
  },
});

function max() {
  return Number(root.dataset.max);
}

function length(text) {
  return [...text].length; // code points, as the server counts
}

function showCounter() {
  const n = length(textarea.value);
  counter.textContent = msg("count").replace("{n}", n).replace("{max}", max());
  counter.classList.toggle("over", n > max());
}

function showError(text) {
  liveError.textContent = text;
  liveError.hidden = !text;
  if (text) textarea.setAttribute("aria-invalid", "true");
  else textarea.removeAttribute("aria-invalid");
}

function render() {
  const sent = outbox.sent();
  const pending = outbox.items();
  list.replaceChildren();
  for (const item of [...pending].reverse()) list.append(row(item, item.state));
  for (const receipt of [...sent].reverse()) list.append(row(receipt, "received"));
  empty.hidden = sent.length + pending.length > 0;
  tick();
}

function detail(item) {
  const parts = [item.error || ""];
  const left = item.retry_at ? Math.ceil((item.retry_at - Date.now()) / 1000) : 0;
  if (item.state === "waiting" && left > 0) parts.push(msg("retry").replace("{s}", left));
  return parts.filter(Boolean).join(" ");
}

function row(item, state) {
  const li = template.content.firstElementChild.cloneNode(true);
  li.dataset.state = state;
  li.dataset.key = item.client_key;
  li.querySelector(".receipt-text").textContent = item.text;
  li.querySelector(".receipt-state").textContent = msg(state);
  if (state !== "received") li.querySelector(".receipt-detail").textContent = detail(item);
  // A removed button, not a hidden one: the page's button styles would show it anyway.
  const edit = li.querySelector(".receipt-edit");
  if (state === "refused") edit.addEventListener("click", () => editAgain(item));
  else edit.remove();
  return li;
}

// Put a refused input back in the box; a draft already there is kept below it.
function editAgain(item) {
  const draft = textarea.value;
  textarea.value = draft.trim() && draft !== item.text ? `${item.text}\n\n${draft}` : item.text;
  outbox.saveDraft(textarea.value);
  outbox.remove(item.client_key);
  showError("");
  showCounter();
  render();
  textarea.focus();
}

// Waiting inputs count down to their next try, once a second while any does.
function tick() {
  const waiting = outbox.items().some((i) => i.state === "waiting" && i.retry_at && i.retry_at > Date.now());
  if (waiting && !countdown) {
    countdown = setInterval(() => {
      for (const li of list.querySelectorAll(".receipt[data-state=waiting]")) {
        const item = outbox.items().find((i) => i.client_key === li.dataset.key);
        if (item) li.querySelector(".receipt-detail").textContent = detail(item);
      }
      if (!outbox.items().some((i) => i.state === "waiting" && i.retry_at > Date.now())) {
        clearInterval(countdown);
        countdown = null;
      }
    }, 1000);
  }
}

function setStatus(next) {
  const opened = next === "open" && status !== "open";
  status = next;
  banner.className = `status-banner status-${next}`;
  const key = { open: "open", paused: "paused", closed: "closed", archived: "closed" }[next] || "draft";
  banner.textContent = msg(key);
  if (opened) sender.kick(Math.random() * 1000);
}

/** The chosen theme's id, or null for "No theme". */
function chosenTheme() {
  const checked = themeOptions.querySelector("input[name=theme_id]:checked");
  return checked && checked.value ? Number(checked.value) : null;
}

function themeOption(value, title, checked) {
  const label = themeTemplate.content.firstElementChild.cloneNode(true);
  const radio = label.querySelector("input");
  radio.value = value;
  radio.checked = checked;
  label.querySelector(".theme-option-title").textContent = title;
  return label;
}

let themesKey = null;

/** Show the themes the workshop offers now ("No theme" first); a choice that went away falls back to it. */
function setThemes(themes) {
  const key = JSON.stringify(themes);
  if (key === themesKey) return;
  themesKey = key;
  const chosen = chosenTheme();
  const keep = themes.some((t) => t.id === chosen) ? chosen : null;
  const hadFocus = themeOptions.contains(document.activeElement);
  themeOptions.replaceChildren(
    themeOption("", msg("noTheme"), keep === null),
    ...themes.map((t) => themeOption(String(t.id), t.title, t.id === keep)),
  );
  themeChoice.hidden = themes.length === 0;
  if (hadFocus) themeOptions.querySelector("input:checked")?.focus();
}

function resetTheme() {
  const none = themeOptions.querySelector("input[name=theme_id][value='']");
  if (none) none.checked = true;
}

form.addEventListener("submit", (event) => {
  event.preventDefault();
  const text = textarea.value;
  const n = length(text);
  if (n > max()) {
    // Refused here, with the limit, and left in the box to be shortened.
    showError(msg("tooLong").replace("{length}", n).replace("{limit}", max()));
    textarea.focus();
    return;
  }
  // Anything else goes through the outbox: the server's refusal says why, in the workshop's language.
  outbox.add(text, nameInput ? nameInput.value : "", chosenTheme());
  textarea.value = "";
  resetTheme();
  outbox.saveDraft("");
  showError("");
  showCounter();
  render();
  sender.reset();
});

textarea.addEventListener("input", () => {
  outbox.saveDraft(textarea.value);
  showCounter();
});

window.addEventListener("online", () => sender.reset());
window.addEventListener("pageshow", (event) => {
  if (event.persisted) {
    render();
    sender.kick();
  }
});
document.addEventListener("visibilitychange", () => {
  if (document.visibilityState === "visible") sender.kick();
});
// Another tab of the same workshop changed the outbox: show it.
window.addEventListener("storage", (event) => {
  if (event.key && event.key.endsWith(`:${code}`) && !event.key.includes(":draft:")) render();
});

socket.on("state", applyState);
// After a server restart every phone reconnects: spread their sends out as well.
socket.on("connect", () => {
  livePaused.hidden = true;
  sender.kick(500 + Math.random() * 2000);
});

// A full server turns the socket away at once ("live_full"): inputs still go over HTTP
// (the Sender treats a page without a socket as open), the page says live updates are
// paused, reads the workshop's state over HTTP, and asks for a socket again later,
// each phone at its own moment so a full room does not come back at once.
const PAUSED_RETRY_MS = 60000;

function applyState(state) {
  // The vote module (phone-votes.js) follows the same state.
  root.dispatchEvent(new CustomEvent("phone-state", { detail: state }));
  if (state.max_input_length) {
    root.dataset.max = state.max_input_length;
    showCounter();
  }
  document.getElementById("prompt").textContent = state.prompt ? state.prompt.text : root.dataset.description || "";
  if (Array.isArray(state.themes)) setThemes(state.themes);
  setStatus(state.status);
}

async function readStateOverHttp() {
  try {
    const answer = await fetch(`/api/v1/join/${encodeURIComponent(code)}`, { headers: { Accept: "application/json" } });
    if (answer.ok) applyState(await answer.json());
  } catch {
    // Offline: the outbox says so when it tries to send; the next retry reads the state again.
  }
}

socket.on("connect_error", (error) => {
  if (!error.data || error.data.code !== "live_full") return; // other failures: socket.io retries itself
  livePaused.textContent = msg("livePaused");
  livePaused.hidden = false;
  readStateOverHttp();
  sender.kick(Math.random() * 2000);
  setTimeout(() => socket.connect(), PAUSED_RETRY_MS * (0.5 + Math.random()));
});

outbox.resetSending();
if (!textarea.value) textarea.value = outbox.draft();
showCounter();
render();
sender.kick();
