"""One APIRouter per area of the query API; ``hub.api.app.create_api`` includes them all."""
