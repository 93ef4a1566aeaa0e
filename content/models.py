# The article models arrive with the CMS (see the issue "Article CMS").
