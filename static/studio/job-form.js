// Job forms (generate, edit, variation): show only the options the chosen model accepts, from the
// registry's form_schema() that the server embedded in the page; the server checks the same data again.
// Also: characters-left counter, cost estimate, a kept draft, Ctrl/Cmd+Enter to submit, and (edit and
// variation) a plain word when the chosen model cannot take the picture as it is.
(function () {
  "use strict";
  const OTHER = "__other__";

  function setup(form) {
    const schemaNode = document.getElementById(form.dataset.schema || "model-schema");
    if (!schemaNode) return;
    const schema = JSON.parse(schemaNode.textContent);
    const operation = form.dataset.operation || "generate";
    const modelSelect = form.querySelector("[name=model]");
    const prompt = form.querySelector("[name=prompt]");
    const counter = form.querySelector("[data-counter]");
    const estimate = form.querySelector("[data-estimate]");
    const fit = form.querySelector("[data-source-fit]") || document.querySelector("[data-source-fit]");
    let lastDefaultPrompt = null;

    function opSchema() {
      const model = schema[modelSelect.value];
      return model && model.operations[operation];
    }

    function fieldBox(name) { return form.querySelector('[data-option="' + name + '"]'); }

    function fillSelect(select, values, preferred, fallback) {
      const keep = values.includes(preferred) ? preferred : fallback;
      select.replaceChildren(...values.map((v) => new Option(v, v, false, v === keep)));
    }

    // Whether a WxH meets a model's custom-size rule (the server checks every rule; this keeps a size
    // carried over from another model only when it can be sent, e.g. not 256x256 to gpt-image-2).
    function fitsRule(value, rule) {
      const m = /^(\d+)x(\d+)$/.exec(value || "");
      if (!m) return false;
      const w = Number(m[1]), h = Number(m[2]);
      if (rule.multiple_of && (w % rule.multiple_of || h % rule.multiple_of)) return false;
      if (rule.min_pixels && w * h < rule.min_pixels) return false;
      if (rule.max_pixels && w * h > rule.max_pixels) return false;
      return !(rule.max_edge && Math.max(w, h) > rule.max_edge);
    }

    function applySize(op) {
      const box = fieldBox("size");
      if (!box) return;
      const select = box.querySelector("select");
      let custom = box.querySelector("input[data-custom-size]");
      const rule = op.size.custom;
      // "Other size…" picked (now, or before a model change) keeps the custom box open.
      const pickedOther = select.value === OTHER;
      const current = pickedOther ? (custom ? custom.value : "") : select.value;
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
        if (rule.min_ratio) hint.push("shape between " + rule.min_ratio + " and " + rule.max_ratio);
        if (rule.max_edge) hint.push("longest side at most " + rule.max_edge);
        if (rule.min_pixels) hint.push("at least " + rule.min_pixels.toLocaleString("en") + " pixels in all");
        custom.title = hint.join(", ");
        custom.dataset.experimentalAbove = rule.experimental_above || "";
        if (pickedOther || (current && !values.includes(current) && fitsRule(current, rule))) {
          select.value = OTHER;
          if (current) custom.value = current;
        }
      }
      const other = rule && select.value === OTHER;
      if (custom) {
        const opening = other && custom.hidden;
        custom.disabled = !other;
        custom.hidden = !other;
        if (opening && pickedOther) custom.focus();
      }
      updateSizeNote(custom, other);
      select.disabled = false;
      select.name = other ? "" : "size";
    }

    // Sizes above the model's experimental threshold are allowed, but the person should know.
    function updateSizeNote(custom, other) {
      const box = fieldBox("size");
      let note = box.querySelector("[data-size-note]");
      if (!note) {
        note = document.createElement("p");
        note.className = "hint";
        note.dataset.sizeNote = "";
        note.setAttribute("aria-live", "polite");
        box.appendChild(note);
      }
      const above = custom && custom.dataset.experimentalAbove;
      const m = other && above && /^(\d+)x(\d+)$/.exec(custom.value.trim());
      const [limW, limH] = above ? above.split("x").map(Number) : [0, 0];
      note.textContent = m && Number(m[1]) * Number(m[2]) > limW * limH
        ? "Sizes above " + above + " are experimental on " + modelSelect.value + ": results may vary."
        : (other && custom.title ? "Custom size: " + custom.title + "." : "");
    }

    function applyPrompt(op) {
      const box = fieldBox("prompt");
      if (!box || !prompt) return;
      const takes = Boolean(op.prompt);
      box.hidden = !takes;
      prompt.disabled = !takes;
      if (!takes) return;
      const def = op.prompt.default || "";
      // A variation's prompt starts as the model's default; replace it only while the person has not typed.
      if (operation === "variation" && (prompt.value === "" || prompt.value === lastDefaultPrompt)) prompt.value = def;
      lastDefaultPrompt = def;
      prompt.required = Boolean(op.prompt.required);
    }

    // `clamp` is for a model change only: on page load the numbers are what the person typed (and
    // what the server's error message talks about), so they stay as they are.
    function apply(clamp) {
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
          if (clamp && range.max !== null && Number(control.value) > range.max) control.value = range.max;
          if (clamp && range.min !== null && control.value !== "" && Number(control.value) < range.min) control.value = range.min;
        }
      });
      applySize(op);
      applyPrompt(op);
      applyFormatRule(op);
      updateCounter();
      updateFit();
      updateEstimate();
    }

    // Compression applies only to the formats the registry names (webp/jpeg): hide it otherwise.
    function applyFormatRule(op) {
      const comp = op.ranges.output_compression;
      const box = fieldBox("output_compression");
      const fmt = form.querySelector("[name=output_format]");
      if (!comp || !box || !comp.formats || !fmt) return;
      const shown = comp.formats.includes(fmt.value);
      box.hidden = !shown;
      box.querySelectorAll("input").forEach((el) => { el.disabled = !shown; });
    }

    function updateCounter() {
      const op = opSchema();
      if (!counter || !prompt || !op || !op.prompt) return;
      const left = op.prompt.max - prompt.value.length;
      counter.textContent = left >= 0
        ? left.toLocaleString("en") + " characters left for " + modelSelect.value
        : (-left).toLocaleString("en") + " characters over the " + op.prompt.max.toLocaleString("en") + " that " +
          modelSelect.value + " accepts";
      counter.classList.toggle("over", left < 0);
      prompt.setAttribute("aria-invalid", left < 0 ? "true" : "false");
    }

    // Whether the chosen model takes the picture as it is: the server measured it against every model
    // on the menu (the same rules it checks on submit); this only shows the sentences for the chosen one.
    const fitNode = document.getElementById("source-fit-problems");
    const fitProblems = fitNode ? JSON.parse(fitNode.textContent) : {};
    function updateFit() {
      if (!fit) return;
      const problems = fitProblems[modelSelect.value] || [];
      const text = fit.querySelector("[data-fit-text]");
      const link = fit.querySelector("a");
      fit.hidden = problems.length === 0;
      if (problems.length) {
        text.textContent = "This picture does not suit " + modelSelect.value + ": " + problems.join(" ");
        const url = new URL(link.getAttribute("href"), location.href);
        url.searchParams.set("model", modelSelect.value);
        link.href = url.pathname + url.search;
      }
    }

    let estimateTimer = null;
    function updateEstimate() {
      if (!estimate || !form.dataset.estimateUrl) return;
      clearTimeout(estimateTimer);
      estimateTimer = setTimeout(() => {
        const params = new URLSearchParams();
        for (const [k, v] of new FormData(form)) {
          if (typeof v === "string" && !["csrfmiddlewaretoken", "prompt", "source", "upload", "reference_images"].includes(k)) params.append(k, v);
        }
        params.set("operation", operation);
        fetch(form.dataset.estimateUrl + "?" + params.toString(), { credentials: "same-origin" })
          .then((r) => (r.ok ? r.text() : ""))
          .then((text) => { estimate.textContent = text; })
          .catch(() => { estimate.textContent = ""; });
      }, 150);
    }

    // Keep the draft when the person leaves the page; forget it once a job was submitted.
    const draftKey = form.dataset.draft ? "studio:draft:" + form.dataset.draft : null;
    function saveDraft() {
      if (!draftKey) return;
      const state = {};
      for (const [k, v] of new FormData(form)) {
        if (typeof v === "string" && k !== "csrfmiddlewaretoken") state[k] = v;
      }
      localStorage.setItem(draftKey, JSON.stringify(state));
    }
    function restoreDraft() {
      if (!draftKey || form.dataset.restore !== "1") return;
      let state = null;
      try { state = JSON.parse(localStorage.getItem(draftKey) || "null"); } catch (e) { state = null; }
      if (!state || typeof state !== "object") return;
      if (state.model && schema[state.model]) modelSelect.value = state.model;
      apply();
      Object.entries(state).forEach(([name, value]) => {
        if (name === "model") return;
        const el = form.querySelector('[name="' + name + '"]:not([type=file]):not([type=checkbox])');
        if (!el || el.disabled) return;
        if (el.tagName === "SELECT" && ![...el.options].some((o) => o.value === value)) {
          if (name === "size" && /^\d+x\d+$/.test(value) && [...el.options].some((o) => o.value === OTHER)) {
            el.value = OTHER; applySize(opSchema());
            const custom = form.querySelector("input[data-custom-size]");
            if (custom) custom.value = value;
          }
          return;
        }
        el.value = value;
      });
      form.querySelector("[data-draft-note]")?.removeAttribute("hidden");
    }

    if (prompt) prompt.addEventListener("input", () => { saveDraft(); updateCounter(); });
    form.addEventListener("submit", () => { if (draftKey) localStorage.removeItem(draftKey); });
    form.addEventListener("keydown", (event) => {
      if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
        event.preventDefault();
        form.requestSubmit();
      }
    });
    form.addEventListener("change", (event) => {
      if (event.target === modelSelect) { apply(true); saveDraft(); return; }
      if (event.target.closest('[data-option="size"]')) applySize(opSchema());
      if (event.target.name === "output_format") applyFormatRule(opSchema());
      saveDraft();
      updateEstimate();
    });
    form.addEventListener("input", (event) => {
      if (event.target.dataset.customSize !== undefined) updateSizeNote(event.target, true);
      if (event.target.type === "number" || event.target.dataset.customSize !== undefined) updateEstimate();
      if (event.target !== prompt) saveDraft();
    });
    const clear = form.querySelector("[data-clear-draft]");
    if (clear) clear.addEventListener("click", () => {
      if (draftKey) localStorage.removeItem(draftKey);
      if (prompt) { prompt.value = ""; prompt.focus(); }
      clear.closest("[data-draft-note]").hidden = true;
      updateCounter();
    });
    apply();
    restoreDraft();
    updateCounter();
  }

  document.querySelectorAll("form.job-form").forEach(setup);
})();
