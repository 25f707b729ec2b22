// Live job fragments: elements with data-live-job="<id>", or data-live-jobs="<id> <id> ..." (a batch's
// progress), and hx-trigger="live-refresh", reload when the server's event stream says such a job changed
// (at most one reload per element every REFRESH_GAP_MS, so a batch's burst of events costs a few requests); the unread count (data-fragment-live) is asked again when
// the stream says "notified" (fragments.js then skips its slow poll while the stream is up). While the stream is broken (or never opens: an old proxy,
// a WSGI server answering 204), they are polled every second instead, as before the stream existed.
(function () {
  "use strict";
  var script = document.currentScript;
  var url = script && script.dataset.events;
  var POLL_MS = 1000;
  var OPEN_WITHIN_MS = 3000;
  var REFRESH_GAP_MS = 400;
  var polling = null;

  function watched(selector) {
    return document.querySelectorAll(selector || "[data-live-job], [data-live-jobs]");
  }
  function refresh(el) {
    if (!window.htmx || el.dataset.liveRefreshPending) { return; }
    el.dataset.liveRefreshPending = "1";
    window.setTimeout(function () {
      delete el.dataset.liveRefreshPending;
      window.htmx.trigger(el, "live-refresh");
    }, el.hasAttribute("data-live-jobs") ? REFRESH_GAP_MS : 0);
  }
  function refreshAll() { watched().forEach(refresh); }
  function poll() {
    if (polling === null) { polling = window.setInterval(refreshAll, POLL_MS); }
    document.documentElement.dataset.live = "polling";
  }
  function stopPolling() {
    if (polling !== null) { window.clearInterval(polling); polling = null; }
    document.documentElement.dataset.live = "stream";
  }

  function start() {
    var counts = document.querySelectorAll("[data-fragment-live]");
    if (!watched().length && !counts.length) { return; }  // nothing on this page changes by itself
    if (!url || !window.EventSource) { poll(); return; }
    var source = new EventSource(url);
    var notOpen = window.setTimeout(poll, OPEN_WITHIN_MS);
    source.addEventListener("open", function () {
      window.clearTimeout(notOpen);
      stopPolling();
      refreshAll();  // whatever changed while the stream was down
    });
    source.addEventListener("job", function (e) {
      var data = JSON.parse(e.data);
      var id = String(data.job);
      watched('[data-live-job="' + id + '"], [data-live-jobs~="' + id + '"]').forEach(refresh);
    });
    source.addEventListener("notified", function () {
      document.dispatchEvent(new CustomEvent("studio:notified"));
    });
    source.addEventListener("error", function () {
      poll();  // EventSource reconnects by itself while it can; "open" stops the polling again
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
