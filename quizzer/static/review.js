// The review screen: reveal, grade, undo, suspend, bury without page reloads.
// Without JavaScript the same page works through its plain links and forms.
"use strict";
(function () {
  var root = document.getElementById("review");
  if (!root) return;
  var deck = root.dataset.deck || null;
  var scale = root.dataset.scale;
  var card = JSON.parse(document.getElementById("card-data").textContent);
  var counts = JSON.parse(document.getElementById("counts-data").textContent);
  // What the queue holds, as the server last said: sent back with each call, which moves it by what
  // that call changed instead of counting the whole collection again.
  var queue = JSON.parse(document.getElementById("queue-data").textContent);
  var el = function (id) { return document.getElementById(id); };
  var busy = false, revealed = false, shownAt = performance.now(), answered = 0;
  var suggested = null, answerId = null;

  function newAnswerId() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    return Date.now().toString(36) + Math.random().toString(36).slice(2);
  }

  function api(path, body) {
    body = Object.assign({ queue: queue }, body || {});
    return window.postJson("/api/" + path + (deck ? "?deck=" + encodeURIComponent(deck) : ""), body);
  }

  function setHidden(node, hidden) { if (hidden) node.setAttribute("hidden", ""); else node.removeAttribute("hidden"); }

  function renderCounts() {
    el("counts").innerHTML = "";
    [["new", "New"], ["due", "Due"], ["relearn", "Again today"]].forEach(function (pair, i) {
      if (i) el("counts").appendChild(document.createTextNode(" · "));
      var span = document.createElement("span");
      span.className = pair[0]; span.title = pair[1]; span.textContent = counts[pair[0]];
      el("counts").appendChild(span);
    });
    var total = answered + counts.total;
    el("progress-bar").style.width = (total ? (100 * answered / total) : 100) + "%";
    el("progress").setAttribute("aria-valuenow", String(counts.total));
  }

  function renderChoices() {
    var list = el("choices");
    if (list) list.remove();
    if (!card.choices.length) return;
    list = document.createElement("ol");
    list.className = "choices"; list.id = "choices";
    card.choices.forEach(function (choice) {
      var li = document.createElement("li");
      var button = document.createElement("button");
      button.type = "button"; button.className = "choice"; button.dataset.number = choice.number;
      button.innerHTML = "<kbd>" + choice.number + "</kbd> <span>" + choice.html + "</span>";
      button.addEventListener("click", function () { pick(choice.number); });
      li.appendChild(button); list.appendChild(li);
    });
    el("prompt").after(list);
  }

  function renderGrades() {
    var form = el("grades");
    form.querySelectorAll("button.grade").forEach(function (b) { b.remove(); });
    card.grades.forEach(function (g, i) {
      var b = document.createElement("button");
      b.type = "button"; b.className = "grade q" + g.quality; b.dataset.quality = g.quality;
      b.innerHTML = '<span class="label"></span><span class="ivl"></span><span class="ease"></span><kbd></kbd>';
      b.querySelector(".label").textContent = g.label;
      b.querySelector(".ivl").textContent = g.interval_label;
      b.querySelector(".ease").textContent = g.easiness_label;
      b.querySelector("kbd").textContent = scale === "buttons" ? String(i + 1) : String(g.quality);
      b.addEventListener("click", function () { grade(g.quality); });
      form.appendChild(b);
    });
  }

  // Cards with accept entries (when typed answers are on): type, Enter, see the verdict and the
  // difference; the grade it suggests is preselected and the user may pick another.
  function renderTyped() {
    setHidden(el("typed-box"), !card.typed);
    setHidden(el("typed-verdict"), true);
    el("typed").value = "";
  }

  function showVerdict(given, verdict) {
    var box = el("typed-diff");
    box.innerHTML = "";
    if (!verdict.diff.length) box.textContent = given;
    verdict.diff.forEach(function (part) {
      if (part.op === "equal") { box.appendChild(document.createElement("span")).textContent = part.given; return; }
      if (part.given) box.appendChild(document.createElement("del")).textContent = part.given;
      if (part.expected) box.appendChild(document.createElement("ins")).textContent = part.expected;
    });
    el("typed-outcome").textContent = { right: "Right", near: "Almost", wrong: "Not quite" }[verdict.outcome];
    el("typed-verdict").className = "typed-verdict " + verdict.outcome;
    setHidden(el("typed-verdict"), false);
  }

  function submitTyped() {
    var given = el("typed").value;
    if (busy || revealed) return;
    if (!given.trim()) { reveal(); return; }
    busy = true;
    api("review/check", { card_id: card.id, answer: given }).then(function (verdict) {
      busy = false;
      showVerdict(given, verdict);
      suggest(verdict.suggested);
    }).catch(function (err) { busy = false; window.showToast(err.message); });
  }

  function suggest(quality) {
    suggested = quality;
    reveal();
    el("grades").querySelectorAll("button.grade").forEach(function (b) {
      b.classList.toggle("suggested", Number(b.dataset.quality) === suggested);
    });
  }

  function renderCard() {
    el("card").dataset.cardId = card.id;
    el("card").dataset.kind = card.kind;
    el("deck-name").textContent = card.deck.title;
    el("prompt").innerHTML = card.prompt_html;
    el("answer-text").innerHTML = card.answer_html;
    el("explanation").innerHTML = card.explanation_html;
    setHidden(el("explanation"), !card.explanation_html);
    el("source").querySelector("span").textContent = card.source;
    setHidden(el("source"), !card.source);
    renderChoices(); renderGrades(); renderCounts(); renderTyped();
    revealed = false; suggested = null; answerId = newAnswerId();
    setHidden(el("answer"), true); setHidden(el("grades"), true); setHidden(el("reveal"), false);
    el("announce").textContent = "";
    if (window.renderMath) window.renderMath(el("card"));
    window.focusWideCode(el("card"));
    shownAt = performance.now();
    (card.typed ? el("typed") : el("reveal")).focus({ preventScroll: true });
    playSounds(el("prompt"));
  }

  // Sounds play in turn when their side is shown, as in Anki; "r" plays the shown side's again. A
  // browser may refuse to play before the first key press or click on the page: then they wait for "r".
  function stopSounds() {
    el("card").querySelectorAll("audio").forEach(function (a) { a.onended = null; a.pause(); });
  }

  function playSounds(container) {
    stopSounds();
    var sounds = container.querySelectorAll("audio");
    (function play(i) {
      if (i >= sounds.length) return;
      sounds[i].currentTime = 0;
      sounds[i].onended = function () { play(i + 1); };
      var started = sounds[i].play();
      if (started && started.catch) started.catch(function () {});
    })(0);
  }

  function reveal() {
    if (revealed) return;
    revealed = true;
    setHidden(el("answer"), false); setHidden(el("grades"), false); setHidden(el("reveal"), true);
    setHidden(el("typed-box"), true);
    if (el("choices")) {  // revealed without a pick: still show which option was right
      el("choices").querySelectorAll("button.choice").forEach(function (b) {
        if (card.choices[Number(b.dataset.number) - 1].correct) b.classList.add("right");
        b.disabled = true;
      });
    }
    window.focusWideCode(el("answer"));
    el("announce").textContent = "Answer: " + el("answer-text").textContent.trim();
    var focusOn = el("grades").querySelector('[data-quality="' + (suggested || 4) + '"]');
    if (focusOn) focusOn.focus({ preventScroll: true });
    playSounds(el("answer-text"));
  }

  function pick(number) {
    if (revealed || !card.choices.length) return;
    var choice = card.choices[number - 1];
    if (!choice) return;
    el("choices").querySelectorAll("button.choice").forEach(function (b) {
      var c = card.choices[Number(b.dataset.number) - 1];
      if (c.correct) b.classList.add("right");
      else if (c.number === number) b.classList.add("wrong");
      b.disabled = true;
    });
    suggest(card.choice_grades[String(choice.correct)]);
  }

  function after(promise) {
    busy = true;
    return promise.then(function (data) {
      counts = data.counts;
      if (data.queue) queue = data.queue;
      if (!data.card) { window.location.assign(root.dataset.summaryUrl); return; }
      card = data.card; renderCard();
    }).catch(function (err) {
      el("announce").textContent = err.message;
      window.showToast(err.message);
    }).then(function () { busy = false; });
  }

  function grade(quality) {
    if (busy || !revealed) return;
    answered += 1;
    after(api("review/answer", {
      card_id: card.id, quality: quality, answer_id: answerId,
      time_ms: Math.round(performance.now() - shownAt),
    }));
  }

  function undo() {
    if (busy) return;
    after(api("review/undo").then(function (data) { answered = Math.max(0, answered - 1); return data; }));
  }

  function cardAction(action) {
    if (busy) return;
    after(api("cards/" + card.id + "/" + action, action === "suspend" ? { suspended: true } : {}));
    window.showToast(action === "suspend" ? "Card suspended." : "Card buried until tomorrow.");
  }

  function gradeForKey(key) {
    if (scale === "buttons") {
      var i = "1234".indexOf(key);
      return i >= 0 ? card.grades[i].quality : null;
    }
    return "012345".indexOf(key) >= 0 ? Number(key) : null;
  }

  document.addEventListener("keydown", function (e) {
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    var t = e.target.tagName;
    if (t === "INPUT" || t === "TEXTAREA" || t === "SELECT") return;
    var key = e.key;
    // Enter or Space on a focused button or link presses that one (Again, End session, ...), not the
    // page's default action. A link does not take Space natively: click it.
    if ((t === "BUTTON" || t === "A") && (key === " " || key === "Enter")) {
      if (t === "A" && key === " ") { e.preventDefault(); e.target.click(); }
      return;
    }
    if (key === " " || key === "Enter") {
      e.preventDefault();
      if (!revealed) reveal(); else grade(suggested || 4);
    } else if (!revealed && card.choices.length && /^[1-9]$/.test(key)) {
      e.preventDefault(); pick(Number(key));
    } else if (revealed && gradeForKey(key) !== null) {
      e.preventDefault(); grade(gradeForKey(key));
    } else if (key === "u") { e.preventDefault(); undo(); }
    else if (key === "s") { e.preventDefault(); cardAction("suspend"); }
    else if (key === "b") { e.preventDefault(); cardAction("bury"); }
    else if (key === "r") { e.preventDefault(); playSounds(revealed ? el("answer-text") : el("prompt")); }
  });

  // Take over the no-JS links and forms.
  el("reveal").addEventListener("click", function (e) { e.preventDefault(); reveal(); });
  el("undo").addEventListener("click", function (e) { e.preventDefault(); undo(); });
  el("suspend").addEventListener("click", function (e) { e.preventDefault(); cardAction("suspend"); });
  el("bury").addEventListener("click", function (e) { e.preventDefault(); cardAction("bury"); });
  el("grades").addEventListener("submit", function (e) { e.preventDefault(); });
  el("typed-box").addEventListener("submit", function (e) { e.preventDefault(); submitTyped(); });
  renderCard();
})();
