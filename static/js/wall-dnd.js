// Drag and drop with SortableJS (vendored, loaded as a classic script before
// this module): mouse, touch and pen through pointer events. Sortable moves
// the card on screen; the drop becomes a move command. From the moment a card
// is pressed until it is let go, the wall defers its redraws, so that a live
// event neither fights the hand nor replaces the card it has just picked up.

const reducedMotion = window.matchMedia("(prefers-reduced-motion: reduce)");

function themeOf(holder) {
  const id = holder.closest(".column").dataset.themeId;
  return id === "" ? null : Number(id);
}

function neighbour(card, direction) {
  let el = card[direction];
  while (el && !(el.classList.contains("card") && !el.classList.contains("sortable-fallback"))) el = el[direction];
  return el ? Number(el.dataset.id) : null;
}

export class DragAndDrop {
  constructor({ moves }) {
    this.moves = moves;
    this.active = false; // a card is pressed or dragged: redraws wait
    this.dragging = false;
  }

  /** Make one column's card list sortable; returns the Sortable instance. */
  enable(holder) {
    return window.Sortable.create(holder, {
      group: "board",
      draggable: ".card",
      // Pointer events everywhere, so mouse, touch and pen behave the same.
      forceFallback: true,
      fallbackOnBody: true,
      fallbackTolerance: 4,
      // On touch, a short press picks a card up; a swipe still scrolls.
      delay: 180,
      delayOnTouchOnly: true,
      touchStartThreshold: 6,
      animation: reducedMotion.matches ? 0 : 120,
      filter: "select, button, a, input, textarea, label",
      preventOnFilter: false,
      scroll: true,
      bubbleScroll: true,
      scrollSensitivity: 80,
      ghostClass: "card-ghost",
      chosenClass: "card-chosen",
      dragClass: "card-dragging",
      onChoose: () => {
        this.active = true;
      },
      onStart: () => {
        this.dragging = true;
        document.body.classList.add("is-dragging");
      },
      // Sortable calls this before onEnd after a drag; alone, the card was pressed and let go.
      onUnchoose: () => {
        if (this.dragging) return;
        this.active = false;
        this.moves.redraw({ columns: [] }); // what arrived meanwhile
      },
      onEnd: (evt) => {
        this.active = false;
        this.dragging = false;
        document.body.classList.remove("is-dragging");
        const card = evt.item;
        const id = Number(card.dataset.id);
        const themeId = themeOf(evt.to);
        const index = this.moves.indexBetween(id, themeId, neighbour(card, "previousElementSibling"), neighbour(card, "nextElementSibling"));
        // Not dragging any more, so this redraw also brings in what was deferred.
        this.moves.move(id, themeId, index);
        card.focus({ preventScroll: true });
      },
    });
  }
}
