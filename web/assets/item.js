// Item page (/shop/{merchant}/items/{id}), rendered by kaeru-fcgi: everything works without this
// script; it only makes "Copy link" copy, and says so.
const button = document.getElementById('share-copy');
if (button) {
  const original = button.textContent;
  button.addEventListener('click', async () => {
    const url = button.dataset.url;
    let ok = false;
    try {
      await navigator.clipboard.writeText(url);
      ok = true;
    } catch {
      window.prompt(original, url); // no clipboard access: let the shopper copy it by hand
    }
    if (ok) {
      const done = document.documentElement.lang === 'ja' ? 'コピーしました' : 'Link copied';
      button.textContent = done;
      document.getElementById('announce').textContent = done;
      setTimeout(() => { button.textContent = original; }, 2000);
    }
  });
}
