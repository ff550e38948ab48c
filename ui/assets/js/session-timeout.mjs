// The warning before an idle session ends (WCAG 2.2.1): a modal dialog a few minutes before,
// with "Stay signed in" (which tells the server the user is active) and "Sign out". When time
// runs out the browser goes to the timeout page, which explains what happened.

const WARN_BEFORE_SECONDS = 5 * 60;

function countdownText(dialog, seconds) {
  const plural = new Intl.PluralRules(document.documentElement.lang || 'en');
  const useMinutes = seconds >= 60;
  const count = useMinutes ? Math.ceil(seconds / 60) : Math.max(0, Math.ceil(seconds));
  const forms = JSON.parse(
    dialog.dataset[useMinutes ? 'countdownMinutes' : 'countdownSeconds'] || '{}',
  );
  const text = forms[plural.select(count)] ?? forms.other ?? '';
  return text.replace('{count}', String(count));
}

export function initSessionTimeout(dialog) {
  if (!dialog || typeof dialog.showModal !== 'function') return;
  const timeout = Number(dialog.dataset.timeoutSeconds);
  let endsAt = Date.now() + Number(dialog.dataset.remainingSeconds) * 1000;
  const warnBefore = Math.min(WARN_BEFORE_SECONDS, Math.floor(timeout / 3)) * 1000;
  const countdown = dialog.querySelector('[data-countdown]');
  let timer;
  let lastAnnounced;

  const tick = () => {
    const left = Math.round((endsAt - Date.now()) / 1000);
    if (left <= 0) {
      window.location.href = dialog.dataset.timeoutUrl;
      return;
    }
    if (endsAt - Date.now() <= warnBefore) {
      if (!dialog.open) dialog.showModal();
      // Announced once a minute, then every 15 seconds in the last minute: not every second.
      const step = left >= 60 ? Math.ceil(left / 60) * 60 : Math.ceil(left / 15) * 15;
      if (step !== lastAnnounced) {
        lastAnnounced = step;
        countdown.textContent = countdownText(dialog, left);
      }
    }
    timer = window.setTimeout(tick, 1000);
  };

  const keepAlive = async () => {
    const response = await fetch(dialog.dataset.keepAliveUrl, {
      method: 'POST',
      headers: { 'x-csrf-token': dialog.dataset.csrfToken, accept: 'application/json' },
      credentials: 'same-origin',
    });
    // A session that already ended answers with the sign-in page, not with JSON.
    if (!response.ok || !(response.headers.get('content-type') ?? '').includes('json')) {
      window.location.href = dialog.dataset.timeoutUrl;
      return;
    }
    const { remainingSeconds } = await response.json();
    endsAt = Date.now() + remainingSeconds * 1000;
    lastAnnounced = undefined;
    dialog.close();
  };
  dialog.querySelector('[data-keep-alive]').addEventListener('click', keepAlive);
  // Escape answers the question as "stay signed in", the dialog's first choice.
  dialog.addEventListener('cancel', (event) => {
    event.preventDefault();
    void keepAlive();
  });

  window.clearTimeout(timer);
  tick();
}
