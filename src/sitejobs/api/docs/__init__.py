"""API documentation served by sitejobs itself: one OpenAPI document per surface and Swagger UI from the
`swagger-ui-bundle` package (no CDN, so `/docs` works offline)."""
