// Splits the projector's cards into pages that fit the screen whole: it picks the
// type size from how many cards there are and how long they are (never below the
// legibility floor), the number of columns from the screen's width and the longest
// word of a title, and measures every card as the page will draw it.

// Card text sizes tried, largest first, in % of the screen's height. The last is the
// floor the accessibility statement names: 2.6vh is 10′ of arc from 10 m on a 1.67 m
// high picture (tests/test_accessibility.py does the arithmetic).
export const CARD_SIZES = [6, 5, 4.2, 3.5, 3, 2.6];
export const FLOOR = CARD_SIZES[CARD_SIZES.length - 1];
// A column is at least this many ems of card text wide (about 26 characters a line).
const COLUMN_EMS = 13;
const MAX_COLUMNS = 6;
// Sub-pixel rounding between measuring and drawing.
const SLACK = 2;

/**
 * Measures cards and column headers in a hidden copy of the page's own markup,
 * so the sizes are those of the real page (same CSS, same width, same font).
 */
export class Measurer {
  constructor(root, columnTemplate) {
    this.root = root;
    this.columnTemplate = columnTemplate;
    this.cache = new Map();
  }

  reset() {
    this.cache.clear();
  }

  column(width, size) {
    const el = this.columnTemplate.content.firstElementChild.cloneNode(true);
    this.root.replaceChildren(el);
    this.root.style.width = `${width}px`;
    this.root.style.setProperty("--card-size", `${size}px`);
    return el;
  }

  /** Height of an empty column, with or without a header (title and count line). */
  base(width, size, title, countText, continued = false) {
    const key = `base|${width}|${size}|${title}|${countText}|${continued}`;
    if (!this.cache.has(key)) {
      const el = this.column(width, size);
      el.classList.toggle("is-continued", continued);
      this.header(el, title, countText);
      this.cache.set(key, el.offsetHeight);
    }
    return this.cache.get(key);
  }

  header(el, title, countText) {
    const header = el.querySelector(".column-header");
    if (title === null) header.remove();
    else {
      el.querySelector(".column-title").textContent = title;
      el.querySelector(".column-count").textContent = countText;
    }
  }

  /** The narrowest column a header fits in without breaking a word (its min-content width). */
  headerMin(size, title, countText) {
    const key = `hmin|${size}|${title}|${countText}`;
    if (!this.cache.has(key)) {
      const el = this.column(0, size);
      this.root.style.width = "min-content";
      this.header(el, title, countText);
      el.querySelector(".column-cards").remove();
      this.cache.set(key, el.offsetWidth);
    }
    return this.cache.get(key);
  }

  /**
   * Each card's min-content width (its longest word, plus padding: a narrower
   * column would break the word) and its height in a column `width` px wide.
   */
  cards(width, size, cards) {
    const out = new Map();
    const todo = [];
    for (const [id, el] of cards) {
      const key = `card|${width}|${size}|${id}`;
      if (this.cache.has(key)) out.set(id, this.cache.get(key));
      else todo.push([id, el, key]);
    }
    if (todo.length) {
      const column = this.column(width, size);
      const holder = column.querySelector(".column-cards");
      column.querySelector(".column-header").remove();
      const clones = todo.map(([, el]) => el.cloneNode(true));
      holder.replaceChildren(...clones);
      this.gap = parseFloat(getComputedStyle(holder).rowGap) || 0;
      for (const clone of clones) clone.style.width = "min-content";
      const mins = clones.map((clone) => clone.offsetWidth);
      for (const clone of clones) clone.style.width = "";
      // The column's own padding around its cards, added to a card's width to get the column's.
      const style = getComputedStyle(holder);
      const inset = column.offsetWidth - holder.clientWidth + parseFloat(style.paddingLeft) + parseFloat(style.paddingRight);
      clones.forEach((clone, index) => {
        const [id, , key] = todo[index];
        const entry = { height: clone.offsetHeight, min: mins[index] + inset };
        this.cache.set(key, entry);
        out.set(id, entry);
      });
      this.root.replaceChildren();
    }
    return out;
  }
}

/**
 * Pages for `groups` ([{key, title|null, countText, continuedText, ids}]) on a stage `width` × `height` px.
 * Groups follow each other down the columns; a group that goes on in the next column
 * repeats its header there ("continued"). A card too long for a column gets a page
 * of its own at full width. Returns {size, columns, pages}, where a page
 * is {wide, columns: [{sections: [{group, continued, ids}]}]}; `overflow` counts the cards that needed such a page.
 */
export function paginate({ groups, width, height, firstHeight = height, vh, measurer, cards, maxColumns = MAX_COLUMNS, sizes = CARD_SIZES }) {
  let best = null;
  for (const sizeVh of sizes) {
    const size = Math.max(16, Math.round(sizeVh * vh * 10) / 10);
    const layout = pack({ groups, width, height, firstHeight, size, measurer, cards, maxColumns });
    best = layout;
    if (layout.pages.length <= 1 && !layout.overflow) break;
  }
  measurer.root.replaceChildren();
  best.vh = best.size / vh;
  return best;
}

function pack({ groups, width, height, firstHeight, size, measurer, cards, maxColumns }) {
  const gapX = size; // the grid's column gap is 1em of card text (see app.css)
  const colWidth = (n) => Math.floor((width - gapX * (n - 1)) / n);
  const ids = groups.flatMap((g) => g.ids);
  const pick = new Map(ids.map((id) => [id, cards.get(id)]));
  // The most columns for which the longest word of every title and every card still fits.
  const most = Math.max(1, Math.min(maxColumns, Math.floor(width / (COLUMN_EMS * size))));
  let need = 0;
  for (const g of groups) if (g.title !== null) need = Math.max(need, measurer.headerMin(size, g.title, g.countText));
  for (const entry of measurer.cards(colWidth(1), size, pick).values()) need = Math.max(need, entry.min);
  let columns = most;
  while (columns > 1 && colWidth(columns) < need) columns -= 1;
  const narrow = colWidth(columns);
  const sizes = measurer.cards(narrow, size, pick);
  const gap = measurer.gap || 0;
  const headerHeight = (group, isContinued) =>
    measurer.base(narrow, size, group.title, isContinued ? group.continuedText : group.countText, isContinued) - measurer.base(narrow, size, null, "");
  const bare = measurer.base(narrow, size, null, "");

  const pages = [];
  let page = null;
  let column = null;
  let overflow = 0;
  const room = () => (pages.length <= 1 ? firstHeight : height) - SLACK;
  const newPage = (wide = false) => {
    page = { wide, columns: [] };
    pages.push(page);
  };
  const newColumn = () => {
    if (!page || page.wide || page.columns.length >= columns) newPage();
    column = { sections: [], used: 0 };
    page.columns.push(column);
  };
  // A column holds sections: a run of one group's cards, under the group's header if it has one.
  const newSection = (group, isContinued) => {
    const section = { group, continued: isContinued, ids: [] };
    column.sections.push(section);
    column.used += (column.sections.length > 1 ? gap : 0) + bare + (group.title === null ? 0 : headerHeight(group, isContinued));
    return section;
  };
  for (const group of groups) {
    let section = null;
    for (const id of group.ids) {
      const entry = sizes.get(id);
      const header = group.title === null ? 0 : headerHeight(group, true);
      if (entry.min > narrow || bare + header + entry.height > height - SLACK) {
        // Too long or too wide for a column: alone on a full-width page.
        overflow += 1;
        newPage(true);
        column = { sections: [{ group, continued: true, ids: [id] }], used: height };
        page.columns.push(column);
        section = null;
        continue;
      }
      if (!section) {
        // A group starts in the current column if its header and first card fit below what is there.
        const need = (column?.sections.length ? gap : 0) + bare + (group.title === null ? 0 : headerHeight(group, false)) + entry.height;
        if (!column || page.wide || column.used + need > room()) newColumn();
        section = newSection(group, group.ids[0] !== id);
      } else if (column.used + gap + entry.height > room()) {
        newColumn();
        section = newSection(group, true);
      }
      // The first page may be shorter (a spotlit theme's summary stands above it): go on past it.
      if (pages.length === 1 && column.used + (section.ids.length ? gap : 0) + entry.height > room()) {
        // Not even a fresh column of the first page has room: close that page, go on on the next.
        if (!section.ids.length) column.sections.pop();
        if (!column.sections.length) page.columns.pop();
        newPage();
        newColumn();
        section = newSection(group, group.ids[0] !== id);
      }
      column.used += (section.ids.length ? gap : 0) + entry.height;
      section.ids.push(id);
    }
    if (!group.ids.length && group.title !== null) {
      // An empty theme still shows its title and "0 inputs".
      if (!column || page.wide || column.used + gap + bare + headerHeight(group, false) > room()) newColumn();
      newSection(group, false);
    }
  }
  if (!pages.length) newPage();
  return { size, columns, pages, overflow };
}
