// Progressive enhancement only: every page works without this file. Loaded as a module (never inline, so the
// Content-Security-Policy needs no 'unsafe-inline'); browsers too old for modules never run it and keep the
// plain HTML behaviour, which is what GOV.UK Frontend's `govuk-frontend-supported` class expresses.
import { initAll as initGovuk } from '/assets/govuk-frontend.min.js'
import { initAll as initMoj } from '/assets/moj-frontend.min.js'

document.body.classList.add('js-enabled', 'govuk-frontend-supported')
initGovuk()
initMoj()
