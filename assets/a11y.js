// Accessibility fixes for third-party components that take no ARIA props (dash 4.4's dcc, dbc 2.0.4). Each fix
// sets (or drops) attributes the component renders wrong or not at all; React leaves them so, because the props
// it rendered them from do not change, and a MutationObserver applies the fixes to anything newly drawn.
// tests/browser/test_accessibility.py runs axe-core over every tab to keep them needed and working.
(function () {
  "use strict";

  function set(element, name, value) {
    if (element.getAttribute(name) !== value) { element.setAttribute(name, value); }
  }

  // dbc.Tabs renders its links without an event key (dbc-team/dash-bootstrap-components#891): every link has
  // the id "...-tab-null", points aria-controls at a pane that does not exist and has tabindex -1, so the tabs
  // cannot be reached from the keyboard. Link i controls pane i; the active one is selected and focusable.
  function fixTabs() {
    document.querySelectorAll(".nav[role=tablist]").forEach(function (list) {
      var content = list.nextElementSibling;
      if (!content || !content.classList.contains("tab-content")) { return; }
      var panes = Array.prototype.filter.call(content.children, function (pane) {
        return pane.getAttribute("role") === "tabpanel";
      });
      list.querySelectorAll(":scope > .nav-item > [role=tab]").forEach(function (link, i) {
        var pane = panes[i];
        if (!pane) { return; }
        var active = link.classList.contains("active");
        set(link, "id", pane.getAttribute("aria-labelledby"));
        set(link, "aria-controls", pane.id);
        set(link, "aria-selected", String(active));
        set(link, "tabindex", active ? "0" : "-1");
      });
    });
  }

  // Arrow keys, Home and End move between tabs and open the one reached (the WAI-ARIA tabs pattern).
  document.addEventListener("keydown", function (event) {
    var tab = event.target.closest && event.target.closest("[role=tab]");
    var list = tab && tab.closest("[role=tablist]");
    if (!list) { return; }
    var tabs = Array.prototype.slice.call(list.querySelectorAll("[role=tab]:not(.disabled)"));
    var at = tabs.indexOf(tab), to = {ArrowLeft: at - 1, ArrowRight: at + 1, Home: 0, End: tabs.length - 1}[event.key];
    if (to === undefined || at < 0) { return; }
    event.preventDefault();
    var next = tabs[(to + tabs.length) % tabs.length];
    next.focus();
    next.click();
  });

  // dcc.Dropdown names its button by its values (aria-labelledby), not by its <label>: the field's name is not
  // announced, and axe finds the visible text (values cut off by the width, run into the count) not in the
  // name. With a <label>, the label names the button and the values and count describe it, as for a select.
  // The input before the button is a Safari focus proxy (plotly/dash#3740): in the tab order but aria-hidden;
  // it hands focus to the button at once, so it gets the same name and stays visible to assistive technology.
  function fixDropdowns() {
    document.querySelectorAll(".dash-dropdown-wrapper > button.dash-dropdown[id]").forEach(function (button) {
      var label = document.querySelector("label[for=\"" + CSS.escape(button.id) + "\"]");
      if (!label) { return; }
      if (!label.id) { label.id = button.id + "-label"; }
      button.removeAttribute("aria-labelledby");
      set(button, "aria-describedby", button.id + "-value " + button.id + "-value-count");
      var proxy = button.previousElementSibling;
      if (proxy && proxy.classList.contains("dash-dropdown-focus-target")) {
        proxy.removeAttribute("aria-hidden");
        set(proxy, "aria-labelledby", label.id);
      }
    });
  }

  // The widget inside a wrapper from dashboard/ui.py's `named` (a slider's thumb and number box, a progress
  // bar, a file input) takes the wrapper's name.
  function nameWrapped() {
    document.querySelectorAll("[data-a11y-name]").forEach(function (wrapper) {
      var name = wrapper.getAttribute("data-a11y-name");
      wrapper.querySelectorAll("[role=slider], [role=progressbar], input").forEach(function (widget) {
        set(widget, "aria-label", name);
      });
    });
  }

  var queued = false;
  function fixSoon() {
    if (queued) { return; }
    queued = true;
    window.requestAnimationFrame(function () {
      queued = false;
      fixTabs();
      fixDropdowns();
      nameWrapped();
    });
  }
  // New elements, and a tab link's "active" class moving.
  new MutationObserver(fixSoon).observe(document.documentElement, {
    childList: true, subtree: true, attributes: true, attributeFilter: ["class"]
  });
  fixSoon();
})();
