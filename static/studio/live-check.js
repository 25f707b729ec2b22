// Live checks for job forms (form[data-check-url]): a moment after each change, ask the server what
// the form's current state would be refused for (the same form and registry rules as on submit) and
// say it at the field. Only fields the person has touched get a message, so an empty prompt on a
// fresh page is not an error yet; problems with the whole form are shown above the button.
(function () {
  "use strict";
  const SKIP = ["csrfmiddlewaretoken"];

  function setup(form) {
    const touched = new Set();
    let timer = null;
    let asked = 0;
    const summary = document.createElement("p");
    summary.className = "error live-form-problems";
    summary.setAttribute("role", "status");
    summary.hidden = true;
    const actions = form.querySelector(".actions");
    if (actions) actions.before(summary);

    function url() {
      const target = new URL(form.dataset.checkUrl, location.href);
      for (const [k, v] of new FormData(form)) {
        if (typeof v === "string" && !SKIP.includes(k)) target.searchParams.append(k, v);
      }
      target.searchParams.set("operation", form.dataset.operation || "generate");
      return target;
    }

    function show(fields, whole) {
      form.querySelectorAll("[data-live-error]").forEach((node) => node.remove());
      form.querySelectorAll("[data-live-invalid]").forEach((el) => {
        el.removeAttribute("aria-invalid"); el.removeAttribute("data-live-invalid");
        const ids = (el.getAttribute("aria-describedby") || "").split(" ").filter((id) => !id.startsWith("live-"));
        if (ids.length) el.setAttribute("aria-describedby", ids.join(" ")); else el.removeAttribute("aria-describedby");
      });
      Object.entries(fields).forEach(([name, messages]) => {
        if (!touched.has(name)) return;
        const box = form.querySelector('[data-option="' + name + '"]');
        if (!box || box.hidden) return;
        const control = box.querySelector("input:not([disabled]):not([type=hidden]), select, textarea");
        messages.forEach((message, i) => {
          const p = document.createElement("p");
          p.className = "error";
          p.id = "live-" + name + "-" + i;
          p.dataset.liveError = "";
          p.textContent = message;
          box.append(p);
          if (control) {
            control.setAttribute("aria-invalid", "true");
            control.dataset.liveInvalid = "";
            control.setAttribute("aria-describedby", ((control.getAttribute("aria-describedby") || "") + " " + p.id).trim());
          }
        });
      });
      summary.textContent = whole.join(" ");
      summary.hidden = !whole.length || !touched.size;
      // The estimate line says nothing for a request the model would refuse; say why instead of a blank.
      const estimate = form.querySelector("[data-estimate]");
      const shown = form.querySelectorAll("[data-live-error]").length;
      if (estimate && shown && !estimate.textContent.trim()) estimate.textContent = "No cost estimate until the problem above is fixed.";
    }

    function check() {
      clearTimeout(timer);
      timer = setTimeout(() => {
        const mine = ++asked;
        fetch(url(), { credentials: "same-origin", headers: { Accept: "application/json" } })
          .then((r) => (r.ok ? r.json() : null))
          .then((answer) => { if (answer && mine === asked) show(answer.fields || {}, answer.form || []); })
          .catch(() => {});
      }, 300);
    }

    function touch(event) {
      const box = event.target.closest && event.target.closest("[data-option]");
      if (box) touched.add(box.dataset.option);
      check();
    }
    form.addEventListener("input", touch);
    form.addEventListener("change", touch);
  }

  document.querySelectorAll("form.job-form[data-check-url]").forEach(setup);
})();
