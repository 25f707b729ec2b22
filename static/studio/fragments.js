// Parts of a page that come after it: each [data-fragment-url] element is filled from its URL once the
// page is there (and again every data-fragment-every seconds, while the tab is visible), so the page
// itself pays nothing for them. Elements naming the same URL (the navigation is on the page twice: inline
// and under "More" on a phone) share one request. Live ones (data-fragment-live) are asked again when
// live.js hears "studio:notified", and not polled while its event stream is up.
(function () {
  "use strict";
  async function fill(url, slots) {
    if (document.hidden && slots.every((slot) => slot.dataset.filled)) return;
    try {
      const response = await fetch(url, { credentials: "same-origin", headers: { Accept: "text/html" } });
      if (!response.ok) return;
      const html = await response.text();
      slots.forEach((slot) => {
        slot.innerHTML = html;
        slot.dataset.filled = "1";
        slot.dispatchEvent(new CustomEvent("fragment:filled", { bubbles: true }));
      });
    } catch (error) {
      // Offline for a moment: the part keeps what it showed until the next try.
    }
  }
  const byUrl = new Map();
  document.querySelectorAll("[data-fragment-url]").forEach((slot) => {
    const url = slot.dataset.fragmentUrl;
    if (!byUrl.has(url)) byUrl.set(url, []);
    byUrl.get(url).push(slot);
  });
  byUrl.forEach((slots, url) => {
    fill(url, slots);
    const every = Math.max(...slots.map((slot) => Number(slot.dataset.fragmentEvery || 0)));
    const live = slots.some((slot) => slot.hasAttribute("data-fragment-live"));
    if (every > 0) {
      setInterval(() => {
        if (live && document.documentElement.dataset.live === "stream") return;
        fill(url, slots);
      }, every * 1000);
    }
    if (live) document.addEventListener("studio:notified", () => fill(url, slots));
  });
})();
