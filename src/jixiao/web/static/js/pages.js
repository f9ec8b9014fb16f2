/* Small behaviours of the pages (no inline handlers: the Content-Security-Policy forbids them).
   - <select data-autosubmit> submits its form when changed (the rule-set picker). */
(function () {
  "use strict";
  document.addEventListener("change", function (evt) {
    var el = evt.target;
    if (el && el.matches && el.matches("select[data-autosubmit]") && el.form) { el.form.submit(); }
  });
})();
