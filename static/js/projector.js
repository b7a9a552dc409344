// The projector: the collecting view (QR, join code, every input newest first),
// the themed view (every theme with its title and count), or a spotlight (one
// input large, or one theme with its summary), as the facilitator switches it.
// What does not fit one screen is paged (projector-pages.js) and the pages turn
// by themselves at the facilitator's pace; a clicker's arrow keys turn them too.
// No controls, hidden inputs never shown.
import { io } from "../vendor/socket.io-4.8.4.esm.min.js";
import { Board, BoardSync, projectorState } from "./board.js";
import { Measurer, paginate } from "./projector-pages.js";
import { newCard, timeFormat } from "./render.js";
import { ProjectorCounts } from "./projector-counts.js";
import { ProjectorVotes } from "./projector-votes.js";
import { followTimer } from "./timer-view.js";

const root = document.getElementById("projector");
const board = new Board();
const stage = document.getElementById("projector-stage");
const pageEl = document.getElementById("projector-page");
const cardTemplate = document.getElementById("card-template");
const columnTemplate = document.getElementById("column-template");
const measurer = new Measurer(document.getElementById("projector-measure"), columnTemplate);
const format = timeFormat(document.documentElement.lang);
const msg = (name, values = {}) => root.dataset[name].replace(/\{(\w+)\}/g, (_, key) => values[key] ?? "");
const countText = (n) => (n === 1 ? msg("msgOneInput") : msg("msgInputs", { n }));
// The spotlit input's text sizes, largest first (% of the screen's height).
const SPOTLIGHT_SIZES = [10, 8.5, 7, 6, 5, 4.2, 3.5, 3, 2.6];
// Without a pace from the facilitator, every page is shown within a minute, 6 to 20 s each.
const AUTO_MINUTE = 60;

const cards = new Map(); // input id -> its card element, made once
const arriving = new Set(); // inputs that came in and have not yet been on screen
let layout = null;
let pageIndex = 0;
let shownKey = "";
let timer = null;
let summaryText = ""; // the spotlit theme's summary, shown above its first page

function card(input) {
  let el = cards.get(input.id);
  if (!el) {
    el = newCard(cardTemplate, input, format);
    cards.set(input.id, el);
  }
  return el;
}

const visible = (id) => {
  const input = board.inputs.get(id);
  return input && !input.hidden ? input : null;
};
const visibleIds = (ids) => (ids || []).filter(visible);

/** What is on screen now: the view, or a spotlight if its input or theme is still there. */
function mode() {
  const state = projectorState(board.workshop);
  const spot = state.spotlight;
  if (spot?.input_id && visible(spot.input_id)) return { name: "input", input: visible(spot.input_id), state };
  if (spot?.theme_id && board.theme(spot.theme_id)) return { name: "theme", theme: board.theme(spot.theme_id), state };
  return { name: state.view === "themes" ? "themes" : "collect", state };
}

function group(key, title, ids) {
  const count = countText(ids.length);
  return { key, title, ids, countText: count, continuedText: `${count} · ${msg("msgContinued")}` };
}

/** The groups of cards a mode shows, in reading order. */
function groups(m) {
  if (m.name === "input") return [group("spot", null, [m.input.id])];
  if (m.name === "theme") return [group(`theme-${m.theme.id}`, null, visibleIds(m.theme.input_ids))];
  if (m.name === "collect") {
    // Newest first, from every column: the room looks for its own input, and the count is everyone's.
    const all = [...board.inputs.values()].filter((i) => !i.hidden);
    all.sort((a, b) => (b.received_at || "").localeCompare(a.received_at || "") || b.id - a.id);
    return [group("all", null, all.map((i) => i.id))];
  }
  const out = [];
  const unsorted = visibleIds(board.unsorted);
  if (unsorted.length) out.push(group("unsorted", msg("msgUnsorted"), unsorted));
  for (const theme of board.themes) out.push(group(`theme-${theme.id}`, theme.title, visibleIds(theme.input_ids)));
  return out;
}

function fillHeader(m) {
  const prompt = board.prompts.find((p) => p.active);
  document.getElementById("projector-prompt").textContent = prompt ? prompt.text : "";
  document.getElementById("projector-count").textContent = countText(board.visibleCount());
  const open = !["closed", "archived"].includes(board.workshop.status);
  document.getElementById("projector-join").hidden = m.name !== "collect" || !open;
  document.getElementById("projector-join-small").hidden = m.name === "collect" || !open;
  const title = document.getElementById("stage-title");
  const count = document.getElementById("stage-count");
  const summary = document.getElementById("stage-summary");
  summary.hidden = true;
  summaryText = "";
  count.textContent = "";
  stage.dataset.colour = "";
  if (m.name === "theme") {
    title.textContent = m.theme.title;
    count.textContent = countText(visibleIds(m.theme.input_ids).length);
    summary.textContent = m.theme.summary || "";
    summary.hidden = !m.theme.summary;
    summaryText = m.theme.summary || "";
    stage.dataset.colour = m.theme.colour || "";
  } else if (m.name === "input") {
    const themeId = m.input.theme_id ?? null;
    title.textContent = themeId === null ? msg("msgUnsorted") : board.theme(themeId)?.title || "";
  } else {
    title.textContent = "";
  }
  title.hidden = !title.textContent;
  document.getElementById("projector-caption").textContent = m.name === "collect" && board.visibleCount() ? msg("msgNewestFirst") : "";
}

/** Lay the current mode out in pages that fit; keep the page the room is on where possible. */
function relayout(reason = {}) {
  const m = mode();
  const key = m.name + (m.input?.id ?? m.theme?.id ?? "");
  root.dataset.view = m.name === "input" || m.name === "theme" ? "spotlight" : m.name;
  root.dataset.spotlight = m.name === "input" || m.name === "theme" ? m.name : "";
  fillHeader(m);
  // The page area's size, with the type the layout chose last time still applied to the header.
  pageEl.replaceChildren();
  // A spotlit theme's summary stands above the first page only: the others are taller.
  const summary = document.getElementById("stage-summary");
  const firstHeight = pageEl.clientHeight;
  const hadSummary = !summary.hidden;
  summary.hidden = true;
  const width = pageEl.clientWidth;
  const height = pageEl.clientHeight;
  summary.hidden = !hadSummary;
  const vh = window.innerHeight / 100;
  const all = groups(m);
  const byId = new Map();
  for (const g of all) for (const id of g.ids) byId.set(id, card(board.inputs.get(id)));
  layout = paginate({
    groups: all,
    width,
    height,
    firstHeight,
    vh,
    measurer,
    cards: byId,
    maxColumns: m.name === "input" ? 1 : undefined,
    sizes: m.name === "input" ? SPOTLIGHT_SIZES : undefined,
  });
  stage.style.setProperty("--card-size", `${layout.size}px`);
  if (key !== shownKey || reason.toFirst) pageIndex = 0;
  shownKey = key;
  pageIndex = Math.min(pageIndex, layout.pages.length - 1);
  show(pageIndex, false);
}

/** One section of a page column: a column atom with the group's header (if any) and its cards. */
function section(part, wide) {
  const el = columnTemplate.content.firstElementChild.cloneNode(true);
  const theme = part.group.key.startsWith("theme-") ? board.theme(Number(part.group.key.slice(6))) : null;
  el.dataset.themeId = theme ? theme.id : "";
  el.dataset.colour = theme?.colour || "";
  if (part.group.key === "unsorted") el.classList.add("column-unsorted");
  el.classList.toggle("column-wide", wide);
  el.classList.toggle("is-continued", part.continued);
  if (part.group.title === null) el.querySelector(".column-header").remove();
  else {
    el.querySelector(".column-title").textContent = part.group.title;
    el.querySelector(".column-count").textContent = part.continued ? part.group.continuedText : part.group.countText;
  }
  const holder = el.querySelector(".column-cards");
  for (const id of part.ids) {
    const cardEl = card(board.inputs.get(id));
    if (arriving.has(id)) {
      arriving.delete(id);
      cardEl.classList.remove("is-arriving");
      void cardEl.offsetWidth; // restart the arrival animation for a card shown again
      cardEl.classList.add("is-arriving");
      setTimeout(() => cardEl.classList.remove("is-arriving"), 6000);
    }
    holder.append(cardEl);
  }
  return el;
}

function pageColumn(col, wide) {
  const el = document.createElement("div");
  el.className = "page-column";
  el.append(...col.sections.map((part) => section(part, wide)));
  return el;
}

/** Draw page `index` and start its timer. */
function show(index, turning = true) {
  const page = layout.pages[index];
  pageIndex = index;
  pageEl.dataset.columns = page.wide ? 1 : layout.columns;
  document.getElementById("stage-summary").hidden = index > 0 || !summaryText;
  pageEl.classList.toggle("is-wide", page.wide);
  pageEl.replaceChildren(...page.columns.map((col) => pageColumn(col, page.wide)));
  if (turning) {
    pageEl.classList.remove("is-turning");
    void pageEl.offsetWidth;
    pageEl.classList.add("is-turning");
  }
  const pages = layout.pages.length;
  const state = projectorState(board.workshop);
  const seconds = pageSeconds(state, pages);
  Object.assign(root.dataset, { page: index + 1, pages, pageSeconds: seconds, cardSize: layout.vh.toFixed(2) });
  document.getElementById("projector-pager").hidden = pages < 2;
  document.getElementById("pager-numbers").textContent = `${index + 1} / ${pages}`;
  document.getElementById("pager-label").textContent = msg("msgPage", { page: index + 1, pages });
  document.getElementById("pager-paused").hidden = !state.paused;
  clearTimeout(timer);
  timer = null;
  if (pages > 1 && !state.paused) timer = setTimeout(() => show((pageIndex + 1) % pages), seconds * 1000);
}

/** Seconds a page stays up: the facilitator's choice, else every page within a minute. */
function pageSeconds(state, pages) {
  if (state.page_seconds > 0) return state.page_seconds;
  return Math.max(6, Math.min(20, Math.floor((AUTO_MINUTE / pages) * 2) / 2));
}

// A presenter's clicker sends arrow keys or Page Up/Down.
document.addEventListener("keydown", (event) => {
  if (!layout || event.altKey || event.ctrlKey || event.metaKey) return;
  const pages = layout.pages.length;
  if (["ArrowRight", "PageDown", " "].includes(event.key)) show((pageIndex + 1) % pages);
  else if (["ArrowLeft", "PageUp"].includes(event.key)) show((pageIndex - 1 + pages) % pages);
  else return;
  event.preventDefault();
});

let resizeTimer = null;
window.addEventListener("resize", () => {
  clearTimeout(resizeTimer);
  resizeTimer = setTimeout(() => {
    measurer.reset();
    if (layout) relayout();
  }, 150);
});

function update(change) {
  const events = change.events || [];
  const created = events.filter((e) => e.type === "input.created").map((e) => e.data.id);
  for (const id of created) arriving.add(id);
  for (const e of events) {
    // A card's text never changes, but a re-shown input gets a fresh element and measurement.
    if (e.type === "input.unhidden") cards.delete(e.data.input_id);
  }
  counts.update(); // first: the board's layout measures a page area the counts may have put away
  // While collecting, a new input goes to the first page, where the room sees it arrive.
  relayout({ toFirst: created.length > 0 && mode().name === "collect" });
}

const socket = io({ auth: { role: "projector", secret: root.dataset.secret }, transports: ["websocket", "polling"], tryAllTransports: true, randomizationFactor: 0.5 });
socket.on("revoked", () => window.location.reload());
const counts = new ProjectorCounts({ root, board });
const sync = new BoardSync(socket, board, (change) => document.fonts.ready.then(() => update(change)));
new ProjectorVotes({ socket, root, secret: root.dataset.secret });
followTimer({ socket, element: document.getElementById("projector-timer"), url: `/p/${encodeURIComponent(root.dataset.secret)}/timer.json` });
