// The projector: the collecting view (QR, join code, incoming cards, newest
// first) or the themed view (every theme with its title and count), as the
// facilitator switches it; large type, no controls, hidden inputs never shown.
import { io } from "/static/vendor/socket.io-4.8.4.esm.min.js";
import { Board, BoardSync, mergeTouched, touched } from "./board.js";
import { BoardView } from "./render.js";

const root = document.getElementById("projector");
const board = new Board();
const columns = document.getElementById("projector-columns");
const collecting = () => board.workshop.projector_view !== "themes";

const view = new BoardView(columns, board, {
  cardTemplate: document.getElementById("card-template"),
  columnTemplate: document.getElementById("column-template"),
  unsortedLabel: root.dataset.msgUnsorted,
  countLabel: root.dataset.msgInputs,
  countOne: root.dataset.msgOneInput,
  // While collecting, the newest input comes first: the room looks for its own.
  order: (themeId) => {
    const ids = board.column(themeId) || [];
    return collecting() && themeId === null ? [...ids].reverse() : ids;
  },
});

let shownView = null;

function update(change) {
  const mode = collecting() ? "collect" : "themes";
  const unsortedVisible = board.unsorted.some((id) => board.inputs.has(id) && !board.inputs.get(id).hidden);
  const showUnsorted = mode === "collect" || unsortedVisible;
  const relayout = change.snapshot || mode !== shownView || showUnsorted !== view.showUnsorted;
  root.dataset.view = mode;
  view.showUnsorted = showUnsorted;
  view.showThemes = mode === "themes";
  view.unsortedLabel = mode === "collect" ? root.dataset.msgIncoming : root.dataset.msgUnsorted;
  view.render(relayout ? null : mergeTouched((change.events || []).map((e) => touched(e, board))));
  shownView = mode;
  columns.dataset.columns = columns.children.length;
  const visible = board.visibleCount();
  columns.dataset.density = visible > 60 ? "high" : visible > 24 ? "medium" : "low";
  const open = !["closed", "archived"].includes(board.workshop.status);
  document.getElementById("projector-join").hidden = mode !== "collect" || !open;
  document.getElementById("projector-join-small").hidden = mode === "collect" || !open;
  const prompt = board.prompts.find((p) => p.active);
  document.getElementById("projector-prompt").textContent = prompt ? prompt.text : "";
  const count = visible === 1 ? root.dataset.msgOneInput : root.dataset.msgInputs;
  document.getElementById("projector-count").textContent = count.replace("{n}", visible);
}

const socket = io({ auth: { role: "projector", secret: root.dataset.secret }, transports: ["websocket", "polling"], randomizationFactor: 0.5 });
socket.on("revoked", () => window.location.reload());
new BoardSync(socket, board, update);
