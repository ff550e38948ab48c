// Autosave for the assessment forms (progressive enhancement: without it the Save buttons do
// the same). A couple of seconds after the last change, and before the user leaves the page,
// the form is posted in the background with the version it was opened at (If-Match) and the
// CSRF token (X-CSRF-Token); the server answers with the new version and "Saved at 14:02",
// read out by a polite live region. If the assessment changed meanwhile the server refuses
// (409): nothing is overwritten, autosave stops, and the user can review the changes (the
// form is then posted normally and the server shows what differs).

const DELAY_MS = 2000;

export function initAutosave(form) {
  if (!form || typeof window.fetch !== 'function') return;
  const status = form.querySelector('[data-autosave-status]');
  const version = form.querySelector('input[name="version"]');
  const opened = form.querySelector('input[name="opened"]');
  const csrf = form.querySelector('input[name="_csrf"]');
  if (!status || !version || !opened || !csrf) return;

  let timer;
  let inFlight;
  let dirty = false;
  let stopped = false;
  let submitting = false;

  const say = (text, problem = false) => {
    status.textContent = text;
    status.classList.toggle('app-autosave__status--problem', problem);
  };

  /** Stops autosaving and offers a normal post, which shows the conflict page. */
  const stop = (text) => {
    stopped = true;
    say(text, true);
    const review = document.createElement('button');
    review.type = 'submit';
    review.name = 'next';
    review.value = 'stay';
    review.className = 'govuk-button govuk-button--secondary app-autosave__review';
    review.textContent = form.dataset.review;
    status.append(' ', review);
  };

  const payload = () => {
    const data = new window.URLSearchParams();
    for (const [name, value] of new window.FormData(form)) {
      if (name !== 'next' && typeof value === 'string') data.append(name, value);
    }
    return data;
  };

  const handle = async (response) => {
    const type = response.headers.get('content-type') ?? '';
    if (!type.includes('json')) {
      // A session that ended answers with the sign-in page, not with JSON; any other page is a
      // refusal this script cannot explain (the Save buttons will show it).
      dirty = true;
      const path = new window.URL(response.url, window.location.href).pathname;
      const signedOut = path === '/sign-in' || path === '/session-timeout';
      stop(signedOut ? form.dataset.signedOut : form.dataset.failed);
      return;
    }
    const answer = await response.json();
    if (response.ok) {
      version.value = String(answer.version);
      opened.value = answer.opened;
      say(answer.message);
      return;
    }
    dirty = true;
    if (response.status === 409) stop(answer.message);
    else say(answer.message ?? form.dataset.failed, true);
  };

  const save = async ({ keepalive = false } = {}) => {
    window.clearTimeout(timer);
    if (inFlight) await inFlight;
    if (stopped || !dirty) return;
    dirty = false;
    say(form.dataset.saving);
    inFlight = window
      .fetch(form.action, {
        method: 'POST',
        body: payload(),
        credentials: 'same-origin',
        keepalive,
        headers: {
          accept: 'application/json',
          'if-match': `"${version.value}"`,
          'x-csrf-token': csrf.value,
        },
      })
      .then(handle, () => {
        dirty = true;
        say(form.dataset.failed, true);
      })
      .finally(() => {
        inFlight = undefined;
      });
    await inFlight;
  };

  const changed = () => {
    if (stopped) return;
    dirty = true;
    window.clearTimeout(timer);
    timer = window.setTimeout(() => void save(), DELAY_MS);
  };
  form.addEventListener('input', changed);
  form.addEventListener('change', changed);

  // The buttons post the form as they would without this script, once any save under way has
  // finished (its new version is then in the form).
  form.addEventListener('submit', (event) => {
    window.clearTimeout(timer);
    submitting = true;
    if (!inFlight) return;
    event.preventDefault();
    const submitter = event.submitter;
    void inFlight.then(() => form.requestSubmit(submitter ?? undefined));
  });

  // Links on the page (task list, side navigation, back) wait for the save.
  document.addEventListener('click', (event) => {
    const link = event.target instanceof window.Element ? event.target.closest('a[href]') : null;
    if (!link || stopped || (!dirty && !inFlight) || event.defaultPrevented) return;
    if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey)
      return;
    const url = new window.URL(link.href, window.location.href);
    if (
      url.origin !== window.location.origin ||
      (url.hash && url.pathname === window.location.pathname)
    )
      return;
    event.preventDefault();
    void save().then(() => {
      window.location.href = url.href;
    });
  });

  // Leaving another way (closing the tab, the browser's back button): a last save that outlives
  // the page.
  window.addEventListener('pagehide', () => {
    if (dirty && !stopped && !submitting) void save({ keepalive: true });
  });
  // Changes that could not be saved are worth a warning before they are lost.
  window.addEventListener('beforeunload', (event) => {
    if (dirty && stopped && !submitting) {
      event.preventDefault();
      event.returnValue = '';
    }
  });
}
