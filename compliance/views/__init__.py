"""HTML views, one module per audience: public pages, volunteers, moderators; and the error handlers."""
