from django.urls import path

app_name = "circles"
urlpatterns: list = []
