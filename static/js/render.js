// Draws a Board into columns by cloning the page's <template> atoms and
// filling them with textContent only: user text never becomes HTML.

export class BoardView {
  constructor(container, board, options) {
    this.container = container;
    this.board = board;
    this.cardTemplate = options.cardTemplate;
    this.columnTemplate = options.columnTemplate;
    this.unsortedLabel = options.unsortedLabel;
    this.countLabel = options.countLabel;
    this.showUnsorted = options.showUnsorted ?? true;
    this.decorateCard = options.decorateCard || (() => {});
    this.decorateColumn = options.decorateColumn || (() => {});
    this.cards = new Map();
    this.columns = new Map();
    this.timeFormat = new Intl.DateTimeFormat(document.documentElement.lang || undefined, { hour: "2-digit", minute: "2-digit" });
  }

  columnKey(themeId) {
    return themeId === null ? "unsorted" : String(themeId);
  }

  card(input) {
    let el = this.cards.get(input.id);
    if (!el) {
      el = this.cardTemplate.content.firstElementChild.cloneNode(true);
      el.dataset.id = input.id;
      el.querySelector(".card-text").textContent = input.text;
      const time = el.querySelector(".card-time");
      if (input.received_at) {
        time.dateTime = input.received_at;
        time.textContent = this.timeFormat.format(new Date(input.received_at));
      }
      const author = el.querySelector(".card-author");
      if (author) author.textContent = input.author_name || "";
      this.cards.set(input.id, el);
    }
    el.classList.toggle("is-hidden", !!input.hidden);
    this.decorateCard(el, input);
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
    el.querySelector(".column-title").textContent = title;
    return el;
  }

  fillColumn(el, ids, theme) {
    const holder = el.querySelector(".column-cards");
    const wanted = [];
    for (const id of ids) {
      const input = this.board.inputs.get(id);
      if (input) wanted.push(this.card(input));
    }
    const visible = wanted.filter((c) => !c.classList.contains("is-hidden")).length;
    el.querySelector(".column-count").textContent = this.countLabel.replace("{n}", visible);
    // Move only what is out of place, so focus and scroll survive an update.
    wanted.forEach((card, index) => {
      if (holder.children[index] !== card) holder.insertBefore(card, holder.children[index] || null);
    });
    while (holder.children.length > wanted.length) holder.lastElementChild.remove();
    this.decorateColumn(el, theme);
  }

  render() {
    const order = [];
    if (this.showUnsorted) {
      const el = this.column(null, this.unsortedLabel);
      this.fillColumn(el, this.board.unsorted, null);
      order.push(el);
    }
    for (const theme of this.board.themes) {
      const el = this.column(theme.id, theme.title);
      this.fillColumn(el, theme.input_ids, theme);
      order.push(el);
    }
    const keep = new Set(order);
    for (const [key, el] of this.columns) {
      if (!keep.has(el)) {
        el.remove();
        this.columns.delete(key);
      }
    }
    order.forEach((el, index) => {
      if (this.container.children[index] !== el) this.container.insertBefore(el, this.container.children[index] || null);
    });
    for (const [id, el] of this.cards) if (!this.board.inputs.has(id)) { el.remove(); this.cards.delete(id); }
  }
}
