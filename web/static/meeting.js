// The meeting sheet's running totals and expected cash, updated as the treasurer types.
// Plain JavaScript, no framework; the page works without it (the confirmation step
// shows the exact figures). Amounts are typed in the fund's unit (rial or toman) in
// Persian or Latin digits; totals are kept in rials.
(function () {
  "use strict";
  var form = document.getElementById("sheet");
  if (!form) { return; }
  var factor = Number(form.dataset.unitFactor) || 1;
  var price = Number(form.dataset.sharePrice) || 0;
  var before = (Number(form.dataset.cash) || 0) + (Number(form.dataset.socialCash) || 0);
  var persian = form.dataset.lang === "fa";
  var fines = JSON.parse(form.dataset.fines || "{}");
  var DIGITS = "۰۱۲۳۴۵۶۷۸۹", ARABIC = "٠١٢٣٤٥٦٧٨٩";

  function latin(text) {
    return text.replace(/[۰-۹]/g, function (d) { return String(DIGITS.indexOf(d)); })
      .replace(/[٠-٩]/g, function (d) { return String(ARABIC.indexOf(d)); });
  }

  // Rials of a typed amount, or 0 when it is not one (the server says why).
  function rials(text, isCount) {
    var clean = latin(text).replace(/[,\u066c\u060c'\s\u200c]/g, "").replace("\u066b", ".");
    if (!/^\d+(\.\d+)?$/.test(clean)) { return 0; }
    return Math.round(Number(clean) * (isCount ? 1 : factor));
  }

  // An amount in the fund's unit: rounded to the unit for reading (round), exact for an input.
  function write(amount, round) {
    var whole = Math.abs(amount) / factor;
    if (round) { whole = Math.round(whole); }
    var text = whole.toLocaleString("en-US", { maximumFractionDigits: round ? 0 : 1 });
    if (persian) {
      text = text.replace(/,/g, "٬").replace(/\./g, "٫")
        .replace(/\d/g, function (d) { return DIGITS[Number(d)]; });
    }
    return amount < 0 ? "(" + text + ")" : text;
  }

  function show(amount) { return write(amount, true); }

  // Counted minus expected, in words: "۱۲٬۰۰۰ کسری" rather than a bracketed figure; a
  // difference that rounds to nothing in the unit is none (the confirmation has the rials).
  function difference(amount) {
    if (Math.round(Math.abs(amount) / factor) === 0) { return form.dataset.even; }
    return write(Math.abs(amount), true) + " " + (amount < 0 ? form.dataset.short : form.dataset.over);
  }

  function sums() {
    var totals = { shares: 0, social: 0, repay: 0, fine: 0, loan: 0, grant: 0, income: 0, expense: 0 };
    form.querySelectorAll("[data-sum]").forEach(function (input) {
      var kind = input.dataset.sum;
      totals[kind] += kind === "shares" ? rials(input.value, true) * price : rials(input.value, false);
    });
    return totals;
  }

  function update() {
    var t = sums();
    var expected = before + t.shares + t.social + t.repay + t.fine + t.income - t.loan - t.grant - t.expense;
    var values = Object.assign({ before: before, expected: expected }, t);
    var counted = form.querySelector("[name=cash_counted]");
    values.difference = counted && counted.value.trim() ? rials(counted.value, false) - expected : null;
    form.querySelectorAll("output[data-total]").forEach(function (out) {
      var value = values[out.dataset.total];
      var isDifference = out.dataset.total === "difference";
      out.textContent = value === null ? "—" : (isDifference ? difference(value) : show(value));
      out.classList.toggle("bad", out.dataset.total === "difference" && value !== null && value !== 0);
    });
  }

  // Choosing a fine fills in the constitution's amount when none is typed yet.
  form.querySelectorAll("select[data-fine-for]").forEach(function (select) {
    select.addEventListener("change", function () {
      var amount = form.querySelector("[name='" + select.dataset.fineFor + "']");
      if (amount && !amount.value.trim() && fines[select.value]) {
        amount.value = write(fines[select.value], false);
        update();
      }
    });
  });

  document.getElementById("totals").hidden = false;
  document.getElementById("running").hidden = false;
  form.addEventListener("input", update);
  update();
})();
