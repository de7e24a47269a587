// Pitlane's small same-origin script: what plain attributes cannot do (no inline script, no eval).
(function () {
  'use strict';

  // Ctrl+Enter (or Cmd+Enter) submits the form that has focus.
  document.addEventListener('keydown', function (event) {
    if (event.key !== 'Enter' || !(event.ctrlKey || event.metaKey)) return;
    var target = event.target;
    var form = target && target.closest ? target.closest('form') : null;
    if (!form || form.method.toLowerCase() === 'get') return;
    event.preventDefault();
    if (typeof form.requestSubmit === 'function') form.requestSubmit();
    else form.submit();
  });

  // Repeating rows (measurements, evidence): add from a <template>, remove in place, keep focus sensible.
  document.addEventListener('click', function (event) {
    var button = event.target && event.target.closest ? event.target.closest('[data-add-row],[data-remove-row]') : null;
    if (!button) return;
    if (button.hasAttribute('data-add-row')) {
      var container = document.getElementById(button.getAttribute('data-add-row'));
      var template = document.getElementById(button.getAttribute('data-template'));
      if (!container || !template) return;
      event.preventDefault();
      var row = template.content.firstElementChild.cloneNode(true);
      container.appendChild(row);
      // Its suggestion field (hx-get) is live only once htmx has seen it.
      if (window.htmx) window.htmx.process(row);
      var first = row.querySelector('input,select,textarea');
      if (first) first.focus();
      return;
    }
    var item = button.closest('[data-row]');
    if (!item) return;
    event.preventDefault();
    var list = item.parentElement;
    var next = item.nextElementSibling || item.previousElementSibling;
    item.remove();
    var focusTarget = next ? next.querySelector('input,select,textarea,button') : null;
    if (!focusTarget && list) {
      var adder = document.querySelector('[data-add-row="' + list.id + '"]');
      focusTarget = adder;
    }
    if (focusTarget) focusTarget.focus();
  });

  // A form with its JavaScript-side guard: the first submit disables the button until an answer comes.
  document.addEventListener('submit', function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement) || form.method.toLowerCase() === 'get') return;
    if (form.dataset.submitting === 'true') {
      event.preventDefault();
      return;
    }
    form.dataset.submitting = 'true';
    window.setTimeout(function () { delete form.dataset.submitting; }, 8000);
  }, true);
  document.addEventListener('htmx:after:request', function (event) {
    var form = event.target && event.target.closest ? event.target.closest('form') : null;
    if (form) delete form.dataset.submitting;
  });

  // After an htmx swap that re-rendered a form with errors, move focus to the error summary.
  document.addEventListener('htmx:after:swap', function () {
    var summary = document.getElementById('error-summary');
    if (summary) summary.focus();
  });
})();

// ==== test runs: number repeated rows (begin) ====
// Rows cloned from a <template> carry no number; after any add or remove, every row of a
// `[data-renumber]` container gets its number again, in its labels ("Measurement 2 Value") and in
// the accessible name of its remove button ("Remove measurement 2").
(function () {
  'use strict';
  function renumber(container) {
    var n = 0;
    Array.prototype.forEach.call(container.children, function (row) {
      if (!row.hasAttribute('data-row')) return;
      n += 1;
      row.querySelectorAll('[data-row-number]').forEach(function (el) { el.textContent = String(n); });
      row.querySelectorAll('[data-row-label]').forEach(function (el) {
        el.setAttribute('aria-label', el.getAttribute('data-row-label') + ' ' + n);
      });
    });
  }
  var observer = new MutationObserver(function (mutations) {
    mutations.forEach(function (m) {
      if (m.target instanceof Element && m.target.hasAttribute('data-renumber')) renumber(m.target);
    });
  });
  observer.observe(document.documentElement, { childList: true, subtree: true });
})();
// ==== test runs: number repeated rows (end) ====
