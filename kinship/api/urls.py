from ninja import NinjaAPI

api = NinjaAPI(title="Kinship API", version="1", urls_namespace="api")
