// The wall's projector controls beyond the view switch: put one input or one
// theme in the spotlight and back, and set the pages' pace or pause them.
// Each is one POST /projector; the wall shows the state when its event arrives.
import { projectorState } from "./board.js";

export class ProjectorControls {
  constructor({ root, board, api, msg, announce }) {
    this.board = board;
    this.api = api;
    this.msg = msg;
    this.announce = announce;
    this.pace = document.getElementById("projector-pace");
    this.pause = document.getElementById("projector-pause");
    root.addEventListener("click", (event) => {
      const cardButton = event.target.closest(".card-spotlight");
      const columnButton = event.target.closest(".column-spotlight");
      if (cardButton) this.spotlight({ input_id: Number(cardButton.closest(".card").dataset.id) }, cardButton);
      else if (columnButton) this.spotlight({ theme_id: Number(columnButton.closest(".column").dataset.themeId) }, columnButton);
    });
    document.getElementById("projector-back").addEventListener("click", () => this.spotlight(null));
    this.pace.addEventListener("change", () => this.send({ page_seconds: Number(this.pace.value) }));
    this.pause.addEventListener("click", async () => {
      const paused = this.pause.getAttribute("aria-pressed") !== "true";
      if (await this.send({ paused })) this.announce(this.msg(paused ? "paging-paused" : "paging-resumed"));
    });
  }

  send(change) {
    return this.api("POST", "/projector", change);
  }

  /** Show `spot` ({input_id} or {theme_id}) on the projector, or the board again (null); a second press goes back. */
  async spotlight(spot, button = null) {
    if (button && button.getAttribute("aria-pressed") === "true") spot = null;
    const answer = await this.send({ spotlight: spot });
    if (answer) this.announce(this.msg("projector-shows", { view: this.describe(answer) }));
  }

  describe(state) {
    const spot = state.spotlight;
    if (spot?.input_id) return this.msg("projector-input");
    if (spot?.theme_id) return this.msg("projector-theme", { title: this.board.theme(spot.theme_id)?.title || "" });
    return this.msg(`projector-${state.view}`);
  }

  /** Reflect the projector's state: which card or column is spotlit, the pace, the pause. */
  update(view) {
    const state = projectorState(this.board.workshop);
    const spot = state.spotlight || {};
    for (const [id, el] of view.cards) {
      const button = el.querySelector(".card-spotlight");
      const on = String(spot.input_id === id);
      if (button && button.getAttribute("aria-pressed") !== on) button.setAttribute("aria-pressed", on);
    }
    for (const el of document.querySelectorAll("#columns .column")) {
      const button = el.querySelector(".column-spotlight");
      if (!button) continue;
      const theme = this.board.theme(Number(el.dataset.themeId));
      button.setAttribute("aria-pressed", String(!!theme && spot.theme_id === theme.id));
      if (theme) button.setAttribute("aria-label", this.msg("spotlight-theme", { title: theme.title }));
    }
    const spotEl = document.getElementById("projector-spot");
    spotEl.hidden = !state.spotlight;
    if (state.spotlight) document.getElementById("projector-spot-text").textContent = this.msg("projector-shows", { view: this.describe(state) });
    if (document.activeElement !== this.pace) this.pace.value = String(state.page_seconds || 0);
    this.pause.setAttribute("aria-pressed", String(!!state.paused));
  }
}
