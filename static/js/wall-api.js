// The wall's commands: JSON over HTTP to /api/v1, with the session's CSRF
// token. A refusal shows the server's translated message; the caller gets
// null and keeps whatever the user typed.

/** The page root's translated strings: msg("hidden-count", {n: 3}). */
export function messages(root) {
  return (name, params = {}) => {
    const key = "msg" + name.replace(/(^|-)(\w)/g, (_, __, c) => c.toUpperCase());
    let text = root.dataset[key] || "";
    for (const [k, v] of Object.entries(params)) text = text.split(`{${k}}`).join(String(v));
    return text;
  };
}

export function createApi({ workshopId, csrf, errorBox, msg }) {
  /** Send one command; resolve to the answer's JSON ({} for 204), or null after showing the error. */
  return async function call(method, path, body, { quiet = false } = {}) {
    const options = {
      method,
      headers: { "X-CSRF-Token": csrf, Accept: "application/json" },
      credentials: "same-origin",
    };
    if (body instanceof FormData) {
      options.body = body; // a file upload: the browser sets the multipart boundary
    } else if (body !== undefined) {
      options.headers["Content-Type"] = "application/json";
      options.body = JSON.stringify(body);
    }
    const response = await fetch(`/api/v1/workshops/${workshopId}${path}`, options).catch(() => null);
    if (!response || !response.ok) {
      if (quiet) return null;
      let message = msg("error");
      try {
        message = (await response.json()).error.message || message;
      } catch {
        // keep the generic message
      }
      errorBox.textContent = message;
      errorBox.hidden = false;
      return null;
    }
    if (!quiet) errorBox.hidden = true;
    if (response.status === 204) return {};
    return response.json().catch(() => ({}));
  };
}
