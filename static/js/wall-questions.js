// The wall's questions: the list (ask any of them now, an earlier one again),
// adding a question, the "Q2" mark on each card, and the filter that shows
// only one question's cards. The questions themselves live in the Board;
// this module only draws them and sends the commands.

const FILTERED = "is-question-filtered";

export class Questions {
  constructor({ board, api, msg, announce, redraw }) {
    this.board = board;
    this.api = api;
    this.msg = msg;
    this.announce = announce;
    this.redraw = redraw;
    this.list = document.getElementById("question-list");
    this.template = document.getElementById("question-template");
    this.filter = document.getElementById("wall-question");
    this.summary = document.getElementById("wall-questions-summary");
    this.form = document.getElementById("add-question");
    this.key = "";
    this.filter.addEventListener("change", () => this.redraw(null));
    this.list.addEventListener("click", (event) => {
      const button = event.target.closest(".question-ask");
      if (button) this.ask(Number(button.closest(".question-item").dataset.promptId));
    });
    this.form.addEventListener("submit", (event) => this.add(event));
  }

  /** The question id the filter shows (null: all). */
  selected() {
    return this.filter.value ? Number(this.filter.value) : null;
  }

  /** Mark a card with its question's number and apply the filter to it. */
  decorate(el, input) {
    const mark = el.querySelector(".card-question");
    const number = input.prompt_id ? this.board.promptNumber(input.prompt_id) : 0;
    // With one question every card would say "Q1": the mark only tells rounds apart.
    const text = number && this.board.prompts.length > 1 ? this.msg("question-short", { n: number }) : "";
    if (mark && mark.textContent !== text) {
      mark.textContent = text;
      const prompt = this.board.prompts[number - 1];
      mark.title = text ? this.msg("question-title", { n: number, text: prompt.text }) : "";
    }
    const selected = this.selected();
    const out = selected !== null && input.prompt_id !== selected;
    if (el.classList.contains(FILTERED) !== out) el.classList.toggle(FILTERED, out);
  }

  /** Redraw the list and the filter's options when the questions changed. */
  render() {
    const key = this.board.prompts.map((p) => `${p.id}:${p.active}:${p.text}`).join("|");
    if (key === this.key) return;
    this.key = key;
    const items = this.board.prompts.map((prompt, index) => {
      const li = this.template.content.firstElementChild.cloneNode(true);
      li.dataset.promptId = prompt.id;
      li.classList.toggle("is-active", !!prompt.active);
      li.querySelector(".question-number").textContent = this.msg("question-short", { n: index + 1 });
      li.querySelector(".question-text").textContent = prompt.text;
      li.querySelector(".question-state").textContent = prompt.active ? this.msg("question-active") : "";
      const ask = li.querySelector(".question-ask");
      if (prompt.active) ask.remove();
      return li;
    });
    const focused = document.activeElement;
    const keepFocus = focused && this.list.contains(focused) ? focused.closest(".question-item")?.dataset.promptId : null;
    this.list.replaceChildren(...items);
    if (keepFocus) this.list.querySelector(`[data-prompt-id="${keepFocus}"] .question-ask`)?.focus();
    const chosen = this.filter.value;
    const options = [this.filter.options[0]];
    this.board.prompts.forEach((prompt, index) => {
      const option = document.createElement("option");
      option.value = String(prompt.id);
      option.textContent = this.msg("question-option", { n: index + 1, text: prompt.text });
      options.push(option);
    });
    this.filter.replaceChildren(...options);
    this.filter.value = this.board.prompts.some((p) => String(p.id) === chosen) ? chosen : "";
    this.summary.textContent = this.msg("questions-count", { n: this.board.prompts.length });
  }

  async ask(id) {
    const answer = await this.api("POST", `/prompts/${id}/activate`, {});
    if (answer) this.announce(this.msg("question-asked", { text: answer.text }));
  }

  async add(event) {
    event.preventDefault();
    const input = this.form.querySelector("input[name=text]");
    const activate = event.submitter ? event.submitter.value === "ask" : true;
    const answer = await this.api("POST", "/prompts", { text: input.value, activate });
    if (!answer) return;
    input.value = "";
    this.announce(activate ? this.msg("question-asked", { text: answer.text }) : this.msg("question-added"));
  }
}
