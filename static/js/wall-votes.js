// The wall's vote panel: open a round, watch its tally live, reveal it, close it.
// The tally comes from the API (labels included) whenever a vote event arrives;
// the chart is the server's SVG, the table beside it holds the same numbers.
const panel = document.getElementById("vote-panel");
const msg = (name, params = {}) => {
  const key = "msg" + name.replace(/(^|-)(\w)/g, (_, __, c) => c.toUpperCase());
  let text = panel.dataset[key] || "";
  for (const [k, v] of Object.entries(params)) text = text.split(`{${k}}`).join(String(v));
  return text;
};

export class WallVotes {
  constructor({ socket, api, board, announce }) {
    this.api = api;
    this.board = board;
    this.announce = announce;
    this.form = document.getElementById("vote-open-form");
    this.list = document.getElementById("vote-rounds");
    this.choices = document.getElementById("vote-theme-choices");
    this.timer = null;
    this.version = 0;
    socket.on("event", (event) => {
      if (event.type.startsWith("vote.")) this.reload(event.seq);
      if (event.type.startsWith("theme.")) this.themeChoices();
    });
    socket.on("connect", () => this.reload());
    panel.addEventListener("toggle", () => this.themeChoices());
    this.form.addEventListener("submit", (event) => {
      event.preventDefault();
      this.open();
    });
  }

  themeChoices() {
    const ticked = new Set([...this.choices.querySelectorAll("input:checked")].map((i) => i.value));
    for (const label of this.choices.querySelectorAll("label")) label.remove();
    const template = document.getElementById("vote-theme-choice-template");
    for (const theme of this.board.themes) {
      const label = template.content.firstElementChild.cloneNode(true);
      const box = label.querySelector("input");
      box.value = String(theme.id);
      box.checked = ticked.has(box.value);
      label.querySelector("span").textContent = theme.title;
      this.choices.append(label);
    }
  }

  async open() {
    const data = new FormData(this.form);
    const themeIds = data.getAll("theme_ids").map(Number);
    const body = {
      on: data.get("on"),
      dots: Number(data.get("dots")),
      per_item: Number(data.get("per_item")),
      reveal: data.get("reveal"),
    };
    if (themeIds.length) body.theme_ids = themeIds;
    const answer = await this.api("POST", "/vote-rounds", body);
    if (answer) {
      this.announce(msg("opened"));
      this.reload();
    }
  }

  reload(seq) {
    if (seq) this.version = seq;
    clearTimeout(this.timer);
    // A room placing dots sends many events in a second: fetch once they settle a little.
    this.timer = setTimeout(() => this.fetch(), 250);
  }

  async fetch() {
    const answer = await this.api("GET", "/vote-rounds", undefined, { quiet: true });
    if (!answer) return;
    this.render(answer.rounds);
  }

  render(rounds) {
    const focused = document.activeElement?.closest?.(".vote-round")?.dataset.round;
    const focusedClass = document.activeElement?.className;
    const template = document.getElementById("vote-round-template");
    this.list.replaceChildren();
    const open = rounds.some((r) => r.status === "open");
    document.getElementById("vote-open").disabled = open;
    for (const round of [...rounds].reverse()) {
      const el = template.content.firstElementChild.cloneNode(true);
      el.dataset.round = String(round.id);
      el.dataset.status = round.status;
      el.querySelector(".vote-round-title").textContent = msg(round.on === "themes" ? "round-themes" : "round-inputs", { n: round.number });
      const meta = msg(round.status === "open" ? "meta-open" : "meta-closed", { voters: round.voters, dots: round.dots_cast });
      el.querySelector(".vote-round-meta").textContent = `${meta} ${round.revealed ? msg("shown-to-room") : msg("hidden-from-room")}`;
      el.querySelector(".vote-chart").src = `/api/v1/workshops/${this.board.workshop.id}/vote-rounds/${round.id}/chart.svg?v=${this.version}-${round.dots_cast}-${round.voters}`;
      fillTable(el.querySelector("tbody"), round.items, document.getElementById("vote-row-template"), msg);
      const reveal = el.querySelector(".vote-reveal");
      const close = el.querySelector(".vote-close");
      if (round.revealed) reveal.remove();
      else reveal.addEventListener("click", () => this.api("POST", `/vote-rounds/${round.id}/reveal`, {}).then(() => this.reload()));
      if (round.status !== "open") close.remove();
      else
        close.addEventListener("click", async () => {
          if (await this.api("POST", `/vote-rounds/${round.id}/close`, {})) this.announce(msg("closed"));
          this.reload();
        });
      this.list.append(el);
    }
    if (focused) {
      const again = this.list.querySelector(`.vote-round[data-round="${focused}"] .${(focusedClass || "").split(" ")[0]}`);
      if (again) again.focus();
    }
  }
}

/** Rows of rank, label, dots, phones; a shared rank says "tied". Exported for the projector. */
export function fillTable(tbody, items, rowTemplate, message) {
  tbody.replaceChildren();
  for (const item of items) {
    const tr = rowTemplate.content.firstElementChild.cloneNode(true);
    const tied = items.filter((other) => other.rank === item.rank).length > 1;
    tr.querySelector(".vote-rank").textContent = tied ? message("tie", { rank: item.rank }) : String(item.rank);
    tr.querySelector(".vote-label").textContent = item.label;
    tr.querySelector(".vote-votes").textContent = String(item.votes);
    tr.querySelector(".vote-voters").textContent = String(item.voters);
    tbody.append(tr);
  }
}
