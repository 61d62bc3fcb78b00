// The import job page: poll the job's status, move the progress bar, and reload the page (which then
// shows the preview, the problems or the dashboard) once the job stops running.
"use strict";
(function () {
  var section = document.getElementById("import-job");
  if (!section) return;
  var bar = document.getElementById("import-progress"), count = document.getElementById("import-count");
  var phase = document.getElementById("import-phase");
  function poll() {
    fetch(section.dataset.statusUrl, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (r) { if (!r.ok) throw new Error(r.statusText); return r.json(); })
      .then(function (s) {
        if (!s.running) { window.location.reload(); return; }
        phase.textContent = s.label;
        section.dataset.phase = s.phase;
        if (s.total) {
          bar.max = s.total; bar.value = s.done;
          count.textContent = s.done + " of " + s.total + " notes";
        }
        setTimeout(poll, 400);
      })
      .catch(function () { setTimeout(poll, 2000); });
  }
  if (section.dataset.phase !== "cancelled") setTimeout(poll, 300);
})();
