// The phone's outbox: every input is stored here before it is sent, and stays
// until the server has acknowledged it, so closing the tab, losing the network
// or the server restarting never loses what someone wrote. The Sender empties
// it: one input at a time, with a timeout, retrying with jittered exponential
// backoff until the server answers with a receipt for that input's key.

const prefix = "facilitator:";
// Values whose last write to localStorage failed (storage full, disabled, private
// mode) live here, so the page keeps working for as long as it is open.
const memory = new Map();
const unsaved = new Set();

function read(key, fallback) {
  if (unsaved.has(key)) return memory.get(key);
  try {
    const raw = localStorage.getItem(prefix + key);
    return raw === null ? fallback : JSON.parse(raw);
  } catch {
    return memory.has(key) ? memory.get(key) : fallback;
  }
}

function write(key, value) {
  memory.set(key, value);
  try {
    localStorage.setItem(prefix + key, JSON.stringify(value));
    unsaved.delete(key);
  } catch {
    unsaved.add(key);
  }
}

// A random UUID v4; crypto.randomUUID needs a secure context, which a phone on
// the venue's plain-HTTP LAN address does not have.
export function clientKey() {
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

// Item states: waiting (not yet acknowledged), sending, held (the workshop is
// not open: sent when it opens), refused (the server said no; kept for editing).
export class Outbox {
  constructor(code) {
    this.code = code;
  }

  items() {
    return read(`outbox:${this.code}`, []);
  }

  save(items) {
    write(`outbox:${this.code}`, items);
  }

  // themeId: the participant's chosen theme (null: none); kept with the input until it is sent.
  add(text, authorName, themeId = null) {
    const item = {
      client_key: clientKey(),
      text,
      author_name: authorName || "",
      theme_id: themeId ?? null,
      state: "waiting",
      created: Date.now(),
    };
    this.save([...this.items(), item]);
    return item;
  }

  update(key, changes) {
    this.save(this.items().map((i) => (i.client_key === key ? { ...i, ...changes } : i)));
  }

  remove(key) {
    this.save(this.items().filter((i) => i.client_key !== key));
  }

  // A page that was closed while sending left "sending" behind: nothing is sending now.
  resetSending() {
    if (this.items().some((i) => i.state === "sending")) {
      this.save(this.items().map((i) => (i.state === "sending" ? { ...i, state: "waiting" } : i)));
    }
  }

  sent() {
    return read(`sent:${this.code}`, []);
  }

  markSent(receipt) {
    const sent = this.sent().filter((r) => r.client_key !== receipt.client_key);
    sent.push(receipt);
    write(`sent:${this.code}`, sent.slice(-200));
    this.remove(receipt.client_key);
  }

  draft() {
    return read(`draft:${this.code}`, "");
  }

  saveDraft(text) {
    write(`draft:${this.code}`, text);
  }

  // Whether everything written so far would survive closing the tab.
  persistent() {
    return unsaved.size === 0;
  }
}

const SEND_TIMEOUT_MS = 15000;
const BACKOFF_BASE_MS = 1000;
const BACKOFF_MAX_MS = 30000;

// Full jitter around an exponential step: a room of phones that lost the
// network together must not come back in step.
export function backoffDelay(attempt, random = Math.random) {
  const base = Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** Math.min(attempt, 8));
  return Math.round(base * (0.5 + random()));
}

export class Sender {
  // options: url, isOpen() (held inputs may go), retryHeld() (poll for held ones),
  // onChange({refused, error}?), offlineMessage.
  constructor(outbox, options) {
    this.outbox = outbox;
    this.url = options.url;
    this.isOpen = options.isOpen;
    this.retryHeld = options.retryHeld || (() => false);
    this.onChange = options.onChange || (() => {});
    this.offlineMessage = options.offlineMessage || "";
    this.attempt = 0;
    this.running = false;
    this.again = false;
    this.timer = null;
    this.retryAt = null;
  }

  // Send soon: now, or after delayMs (a random delay spreads a room's reconnects).
  kick(delayMs = 0) {
    if (delayMs > 0) {
      this.schedule(delayMs, false);
      return;
    }
    this.flush();
  }

  // A fresh chance (network back): forget the backoff and send now.
  reset() {
    this.attempt = 0;
    this.flush();
  }

  schedule(ms, isRetry = true) {
    const at = Date.now() + ms;
    if (this.timer && this.retryAt !== null && this.retryAt <= at && !isRetry) return;
    clearTimeout(this.timer);
    this.retryAt = at;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.retryAt = null;
      this.flush();
    }, ms);
  }

  eligible(item) {
    if (item.state === "refused") return false;
    return item.state !== "held" || this.isOpen();
  }

  async flush() {
    if (this.running) {
      this.again = true; // an input added mid-flush goes in this same run
      return;
    }
    this.running = true;
    try {
      do {
        this.again = false;
        const tried = new Set();
        for (;;) {
          const item = this.outbox.items().find((i) => !tried.has(i.client_key) && this.eligible(i));
          if (!item) break;
          tried.add(item.client_key);
          if ((await this.sendOne(item)) === "stop") return;
        }
      } while (this.again);
      clearTimeout(this.timer);
      this.timer = null;
      this.retryAt = null;
      // Held inputs wait for the workshop's "open" state; if that news cannot
      // arrive (no socket), ask the server again now and then.
      if (this.retryHeld() && this.outbox.items().some((i) => i.state === "held")) {
        this.schedule(backoffDelay(this.attempt++));
      }
    } finally {
      this.running = false;
    }
  }

  // Returns "next" (go on with the next input) or "stop" (a retry is scheduled).
  async sendOne(item) {
    this.outbox.update(item.client_key, { state: "sending" });
    this.onChange();
    let answer;
    try {
      answer = await this.post(item);
    } catch {
      return this.later(item, this.offlineMessage, backoffDelay(this.attempt++));
    }
    const { response, body } = answer;
    const error = body && body.error && typeof body.error.code === "string" ? body.error : null;
    if (response.ok && body && body.client_key === item.client_key) {
      this.attempt = 0;
      this.outbox.markSent({ client_key: item.client_key, id: body.id, text: item.text, received_at: body.received_at });
      this.onChange();
      return "next";
    }
    // Too fast (429), or the server cannot store right now (503: its database is away or
    // full): not stored; wait as long as it asks, saying why in its words.
    if (error && (response.status === 429 || response.status === 503)) {
      const seconds = Number(response.headers.get("Retry-After")) || Number(error.retry_after) || 10;
      return this.later(item, error.message, seconds * 1000 + Math.random() * 2000);
    }
    if (error && response.status === 409) {
      this.outbox.update(item.client_key, { state: "held", error: error.message, retry_at: null });
      this.onChange();
      return "next";
    }
    if (error && response.status >= 400 && response.status < 500) {
      this.outbox.update(item.client_key, { state: "refused", error: error.message, code: error.code, retry_at: null });
      this.onChange({ refused: item, error });
      return "next";
    }
    // A 5xx, or an answer that is not ours (a captive portal, a proxy's error
    // page, a 200 without this input's receipt): not acknowledged, so try again.
    return this.later(item, this.offlineMessage, backoffDelay(this.attempt++));
  }

  // Not acknowledged: every input still to go waits for the same retry, and says why.
  later(item, message, delayMs) {
    const changes = { state: "waiting", error: message || "", retry_at: Date.now() + delayMs };
    this.outbox.save(
      this.outbox.items().map((i) => (i.client_key === item.client_key || i.state === "waiting" ? { ...i, ...changes } : i)),
    );
    this.schedule(delayMs);
    this.onChange();
    return "stop";
  }

  // The POST and its answer, both within the timeout (a connection can also die mid-answer).
  async post(item) {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), SEND_TIMEOUT_MS);
    try {
      const response = await fetch(this.url, {
        method: "POST",
        headers: { "Content-Type": "application/json", Accept: "application/json" },
        body: JSON.stringify({
          text: item.text,
          client_key: item.client_key,
          author_name: item.author_name,
          theme_id: item.theme_id ?? null,
        }),
        credentials: "same-origin",
        cache: "no-store",
        signal: controller.signal,
      });
      const body = await response.json().catch(() => null);
      return { response, body };
    } finally {
      clearTimeout(timer);
    }
  }
}
