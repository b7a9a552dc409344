// Inputs per theme, as the wall's panel and the projector's counts view show them:
// the server's bar chart (an SVG picture) and the same numbers in a table beside it.
// The table comes from the board model (hidden inputs in no count, like the
// server's); the picture is fetched again whenever those numbers change.

/** [{title, n}]: every theme in board order, then Unsorted when it holds a visible input. */
export function themeCounts(board, unsortedLabel) {
  const visible = (ids) => ids.filter((id) => board.inputs.get(id) && !board.inputs.get(id).hidden).length;
  const rows = board.themes.map((t) => ({ title: t.title, n: visible(t.input_ids) }));
  const unsorted = visible(board.unsorted);
  if (unsorted) rows.push({ title: unsortedLabel, n: unsorted });
  return rows;
}

export class CountsChart {
  constructor(element, board) {
    this.el = element;
    this.board = board;
    this.img = element.querySelector(".counts-chart");
    this.table = element.querySelector(".counts-table");
    this.empty = element.querySelector(".counts-empty");
    this.rowTemplate = element.querySelector(".counts-row-template");
    this.key = null;
    this.timer = null;
  }

  /** Redraw if the numbers (or titles) changed since the last time. */
  render() {
    const rows = themeCounts(this.board, this.el.dataset.msgUnsorted);
    const key = JSON.stringify(rows);
    if (key === this.key) return;
    this.key = key;
    const total = rows.reduce((sum, r) => sum + r.n, 0);
    this.el.dataset.total = String(total);
    this.empty.hidden = total > 0;
    this.img.hidden = this.table.hidden = total === 0;
    const body = this.table.querySelector("tbody");
    body.replaceChildren(
      ...rows.map((row) => {
        const tr = this.rowTemplate.content.firstElementChild.cloneNode(true);
        tr.querySelector(".counts-title").textContent = row.title;
        tr.querySelector(".counts-n").textContent = String(row.n);
        return tr;
      }),
    );
    this.table.querySelector(".counts-total").textContent = String(total);
    // A room sending inputs changes the numbers many times a second: fetch the picture once they settle a little.
    clearTimeout(this.timer);
    if (total) this.timer = setTimeout(() => (this.img.src = `${this.el.dataset.src}?v=${this.board.seq}`), 250);
  }
}
