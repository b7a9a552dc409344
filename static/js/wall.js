// The facilitator's wall: live board, status controls, move and hide.
import { io } from "/static/vendor/socket.io-4.8.4.esm.min.js";
import { Board, BoardSync } from "./board.js";
import { BoardView } from "./render.js";
import "./wall-search.js";

const root = document.getElementById("wall");
const msg = (name) => root.dataset["msg" + name.replace(/(^|-)(\w)/g, (_, __, c) => c.toUpperCase())] || "";
const workshopId = Number(root.dataset.workshop);
const csrf = root.dataset.csrf;
const board = new Board();
const announcer = document.getElementById("announcer");
const errorBox = document.getElementById("wall-error");

async function command(path, body) {
  const response = await fetch(`/api/v1/workshops/${workshopId}${path}`, {
    method: "POST",
    headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf, Accept: "application/json" },
    body: JSON.stringify(body),
    credentials: "same-origin",
  }).catch(() => null);
  if (!response || !response.ok) {
    let message = msg("error");
    try {
      message = (await response.json()).error.message || message;
    } catch {
      // keep the generic message
    }
    errorBox.textContent = message;
    errorBox.hidden = false;
    return null;
  }
  errorBox.hidden = true;
  return response.json();
}

function moveOptions(select, input) {
  const options = [[null, msg("unsorted")], ...board.themes.map((t) => [t.id, t.title])];
  select.replaceChildren();
  for (const [id, title] of options) {
    const option = document.createElement("option");
    option.value = id === null ? "" : String(id);
    option.textContent = title;
    option.selected = (input.theme_id ?? null) === id;
    select.append(option);
  }
}

const view = new BoardView(document.getElementById("columns"), board, {
  cardTemplate: document.getElementById("card-template"),
  columnTemplate: document.getElementById("column-template"),
  unsortedLabel: msg("unsorted"),
  countLabel: msg("inputs"),
  decorateCard(el, input) {
    const select = el.querySelector(".card-move");
    if (select && document.activeElement !== select) moveOptions(select, input);
    el.querySelector(".card-hide").hidden = !!input.hidden;
    el.querySelector(".card-unhide").hidden = !input.hidden;
  },
});

document.getElementById("columns").addEventListener("change", (event) => {
  const select = event.target.closest(".card-move");
  if (!select) return;
  const id = Number(select.closest(".card").dataset.id);
  const themeId = select.value === "" ? null : Number(select.value);
  const target = board.column(themeId) || [];
  command(`/inputs/${id}/move`, { theme_id: themeId, index: target.filter((x) => x !== id).length });
});

document.getElementById("columns").addEventListener("click", (event) => {
  const card = event.target.closest(".card");
  if (!card) return;
  const id = Number(card.dataset.id);
  if (event.target.closest(".card-hide")) {
    const reason = window.prompt(msg("hide-reason"), "");
    if (reason !== null) command(`/inputs/${id}/hide`, { reason });
  } else if (event.target.closest(".card-unhide")) {
    command(`/inputs/${id}/unhide`, {});
  }
});

for (const button of root.querySelectorAll("[data-status]")) {
  button.addEventListener("click", () => command("/status", { status: button.dataset.status }));
}

function update(change) {
  view.render();
  const status = board.workshop.status || "draft";
  const statusEl = document.getElementById("wall-status");
  statusEl.textContent = msg("status-" + status);
  statusEl.className = `status status-${status}`;
  for (const button of root.querySelectorAll("[data-status]")) {
    button.disabled = button.dataset.status === status;
  }
  document.getElementById("wall-count").textContent = msg("inputs").replace("{n}", board.visibleCount());
  const created = (change.events || []).filter((e) => e.type === "input.created");
  for (const event of created) {
    const card = view.cards.get(event.data.id);
    if (card) {
      card.classList.add("is-new");
      setTimeout(() => card.classList.remove("is-new"), 4000);
    }
  }
  if (created.length) announcer.textContent = created.length === 1 ? msg("new-input") : `${msg("new-input")} (${created.length})`;
}

const socket = io({ auth: { role: "wall", workshop: workshopId }, transports: ["websocket", "polling"], randomizationFactor: 0.5 });
const connection = document.getElementById("connection");
socket.on("connect", () => {
  connection.textContent = msg("connected");
  connection.dataset.state = "up";
});
socket.on("disconnect", () => {
  connection.textContent = msg("disconnected");
  connection.dataset.state = "down";
});
const sync = new BoardSync(socket, board, update);
window.facilitatorWall = { board, sync };
