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

  // Relationship graphs: pointing at a node lights up its edges and
  // neighbours and dims the rest.
  document.querySelectorAll("svg.graph").forEach(function (svg) {
    function light(index) {
      svg.classList.add("graph-focus");
      svg.querySelectorAll(".edge").forEach(function (edge) {
        var from = edge.getAttribute("data-from");
        var to = edge.getAttribute("data-to");
        var lit = from === index || to === index;
        edge.classList.toggle("is-lit", lit);
        if (lit) {
          var other = from === index ? to : from;
          var node = svg.querySelector('[data-node="' + other + '"]');
          if (node) node.classList.add("is-lit");
        }
      });
      var self = svg.querySelector('[data-node="' + index + '"]');
      if (self) self.classList.add("is-lit");
    }
    function clear() {
      svg.classList.remove("graph-focus");
      svg.querySelectorAll(".is-lit").forEach(function (el) { el.classList.remove("is-lit"); });
    }
    svg.querySelectorAll("[data-node]").forEach(function (node) {
      node.addEventListener("mouseenter", function () { clear(); light(node.getAttribute("data-node")); });
      node.addEventListener("mouseleave", clear);
    });
  });

  // A graph larger than its box opens scrolled to the entity it is about.
  document.querySelectorAll(".graph-scroll").forEach(function (box) {
    var root = box.querySelector(".node-root .node-box");
    if (!root) return;
    if (box.scrollWidth <= box.clientWidth && box.scrollHeight <= box.clientHeight) return;
    var x = parseFloat(root.getAttribute("x")) + parseFloat(root.getAttribute("width")) / 2;
    var y = parseFloat(root.getAttribute("y"));
    box.scrollLeft = Math.max(0, x - box.clientWidth / 2);
    box.scrollTop = Math.max(0, y - box.clientHeight / 3);
  });

  // Forms whose submit buttons carry data-confirm ask first (unregister).
  document.querySelectorAll("[data-confirm]").forEach(function (button) {
    button.addEventListener("click", function (event) {
      if (!window.confirm(button.getAttribute("data-confirm"))) event.preventDefault();
    });
  });
})();
