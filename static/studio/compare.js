// Compare two images: a slider that reveals the second over the first, or the two side by side.
(function () {
  "use strict";
  const root = document.querySelector("[data-compare]");
  if (!root) return;
  const stage = root.querySelector("[data-compare-stage]");
  const range = root.querySelector("[data-compare-range]");
  const sliderLabel = root.querySelector("[data-slider-label]");
  range.addEventListener("input", () => stage.style.setProperty("--reveal", range.value + "%"));
  root.querySelectorAll("[data-mode]").forEach((button) => button.addEventListener("click", () => {
    const side = button.dataset.mode === "side";
    stage.classList.toggle("side", side);
    sliderLabel.hidden = side;
    root.querySelectorAll("[data-mode]").forEach((b) => b.setAttribute("aria-pressed", String(b === button)));
  }));
  // Dragging on the picture moves the slider too.
  stage.addEventListener("pointermove", (event) => {
    if (stage.classList.contains("side") || !(event.buttons & 1)) return;
    const r = stage.getBoundingClientRect();
    range.value = String(Math.round(Math.min(1, Math.max(0, (event.clientX - r.left) / r.width)) * 100));
    stage.style.setProperty("--reveal", range.value + "%");
  });
})();
