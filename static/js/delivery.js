// Deal delivery form: say at once when a draft is over the size limit, instead of after a
// long upload (the server refuses it anyway). Ticking "Submit without it" moves to the reason.
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("input[type=file][data-max-bytes]").forEach((input) => {
    const max = Number(input.dataset.maxBytes);
    const message = document.getElementById("draft-too-large");
    input.addEventListener("change", () => {
      const file = input.files && input.files[0];
      const tooLarge = Boolean(file && max && file.size > max);
      input.classList.toggle("is-invalid", tooLarge);
      if (message) message.classList.toggle("d-block", tooLarge);
      if (tooLarge) input.value = "";
    });
  });
  document.querySelectorAll("#brief-checklist-form input[type=checkbox][name^='ack-']")
    .forEach((box) => {
      box.addEventListener("change", () => {
        const reason = document.getElementById(box.id.replace("ack-", "ack-reason-"));
        if (box.checked && reason && !reason.value) reason.focus();
      });
    });
});
