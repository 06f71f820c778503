// A move the server refused (409: someone moved the alert first; 422: the text is missing or too long) comes
// back as the alert as it is now with the reason: htmx keeps error answers out of the page unless told.
document.addEventListener("htmx:beforeSwap", function (event) {
  var status = event.detail.xhr.status;
  if (status === 409 || status === 422) {
    event.detail.shouldSwap = true;
    event.detail.isError = false;
  }
});
