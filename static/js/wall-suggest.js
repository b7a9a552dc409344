// Grouping help on the wall: near-duplicates, "more like this", theme hints.
//
// Advisory only: nothing moves by itself. Every action is an ordinary move
// (wall-moves.js, undoable) sent with `suggested: true`, so the event log and
// the exports say it was a suggestion. Suggestions come from
// GET /suggestions, fetched again (debounced) whenever the board changes.
// Keys on a focused card: A accepts its first theme hint, L opens "More like
// this", G goes to its near-duplicate, T places it next to that one.

const REFRESH_DELAY = 700;
const PENDING_RETRY = 5000;
const PENDING_RETRY_MAX = 60000;
const EXCERPT = 48;

function excerpt(text) {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length > EXCERPT ? `${flat.slice(0, EXCERPT - 1)}…` : flat;
}

export class Suggestions {
  constructor({ root, board, api, moves, view, msg, announce, focusCard, columnTitle }) {
    Object.assign(this, { root, board, api, moves, view, msg, announce, focusCard, columnTitle });
    this.chipTemplate = document.getElementById("hint-chip-template");
    this.itemTemplate = document.getElementById("similar-item-template");
    this.dialog = document.getElementById("similar-dialog");
    this.twins = new Map(); // input id -> {other, score, same}, the most similar one
    this.hints = new Map(); // input id -> [{theme_id, score}]
    this.timer = null;
    this.retry = PENDING_RETRY;
    this.dialogFor = null;
    root.addEventListener("click", (event) => this.click(event));
    view.container.addEventListener("keydown", (event) => this.key(event));
    this.dialog.addEventListener("keydown", (event) => this.dialogKey(event));
    this.dialog.addEventListener("close", () => {
      const id = this.dialogFor;
      this.dialogFor = null;
      if (id !== null) this.focusCard(id);
    });
  }

  /** Fetch again soon (several board changes in a row make one request). */
  schedule(delay = REFRESH_DELAY) {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.refresh(), delay);
  }

  onEvents(events) {
    if (events.some((e) => e.type.startsWith("input.") || e.type.startsWith("theme.") || e.type === "suggestion.dismissed")) {
      this.schedule();
    }
  }

  async refresh() {
    const answer = await this.api("GET", "/suggestions", undefined, { quiet: true });
    if (!answer) return;
    this.twins = new Map();
    for (const d of answer.duplicates || []) {
      const [a, b] = d.input_ids;
      for (const [x, y] of [[a, b], [b, a]]) {
        if (!this.twins.has(x)) this.twins.set(x, { other: y, score: d.score, same: d.same });
      }
    }
    this.hints = new Map();
    for (const h of answer.themes || []) {
      if (!this.hints.has(h.input_id)) this.hints.set(h.input_id, []);
      this.hints.get(h.input_id).push(h);
    }
    for (const [id, el] of this.view.cards) {
      const input = this.board.inputs.get(id);
      if (input) this.decorate(el, input, el.classList.contains("is-hidden"));
    }
    // The worker is still embedding new inputs: look again in a while, less often the longer it takes.
    if (answer.pending) {
      this.schedule(this.retry);
      this.retry = Math.min(this.retry * 2, PENDING_RETRY_MAX);
    } else {
      this.retry = PENDING_RETRY;
    }
  }

  /** Fill a card's suggestion slot (called for every redraw of the card). */
  decorate(el, input, hidden) {
    // The card atom holds the slot after its own controls, so Tab reaches "Move to" first.
    const slot = el.querySelector(".card-suggest");
    if (slot.hidden !== hidden) slot.hidden = hidden;
    if (hidden) return;
    const twin = this.visibleTwin(input.id);
    const twinBox = slot.querySelector(".suggest-twin");
    if (twinBox.hidden !== !twin) twinBox.hidden = !twin;
    if (twin) {
      const other = this.board.inputs.get(twin.other);
      const label = this.msg(twin.same ? "same-as" : "similar-to", { text: excerpt(other.text) });
      const go = twinBox.querySelector(".suggest-twin-go");
      if (go.textContent !== label) go.textContent = label;
      go.title = other.text;
      twinBox.classList.toggle("is-same", !!twin.same);
    }
    const hintsBox = slot.querySelector(".suggest-hints");
    const hints = this.moves.locate(input.id) === null ? this.currentHints(input.id) : [];
    const key = hints.map((h) => `${h.theme_id}:${this.board.theme(h.theme_id)?.title}`).join("|");
    if (hintsBox.dataset.key !== key) {
      hintsBox.dataset.key = key;
      hintsBox.replaceChildren(...hints.map((h) => this.chip(h)));
    }
  }

  chip(hint) {
    const chip = this.chipTemplate.content.firstElementChild.cloneNode(true);
    const theme = this.board.theme(hint.theme_id).title;
    chip.dataset.themeId = hint.theme_id;
    const accept = chip.querySelector(".suggest-hint-accept");
    accept.textContent = this.msg("hint", { theme });
    // The visible words are the accessible name (WCAG 2.5.3); the longer wording is the tooltip.
    accept.title = this.msg("hint-label", { theme });
    const dismiss = chip.querySelector(".suggest-hint-dismiss");
    dismiss.setAttribute("aria-label", this.msg("dismiss-hint", { theme }));
    dismiss.title = this.msg("dismiss-hint", { theme });
    return chip;
  }

  /** The near-duplicate of an input, if it is still on the board and shown. */
  visibleTwin(id) {
    const twin = this.twins.get(id);
    const other = twin && this.board.inputs.get(twin.other);
    if (!other || other.hidden) return null;
    return twin;
  }

  /** Hints whose theme still exists. */
  currentHints(id) {
    return (this.hints.get(id) || []).filter((h) => this.board.theme(h.theme_id));
  }

  click(event) {
    const card = event.target.closest(".card");
    if (!card || !event.target.closest(".card-suggest")) return;
    const id = Number(card.dataset.id);
    if (event.target.closest(".suggest-twin-go")) this.goToTwin(id);
    else if (event.target.closest(".suggest-twin-place")) this.placeNextToTwin(id);
    else if (event.target.closest(".suggest-more")) this.openSimilar(id);
    else if (event.target.closest(".suggest-hint-accept")) this.accept(id, Number(event.target.closest(".suggest-hint").dataset.themeId));
    else if (event.target.closest(".suggest-hint-dismiss")) this.dismiss(id, Number(event.target.closest(".suggest-hint").dataset.themeId));
  }

  key(event) {
    const target = event.target;
    if (!target.classList.contains("card") || event.ctrlKey || event.metaKey || event.altKey) return;
    const id = Number(target.dataset.id);
    const key = event.key.toLowerCase();
    if (key === "a") {
      const [first] = this.moves.locate(id) === null ? this.currentHints(id) : [];
      if (!first) return;
      event.preventDefault();
      this.accept(id, first.theme_id);
    } else if (key === "l") {
      event.preventDefault();
      this.openSimilar(id);
    } else if (key === "g" && this.visibleTwin(id)) {
      event.preventDefault();
      this.goToTwin(id);
    } else if (key === "t" && this.visibleTwin(id)) {
      event.preventDefault();
      this.placeNextToTwin(id);
    }
  }

  async accept(id, themeId) {
    const moved = this.moves.move(id, themeId, this.moves.endIndex(id, themeId), { suggested: true });
    this.focusCard(id);
    if (await moved) this.announce(this.msg("hint-accepted", { theme: this.board.theme(themeId)?.title || "" }));
  }

  async dismiss(id, themeId) {
    const theme = this.board.theme(themeId)?.title || "";
    if (!(await this.api("POST", `/inputs/${id}/dismiss-hint`, { theme_id: themeId }))) return;
    this.hints.set(id, (this.hints.get(id) || []).filter((h) => h.theme_id !== themeId));
    const el = this.view.cards.get(id);
    if (el) this.decorate(el, this.board.inputs.get(id), false);
    this.focusCard(id);
    this.announce(this.msg("hint-dismissed", { theme }));
  }

  goToTwin(id) {
    const twin = this.visibleTwin(id);
    if (!twin) return;
    this.focusCard(twin.other);
    const el = this.view.cards.get(twin.other);
    if (el) {
      el.classList.add("is-twin-target");
      setTimeout(() => el.classList.remove("is-twin-target"), 2000);
    }
  }

  async placeNextToTwin(id) {
    const twin = this.visibleTwin(id);
    if (!twin) return;
    const themeId = this.moves.locate(twin.other);
    const index = this.moves.indexBetween(id, themeId, twin.other, null);
    const moved = this.moves.move(id, themeId, index, { suggested: true });
    this.focusCard(id);
    if (await moved) this.announce(this.msg("placed-next", { column: this.columnTitle(themeId) }));
  }

  async openSimilar(id) {
    const input = this.board.inputs.get(id);
    if (!input) return;
    const answer = await this.api("GET", `/inputs/${id}/similar?limit=8`, undefined, { quiet: true });
    if (!answer) return;
    this.dialogFor = id;
    document.getElementById("similar-quote").textContent = input.text;
    const list = document.getElementById("similar-list");
    const items = (answer.similar || []).filter((s) => this.board.inputs.has(s.input_id));
    list.replaceChildren(...items.map((s) => this.similarItem(id, s.input_id)));
    document.getElementById("similar-empty").hidden = items.length > 0;
    if (!this.dialog.open) this.dialog.showModal();
    (list.querySelector(".similar-move:not([disabled])") || this.dialog.querySelector("button[value=close]")).focus();
  }

  similarItem(sourceId, otherId) {
    const li = this.itemTemplate.content.firstElementChild.cloneNode(true);
    const other = this.board.inputs.get(otherId);
    const here = this.moves.locate(sourceId);
    const there = this.moves.locate(otherId);
    li.dataset.id = otherId;
    li.querySelector(".similar-text").textContent = other.text;
    li.querySelector(".similar-where").textContent = this.msg("in-column", { column: this.columnTitle(there) });
    const button = li.querySelector(".similar-move");
    if (here !== null) {
      // Into the card's theme.
      button.textContent = this.msg("move-into", { theme: this.columnTitle(here) });
      button.disabled = there === here;
      button.dataset.move = otherId;
      button.dataset.to = here;
    } else if (there !== null) {
      // The card is unsorted: it can join the similar one's theme instead.
      button.textContent = this.msg("move-card-to", { theme: this.columnTitle(there) });
      button.dataset.move = sourceId;
      button.dataset.to = there;
    } else {
      button.hidden = true;
    }
    button.addEventListener("click", () => this.moveFromDialog(button));
    return li;
  }

  async moveFromDialog(button) {
    const id = Number(button.dataset.move);
    const to = Number(button.dataset.to);
    button.disabled = true;
    const ok = await this.moves.move(id, to, this.moves.endIndex(id, to), { suggested: true });
    if (ok) this.announce(this.msg("hint-accepted", { theme: this.columnTitle(to) }));
    if (id === this.dialogFor) this.dialog.close();
  }

  dialogKey(event) {
    if (event.key !== "ArrowDown" && event.key !== "ArrowUp") return;
    const buttons = [...this.dialog.querySelectorAll(".similar-move:not([hidden]):not([disabled])")];
    const at = buttons.indexOf(document.activeElement);
    const next = buttons[at + (event.key === "ArrowDown" ? 1 : -1)];
    if (next) {
      event.preventDefault();
      next.focus();
      next.scrollIntoView({ block: "nearest" });
    }
  }
}
