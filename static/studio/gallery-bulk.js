// Ticking many images in a gallery: click a box, Shift+click another to tick (or untick) the whole range
// between, Space on a focused box ticks it. "Tick all" and
// "None" work on this page; the toolbar (fetched after the page) counts what is ticked.
(function () {
  "use strict";
  const boxes = () => [...document.querySelectorAll('input[type="checkbox"][name="ids"][form="export-form"]')];
  let last = null;

  function count() {
    const ticked = boxes().filter((box) => box.checked).length;
    document.querySelectorAll("[data-ticked-count]").forEach((out) => {
      out.textContent = ticked ? `${ticked} image${ticked === 1 ? "" : "s"} ticked.` : "No images ticked.";
    });
  }

  function tickRange(from, to, state) {
    const all = boxes();
    const [a, b] = [all.indexOf(from), all.indexOf(to)].sort((x, y) => x - y);
    if (a < 0) return;
    all.slice(a, b + 1).forEach((box) => { box.checked = state; });
  }

  document.addEventListener("click", (event) => {
    const box = event.target.closest && event.target.closest('input[type="checkbox"][name="ids"][form="export-form"]');
    if (box) {
      if (event.shiftKey && last && last !== box) tickRange(last, box, box.checked);
      last = box;
      count();
      return;
    }
    if (event.target.matches("[data-tick-all], [data-tick-none]")) {
      const state = event.target.matches("[data-tick-all]");
      boxes().forEach((b) => { b.checked = state; });
      count();
    }
  });
  document.addEventListener("change", (event) => {
    if (event.target.matches('input[type="checkbox"][name="ids"]')) count();
  });
  document.addEventListener("fragment:filled", count);
  window.addEventListener("pageshow", count);
})();
