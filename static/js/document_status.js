// "Preparing your PDF": ask the server every few seconds whether the PDF is printed, and show
// the page again once its state changed (ready, or failed). Without JavaScript the page's
// "Check again" link does the same. Only reads: the state URL is a GET that never writes.
document.addEventListener("DOMContentLoaded", () => {
  const box = document.querySelector("#document-status[data-poll]");
  if (!box) return;
  let delay = 1000;
  const again = () => {
    delay = Math.min(delay * 1.5, 10000);
    window.setTimeout(check, delay);
  };
  const check = () => {
    fetch(box.dataset.poll, { headers: { Accept: "application/json" }, cache: "no-store" })
      .then((response) => (response.ok ? response.json() : null))
      .then((data) => {
        if (data && data.state && data.state !== box.dataset.state) {
          window.location.reload();
        } else {
          again();
        }
      })
      .catch(again);
  };
  window.setTimeout(check, delay);
});
