// The mask brush: paint the area to change on a canvas the size of the picture itself; on submit the
// paint becomes the PNG the API expects (same width and height, alpha 0 where painted, opaque elsewhere).
// Also the reference images of GPT image models: drag and drop, or pick from the archive.
(function () {
  "use strict";
  const editor = document.querySelector("[data-mask-editor]");
  const form = document.getElementById("job-form");
  if (!editor || !form) return;
  const img = editor.querySelector("[data-mask-image]");
  const canvas = editor.querySelector("[data-mask-canvas]");
  const stage = editor.querySelector("[data-stage]");
  const inner = editor.querySelector("[data-stage-inner]");
  const sizeInput = editor.querySelector("[data-brush-size]");
  const sizeOut = editor.querySelector("[data-brush-size-value]");
  const status = editor.querySelector("[data-mask-status]");
  const maskInput = form.querySelector("[data-mask-input]");
  const ctx = canvas.getContext("2d", { willReadFrequently: true });
  const PAINT = "rgb(255, 0, 96)";
  let tool = "brush";
  let zoom = 1;
  let fitted = true;
  let last = null;
  let painting = false;
  let painted = 0; // share of pixels painted, 0..1
  const undo = [];
  let undoLimit = 20;

  function setup() {
    canvas.width = img.naturalWidth;
    canvas.height = img.naturalHeight;
    const side = Math.max(canvas.width, canvas.height);
    sizeInput.max = String(Math.max(64, Math.round(side / 3)));
    sizeInput.value = String(Math.max(4, Math.round(side / 16)));
    showSize();
    undoLimit = Math.max(3, Math.min(20, Math.floor(256e6 / (canvas.width * canvas.height * 4))));
    fit();
    window.addEventListener("resize", () => { if (fitted) fit(); });
    if (editor.dataset.maskUrl) loadMask(editor.dataset.maskUrl);
  }

  // "Use again" on an edit brings its mask back: alpha 0 in the mask (the area edited) is paint here.
  function loadMask(url) {
    const mask = new Image();
    mask.onload = () => {
      if (mask.naturalWidth !== canvas.width || mask.naturalHeight !== canvas.height) return;
      const scratch = document.createElement("canvas");
      scratch.width = canvas.width; scratch.height = canvas.height;
      const sctx = scratch.getContext("2d", { willReadFrequently: true });
      sctx.drawImage(mask, 0, 0);
      const m = sctx.getImageData(0, 0, canvas.width, canvas.height).data;
      const paint = ctx.createImageData(canvas.width, canvas.height);
      const d = paint.data;
      for (let i = 0; i < m.length; i += 4) {
        d[i] = 255; d[i + 1] = 0; d[i + 2] = 96; d[i + 3] = m[i + 3] < 128 ? 255 : 0;
      }
      ctx.putImageData(paint, 0, 0);
      measure();
      editor.dataset.maskRestored = "";
    };
    mask.src = url;
  }

  // --- view --------------------------------------------------------------------------------------
  function fit() {
    const maxW = stage.clientWidth || img.naturalWidth;
    const maxH = Math.max(240, window.innerHeight * 0.72);
    zoom = Math.min(maxW / img.naturalWidth, maxH / img.naturalHeight);
    fitted = true;
    applyZoom();
  }
  function applyZoom() {
    inner.style.width = Math.round(img.naturalWidth * zoom) + "px";
    inner.style.height = Math.round(img.naturalHeight * zoom) + "px";
  }
  function zoomBy(f) { zoom = Math.min(16, Math.max(0.05, zoom * f)); fitted = false; applyZoom(); }

  function showSize() { sizeOut.textContent = sizeInput.value + " px"; }

  // --- painting ----------------------------------------------------------------------------------
  function toImage(event) {
    const r = canvas.getBoundingClientRect();
    return { x: (event.clientX - r.left) * (canvas.width / r.width), y: (event.clientY - r.top) * (canvas.height / r.height) };
  }
  function snapshot() {
    undo.push(ctx.getImageData(0, 0, canvas.width, canvas.height));
    if (undo.length > undoLimit) undo.shift();
  }
  function stroke(from, to) {
    ctx.save();
    ctx.globalCompositeOperation = tool === "eraser" ? "destination-out" : "source-over";
    ctx.strokeStyle = PAINT;
    ctx.fillStyle = PAINT;
    ctx.lineWidth = Number(sizeInput.value);
    ctx.lineCap = "round";
    ctx.lineJoin = "round";
    ctx.beginPath();
    if (from.x === to.x && from.y === to.y) {
      ctx.arc(to.x, to.y, ctx.lineWidth / 2, 0, Math.PI * 2);
      ctx.fill();
    } else {
      ctx.moveTo(from.x, from.y);
      ctx.lineTo(to.x, to.y);
      ctx.stroke();
    }
    ctx.restore();
  }
  canvas.addEventListener("pointerdown", (event) => {
    if (event.button !== 0) return;
    event.preventDefault();
    canvas.setPointerCapture(event.pointerId);
    snapshot();
    painting = true;
    last = toImage(event);
    stroke(last, last);
  });
  canvas.addEventListener("pointermove", (event) => {
    if (!painting) return;
    const p = toImage(event);
    stroke(last, p);
    last = p;
  });
  function endStroke() { if (painting) { painting = false; last = null; measure(); } }
  canvas.addEventListener("pointerup", endStroke);
  canvas.addEventListener("pointercancel", endStroke);

  // The painted set is binary: a pixel is painted when its paint is at least half opaque (the
  // brush's soft edge is decided once, here, so what the page shows is what the mask says).
  function isPainted(alpha) { return alpha >= 128; }

  function measure() {
    const data = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
    let count = 0;
    for (let i = 3; i < data.length; i += 4) if (isPainted(data[i])) count++;
    painted = count / (canvas.width * canvas.height);
    const pct = painted * 100;
    status.textContent = count === 0
      ? "Nothing painted: the model may change the whole picture (DALL·E 2 then edits only its transparent parts)."
      : "Painted " + (pct < 1 ? pct.toFixed(1) : Math.round(pct)) + "% of the picture; that part will change.";
    editor.dataset.painted = String(count);
  }

  function binarise(invert) {
    const image = ctx.getImageData(0, 0, canvas.width, canvas.height);
    const d = image.data;
    for (let i = 0; i < d.length; i += 4) {
      const on = isPainted(d[i + 3]) !== invert;
      d[i] = 255; d[i + 1] = 0; d[i + 2] = 96; d[i + 3] = on ? 255 : 0;
    }
    ctx.putImageData(image, 0, 0);
  }

  function act(action) {
    if (action === "undo") { const prev = undo.pop(); if (prev) ctx.putImageData(prev, 0, 0); measure(); }
    if (action === "clear") { snapshot(); ctx.clearRect(0, 0, canvas.width, canvas.height); measure(); }
    if (action === "invert") { snapshot(); binarise(true); measure(); }
    if (action === "fit") fit();
    if (action === "zoom-in") zoomBy(1.25);
    if (action === "zoom-out") zoomBy(0.8);
  }
  function setTool(name) {
    tool = name;
    editor.querySelectorAll("[data-tool]").forEach((b) => b.setAttribute("aria-pressed", String(b.dataset.tool === name)));
    canvas.dataset.tool = name;
  }
  editor.querySelector("[data-toolbar]").addEventListener("click", (event) => {
    const b = event.target.closest("button");
    if (!b) return;
    if (b.dataset.tool) setTool(b.dataset.tool);
    if (b.dataset.action) act(b.dataset.action);
  });
  sizeInput.addEventListener("input", showSize);
  document.addEventListener("keydown", (event) => {
    const typing = event.target.closest("input:not([type=range]), textarea, select");
    if (typing) return;
    if ((event.ctrlKey || event.metaKey) && event.key.toLowerCase() === "z") { event.preventDefault(); act("undo"); return; }
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    if (event.key === "b" || event.key === "B") setTool("brush");
    else if (event.key === "e" || event.key === "E") setTool("eraser");
    else if (event.key === "[" || event.key === "]") {
      const step = Math.max(1, Math.round(Number(sizeInput.value) * 0.15));
      sizeInput.value = String(Number(sizeInput.value) + (event.key === "]" ? step : -step));
      showSize();
    }
  });

  // --- the mask file -----------------------------------------------------------------------------
  function maskBlob() {
    const out = document.createElement("canvas");
    out.width = canvas.width;
    out.height = canvas.height;
    const octx = out.getContext("2d");
    const src = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
    const mask = octx.createImageData(canvas.width, canvas.height);
    const m = mask.data;
    for (let i = 0; i < src.length; i += 4) {
      m[i] = 0; m[i + 1] = 0; m[i + 2] = 0;
      m[i + 3] = isPainted(src[i + 3]) ? 0 : 255; // alpha 0 = the area to edit
    }
    octx.putImageData(mask, 0, 0);
    return new Promise((resolve) => out.toBlob(resolve, "image/png"));
  }

  let maskReady = false;
  form.addEventListener("submit", (event) => {
    if (maskReady || painted === 0) { return; }
    event.preventDefault();
    event.stopImmediatePropagation();
    maskBlob().then((blob) => {
      const files = new DataTransfer();
      files.items.add(new File([blob], "mask.png", { type: "image/png" }));
      maskInput.files = files.files;
      maskReady = true;
      form.requestSubmit();
    });
  }, true);

  // --- reference images (GPT image models) ---------------------------------------------------------
  const refs = form.querySelector("[data-references]");
  const refInput = form.querySelector("[data-ref-input]");
  const refList = form.querySelector("[data-ref-list]");
  const refLimit = form.querySelector("[data-ref-limit]");
  const dropzone = form.querySelector("[data-dropzone]");
  const schema = JSON.parse(document.getElementById("model-schema").textContent);
  const modelSelect = form.querySelector("[name=model]");
  let chosen = [];

  function maxRefs() {
    const op = schema[modelSelect.value] && schema[modelSelect.value].operations.edit;
    return op && op.images ? op.images.max_count - 1 : 0;
  }
  function archiveCount() { return form.querySelectorAll("[name=reference_images]:checked").length; }
  function syncRefs() {
    const max = maxRefs();
    refs.hidden = max <= 0;
    refs.disabled = max <= 0;
    const room = max - archiveCount();
    if (chosen.length > room) chosen = chosen.slice(0, Math.max(0, room));
    const files = new DataTransfer();
    chosen.forEach((f) => files.items.add(f));
    refInput.files = files.files;
    refList.replaceChildren(...chosen.map((f, i) => {
      const li = document.createElement("li");
      const thumb = document.createElement("img");
      thumb.src = URL.createObjectURL(f);
      thumb.alt = "";
      const name = document.createElement("span");
      name.textContent = f.name;
      const remove = document.createElement("button");
      remove.type = "button";
      remove.className = "link";
      remove.textContent = "Remove";
      remove.setAttribute("aria-label", "Remove " + f.name);
      remove.addEventListener("click", () => { chosen.splice(i, 1); syncRefs(); });
      li.append(thumb, name, remove);
      return li;
    }));
    const used = chosen.length + archiveCount();
    refLimit.textContent = "(" + used + " of up to " + max + " besides the picture you edit)";
    form.querySelectorAll("[name=reference_images]").forEach((box) => { box.disabled = !box.checked && used >= max; });
  }
  function addFiles(list) {
    const images = [...list].filter((f) => /^image\/(png|jpeg|webp)$/.test(f.type));
    chosen = chosen.concat(images);
    syncRefs();
  }
  if (refs) {
    refInput.addEventListener("change", () => { chosen = [...refInput.files]; syncRefs(); });
    ["dragenter", "dragover"].forEach((t) => dropzone.addEventListener(t, (e) => { e.preventDefault(); dropzone.classList.add("over"); }));
    ["dragleave", "drop"].forEach((t) => dropzone.addEventListener(t, () => dropzone.classList.remove("over")));
    dropzone.addEventListener("drop", (e) => { e.preventDefault(); addFiles(e.dataTransfer.files); });
    form.addEventListener("change", (e) => { if (e.target === modelSelect || e.target.name === "reference_images") syncRefs(); });
    syncRefs();
  }

  if (img.complete && img.naturalWidth) setup(); else img.addEventListener("load", setup, { once: true });
})();
