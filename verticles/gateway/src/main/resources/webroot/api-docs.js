// Starts Swagger UI on the document the gateway serves (roles and security filled in from the
// endpoint constants). A file of its own, not inline: the gateway's CSP allows only 'self' scripts.
window.ui = SwaggerUIBundle({
  url: '/api/v1/openapi.yaml',
  dom_id: '#swagger-ui',
  deepLinking: true,
  // the dashboard keeps tokens in memory only; here a caller pastes one with "Authorize"
  persistAuthorization: false,
});
