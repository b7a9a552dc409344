// The countdown on every screen, counted in the server's time: a fresh answer
// carries the server's now_ms, which gives this device's clock offset; a
// running timer is its end time, a paused one what was left.
export class TimerView {
  constructor(element) {
    this.el = element;
    this.timer = null;
    this.offset = 0; // server clock minus this device's clock, in ms
    this.interval = null;
  }

  /** Show a timer (null: none); nowMs is the server's clock when the answer was made. */
  update(timer, nowMs) {
    if (typeof nowMs === "number") this.offset = nowMs - Date.now();
    this.timer = timer;
    clearInterval(this.interval);
    this.interval = null;
    if (timer && timer.state === "running") this.interval = setInterval(() => this.render(), 250);
    this.render();
  }

  remaining() {
    const t = this.timer;
    if (!t) return 0;
    if (t.state === "running") return Math.max(0, t.ends_at_ms - (Date.now() + this.offset));
    if (t.state === "paused") return t.remaining_ms;
    return 0;
  }

  render() {
    const t = this.timer;
    this.el.hidden = !t;
    if (!t) return;
    const data = this.el.dataset;
    const seconds = Math.ceil(this.remaining() / 1000);
    const text = `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, "0")}`;
    this.el.dataset.state = t.state === "running" && seconds === 0 ? "done" : t.state;
    this.el.querySelector(".timer-label").textContent = data.msgLabel;
    this.el.querySelector(".timer-time").textContent = text;
    const note = this.el.dataset.state === "done" ? data.msgDone : t.state === "paused" ? data.msgPaused : "";
    this.el.querySelector(".timer-note").textContent = note;
  }
}

/** Follow the timer on a page with a socket: fetch it fresh on (re)connect, apply timer events. */
export function followTimer({ socket, element, url, fetchOptions = {} }) {
  const view = new TimerView(element);
  async function load() {
    const response = await fetch(url, { headers: { Accept: "application/json" }, ...fetchOptions }).catch(() => null);
    if (response && response.ok) {
      const data = await response.json();
      view.update(data.timer, data.now_ms);
    }
  }
  socket.on("connect", load);
  socket.on("event", (event) => {
    if (event.type === "timer.updated") view.update(event.data.timer);
  });
  return { view, load };
}
