// The wall's search box: shows only the cards whose text (or author) contains
// what is typed, ignoring case and accents ("ae" finds "AE", "a" finds "å",
// "e" finds "é"). It searches the board's columns (not the hidden drawer).
// Filtering only hides card elements; the board, the counts and the exports
// are untouched. Cards that arrive or are redrawn while a
// search is active are filtered as they enter the page.

const FILTERED = "is-filtered-out";

/** Fold text for comparison: decompose, drop combining marks, lower-case. */
export function fold(text) {
  return (text || "").normalize("NFKD").replace(/\p{M}/gu, "").toLocaleLowerCase();
}

export class WallSearch {
  constructor({ input, status, containers, message }) {
    this.input = input;
    this.status = status;
    this.containers = containers;
    this.message = message;
    this.query = "";
    // An input's text never changes (it is stored as received), so its folded form can be kept.
    this.folded = new WeakMap();
    input.addEventListener("input", () => this.set(input.value));
    input.addEventListener("keydown", (event) => {
      if (event.key === "Escape" && input.value) {
        event.preventDefault();
        input.value = "";
        this.set("");
      }
    });
    const observer = new MutationObserver((records) => {
      if (!this.query) return;
      let added = false;
      for (const record of records) {
        for (const node of record.addedNodes) {
          if (node.nodeType !== 1) continue;
          added = true;
          if (node.classList.contains("card")) this.apply(node);
          else for (const card of node.querySelectorAll(".card")) this.apply(card);
        }
      }
      if (added) this.count();
    });
    for (const container of containers) observer.observe(container, { childList: true, subtree: true });
  }

  cards() {
    return this.containers.flatMap((c) => [...c.querySelectorAll(".card")]);
  }

  text(card) {
    let folded = this.folded.get(card);
    if (folded === undefined) {
      const parts = [card.querySelector(".card-text")?.textContent, card.querySelector(".card-author")?.textContent];
      folded = fold(parts.filter(Boolean).join("\n"));
      if (card.dataset.id) this.folded.set(card, folded);
    }
    return folded;
  }

  apply(card) {
    const out = this.query !== "" && !this.text(card).includes(this.query);
    if (card.classList.contains(FILTERED) !== out) card.classList.toggle(FILTERED, out);
    return !out;
  }

  /** Filter by `raw` (an empty string shows every card again). */
  set(raw) {
    this.query = fold(raw.trim());
    for (const card of this.cards()) this.apply(card);
    this.count();
  }

  count() {
    if (!this.query) {
      this.status.textContent = "";
      this.status.hidden = true;
      return;
    }
    const cards = this.cards();
    const shown = cards.filter((card) => !card.classList.contains(FILTERED)).length;
    this.status.hidden = false;
    this.status.textContent = this.message.replace("{n}", shown).replace("{total}", cards.length);
  }
}

const input = document.getElementById("wall-search");
if (input) {
  const root = document.getElementById("wall");
  new WallSearch({
    input,
    status: document.getElementById("wall-search-count"),
    containers: [document.getElementById("columns")],
    message: root.dataset.msgSearchCount || "",
  });
}
