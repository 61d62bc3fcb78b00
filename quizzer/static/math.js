// Draw TeX in .math.inline / .math.block elements with the vendored KaTeX (no CDN).
"use strict";
window.renderMath = function (root) {
  if (!window.katex) return;
  root.querySelectorAll(".math.inline, .math.block").forEach(function (el) {
    if (el.dataset.rendered) return;
    try {
      window.katex.render(el.textContent, el, {
        displayMode: el.classList.contains("block"), throwOnError: false,
      });
      el.dataset.rendered = "1";
    } catch (e) { /* leave the TeX source visible */ }
  });
};
document.addEventListener("DOMContentLoaded", function () { window.renderMath(document.body); });
