// Parts of a page that come after it: each [data-fragment-url] element is filled from its URL once the
// page is there (and again every data-fragment-every seconds, while the tab is visible), so the page
// itself pays nothing for them.
(function () {
  "use strict";
  async function fill(slot) {
    if (document.hidden && slot.dataset.filled) return;
    try {
      const response = await fetch(slot.dataset.fragmentUrl, { credentials: "same-origin", headers: { Accept: "text/html" } });
      if (!response.ok) return;
      slot.innerHTML = await response.text();
      slot.dataset.filled = "1";
      slot.dispatchEvent(new CustomEvent("fragment:filled", { bubbles: true }));
    } catch (error) {
      // Offline for a moment: the part keeps what it showed until the next try.
    }
  }
  document.querySelectorAll("[data-fragment-url]").forEach((slot) => {
    fill(slot);
    const every = Number(slot.dataset.fragmentEvery || 0);
    if (every > 0) setInterval(() => fill(slot), every * 1000);
  });
})();
