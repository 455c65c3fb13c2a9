// Small progressive enhancements; every page works without them.
document.addEventListener("DOMContentLoaded", () => {
  // Buttons marked data-confirm ask before submitting their form.
  document.querySelectorAll("[data-confirm]").forEach((el) => {
    el.addEventListener("click", (event) => {
      if (!window.confirm(el.dataset.confirm)) event.preventDefault();
    });
  });
  // Forms submit once: a double click does not send twice. A form that may answer with a
  // file (data-download: the browser then stays on the page) is usable again shortly after.
  document.querySelectorAll("form[method=post]").forEach((form) => {
    form.addEventListener("submit", () => {
      form.querySelectorAll("button[type=submit], input[type=submit]").forEach((b) => {
        setTimeout(() => { b.disabled = true; }, 0);
        if (form.hasAttribute("data-download")) setTimeout(() => { b.disabled = false; }, 3000);
      });
    });
  });
});
