// Navigating between pages: the hash names the page, app.js renders it.

// Goes to `hash` ("#/cases/ID"); renders again when it is the current one.
export function go(hash) {
  if (location.hash === hash) {
    window.dispatchEvent(new HashChangeEvent('hashchange'));
  } else {
    location.hash = hash;
  }
}

// Tells assistive technology what just happened (the page's polite live
// region).
export function announce(message) {
  const el = document.getElementById('announce');
  if (el) {
    el.textContent = '';
    setTimeout(() => { el.textContent = message; }, 50);
  }
}
