// Destructive actions ask first. Their control is a GET form with data-confirm="question" (and
// data-confirm-detail, data-confirm-button): without JS it opens the confirm page, whose button POSTs.
// With JS the same question opens in base.html's <dialog>, whose form POSTs to the same URL.
// Also: inputs with data-select-on-focus select their text when focused (share links).
(function () {
  "use strict";
  const dialog = document.getElementById("confirm-dialog");
  document.addEventListener("submit", (event) => {
    const asking = event.target.closest("form[data-confirm]");
    if (!asking || !dialog || typeof dialog.showModal !== "function") return;
    event.preventDefault();
    const form = dialog.querySelector("form[data-confirm-target]");
    form.action = asking.action;
    form.querySelectorAll("input[data-copied]").forEach((input) => input.remove());
    asking.querySelectorAll("input[type=hidden]").forEach((input) => {
      const copy = input.cloneNode();
      copy.dataset.copied = "";
      form.append(copy);
    });
    dialog.querySelector(".dialog-question").textContent = asking.dataset.confirm;
    dialog.querySelector(".dialog-detail").textContent = asking.dataset.confirmDetail || "";
    dialog.querySelector("[data-confirm-go]").textContent = asking.dataset.confirmButton || "Confirm";
    dialog.showModal();
    dialog.querySelector("[data-confirm-cancel]").focus();
  });
  if (dialog) {
    dialog.querySelector("[data-confirm-cancel]").addEventListener("click", () => dialog.close());
  }
  document.addEventListener("focusin", (event) => {
    if (event.target.matches && event.target.matches("input[data-select-on-focus]")) event.target.select();
  });
})();
