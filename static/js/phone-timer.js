// The countdown on the phone: from the state messages (which carry the server's clock)
// and from the join answer phone-votes.js fetches.
import { TimerView } from "./timer-view.js";

const root = document.getElementById("phone");
const view = new TimerView(document.getElementById("phone-timer"));
for (const name of ["phone-state", "phone-join-state"]) {
  root.addEventListener(name, (event) => {
    if ("timer" in event.detail) view.update(event.detail.timer, event.detail.now_ms);
  });
}
