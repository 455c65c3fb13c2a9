// Pay page: save a card with a SetupIntent (stripe.confirmCardSetup), then let the server
// charge it; if the bank asks for 3-D Secure, finish it with stripe.confirmCardPayment.
(function () {
  "use strict";
  var form = document.getElementById("pay-form");
  if (!form || typeof Stripe === "undefined") { return; }
  var stripe = Stripe(form.dataset.stripeKey);
  var hidden = document.getElementById("payment_method");
  var errors = document.getElementById("card-errors");
  var button = document.getElementById("pay-button");
  var card = stripe.elements().create("card");
  card.mount("#card-element");

  function chosenSavedCard() {
    var checked = form.querySelector("input.saved-card:checked");
    return checked ? checked.value : "";
  }

  function fail(message) {
    errors.textContent = message;
    button.disabled = false;
  }

  form.addEventListener("submit", function (event) {
    var saved = chosenSavedCard();
    if (saved) { hidden.value = saved; return; }  // one click: the server charges it
    event.preventDefault();
    button.disabled = true;
    errors.textContent = "";
    stripe.confirmCardSetup(form.dataset.setupSecret, {payment_method: {card: card}})
      .then(function (result) {
        if (result.error) { return fail(result.error.message); }
        hidden.value = result.setupIntent.payment_method;
        form.submit();
      });
  });

  if (form.dataset.actionSecret) {
    button.disabled = true;
    stripe.confirmCardPayment(form.dataset.actionSecret).then(function (result) {
      if (result.error) { return fail(result.error.message); }
      document.getElementById("complete-form").submit();
    });
  }
})();
