// The facilitator's wall: the live board, and the commands that group it.
// Modules: wall-moves (optimistic moves, undo), wall-dnd (SortableJS),
// wall-keyboard (shortcuts, "Move to"), wall-themes (columns), wall-summary
// (autosaved summaries), wall-hide (hide dialog, hidden drawer), wall-questions
// (the questions, each card's question, the question filter), wall-import (inputs from paper),
// wall-projector (spotlight, page pace), wall-layout (compact cards, collapsed columns),
// wall-suggest (near-duplicates, "more like this", theme hints).
import { io } from "../vendor/socket.io-4.8.4.esm.min.js";
import { Board, BoardSync, mergeTouched, touched } from "./board.js";
import { CountsChart } from "./counts.js";
import { BoardView } from "./render.js";
import { createApi, messages } from "./wall-api.js";
import { DragAndDrop } from "./wall-dnd.js";
import { Hiding } from "./wall-hide.js";
import { PaperImport } from "./wall-import.js";
import { Keyboard } from "./wall-keyboard.js";
import { LARGE_WALL, WallLayout } from "./wall-layout.js";
import { Moves } from "./wall-moves.js";
import { Questions } from "./wall-questions.js";
import { ProjectorControls } from "./wall-projector.js";
import { Suggestions } from "./wall-suggest.js";
import { Summaries } from "./wall-summary.js";
import { Themes } from "./wall-themes.js";
import { WallVotes } from "./wall-votes.js";
import { wallTimer } from "./wall-timer.js";
import "./wall-search.js";

const root = document.getElementById("wall");
const msg = messages(root);
const workshopId = Number(root.dataset.workshop);
const board = new Board();
const columnsEl = document.getElementById("columns");
const announcer = document.getElementById("announcer");
const api = createApi({ workshopId, csrf: root.dataset.csrf, errorBox: document.getElementById("wall-error"), msg });

/** Say something to screen readers (politely), even the same words twice. */
function announce(text) {
  announcer.textContent = "";
  setTimeout(() => (announcer.textContent = text), 30);
}

// --- redraws: incremental, deferred while a drag is in progress ------------

// undefined: nothing waiting; null: everything; else the parts (see board.js touched()).
let deferred;

function merged(a, b) {
  if (a === null || b === null) return null;
  return mergeTouched([a, b]);
}

/** Redraw what `change` touched (null: everything), keeping the focus where it was. */
function redraw(change = null) {
  if (deferred !== undefined) {
    change = merged(deferred, change);
    deferred = undefined;
  }
  if (dnd.active) {
    deferred = change;
    return;
  }
  const active = document.activeElement;
  const selection = active?.matches?.("textarea, input[type=text], input:not([type])") ? [active.selectionStart, active.selectionEnd] : null;
  themesKey = board.themes.map((t) => `${t.id}:${t.title}`).join("|");
  wallLayout.sized(board.inputs.size);
  view.render(change);
  questions.render();
  if (active && active !== document.body && active.isConnected && document.activeElement !== active) {
    active.focus({ preventScroll: true });
    if (selection) active.setSelectionRange(...selection);
  }
  updateBar();
}

// --- the board view and its decorations ---------------------------------

let themesKey = "";
const moves = new Moves({
  board,
  api,
  redraw: (change) => redraw(change),
  onUndoChange: (n) => (document.getElementById("undo").disabled = n === 0),
});
const dnd = new DragAndDrop({ moves });
const summaries = new Summaries({ board, api, msg });
const themes = new Themes({ board, api, msg, announce, dnd, summaries, moves });
const questions = new Questions({ board, api, msg, announce, redraw: (change) => redraw(change) });
// The import dialog shows its refusals (naming the row) inside itself.
const importApi = createApi({ workshopId, csrf: root.dataset.csrf, errorBox: document.getElementById("import-error"), msg });
new PaperImport({ api: importApi, msg, announce });
const projector = new ProjectorControls({ root, board, api, msg, announce });
const wallLayout = new WallLayout({ root, workshopId, msg });
const hiding = new Hiding({ board, api, moves, redraw: (change) => redraw(change), msg, announce, focusCard });

function columnTitle(themeId) {
  return themeId === null ? msg("unsorted") : board.theme(themeId)?.title || "";
}

// A card's "Move to" list holds only the card's own column until it is about to be used
// (pointer down or focus): a 2,000-card wall would otherwise make 12,000 options nobody
// looks at, a third of its first render. The full options are made once per theme list
// and cloned into the list that opens.
let optionsFor = { key: null, options: null };

function allMoveOptions() {
  if (optionsFor.key !== themesKey) {
    const options = document.createDocumentFragment();
    for (const [id, title] of [[null, msg("unsorted")], ...board.themes.map((t) => [t.id, t.title])]) {
      const option = document.createElement("option");
      option.value = id === null ? "" : String(id);
      option.textContent = title;
      options.append(option);
    }
    optionsFor = { key: themesKey, options };
  }
  return optionsFor.options;
}

function columnValue(themeId) {
  return themeId === null || themeId === undefined ? "" : String(themeId);
}

/** Give a card's list every column, as it opens. */
function openMoveList(select) {
  if (select.dataset.key === themesKey) return;
  select.replaceChildren(allMoveOptions().cloneNode(true));
  select.dataset.key = themesKey;
  select.value = columnValue(moves.locate(Number(select.closest(".card").dataset.id)));
}

/** A list not in use: every column if it has them and they are current, else only its card's own. */
function showMoveList(select, themeId) {
  const value = columnValue(themeId);
  if (select.dataset.key === themesKey) {
    if (select.value !== value) select.value = value;
    return;
  }
  const title = columnTitle(themeId ?? null);
  // The card atom's list holds one empty option: a new card only fills it in.
  if (select.options.length !== 1) select.replaceChildren(document.createElement("option"));
  const only = select.options[0];
  // The attribute, not .value: an option without one would take its text as value.
  if (only.getAttribute("value") !== value) only.value = value;
  if (only.textContent !== title) only.textContent = title;
  delete select.dataset.key;
}

for (const type of ["pointerdown", "focusin"]) {
  columnsEl.addEventListener(type, (event) => {
    const select = event.target.closest?.(".card-move");
    if (select) openMoveList(select);
  });
}

const view = new BoardView(columnsEl, board, {
  cardTemplate: document.getElementById("card-template"),
  columnTemplate: document.getElementById("column-template"),
  unsortedLabel: msg("unsorted"),
  countLabel: msg("inputs"),
  countOne: msg("one-input"),
  language: root.dataset.language,
  hiddenContainer: document.getElementById("hidden-list"),
  order: (themeId) => moves.order(themeId),
  isHidden: (input) => hiding.isHidden(input),
  decorateCard(el, input, hidden) {
    questions.decorate(el, input);
    const select = el.querySelector(".card-move");
    if (!hidden && document.activeElement !== select) showMoveList(select, moves.locate(input.id));
    if (el.dataset.hidden !== String(hidden)) {
      el.dataset.hidden = String(hidden);
      el.querySelector(".card-move-label").hidden = hidden;
      el.querySelector(".card-hide").hidden = hidden;
      el.querySelector(".card-spotlight").hidden = hidden;
      el.querySelector(".card-unhide").hidden = !hidden;
      if (hidden) el.removeAttribute("aria-describedby");
      else el.setAttribute("aria-describedby", "card-keys");
    }
    const reason = el.querySelector(".card-reason");
    if (reason.hidden !== !hidden) reason.hidden = !hidden;
    if (hidden) reason.textContent = input.hidden_reason ? msg("reason", { reason: input.hidden_reason }) : msg("no-reason");
    suggestions.decorate(el, input, hidden);
  },
  decorateColumn: (el, theme) => {
    themes.decorate(el, theme);
    wallLayout.decorate(el, theme ? theme.title : null);
  },
  removedColumn: (el) => themes.removed(el),
});

// A large board is drawn in steps: each column's first cards with the page, the rest
// appended in short tasks after it, so the wall answers clicks and keys while it fills
// instead of after every card is built (the columns are aria-busy meanwhile). app.css draws
// the first FIRST_CARDS of a column without content-visibility.
const FIRST_CARDS = 15;
const STEP_CARDS = 5;
const STEP_MS = 12;

/** Go on drawing a board drawn in steps, one short task at a time, until every card is in the page. */
function drawRest() {
  if (view.limit === Infinity) {
    columnsEl.removeAttribute("aria-busy");
    projector.update(view); // the cards drawn since the last redraw show the spotlight too
    return;
  }
  columnsEl.setAttribute("aria-busy", "true");
  // A drag in progress keeps its column as it is: wait for the drop.
  if (dnd.active) return void setTimeout(drawRest, 100);
  setTimeout(() => {
    const started = performance.now();
    while (view.drawMore(STEP_CARDS) && performance.now() - started < STEP_MS);
    drawRest();
  }, 0);
}

/** Focus a card wherever it is drawn, and bring it into view. */
function focusCard(id) {
  // A card past what a board drawn in steps has drawn yet: draw the rest now.
  if (!view.cards.get(id)?.isConnected) view.drawMore(Infinity);
  const card = view.cards.get(id);
  if (!card || !card.isConnected) return;
  card.focus({ preventScroll: true });
  card.scrollIntoView({ block: "nearest", inline: "nearest" });
}

function announceMove(id) {
  const themeId = moves.locate(id);
  const card = view.cards.get(id);
  const holder = card?.parentElement;
  if (!holder) return;
  const position = Array.prototype.indexOf.call(holder.children, card) + 1;
  announce(msg("moved", { column: columnTitle(themeId), position, total: holder.children.length }));
}

new Keyboard({ container: columnsEl, board, moves, hiding, announceMove, focusCard, drawAll: () => view.drawMore(Infinity) });
const suggestions = new Suggestions({ root, board, api, moves, view, msg, announce, focusCard, columnTitle });

// --- card buttons, undo, status and projector --------------------------------

root.addEventListener("click", (event) => {
  const card = event.target.closest(".card");
  if (!card) return;
  const id = Number(card.dataset.id);
  if (event.target.closest(".card-hide")) hiding.ask(id);
  else if (event.target.closest(".card-unhide")) hiding.show(id);
});

async function undo(fromKeyboard) {
  const before = document.activeElement;
  const id = await moves.undo();
  if (id === null) return announce(msg("nothing-to-undo"));
  announce(msg("undone"));
  if (fromKeyboard && (before === document.body || before?.classList.contains("card"))) focusCard(id);
}

document.getElementById("undo").addEventListener("click", () => undo(false));
document.addEventListener("keydown", (event) => {
  if (!(event.ctrlKey || event.metaKey) || event.altKey || event.shiftKey || event.key.toLowerCase() !== "z") return;
  // Text fields keep their own undo.
  if (event.target.closest("input, textarea, select, [contenteditable]")) return;
  event.preventDefault();
  undo(true);
});

for (const button of root.querySelectorAll("[data-status]")) {
  button.addEventListener("click", () => api("POST", "/status", { status: button.dataset.status }));
}

for (const button of root.querySelectorAll("[data-projector-view]")) {
  button.addEventListener("click", async () => {
    const view = button.dataset.projectorView;
    if (await api("POST", "/projector", { view })) announce(msg("projector-shows", { view: msg(`projector-${view}`) }));
  });
}

function updateBar() {
  const status = board.workshop.status || "draft";
  const statusEl = document.getElementById("wall-status");
  statusEl.textContent = msg("status-" + status);
  statusEl.className = `status status-${status}`;
  for (const button of root.querySelectorAll("[data-status]")) button.disabled = button.dataset.status === status;
  const projectorView = board.workshop.projector_view || "collect";
  for (const button of root.querySelectorAll("[data-projector-view]")) {
    button.setAttribute("aria-pressed", String(button.dataset.projectorView === projectorView));
  }
  let visible = 0;
  for (const input of board.inputs.values()) if (!hiding.isHidden(input)) visible += 1;
  document.getElementById("wall-count").textContent = visible === 1 ? msg("one-input") : msg("inputs", { n: visible });
  document.getElementById("hidden-summary").textContent = msg("hidden-count", { n: view.hiddenCount ?? 0 });
  projector.update(view);
}

// --- live events ---------------------------------------------------------------

function update(change) {
  // The last event this wall has applied: two walls at the same seq show the same board.
  root.dataset.seq = board.seq;
  counts.render();
  if (change.snapshot) {
    moves.confirm([]);
    const first = !view.cards.size;
    if (first && board.inputs.size >= LARGE_WALL) view.limit = FIRST_CARDS;
    redraw(null);
    if (first) drawRest();
    summaries.reconcileAll();
    suggestions.schedule(0);
    return;
  }
  const events = change.events || [];
  moves.confirm(events);
  hiding.confirm(events);
  redraw(mergeTouched(events.map((e) => touched(e, board))));
  summaries.onEvents(events);
  suggestions.onEvents(events);
  const created = events.filter((e) => e.type === "input.created");
  for (const event of created) {
    const card = view.cards.get(event.data.id);
    if (card) {
      card.classList.add("is-new");
      setTimeout(() => card.classList.remove("is-new"), 4000);
    }
  }
  if (created.length) announce(created.length === 1 ? msg("new-input") : `${msg("new-input")} (${created.length})`);
}

const socket = io({ auth: { role: "wall", workshop: workshopId }, transports: ["websocket", "polling"], tryAllTransports: true, randomizationFactor: 0.5 });
const connection = document.getElementById("connection");
socket.on("connect", () => {
  connection.textContent = msg("connected");
  connection.dataset.state = "up";
});
socket.on("disconnect", () => {
  connection.textContent = msg("disconnected");
  connection.dataset.state = "down";
});
const counts = new CountsChart(document.getElementById("wall-counts"), board);
const sync = new BoardSync(socket, board, update);
new WallVotes({ socket, api, board, announce });
wallTimer({ socket, api, workshopId });
// Last, once every part above listens: a venue's slow or blocked socket no longer keeps the board from showing.
sync.start(JSON.parse(document.getElementById("wall-snapshot").textContent));
