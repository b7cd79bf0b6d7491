// "Clear my data" reaches the server at once, even while a fit runs (Dash holds the button's callback back
// until the background fit ends) and even if the tab closes right after (keepalive). The Dash callback
// still runs afterwards and redraws the page; the server's copy is already gone by then.
document.addEventListener("click", function (event) {
  if (!event.target.closest || !event.target.closest("#data-clear-button")) { return; }
  var token = null;
  try { token = JSON.parse(window.sessionStorage.getItem("app-session-store")); } catch (e) { token = null; }
  if (typeof token !== "string") { return; }
  fetch("/_mmm/clear", {
    method: "POST",
    keepalive: true,
    headers: {"Content-Type": "application/json"},
    body: JSON.stringify({token: token})
  }).catch(function () {});
}, true);
