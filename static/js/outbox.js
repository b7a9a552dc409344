// The phone's outbox: every input is stored here before it is sent, and stays
// until the server has acknowledged it, so closing the tab or losing the
// network never loses what someone wrote.

const prefix = "facilitator:";

function read(key, fallback) {
  try {
    const raw = localStorage.getItem(prefix + key);
    return raw === null ? fallback : JSON.parse(raw);
  } catch {
    return fallback;
  }
}

function write(key, value) {
  try {
    localStorage.setItem(prefix + key, JSON.stringify(value));
  } catch {
    // Storage full or disabled: the page still works, only without persistence.
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

  add(text, authorName) {
    const item = { client_key: clientKey(), text, author_name: authorName || "", state: "waiting", created: Date.now() };
    this.save([...this.items(), item]);
    return item;
  }

  update(key, changes) {
    this.save(this.items().map((i) => (i.client_key === key ? { ...i, ...changes } : i)));
  }

  remove(key) {
    this.save(this.items().filter((i) => i.client_key !== key));
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
}
