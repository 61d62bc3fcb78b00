// A short status message at the bottom of the screen, announced to screen readers.
"use strict";
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
