"""The clinical pages, one module per page family; repairs/urls.py routes them.

home (the role-aware home page) · case (a course of therapy; a supervisor's real-name
request) · timeline (a session's moments; one card; the "anything new?" poll) · entries
(log, flag, edit, share, withdraw, link, the client's view) · repair (steps, where things
stand) · thread (notes) · check_in · inbox · review (figures, drill-down, a supervisor's
marks) · export (CSV) · record (the client's whole record and who opened it) · history
(versions of one item). inline.py is how an action answers with and without JavaScript.
"""
