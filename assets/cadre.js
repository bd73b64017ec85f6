// Cadre's progressive enhancement: every page works without JavaScript; this
// file only switches on nhsuk-frontend's behaviours (the header's "More"
// menu, moving focus to an error summary, preventing double submission).
// It is a module loaded from /assets/ (the Content-Security-Policy allows no
// inline script), so the design system's inline "js-enabled" snippet is done
// here instead.  tools/embed_files.py rewrites the import below to the
// bundle's content-hashed URL.
import { initAll } from "/assets/nhsuk-frontend.min.js";

document.body.classList.add("js-enabled", "nhsuk-frontend-supported");
initAll();
