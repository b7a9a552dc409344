// Theme columns on the wall: create, rename in place, reorder, merge, delete, colour.
// Each is one server command; the column changes when its event arrives.

/** Ask a yes/no question in the page's <dialog>; resolves true for the OK button. */
export function confirmDialog({ title, text, ok }) {
  const dialog = document.getElementById("confirm-dialog");
  document.getElementById("confirm-title").textContent = title;
  document.getElementById("confirm-text").textContent = text;
  document.getElementById("confirm-ok").textContent = ok;
  dialog.returnValue = "";
  return new Promise((resolve) => {
    dialog.addEventListener("close", () => resolve(dialog.returnValue === "ok"), { once: true });
    dialog.showModal();
  });
}

export class Themes {
  constructor({ board, api, msg, announce, dnd, summaries, moves }) {
    this.board = board;
    this.api = api;
    this.msg = msg;
    this.announce = announce;
    this.dnd = dnd;
    this.summaries = summaries;
    this.moves = moves;
    this.sortables = new Map();
    const form = document.getElementById("add-theme");
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      this.create(form);
    });
  }

  async create(form) {
    const field = form.elements.title;
    const title = field.value.trim();
    if (!title) {
      field.focus();
      return;
    }
    const answer = await this.api("POST", "/themes", { title });
    if (answer) {
      field.value = "";
      this.announce(this.msg("theme-added", { title: answer.title }));
    }
    field.focus();
  }

  /** Called for a column every time it is drawn (theme is null for Unsorted). */
  decorate(el, theme) {
    if (!el.dataset.ready) this.setup(el, theme);
    if (!theme) return;
    const title = theme.title;
    if (el.dataset.title !== title) {
      el.dataset.title = title;
      el.querySelector(".column-rename-start").setAttribute("aria-label", this.msg("rename-theme", { title }));
      el.querySelector(".column-left").setAttribute("aria-label", this.msg("theme-left", { title }));
      el.querySelector(".column-right").setAttribute("aria-label", this.msg("theme-right", { title }));
      el.querySelector(".column-more summary").setAttribute("aria-label", this.msg("theme-more", { title }));
    }
    const index = this.board.themes.indexOf(theme);
    el.querySelector(".column-left").disabled = index <= 0;
    el.querySelector(".column-right").disabled = index >= this.board.themes.length - 1;
    this.mergeOptions(el, theme);
    const colour = el.querySelector(".column-colour");
    if (document.activeElement !== colour) colour.value = theme.colour || "";
    el.dataset.colour = theme.colour || "";
    this.summaries.decorate(el, theme);
  }

  setup(el, theme) {
    el.dataset.ready = "1";
    const key = theme ? String(theme.id) : "unsorted";
    const heading = el.querySelector(".column-title");
    heading.id = `column-title-${key}`;
    el.setAttribute("aria-labelledby", heading.id);
    this.sortables.set(el, this.dnd.enable(el.querySelector(".column-cards")));
    if (!theme) {
      for (const part of el.querySelectorAll(".column-tools, .column-rename, .column-summary")) part.remove();
      return;
    }
    const id = theme.id;
    const form = el.querySelector(".column-rename");
    const field = form.elements.title;
    el.querySelector(".column-rename-start").addEventListener("click", () => this.startRename(el));
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      this.saveRename(el, id);
    });
    form.querySelector(".column-rename-cancel").addEventListener("click", () => this.endRename(el));
    field.addEventListener("keydown", (event) => {
      if (event.key === "Escape") {
        event.preventDefault();
        this.endRename(el);
      }
    });
    form.addEventListener("focusout", (event) => {
      if (!form.hidden && !form.contains(event.relatedTarget)) this.saveRename(el, id, { leaving: true });
    });
    el.querySelector(".column-left").addEventListener("click", (event) => this.shift(id, -1, event.currentTarget));
    el.querySelector(".column-right").addEventListener("click", (event) => this.shift(id, 1, event.currentTarget));
    el.querySelector(".column-merge").addEventListener("click", () => this.merge(el, id));
    el.querySelector(".column-delete").addEventListener("click", () => this.remove(el, id));
    el.querySelector(".column-colour").addEventListener("change", (event) => {
      this.api("PATCH", `/themes/${id}`, { colour: event.currentTarget.value });
    });
  }

  /** A removed column: stop its drag handling and its summary autosave. */
  removed(el) {
    this.sortables.get(el)?.destroy();
    this.sortables.delete(el);
    if (el.dataset.themeId) this.summaries.removed(Number(el.dataset.themeId));
  }

  mergeOptions(el, theme) {
    const select = el.querySelector(".column-merge-target");
    const others = this.board.themes.filter((t) => t.id !== theme.id);
    const key = others.map((t) => `${t.id}:${t.title}`).join("|");
    if (select.dataset.key === key || document.activeElement === select) return;
    const chosen = select.value;
    select.replaceChildren(
      ...others.map((t) => {
        const option = document.createElement("option");
        option.value = String(t.id);
        option.textContent = t.title;
        return option;
      }),
    );
    if (others.some((t) => String(t.id) === chosen)) select.value = chosen;
    select.dataset.key = key;
    el.querySelector(".column-merge").disabled = others.length === 0;
  }

  startRename(el) {
    const theme = this.board.theme(Number(el.dataset.themeId));
    const form = el.querySelector(".column-rename");
    form.elements.title.value = theme.title;
    form.hidden = false;
    el.querySelector(".column-header").hidden = true;
    el.querySelector(".column-tools").hidden = true;
    form.elements.title.focus();
    form.elements.title.select();
  }

  endRename(el, { focus = true } = {}) {
    el.querySelector(".column-rename").hidden = true;
    el.querySelector(".column-header").hidden = false;
    el.querySelector(".column-tools").hidden = false;
    if (focus) el.querySelector(".column-rename-start").focus();
  }

  async saveRename(el, id, { leaving = false } = {}) {
    const form = el.querySelector(".column-rename");
    if (form.dataset.saving) return;
    const title = form.elements.title.value.trim();
    const theme = this.board.theme(id);
    if (!theme || title === theme.title) return this.endRename(el, { focus: !leaving });
    form.dataset.saving = "1";
    const answer = await this.api("PATCH", `/themes/${id}`, { title });
    delete form.dataset.saving;
    if (answer) {
      el.querySelector(".column-title").textContent = answer.title;
      this.endRename(el, { focus: !leaving });
      this.announce(this.msg("theme-renamed", { title: answer.title }));
    } else if (!leaving) {
      form.elements.title.focus();
    }
  }

  async shift(id, step, button) {
    const index = this.board.themes.findIndex((t) => t.id === id);
    if (index < 0) return;
    await this.api("PATCH", `/themes/${id}`, { position: index + step });
    // At the edge this button is now disabled: keep the focus in the column.
    if (button.disabled && document.activeElement !== button) {
      button.closest(".column-tools").querySelector(step < 0 ? ".column-right" : ".column-left").focus();
    }
  }

  count(id) {
    return this.moves.order(id).filter((x) => !this.board.inputs.get(x)?.hidden).length;
  }

  async merge(el, id) {
    const theme = this.board.theme(id);
    const into = this.board.theme(Number(el.querySelector(".column-merge-target").value));
    if (!theme || !into) return this.announce(this.msg("merge-none"));
    const params = { title: theme.title, into: into.title, n: this.count(id) };
    const ok = await confirmDialog({ title: this.msg("merge-title", params), text: this.msg("merge-text", params), ok: this.msg("merge-ok") });
    if (!ok) return;
    if (await this.api("POST", `/themes/${id}/merge`, { into: into.id })) {
      this.announce(this.msg("theme-merged", params));
      document.getElementById(`column-title-${into.id}`)?.focus();
    }
  }

  async remove(el, id) {
    const theme = this.board.theme(id);
    if (!theme) return;
    const params = { title: theme.title, n: this.count(id) };
    const ok = await confirmDialog({ title: this.msg("delete-title", params), text: this.msg("delete-text", params), ok: this.msg("delete-ok") });
    if (!ok) return;
    const before = el.previousElementSibling;
    if (await this.api("DELETE", `/themes/${id}`)) {
      this.announce(this.msg("theme-deleted", params));
      (before?.querySelector(".column-title") || document.getElementById("add-theme-title")).focus();
    }
  }
}
