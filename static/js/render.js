// Draws a Board into columns by cloning the page's <template> atoms and
// filling them with textContent only: user text never becomes HTML.
// Redraws are incremental: an event redraws the columns it touched, and a
// card element is made once per input and then only moved, so focus, scroll
// and a 500-card wall survive a stream of events.

/**
 * Clock times in a workshop's language, with the facilitator's regional variant of it
 * when the browser has one ("06.52" in Danish, "06:52" for en-GB, "6:52 AM" for en-US).
 */
export function timeFormat(language) {
  const lang = language || document.documentElement.lang || undefined;
  const regional = lang && (navigator.languages || []).find((l) => l.split("-")[0].toLowerCase() === lang);
  return new Intl.DateTimeFormat(regional || lang, { hour: "2-digit", minute: "2-digit" });
}

/**
 * Put `text` into `el` as text nodes, with a line-break opportunity (<wbr>) after each
 * slash between letters: "toiletter/omklædningsrum" may wrap after the slash instead of
 * overflowing or breaking inside a word. The element's textContent is exactly `text`.
 */
export function breakableText(el, text) {
  const parts = text.split(/(?<=\p{L}\/)(?=\p{L})/u);
  const nodes = [];
  parts.forEach((part, index) => {
    if (index) nodes.push(document.createElement("wbr"));
    nodes.push(document.createTextNode(part));
  });
  el.replaceChildren(...nodes);
}

/** A card atom cloned from its <template> and filled with textContent only. */
export function newCard(template, input, format) {
  const el = document.importNode(template.content.firstElementChild, true);
  el.dataset.id = input.id;
  breakableText(el.querySelector(".card-text"), input.text);
  const time = el.querySelector(".card-time");
  if (input.received_at) {
    time.dateTime = input.received_at;
    time.textContent = format.format(new Date(input.received_at));
  }
  const author = el.querySelector(".card-author");
  if (author) author.textContent = input.author_name || "";
  return el;
}

export class BoardView {
  constructor(container, board, options) {
    this.container = container;
    this.board = board;
    this.cardTemplate = options.cardTemplate;
    this.columnTemplate = options.columnTemplate;
    this.unsortedLabel = options.unsortedLabel;
    this.countLabel = options.countLabel;
    this.countOne = options.countOne || options.countLabel;
    this.showUnsorted = options.showUnsorted ?? true;
    this.showThemes = options.showThemes ?? true;
    this.decorateCard = options.decorateCard || (() => {});
    this.decorateColumn = options.decorateColumn || (() => {});
    this.removedColumn = options.removedColumn || (() => {});
    // The order a column shows; the wall lays its unconfirmed moves over the board's.
    this.order = options.order || ((themeId) => board.column(themeId) || []);
    this.isHidden = options.isHidden || ((input) => !!input.hidden);
    // Where hidden inputs go (the wall's drawer); without it they are simply left out.
    this.hiddenContainer = options.hiddenContainer || null;
    this.cards = new Map();
    this.columns = new Map();
    this.timeFormat = timeFormat(options.language);
    // How many of each column's cards are drawn: all, unless a large board is being drawn in steps (drawMore()).
    this.limit = Infinity;
  }

  columnKey(themeId) {
    return themeId === null || themeId === undefined ? "unsorted" : String(themeId);
  }

  /** The column element of a theme (null: Unsorted), if drawn. */
  columnElement(themeId) {
    return this.columns.get(this.columnKey(themeId));
  }

  card(input) {
    let el = this.cards.get(input.id);
    if (!el) {
      el = newCard(this.cardTemplate, input, this.timeFormat);
      this.cards.set(input.id, el);
    }
    const hidden = this.isHidden(input);
    if (el.classList.contains("is-hidden") !== hidden) el.classList.toggle("is-hidden", hidden);
    this.decorateCard(el, input, hidden);
    return el;
  }

  column(themeId, title) {
    const key = this.columnKey(themeId);
    let el = this.columns.get(key);
    if (!el) {
      el = this.columnTemplate.content.firstElementChild.cloneNode(true);
      el.dataset.themeId = themeId === null ? "" : themeId;
      if (themeId === null) el.classList.add("column-unsorted");
      this.columns.set(key, el);
    }
    const heading = el.querySelector(".column-title");
    if (heading.textContent !== title) heading.textContent = title;
    return el;
  }

  /** The inputs a column shows, in order: its visible ones. */
  shown(themeId) {
    const inputs = [];
    for (const id of this.order(themeId)) {
      const input = this.board.inputs.get(id);
      if (input && !this.isHidden(input)) inputs.push(input);
    }
    return inputs;
  }

  /** Put one column's visible cards in order (its first `limit`), moving only what is out of place. */
  fillColumn(el, themeId, theme) {
    const holder = el.querySelector(".column-cards");
    const inputs = this.shown(themeId);
    const wanted = [];
    for (const input of inputs) {
      if (wanted.length >= this.limit) break;
      wanted.push(this.card(input));
    }
    this.place(holder, wanted);
    const count = (inputs.length === 1 ? this.countOne : this.countLabel).replace("{n}", inputs.length);
    const countEl = el.querySelector(".column-count");
    if (countEl.textContent !== count) countEl.textContent = count;
    el.dataset.count = inputs.length;
    this.decorateColumn(el, theme);
  }

  /**
   * Draw `step` more cards at the end of every column not yet drawn whole, and say
   * whether any is still partial. A column's first `limit` cards are always in the
   * page in order (fillColumn keeps them so), so the next ones are only appended.
   */
  drawMore(step) {
    if (this.limit === Infinity) return false;
    const limit = this.limit + step;
    let partial = false;
    for (const el of this.columns.values()) {
      const themeId = el.dataset.themeId === "" ? null : Number(el.dataset.themeId);
      const inputs = this.shown(themeId);
      const holder = el.querySelector(".column-cards");
      const more = inputs.slice(holder.children.length, limit).map((input) => this.card(input));
      if (more.length) holder.append(...more);
      partial ||= inputs.length > limit;
    }
    this.limit = partial ? limit : Infinity;
    return partial;
  }

  place(holder, wanted) {
    wanted.forEach((card, index) => {
      if (holder.children[index] !== card) holder.insertBefore(card, holder.children[index] || null);
    });
    while (holder.children.length > wanted.length) holder.lastElementChild.remove();
  }

  /** The hidden inputs, in board order, into the drawer. */
  fillHidden() {
    const wanted = [];
    const columns = [null, ...this.board.themes.map((t) => t.id)];
    for (const themeId of columns) {
      for (const id of this.order(themeId)) {
        const input = this.board.inputs.get(id);
        if (input && this.isHidden(input)) wanted.push(this.card(input));
      }
    }
    this.place(this.hiddenContainer, wanted);
    return wanted.length;
  }

  /** Every column: their set and order, and all their cards. */
  layout() {
    const order = [];
    if (this.showUnsorted) {
      const el = this.column(null, this.unsortedLabel);
      this.fillColumn(el, null, null);
      order.push(el);
    }
    for (const theme of this.showThemes ? this.board.themes : []) {
      const el = this.column(theme.id, theme.title);
      this.fillColumn(el, theme.id, theme);
      order.push(el);
    }
    const keep = new Set(order);
    for (const [key, el] of this.columns) {
      if (!keep.has(el)) {
        el.remove();
        this.columns.delete(key);
        this.removedColumn(el);
      }
    }
    order.forEach((el, index) => {
      if (this.container.children[index] !== el) this.container.insertBefore(el, this.container.children[index] || null);
    });
  }

  /**
   * Redraw what changed: null for everything, else {columns, structure, hidden}
   * as board.js touched()/mergeTouched() describe it.
   */
  render(change = null) {
    const all = !change || change.structure;
    if (all) {
      this.layout();
    } else {
      for (const themeId of change.columns || []) {
        const el = this.columnElement(themeId);
        const theme = themeId === null ? null : this.board.theme(themeId);
        if (el && (theme || themeId === null)) this.fillColumn(el, themeId, theme);
      }
    }
    if (this.hiddenContainer && (all || change.hidden)) this.hiddenCount = this.fillHidden();
    if (!change) {
      for (const [id, el] of this.cards) {
        if (!this.board.inputs.has(id)) {
          el.remove();
          this.cards.delete(id);
        }
      }
    }
  }
}
