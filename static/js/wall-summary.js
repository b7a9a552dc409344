// Theme summaries, saved as the facilitator types (debounced PATCH and on
// leaving the field), without ever losing a keystroke: while a summary is
// focused or has unsaved text, news about that theme's summary waits; it is
// applied once focus has left and the local text is saved. Summaries of other
// themes update live.

const DEBOUNCE = 600;
const RETRY = 3000;
const ECHO_WAIT = 10000;

export class Summaries {
  constructor({ board, api, msg }) {
    this.board = board;
    this.api = api;
    this.msg = msg;
    this.states = new Map();
  }

  /** Wire a theme column's summary field the first time it is drawn; keep its labels current. */
  decorate(el, theme) {
    const area = el.querySelector(".summary-text");
    let state = this.states.get(theme.id);
    if (!state || state.area !== area) {
      state = {
        themeId: theme.id,
        area,
        label: el.querySelector(".summary-label"),
        status: el.querySelector(".summary-state"),
        preview: el.querySelector(".summary-preview"),
        saved: theme.summary || "",
        dirty: false,
        inflight: false,
        again: false,
        timer: null,
        echoes: [],
      };
      area.value = state.saved;
      area.addEventListener("input", () => this.typed(state));
      area.addEventListener("blur", () => this.left(state));
      this.states.set(theme.id, state);
      this.preview(state);
    }
    const label = this.msg("summary-of", { title: theme.title });
    if (state.label.textContent !== label) state.label.textContent = label;
  }

  removed(themeId) {
    const state = this.states.get(themeId);
    if (state) clearTimeout(state.timer);
    this.states.delete(themeId);
  }

  preview(state) {
    const text = state.area.value.trim().split("\n")[0];
    state.preview.textContent = text ? `· ${text}` : this.msg("summary-empty");
  }

  show(state, key) {
    const text = key ? this.msg(key) : "";
    if (state.status.textContent !== text) state.status.textContent = text;
    state.status.dataset.state = key || "";
  }

  typed(state) {
    state.dirty = true;
    this.show(state, "saving");
    clearTimeout(state.timer);
    state.timer = setTimeout(() => this.save(state), DEBOUNCE);
  }

  left(state) {
    clearTimeout(state.timer);
    if (state.dirty) this.save(state);
    else this.reconcile(state);
  }

  /** Send the field's current text; one request per theme at a time, always the latest text. */
  async save(state) {
    clearTimeout(state.timer);
    if (state.inflight) {
      state.again = true;
      return;
    }
    const text = state.area.value;
    state.dirty = false;
    if (text === state.saved) {
      this.show(state, "saved");
      this.reconcile(state);
      return;
    }
    state.inflight = true;
    state.echoes.push({ text, at: Date.now() });
    const answer = await this.api("PATCH", `/themes/${state.themeId}`, { summary: text }, { quiet: true });
    state.inflight = false;
    if (!this.states.has(state.themeId)) return;
    if (answer) {
      state.saved = text;
      if (this.board.theme(state.themeId)?.summary === text) state.echoes = state.echoes.filter((e) => e.text !== text);
    } else {
      // Keep the text and try again; the field is never reset while it is unsaved.
      state.dirty = true;
      state.echoes = state.echoes.filter((e) => e.text !== text);
      this.show(state, "not-saved");
      state.timer = setTimeout(() => this.save(state), RETRY);
      return;
    }
    if (state.again || state.dirty) {
      state.again = false;
      this.save(state);
      return;
    }
    this.show(state, "saved");
    this.preview(state);
    this.reconcile(state);
  }

  /** Summary news from the server's events: our own echoes are consumed, others applied when safe. */
  onEvents(events) {
    for (const event of events) {
      const d = event.data;
      let themeId = null;
      let summary = null;
      if (event.type === "theme.updated" && "summary" in d) [themeId, summary] = [d.theme_id, d.summary];
      else if (event.type === "theme.merged") [themeId, summary] = [d.into, d.summary];
      else continue;
      const state = this.states.get(themeId);
      if (!state) continue;
      const at = state.echoes.findIndex((e) => e.text === summary);
      if (at >= 0) state.echoes.splice(0, at + 1);
      this.reconcile(state);
    }
  }

  /** After a fresh snapshot (a reconnect): bring every field that nobody is writing in up to date. */
  reconcileAll() {
    for (const state of this.states.values()) this.reconcile(state);
  }

  /** Show the board's summary in the field, unless the facilitator is writing there. */
  reconcile(state) {
    const now = Date.now();
    state.echoes = state.echoes.filter((e) => now - e.at < ECHO_WAIT);
    if (state.echoes.length && !state.echoTimer) {
      // An echo that never comes (a save that changed nothing) must not block the field for good.
      state.echoTimer = setTimeout(() => {
        state.echoTimer = null;
        this.reconcile(state);
      }, ECHO_WAIT);
    }
    if (document.activeElement === state.area || state.dirty || state.inflight || state.echoes.length) return;
    const summary = this.board.theme(state.themeId)?.summary ?? state.area.value;
    if (state.area.value !== summary) {
      state.area.value = summary;
      state.saved = summary;
    }
    this.preview(state);
  }
}
