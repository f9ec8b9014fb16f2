/* Starts Swagger UI on the API's OpenAPI document (no inline script: the CSP forbids it). */
(function () {
  "use strict";
  var root = document.getElementById("swagger-ui");
  if (!root || typeof SwaggerUIBundle === "undefined") { return; }
  SwaggerUIBundle({
    url: root.getAttribute("data-spec"),
    dom_id: "#swagger-ui",
    deepLinking: true,
    validatorUrl: null,          /* no badge from an outside validator */
    docExpansion: "list",
    defaultModelsExpandDepth: 0
  });
})();
