// The projector's counts view: inputs per theme as a big bar chart with the
// numbers in a table beside it, while the facilitator has the projector on
// "Counts" (a spotlight, or vote results shown, take the screen instead).
import { projectorState } from "./board.js";
import { CountsChart } from "./counts.js";

export class ProjectorCounts {
  constructor({ root, board }) {
    this.root = root;
    this.board = board;
    this.section = document.getElementById("projector-counts");
    this.chart = new CountsChart(document.getElementById("projector-counts-body"), board);
  }

  /** Show or put away the counts, and redraw them; call before the board's own layout. */
  update() {
    const state = projectorState(this.board.workshop);
    const spot = state.spotlight;
    const spotlit = (spot?.input_id && this.board.inputs.get(spot.input_id) && !this.board.inputs.get(spot.input_id).hidden) ||
      (spot?.theme_id && this.board.theme(spot.theme_id));
    const shown = state.view === "counts" && !spotlit;
    this.section.hidden = !shown;
    this.root.dataset.counts = shown ? "shown" : "";
    if (shown) this.chart.render();
    else this.chart.key = null; // redraw from scratch when shown again
  }
}
