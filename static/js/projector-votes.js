// The projector's vote results: while a round is open, that it is open and how
// many phones took part; once revealed, the ranked bar chart (the server's SVG)
// with the same numbers in a table beside it. Switching the projector view puts it away.
import { fillTable } from "./wall-votes.js";

export class ProjectorVotes {
  constructor({ socket, root, secret }) {
    this.root = root;
    this.secret = secret;
    this.section = document.getElementById("projector-votes");
    this.timer = null;
    const msg = (name, params = {}) => {
      const key = "msg" + name.replace(/(^|-)(\w)/g, (_, __, c) => c.toUpperCase());
      let text = this.section.dataset[key] || "";
      for (const [k, v] of Object.entries(params)) text = text.split(`{${k}}`).join(String(v));
      return text;
    };
    this.msg = msg;
    socket.on("event", (event) => {
      if (event.type.startsWith("vote.") || event.type === "projector.view") this.reload();
    });
    socket.on("connect", () => this.reload());
  }

  reload() {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.fetch(), 250);
  }

  async fetch() {
    const response = await fetch(`/p/${encodeURIComponent(this.secret)}/votes.json`).catch(() => null);
    if (!response || !response.ok) return;
    this.render((await response.json()).shown);
  }

  render(round) {
    const { section, msg } = this;
    section.hidden = !round;
    this.root.dataset.votes = round ? "shown" : "";
    if (!round) return;
    document.getElementById("projector-votes-title").textContent = msg(round.on === "themes" ? "round-themes" : "round-inputs", { n: round.number });
    const line = round.status === "open" ? msg("open-line", { voters: round.voters }) : msg("closed-line", { voters: round.voters, dots: round.dots_cast });
    document.getElementById("projector-votes-line").textContent = line;
    const results = document.getElementById("projector-votes-results");
    results.hidden = !round.items || !round.revealed;
    if (results.hidden) return;
    results.querySelector(".vote-chart").src = `/p/${encodeURIComponent(this.secret)}/votes/${round.id}.svg?v=${round.dots_cast}-${round.voters}`;
    fillTable(results.querySelector("tbody"), round.items, document.getElementById("projector-vote-row-template"), msg);
  }
}
