// Galleries: "Compare the two selected" is on only when exactly two thumbnails are ticked.
// Without this script the button still works: the server asks for two when the count is wrong.
(function () {
  "use strict";
  const button = document.querySelector("[data-compare-selected]");
  if (!button) return;
  const hint = document.querySelector("[data-compare-hint]");
  const boxes = () => [...document.querySelectorAll('input[type="checkbox"][name="ids"][form="export-form"]')];

  function update() {
    const ticked = boxes().filter((box) => box.checked).length;
    button.disabled = ticked !== 2;
    if (!hint) return;
    if (ticked === 2) hint.textContent = "Two images ticked.";
    else if (ticked < 2) hint.textContent = ticked ? "Tick one more image to compare." : "Tick two images to compare them.";
    else hint.textContent = `${ticked} images ticked; untick ${ticked - 2} to compare.`;
  }

  document.addEventListener("change", (event) => {
    if (event.target.matches('input[type="checkbox"][name="ids"]')) update();
  });
  window.addEventListener("pageshow", update); // the back button restores ticks
  update();
})();
