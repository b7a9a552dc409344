// Moving without dragging (WCAG 2.5.7): shortcuts on a focused card and the
// card's "Move to" list. Focus follows the moved card.

const shown = (card) => !card.classList.contains("is-filtered-out");
const SELECT_KEYS = new Set(["ArrowUp", "ArrowDown", "Home", "End", "PageUp", "PageDown"]);

export class Keyboard {
  constructor({ container, board, moves, hiding, announceMove, focusCard, drawAll }) {
    this.container = container;
    // A large board is drawn in steps: the end of a column may not be in the page yet.
    this.drawAll = drawAll;
    this.board = board;
    this.moves = moves;
    this.hiding = hiding;
    this.announceMove = announceMove;
    this.focusCard = focusCard;
    container.addEventListener("keydown", (event) => this.keydown(event));
    container.addEventListener("change", (event) => this.changed(event));
    container.addEventListener("pointerdown", (event) => {
      const select = event.target.closest(".card-move");
      if (select) delete select.dataset.keyed;
    });
    container.addEventListener("focusout", (event) => {
      const select = event.target.closest?.(".card-move");
      if (select && select.dataset.keyed) this.commit(select);
    });
  }

  columns() {
    return [null, ...this.board.themes.map((t) => t.id)];
  }

  /** Move and keep the card focused and announced. */
  async go(id, themeId, index) {
    const moved = this.moves.move(id, themeId, index);
    this.focusCard(id);
    if (await moved) this.announceMove(id);
  }

  keydown(event) {
    const target = event.target;
    if (target.classList.contains("card-move")) return this.selectKey(event, target);
    if (!target.classList.contains("card")) return;
    const id = Number(target.dataset.id);
    const key = event.key;
    if (event.ctrlKey || event.metaKey) return;
    if (event.altKey) {
      if (key === "ArrowLeft" || key === "ArrowRight") {
        event.preventDefault();
        const columns = this.columns();
        const to = columns[columns.indexOf(this.moves.locate(id)) + (key === "ArrowLeft" ? -1 : 1)];
        if (to !== undefined) this.go(id, to, this.moves.endIndex(id, to));
      } else if (key === "ArrowUp" || key === "ArrowDown") {
        event.preventDefault();
        const themeId = this.moves.locate(id);
        const without = this.moves.order(themeId).filter((x) => x !== id);
        const cards = [...target.parentElement.children].filter(shown);
        const other = cards[cards.indexOf(target) + (key === "ArrowUp" ? -1 : 1)];
        if (!other) return;
        const at = without.indexOf(Number(other.dataset.id));
        this.go(id, themeId, key === "ArrowUp" ? at : at + 1);
      }
      return;
    }
    if (/^[0-9]$/.test(key)) {
      event.preventDefault();
      const n = Number(key);
      const to = n === 0 ? null : this.board.themes[n - 1]?.id;
      if (to !== undefined) this.go(id, to, this.moves.endIndex(id, to));
    } else if (key === "h" || key === "H") {
      event.preventDefault();
      this.hiding.ask(id);
    } else if (key === "ArrowUp" || key === "ArrowDown" || key === "Home" || key === "End") {
      event.preventDefault();
      if (key === "End" || key === "ArrowDown") this.drawAll();
      // Cards a search has filtered out are skipped.
      const cards = [...target.parentElement.children].filter(shown);
      const at = cards.indexOf(target);
      const next = { ArrowUp: cards[at - 1], ArrowDown: cards[at + 1], Home: cards[0], End: cards[cards.length - 1] }[key];
      next?.focus();
    } else if (key === "ArrowLeft" || key === "ArrowRight") {
      event.preventDefault();
      this.focusBeside(target, key === "ArrowLeft" ? -1 : 1);
    }
  }

  /** Focus the card at the same height in the nearest non-empty column to one side. */
  focusBeside(card, step) {
    const index = [...card.parentElement.children].filter(shown).indexOf(card);
    let column = card.closest(".column");
    while ((column = step < 0 ? column.previousElementSibling : column.nextElementSibling)) {
      const cards = [...column.querySelector(".column-cards").children].filter(shown);
      if (cards.length) {
        cards[Math.min(index, cards.length - 1)].focus();
        return;
      }
    }
  }

  // A closed list changes its value with the arrow keys; moving the card on
  // each of those would send it through every column. Keyboard choices are
  // therefore committed with Enter or on leaving the list; a pointer's choice
  // (one tap) at once.
  selectKey(event, select) {
    if (event.key === "Enter") {
      event.preventDefault();
      this.commit(select);
    } else if (event.key === "Escape" && select.dataset.keyed) {
      delete select.dataset.keyed;
      select.value = this.valueOf(this.moves.locate(Number(select.closest(".card").dataset.id)));
    } else if (!event.altKey && (SELECT_KEYS.has(event.key) || (event.key.length === 1 && event.key !== " "))) {
      select.dataset.keyed = "1";
    }
  }

  valueOf(themeId) {
    return themeId === null ? "" : String(themeId);
  }

  changed(event) {
    const select = event.target.closest(".card-move");
    if (select && !select.dataset.keyed) this.commit(select);
  }

  commit(select) {
    delete select.dataset.keyed;
    const id = Number(select.closest(".card").dataset.id);
    const to = select.value === "" ? null : Number(select.value);
    if (to === this.moves.locate(id)) return;
    // The wall's redraw keeps the focus on this list while its card moves.
    this.moves.move(id, to, this.moves.endIndex(id, to)).then((ok) => ok && this.announceMove(id));
  }
}
