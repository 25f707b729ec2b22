// Shows only the options the chosen model accepts, from the registry's form_schema() that the
// server embedded in the page; the server checks the same data again on submit.
(function () {
  "use strict";
  const form = document.getElementById("job-form");
  const schemaNode = document.getElementById("model-schema");
  if (!form || !schemaNode) return;
  const schema = JSON.parse(schemaNode.textContent);
  const operation = form.dataset.operation || "generate";
  const modelSelect = form.querySelector("[name=model]");
  const prompt = form.querySelector("[name=prompt]");
  const counter = document.getElementById("prompt-counter");
  const estimate = document.getElementById("cost-estimate");
  const OTHER = "__other__";

  function opSchema() {
    const model = schema[modelSelect.value];
    return model && model.operations[operation];
  }

  function fieldBox(name) { return form.querySelector('[data-option="' + name + '"]'); }

  function fillSelect(select, values, preferred, fallback) {
    const keep = values.includes(preferred) ? preferred : fallback;
    select.replaceChildren(...values.map((v) => new Option(v, v, false, v === keep)));
  }

  function applySize(op) {
    const box = fieldBox("size");
    if (!box) return;
    const select = box.querySelector("select");
    let custom = box.querySelector("input[data-custom-size]");
    const rule = op.size.custom;
    const current = custom && !custom.disabled ? custom.value : select.value;
    const values = op.size.values.slice();
    fillSelect(select, values, current, op.size.default);
    if (rule) {
      select.add(new Option("Other size…", OTHER));
      if (!custom) {
        custom = document.createElement("input");
        custom.name = "size";
        custom.dataset.customSize = "";
        custom.placeholder = "WIDTHxHEIGHT, e.g. 2048x1152";
        custom.setAttribute("aria-label", "Width by height in pixels");
        custom.disabled = true;
        custom.hidden = true;
        select.after(custom);
      }
      const hint = [];
      if (rule.multiple_of) hint.push("sides divisible by " + rule.multiple_of);
      if (rule.max_width) hint.push("at most " + rule.max_width + "x" + rule.max_height);
      custom.title = hint.join(", ");
      if (current && !values.includes(current) && /^\d+x\d+$/.test(current)) {
        select.value = OTHER;
        custom.value = current;
      }
    }
    const other = rule && select.value === OTHER;
    if (custom) { custom.disabled = !other; custom.hidden = !other; }
    select.disabled = false;
    select.name = other ? "" : "size";
  }

  function apply() {
    const op = opSchema();
    if (!op) return;
    form.querySelectorAll("[data-option]").forEach((box) => {
      const name = box.dataset.option;
      if (["prompt", "model", "team", "size"].includes(name)) return;
      const choice = op.choices[name];
      const range = op.ranges[name];
      const shown = Boolean(choice || range);
      box.hidden = !shown;
      box.querySelectorAll("select, input").forEach((el) => { el.disabled = !shown; });
      const control = box.querySelector("select, input");
      if (choice && control.tagName === "SELECT") fillSelect(control, choice.values, control.value, choice.default);
      if (range && control.tagName === "INPUT") {
        if (range.min !== null) control.min = range.min;
        if (range.max !== null) control.max = range.max;
        if (control.value === "" && range.default !== null && range.default !== undefined) control.value = range.default;
        if (range.max !== null && Number(control.value) > range.max) control.value = range.max;
      }
    });
    applySize(op);
    updateCounter();
    updateEstimate();
  }

  function updateCounter() {
    const op = opSchema();
    if (!counter || !prompt || !op || !op.prompt) return;
    const left = op.prompt.max - prompt.value.length;
    counter.textContent = left >= 0
      ? left.toLocaleString() + " characters left for " + modelSelect.value
      : (-left).toLocaleString() + " characters over the " + op.prompt.max.toLocaleString() + " that " + modelSelect.value + " accepts";
    counter.classList.toggle("over", left < 0);
  }

  let estimateTimer = null;
  function updateEstimate() {
    if (!estimate || !form.dataset.estimateUrl) return;
    clearTimeout(estimateTimer);
    estimateTimer = setTimeout(() => {
      const params = new URLSearchParams(new FormData(form));
      params.delete("csrfmiddlewaretoken");
      params.delete("prompt");
      params.set("operation", operation);
      fetch(form.dataset.estimateUrl + "?" + params.toString(), { credentials: "same-origin" })
        .then((r) => (r.ok ? r.text() : ""))
        .then((text) => { estimate.textContent = text; })
        .catch(() => { estimate.textContent = ""; });
    }, 150);
  }

  // Keep the draft when the person leaves the page; forget it once a job was submitted.
  const draftKey = "studio:draft:" + operation;
  if (prompt) {
    if (!prompt.value && localStorage.getItem(draftKey)) prompt.value = localStorage.getItem(draftKey);
    prompt.addEventListener("input", () => { localStorage.setItem(draftKey, prompt.value); updateCounter(); });
  }
  form.addEventListener("submit", () => localStorage.removeItem(draftKey));
  form.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      form.requestSubmit();
    }
  });
  form.addEventListener("change", (event) => {
    if (event.target === modelSelect) { apply(); return; }
    if (event.target.closest('[data-option="size"]')) applySize(opSchema());
    updateEstimate();
  });
  apply();
})();
