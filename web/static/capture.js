// The phone capture: running totals, steppers, undo, "same as last meeting", checks whose
// bounds come from the capture state (never a copy of the rules), and the offline queue.
// Plain JavaScript, no framework; the page works without it. A meeting saved offline sits
// in IndexedDB with its idempotency key ("waiting to send") and is posted to the JSON API
// when the network returns; the server re-plans it, and its refusals are shown on it.
(function () {
  "use strict";
  var form = document.getElementById("capture");
  if (!form) { return; }
  var FACTOR = form.dataset.unit === "toman" ? 10 : 1;
  var price = Number(form.dataset.price) || 0;
  var before = Number(form.dataset.cash) || 0;
  var fundId = form.dataset.fund;
  var persian = document.documentElement.lang === "fa";
  var DIGITS = "۰۱۲۳۴۵۶۷۸۹", ARABIC = "٠١٢٣٤٥٦٧٨٩";
  var queueBox = document.getElementById("queue");

  function latin(text) {
    return String(text).replace(/[۰-۹]/g, function (d) { return String(DIGITS.indexOf(d)); })
      .replace(/[٠-٩]/g, function (d) { return String(ARABIC.indexOf(d)); });
  }
  function count(text) { var t = latin(text).trim(); return /^\d+$/.test(t) ? Number(t) : NaN; }
  function rials(text) {
    var clean = latin(text).replace(/[,\u066c\u060c'\s\u200c]/g, "").replace("\u066b", ".");
    if (!clean) { return 0; }
    return /^\d+(\.\d+)?$/.test(clean) ? Math.round(Number(clean) * FACTOR) : NaN;
  }
  function show(amount) {
    var text = (Math.abs(amount) / FACTOR).toLocaleString("en-US", { maximumFractionDigits: 1 });
    if (persian) {
      text = text.replace(/,/g, "٬").replace(/\./g, "٫").replace(/\d/g, function (d) { return DIGITS[Number(d)]; });
    }
    return amount < 0 ? "(" + text + ")" : text;
  }
  function field(name) { return form.elements.namedItem(name); }

  // -- running totals -----------------------------------------------------------------------
  function totals() {
    var t = { shares: 0, repaid: 0, loans: 0, other: 0 };
    form.querySelectorAll("input[name$='-shares']").forEach(function (i) { t.shares += (count(i.value) || 0) * price; });
    form.querySelectorAll("input.repay").forEach(function (i) { t.repaid += rials(i.value) || 0; });
    form.querySelectorAll("input[name$='-social']").forEach(function (i) { t.other += rials(i.value) || 0; });
    form.querySelectorAll("select[name$='-fine_type']").forEach(function (s) {
      var o = s.selectedOptions[0]; t.other += o && o.dataset.amount ? Number(o.dataset.amount) : 0;
    });
    var loan = field("loan-0-amount");
    t.loans = loan && field("loan-0-borrower").value ? rials(loan.value) || 0 : 0;
    t.cash = before + t.shares + t.repaid + t.other - t.loans;
    return t;
  }
  function update() {
    var t = totals();
    form.querySelectorAll("[data-total]").forEach(function (dd) { dd.textContent = show(t[dd.dataset.total]); });
    form.querySelectorAll(".member").forEach(markChanged);
  }

  // -- rows: defaults, undo, attendance, steppers ---------------------------------------------
  var initial = {};
  function rowInputs(row) { return row.querySelectorAll("input, select"); }
  function snapshot(row) {
    var values = {};
    rowInputs(row).forEach(function (i) { values[i.name + (i.type === "radio" ? ":" + i.value : "")] = i.type === "radio" || i.type === "checkbox" ? i.checked : i.value; });
    return values;
  }
  function restore(row, values) {
    rowInputs(row).forEach(function (i) {
      var v = values[i.name + (i.type === "radio" ? ":" + i.value : "")];
      if (v === undefined) { return; }
      if (i.type === "radio" || i.type === "checkbox") { i.checked = v; } else { i.value = v; }
    });
  }
  function markChanged(row) {
    var now = snapshot(row), was = initial[row.dataset.member], changed = false;
    Object.keys(was).forEach(function (k) { if (was[k] !== now[k]) { changed = true; } });
    row.classList.toggle("changed", changed);
    row.querySelector("[data-undo]").hidden = !changed;
    var absent = row.querySelector("input[value=absent]");
    row.classList.toggle("absent-row", Boolean(absent && absent.checked));
  }
  form.querySelectorAll(".member").forEach(function (row) {
    initial[row.dataset.member] = snapshot(row);
    row.querySelector("[data-undo]").addEventListener("click", function () {
      restore(row, initial[row.dataset.member]); update();
    });
    row.querySelectorAll("input[type=radio]").forEach(function (radio) {
      radio.addEventListener("change", function () {   // the social fund and shares only if present
        var p = "m-" + row.dataset.member, social = field(p + "-social"), shares = field(p + "-shares");
        var was = initial[row.dataset.member];
        if (radio.value === "absent") {
          if (social) { social.value = ""; }
          shares.value = persian ? "۰" : "0";
        } else {
          if (social && !social.value) { social.value = was[p + "-social"] || ""; }
          if (count(shares.value) === 0) { shares.value = was[p + "-shares"]; }
        }
      });
    });
    row.querySelectorAll("[data-step]").forEach(function (button) {
      button.addEventListener("click", function () {
        var input = button.parentNode.querySelector("input");
        var next = (count(input.value) || 0) + Number(button.dataset.step);
        var value = String(Math.max(0, Math.min(Number(input.dataset.max), next)));
        input.value = persian ? value.replace(/\d/g, function (d) { return DIGITS[Number(d)]; }) : value;
        update();
      });
    });
  });
  var same = form.querySelector("[data-same]");
  if (same) {
    same.addEventListener("click", function (event) {
      event.preventDefault();
      form.querySelectorAll(".member").forEach(function (row) { restore(row, initial[row.dataset.member]); });
      update();
    });
  }

  // -- checks whose bounds come from the state; the problem list links to each field ---------
  function check() {
    var bad = [];
    function flag(input, wrong) { input.toggleAttribute("aria-invalid", wrong); if (wrong) { bad.push(input); } }
    form.querySelectorAll("input[name$='-shares']").forEach(function (i) {
      var n = count(i.value), row = i.closest(".member"), absent = row.querySelector("input[value=absent]").checked;
      flag(i, isNaN(n) || n > Number(i.dataset.max) || (!absent && n < Number(i.dataset.min)));
    });
    form.querySelectorAll("input.repay").forEach(function (i) { var a = rials(i.value); flag(i, isNaN(a) || a > Number(i.dataset.max)); });
    var borrower = field("loan-0-borrower"), amount = field("loan-0-amount");
    if (borrower && borrower.value) {
      var cap = Number(borrower.selectedOptions[0].dataset.cap), a = rials(amount.value);
      flag(amount, isNaN(a) || a <= 0 || a > cap);
    }
    return bad;
  }
  form.querySelectorAll("[data-focus]").forEach(function (link) {
    link.addEventListener("click", function (event) {
      var target = document.getElementById(link.dataset.focus);
      if (!target) { return; }
      event.preventDefault();
      var details = target.closest("details"); if (details) { details.open = true; }
      target.scrollIntoView({ block: "center" });
      (target.matches("input, select, textarea") ? target : target.querySelector("input, select, textarea") || target).focus();
    });
  });
  var problems = document.getElementById("problems");
  if (problems) { problems.focus(); }

  // -- the offline queue (IndexedDB) ----------------------------------------------------------
  function db() {
    return new Promise(function (resolve, reject) {
      var open = indexedDB.open("sandogh-capture", 1);
      open.onupgradeneeded = function () { open.result.createObjectStore("meetings", { keyPath: "key" }); };
      open.onsuccess = function () { resolve(open.result); };
      open.onerror = function () { reject(open.error); };
    });
  }
  function store(mode, work) {
    return db().then(function (d) {
      return new Promise(function (resolve, reject) {
        var tx = d.transaction("meetings", mode), result = work(tx.objectStore("meetings"));
        tx.oncomplete = function () { resolve(result && result.result); };
        tx.onerror = function () { reject(tx.error); };
      });
    });
  }
  function saved() { return store("readonly", function (s) { return s.getAll(); }).then(function (all) { return (all || []).filter(function (m) { return m.fund === fundId; }); }); }
  function put(meeting) { return store("readwrite", function (s) { return s.put(meeting); }); }
  function remove(key) { return store("readwrite", function (s) { return s.delete(key); }); }

  function jalaliToIso(text) {   // 1403/05/12 (any digits) -> 2024-08-02
    var m = latin(text).match(/^\s*(\d{4})\s*[\/\-.]\s*(\d{1,2})\s*[\/\-.]\s*(\d{1,2})\s*$/);
    if (!m) { return null; }
    var jy = Number(m[1]) + 1595, jm = Number(m[2]), jd = Number(m[3]);
    var days = -355668 + 365 * jy + Math.floor(jy / 33) * 8 + Math.floor(((jy % 33) + 3) / 4) + jd +
      (jm < 7 ? (jm - 1) * 31 : (jm - 7) * 30 + 186);
    var gy = 400 * Math.floor(days / 146097); days %= 146097;
    if (days > 36524) { gy += 100 * Math.floor(--days / 36524); days %= 36524; if (days >= 365) { days++; } }
    gy += 4 * Math.floor(days / 1461); days %= 1461;
    if (days > 365) { gy += Math.floor((days - 1) / 365); days = (days - 1) % 365; }
    var gd = days + 1, leap = (gy % 4 === 0 && gy % 100 !== 0) || gy % 400 === 0;
    var months = [0, 31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31], gm = 1;
    while (gm <= 12 && gd > months[gm]) { gd -= months[gm]; gm++; }
    return gy + "-" + String(gm).padStart(2, "0") + "-" + String(gd).padStart(2, "0");
  }

  function body() {   // the form as the API's MeetingIn: ids and rials
    var lines = [];
    form.querySelectorAll(".member").forEach(function (row) {
      var id = Number(row.dataset.member), p = "m-" + id;
      var line = { member: id, attendance: form.querySelector("input[name='" + p + "-attendance']:checked").value,
        shares: count(field(p + "-shares").value) || 0, social: field(p + "-social") ? rials(field(p + "-social").value) || 0 : 0,
        repayments: [], fines: [] };
      row.querySelectorAll("input.repay").forEach(function (i) {
        var a = rials(i.value); if (a) { line.repayments.push({ loan: Number(i.name.split("-").pop()), amount: a }); }
      });
      var fine = field(p + "-fine_type");
      if (fine && fine.value) { line.fines.push({ type: fine.value, amount: Number(fine.selectedOptions[0].dataset.amount) }); }
      lines.push(line);
    });
    var meeting = { date: jalaliToIso(field("date").value), lines: lines, new_loans: [], write_offs: [],
      cash_counted: field("cash_counted").value.trim() ? rials(field("cash_counted").value) : null,
      cash_explanation: field("cash_explanation").value };
    var borrower = field("loan-0-borrower");
    if (borrower && borrower.value) {
      var loan = { borrower: Number(borrower.value), amount: rials(field("loan-0-amount").value),
        term_months: count(field("loan-0-term").value), guarantors: [] };
      [0, 1].forEach(function (j) {
        var g = field("loan-0-g-" + j);
        if (g && g.value) { loan.guarantors.push({ member: Number(g.value), pledge: rials(field("loan-0-p-" + j).value) }); }
      });
      meeting.new_loans.push(loan);
    }
    form.querySelectorAll("input[name$='-confirm']:checked").forEach(function (box) {
      var id = box.name.split("-")[1], reason = field("writeoff-" + id + "-reason").value.trim();
      if (reason) { meeting.write_offs.push({ loan: Number(id), reason: reason }); }
    });
    return meeting;
  }
  function formValues() {
    var values = {};
    Array.prototype.forEach.call(form.elements, function (i) {
      if (!i.name || i.name === "csrf_token") { return; }
      if ((i.type === "radio" || i.type === "checkbox") && !i.checked) { return; }
      values[i.name] = i.value;
    });
    return values;
  }
  function newKey() {
    var bytes = new Uint8Array(16); crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return b.toString(16).padStart(2, "0"); }).join("");
  }

  function render() {
    return saved().then(function (meetings) {
      var list = queueBox.querySelector("ul");
      list.textContent = "";
      queueBox.hidden = meetings.length === 0;
      meetings.forEach(function (m) {
        var item = document.createElement("li");
        var state = document.createElement("span");
        state.className = "state";
        state.textContent = m.status === "refused" ? queueBox.dataset.refused : queueBox.dataset.waiting;
        item.appendChild(state);
        item.appendChild(document.createTextNode(" — " + m.values.date + " — " + m.key.slice(0, 6)));
        (m.violations || []).forEach(function (v) {
          var p = document.createElement("p"); p.className = "error"; p.textContent = v.message; item.appendChild(p);
        });
        if (m.status === "refused") {
          var fix = document.createElement("button");
          fix.type = "button"; fix.className = "secondary"; fix.textContent = queueBox.dataset.fix;
          fix.addEventListener("click", function () { reopen(m); });
          item.appendChild(fix);
        }
        list.appendChild(item);
      });
    });
  }
  function reopen(m) {   // put a refused meeting back in the form, with its key, to fix and send
    Object.keys(m.values).forEach(function (name) {
      form.querySelectorAll("[name='" + name + "']").forEach(function (i) {
        if (i.type === "radio" || i.type === "checkbox") { i.checked = i.value === m.values[name]; } else { i.value = m.values[name]; }
      });
    });
    (m.violations || []).forEach(function (v) {
      var target = v.member ? field("m-" + v.member + "-" + v.field) : field(v.field);
      if (target && target.toggleAttribute) { target.toggleAttribute("aria-invalid", true); }
    });
    remove(m.key).then(render); update();
  }
  function send(m) {
    return fetch(form.dataset.stateUrl, { credentials: "same-origin", cache: "no-store" })
      .then(function (r) { if (!r.ok) { throw new Error("state " + r.status); } return r.json(); })
      .then(function (state) {
        return fetch(form.dataset.postUrl, { method: "POST", credentials: "same-origin",
          headers: { "Content-Type": "application/json", "Idempotency-Key": m.key, "X-CSRFToken": state.csrf_token },
          body: JSON.stringify(m.body) });
      })
      .then(function (r) {
        return r.json().then(function (answer) {
          if (r.status === 200 || r.status === 201) { return remove(m.key).then(function () { return answer; }); }
          if (r.status === 422) {
            m.status = "refused"; m.violations = answer.violations || [{ message: answer.message }];
            return put(m);
          }
          throw new Error("send " + r.status);
        });
      });
  }
  var sending = false, retry = null;
  function sendAll() {
    clearTimeout(retry);
    if (sending || !navigator.onLine) { return Promise.resolve(); }
    sending = true;
    return saved().then(function (meetings) {
      return meetings.filter(function (m) { return m.status !== "refused"; })
        .reduce(function (chain, m) { return chain.then(function () { return send(m); }); }, Promise.resolve());
    }).catch(function () { retry = setTimeout(sendAll, 5000); })   // the network is not back yet
      .then(function () { sending = false; return render(); });
  }

  form.addEventListener("submit", function (event) {
    var step = event.submitter ? event.submitter.value : "review";
    if (step !== "review") { return; }
    var bad = check();   // online the server lists every problem with its message; offline only these
    if (bad.length && !navigator.onLine) {
      event.preventDefault();
      var details = bad[0].closest("details"); if (details) { details.open = true; }
      bad[0].scrollIntoView({ block: "center" }); bad[0].focus();
      return;
    }
    if (navigator.onLine) { return; }   // online: the server shows the confirmation cards
    event.preventDefault();
    var key = field("idempotency_key").value;
    put({ key: key, fund: fundId, body: body(), values: formValues(), status: "waiting", saved: Date.now() })
      .then(function () { field("idempotency_key").value = newKey(); return render(); })
      .then(function () { queueBox.scrollIntoView({ block: "start" }); });
  });
  form.addEventListener("input", update);
  form.addEventListener("change", update);
  window.addEventListener("online", sendAll);
  update();
  render().then(sendAll);
  if ("serviceWorker" in navigator) { navigator.serviceWorker.register("/sw.js", { scope: "/" }); }
})();
