// Greenroom's progressive enhancement. Every page works without it; this
// file only adds conveniences. No inline handlers: the CSP forbids them.
(function () {
  "use strict";

  // "/" focuses the search box from anywhere (unless typing in a field).
  document.addEventListener("keydown", function (event) {
    if (event.key !== "/" || event.ctrlKey || event.metaKey || event.altKey) return;
    var target = event.target;
    var tag = target && target.tagName;
    if (tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || (target && target.isContentEditable)) return;
    var search = document.getElementById("site-search");
    if (search) {
      event.preventDefault();
      search.focus();
      search.select();
    }
  });

  // Filter forms marked data-autosubmit submit when a select changes, so
  // the URL (and the back button) follows every filter change.
  document.querySelectorAll("form[data-autosubmit]").forEach(function (form) {
    form.addEventListener("change", function (event) {
      if (event.target && event.target.tagName === "SELECT") form.requestSubmit();
    });
  });

  // A page restored from the back-forward cache still shows the choices
  // made just before leaving it; show the filters its URL applies instead.
  window.addEventListener("pageshow", function (event) {
    if (!event.persisted) return;
    document.querySelectorAll("form[data-autosubmit]").forEach(function (form) {
      form.reset();
    });
  });

  // Forms whose submit buttons carry data-confirm ask first (unregister).
  document.querySelectorAll("[data-confirm]").forEach(function (button) {
    button.addEventListener("click", function (event) {
      if (!window.confirm(button.getAttribute("data-confirm"))) event.preventDefault();
    });
  });
})();
