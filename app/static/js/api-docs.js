// The API console (/api/console): Swagger UI (vendored) renders the OpenAPI document named by the
// container's data-spec-url. Without JavaScript the page still links the document itself.
(function () {
  "use strict";

  var container = document.getElementById("swagger-ui");
  if (!container || typeof window.SwaggerUIBundle !== "function") {
    return;
  }
  window.SwaggerUIBundle({
    url: container.getAttribute("data-spec-url"),
    domNode: container,
    deepLinking: true,
    tryItOutEnabled: false,
    validatorUrl: null,
  });
})();
