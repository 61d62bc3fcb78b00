// Quiz questions: answer, overrule a near miss, grade yourself, all without reloading the page.
// Keys: 1-9 pick an option, Enter submits / goes on, o overrules a near miss, 1-4 self-grade,
// Space reveals in a mock interview, t jumps to the notes. Without JavaScript the forms still work.
"use strict";
(function () {
  var root = document.getElementById("quiz");
  if (!root) return;
  var mode = root.dataset.mode;
  var limit = Number(root.dataset.limit);
  var el = function (id) { return document.getElementById(id); };
  var answered = root.dataset.answered === "true";
  var pending = !el("overrule-form").hidden ? "overrule" : (!el("grade-form").hidden ? "grade" : null);
  var busy = false, shownAt = performance.now(), timer = null, timeUpSaid = false;

  var api = window.postJson;

  function setHidden(node, hidden) {
    if (hidden) node.setAttribute("hidden", ""); else node.removeAttribute("hidden");
  }

  function say(message) { el("announce").textContent = message; }

  function clock(seconds) {
    var s = Math.abs(seconds);
    return (seconds < 0 ? "+" : "") + Math.floor(s / 60) + ":" + String(s % 60).padStart(2, "0");
  }

  function tick() {
    var left = limit - Math.floor((performance.now() - shownAt) / 1000);
    var node = el("timer");
    node.textContent = clock(left);
    node.classList.toggle("low", left >= 0 && left <= 10);
    node.classList.toggle("over", left < 0);
    if (left <= 0 && !timeUpSaid) { timeUpSaid = true; say("Time is up."); }
  }

  function diffNodes(parts) {
    var box = el("diff-parts");
    box.textContent = "";
    parts.forEach(function (part) {
      if (part.op === "equal") { box.appendChild(document.createTextNode(part.given)); return; }
      [["del", part.given], ["ins", part.expected]].forEach(function (pair) {
        if (!pair[1]) return;
        var node = document.createElement(pair[0]);
        node.textContent = pair[1];
        box.appendChild(node);
      });
    });
  }

  function markChoices(fb) {
    document.querySelectorAll("#choices button.choice").forEach(function (b) {
      var n = Number(b.dataset.number);
      b.classList.toggle("right", n === fb.right_option);
      b.classList.toggle("wrong", n === fb.chosen_option && n !== fb.right_option);
      b.disabled = true;
    });
  }

  function focusNext() {
    if (pending === "overrule") el("overrule-no").focus();
    else if (pending === "grade") el("feedback").focus();
    else el("next").focus();
  }

  function render(q) {
    var fb = q.feedback;
    answered = true; pending = fb.pending;
    clearInterval(timer);
    setHidden(el("timer"), true);
    if (mode === "choice") markChoices(fb);
    var input = el("answer");
    if (input) { input.disabled = true; }
    ["submit-answer", "reveal"].forEach(function (id) { if (el(id)) setHidden(el(id), true); });
    el("verdict").textContent = fb.verdict;
    el("verdict").dataset.outcome = fb.outcome;
    diffNodes(fb.diff);
    setHidden(el("diff"), !fb.diff.length);
    el("expected").innerHTML = fb.expected_html;
    setHidden(el("expected-line"), mode !== "typed" || !fb.expected_html);
    el("model-answer").innerHTML = fb.answer_html;
    el("explanation").innerHTML = fb.explanation_html;
    setHidden(el("explanation"), !fb.explanation_html);
    setHidden(el("feedback"), false);
    setHidden(el("overrule-form"), pending !== "overrule");
    setHidden(el("grade-form"), pending !== "grade");
    setHidden(el("next-wrap"), !!pending);
    if (window.renderMath) window.renderMath(el("feedback"));
    window.focusWideCode(el("feedback"));
    say(fb.verdict + ". " + el("model-answer").textContent.trim());
    focusNext();
  }

  function send(path, body) {
    if (busy) return Promise.reject(new Error("busy"));
    busy = true;
    return api(root.dataset.api + path, body).finally(function () { busy = false; });
  }

  function fail(err) { if (err.message !== "busy") { say(err.message); window.showToast(err.message); } }

  function submitAnswer(choice) {
    if (answered) return;
    var body = { answer_id: document.querySelector('#answer-form [name="answer_id"]').value,
                 time_ms: Math.round(performance.now() - shownAt) };
    if (mode === "choice") body.choice = choice; else body.answer = el("answer").value;
    send("/answer", body).then(render).catch(fail);
  }

  function goNext() {
    var next = el("next");
    if (next.tagName === "A") { window.location.assign(next.href); return; }
    api(root.dataset.finishApi).then(function () {
      window.location.assign(root.dataset.resultUrl);
    }).catch(fail);
  }

  function decide(overrule) {
    if (pending !== "overrule") return;
    send("/overrule", { overrule: overrule }).then(goNext).catch(fail);
  }

  function grade(value) {
    if (pending !== "grade") return;
    send("/grade", { self_grade: value }).then(goNext).catch(fail);
  }

  function onKey(e) {
    var tag = e.target.tagName, key = e.key;
    if (tag === "TEXTAREA") {
      if (key === "Enter" && (e.ctrlKey || e.metaKey)) { e.preventDefault(); submitAnswer(); }
      else if (key === "Escape") e.target.blur();
      return;
    }
    if (e.ctrlKey || e.metaKey || e.altKey || tag === "INPUT" || tag === "SELECT") return;
    var native = (tag === "BUTTON" || tag === "A") && (key === "Enter" || key === " ");
    if (!answered) {
      if (mode === "choice" && /^[1-9]$/.test(key) && el("choices").children[Number(key) - 1]) {
        e.preventDefault(); submitAnswer(Number(key));
      } else if (mode === "interview" && (key === " " || key === "Enter") && !native) {
        e.preventDefault(); submitAnswer();
      } else if (mode === "interview" && key === "t") { e.preventDefault(); el("answer").focus(); }
      else if (mode === "typed" && key === "Enter") { e.preventDefault(); el("answer").focus(); }
      return;
    }
    if (pending === "overrule" && key === "o") { e.preventDefault(); decide(true); }
    else if (pending === "overrule" && key === "Enter" && !native) { e.preventDefault(); decide(false); }
    else if (pending === "grade" && /^[1-4]$/.test(key)) { e.preventDefault(); grade(Number(key) - 1); }
    else if (!pending && (key === "Enter" || key === " ") && !native) { e.preventDefault(); goNext(); }
  }

  // Take over the no-JS forms; the buttons that submitted them say what was chosen.
  el("answer-form").addEventListener("submit", function (e) {
    e.preventDefault();
    submitAnswer(e.submitter && e.submitter.name === "choice" ? Number(e.submitter.value) : undefined);
  });
  el("overrule-form").addEventListener("submit", function (e) {
    e.preventDefault(); decide(!!e.submitter && e.submitter.value === "1");
  });
  el("grade-form").addEventListener("submit", function (e) {
    e.preventDefault(); if (e.submitter) grade(Number(e.submitter.value));
  });
  el("next").addEventListener("click", function (e) { e.preventDefault(); goNext(); });
  el("feedback").setAttribute("tabindex", "-1");
  document.addEventListener("keydown", onKey);
  if (answered) focusNext();
  else { tick(); timer = setInterval(tick, 250); }
})();
