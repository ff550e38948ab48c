// Progressive enhancement only: every page works without this script. It starts the GOV.UK and
// MOJ components on the page, then this service's own behaviours.
import { initAll as initGovuk } from '/assets/govuk/govuk-frontend.min.js';
import { initAll as initMoj } from '/assets/moj/moj-frontend.min.js';
import { initAutosave } from './autosave.mjs';
import { initSessionTimeout } from './session-timeout.mjs';

initGovuk();
initMoj();
initSessionTimeout(document.querySelector('[data-module="app-session-timeout"]'));
for (const form of document.querySelectorAll('[data-module="app-autosave"]')) initAutosave(form);
