// How the wall is laid out for sorting, per browser: compact cards (more of them
// on screen) and columns collapsed to their title and count. Both are remembered
// in localStorage for this workshop; neither changes the board.
// A large board is also drawn lazily: see sized().

// From this many cards the browser lays out and paints only the cards near the screen
// (app.css, .wall.is-large): a 2,000-card wall's first drawing took 0.44 s instead of 1.1 s.
// Smaller walls keep exact layout everywhere, which the lazy drawing trades for speed
// (a card not yet drawn holds a placeholder height until it scrolls near).
export const LARGE_WALL = 300;

export class WallLayout {
  constructor({ root, workshopId, msg }) {
    this.msg = msg;
    this.key = `facilitator-wall-layout-${workshopId}`;
    this.state = this.load();
    this.compact = document.getElementById("wall-compact");
    this.compact.addEventListener("click", () => {
      this.state.compact = !this.state.compact;
      this.save();
      this.apply(root);
    });
    root.addEventListener("click", (event) => {
      const button = event.target.closest(".column-collapse");
      if (!button) return;
      const column = button.closest(".column");
      const key = column.dataset.themeId || "unsorted";
      this.state.collapsed = this.state.collapsed.includes(key)
        ? this.state.collapsed.filter((k) => k !== key)
        : [...this.state.collapsed, key];
      this.save();
      this.decorate(column, column.dataset.title || null);
    });
    this.root = root;
    this.apply(root);
  }

  load() {
    try {
      const saved = JSON.parse(localStorage.getItem(this.key) || "{}");
      return { compact: !!saved.compact, collapsed: Array.isArray(saved.collapsed) ? saved.collapsed.map(String) : [] };
    } catch {
      return { compact: false, collapsed: [] };
    }
  }

  save() {
    try {
      localStorage.setItem(this.key, JSON.stringify(this.state));
    } catch {
      // private mode: the layout lasts for this page only
    }
  }

  apply(root) {
    root.classList.toggle("is-compact", this.state.compact);
    this.compact.setAttribute("aria-pressed", String(this.state.compact));
  }

  /** Before a redraw: whether the board has so many cards that off-screen ones are drawn lazily. */
  sized(cards) {
    const large = cards >= LARGE_WALL;
    if (this.root.classList.contains("is-large") !== large) this.root.classList.toggle("is-large", large);
  }

  /** Called for a column every time it is drawn: collapsed or not, and its button's name. */
  decorate(el, title) {
    const key = el.dataset.themeId || "unsorted";
    const collapsed = this.state.collapsed.includes(key);
    el.classList.toggle("is-collapsed", collapsed);
    const button = el.querySelector(".column-collapse");
    if (!button) return;
    button.setAttribute("aria-expanded", String(!collapsed));
    const name = this.msg("collapse", { title: title ?? this.msg("unsorted") });
    if (button.getAttribute("aria-label") !== name) button.setAttribute("aria-label", name);
  }
}
