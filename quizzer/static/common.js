// Helpers shared by every page: JSON posts with the CSRF token, a status toast, and "?" for the
// list of keyboard shortcuts.
"use strict";
window.postJson = function postJson(url, body) {
  var csrf = document.querySelector('meta[name="csrf-token"]').content;
  return fetch(url, {
    method: "POST", credentials: "same-origin",
    headers: { "Content-Type": "application/json", "X-CSRFToken": csrf, "Accept": "application/json" },
    body: JSON.stringify(body || {}),
  }).then(function (r) {
    return r.json().then(function (data) {
      if (!r.ok) throw new Error((data.error && data.error.message) || r.statusText);
      return data;
    });
  });
};

window.showToast = function showToast(message) {
  var toast = document.getElementById("toast");
  if (!toast) {
    toast = document.createElement("div"); toast.id = "toast"; toast.className = "toast";
    toast.setAttribute("role", "status"); document.body.appendChild(toast);
  }
  toast.textContent = message; toast.classList.add("show");
  clearTimeout(showToast.timer);
  showToast.timer = setTimeout(function () { toast.classList.remove("show"); }, 2400);
};

document.addEventListener("keydown", function (e) {
  var tag = e.target.tagName, list = document.getElementById("shortcuts");
  if (e.key !== "?" || e.ctrlKey || e.metaKey || e.altKey || !list || list.open) return;
  if (tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || e.target.isContentEditable) return;
  e.preventDefault();
  e.stopImmediatePropagation();
  list.showModal();
});

// A code block wider than its card scrolls; keyboard users need to reach it to scroll it.
window.focusWideCode = function focusWideCode(root) {
  (root || document).querySelectorAll(".md pre").forEach(function (pre) {
    if (pre.scrollWidth > pre.clientWidth) pre.tabIndex = 0; else pre.removeAttribute("tabindex");
  });
};
window.focusWideCode();
