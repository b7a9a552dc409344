// Hiding inputs with a reason (a <dialog>, not window.prompt) and showing them
// again from the "Hidden (n)" drawer. Hidden inputs leave the wall and the
// projector; the server keeps them. Like moves, a hide shows at once and the
// server's event confirms it.

const CONFIRM_WAIT = 5000;

export class Hiding {
  constructor({ board, api, moves, redraw, msg, announce, focusCard }) {
    this.board = board;
    this.api = api;
    this.moves = moves;
    this.redraw = redraw;
    this.msg = msg;
    this.announce = announce;
    this.focusCard = focusCard;
    this.pending = new Map(); // input id -> true (hiding) or false (showing)
    this.dialog = document.getElementById("hide-dialog");
    this.reason = document.getElementById("hide-reason");
    this.target = null;
    this.dialog.addEventListener("click", (event) => {
      const choice = event.target.closest("[data-reason]");
      if (choice) {
        this.reason.value = choice.dataset.reason;
        this.reason.focus();
      }
    });
    this.dialog.addEventListener("close", () => this.closed());
  }

  /** Whether this screen shows the input as hidden (the server's word, or a pending change). */
  isHidden(input) {
    return this.pending.has(input.id) ? this.pending.get(input.id) : !!input.hidden;
  }

  /** Ask for the reason, then hide. */
  ask(id) {
    const input = this.board.inputs.get(id);
    if (!input || this.dialog.open) return;
    this.target = id;
    document.getElementById("hide-dialog-text").textContent = input.text;
    this.reason.value = "";
    this.dialog.returnValue = "";
    this.dialog.showModal();
    this.reason.focus();
  }

  closed() {
    // A dialog's close event comes a task later: after Esc and a quick H it arrives while the
    // dialog is open again for the next card, and must not take that card's question away.
    if (this.dialog.open) return;
    const id = this.target;
    this.target = null;
    if (id === null) return;
    if (this.dialog.returnValue === "hide") this.hide(id, this.reason.value.trim());
    else this.focusCard(id);
  }

  /** The card to focus when `id` leaves its column: the next one, else the previous. */
  neighbour(id) {
    const card = document.querySelector(`#columns .card[data-id="${id}"]`);
    const other = card && (card.nextElementSibling || card.previousElementSibling);
    return other ? Number(other.dataset.id) : null;
  }

  async hide(id, reason, { undoable = true } = {}) {
    const column = this.board.inputs.get(id)?.theme_id ?? null;
    const next = this.neighbour(id);
    this.pending.set(id, true);
    this.redraw({ columns: [this.moves.locate(id)], hidden: true });
    if (next !== null) this.focusCard(next);
    else document.querySelector(`#columns .column[data-theme-id="${column ?? ""}"] .column-title`)?.focus();
    const answer = await this.api("POST", `/inputs/${id}/hide`, { reason });
    this.settle(id, answer, (input) => input.hidden);
    if (answer) {
      this.announce(this.msg("hidden"));
      if (undoable) this.moves.remember({ id, undo: () => this.show(id, { undoable: false }) });
    }
  }

  async show(id, { undoable = true } = {}) {
    const reason = this.board.inputs.get(id)?.hidden_reason || "";
    this.pending.set(id, false);
    this.redraw({ columns: [this.moves.locate(id)], hidden: true });
    this.focusCard(id);
    const answer = await this.api("POST", `/inputs/${id}/unhide`, {});
    this.settle(id, answer, (input) => !input.hidden);
    if (answer) {
      const themeId = this.moves.locate(id);
      const title = themeId === null ? this.msg("unsorted") : this.board.theme(themeId)?.title;
      this.announce(this.msg("unhidden", { column: title }));
      if (undoable) this.moves.remember({ id, undo: () => this.hide(id, reason, { undoable: false }) });
    }
  }

  /** After the server's answer: drop the pending state now if the board shows it already, else soon. */
  settle(id, answer, done) {
    const finish = () => {
      if (this.pending.delete(id)) this.redraw({ columns: [this.moves.locate(id)], hidden: true });
    };
    const input = this.board.inputs.get(id);
    if (!answer || !input || done(input)) finish();
    else setTimeout(finish, CONFIRM_WAIT);
  }

  /** Events that confirm a pending hide or show. */
  confirm(events) {
    for (const event of events) {
      if (event.type === "input.hidden" || event.type === "input.unhidden") this.pending.delete(event.data.input_id);
    }
  }
}
