// The board as the server's events describe it, applied strictly in seq order.
// Walls and projectors share it, so two screens at the same seq show the same board.

/** What the projector shows: {view, spotlight: null|{input_id}|{theme_id}, page_seconds, paused}. */
export function projectorState(workshop) {
  return { view: workshop.projector_view || "collect", spotlight: null, page_seconds: 0, paused: false, ...(workshop.projector || {}) };
}

/** The index just after the first of `ids` that `order` holds; 0 (the start) at a null id or when it holds none. */
function indexAfter(order, ids) {
  for (const id of ids) {
    if (id === null || id === undefined) return 0;
    const found = order.indexOf(id);
    if (found >= 0) return found + 1;
  }
  return 0;
}

export class Board {
  constructor() {
    this.seq = 0;
    this.workshop = {};
    this.prompts = [];
    this.themes = [];
    this.unsorted = [];
    this.inputs = new Map();
  }

  load(snapshot) {
    this.seq = snapshot.seq;
    this.workshop = snapshot.workshop;
    this.prompts = snapshot.prompts || [];
    this.themes = snapshot.themes.map((t) => ({ ...t, input_ids: [...t.input_ids] }));
    this.unsorted = [...snapshot.unsorted];
    this.inputs = new Map(snapshot.inputs.map((i) => [i.id, i]));
  }

  theme(id) {
    return this.themes.find((t) => t.id === id);
  }

  column(themeId) {
    return themeId === null ? this.unsorted : this.theme(themeId)?.input_ids;
  }

  setColumn(themeId, order) {
    if (themeId === null) this.unsorted = [...order];
    else if (this.theme(themeId)) this.theme(themeId).input_ids = [...order];
    for (const id of order) {
      const input = this.inputs.get(id);
      if (input) input.theme_id = themeId;
    }
  }

  /** Apply a move that names the input it now follows: take it out of its column, put it after that one. */
  place(d) {
    const target = this.column(d.theme_id ?? null);
    if (!target) return;
    const from = this.column(("from_theme_id" in d ? d.from_theme_id : d.theme_id) ?? null);
    for (const column of [from, ...this.themes.map((t) => t.input_ids), this.unsorted]) {
      const at = column ? column.indexOf(d.input_id) : -1;
      if (at >= 0) {
        column.splice(at, 1);
        break;
      }
    }
    // A projector holds no hidden inputs: it places after the nearest visible one.
    target.splice(indexAfter(target, [d.after, d.after_visible]), 0, d.input_id);
    const input = this.inputs.get(d.input_id);
    if (input) input.theme_id = d.theme_id ?? null;
  }

  orderPrompts(ids) {
    const byId = new Map(this.prompts.map((p) => [p.id, p]));
    this.prompts = ids.map((id) => byId.get(id)).filter(Boolean);
  }

  /** The 1-based number of a question in the workshop's order (0 if unknown). */
  promptNumber(id) {
    return this.prompts.findIndex((p) => p.id === id) + 1;
  }

  orderThemes(ids) {
    const byId = new Map(this.themes.map((t) => [t.id, t]));
    this.themes = ids.map((id) => byId.get(id)).filter(Boolean);
  }

  visibleCount() {
    let n = 0;
    for (const input of this.inputs.values()) if (!input.hidden) n += 1;
    return n;
  }

  apply(event) {
    const d = event.data;
    switch (event.type) {
      case "workshop.status":
        this.workshop.status = d.status;
        break;
      case "workshop.updated":
        Object.assign(this.workshop, d);
        break;
      case "projector.view":
        // Older events carry only the view; newer ones the whole state (spotlight, pace).
        this.workshop.projector = { ...projectorState(this.workshop), ...d };
        this.workshop.projector_view = this.workshop.projector.view;
        break;
      case "prompt.created":
        if (d.active) this.prompts.forEach((p) => (p.active = false));
        if (!this.prompts.some((p) => p.id === d.id)) this.prompts.push({ ...d });
        break;
      case "prompt.updated": {
        const prompt = this.prompts.find((p) => p.id === d.prompt_id);
        if (prompt && "text" in d) prompt.text = d.text;
        if (d.prompt_order) this.orderPrompts(d.prompt_order);
        break;
      }
      case "prompt.deleted":
        this.prompts = this.prompts.filter((p) => p.id !== d.prompt_id);
        this.orderPrompts(d.prompt_order);
        break;
      case "prompt.activated":
        this.prompts.forEach((p) => (p.active = p.id === d.prompt_id));
        break;
      case "theme.created":
        if (!this.theme(d.id)) this.themes.push({ ...d, input_ids: [...(d.input_ids || [])] });
        break;
      case "theme.updated": {
        const theme = this.theme(d.theme_id);
        if (theme) {
          for (const key of ["title", "summary", "colour"]) if (key in d) theme[key] = d[key];
        }
        if (d.theme_order) this.orderThemes(d.theme_order);
        break;
      }
      case "theme.deleted":
        this.themes = this.themes.filter((t) => t.id !== d.theme_id);
        this.setColumn(null, d.unsorted_order);
        this.orderThemes(d.theme_order);
        break;
      case "theme.merged": {
        this.themes = this.themes.filter((t) => t.id !== d.theme_id);
        this.setColumn(d.into, d.order);
        const target = this.theme(d.into);
        if (target) target.summary = d.summary;
        this.orderThemes(d.theme_order);
        break;
      }
      case "input.created":
        if (!this.inputs.has(d.id)) {
          // A participant may have chosen a theme: the input goes to its end (else to Unsorted).
          const theme = d.theme_id === null || d.theme_id === undefined ? null : this.theme(d.theme_id);
          const input = theme ? d : { ...d, theme_id: null };
          this.inputs.set(d.id, input);
          const column = theme ? theme.input_ids : this.unsorted;
          if (!column.includes(d.id)) column.push(d.id);
        }
        break;
      case "input.moved":
        if ("order" in d) {
          // Events recorded before moves named their neighbour carry whole columns.
          if ("from_order" in d) this.setColumn(d.from_theme_id, d.from_order);
          this.setColumn(d.theme_id, d.order);
        } else {
          this.place(d);
        }
        break;
      case "input.hidden": {
        const input = this.inputs.get(d.input_id);
        if (input) Object.assign(input, { hidden: true, hidden_reason: d.reason || "" });
        break;
      }
      case "input.unhidden": {
        const input = { ...(this.inputs.get(d.input_id) || {}), ...d.input, hidden: false };
        this.inputs.set(d.input_id, input);
        // A projector's snapshot leaves hidden inputs out of the column orders:
        // put the input back after the visible input it followed.
        const order = this.column(input.theme_id ?? null);
        if (order && !order.includes(d.input_id)) {
          const at = "after_visible" in d ? indexAfter(order, [d.after_visible]) : (input.position ?? order.length);
          order.splice(Math.min(at, order.length), 0, d.input_id);
        }
        break;
      }
      default:
        break; // noop and events that change nothing on a board
    }
    this.seq = event.seq;
  }
}

// What an applied event changed, so a view redraws only that: `columns` lists
// the columns (theme id, null for Unsorted) whose cards changed, `structure`
// says the set, order or titles of the columns changed, `hidden` that the
// hidden inputs changed, `summaries` the themes whose summary changed,
// `prompts` that the questions changed.
export function touched(event, board) {
  const d = event.data || {};
  switch (event.type) {
    case "input.created":
      return { columns: [board.inputs.get(d.id)?.theme_id ?? null] };
    case "prompt.created":
    case "prompt.updated":
    case "prompt.deleted":
    case "prompt.activated":
      // Cards show their question's number: renumbering touches every card.
      return { structure: true, prompts: true };
    case "input.moved":
      return { columns: "from_theme_id" in d ? [d.from_theme_id ?? null, d.theme_id ?? null] : [d.theme_id ?? null] };
    case "input.hidden":
    case "input.unhidden":
      return { columns: [board.inputs.get(d.input_id)?.theme_id ?? null], hidden: true };
    case "theme.created":
    case "theme.deleted":
      return { structure: true, hidden: true };
    case "theme.merged":
      return { structure: true, hidden: true, summaries: [d.into] };
    case "theme.updated":
      return {
        structure: "title" in d || "theme_order" in d || "colour" in d,
        columns: [d.theme_id],
        summaries: "summary" in d ? [d.theme_id] : [],
      };
    default:
      return {};
  }
}

// Merge several touched() answers into one redraw.
export function mergeTouched(list) {
  const out = { columns: new Set(), structure: false, hidden: false, summaries: new Set(), prompts: false };
  for (const t of list) {
    for (const c of t.columns || []) out.columns.add(c);
    for (const s of t.summaries || []) out.summaries.add(s);
    out.structure ||= !!t.structure;
    out.hidden ||= !!t.hidden;
    out.prompts ||= !!t.prompts;
  }
  return out;
}

// Feeds a Board from a socket: in-order events apply at once, a gap waits
// briefly for the missing event and then asks the server (`sync`).
export class BoardSync {
  constructor(socket, board, onChange, options = {}) {
    this.socket = socket;
    this.board = board;
    this.onChange = onChange;
    this.pending = new Map();
    this.gapTimer = null;
    this.loaded = false;
    this.gapWait = options.gapWait ?? 1000;
    socket.on("event", (event) => this.receive(event));
    socket.on("connect", () => this.sync());
  }

  receive(event) {
    if (!this.loaded || event.seq <= this.board.seq) return;
    this.pending.set(event.seq, event);
    this.drain();
    if (this.pending.size && !this.gapTimer) {
      this.gapTimer = setTimeout(() => {
        this.gapTimer = null;
        if (this.pending.size) this.sync();
      }, this.gapWait);
    }
  }

  drain() {
    const applied = [];
    while (this.pending.has(this.board.seq + 1)) {
      const event = this.pending.get(this.board.seq + 1);
      this.pending.delete(event.seq);
      this.board.apply(event);
      applied.push(event);
    }
    for (const seq of this.pending.keys()) if (seq <= this.board.seq) this.pending.delete(seq);
    if (applied.length) this.onChange({ events: applied });
  }

  /** Draw the board as the page was served, before the socket connects; it then asks only for what came after. */
  start(snapshot) {
    this.load(snapshot);
    this.drain();
  }

  load(snapshot) {
    this.board.load(snapshot);
    this.loaded = true;
    this.onChange({ snapshot: true });
  }

  sync() {
    const since = this.loaded ? this.board.seq : null;
    this.socket.emit("sync", { since }, (answer) => {
      if (!answer || answer.error) return;
      if (answer.snapshot) {
        this.load(answer.snapshot);
      } else {
        for (const event of answer.events) if (event.seq > this.board.seq) this.pending.set(event.seq, event);
      }
      this.drain();
    });
  }
}
