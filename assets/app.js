// Our behaviour on top of GOV.UK Frontend's: the follow-up filters fold behind a button on a phone, and an error
// summary that htmx swaps in takes the focus as one in a full page does.
import { createAll, ErrorSummary } from "./govuk-frontend.min.js";

const phone = window.matchMedia("(max-width: 40.0525em)"); // GOV.UK's govuk-media-query($until: tablet)

function foldFilters(root) {
  const toggle = root.querySelector(".app-filter__toggle");
  const panel = root.querySelector(".app-filter__panel");
  const showText = toggle.textContent;
  let open = false;
  const render = () => {
    // A filter in error stays in view: its message is in the panel.
    const shown = !phone.matches || open || panel.querySelector(".govuk-error-summary") !== null;
    toggle.hidden = !phone.matches;
    panel.hidden = !shown;
    toggle.setAttribute("aria-expanded", String(shown));
    toggle.textContent = shown ? toggle.dataset.hideText : showText;
  };
  toggle.addEventListener("click", () => {
    open = panel.hidden;
    render();
  });
  phone.addEventListener("change", render);
  render();
  return render;
}

const filters = Array.from(document.querySelectorAll('[data-module="app-filter"]'), foldFilters);

document.body.addEventListener("htmx:afterSettle", () => {
  filters.forEach((render) => render());
  // initAll ran once at page load; a summary swapped in since is new, and focuses itself when set up.
  createAll(ErrorSummary, undefined, { onError() {} });
});
