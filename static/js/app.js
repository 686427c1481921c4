/* PolicyHub: small progressive enhancements. Every page works without this file.
 *
 *  - slug autofill from a title ([data-slug-source] → [data-slug-target]) while the slug is untouched
 *  - a warning before leaving a form with unsaved changes ([data-warn-unsaved])
 *  - previous/next change navigation on comparison pages ([data-change-nav]; keys j/k and n/p)
 *  - confirm() before dangerous actions ([data-confirm] on a submit button or a link)
 *  - colour preview for party colours ([data-colour-input] → element with that id)
 *  - copy-to-clipboard buttons ([data-copy] = selector of the element whose text to copy)
 */
(function () {
  "use strict";

  function $all(selector, root) {
    return Array.prototype.slice.call((root || document).querySelectorAll(selector));
  }

  /* Slug autofill ------------------------------------------------------------------------------------ */
  function slugify(text) {
    return text
      .normalize("NFKD")
      .replace(/[\u0300-\u036f]/g, "")
      .toLowerCase()
      .replace(/&/g, " and ")
      .replace(/[^a-z0-9]+/g, "-")
      .replace(/^-+|-+$/g, "")
      .slice(0, 80)
      .replace(/-+$/g, "");
  }

  $all("form").forEach(function (form) {
    var source = form.querySelector("[data-slug-source]");
    var target = form.querySelector("[data-slug-target]");
    if (!source || !target) return;
    // Untouched = empty, or exactly what we would have generated (e.g. after a failed submit).
    var touched = target.value !== "" && target.value !== slugify(source.value);
    target.addEventListener("input", function () {
      touched = target.value !== "";
    });
    source.addEventListener("input", function () {
      if (!touched) target.value = slugify(source.value);
    });
  });

  /* Unsaved changes ---------------------------------------------------------------------------------- */
  var dirtyForms = [];

  function snapshot(form) {
    return $all("input, textarea, select", form)
      .filter(function (el) { return el.type !== "hidden" && el.type !== "submit" && el.name; })
      .map(function (el) { return el.type === "checkbox" || el.type === "radio" ? String(el.checked) : el.value; })
      .join("\u0000");
  }

  $all("form[data-warn-unsaved]").forEach(function (form) {
    var initial = form.hasAttribute("data-start-dirty") ? null : snapshot(form);
    var state = { form: form, submitting: false, isDirty: function () {
      return !state.submitting && (initial === null || snapshot(form) !== initial);
    } };
    form.addEventListener("submit", function () { state.submitting = true; });
    dirtyForms.push(state);
  });

  if (dirtyForms.length) {
    window.addEventListener("beforeunload", function (event) {
      var dirty = dirtyForms.some(function (state) { return state.isDirty(); });
      if (dirty) {
        event.preventDefault();
        event.returnValue = "";  // older browsers need this to show their dialog
        return "";
      }
      return undefined;
    });
    // A page restored from the back/forward cache may come back after a submit: reset.
    window.addEventListener("pageshow", function () {
      dirtyForms.forEach(function (state) { state.submitting = false; });
    });
  }

  /* Confirmations ------------------------------------------------------------------------------------ */
  document.addEventListener("submit", function (event) {
    var submitter = event.submitter;
    var message = (submitter && submitter.getAttribute("data-confirm")) || event.target.getAttribute("data-confirm");
    if (message && !window.confirm(message)) {
      event.preventDefault();
      dirtyForms.forEach(function (state) { if (state.form === event.target) state.submitting = false; });
    }
  }, true);

  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("a[data-confirm]");
    if (!link) return;
    if (!window.confirm(link.getAttribute("data-confirm"))) {
      event.preventDefault();
    } else {
      // The person chose to leave: do not ask a second time.
      dirtyForms.forEach(function (state) { state.submitting = true; });
    }
  });

  /* Previous / next change --------------------------------------------------------------------------- */
  var nav = document.querySelector("[data-change-nav]");
  if (nav) {
    var changes = $all('[id^="change-"]').filter(function (el) {
      return /^change-\d+$/.test(el.id);
    });
    // One stop per change number, in document order.
    var seen = {};
    changes = changes.filter(function (el) {
      if (seen[el.id]) return false;
      seen[el.id] = true;
      return true;
    });

    if (changes.length) {
      var current = -1;
      var hash = window.location.hash.slice(1);
      changes.forEach(function (el, i) { if (el.id === hash) current = i; });

      var buttons = document.createElement("div");
      buttons.className = "change-nav__buttons";
      var prev = document.createElement("button");
      prev.type = "button";
      prev.className = "button button--small";
      prev.textContent = "‹ Previous change";
      var next = document.createElement("button");
      next.type = "button";
      next.className = "button button--small";
      next.textContent = "Next change ›";
      var position = document.createElement("span");
      position.className = "change-nav__position";
      position.setAttribute("aria-live", "polite");
      var keys = document.createElement("span");
      keys.className = "change-nav__keys";
      keys.appendChild(document.createTextNode("Keys: "));
      ["j", "k"].forEach(function (key, i) {
        var kbd = document.createElement("kbd");
        kbd.textContent = key;
        keys.appendChild(kbd);
        if (i === 0) keys.appendChild(document.createTextNode(" / "));
      });
      buttons.appendChild(prev);
      buttons.appendChild(next);
      buttons.appendChild(position);
      buttons.appendChild(keys);
      nav.insertBefore(buttons, nav.firstChild);

      var reduceMotion = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;

      var update = function () {
        prev.disabled = current <= 0;
        next.disabled = current >= changes.length - 1;
        var total = nav.getAttribute("data-change-count") || String(changes.length);
        position.textContent = current < 0
          ? ""
          : "Change " + changes[current].id.slice("change-".length) + " of " + total;
      };

      var go = function (index) {
        if (index < 0 || index >= changes.length) return;
        if (current >= 0) changes[current].classList.remove("is-current-change");
        current = index;
        var el = changes[current];
        // A change inside a folded run of unchanged rows: open it first.
        var fold = el.closest("details");
        if (fold && !fold.open) fold.open = true;
        el.classList.add("is-current-change");
        if (!el.hasAttribute("tabindex")) el.setAttribute("tabindex", "-1");
        el.scrollIntoView({ block: "center", behavior: reduceMotion ? "auto" : "smooth" });
        el.focus({ preventScroll: true });
        if (window.history.replaceState) window.history.replaceState(null, "", "#" + el.id);
        update();
      };

      prev.addEventListener("click", function () { go(current - 1); });
      next.addEventListener("click", function () { go(current + 1); });

      document.addEventListener("keydown", function (event) {
        if (event.defaultPrevented || event.altKey || event.ctrlKey || event.metaKey) return;
        var t = event.target;
        if (t && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName))) return;
        if (event.key === "j" || event.key === "n") { event.preventDefault(); go(current + 1); }
        else if (event.key === "k" || event.key === "p") { event.preventDefault(); go(current < 0 ? 0 : current - 1); }
      });

      $all("a", nav).forEach(function (a) {
        var id = (a.getAttribute("href") || "").slice(1);
        changes.forEach(function (el, i) {
          if (el.id === id) a.addEventListener("click", function (event) { event.preventDefault(); go(i); });
        });
      });

      update();
    }
  }

  /* Colour preview ----------------------------------------------------------------------------------- */
  $all("[data-colour-input]").forEach(function (input) {
    var preview = document.getElementById(input.getAttribute("data-colour-input"));
    if (!preview) return;
    var show = function () {
      var value = input.value.trim();
      if (/^#[0-9a-fA-F]{6}$/.test(value)) {
        // CSSOM, not a style attribute: allowed under the Content-Security-Policy.
        preview.style.setProperty("--party", value);
        preview.hidden = false;
      } else if (!preview.className.match(/party-/)) {
        preview.hidden = true;
      } else {
        preview.style.removeProperty("--party");
      }
    };
    input.addEventListener("input", show);
    show();
  });

  /* Copy buttons ------------------------------------------------------------------------------------- */
  $all("[data-copy]").forEach(function (button) {
    var source = document.querySelector(button.getAttribute("data-copy"));
    if (!source || !navigator.clipboard) return;
    button.hidden = false;
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(source.textContent.trim()).then(function () {
        button.textContent = "Copied";
        window.setTimeout(function () { button.textContent = "Copy"; }, 2000);
      }, function () {
        button.textContent = "Select and copy it by hand";
      });
    });
  });
})();
