"""Wire shapes of the API resources (marshmallow), one module an area, with what they share in `base`.
The OpenAPI document is built from these and names its components after the classes, so a class keeps
its name wherever it lives."""
