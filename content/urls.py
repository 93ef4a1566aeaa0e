from django.urls import path

from clinic.lib.replica import reads_from_replica
from content import views
from content.feeds import ArticleFeed

app_name = "content"

urlpatterns = [
    path("articles/", views.article_list, name="list"),
    path("articles/search/", views.article_search, name="search"),
    path("articles/feed/", reads_from_replica(ArticleFeed()), name="feed"),
    path("articles/definitions/", views.outcome_definitions, name="definitions"),
    path("articles/tag/<slug:slug>/", views.tag_articles, name="tag"),
    path("articles/condition/<slug:slug>/", views.condition_articles, name="condition"),
    path("articles/<slug:slug>/", views.article_detail, name="detail"),
]
