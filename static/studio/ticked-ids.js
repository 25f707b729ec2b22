// A form marked data-takes-ticked="<form id>" sends the gallery's ticked images (the checkboxes that
// belong to that other form) as its own `ids` when it is submitted: one selection, many actions.
(function () {
  "use strict";
  document.addEventListener("submit", (event) => {
    const form = event.target;
    const source = form.dataset && form.dataset.takesTicked;
    if (!source) return;
    form.querySelectorAll('input[type="hidden"][name="ids"][data-ticked]').forEach((input) => input.remove());
    document.querySelectorAll(`input[type="checkbox"][name="ids"][form="${source}"]:checked`).forEach((box) => {
      const input = document.createElement("input");
      input.type = "hidden";
      input.name = "ids";
      input.value = box.value;
      input.dataset.ticked = "";
      form.appendChild(input);
    });
  });
})();
