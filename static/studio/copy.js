// Copy buttons on any page: <button data-copy="#id-of-text"> copies that element's text,
// <button data-copy-text="..."> copies the attribute; <input data-select-on-focus> selects its text when
// focused (instead of an inline onfocus=, which the Content Security Policy forbids). Loaded by base.html.
(function () {
  "use strict";
  document.addEventListener("click", (event) => {
    const button = event.target.closest("[data-copy], [data-copy-text]");
    if (!button) return;
    const source = button.dataset.copy ? document.querySelector(button.dataset.copy) : null;
    const text = button.dataset.copyText !== undefined ? button.dataset.copyText : (source ? source.textContent.trim() : "");
    const done = () => {
      const label = button.textContent;
      button.textContent = "Copied";
      setTimeout(() => { button.textContent = label; }, 1500);
    };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(done, () => {});
    } else {
      const area = document.createElement("textarea");
      area.value = text; document.body.append(area); area.select();
      try { document.execCommand("copy"); done(); } finally { area.remove(); }
    }
  });
  document.addEventListener("focusin", (event) => {
    if (event.target.matches && event.target.matches("[data-select-on-focus]")) event.target.select();
  });
})();
