// The board on the phone, when the facilitator lets participants see it
// (participants_see_wall): every "state" message carries the visible board
// (`wall`, or null when the setting is off); redraw it from the page's atoms.
const root = document.getElementById("phone");
const section = document.getElementById("phone-wall");
const list = document.getElementById("phone-wall-list");
const groupTemplate = document.getElementById("phone-wall-group-template");
const itemTemplate = document.getElementById("phone-wall-item-template");

function group(title, inputs) {
  const node = groupTemplate.content.firstElementChild.cloneNode(true);
  node.querySelector(".phone-wall-title").textContent = title;
  const items = node.querySelector(".phone-wall-items");
  for (const input of inputs) {
    const item = itemTemplate.content.firstElementChild.cloneNode(true);
    item.textContent = input.text;
    items.append(item);
  }
  return node;
}

function show(wall) {
  if (!wall) {
    section.hidden = true;
    list.replaceChildren();
    return;
  }
  const groups = wall.themes.filter((t) => t.inputs.length).map((t) => group(t.title, t.inputs));
  if (wall.unsorted.length) groups.push(group(section.dataset.msgUnsorted, wall.unsorted));
  list.replaceChildren(...groups);
  section.hidden = false;
}

root.addEventListener("phone-state", (event) => {
  if ("wall" in event.detail) show(event.detail.wall);
});
