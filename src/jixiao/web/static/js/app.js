/* Behaviours every page may use (no inline handlers: the Content-Security-Policy forbids them).
   - <form data-confirm="…">: asks before submitting (disabling a user, revoking a token);
   - <button data-print>: prints the page (the print stylesheet leaves out menus and buttons);
   - <input type="file" data-max-bytes="N" data-max-label="20 MB">: a file over the limit is refused
     here, with the form kept as it was, instead of being sent and refused by the server. */
(function () {
  "use strict";
  document.addEventListener("submit", function (evt) {
    var form = evt.target;
    if (!form || !form.getAttribute) { return; }
    var question = form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) { evt.preventDefault(); return; }
    var inputs = form.querySelectorAll("input[type=file][data-max-bytes]");
    for (var i = 0; i < inputs.length; i++) {
      var input = inputs[i], limit = Number(input.getAttribute("data-max-bytes"));
      var file = input.files && input.files[0];
      if (file && limit && file.size > limit) {
        evt.preventDefault();
        var note = form.querySelector(".upload-too-large");
        if (!note) {
          note = document.createElement("p");
          note.className = "flash flash-error upload-too-large";
          note.setAttribute("role", "alert");
          form.appendChild(note);
        }
        note.textContent = "文件“" + file.name + "”太大（" + (file.size / 1048576).toFixed(1) + " MB），上限为 " +
          (input.getAttribute("data-max-label") || (limit / 1048576).toFixed(0) + " MB") + "：请压缩或拆分后再上传。";
        return;
      }
    }
  }, true);
  document.addEventListener("click", function (evt) {
    var el = evt.target && evt.target.closest ? evt.target.closest("[data-print]") : null;
    if (el) { evt.preventDefault(); window.print(); }
  });
})();
