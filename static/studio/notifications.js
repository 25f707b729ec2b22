// The navigation's unread-notifications badge: fetched once the page is there, then every minute
// while the tab is visible, so no page pays a database query for it.
(function () {
  "use strict";
  const slot = document.querySelector("[data-unread-url]");
  if (!slot) return;
  const url = slot.dataset.unreadUrl;

  async function refresh() {
    if (document.hidden) return;
    try {
      const response = await fetch(url, { credentials: "same-origin", headers: { Accept: "text/html" } });
      if (response.ok) slot.innerHTML = await response.text();
    } catch (error) {
      // Offline for a moment: the badge keeps its last number until the next try.
    }
  }

  refresh();
  setInterval(refresh, 60000);
  document.addEventListener("visibilitychange", refresh);
})();
