// A collection's order: drag a tile onto another, or focus a tile and press Alt+ArrowUp / Alt+ArrowDown
// (Alt+ArrowLeft / Alt+ArrowRight too). Each change is saved at once; without this script the ↑ / ↓
// buttons do the same through the server.
(function () {
  "use strict";
  const list = document.getElementById("collection-items");
  if (!list || !list.dataset.orderUrl) return;
  const status = document.querySelector("[data-order-status]");
  const csrf = document.querySelector('input[name="csrfmiddlewaretoken"]');
  const tiles = () => [...list.querySelectorAll("li[data-image]")];

  function relabel() {
    tiles().forEach((tile, index) => {
      tile.setAttribute("aria-label", `Image ${tile.dataset.image}, position ${index + 1}`);
    });
  }

  async function save(moved) {
    const body = new URLSearchParams();
    tiles().forEach((tile) => body.append("ids", tile.dataset.image));
    relabel();
    if (status) status.textContent = "Saving…";
    try {
      const response = await fetch(list.dataset.orderUrl, {
        method: "POST", body, credentials: "same-origin",
        headers: { "X-CSRFToken": csrf ? csrf.value : "", "X-Requested-With": "fetch" },
      });
      if (!response.ok) throw new Error(String(response.status));
      if (status) status.textContent = moved ? `Moved to position ${tiles().indexOf(moved) + 1}. Saved.` : "Saved.";
    } catch (error) {
      if (status) status.textContent = "Could not save the new order; reload the page to see the saved one.";
    }
  }

  let dragged = null;
  list.addEventListener("dragstart", (event) => {
    dragged = event.target.closest("li[data-image]");
    if (!dragged) return;
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", dragged.dataset.image);
    dragged.classList.add("dragging");
  });
  list.addEventListener("dragover", (event) => {
    if (dragged) event.preventDefault();
  });
  list.addEventListener("drop", (event) => {
    const target = event.target.closest("li[data-image]");
    if (!dragged || !target || target === dragged) return;
    event.preventDefault();
    const all = tiles();
    const after = all.indexOf(target) > all.indexOf(dragged);
    target.insertAdjacentElement(after ? "afterend" : "beforebegin", dragged);
    save(dragged);
  });
  list.addEventListener("dragend", () => {
    if (dragged) dragged.classList.remove("dragging");
    dragged = null;
  });

  list.addEventListener("keydown", (event) => {
    const tile = event.target.closest && event.target.closest("li[data-image]");
    if (!tile || event.target !== tile || !event.altKey) return;
    const back = event.key === "ArrowUp" || event.key === "ArrowLeft";
    const forward = event.key === "ArrowDown" || event.key === "ArrowRight";
    if (!back && !forward) return;
    event.preventDefault();
    const sibling = back ? tile.previousElementSibling : tile.nextElementSibling;
    if (!sibling) return;
    sibling.insertAdjacentElement(back ? "beforebegin" : "afterend", tile);
    tile.focus();
    save(tile);
  });
})();
