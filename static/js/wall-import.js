// Inputs from paper: pasted text (one input per line, or per blank-line-separated
// paragraph) or an uploaded CSV/XLSX, sent to POST …/inputs/import. The preview
// counts exactly the texts that will be sent. One import key per dialog content:
// a double click or a retry of the same text adds nothing; changing the text
// makes it a new import. The new cards arrive as ordinary input.created events.

const LINE_BREAK = /\r\n|\n|\r/;
const BLANK_LINES = /(?:\r\n|\n|\r)[ \t]*(?:\r\n|\n|\r)(?:[ \t]*(?:\r\n|\n|\r))*/;
const LEADING_BLANK = /^(?:[ \t]*(?:\r\n|\n|\r))+/;
const TRAILING_BLANK = /(?:(?:\r\n|\n|\r)[ \t]*)+$/;

/** The inputs a pasted text holds: each non-blank line, or each paragraph, exactly as written. */
export function splitTexts(text, mode) {
  const parts = mode === "blocks"
    ? text.split(BLANK_LINES).map((block) => block.replace(LEADING_BLANK, "").replace(TRAILING_BLANK, ""))
    : text.split(LINE_BREAK);
  return parts.filter((part) => part.trim() !== "");
}

function newKey() {
  return crypto.randomUUID ? crypto.randomUUID() : `${Date.now()}-${Math.random().toString(36).slice(2)}`;
}

export class PaperImport {
  constructor({ api, msg, announce }) {
    this.api = api;
    this.msg = msg;
    this.announce = announce;
    this.dialog = document.getElementById("import-dialog");
    this.text = document.getElementById("import-text");
    this.file = document.getElementById("import-file");
    this.source = document.getElementById("import-source");
    this.preview = document.getElementById("import-preview");
    this.confirm = document.getElementById("import-confirm");
    this.error = document.getElementById("import-error");
    this.sending = false;
    this.key = newKey();
    document.getElementById("import-open").addEventListener("click", () => this.open());
    for (const element of [this.text, this.file, ...this.dialog.querySelectorAll("input[name=split]")]) {
      element.addEventListener("input", () => this.changed());
      element.addEventListener("change", () => this.changed());
    }
    this.dialog.querySelector("form").addEventListener("submit", (event) => {
      if (event.submitter?.value === "import") {
        event.preventDefault(); // keep the dialog open until the server has answered
        this.send();
      }
    });
  }

  mode() {
    return this.dialog.querySelector("input[name=split]:checked")?.value || "lines";
  }

  texts() {
    return splitTexts(this.text.value, this.mode());
  }

  open() {
    if (this.dialog.open) return;
    this.error.hidden = true;
    this.update();
    this.dialog.showModal();
    this.text.focus();
  }

  changed() {
    this.key = newKey(); // different content: a different import
    this.error.hidden = true;
    this.update();
  }

  /** The live preview: how many inputs the text holds, or which file will be read. */
  update() {
    const chosen = this.file.files && this.file.files[0];
    const n = this.texts().length;
    if (chosen) this.preview.textContent = this.msg("import-file", { name: chosen.name });
    else if (n === 0) this.preview.textContent = this.msg("import-none");
    else this.preview.textContent = n === 1 ? this.msg("import-one") : this.msg("import-many", { n });
    this.confirm.disabled = this.sending || (!chosen && n === 0);
  }

  async send() {
    if (this.sending) return;
    const chosen = this.file.files && this.file.files[0];
    let body;
    if (chosen) {
      body = new FormData();
      body.append("file", chosen);
      body.append("source", this.source.value);
      body.append("import_key", this.key);
    } else {
      body = { source: this.source.value, import_key: this.key, texts: this.texts() };
    }
    this.sending = true;
    this.update();
    const answer = await this.api("POST", "/inputs/import", body);
    this.sending = false;
    if (answer) {
      const source = answer.inputs[0]?.source || this.source.value;
      const done = answer.count === 1 ? this.msg("import-done-one", { source }) : this.msg("import-done-many", { n: answer.count, source });
      this.text.value = "";
      this.file.value = "";
      this.key = newKey();
      this.dialog.close("done");
      this.announce(done);
      document.getElementById("import-open").focus();
    }
    this.update();
  }
}
