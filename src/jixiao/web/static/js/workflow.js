/* The workflow's small behaviours (no inline handlers: the Content-Security-Policy forbids them).
   - a button with data-confirm asks before its form is sent;
   - "再加一条逐项意见" adds an item row to the return form (without script the form has three). */
(function () {
  "use strict";
  document.addEventListener("click", function (evt) {
    var button = evt.target && evt.target.closest ? evt.target.closest("button[data-confirm]") : null;
    if (button && !window.confirm(button.getAttribute("data-confirm"))) { evt.preventDefault(); }
  });
  var add = document.getElementById("add-item");
  var template = document.getElementById("item-row-template");
  if (add && template) {
    add.hidden = false;
    add.addEventListener("click", function () {
      var n = parseInt(add.getAttribute("data-rows"), 10) + 1;
      if (n > 50) { add.disabled = true; return; }
      add.setAttribute("data-rows", String(n));
      var holder = document.createElement("div");
      holder.innerHTML = template.innerHTML.split("__N__").join(String(n));
      add.parentNode.insertBefore(holder.firstElementChild, add);
    });
  }
})();
