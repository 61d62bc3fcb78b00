// Fill the sign-up form's hidden time zone with the browser's own, so "today" is the user's day.
"use strict";
document.addEventListener("DOMContentLoaded", function () {
  var field = document.getElementById("tz-guess");
  try { if (field) field.value = Intl.DateTimeFormat().resolvedOptions().timeZone || ""; } catch (e) { /* keep UTC */ }
});
