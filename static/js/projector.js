// The projector: QR and join code while collecting, the live board, large type.
import { io } from "/static/vendor/socket.io-4.8.4.esm.min.js";
import { Board, BoardSync } from "./board.js";
import { BoardView } from "./render.js";

const root = document.getElementById("projector");
const board = new Board();
const view = new BoardView(document.getElementById("projector-columns"), board, {
  cardTemplate: document.getElementById("card-template"),
  columnTemplate: document.getElementById("column-template"),
  unsortedLabel: root.dataset.msgUnsorted,
  countLabel: root.dataset.msgInputs,
});

function update() {
  const collecting = board.workshop.projector_view !== "themes";
  root.dataset.view = collecting ? "collect" : "themes";
  view.showUnsorted = collecting || board.unsorted.some((id) => !board.inputs.get(id)?.hidden);
  view.render();
  document.getElementById("projector-join").hidden = !collecting || board.workshop.status === "closed";
  const prompt = board.prompts.find((p) => p.active);
  document.getElementById("projector-prompt").textContent = prompt ? prompt.text : "";
  document.getElementById("projector-count").textContent = root.dataset.msgInputs.replace("{n}", board.visibleCount());
}

const socket = io({ auth: { role: "projector", secret: root.dataset.secret }, transports: ["websocket", "polling"], randomizationFactor: 0.5 });
socket.on("revoked", () => window.location.reload());
new BoardSync(socket, board, update);
