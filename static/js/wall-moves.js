// Moving inputs: optimistic on this screen, decided by the server.
//
// A move is shown at once by laying it over the board's orders as a pending
// move; the server's input.moved event (or a refusal) removes it again, so
// what remains on screen is always the board as the server's events describe
// it. Indexes sent to the server count the column's full order, hidden inputs
// included, after taking the moved input out (services/inputs.py move_input).

const UNDO_LIMIT = 50;
const CONFIRM_WAIT = 5000;

export class Moves {
  constructor({ board, api, redraw, onUndoChange }) {
    this.board = board;
    this.api = api;
    this.redraw = redraw;
    this.onUndoChange = onUndoChange || (() => {});
    this.pending = [];
    this.undoStack = [];
    this.cache = null;
    this.version = 0;
    this.queue = Promise.resolve();
  }

  /** The board's orders with the pending moves replayed on top (null when none). */
  state() {
    if (!this.pending.length) return null;
    const key = `${this.board.seq}:${this.version}`;
    if (this.cache && this.cache.key === key) return this.cache;
    const cols = new Map();
    const where = new Map();
    const col = (themeId) => {
      if (!cols.has(themeId)) cols.set(themeId, [...(this.board.column(themeId) || [])]);
      return cols.get(themeId);
    };
    for (const m of this.pending) {
      const input = this.board.inputs.get(m.id);
      if (!input || (m.themeId !== null && !this.board.theme(m.themeId))) continue;
      const source = col(where.has(m.id) ? where.get(m.id) : input.theme_id ?? null);
      const at = source.indexOf(m.id);
      if (at >= 0) source.splice(at, 1);
      const target = col(m.themeId);
      target.splice(Math.max(0, Math.min(m.index, target.length)), 0, m.id);
      where.set(m.id, m.themeId);
    }
    this.cache = { key, cols, where };
    return this.cache;
  }

  /** A column's order as this screen shows it (null: Unsorted). */
  order(themeId) {
    themeId = themeId ?? null;
    return this.state()?.cols.get(themeId) || this.board.column(themeId) || [];
  }

  /** The column an input is shown in. */
  locate(id) {
    const state = this.state();
    if (state?.where.has(id)) return state.where.get(id);
    return this.board.inputs.get(id)?.theme_id ?? null;
  }

  /** The full-order index that puts `id` right after the card `prevId` (or before `nextId`). */
  indexBetween(id, themeId, prevId, nextId) {
    const without = this.order(themeId).filter((x) => x !== id);
    if (prevId !== null && without.includes(prevId)) return without.indexOf(prevId) + 1;
    if (nextId !== null && without.includes(nextId)) return without.indexOf(nextId);
    return without.length;
  }

  /** The index of the end of a column, for `id` arriving there. */
  endIndex(id, themeId) {
    return this.order(themeId).filter((x) => x !== id).length;
  }

  drop(m) {
    const at = this.pending.indexOf(m);
    if (at < 0) return false;
    this.pending.splice(at, 1);
    this.version += 1;
    return true;
  }

  /** Take confirmed moves off the pending list; call before redrawing for these events. */
  confirm(events) {
    for (const event of events) {
      if (event.type !== "input.moved") continue;
      const m = this.pending.find((p) => p.id === event.data.input_id);
      if (m) this.drop(m);
    }
    this.version += 1;
  }

  /**
   * Move an input to a column (null: Unsorted) at a full-order index; resolve
   * to true if the server took it. Redraws at once, before the answer.
   */
  async move(id, themeId, index, { undoable = true, suggested = false } = {}) {
    themeId = themeId ?? null;
    const from = this.locate(id);
    const fromIndex = this.order(from).indexOf(id);
    index = Math.max(0, Math.min(index, this.endIndex(id, themeId)));
    if (from === themeId && fromIndex === index) {
      this.redraw({ columns: [from] });
      return false;
    }
    const m = { id, themeId, index };
    this.pending.push(m);
    this.version += 1;
    let entry = null;
    if (undoable) {
      entry = {
        id,
        valid: () => from === null || !!this.board.theme(from),
        undo: () => this.move(id, from, fromIndex, { undoable: false }),
      };
      this.remember(entry);
    }
    this.redraw({ columns: [from, themeId] });
    // One command at a time, in the order they were made: two quick Alt+Down
    // must reach the server in that order.
    // `suggested`: an accepted suggestion (wall-suggest.js); the server's event records it.
    const body = suggested ? { theme_id: themeId, index, suggested: true } : { theme_id: themeId, index };
    const sent = this.queue.then(() => this.api("POST", `/inputs/${id}/move`, body));
    this.queue = sent.catch(() => null);
    const answer = await sent;
    if (!answer) {
      if (entry) this.forget(entry);
      if (this.drop(m)) this.redraw({ columns: [from, themeId] });
      return false;
    }
    if (this.pending.includes(m)) {
      // The answer can arrive before the event. If the board already shows the
      // input where the server put it (a move that changed nothing records no
      // event), stop waiting; otherwise give the event a while.
      const column = this.board.column(answer.theme_id ?? null) || [];
      if (column[answer.index] === id) {
        this.drop(m);
        this.redraw({ columns: [from, themeId] });
      } else {
        setTimeout(() => {
          if (this.drop(m)) this.redraw({ columns: [from, themeId] });
        }, CONFIRM_WAIT);
      }
    }
    return true;
  }

  /** Put an undo entry {id, undo()} on this facilitator's stack. */
  remember(entry) {
    this.undoStack.push(entry);
    if (this.undoStack.length > UNDO_LIMIT) this.undoStack.shift();
    this.onUndoChange(this.undoStack.length);
  }

  forget(entry) {
    const at = this.undoStack.lastIndexOf(entry);
    if (at >= 0) this.undoStack.splice(at, 1);
    this.onUndoChange(this.undoStack.length);
  }

  /** Undo this facilitator's last move (or hide); resolve to the input's id, or null. */
  async undo() {
    const entry = this.undoStack.pop();
    this.onUndoChange(this.undoStack.length);
    if (!entry) return null;
    if (!this.board.inputs.has(entry.id) || (entry.valid && !entry.valid())) return this.undo();
    await entry.undo();
    return entry.id;
  }
}
