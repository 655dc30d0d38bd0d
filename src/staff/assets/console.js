// The console's one script (pages work without it): live updates. Pages marked data-live listen to /events; when
// a case of the partner changes, the page fetches itself again and swaps its content, unless the person is typing,
// in which case a banner offers to reload. A case page only reacts to its own case. Optional: a sound and a browser
// notification (switched on with the page's button; remembered in this browser).
(() => {
  const live = document.querySelector('[data-live]');
  if (!live || !window.EventSource) return;
  const caseNo = live.getAttribute('data-case') || '';
  const texts = {
    waiting: live.getAttribute('data-text-new') || 'New case',
    person_message: live.getAttribute('data-text-message') || 'The person answered',
    changed: live.getAttribute('data-text-changed') || 'A case changed',
    reload: live.getAttribute('data-text-reload') || 'Something changed. Reload',
  };
  const alertsKey = 'kf-live-alerts';
  const toggle = document.querySelector('[data-live-alerts]');
  const alertsOn = () => localStorage.getItem(alertsKey) === 'on';
  const showToggle = () => {
    if (!toggle) return;
    toggle.hidden = false;
    toggle.setAttribute('aria-pressed', alertsOn() ? 'true' : 'false');
    toggle.textContent = alertsOn() ? toggle.getAttribute('data-on') : toggle.getAttribute('data-off');
  };
  if (toggle) {
    toggle.addEventListener('click', async () => {
      if (alertsOn()) localStorage.removeItem(alertsKey);
      else {
        localStorage.setItem(alertsKey, 'on');
        if (window.Notification && Notification.permission === 'default') await Notification.requestPermission();
      }
      showToggle();
    });
    showToggle();
  }

  function beep() {
    try {
      const ctx = new AudioContext();
      const osc = ctx.createOscillator();
      osc.frequency.value = 880;
      osc.connect(ctx.destination);
      osc.start();
      osc.stop(ctx.currentTime + 0.15);
    } catch {}
  }

  function alertFor(event) {
    if (!alertsOn() || (event.type !== 'waiting' && event.type !== 'person_message')) return;
    beep();
    if (window.Notification && Notification.permission === 'granted') {
      new Notification(`${texts[event.type]} · ${event.no}`, { tag: event.no });
    }
  }

  const typing = () =>
    [...document.querySelectorAll('textarea, input[type=text]')].some(
      (el) => el.value.trim() !== '' || el === document.activeElement,
    );

  function offerReload() {
    if (document.querySelector('.live-reload')) return;
    const p = document.createElement('p');
    p.className = 'flash live-reload';
    p.setAttribute('role', 'status');
    const a = document.createElement('a');
    a.href = location.href;
    a.textContent = texts.reload;
    p.append(a);
    document.querySelector('main')?.prepend(p);
  }

  let running = false;
  let again = false;
  async function refresh() {
    if (running) return void (again = true);
    if (typing()) return offerReload();
    running = true;
    try {
      const res = await fetch(location.href, { credentials: 'same-origin', headers: { 'x-live': '1' } });
      if (!res.ok || res.redirected) return void location.reload();
      const fresh = new DOMParser().parseFromString(await res.text(), 'text/html').querySelector('main');
      const main = document.querySelector('main');
      if (fresh && main) main.replaceWith(fresh);
      document.dispatchEvent(new CustomEvent('kf:refreshed'));
    } finally {
      running = false;
      if (again) {
        again = false;
        refresh();
      }
    }
  }

  const events = new EventSource('/events');
  events.addEventListener('ready', () => document.documentElement.setAttribute('data-live-ready', '1'));
  events.addEventListener('case', (message) => {
    const event = JSON.parse(message.data);
    if (caseNo && event.no !== caseNo) return;
    alertFor(event);
    refresh();
  });
})();
