// The wall's timer controls: start (minutes, what happens at zero), pause, resume, +1 minute, remove.
import { followTimer } from "./timer-view.js";

export function wallTimer({ socket, api, workshopId }) {
  const { view } = followTimer({
    socket,
    element: document.getElementById("wall-timer"),
    url: `/api/v1/workshops/${workshopId}/timer`,
    fetchOptions: { credentials: "same-origin" },
  });
  const form = document.getElementById("timer-form");
  async function act(action) {
    const data = new FormData(form);
    const body = { action };
    if (action === "start") {
      body.seconds = Math.round(Number(data.get("minutes")) * 60);
      body.on_zero = data.get("on_zero");
    }
    if (action === "extend") body.seconds = 60;
    const answer = await api("POST", "/timer", body);
    if (answer) view.update(answer.timer, answer.now_ms);
  }
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    act("start");
  });
  for (const button of form.querySelectorAll("button[type=button][data-timer]")) {
    button.addEventListener("click", () => act(button.dataset.timer));
  }
}
