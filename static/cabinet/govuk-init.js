// Start GOV.UK Frontend's components. base.html gives the module's address (hashed in production) in a data attribute.
const script = document.querySelector("script[data-govuk-frontend]");
const { initAll } = await import(script.dataset.govukFrontend);
initAll();
