// Pay page. The brand picks ONE card with the radio group: a saved card, or "a new card"
// (typing into the card element selects it). The summary line always names the card that
// will be charged. A new card becomes a PaymentMethod in the browser
// (stripe.createPaymentMethod); the server charges the chosen card and, if the bank asks for
// 3-D Secure, this page shows the single prompt (stripe.confirmCardPayment).
(function () {
  "use strict";
  var form = document.getElementById("pay-form");
  if (!form || typeof Stripe === "undefined") { return; }
  var stripe = Stripe(form.dataset.stripeKey);
  var hidden = document.getElementById("payment_method");
  var errors = document.getElementById("card-errors");
  var button = document.getElementById("pay-button");
  var newRadio = document.getElementById("card-new");
  var newBlock = document.getElementById("new-card");
  var chargedCard = document.getElementById("charged-card");
  var radios = form.querySelectorAll("input.card-choice");
  var card = stripe.elements().create("card");
  card.mount("#card-element");

  function chosen() {
    var checked = form.querySelector("input.card-choice:checked");
    return checked || newRadio;
  }

  function showChoice() {
    var radio = chosen();
    chargedCard.textContent = radio.dataset.label;
    newBlock.classList.toggle("pay-option-idle", radio !== newRadio);
  }

  function chooseNewCard() {
    if (!newRadio.checked) {
      newRadio.checked = true;
      showChoice();
    }
  }

  function fail(message) {
    errors.textContent = message || "The card could not be charged. Please check it and try again.";
    button.disabled = false;
  }

  Array.prototype.forEach.call(radios, function (radio) {
    radio.addEventListener("change", showChoice);
  });
  card.on("change", chooseNewCard);
  card.on("focus", chooseNewCard);
  document.getElementById("card-element").addEventListener("focusin", chooseNewCard);
  showChoice();

  form.addEventListener("submit", function (event) {
    errors.textContent = "";
    if (chosen() !== newRadio) {  // a saved card: the server charges it
      hidden.value = "";
      button.disabled = true;
      return;
    }
    event.preventDefault();
    button.disabled = true;
    stripe.createPaymentMethod({type: "card", card: card}).then(function (result) {
      if (result.error) { return fail(result.error.message); }
      hidden.value = result.paymentMethod.id;
      form.submit();
    });
  });

  if (form.dataset.actionSecret) {  // the bank asked for 3-D Secure: one prompt
    button.disabled = true;
    stripe.confirmCardPayment(form.dataset.actionSecret).then(function (result) {
      if (result.error) { return fail(result.error.message); }
      document.getElementById("complete-form").submit();
    });
  }
})();
